#!/usr/bin/env bash
# Benchmarks of the rdoinfo loader and of start-up, whole process, on RDO's real database.
# Run on demand (not in tests):  bash bench/rdoinfo/run.sh [RUNS]
# Needs hyperfine (apt-get install -y hyperfine) and a ReadyToRun publish of cijobs (made here).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
rdoinfo=../shared/data/rdoinfo
out=bench/out
mkdir -p "$out"

command -v hyperfine >/dev/null || { echo "bench: install hyperfine first (apt-get install -y hyperfine)" >&2; exit 1; }
echo "bench: publishing cijobs (Release, ReadyToRun) and the bench helper" >&2
dotnet publish tools/CiJobs.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/cijobs" -v quiet -clp:ErrorsOnly
dotnet publish bench/CiJobs.Bench -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/bench" -v quiet -clp:ErrorsOnly

# One hyperfine run so the three figures share the machine's state; -N: no shell in between.
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$out/rdoinfo.md" \
  -n "cijobs --help (cold start)" "$out/cijobs/cijobs --help" \
  -n "parse only (same YAML files, no merge/expansion)" "$out/bench/CiJobs.Bench rdoinfo-parse $rdoinfo" \
  -n "cijobs rdoinfo packages --format json" "$out/cijobs/cijobs rdoinfo packages --rdoinfo $rdoinfo --format json"
cat "$out/rdoinfo.md"
