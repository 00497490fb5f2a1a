#!/usr/bin/env bash
# Installs the Debian packages kubecombo needs to build, test and run, then
# configures and builds it. Idempotent: installs only what is missing.
# Usage: scripts/bootstrap.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
shift || true

packages=(
  build-essential cmake ninja-build pkg-config
  libcaf-dev libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libyaml-cpp-dev libc-ares-dev libspdlog-dev
  dnsmasq-base prometheus python3-kubernetes python3-pytest python3-yaml
  fping nftables iproute2 iputils-ping openssl procps
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

cmake -S "$here" -B "$build" -G Ninja "$@" >/dev/null
cmake --build "$build"
