#!/bin/sh
# examples/blk on xenhv: boots blk.elf with a fresh 24 MiB image and checks that the pattern was
# verified after a barrier, that both throughput runs completed, and that the image holds the
# pattern the guest wrote (seen by the host).
# usage: blk_test.sh XENHV BLK_ELF
set -eu
xenhv=$1 elf=$2
if [ ! -c /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "SKIPPED: /dev/kvm is not available"
  exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
truncate -s 24M "$dir/disk.img"
"$xenhv" run "$elf" --cmdline "mib=8" --disk "$dir/disk.img" > "$dir/out.txt" 2>&1 || {
  cat "$dir/out.txt"; echo "FAIL: xenhv exited with $?"; exit 1; }
cat "$dir/out.txt"
grep -q "blk: connected to backend domain" "$dir/out.txt"
grep -q "blk: pattern written, barrier, read back: verified" "$dir/out.txt"
grep -q "blk: seq write 8 MiB" "$dir/out.txt"
grep -q "blk: seq read 8 MiB" "$dir/out.txt"
grep -q "blk: done" "$dir/out.txt"
# The first 8 bytes of the image are the guest's pattern word 1 (little endian).
first=$(od -An -tx8 -N8 "$dir/disk.img" | tr -d ' ')
[ "$first" = "9e3779b97f4a7c15" ] || { echo "FAIL: image starts with $first"; exit 1; }
echo "PASS"
