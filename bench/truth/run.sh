#!/usr/bin/env bash
# Truth store benchmark: a SQLite store of 100,000 builds and 1,000,000 files, the median of each query in-process and
# through `cijobs truth serve`, and the time to ingest 10,000 builds (bench/README.md).
# Usage: bash bench/truth/run.sh [BUILDS] [RUNS]   (default 100000 builds, 21 runs per query).
# CIJOBS_BENCH_CLI=/path/to/cijobs runs a Native AOT executable instead of the Release build's cijobs.dll.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cli="${CIJOBS_BENCH_CLI:-$root/tools/CiJobs.Cli/bin/Release/net10.0/cijobs.dll}"
[ -f "$cli" ] || { echo "bench: $cli is missing; build the solution in Release first" >&2; exit 3; }
dotnet build "$here/CiJobs.Bench.Truth.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
dotnet "$here/bin/Release/net10.0/CiJobs.Bench.Truth.dll" "$cli" "$root/tests/data/rdoinfo" "${1:-100000}" "${2:-21}"
