#!/usr/bin/env bash
# Benchmark: from a change to a ready test repository for the example packages (examples/), excluding the time
# rpmbuild and dpkg-buildpackage themselves take, with the breakdown by step. Run on demand (not in tests):
#   bash bench/check-gate/run.sh [RUNS]
# Each run: `cijobs build` of example-greetlib, example-greeter (RPM) and example-motd (DEB) as three changes; the
# build's own time is its wall time minus the packaging tool's (the "exited with code 0 after N s" line of its
# log); then `cijobs testrepo publish` of each into its check repository; then `cijobs serve` of the repositories'
# root until dnf's repomd.xml and APT's Release answer over HTTP. Publishes cijobs (Release, ReadyToRun) first.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
out=bench/out/check-gate
rm -rf "$out"; mkdir -p "$out"
echo "bench: publishing cijobs (Release, ReadyToRun)" >&2
dotnet publish tools/CiJobs.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o bench/out/cijobs -v quiet -clp:ErrorsOnly
cijobs=bench/out/cijobs/cijobs
bash examples/setup.sh "$out/work" >/dev/null

now() { date +%s.%N; }
tool_seconds() { sed -n 's/.* exited with code 0 after \([0-9.]*\) s$/\1/p' "$1" | tail -1; }

printf 'run\tpackage\tbuild_wall\ttool\tbuild_own\tpublish\n' > "$out/steps.tsv"
printf 'run\tserve_ready\ttotal_own\n' > "$out/totals.tsv"
for run in $(seq 1 "$runs"); do
  total=0
  root="$out/root-$run"
  change=100
  for spec in example-greetlib:tiny:rpm example-greeter:tiny:rpm example-motd:tiny-deb:deb; do
    IFS=: read -r package release kind <<<"$spec"
    data="$out/data-$run-$kind"
    change=$((change + 1))
    t0=$(now)
    $cijobs build --rdoinfo "$out/work/rdoinfo" --package "$package" --release "$release" --output "$data" --codename bookworm >/dev/null 2>&1
    t1=$(now)
    result=$(readlink -f "$data/repos/current")
    log="$result/rpmbuild.log"
    tool=$(tool_seconds "$log")
    $cijobs testrepo publish "$result" --root "$root" --change "$change" --patchset "$run" --codename bookworm --format json >/dev/null
    t2=$(now)
    build_wall=$(echo "$t1 - $t0" | bc -l); publish=$(echo "$t2 - $t1" | bc -l); own=$(echo "$build_wall - $tool" | bc -l)
    total=$(echo "$total + $own + $publish" | bc -l)
    printf '%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\n' "$run" "$package" "$build_wall" "$tool" "$own" "$publish" >> "$out/steps.tsv"
  done
  t0=$(now)
  coproc SERVE { exec $cijobs serve "$root"; }
  read -r url <&"${SERVE[0]}"
  curl -fsS "${url}check-101-$run/rpm/repodata/repomd.xml" >/dev/null
  curl -fsS "${url}check-103-$run/deb/dists/bookworm/Release" >/dev/null
  t1=$(now)
  kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  ready=$(echo "$t1 - $t0" | bc -l)
  total=$(echo "$total + $ready" | bc -l)
  printf '%s\t%.3f\t%.3f\n' "$run" "$ready" "$total" >> "$out/totals.tsv"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
column -t "$out/steps.tsv"
column -t "$out/totals.tsv"
