#!/usr/bin/env bash
# The bench command: builds every benchmark in Release (build/bench) and runs each program named
# bench_* under build/bench/bench/, then prints every `FIGURE <name> <ratio>` line they reported.
# Extra arguments are passed to every program (e.g. --benchmark_repetitions=9).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$XENABI_ROOT"
ensure_packages

step "Release build with benchmarks (build/bench)"
configure build/bench g++ gcc -DCMAKE_BUILD_TYPE=Release -DXENABI_BUILD_BENCH=ON \
  -DXENABI_BUILD_TESTS=OFF -DXENABI_BUILD_DOCS=OFF -DXENABI_BUILD_EXAMPLES=OFF
cmake --build build/bench -j "$(nproc)"

# Two-thread benchmarks busy-poll; on a machine shared with other work they are preempted and
# their figures become noise. XENABI_BENCH_RT=1 (the default here; set 0 to disable) lets them
# run their measuring threads at real-time priority when permitted (bench_ring honours it).
export XENABI_BENCH_RT="${XENABI_BENCH_RT:-1}"

status=0
mapfile -t programs < <(find build/bench/bench -type f -executable -name 'bench_*' | sort)
[ "${#programs[@]}" -gt 0 ] || { echo "no bench programs found"; exit 1; }
for p in "${programs[@]}"; do
  name=$(basename "$p")
  step "$name"
  "$p" "$@" 2>&1 | tee "build/bench/$name.log" || status=1
done

step "Figures"
cat build/bench/bench_*.log | grep -E '^FIGURE ' || { echo "no FIGURE lines"; status=1; }
exit $status
