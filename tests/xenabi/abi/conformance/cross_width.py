#!/usr/bin/env python3
"""Both widths in one compilation: every width-dependent structure (abi::x86_64::T and
abi::x86_32::T) must have the same size, alignment and field offsets whether it is compiled for
x86_64 or for i386. The i386 compilation is the one the conformance test compares with Xen's
i386 headers; a 64-bit hypervisor reading a 32-bit guest's memory uses the x86_64 compilation of
abi::x86_32::T, and the other way round.

usage: cross_width.py PROGRAM_X86_64 PROGRAM_I386
"""
import subprocess
import sys


def layouts(program):
    out = subprocess.run([program, "--list-layouts"], capture_output=True, text=True, check=True)
    return {line.split()[0]: line for line in out.stdout.splitlines()}


def main():
    a, b = layouts(sys.argv[1]), layouts(sys.argv[2])
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    print(f"{len(a)} width-dependent layouts compiled for x86_64 and for i386: "
          f"{len(a) - len(differ)} identical, {len(differ)} different")
    for k in differ:
        print(f"  x86_64 build: {a.get(k)}\n  i386 build:   {b.get(k)}")
    return 1 if differ or not a else 0


if __name__ == "__main__":
    sys.exit(main())
