#!/usr/bin/env python3
"""No rot for porting-guide/*.md (every chapter, found at run time, so new ones are covered).

A fenced block preceded by an HTML comment marker is checked:
  <!-- compile: freestanding -->     ```cpp : C++20 freestanding guest code, -m64 and -m32
  <!-- compile: freestanding-64 -->  ```cpp : the same, x86_64 only
  <!-- compile: hosted -->           ```cpp : C++20 hosted (host-side code)
  <!-- compile: c -->                ```c   : C11 freestanding, gcc and clang, -m64 and -m32
  <!-- shell: FILE -->  ```sh/console : every command of the block must appear verbatim in FILE
                        (scripts/demo.sh, or the test script that runs it); in a console block
                        the commands are the lines that start with "$ "
  <!-- snippet: PATH NAME -->        ```cpp : the block is, line for line (indentation and blank
                        lines aside), the region of the compiled source PATH between its two
                        lines that contain "[NAME]" -- the same region the API docs show with
                        Doxygen's \snippet, so guide, docs and compiled code cannot drift apart
A compile marker may add ", file: NAME" (a test script extracts the block as NAME).
Every shell block must carry a shell marker. Each block is compiled alone (-c, no link).
usage: check_guide.py GUIDE_DIR ROOT WORK CXX "CXX_FS_FLAGS" "CXX_HOSTED_FLAGS" CC...
"""
import glob, os, re, subprocess, sys

guide, root, work, cxx, fs_flags, hosted_flags = sys.argv[1:7]
ccs = sys.argv[7:]
inc = ["-I" + os.path.join(root, "include")]
c_flags = ["-std=c11", "-ffreestanding", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
           "-mno-red-zone", "-mgeneral-regs-only"]
os.makedirs(work, exist_ok=True)
fail, counts = 0, {"cpp": 0, "c": 0, "shell": 0, "compiles": 0, "snippets": 0}


def snippet_lines(text):
    """The non-blank lines of a code fragment, dedented by the fragment's common indentation."""
    lines = [l.rstrip() for l in text.split("\n") if l.strip()]
    indent = min((len(l) - len(l.lstrip()) for l in lines), default=0)
    return [l[indent:] for l in lines]


def check_snippet(spec, body, where):
    global fail
    counts["snippets"] += 1
    parts = spec.split()
    if len(parts) != 2:
        fail += 1
        print(f"FAIL {where}: snippet marker wants PATH NAME, got `{spec}`")
        return
    path, name = os.path.join(root, parts[0]), parts[1]
    if not os.path.isfile(path):
        fail += 1
        print(f"FAIL {where}: {parts[0]} does not exist")
        return
    src = open(path).read().split("\n")
    at = [k for k, l in enumerate(src) if f"[{name}]" in l]
    if len(at) != 2:
        fail += 1
        print(f"FAIL {where}: {parts[0]} has {len(at)} lines marked [{name}], wants 2")
        return
    want = snippet_lines("\n".join(src[at[0] + 1:at[1]]))
    got = snippet_lines(body)
    if want != got:
        fail += 1
        first = next((k for k in range(min(len(want), len(got))) if want[k] != got[k]),
                     min(len(want), len(got)))
        print(f"FAIL {where}: differs from {parts[0]} [{name}] at its line {first + 1}:\n"
              f"  source: {want[first] if first < len(want) else '(end)'}\n"
              f"  guide:  {got[first] if first < len(got) else '(end)'}")


def compile_(cmd, where):
    global fail
    counts["compiles"] += 1
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        fail += 1
        print(f"FAIL {where}: {' '.join(cmd)}\n{r.stdout}{r.stderr}")


for md in sorted(glob.glob(os.path.join(guide, "*.md"))):
    lines = open(md).read().split("\n")
    marker = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*<!--\s*(compile|shell|snippet):\s*(.*?)\s*-->\s*$", line)
        if m:
            marker = (m.group(1), m.group(2))
            i += 1
            continue
        f = re.match(r"```(\w*)", line)
        if not f:
            if line.strip():
                marker = None
            i += 1
            continue
        lang = f.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        body = "\n".join(lines[i + 1:j]) + "\n"
        where = f"{os.path.basename(md)}:{i + 1}"
        stem = re.sub(r"\W", "_", where)
        if lang in ("sh", "bash", "console", "shell"):
            counts["shell"] += 1
            if not marker or marker[0] != "shell":
                fail += 1
                print(f"FAIL {where}: shell block without <!-- shell: FILE --> (where does it run?)")
            else:
                target = os.path.join(root, marker[1])
                text = open(target).read() if os.path.isfile(target) else None
                if text is None:
                    fail += 1
                    print(f"FAIL {where}: {marker[1]} does not exist")
                for cmd in body.split("\n"):
                    cmd = cmd.strip()
                    if lang == "console":  # only the prompted lines are commands
                        if not cmd.startswith("$ "):
                            continue
                        cmd = cmd[2:]
                    if not cmd or cmd.startswith("#"):
                        continue
                    if text is not None and cmd not in text:
                        fail += 1
                        print(f"FAIL {where}: command `{cmd}` is not run by {marker[1]}")
        elif marker and marker[0] == "snippet":
            check_snippet(marker[1], body, where)
        elif marker and marker[0] == "compile":
            kind = marker[1].split(",")[0].strip()  # "c, file: NAME" -> "c"
            if kind == "c":
                counts["c"] += 1
                src = os.path.join(work, stem + ".c")
                open(src, "w").write(body)
                for cc in ccs:
                    for m in ("-m64", "-m32"):
                        compile_([cc, m] + c_flags + inc + ["-c", src, "-o", src + m + ".o"],
                                 f"{where} ({os.path.basename(cc)} {m})")
            else:
                counts["cpp"] += 1
                src = os.path.join(work, stem + ".cpp")
                open(src, "w").write(body)
                if kind in ("freestanding", "freestanding-64"):
                    widths = ["-m64"] if kind == "freestanding-64" else ["-m64", "-m32"]
                    for m in widths:
                        compile_([cxx, "-std=c++20", m] + fs_flags.split() + inc +
                                 ["-c", src, "-o", src + m + ".o"], f"{where} ({m})")
                elif kind == "hosted":
                    compile_([cxx, "-std=c++20"] + hosted_flags.split() + inc +
                             ["-c", src, "-o", src + ".o"], where)
                else:
                    fail += 1
                    print(f"FAIL {where}: unknown marker compile: {kind}")
        marker = None
        i = j + 1

# The chapter tables (porting-guide/README.md and docs/mainpage.md) match the chapter files, and
# the top-level README links the guide and says where the API reference is.
chapters = sorted(os.path.basename(f) for f in glob.glob(os.path.join(guide, "[0-9][0-9]-*.md")))
tables = {"porting-guide/README.md": os.path.join(guide, "README.md"),
          "docs/mainpage.md": os.path.join(root, "docs", "mainpage.md")}
for name, path in tables.items():
    if not os.path.isfile(path):
        fail += 1
        print(f"FAIL {name} does not exist")
        continue
    rows = [l for l in open(path).read().split("\n") if l.startswith("|")]
    for c in chapters:
        want = f"({c})" if name.endswith("README.md") else c
        if not any(want in r for r in rows):
            fail += 1
            print(f"FAIL {name}: the chapter table does not {'link' if want[0] == '(' else 'name'} {c}")
    for r in rows:
        for c in sorted(set(re.findall(r"\b\d\d-[\w-]+\.md", r))):
            present = c in chapters
            if not present and "being written" not in r:
                fail += 1
                print(f"FAIL {name}: its chapter table names {c}, which does not exist "
                      f"(say \"being written\" in that row until it does)")
            if present and "being written" in r:
                fail += 1
                print(f"FAIL {name}: {c} exists now: link it and drop \"being written\" from its row")
readme = open(os.path.join(root, "README.md")).read()
for need in ("](porting-guide/)", "docs/html/index.html"):
    if need not in readme:
        fail += 1
        print(f"FAIL README.md: no `{need}` (the README links the guide and the API reference)")

print(f"porting guide: {counts['cpp']} C++ and {counts['c']} C blocks extracted, "
      f"{counts['compiles']} compilations, {counts['snippets']} blocks matched to compiled sources, "
      f"{counts['shell']} shell blocks checked, {fail} failures")
sys.exit(1 if fail or counts["compiles"] == 0 else 0)
