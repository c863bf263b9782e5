#!/usr/bin/env bash
# Mirror sync benchmark (bench/mirror/README.md): one package changed in a 10,000-package repository, timed against plain
# rsync of the same change and a copy of the whole repository; peak RSS at 1,000, 10,000 and 50,000 packages.
# Usage: bash bench/mirror/run.sh [WORK_DIR]   Needs the Release build (dotnet build CiJobs.sln -c Release) and ~4 GB of disk.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dll="$root/tools/CiJobs.Cli/bin/Release/net10.0/cijobs.dll"
# CIJOBS_BENCH_CLI: the cijobs executable to time, e.g. the Native AOT build that jobs install (README "Native build");
# default: the Release build run by dotnet, which adds about 0.25 s of .NET start-up to each sync.
if [ -n "${CIJOBS_BENCH_CLI:-}" ]; then cijobs=("$CIJOBS_BENCH_CLI"); else
  [ -f "$dll" ] || { echo "bench: $dll is missing; build the Release configuration first" >&2; exit 3; }
  cijobs=(dotnet "$dll"); fi
work="${1:-$(mktemp -d /tmp/cijobs-bench-mirror.XXXXXX)}"
mkdir -p "$work"
[ -n "${1:-}" ] || trap 'rm -rf "$work"' EXIT
seconds() { local start=$EPOCHREALTIME; "$@" >/dev/null 2>&1; echo "$EPOCHREALTIME - $start" | bc -l; }

echo "bench: generating 10,000 packages of 50-500 KiB" >&2
python3 "$here/gen-repo.py" "$work/src" 10000 50 500
"${cijobs[@]}" mirror sync "$work/src" "$work/pub/repo" >/dev/null 2>&1          # the published snapshot
rsync -a --delete "$work/src/" "$work/plain/"                                  # the plain rsync mirror, same state
sync; sleep 1
python3 "$here/gen-repo.py" "$work/src" 10000 50 500 1                         # one package changed: 1.0 -> 1.1
sync
t_sync=$(seconds "${cijobs[@]}" mirror sync "$work/src" "$work/pub/repo")
t_rsync=$(seconds rsync -a --delete "$work/src/" "$work/plain/")
sync
t_copy=$(seconds cp -a "$work/src" "$work/copy")
sync
size=$(du -sh "$work/src" | cut -f1)
printf 'repository: 10000 packages, %s\n' "$size"
printf 'mirror sync of one changed package: %.3f s\n' "$t_sync"
printf 'plain rsync -a --delete of the same change: %.3f s (mirror sync / rsync = %.2f)\n' "$t_rsync" "$(echo "$t_sync / $t_rsync" | bc -l)"
printf 'cp -a of the whole repository: %.3f s (copy / mirror sync = %.1f)\n' "$t_copy" "$(echo "$t_copy / $t_sync" | bc -l)"
rm -rf "$work/copy" "$work/plain"

for n in 1000 10000 50000; do
  rm -rf "$work/rss"
  python3 "$here/gen-repo.py" "$work/rss/src" "$n" 1 4            # RSS depends on the package count, not file sizes
  "${cijobs[@]}" mirror sync "$work/rss/src" "$work/rss/pub/repo" >/dev/null 2>&1
  python3 "$here/gen-repo.py" "$work/rss/src" "$n" 1 4 1
  rss=$(/usr/bin/time -v "${cijobs[@]}" mirror sync "$work/rss/src" "$work/rss/pub/repo" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}')
  printf 'peak RSS, %6d packages: %s KiB\n' "$n" "$rss"
done
