// bench/ring: xenabi's shared ring against Xen's C io/ring.h macros, in the same run.
//
//  - throughput: a front end streams requests (112-byte blkif requests, 32 slots) to a back end
//    on another thread, both busy-polling; Xen's macros vs xenabi's front_ring/back_ring, same
//    loop structure (copy-out of every request and response, overflow check on the back end,
//    push with notification check).
//  - round trip: one request at a time, front end waits for its response; against a bare
//    cache-line ping-pong between the same two threads.
//
// Ends with:
//   FIGURE ring_throughput_vs_xen_c <xenabi requests/s ÷ Xen C requests/s>   (target >= 1.0)
//   FIGURE ring_roundtrip_vs_pingpong <xenabi round trip ÷ ping-pong round trip> (target <= 1.5)
// Each figure compares the best iteration of each variant (the one least disturbed by other
// load on the machine; every busy-polling loop yields the CPU after 256 idle spins so that a
// descheduled peer can run), the variants' repetitions interleaved at random; medians are
// printed too. XENABI_BENCH_RT=1 runs the two measuring threads at SCHED_FIFO priority.
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <xenabi/ring.hpp>

#include "xen_c_bench.h"

namespace {
using namespace xenabi;
using proto = blkif_ring;

constexpr std::uint64_t stream_n = 50000;     // requests per throughput iteration
constexpr std::uint64_t roundtrip_n = 5000;   // round trips per latency iteration

// Pins the calling thread to one CPU (when there are two), and with XENABI_BENCH_RT=1 in the
// environment also gives it real-time priority (SCHED_FIFO 1, if permitted) so that other load
// on a shared machine does not preempt the two busy-polling threads; `unpin` undoes the priority.
bool rt_requested() {
  const char* e = std::getenv("XENABI_BENCH_RT");
  return e != nullptr && e[0] == '1';
}
void pin(int cpu) {
  const unsigned ncpu = std::thread::hardware_concurrency();
  if (ncpu >= 2) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<unsigned>(cpu) % ncpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  if (rt_requested()) {
    sched_param p{};
    p.sched_priority = 1;
    pthread_setschedparam(pthread_self(), SCHED_FIFO, &p);
  }
}
void unpin() {
  if (rt_requested()) {
    sched_param p{};
    pthread_setschedparam(pthread_self(), SCHED_OTHER, &p);
  }
}

struct alignas(4096) page_t {
  unsigned char bytes[4096];
};

// Runs front() on this thread (CPU 0) and back() on another (CPU 1), both started together;
// returns the front end's elapsed seconds.
template <class Front, class Back>
double run_pair(Front&& front, Back&& back) {
  std::atomic<int> ready{0};
  std::thread t([&] {
    pin(1);
    ready.store(1);
    while (ready.load() < 2) {
    }
    back();
    unpin();
  });
  while (ready.load() < 1) std::this_thread::yield();  // the back end is placed and waiting
  pin(0);
  ready.store(2);
  const auto t0 = std::chrono::steady_clock::now();
  front();
  const auto t1 = std::chrono::steady_clock::now();
  unpin();
  t.join();
  return std::chrono::duration<double>(t1 - t0).count();
}

void fill(abi::blkif_request& r, std::uint64_t k) {
  r.operation = static_cast<std::uint8_t>(abi::BLKIF_OP::READ);
  r.nr_segments = abi::BLKIF::MAX_SEGMENTS_PER_REQUEST;
  r.handle = 0;
  r.id = k;
  r.sector_number = k * 88;
  for (unsigned i = 0; i < abi::BLKIF::MAX_SEGMENTS_PER_REQUEST; ++i) {
    r.seg[i].gref = static_cast<std::uint32_t>(k + i);
    r.seg[i].first_sect = 0;
    r.seg[i].last_sect = 7;
  }
}

std::int16_t serve(const abi::blkif_request& r) {
  auto acc = static_cast<std::uint32_t>(r.sector_number);
  const unsigned n = r.nr_segments > abi::BLKIF::MAX_SEGMENTS_PER_REQUEST
                         ? abi::BLKIF::MAX_SEGMENTS_PER_REQUEST
                         : r.nr_segments;
  for (unsigned i = 0; i < n; ++i)
    acc += r.seg[i].gref ^ (static_cast<std::uint32_t>(r.seg[i].first_sect) << 8) ^ r.seg[i].last_sect;
  return static_cast<std::int16_t>(acc & 0x7fff);
}

// xenabi loops, the same structure as xen_c_bench.c.
std::uint64_t ours_front_stream(proto::shared_ring& s, std::uint64_t n) {
  auto f = front_ring<proto>::init(s);
  std::uint64_t sent = 0, received = 0, sum = 0;
  unsigned spins = 0;
  while (received < n) {
    bool progress = false;
    if (sent < n && !f.full()) {
      const std::uint64_t left = n - sent;
      const RING_IDX room = f.free_requests();
      f.produce_requests(left < room ? static_cast<RING_IDX>(left) : room,
                         [&](abi::blkif_request& r) { fill(r, sent++); });
      (void)f.push_requests();
      progress = true;
    }
    auto got = f.consume_responses([&](const abi::blkif_response& x) {
      sum += x.id;
      ++received;
    });
    if (!got) return 0;
    if (got.value() != 0) progress = true;
    if (!progress) xcb_relax(&spins);
  }
  return sum;
}

std::uint64_t ours_front_roundtrip(proto::shared_ring& s, std::uint64_t n) {
  auto f = front_ring<proto>::init(s);
  std::uint64_t sum = 0;
  unsigned spins = 0;
  for (std::uint64_t k = 0; k < n; ++k) {
    fill(f.claim_request(), k);
    (void)f.push_requests();
    abi::blkif_response x{};
    for (;;) {
      auto r = f.consume_response(x);
      if (!r) return 0;
      if (r.value()) break;
      xcb_relax(&spins);
    }
    sum += x.id;
  }
  return sum;
}

void ours_back(proto::shared_ring& s, std::uint64_t n) {
  auto b = back_ring<proto>::attach(s, 0);
  std::uint64_t served = 0;
  unsigned spins = 0;
  while (served < n) {
    auto got = b.consume_requests([&](const abi::blkif_request& r) {
      abi::blkif_response x{};
      x.id = r.id;
      x.operation = r.operation;
      x.status = serve(r);
      b.produce_response(x);
    });
    if (!got) return;
    if (got.value() == 0) {
      xcb_relax(&spins);
      continue;
    }
    served += got.value();
    (void)b.push_responses();
  }
}

// Bare cache-line ping-pong: the lower bound of any two-thread round trip.
void pingpong_a(std::atomic<std::uint32_t>& line, std::uint64_t n) {
  unsigned spins = 0;
  for (std::uint32_t k = 0; k < n; ++k) {
    line.store(2 * k + 1, std::memory_order_release);
    while (line.load(std::memory_order_acquire) != 2 * k + 2) xcb_relax(&spins);
  }
}
void pingpong_b(std::atomic<std::uint32_t>& line, std::uint64_t n) {
  unsigned spins = 0;
  for (std::uint32_t k = 0; k < n; ++k) {
    while (line.load(std::memory_order_acquire) != 2 * k + 1) xcb_relax(&spins);
    line.store(2 * k + 2, std::memory_order_release);
  }
}

// Seconds per item of every iteration, by variant name.
std::map<std::string, std::vector<double>> g_results;

enum variant { xen_c = 0, xenabi_ring = 1, pingpong = 2 };

void BM_throughput(benchmark::State& state) {
  const auto v = static_cast<variant>(state.range(0));
  auto page = std::make_unique<page_t>();
  bool ok = true;
  const std::uint64_t expect = stream_n * (stream_n - 1) / 2;
  for (auto _ : state) {
    std::memset(page->bytes, 0, sizeof page->bytes);
    std::uint64_t sum = 0;
    double secs;
    if (v == xen_c) {
      xcb_init(page->bytes);
      secs = run_pair([&] { sum = xcb_front_stream(page->bytes, stream_n); },
                      [&] { xcb_back(page->bytes, stream_n); });
    } else {
      auto& s = *reinterpret_cast<proto::shared_ring*>(page->bytes);
      abi::shared_ring_init(s);
      secs = run_pair([&] { sum = ours_front_stream(s, stream_n); },
                      [&] { ours_back(s, stream_n); });
    }
    ok = ok && sum == expect;
    state.SetIterationTime(secs);
    g_results[v == xen_c ? "throughput/xen_c" : "throughput/xenabi"].push_back(
        secs / static_cast<double>(stream_n));
  }
  if (!ok) state.SkipWithError("wrong responses");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(stream_n));
}

void BM_roundtrip(benchmark::State& state) {
  const auto v = static_cast<variant>(state.range(0));
  auto page = std::make_unique<page_t>();
  bool ok = true;
  const std::uint64_t expect = roundtrip_n * (roundtrip_n - 1) / 2;
  for (auto _ : state) {
    std::memset(page->bytes, 0, sizeof page->bytes);
    std::uint64_t sum = expect;
    double secs;
    if (v == xen_c) {
      xcb_init(page->bytes);
      secs = run_pair([&] { sum = xcb_front_roundtrip(page->bytes, roundtrip_n); },
                      [&] { xcb_back(page->bytes, roundtrip_n); });
    } else if (v == xenabi_ring) {
      auto& s = *reinterpret_cast<proto::shared_ring*>(page->bytes);
      abi::shared_ring_init(s);
      secs = run_pair([&] { sum = ours_front_roundtrip(s, roundtrip_n); },
                      [&] { ours_back(s, roundtrip_n); });
    } else {
      auto* line = new (page->bytes) std::atomic<std::uint32_t>(0);
      secs = run_pair([&] { pingpong_a(*line, roundtrip_n); },
                      [&] { pingpong_b(*line, roundtrip_n); });
    }
    ok = ok && sum == expect;
    state.SetIterationTime(secs);
    const char* name = v == xen_c        ? "roundtrip/xen_c"
                       : v == xenabi_ring ? "roundtrip/xenabi"
                                          : "roundtrip/pingpong";
    g_results[name].push_back(secs / static_cast<double>(roundtrip_n));
  }
  if (!ok) state.SkipWithError("wrong responses");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(roundtrip_n));
}

BENCHMARK(BM_throughput)->ArgName("xen_c=0,xenabi=1")->Arg(xen_c)->Arg(xenabi_ring)
    ->UseManualTime()->MinTime(0.3)->Repetitions(5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_roundtrip)->ArgName("xen_c=0,xenabi=1,pingpong=2")->Arg(xen_c)->Arg(xenabi_ring)
    ->Arg(pingpong)->UseManualTime()->MinTime(0.3)->Repetitions(5)->Unit(benchmark::kMillisecond);

double best(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::min_element(v.begin(), v.end());
}
double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
}  // namespace

int main(int argc, char** argv) {
  // Interleave the variants' repetitions at random so that a noisy neighbour does not favour one.
  std::vector<char*> args(argv, argv + argc);
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  bool given = false;
  for (int i = 1; i < argc; ++i)
    if (std::strstr(argv[i], "random_interleaving") != nullptr) given = true;
  if (!given) args.push_back(interleave.data());
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  auto& r = g_results;
  const double tx = best(r["throughput/xen_c"]), to = best(r["throughput/xenabi"]);
  const double rx = best(r["roundtrip/xen_c"]), ro = best(r["roundtrip/xenabi"]);
  const double rp = best(r["roundtrip/pingpong"]);
  std::printf("ns per request, best iteration (median iteration): throughput Xen C %.1f (%.1f), "
              "xenabi %.1f (%.1f); round trip Xen C %.1f (%.1f), xenabi %.1f (%.1f), "
              "ping-pong %.1f (%.1f)\n",
              tx * 1e9, median(r["throughput/xen_c"]) * 1e9, to * 1e9,
              median(r["throughput/xenabi"]) * 1e9, rx * 1e9, median(r["roundtrip/xen_c"]) * 1e9,
              ro * 1e9, median(r["roundtrip/xenabi"]) * 1e9, rp * 1e9,
              median(r["roundtrip/pingpong"]) * 1e9);
  if (tx > 0 && to > 0) std::printf("FIGURE ring_throughput_vs_xen_c %.3f\n", tx / to);
  if (ro > 0 && rp > 0) std::printf("FIGURE ring_roundtrip_vs_pingpong %.3f\n", ro / rp);
  return 0;
}
