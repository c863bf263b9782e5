#!/usr/bin/env python3
"""Simulated mass rebuild (bench/partitions/README.md): a plan made from estimated build times, run with the "actual" ones.

Usage: simulate.py GRAPH_JSON PLAN_JSON ACTUAL_CSV ACTUAL_LOWER_BOUND
PLAN_JSON: `cijobs plan --partitions N --format json` made with the estimates. Prints, in seconds and as ratios to
ACTUAL_LOWER_BOUND (max(total/N, critical path) with the actual times, from cijobs plan): the plan's makespan (waves
one after the other, each as long as its longest partition), the split by name's makespan as if every partition could
run at once, and how many packages the split by name starts before one of their dependencies is built.
"""
import csv
import json
import sys

graph_file, plan_file, actual_file, lower_bound = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
graph = json.load(open(graph_file))
plan = json.load(open(plan_file))
with open(actual_file) as f:
    actual = {row["package"]: float(row["seconds"]) for row in csv.DictReader(f)}
n = plan["partitions"]

ours = sum(max(sum(actual[p] for p in part["packages"]) for part in wave["partitions"]) for wave in plan["waves"])

names = sorted(node["name"] for node in graph["nodes"])
finish, loads = {}, [0.0] * n
start = {}
for i, name in enumerate(names):
    k = i % n
    start[name] = loads[k]
    loads[k] += actual[name]
    finish[name] = loads[k]
by_name = max(loads)
stale = sum(1 for name in names
            if any(finish[e["to"]] > start[name] for e in graph["edges"] if e["from"] == name))

print(f"N={n}: plan {ours:.0f} s ({ours / lower_bound:.3f} x the bound), "
      f"split by name {by_name:.0f} s ({by_name / lower_bound:.3f} x, optimistic), "
      f"{stale} of {len(names)} packages built by name before a dependency")
