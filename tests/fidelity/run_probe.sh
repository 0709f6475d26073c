#!/usr/bin/env bash
# Runs one fidelity probe on xenhv and on the real Xen 4.17 (run-on-xen, PVH dom0 under QEMU),
# extracts the canonical lines ("<area>.<case>: ..." and "<area>: done"), and compares them
# observation by observation. Differences listed in the allow-list (one "<area>.<case> reason"
# per line) are allowed; any other difference, an observation present on one side only, or a
# missing "done" line fails.
# Writes into OUTDIR: <area>.xenhv.out, <area>.xen.log (raw output of each side),
# <area>.xenhv.lines, <area>.xen.lines (canonical lines) and <area>.result (one
# "identical|allowed|failed <area>.<case>" line per observation), read by report.sh.
# usage: run_probe.sh XENHV PROBE_ELF AREA OUTDIR ALLOWLIST [RUN_ON_XEN]
set -u
xenhv=$1 elf=$2 area=$3 out=$4 allow=$5 oracle=${6:-${XEN_ORACLE:-/work/shared/xen-oracle/run-on-xen}}
mkdir -p "$out"
rm -f "$out/$area".*
if [ ! -x "$oracle" ]; then echo "SKIPPED: no Xen oracle at $oracle"; exit 0; fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then echo "SKIPPED: /dev/kvm is not available"; exit 0; fi

# Both sides at once: the Xen side (QEMU TCG) is the slow one. run-on-xen installs its packages
# and unpacks Xen into its cache on first use: until that cache exists, oracle runs take turns
# (CTest runs probes in parallel).
cache=${XEN_ORACLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xen-oracle}
first=""
[ -s "$cache/xen.elf" ] || first="flock $out/.oracle-first-use.lock"
$first "$oracle" --pvh --timeout 300 --log "$out/$area.xen.log" "$elf" > /dev/null 2>&1 &
xpid=$!
"$xenhv" run "$elf" > "$out/$area.xenhv.out" 2> "$out/$area.xenhv.err"
hrc=$?
wait "$xpid"
xrc=$?
if [ "$xrc" -eq 2 ]; then echo "SKIPPED: the Xen oracle could not start (status 2)"; exit 0; fi

# Canonical lines of this area, in order, carriage returns dropped.
extract() { tr -d '\r' < "$1" | grep -a -E "^${area//./\\.}(\\.[A-Za-z0-9_.-]+)?: " ; }
extract "$out/$area.xenhv.out" > "$out/$area.xenhv.lines"
extract "$out/$area.xen.log" > "$out/$area.xen.lines"

status=0
[ "$hrc" -eq 0 ] || { echo "xenhv exited with status $hrc"; tail -5 "$out/$area.xenhv.err"; status=1; }
[ "$xrc" -eq 0 ] || { echo "run-on-xen exited with status $xrc"; grep -a -E 'Panic|crash|(XEN).*d0v0' "$out/$area.xen.log" | tail -10; status=1; }

awk -v area="$area" -v allowfile="$allow" -v res="$out/$area.result" '
  BEGIN {
    while ((getline l < allowfile) > 0) {
      if (l ~ /^[ \t]*(#|$)/) continue
      split(l, f, /[ \t]+/); allowed[f[1]] = substr(l, length(f[1]) + 2)
    }
  }
  {
    # key = the text before the first ": "; a repeated key is numbered #2, #3, ...
    side = FILENAME == ARGV[1] ? 1 : 2
    k = substr($0, 1, index($0, ": ") - 1); n = ++seen[side, k]; if (n > 1) k = k "#" n
    if (side == 1) h[k] = $0; else x[k] = $0
    if (!(k in order)) { order[k] = ++nk; keys[nk] = k }
  }
  END {
    printf "" > res
    for (i = 1; i <= nk; i++) {
      k = keys[i]
      if (k == area) continue
      if ((k in h) && (k in x) && h[k] == x[k]) { print "identical " k > res; ni++; continue }
      base = k; sub(/#[0-9]+$/, "", base)
      if (base in allowed) {
        print "allowed " k > res; na++
        printf "allowed %s: %s\n    xen:   %s\n    xenhv: %s\n", k, allowed[base], (k in x) ? x[k] : "(missing)", (k in h) ? h[k] : "(missing)"
        continue
      }
      print "failed " k > res; nf++
      printf "DIFF %s\n    xen:   %s\n    xenhv: %s\n", k, (k in x) ? x[k] : "(missing)", (k in h) ? h[k] : "(missing)"
    }
    bad = 0
    if (!(area in h)) { print "FAIL: no \"" area ": done\" line from xenhv"; bad = 1 }
    if (!(area in x)) { print "FAIL: no \"" area ": done\" line from Xen 4.17"; bad = 1 }
    if (bad) print "failed " area ":done" > res
    printf "%s: %d observations compared, %d identical, %d allowed, %d failed%s\n", area, ni + na + nf, ni, na, nf, bad ? ", probe did not finish" : ""
    exit (nf + bad) > 0
  }' "$out/$area.xenhv.lines" "$out/$area.xen.lines" || status=1
exit $status
