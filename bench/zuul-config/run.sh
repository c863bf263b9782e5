#!/usr/bin/env bash
# Benchmark of `cijobs zuul-config generate` on RDO's real rdoinfo, whole process (start-up, load, generate, write).
# Run on demand (not in tests):  bash bench/zuul-config/run.sh [RUNS]
# Needs hyperfine (apt-get install -y hyperfine); publishes cijobs (Release, ReadyToRun) first.
# RDOINFO overrides where the real database is (default: the vendored tests/data/rdoinfo).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
rdoinfo=${RDOINFO:-tests/data/rdoinfo}
[ -d "${rdoinfo:-}" ] || { echo "bench: rdoinfo not found; set RDOINFO" >&2; exit 1; }
out=bench/out
config=$out/zuul-config-repo
mkdir -p "$out"

command -v hyperfine >/dev/null || { echo "bench: install hyperfine first (apt-get install -y hyperfine)" >&2; exit 1; }
echo "bench: publishing cijobs (Release, ReadyToRun)" >&2
dotnet publish tools/CiJobs.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/cijobs" -v quiet -clp:ErrorsOnly

generate="$out/cijobs/cijobs zuul-config generate --rdoinfo $rdoinfo --config-repo $config"
mkdir -p "$config"
$generate >/dev/null 2>&1
# One hyperfine run so the figures share the machine's state; -N: no shell in between.
# --prepare is given once per command, in command order; only the last one empties the config repository (it must exist).
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$out/zuul-config.md" --export-json "$out/zuul-config.json" \
  --prepare true --prepare true --prepare true --prepare "find $config -mindepth 1 -delete" \
  -n "cijobs --help (cold start)" "$out/cijobs/cijobs --help" \
  -n "cijobs rdoinfo packages --format json (load only)" "$out/cijobs/cijobs rdoinfo packages --rdoinfo $rdoinfo --format json" \
  -n "cijobs zuul-config generate (files exist, unchanged)" "$generate" \
  -n "cijobs zuul-config generate (fresh config repo)" "$generate"
cat "$out/zuul-config.md"
