#!/usr/bin/env bash
# Audit benchmark: `cijobs audit` of a release of RDO's real rdoinfo (tests/data/rdoinfo) against a fake DLRN holding
# it, heads from a file, drift injected into 6% of the packages (bench/README.md).
# Usage: bash bench/audit/run.sh [RELEASE] [RUNS]   (default: the release with the most packages, 5 runs).
# CIJOBS_BENCH_CLI=/path/to/cijobs runs a Native AOT executable instead of the Release build's cijobs.dll.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cli="${CIJOBS_BENCH_CLI:-$root/tools/CiJobs.Cli/bin/Release/net10.0/cijobs.dll}"
[ -f "$cli" ] || { echo "bench: $cli is missing; run 'bash .ci/setup' first" >&2; exit 3; }
dotnet build "$here/CiJobs.Bench.Audit.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
args=("$cli" "$root/tests/data/rdoinfo")
[ -n "${1:-}" ] && args+=("$1")
[ -n "${2:-}" ] && args+=("$2")
dotnet "$here/bin/Release/net10.0/CiJobs.Bench.Audit.dll" "${args[@]}"
