#!/usr/bin/env bash
# Control-plane read/watch/memory benchmark of `kubecombo sim` (not a test).
# Installs wrk and curl if missing (Debian, idempotent), builds kubecombo and
# runs bench/sim_bench.py; writes bench/results-sim.md unless OUT is set.
# Usage: bench/sim_bench.sh [BUILD_DIR] [sim_bench.py flags, e.g. --objects 100000]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
shift || true
missing=()
for p in wrk curl python3-requests python3-yaml; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -f "$build/build.ninja" ] || cmake -S "$here" -B "$build" -G Ninja >/dev/null
ninja -C "$build" kubecombo >/dev/null
out=${OUT:-$here/bench/results-sim.md}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
/usr/bin/python3 "$here/bench/sim_bench.py" --kubecombo "$build/cmd/kubecombo" --out "$tmp" "$@"
{
  echo "# kubecombo sim — control-plane benchmark"
  echo
  echo "Machine: $(. /etc/os-release; echo "$PRETTY_NAME") (Debian $(cat /etc/debian_version)),"
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
  echo "$(free -g | awk '/Mem:/{print $2}') GiB RAM; load generator, watchers and sim share the cores."
  echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git -C "$here" rev-parse --short HEAD)."
  echo
  echo "Command: \`bench/sim_bench.sh $build $*\`"
  echo
  cat "$tmp"
} > "$out"
echo "wrote $out"
