#!/usr/bin/env bash
# Benchmarks of the rdoinfo loader and of start-up, whole process, on RDO's real database.
# Run on demand (not in tests):  bash bench/rdoinfo/run.sh [RUNS]
# Needs hyperfine (apt-get install -y hyperfine) and a ReadyToRun publish of cijobs (made here).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
rdoinfo=tests/data/rdoinfo
out=bench/out
mkdir -p "$out"

command -v hyperfine >/dev/null || { echo "bench: install hyperfine first (apt-get install -y hyperfine)" >&2; exit 1; }
echo "bench: publishing cijobs (Release, ReadyToRun) and the bench helper" >&2
dotnet publish tools/CiJobs.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/cijobs" -v quiet -clp:ErrorsOnly
dotnet publish bench/CiJobs.Bench -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/bench" -v quiet -clp:ErrorsOnly

# One hyperfine run so the figures share the machine's state; -N: no shell in between.
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$out/rdoinfo.md" --export-json "$out/rdoinfo.json" \
  -n "cijobs --help (cold start)" "$out/cijobs/cijobs --help" \
  -n "parse only (same YAML files, no merge/expansion)" "$out/bench/CiJobs.Bench rdoinfo-parse $rdoinfo" \
  -n "parse only with YamlDotNet (the full parser)" "$out/bench/CiJobs.Bench rdoinfo-parse-full $rdoinfo" \
  -n "cijobs rdoinfo packages --format json" "$out/cijobs/cijobs rdoinfo packages --rdoinfo $rdoinfo --format json"
cat "$out/rdoinfo.md"
# The targets are medians: print them with the ratio to the start-up run.
python3 - "$out/rdoinfo.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["median"]
for r in results:
    print(f"{r['command']:55} median {r['median'] * 1000:7.1f} ms  ({r['median'] / base:.2f}x start-up)")
print("targets: --help under 150 ms, rdoinfo packages --format json under 400 ms (medians)")
PY
