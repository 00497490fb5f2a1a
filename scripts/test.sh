#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors and runs every test
# (unit, integration, e2e, root). Tests that need root or a missing tool print
# a visible SKIP with the reason.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${KC_BUILD_DIR:-$here/build}
"$here/scripts/bootstrap.sh" "$build" -DKC_WERROR=ON
cd "$build"
ctest --output-on-failure --timeout 1200 -j2 "$@"
