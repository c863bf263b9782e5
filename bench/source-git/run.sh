#!/bin/sh
# Benchmark: cijobs source-git update-dist-git (200 downstream commits on a 5,000-commit upstream)
# against a raw `git format-patch` of the same range, in the same run, with hyperfine.
# Usage: bench/source-git/run.sh [UPSTREAM] [DOWNSTREAM]   (needs hyperfine, python3, dotnet)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
upstream=${1:-5000}
downstream=${2:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/cijobs-bench-source-git.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "generating repositories in $work ($upstream upstream, $downstream downstream commits)" >&2
start=$(date +%s%N)
dist_initial=$(python3 "$here/generate.py" "$work" "$upstream" "$downstream")
echo "generated in $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2

# The Release build .ci/setup makes (JIT at start-up), and the same code published ReadyToRun.
dotnet build "$repo/tools/CiJobs.Cli" -c Release -v quiet -clp:ErrorsOnly -o "$work/cli" >&2
dotnet publish "$repo/tools/CiJobs.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -v quiet -clp:ErrorsOnly -o "$work/cli-r2r" >&2
cijobs="dotnet $work/cli/cijobs.dll"
cijobs_r2r="$work/cli-r2r/cijobs"
reset="git -C $work/dist reset -q --hard $dist_initial && git -C $work/dist clean -fdxq"

# Every cijobs run starts from the initial dist-git and converts the whole series; the raw
# format-patch run writes the same range with the same pathspec into an empty directory.
hyperfine --warmup 2 --runs 15 --export-json "$work/result.json" \
    --prepare "$reset" -n cijobs "$cijobs source-git update-dist-git $work/src $work/dist" \
    --prepare "$reset" -n cijobs-r2r "$cijobs_r2r source-git update-dist-git $work/src $work/dist" \
    --prepare "rm -rf $work/patches" \
    -n format-patch "git -C $work/src format-patch -q --no-signature -o $work/patches v1.0..HEAD -- . ':(exclude).distro'" >&2

# Sanity: the converted dist-git has the expected patches and a commit.
patches=$(ls "$work/dist"/*.patch | wc -l)
echo "dist-git patches: $patches; last commit: $(git -C "$work/dist" log -1 --format=%s)" >&2

python3 - "$work/result.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
f = results["format-patch"]["median"]
for name in ("format-patch", "cijobs", "cijobs-r2r"):
    r = results[name]
    print(f"{name:13} median {r['median']:.3f} s (min {r['min']:.3f}, max {r['max']:.3f})  ratio to format-patch {r['median'] / f:.2f}x")
print("target: cijobs median under 3 s and within 2x of format-patch")
PY
