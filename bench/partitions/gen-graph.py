#!/usr/bin/env python3
"""Generate a build-dependency graph shaped like RDO's package database (bench/partitions/README.md).

Usage: gen-graph.py NAMES_FILE GRAPH_JSON TIMES_CSV ACTUAL_CSV [SEED]
NAMES_FILE: one package name a line (the rdoinfo database's, from `cijobs rdoinfo packages`); duplicates dropped.
GRAPH_JSON: written in the shape of `cijobs graph --format json` (nodes, edges).
TIMES_CSV: the estimated build time of each package (name,seconds), drawn from build-times.csv.
ACTUAL_CSV: the "real" time of the simulated run: the estimate times a log-normal noise (sigma 0.3).
"""
import bisect
import csv
import json
import math
import random
import sys

CORE = ["python-pbr", "python-six", "python-requests", "python-oslo-i18n", "python-oslo-config", "python-oslo-utils",
        "python-oslo-log", "python-oslo-serialization", "python-oslo-context", "python-stevedore", "python-debtcollector",
        "python-keystoneauth1", "python-cliff", "python-oslo-concurrency", "python-oslo-messaging", "python-oslo-db"]


def classify(name):
    if name.startswith("puppet-"):
        return "puppet"
    if name.startswith("openstack-"):
        return "service"
    if name.startswith("python-"):
        return "python-lib"
    return "other"


def zipf_pick(rng, items, exponent=1.1):
    """An item by rank with probability proportional to 1 / rank**exponent: a long-tailed in-degree."""
    weights = [1 / (rank + 1) ** exponent for rank in range(len(items))]
    return rng.choices(items, weights=weights, k=1)[0]


def load_distribution(path):
    buckets = {}
    with open(path) as f:
        rows = [line for line in f if not line.startswith("#")]
    for row in csv.DictReader(rows):
        buckets.setdefault(row["class"], []).append((float(row["upper_seconds"]), float(row["share"])))
    return buckets


def draw_time(rng, buckets):
    uppers = [u for u, _ in buckets]
    cumulative, total = [], 0.0
    for _, share in buckets:
        total += share
        cumulative.append(total)
    i = bisect.bisect_left(cumulative, rng.random() * total)
    lower = uppers[i - 1] if i > 0 else 30.0
    return round(rng.uniform(lower, uppers[i]))


def main():
    names_file, graph_file, times_file, actual_file = sys.argv[1:5]
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    rng = random.Random(seed)
    with open(names_file) as f:
        names = sorted({line.split()[0] for line in f if line.strip()})
    present = set(names)
    core = [n for n in CORE if n in present]
    order = names[:]
    rng.shuffle(order)                      # a hidden build order: deps point earlier in it, so the graph is mostly a DAG
    rank = {n: i for i, n in enumerate(order)}
    libs = [n for n in order if classify(n) == "python-lib" and n not in core]
    others = [n for n in order if classify(n) == "other"]
    edges = set()

    def add(a, b):
        if a != b:
            edges.add((a, b))

    for i, name in enumerate(core):         # core libraries: a short chain (pbr first)
        for dep in core[:i][-2:]:
            add(name, dep)
    for name in order:
        kind = classify(name)
        if name in core:
            continue
        if kind == "python-lib":
            for _ in range(rng.randint(1, 4)):
                add(name, zipf_pick(rng, core))
            earlier = [l for l in libs if rank[l] < rank[name]]
            if earlier and rng.random() < 0.35:
                add(name, zipf_pick(rng, earlier))
        elif kind == "service":
            for _ in range(rng.randint(3, 8)):
                add(name, zipf_pick(rng, core + libs))
            client = "python-" + name.split("-")[1] + "client"
            if client in present:
                add(name, client)
        elif kind == "other":
            earlier = [o for o in others if rank[o] < rank[name]]
            if earlier and rng.random() < 0.6:
                for _ in range(rng.randint(1, 2)):
                    add(name, rng.choice(earlier))
        # puppet modules: no build dependency in the graph (they build from the buildroot only)
    lib_edges = sorted((a, b) for a, b in edges if a in libs and b in libs)
    for a, b in rng.sample(lib_edges, min(5, len(lib_edges))):
        add(b, a)                            # a few cycles: a back edge between two dependent python libraries
    graph = {"nodes": [{"name": n, "format": "rpm", "binaries": [n]} for n in names],
             "edges": [{"from": a, "to": b, "via": [b]} for a, b in sorted(edges)],
             "external": [], "cycles": []}
    with open(graph_file, "w") as f:
        json.dump(graph, f)
    distribution = load_distribution(sys.argv[0].rsplit("/", 1)[0] + "/build-times.csv" if "/" in sys.argv[0] else "build-times.csv")
    with open(times_file, "w") as est, open(actual_file, "w") as act:
        est.write("package,seconds\n")
        act.write("package,seconds\n")
        for n in names:
            estimate = draw_time(rng, distribution[classify(n)])
            est.write(f"{n},{estimate}\n")
            act.write(f"{n},{round(estimate * math.exp(rng.gauss(0, 0.3)))}\n")
    print(f"{len(names)} packages, {len(edges)} edges", file=sys.stderr)


if __name__ == "__main__":
    main()
