#!/usr/bin/env bash
# A/B of two cijobs executables on one repository (bench/mirror/README.md): each round changes one package (1.0 <-> 1.1)
# and times the sync of OLD and of NEW (alternating which goes first) and plain rsync -a --delete of the same change, at
# the same load. Usage: bash bench/mirror/ab.sh WORK_DIR OLD NEW [ROUNDS]   WORK_DIR/src is generated when missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work=$1; old=$2; new=$3; rounds=${4:-3}
[ -d "$work/src" ] || python3 "$here/gen-repo.py" "$work/src" 10000 50 500
"$old" mirror sync "$work/src" "$work/pub-old/repo" >/dev/null 2>&1
"$new" mirror sync "$work/src" "$work/pub-new/repo" >/dev/null 2>&1
rsync -a --delete "$work/src/" "$work/plain/"
seconds() { local start=$EPOCHREALTIME; "$@" >/dev/null 2>&1; echo "$EPOCHREALTIME - $start" | bc -l; }
changed=0
[ -e "$work/src/Packages/bench-00001-1.1-1.noarch.rpm" ] && changed=1
for r in $(seq 1 "$rounds"); do
  if [ "$changed" = 1 ]; then
    changed=0; rm -f "$work/src/Packages/bench-00001-1.1-1.noarch.rpm"; python3 "$here/gen-repo.py" "$work/src" 10000 50 500
  else
    changed=1; python3 "$here/gen-repo.py" "$work/src" 10000 50 500 1
  fi
  sync; sleep 1
  if [ $((r % 2)) = 1 ]; then
    t_new=$(seconds "$new" mirror sync "$work/src" "$work/pub-new/repo"); t_old=$(seconds "$old" mirror sync "$work/src" "$work/pub-old/repo")
  else
    t_old=$(seconds "$old" mirror sync "$work/src" "$work/pub-old/repo"); t_new=$(seconds "$new" mirror sync "$work/src" "$work/pub-new/repo")
  fi
  t_rsync=$(seconds rsync -a --delete "$work/src/" "$work/plain/")
  printf 'round %d: new %.3f s, old %.3f s, rsync %.3f s; new/rsync %.2f, old/rsync %.2f, new/old %.2f; load %s\n' "$r" "$t_new" "$t_old" "$t_rsync" \
    "$(echo "$t_new / $t_rsync" | bc -l)" "$(echo "$t_old / $t_rsync" | bc -l)" "$(echo "$t_new / $t_old" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
