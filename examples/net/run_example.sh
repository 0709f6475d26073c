#!/usr/bin/env bash
# KVM integration test of examples/net (CTest example_net): boots the two guests with the one
# xenhv command line that porting-guide/09-split-drivers.md shows, from a scratch directory with
# xenhv on PATH, and checks ARP, ICMP echo and the bulk transfer end to end.
# Usage: run_example.sh XENHV NET_ELF
set -euo pipefail
xenhv_bin=$(realpath "$1")
net_elf=$(realpath "$2")
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "SKIPPED: /dev/kvm is not usable here"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
ln -s "$xenhv_bin" "$work/bin/xenhv"
cp "$net_elf" "$work/net.elf"
cd "$work"
export PATH="$work/bin:$PATH"
status=0
xenhv run net.elf --cmdline "send 200" --net --domain net.elf --cmdline echo --net >out.txt 2>&1 || status=$?
cat out.txt
[ "$status" -eq 0 ] || { echo "FAIL: xenhv exited with $status"; exit 1; }
expect() {
  grep -qE "$1" out.txt || { echo "FAIL: no line matching: $1"; exit 1; }
}
expect "net: d0 vif/0 connected to backend d[0-9]+, mac 00:16:3e:00:00:01, ip 10.0.0.1"
expect "net: d1 vif/0 connected to backend d[0-9]+, mac 00:16:3e:00:00:02, ip 10.0.0.2"
expect "net: arp: 10.0.0.2 is at 00:16:3e:00:00:02"
expect "net: 40 bytes from 10.0.0.2: icmp_seq=4 time="
expect "net: echo received 200 frames \(12288000 bytes\), 0 lost, 0 corrupt, sender counted 200"
expect "net: sent 200 frames of 61440 bytes \(15 slots each, 12288000 bytes\)"
expect "NETSTAT bytes 12288000 ns [0-9]+ running_ns [0-9]+ received 200"
echo "PASS: examples/net"
