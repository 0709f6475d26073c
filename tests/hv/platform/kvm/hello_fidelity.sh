#!/usr/bin/env bash
# Fidelity: boots examples/hello on xenhv and on the real Xen 4.17 (../shared/xen-oracle/run-on-xen,
# PVH dom0 under QEMU) and compares the "hello:" lines after normalising the values that
# legitimately differ: numbers (times, dates, addresses), the version's extra string
# (".0-xenhv" vs Xen's ".7"), and the hvm_start_info line (dom0 gets a version-0 start info
# without a memory map there; xenhv gives a domU-style version-1 one).
# usage: hello_fidelity.sh XENHV HELLO_ELF [RUN_ON_XEN]
set -u
xenhv=$1 hello=$2 oracle=${3:-/work/shared/xen-oracle/run-on-xen}
if [ ! -x "$oracle" ]; then echo "SKIPPED: no Xen oracle at $oracle"; exit 0; fi
if [ ! -r /dev/kvm ]; then echo "SKIPPED: /dev/kvm is not available"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$xenhv" run "$hello" > "$tmp/xenhv.out" 2> "$tmp/xenhv.err" || { echo "xenhv failed"; cat "$tmp/xenhv.err"; exit 1; }
"$oracle" --pvh --timeout 600 --log "$tmp/xen.log" "$hello" > /dev/null 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  if [ $rc -eq 2 ]; then echo "SKIPPED: the Xen oracle could not start (status 2)"; exit 0; fi
  echo "real Xen run failed with status $rc"; tail -20 "$tmp/xen.log"; exit 1
fi
normalise() {
  tr -d '\r' | grep -a '^hello: ' | awk '!seen[$0]++' |
    sed -E -e 's/^hello: Xen ([0-9]+)\.([0-9]+).*/hello: Xen \1.\2/' \
           -e 's/^hello: hvm_start_info.*/hello: hvm_start_info (dom0 vs domU: differs)/' \
           -e 's/[0-9]+/#/g'
}
normalise < "$tmp/xenhv.out" > "$tmp/a"
normalise < "$tmp/xen.log" > "$tmp/b"
echo "--- xenhv (normalised)"; cat "$tmp/a"
echo "--- Xen 4.17 (normalised)"; cat "$tmp/b"
if diff -u "$tmp/b" "$tmp/a"; then echo "hello: same lines on xenhv and on Xen 4.17"; exit 0; fi
echo "hello differs between xenhv and Xen 4.17"; exit 1
