#!/usr/bin/env python3
"""Generates the benchmark repositories with git fast-import (seconds, not minutes).

upstream: UPSTREAM commits over FILES files, tagged v1.0
source-git (src): upstream + "Initialize as a source-git repository" (.distro/, From-dist-git-commit)
                  + DOWNSTREAM commits; every 10th has Patch-name, every 25th Ignore-patch,
                  every 40th touches only .distro
dist-git (dist): spec, sources, .gitignore, tests/
Usage: generate.py DIR [UPSTREAM] [DOWNSTREAM]
"""
import os
import subprocess
import sys

root = sys.argv[1]
upstream = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
downstream = int(sys.argv[3]) if len(sys.argv) > 3 else 200
files = 500

SPEC = """Name:           bench
Version:        1.0
Release:        1%{?dist}
Summary:        Benchmark package
License:        MIT
Source0:        bench-1.0.tar.gz

%description
Benchmark.

%prep
%autosetup -p1

%changelog
* Mon Nov 23 2026 Bench <bench@example.org> - 1.0-1
- First
"""

CONFIG = """upstream_ref: v1.0
downstream_package_name: bench
specfile_path: .distro/bench.spec
patch_generation_ignore_paths:
- .distro
files_to_sync:
- src: .distro/
  dest: .
  delete: true
  filters:
  - protect .git*
  - protect sources
  - exclude source-git.yaml
  - exclude .gitignore
"""

env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1")


def git(directory, *args, stdin=None):
    return subprocess.run(["git", *args], cwd=directory, input=stdin, check=True,
                          capture_output=True, env=env).stdout.decode().strip()


def data(text):
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


def commit(out, mark, when, message, changes, ref="refs/heads/c9s"):
    out.append(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
    out.append(b"author Bench Author <author@example.org> %d +0000\n" % when)
    out.append(b"committer Bench Committer <committer@example.org> %d +0000\n" % when)
    out.append(data(message))
    for path, content in changes:
        out.append(b"M 100644 inline %s\n" % path.encode())
        out.append(data(content))
    out.append(b"\n")


def file_content(index, revision):
    lines = [f"/* file {index} */"] + [f"int value_{index}_{n} = {revision if n == revision % 40 else n};" for n in range(40)]
    return "\n".join(lines) + "\n"


os.makedirs(root, exist_ok=True)
dist = os.path.join(root, "dist")
src = os.path.join(root, "src")
for directory in (dist, src):
    subprocess.run(["git", "init", "-q", "--initial-branch=c9s", directory], check=True, env=env)

# dist-git
stream = []
commit(stream, 1, 1_700_000_000, "Initial import of bench 1.0\n", [
    ("bench.spec", SPEC), ("sources", "SHA512 (bench-1.0.tar.gz) = 1234\n"),
    (".gitignore", "/bench-1.0.tar.gz\n"), ("tests/tests.yml", "- hosts: localhost\n")])
git(dist, "fast-import", "--quiet", stdin=b"".join(stream))
git(dist, "reset", "-q", "--hard")
dist_initial = git(dist, "rev-parse", "HEAD")

# source-git: upstream history, tag, init commit, downstream commits
stream = []
mark = 0
when = 1_600_000_000
revision = {}
for n in range(upstream):
    mark += 1
    when += 60
    index = n % files
    revision[index] = revision.get(index, 0) + 1
    changes = [(f"src/file{index:03}.c", file_content(index, revision[index]))]
    commit(stream, mark, when, f"Upstream change {n}\n\nDetails of upstream change {n}.\n", changes)
stream.append(b"tag v1.0\nfrom :%d\ntagger Bench <bench@example.org> %d +0000\n" % (mark, when))
stream.append(data("v1.0"))
mark += 1
when += 60
commit(stream, mark, when, f"Initialize as a source-git repository\n\nFrom-dist-git-commit: {dist_initial}\n", [
    (".distro/bench.spec", SPEC), (".distro/source-git.yaml", CONFIG),
    (".distro/.gitignore", "# Reset gitignore rules\n!*\n"), (".distro/tests/tests.yml", "- hosts: localhost\n")])
for n in range(downstream):
    mark += 1
    when += 60
    index = (n * 7) % files
    trailers = []
    if n % 10 == 0:
        trailers.append(f"Patch-name: downstream-{n:03}.patch")
    if n % 25 == 5:
        trailers.append("Ignore-patch: true")
    message = f"Downstream fix {n}\n\nWhy fix {n} is needed.\n"
    if trailers:
        message += "\n" + "\n".join(trailers) + "\n"
    if n % 40 == 39:
        changes = [(".distro/tests/tests.yml", f"- hosts: localhost\n# {n}\n")]
    else:
        revision[index] = revision.get(index, 0) + 1
        changes = [(f"src/file{index:03}.c", file_content(index, revision[index] + 1000))]
    commit(stream, mark, when, message, changes)
git(src, "fast-import", "--quiet", stdin=b"".join(stream))
git(src, "reset", "-q", "--hard")
print(dist_initial)
