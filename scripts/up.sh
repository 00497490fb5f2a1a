#!/usr/bin/env bash
# Installs what is missing, builds, and runs `kubecombo up` (the embedded
# default). Extra arguments go to `kubecombo up`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${KC_BUILD_DIR:-$here/build}
"$here/scripts/bootstrap.sh" "$build"
exec "$build/kubecombo" up "$@"
