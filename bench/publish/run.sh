#!/usr/bin/env bash
# Publish benchmark: builds the example package example-greetlib with `cijobs build`, serves the
# output, and times `cijobs publish dlrn` against the fake DLRN server on loopback (bench/README.md).
# Usage: bash bench/publish/run.sh [RUNS]   (default 15). Needs `bash .ci/setup` first (Release build).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-15}"
dll="$root/tools/CiJobs.Cli/bin/Release/net10.0/cijobs.dll"
[ -f "$dll" ] || { echo "bench: $dll is missing; run 'bash .ci/setup' first" >&2; exit 3; }

work="$(mktemp -d /tmp/cijobs-bench-publish.XXXXXX)"
trap 'rm -rf "$work"' EXIT
bash "$root/examples/setup.sh" "$work/work" >/dev/null
dotnet "$dll" build --rdoinfo "$work/work/rdoinfo" --package example-greetlib --release tiny \
  --output "$work/out" --format json >"$work/build.json"
result_dir="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result_dir"])' "$work/build.json")"

dotnet build "$here/CiJobs.Bench.Publish.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
echo "bench: publishing cijobs (Release, ReadyToRun)" >&2
dotnet publish "$root/tools/CiJobs.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$work/cijobs-r2r" -v quiet -clp:ErrorsOnly >/dev/null
echo "== cijobs.dll of the Release build (dotnet cijobs.dll)"
dotnet "$here/bin/Release/net10.0/CiJobs.Bench.Publish.dll" "$dll" "$work/out" "$result_dir" "$runs"
echo "== ReadyToRun publish (the cijobs executable)"
dotnet "$here/bin/Release/net10.0/CiJobs.Bench.Publish.dll" "$work/cijobs-r2r/cijobs" "$work/out" "$result_dir" "$runs"
