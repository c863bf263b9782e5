#!/usr/bin/env bash
# Node preparation: installing cijobs with ensure-cijobs from the prebuilt release (downloaded from 127.0.0.1,
# checksum checked, unpacked, first run) against the source build the role did before (dotnet publish of a fresh
# checkout). Whole processes, with hyperfine. Figures: bench/README.md.
# Usage: bench/ensure-cijobs/run.sh [PREBUILT_RUNS [SOURCE_RUNS]]   (defaults 10 and 3)
# Needs .ci/dist from bash .ci/release (made here when missing, from .ci/native and the Release build).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
prebuilt_runs=${1:-10}
source_runs=${2:-3}
out=$root/bench/out/ensure-cijobs
rm -rf "$out"; mkdir -p "$out"
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install -y hyperfine)" >&2; exit 1; }

[ -d .ci/dist ] || bash .ci/release .ci/dist
tarball=$(ls .ci/dist/cijobs-*-linux-x64.tar.gz)
sha=$(cut -d' ' -f1 "$tarball.sha256")
mkdir -p "$out/served"; cp "$tarball" "$out/served/"

# A static file server on 127.0.0.1 for the download (stopped on exit).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$out/served" >"$out/http.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fsI "http://127.0.0.1:$port/$(basename "$tarball")" >/dev/null 2>&1 && break; sleep 0.2; done

git clone --quiet --no-local "$root" "$out/checkout"
script=$root/ci/gitlab/ensure-cijobs.sh
export CIJOBS_INSTALL_DIR=$out/install CIJOBS_CACHE_DIR=$out/cache CIJOBS_SRC_DIR=$out/checkout
url="http://127.0.0.1:$port/$(basename "$tarball")"

echo "machine: $(nproc) cores; $(free -h | awk '/^Mem:/ {print $2 " memory, " $7 " available"}'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git rev-parse --short HEAD); tarball: $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"

hyperfine --runs "$prebuilt_runs" --warmup 1 --export-markdown "$out/prebuilt.md" \
  --prepare "rm -rf $out/install $out/cache" \
  -n "prebuilt: download + SHA-256 + unpack + cijobs --version" \
  "CIJOBS_URL=$url CIJOBS_SHA256=$sha bash $script" \
  --prepare "rm -rf $out/install" \
  -n "prebuilt, tarball in the node-local cache" \
  "CIJOBS_URL=$url CIJOBS_SHA256=$sha bash $script" \
  --prepare "true" \
  -n "prebuilt, already installed" \
  "CIJOBS_URL=$url CIJOBS_SHA256=$sha bash $script"

# The source build from a clean checkout (no obj/ or bin/), NuGet packages already in the local cache.
hyperfine --runs "$source_runs" --export-markdown "$out/source.md" \
  --prepare "rm -rf $out/install $out/checkout/tools/*/bin $out/checkout/tools/*/obj" \
  -n "source build: dotnet publish ReadyToRun + cijobs --version" \
  "bash $script"
cat "$out/prebuilt.md" "$out/source.md"
