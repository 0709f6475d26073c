#!/usr/bin/env bash
# The demo: builds the project and boots examples/hello on the reference hypervisor xenhv,
# showing the guest's console and the hypercall trace.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$XENABI_ROOT"
ensure_packages
step "building (build/gcc)"
configure build/gcc g++ gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build/gcc -j "$(nproc)"
if [ -x build/gcc/tools/xenhv/xenhv ] && [ -f build/gcc/examples/hello/hello.elf ]; then
  step "booting examples/hello on xenhv"
  exec build/gcc/tools/xenhv/xenhv run build/gcc/examples/hello/hello.elf --trace "$@"
fi
step "xenhv is not built yet: running the freestanding link proof instead"
file build/gcc/tests/foundation/freestanding_link_check 2>/dev/null || \
  ls -l build/gcc/tests/foundation/freestanding_link_check
