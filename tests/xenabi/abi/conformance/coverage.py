#!/usr/bin/env python3
"""Constant coverage of the xenabi/abi conformance test.

Every macro that Xen's public headers (those conformance.cpp includes, guest view, interface
0x00040e00) define for this width must be either compared by the conformance program (its
--list-constants output) or listed, with a reason, in left_out.txt. Also reports the counts.

usage: coverage.py CXX FLAGS PROGRAM SOURCE LEFT_OUT
"""
import fnmatch
import re
import subprocess
import sys


def main():
    cxx, flags, program, source, left_out = sys.argv[1:6]
    includes = [l for l in open(source) if re.match(r"#include <xen/", l)]
    tu = "#define __XEN_INTERFACE_VERSION__ 0x00040e00\n#include <stdint.h>\n" + "".join(includes)
    out = subprocess.run([cxx, "-std=c++20", *flags.split(), "-dD", "-E", "-x", "c++", "-"],
                         input=tu, capture_output=True, text=True, check=True).stdout
    xen_macros, xen_structs, xen_text, current = set(), set(), [], ""
    for line in out.splitlines():
        m = re.match(r'# \d+ "([^"]+)"', line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"#define (\w+)", line)
        if m and "/xen/" in current:
            xen_macros.add(m.group(1))
        if "/xen/" in current and not line.startswith("#"):
            xen_text.append(line)
    text = "\n".join(xen_text)
    for t in re.finditer(r"\b(?:struct|union)\s+(\w+)\s*\{", text):
        xen_structs.add(t.group(1))
    for t in re.finditer(r"^\s*\}\s*(\w+_t)\s*;", text, re.M):  # typedef struct {...} name_t;
        xen_structs.add(t.group(1))
    checked = set(subprocess.run([program, "--list-constants"], capture_output=True, text=True,
                                 check=True).stdout.split())
    checked_structs = set(subprocess.run([program, "--list-structs"], capture_output=True,
                                         text=True, check=True).stdout.split())
    patterns = []
    for line in open(left_out):
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            patterns.append(line)
    macro_patterns = [p for p in patterns if not p.startswith("struct:")]
    uncovered = sorted(n for n in xen_macros - checked
                       if not any(fnmatch.fnmatchcase(n, p) for p in macro_patterns))
    not_xen = sorted(checked - xen_macros)
    left = sorted(n for n in xen_macros - checked)
    print(f"{len(xen_macros)} macros in Xen's headers ({flags}): {len(xen_macros & checked)} "
          f"compared by value, {len(left)} listed in left_out.txt, {len(uncovered)} unaccounted")
    if uncovered:
        print("neither compared nor listed in left_out.txt:\n  " + "\n  ".join(uncovered))
    struct_patterns = [p[len("struct:"):] for p in patterns if p.startswith("struct:")]
    structs_left = sorted(xen_structs - checked_structs)
    structs_uncovered = [n for n in structs_left
                         if not any(fnmatch.fnmatchcase(n, p) for p in struct_patterns)]
    print(f"{len(xen_structs)} structures/unions in Xen's headers: "
          f"{len(xen_structs & checked_structs)} compared, {len(structs_left) - len(structs_uncovered)} "
          f"listed in left_out.txt, {len(structs_uncovered)} unaccounted")
    if structs_uncovered:
        print("structures neither compared nor listed:\n  " + "\n  ".join(structs_uncovered))
    if not_xen:  # they compiled, so Xen declares them: enumerators of Xen's C enums
        print(f"also compared: {len(not_xen)} enumerators of Xen's C enums ({', '.join(not_xen)})")
    return 1 if uncovered or structs_uncovered else 0


if __name__ == "__main__":
    sys.exit(main())
