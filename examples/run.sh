#!/usr/bin/env bash
# The main job on the bundled example: sets up the example repositories (examples/setup.sh), then
# builds example-greetlib and example-greeter (which BuildRequires it) for release "tiny" with
# `cijobs build` into one DLRN data directory, and the Debian package example-motd for release
# "tiny-deb" into a second one (OUTPUT-deb), publishes the three as one change's test repository
# (OUTPUT-testrepo/check-1-1, RPM and APT), and prints where the repositories are.
# Usage: bash examples/run.sh [WORK] [OUTPUT]   (defaults: examples/build, examples/out)
# Needs `bash .ci/setup` first. CIJOBS overrides the command (default: the Release build).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
work="${1:-$here/build}"
out="${2:-$here/out}"

if [ -z "${CIJOBS:-}" ]; then
  dll="$root/tools/CiJobs.Cli/bin/Release/net10.0/cijobs.dll"
  if [ ! -f "$dll" ]; then
    echo "examples: $dll is missing; run 'bash .ci/setup' first" >&2
    exit 3
  fi
  CIJOBS="dotnet $dll"
fi

bash "$here/setup.sh" "$work"
work="$(cd "$work" && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

results=()
for package in example-greetlib example-greeter; do
  $CIJOBS build --rdoinfo "$work/rdoinfo" --package "$package" --release tiny --output "$out"
  results+=("$(readlink -f "$out/repos/current")")
done

out_deb="$out-deb"
mkdir -p "$out_deb"
$CIJOBS build --rdoinfo "$work/rdoinfo" --package example-motd --release tiny-deb --codename bookworm --output "$out_deb"
results+=("$(readlink -f "$out_deb/repos/current")")

# The check flow's next step: the three builds as one change's test repository (RPM and APT, codename bookworm).
out_testrepo="$out-testrepo"
$CIJOBS testrepo publish "${results[@]}" --root "$out_testrepo" --change 1 --patchset 1 --codename bookworm

echo
echo "examples: DLRN repository with both packages: $out/repos/current"
echo "examples: use it with: $out/repos/current/delorean.repo"
cat "$out/repos/current/versions.csv"
echo "examples: Debian (flat APT) repository with example-motd: $out_deb/repos/current"
echo "examples: use it with: $out_deb/repos/current/delorean.list"
echo "examples: the change's test repository: $out_testrepo/check-1-1 (rpm/check-1-1.repo, deb/check-1-1.list)"
