#!/usr/bin/env bash
# Creates the example's git repositories and its rdoinfo under a work folder (no network):
#   <work>/git/example-greetlib           source, tags v1.1.0 and v1.2.0, branches main and stable/1
#   <work>/git/example-greetlib-distgit   spec on branches rpm-main and tiny-1-rdo
#   <work>/git/example-greeter            source, branch main, no tag (DLRN's fallback version 0.0.1)
#   <work>/git/example-greeter-distgit    spec on branch rpm-main (BuildRequires example-greetlib)
#   <work>/git/example-motd               source, tag v1.0.0 and one commit past it
#   <work>/git/example-motd-distgit       debian/ on branch debian/main (release tiny-deb)
#   <work>/rdoinfo                        examples/rdoinfo with @EXAMPLES_WORK@ replaced by <work>
# Commit dates and identities are fixed, so the commit hashes are the same on every machine.
# Usage: bash examples/setup.sh [WORK]   (default: examples/build). The work folder is recreated.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-$here/build}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
rm -rf "$work/git" "$work/rdoinfo"
mkdir -p "$work/git"

export GIT_AUTHOR_NAME="Example Maintainer" GIT_AUTHOR_EMAIL="maintainer@example.org"
export GIT_COMMITTER_NAME="Example Maintainer" GIT_COMMITTER_EMAIL="maintainer@example.org"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# commit REPO DATE MESSAGE: stage everything and commit at a fixed date.
commit() {
  git -C "$1" add --all
  GIT_AUTHOR_DATE="$2" GIT_COMMITTER_DATE="$2" git -C "$1" commit --quiet -m "$3"
}

new_repo() {
  git init --quiet --initial-branch="$2" "$1"
}

# example-greetlib: 1.1.0 (also the stable/1 branch), 1.2.0, then one untagged commit.
src="$work/git/example-greetlib"
new_repo "$src" main
cp "$here/packages/example-greetlib/source/"* "$src/"
commit "$src" "2026-11-02T09:00:00+00:00" "Initial greet function"
git -C "$src" tag v1.1.0
git -C "$src" branch stable/1
printf '\n# greet_all NAME...: greet each argument.\ngreet_all() {\n    for name in "$@"; do greet "$name"; done\n}\n' >>"$src/greetlib.sh"
commit "$src" "2026-11-09T09:00:00+00:00" "Add greet_all"
git -C "$src" tag v1.2.0
printf '\nSee greetlib.sh for the functions.\n' >>"$src/README.md"
commit "$src" "2026-11-16T09:00:00+00:00" "Point the README at the functions"

dist="$work/git/example-greetlib-distgit"
new_repo "$dist" rpm-main
cp "$here/packages/example-greetlib/distgit/"* "$dist/"
commit "$dist" "2026-11-02T10:00:00+00:00" "Package example-greetlib"
git -C "$dist" branch tiny-1-rdo

# example-greeter: one commit, no tag.
src="$work/git/example-greeter"
new_repo "$src" main
cp "$here/packages/example-greeter/source/"* "$src/"
commit "$src" "2026-11-03T09:00:00+00:00" "Initial greeter command"

dist="$work/git/example-greeter-distgit"
new_repo "$dist" rpm-main
cp "$here/packages/example-greeter/distgit/"* "$dist/"
commit "$dist" "2026-11-03T10:00:00+00:00" "Package example-greeter"

# example-motd (Debian): tagged v1.0.0, then one more commit, so DLRN's rules give 1.0.1.
src="$work/git/example-motd"
new_repo "$src" main
cp "$here/packages/example-motd/source/"* "$src/"
commit "$src" "2026-11-04T09:00:00+00:00" "Initial motd command"
git -C "$src" tag v1.0.0
printf '\nRun it with a name: `example-motd Ada`.\n' >>"$src/README.md"
commit "$src" "2026-11-05T09:00:00+00:00" "Document the name argument"

dist="$work/git/example-motd-distgit"
new_repo "$dist" debian/main
cp -r "$here/packages/example-motd/distgit/debian" "$dist/"
commit "$dist" "2026-11-04T10:00:00+00:00" "Package example-motd for Debian"

# The rdoinfo, pointing at the repositories above.
cp -r "$here/rdoinfo" "$work/rdoinfo"
find "$work/rdoinfo" -name '*.yml' -exec sed -i "s|@EXAMPLES_WORK@|$work|g" {} +

echo "examples: git repositories in $work/git, rdoinfo in $work/rdoinfo" >&2
