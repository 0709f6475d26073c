#!/usr/bin/env bash
# The test command: builds with GCC and with Clang (warnings are errors), runs every CTest test
# in both (header checks hosted and freestanding, conformance, unit, KVM integration, install +
# consumer, docs); the Clang build is instrumented with AddressSanitizer + UBSan. Ends with
# CTest's summary and a combined total; exits non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$XENABI_ROOT"
ensure_packages
jobs=$(nproc)

step "GCC build (build/gcc)"
configure build/gcc g++ gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXENABI_BUILD_BENCH=ON
cmake --build build/gcc -j "$jobs"

step "Clang build with ASan+UBSan (build/clang-asan)"
configure build/clang-asan clang++ clang -DCMAKE_BUILD_TYPE=Debug -DXENABI_SANITIZE=ON \
  -DXENABI_BUILD_DOCS=OFF -DXENABI_BUILD_BENCH=ON
cmake --build build/clang-asan -j "$jobs"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
step "CTest: Clang + sanitizers"
(cd build/clang-asan && ctest -j "$jobs" --output-on-failure --timeout 600 -LE slow) \
  | tee build/clang-asan/ctest.log || status=1
step "CTest: GCC"
(cd build/gcc && ctest -j "$jobs" --output-on-failure --timeout 600) \
  | tee build/gcc/ctest.log || status=1

# Combined total over both builds (CTest's own summaries are above).
count() { grep -Eo "$1" "$2" | grep -Eo '[0-9]+' | tail -1 || echo 0; }
total=0 failed=0 skipped=0
for b in build/clang-asan build/gcc; do
  t=$(count 'tests failed out of [0-9]+' $b/ctest.log)
  f=$(count '[0-9]+ tests failed out of' $b/ctest.log)
  s=$(grep -c '\*\*\*Skipped\|Not Run' $b/ctest.log || true)
  total=$((total + ${t:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${s:-0}))
done
[ "$total" -gt 0 ] || status=1
[ "$failed" -eq 0 ] || status=1
echo
echo "total: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
exit $status
