#!/usr/bin/env bash
# Fidelity report: sums the <area>.result files that run_probe.sh leaves in OUTDIR (one
# "identical|allowed|failed <area>.<case>" line per observation) and prints, per area and in
# total, observations compared, identical, allowed differences and failures, then
# "FIGURE fidelity_identical_fraction <identical/compared>".
# Run by CTest after the probes (test fidelity:report); by hand: report.sh build/gcc/tests/fidelity/results
# With ALLOWLIST (allowed_differences.txt), each allowed difference is listed with its reason.
# usage: report.sh OUTDIR [ALLOWLIST]
set -u
out=${1:?usage: report.sh OUTDIR [ALLOWLIST]}
allow=${2:-}
shopt -s nullglob
files=("$out"/*.result)
if [ ${#files[@]} -eq 0 ]; then echo "SKIPPED: no fidelity results in $out (probes skipped or not run)"; exit 0; fi
awk -v allowfile="$allow" '
  BEGIN {
    if (allowfile != "")
      while ((getline l < allowfile) > 0) {
        if (l ~ /^[ \t]*(#|$)/) continue
        split(l, f, /[ \t]+/); reason[f[1]] = substr(l, length(f[1]) + 2)
      }
  }
  $1 == "allowed" { k = $2; sub(/#[0-9]+$/, "", k); allowed_list[++nal] = $2 "  -- " ((k in reason) ? reason[k] : "(listed)") }
  $1 == "failed" { failed_list[++nfl] = $2 }
  { area = FILENAME; sub(/.*\//, "", area); sub(/\.result$/, "", area)
    if (!(area in seen)) { seen[area] = 1; areas[++na] = area }
    n[area, $1]++; t[$1]++ }
  END {
    printf "%-16s %9s %9s %9s %9s\n", "area", "compared", "identical", "allowed", "failed"
    for (i = 1; i <= na; i++) {
      a = areas[i]
      printf "%-16s %9d %9d %9d %9d\n", a, n[a, "identical"] + n[a, "allowed"] + n[a, "failed"], n[a, "identical"], n[a, "allowed"], n[a, "failed"]
    }
    c = t["identical"] + t["allowed"] + t["failed"]
    printf "%-16s %9d %9d %9d %9d\n", "total", c, t["identical"], t["allowed"], t["failed"]
    printf "observations compared: %d\nidentical: %d\nallowed differences: %d\nfailures: %d\n", c, t["identical"], t["allowed"], t["failed"]
    if (nal > 0) { print "allowed differences (tests/fidelity/allowed_differences.txt):"; for (i = 1; i <= nal; i++) print "  " allowed_list[i] }
    if (nfl > 0) { print "failures:"; for (i = 1; i <= nfl; i++) print "  " failed_list[i] }
    printf "FIGURE fidelity_identical_fraction %.4f\n", (c > 0 ? t["identical"] / c : 0)
  }' "${files[@]}"
