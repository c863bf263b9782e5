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
prepare="git -C $work/dist reset -q --hard $dist_initial && git -C $work/dist clean -fdxq && rm -rf $work/patches"

# The Release build .ci/setup makes (JIT at start-up), the same code published ReadyToRun, and the
# Native AOT publish .ci/setup makes when clang is installed (README: "Native build").
dotnet build "$repo/tools/CiJobs.Cli" -c Release -v quiet -clp:ErrorsOnly -o "$work/cli" >&2
dotnet publish "$repo/tools/CiJobs.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -v quiet -clp:ErrorsOnly -o "$work/cli-r2r" >&2
names="cijobs cijobs-r2r"
set -- --prepare "$prepare" -n cijobs "dotnet $work/cli/cijobs.dll source-git update-dist-git $work/src $work/dist" \
       --prepare "$prepare" -n cijobs-r2r "$work/cli-r2r/cijobs source-git update-dist-git $work/src $work/dist"
if command -v clang >/dev/null; then
    dotnet publish "$repo/tools/CiJobs.Cli" -c Release -r linux-x64 -p:PublishAot=true \
        -v quiet -clp:ErrorsOnly -o "$work/cli-native" >&2
    names="$names cijobs-native"
    set -- "$@" --prepare "$prepare" -n cijobs-native "$work/cli-native/cijobs source-git update-dist-git $work/src $work/dist"
else
    echo "clang not found: skipping the Native AOT build (apt-get install clang zlib1g-dev)" >&2
fi

# Every run starts from the same state, with the same preparation: DIST reset to its initial commit
# and the format-patch output folder removed (the file system on the shared test machines makes file
# creation cost depend on what was deleted just before, so the preparation must not differ).
# Each cijobs run converts the whole series; the raw format-patch run writes the same range with
# the same pathspec into an empty directory.
hyperfine --warmup 3 --runs 20 --export-json "$work/result.json" "$@" \
    --prepare "$prepare" -n format-patch "git -C $work/src format-patch -q --no-signature -o $work/patches v1.0..HEAD -- . ':(exclude).distro'" >&2

# Sanity: every build converts to the same dist-git tree, with the expected patches and a commit.
trees=""
for name in $names; do
    case $name in
        cijobs) program="dotnet $work/cli/cijobs.dll" ;;
        cijobs-r2r) program="$work/cli-r2r/cijobs" ;;
        cijobs-native) program="$work/cli-native/cijobs" ;;
    esac
    sh -c "$prepare"
    $program source-git update-dist-git "$work/src" "$work/dist" >/dev/null
    trees="$trees $(git -C "$work/dist" rev-parse HEAD^{tree})"
done
if [ "$(echo $trees | tr ' ' '\n' | sort -u | wc -l)" -ne 1 ]; then
    echo "the builds converted to different trees:$trees" >&2
    exit 1
fi
patches=$(ls "$work/dist"/*.patch | wc -l)
echo "dist-git patches: $patches; last commit: $(git -C "$work/dist" log -1 --format=%s); same tree from: $names" >&2

python3 - "$work/result.json" $names <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
f = results["format-patch"]["median"]
for name in ["format-patch"] + sys.argv[2:]:
    r = results[name]
    print(f"{name:13} median {r['median']:.3f} s (min {r['min']:.3f}, max {r['max']:.3f})  ratio to format-patch {r['median'] / f:.2f}x")
print("target: cijobs median under 3 s and within 2x of format-patch")
PY
