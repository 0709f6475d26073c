#!/usr/bin/env python3
"""The xenhv output quoted in porting-guide/*.md is what xenhv prints today.

A fenced block preceded by
    <!-- trace: KERNEL [exit=N] [xenhv options...] -->
quotes lines that `xenhv run KERNEL.elf [options] --trace` writes on stderr (trace lines,
refusal reasons, crash reports, load errors; options may choose `--trace=json` instead). KERNEL is a CMake target (a PVH test kernel such as
guide_pitfalls, probe, kvm_test_hello; CMake passes its path); the boot must end with exit
status N (default 0). Every non-blank line of the block must occur in that output, in the
block's order (other lines may come between); `…` in a block line stands for any text within
the line (values that change from run to run: deadlines, addresses). Each distinct
(KERNEL, options) is booted once however many blocks quote it. Without /dev/kvm the test reports
SKIPPED.
usage: check_trace.py GUIDE_DIR XENHV NAME=PATH...
"""
import glob, os, re, shlex, subprocess, sys

guide, xenhv = sys.argv[1:3]
kernels = dict(a.split("=", 1) for a in sys.argv[3:])
MARK = re.compile(r"\s*<!--\s*trace:\s*(.*?)\s*-->\s*$")


def blocks():
    """(where, kernel, expected exit status, options, lines) for every marked block."""
    for md in sorted(glob.glob(os.path.join(guide, "*.md"))):
        lines = open(md).read().split("\n")
        for i, line in enumerate(lines):
            m = MARK.match(line)
            if not m:
                continue
            where = f"{os.path.basename(md)}:{i + 1}"
            words = shlex.split(m.group(1))
            status = 0
            if len(words) > 1 and words[1].startswith("exit="):
                status = int(words.pop(1)[5:])
            if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
                yield where, None, 0, [], []
                continue
            j = i + 2
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            body = [l.rstrip() for l in lines[i + 2:j] if l.strip()]
            yield where, words[0] if words else None, status, words[1:], body


def matches(want, got):
    pattern = ".*?".join(re.escape(part) for part in want.split("…"))
    return re.fullmatch(pattern, got) is not None


if not os.access("/dev/kvm", os.R_OK | os.W_OK):
    print("SKIPPED: /dev/kvm is not available")
    sys.exit(0)

boots, fail, count = {}, 0, 0
for where, kernel, status, options, body in blocks():
    count += 1
    if kernel is None:
        fail += 1
        print(f"FAIL {where}: a trace marker wants a KERNEL and a fenced block right after it")
        continue
    if not kernels.get(kernel):
        fail += 1
        print(f"FAIL {where}: no kernel target `{kernel}` (tests/porting_guide/CMakeLists.txt)")
        continue
    key = (kernel, tuple(options))
    if key not in boots:
        tracing = any(o.startswith("--trace") for o in options)
        cmd = [xenhv, "run", kernels[kernel]] + options + ([] if tracing else ["--trace"])
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        boots[key] = (r.returncode, r.stderr.split("\n"), " ".join(cmd))
        if r.returncode == 4:
            print(f"SKIPPED: KVM failing: {r.stderr.strip()}")
            sys.exit(0)
    rc, out, cmd = boots[key]
    if rc != status:
        fail += 1
        print(f"FAIL {where}: `{cmd}` exited {rc}, the guide says {status}\n" + "\n".join(out[-30:]))
    at = 0
    for want in body:
        k = next((k for k in range(at, len(out)) if matches(want, out[k].rstrip())), None)
        if k is None:
            fail += 1
            seen = any(matches(want, o.rstrip()) for o in out)
            print(f"FAIL {where}: `{cmd}` does not print{' (in this order)' if seen else ''}:\n  {want}")
            continue
        at = k + 1

# Pitfall tables quote lines too: in a column headed "what `xenhv --trace` prints", every `code`
# span with an "=" (a call and its result) must be part of a line of one of the boots above
# ("..." or "…" for any text; "\|" is a table's escaped "|").
every = [l.rstrip() for _, lines, _ in boots.values() for l in lines]
checked = 0
for md in sorted(glob.glob(os.path.join(guide, "*.md"))):
    column = None
    for i, line in enumerate(open(md).read().split("\n")):
        if not line.startswith("|"):
            column = None
            continue
        cells_text = line.replace("\\|", "\x00").strip().strip("|").split("|")
        cols = [c.strip().replace("\x00", "|") for c in cells_text]
        if column is None:
            column = next((k for k, c in enumerate(cols) if "xenhv --trace` prints" in c), -1)
            continue
        if column < 0 or column >= len(cols):
            continue
        for span in re.findall(r"`([^`]*=[^`]*)`", cols[column]):
            checked += 1
            pattern = ".*?".join(re.escape(p) for p in re.split(r"\.\.\.|…", span))
            if not any(re.search(pattern, o) for o in every):
                fail += 1
                print(f"FAIL {os.path.basename(md)}:{i + 1}: no boot prints `{span}`")

print(f"porting guide: {count} quoted xenhv outputs and {checked} table cells checked against "
      f"{len(boots)} boots, {fail} failures")
sys.exit(1 if fail or count == 0 else 0)
