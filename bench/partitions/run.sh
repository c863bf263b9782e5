#!/usr/bin/env bash
# Partitioned mass-rebuild benchmark (bench/partitions/README.md): a graph shaped like RDO's database, planned with
# cijobs plan --partitions 8 and 32 (timed; targets under 1 s, makespan within 5% of the lower bound), then a simulated
# run with "actual" build times, side by side with the split by name.
# Usage: bash bench/partitions/run.sh [WORK_DIR] [SEED]   Needs the Release build (dotnet build CiJobs.sln -c Release).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dll="$root/tools/CiJobs.Cli/bin/Release/net10.0/cijobs.dll"
if [ -n "${CIJOBS_BENCH_CLI:-}" ]; then cijobs=("$CIJOBS_BENCH_CLI"); else
  [ -f "$dll" ] || { echo "bench: $dll is missing; build the Release configuration first" >&2; exit 3; }
  cijobs=(dotnet "$dll"); fi
work="${1:-$(mktemp -d /tmp/cijobs-bench-partitions.XXXXXX)}"
seed="${2:-1}"
mkdir -p "$work"
[ -n "${1:-}" ] || trap 'rm -rf "$work"' EXIT

"${cijobs[@]}" rdoinfo packages --rdoinfo "$root/tests/data/rdoinfo" 2>/dev/null | awk '{print $1}' > "$work/names.txt"
python3 "$here/gen-graph.py" "$work/names.txt" "$work/graph.json" "$work/estimated.csv" "$work/actual.csv" "$seed"
for n in 8 32; do
  start=$EPOCHREALTIME
  "${cijobs[@]}" plan --partitions "$n" --graph "$work/graph.json" --build-times "$work/estimated.csv" --format json > "$work/plan-$n.json"
  elapsed=$(echo "$EPOCHREALTIME - $start" | bc -l)
  python3 - "$work/plan-$n.json" "$elapsed" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
print(f"N={p['partitions']}: planned in {float(sys.argv[2]):.2f} s; {p['packages']} packages, {p['components']} parts "
      f"(largest {p['largest_component']}), {len(p['waves'])} waves; makespan {p['makespan_seconds']:.0f} s = "
      f"{p['ratio_to_lower_bound']:.3f} x the lower bound {p['lower_bound_seconds']:.0f} s "
      f"(critical path {p['critical_path_seconds']:.0f} s); split by name {p['by_name']['ratio_to_lower_bound']:.3f} x, "
      f"{p['by_name']['broken_edges']} dependencies across its partitions")
PY
  bound=$("${cijobs[@]}" plan --partitions "$n" --graph "$work/graph.json" --build-times "$work/actual.csv" --format json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["lower_bound_seconds"])')
  python3 "$here/simulate.py" "$work/graph.json" "$work/plan-$n.json" "$work/actual.csv" "$bound"
done
