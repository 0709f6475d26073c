#!/usr/bin/env bash
# Replays chapter 12's hobby-kernel port from an empty directory: the files are taken from the
# chapter itself (the blocks marked <!-- ... file: NAME -->), the commands below are the ones the
# chapter shows (check_guide.py checks that each of them appears here), and the kernel must boot
# on xenhv and power off cleanly.
# usage: hobby_port.sh REPO_ROOT XENHV WORK
set -euo pipefail
XENABI=$(cd "$1" && pwd)
xenhv_bin=$2
work=$3
chapter="$XENABI/porting-guide/12-case-studies.md"
if [ ! -e /dev/kvm ]; then
  echo "SKIPPED: /dev/kvm is absent (the port is compiled, not booted)"
  booting=no
else
  booting=yes
fi
xenhv() { "$xenhv_bin" "$@"; }
# Chapter 11 shows some of these commands with their output: every output line it shows under
# "$ COMMAND" must be printed, in that order ("…" stands for any text within a line).
expect_output() {  # COMMAND OUTPUT
  python3 - "$XENABI/porting-guide/11-debugging.md" "$1" "$2" <<'PY'
import re, sys
md, cmd, out = sys.argv[1], sys.argv[2], sys.argv[3].split("\n")
lines = open(md).read().split("\n")
if "$ " + cmd not in lines:
    sys.exit(f"FAIL: chapter 11 does not show `$ {cmd}`")
i, at = lines.index("$ " + cmd) + 1, 0
while not lines[i].startswith("```"):
    want = lines[i].rstrip()
    i += 1
    if not want:
        continue
    pattern = ".*?".join(re.escape(part) for part in want.split("…"))
    k = next((k for k in range(at, len(out)) if re.fullmatch(pattern, out[k].rstrip())), None)
    if k is None:
        sys.exit(f"FAIL: chapter 11 shows a line that `{cmd}` does not print:\n  {want}")
    at = k + 1
PY
}
rm -rf "$work" && mkdir -p "$work" && cd "$work"

mkdir tiny && cd tiny
# The three files, verbatim from the chapter.
for f in entry.S tiny.ld kernel.c; do
  awk -v name="$f" '
    $0 ~ "<!--.*file: " name " -->" { want = 1; next }
    want && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$chapter" > "$f"
  [ -s "$f" ] || { echo "FAIL: $f not found in $chapter"; exit 1; }
done
gcc -m32 -std=c11 -ffreestanding -fno-pic -fno-stack-protector -mgeneral-regs-only -O2 -Wall -Wextra -Wpedantic -Werror -I"$XENABI/include" -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T tiny.ld entry.S kernel.c -o tiny.elf
readelf -n tiny.elf
if [ "$booting" = no ]; then exit 0; fi
out=$(xenhv run tiny.elf --cmdline "console=xen" --trace 2>&1)
echo "$out"
for line in "tiny: hello from a C kernel" "tiny: xen_version answered" "text=\"console=xen\"" \
            "sched_op(cmd=SCHEDOP_shutdown, reason=SHUTDOWN_poweroff) = 0"; do
  grep -qF "$line" <<<"$out" || { echo "FAIL: the boot did not print: $line"; exit 1; }
done
# Chapter 11's commands on the same kernel: the help text, a release-build console.
xenhv --help | grep -q "usage: xenhv run KERNEL" || { echo "FAIL: xenhv --help"; exit 1; }
expect_output "xenhv --help" "$(xenhv --help)"
rel=$(xenhv run tiny.elf --release-console --trace 2>&1)
echo "$rel"
grep -q "console_io(cmd=CONSOLEIO_write, .*) = -1 EPERM" <<<"$rel" ||
  { echo "FAIL: --release-console did not refuse console_io"; exit 1; }
expect_output "xenhv run tiny.elf --release-console --trace" "$rel"
echo "hobby port: built from the chapter and booted on xenhv"
