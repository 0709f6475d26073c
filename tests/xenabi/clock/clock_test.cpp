// clock.hpp: duration/time_point arithmetic, pvclock scaling against a byte-wise long
// multiplication reference (random and extreme parameters, both product paths), seqlock readers
// that must never see a torn vcpu_time_info / wall clock / run-state while a writer thread updates
// them, the wall clock across a wc_sec_hi change, and the cross-vCPU monotonic fallback.
#include <xenabi/clock.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;
using namespace xenabi::literals;

// --- reference: schoolbook multiplication in base 256 ------------------------------------------
constexpr u64 ref_shift(u64 delta, int shift) {
  // shift one bit at a time so no shift count is ever >= 64
  if (shift < 0)
    for (int i = 0; i < -shift; ++i) delta /= 2;
  else
    for (int i = 0; i < shift; ++i) delta *= 2;  // wraps modulo 2^64 as intended
  return delta;
}
constexpr u64 ref_mul_frac(u64 a, u32 b) {
  unsigned prod[12]{};
  for (int i = 0; i < 8; ++i) {
    unsigned carry = 0;
    const unsigned ai = static_cast<unsigned>((a >> (8 * i)) & 0xff);
    for (int j = 0; j < 4; ++j) {
      const unsigned bj = (b >> (8 * j)) & 0xff;
      const unsigned t = prod[i + j] + ai * bj + carry;
      prod[i + j] = t & 0xff;
      carry = t >> 8;
    }
    for (int k = i + 4; carry != 0 && k < 12; ++k) {
      const unsigned t = prod[k] + carry;
      prod[k] = t & 0xff;
      carry = t >> 8;
    }
  }
  u64 r = 0;  // bytes 4..11 = bits 32..95
  for (int k = 11; k >= 4; --k) r = (r << 8) | prod[k];
  return r;
}
constexpr u64 ref_scale(u64 delta, u32 mul, int shift) { return ref_mul_frac(ref_shift(delta, shift), mul); }

struct rng {
  u64 s;
  constexpr u64 next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

constexpr u64 interesting_deltas[] = {0, 1, 2, 0xffffffffu, 0x100000000u, 0x7fffffffffffffffu,
                                      0x8000000000000000u, ~u64{0}, 0x123456789abcdef0u};
constexpr u32 interesting_muls[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu, 0xa0000000u};
constexpr int interesting_shifts[] = {-128, -65, -64, -63, -32, -31, -1, 0, 1, 31, 32, 63, 64, 65, 127};

constexpr bool scaling_matches_reference(u64 seed, int rounds) {
  for (u64 d : interesting_deltas)
    for (u32 m : interesting_muls)
      for (int sh : interesting_shifts)
        if (scale_delta(d, m, static_cast<s8>(sh)) != ref_scale(d, m, sh)) return false;
  rng r{seed};
  for (int i = 0; i < rounds; ++i) {
    const u64 d = r.next() >> (r.next() % 64);
    const u32 m = static_cast<u32>(r.next());
    const int sh = static_cast<int>(r.next() % 256) - 128;
    if (scale_delta(d, m, static_cast<s8>(sh)) != ref_scale(d, m, sh)) return false;
    if (mul_frac32(d, m) != mul_frac32_decomposed(d, m)) return false;
    if (mul_frac32(d, m) != ref_mul_frac(d, m)) return false;
  }
  return true;
}

constexpr bool durations_behave() {
  const duration a = 1500_us;
  if (a.count() != 1500000 || a.milliseconds() != 1 || a.microseconds() != 1500) return false;
  if (2_s / 500_ms != 4 || (2_s + 3_ms).milliseconds() != 2003) return false;
  if (!(1_ms < 1001_us) || -a != nanoseconds(-1500000) || (7_ms % 2_ms) != 1_ms) return false;
  system_time t{100};
  t += 50_ns;
  if ((t + 1_us) - t != 1_us || t.ns_since_epoch() != 150 || (t - 150_ns) != system_time{}) return false;
  return system_time::max() > t && duration::max().count() > 0;
}

constexpr bool wall_time_carries() {
  // wall clock base right below a wc_sec_hi change, plus system time
  const wall_time base{0xffffffffu, 999999999u};
  const wall_time w = base.after(1_ns);
  if (w.sec != 0x100000000u || w.nsec != 0) return false;
  const wall_time w2 = base.after(2_s + 5_ns);
  return w2.sec == 0x100000002u && w2.nsec == 4 && base.after(duration::zero()) == base;
}

constexpr bool snapshot_math() {
  pvclock_snapshot s{0, 1000, 5000000, 0x80000000u, 1, abi::XEN_PVCLOCK::TSC_STABLE_BIT};
  // (2000 - 1000) << 1 = 2000 ticks, times 0.5 = 1000 ns
  if (s.system_time_at(2000) != 5001000) return false;
  if (s.system_time_at(500) != 5000000) return false;  // TSC behind the stamp: no time elapsed
  return s.tsc_stable();
}

constexpr bool runstate_math() {
  runstate_snapshot r{static_cast<s32>(abi::RUNSTATE::running), 1000, {400, 300, 300, 0}};
  if (r.at(system_time{1500}).ns_since_epoch() != 900) return false;
  r.state = static_cast<s32>(abi::RUNSTATE::blocked);
  return r.at(system_time{1500}).ns_since_epoch() == 400;
}

}  // namespace

TEST_CASE("durations and time points feel like chrono") { XENABI_BOTH_REQUIRE(durations_behave()); }

TEST_CASE("scale_delta matches a long-multiplication reference") {
  XENABI_BOTH_REQUIRE(scaling_matches_reference(0x9e3779b97f4a7c15u, 300));
  REQUIRE(scaling_matches_reference(0x0123456789abcdefu, 200000));
  REQUIRE(scaling_matches_reference(0xdeadbeefcafef00du, 200000));
}

TEST_CASE("pvclock snapshot and run-state arithmetic") {
  XENABI_BOTH_REQUIRE(snapshot_math());
  XENABI_BOTH_REQUIRE(runstate_math());
}

TEST_CASE("wall clock carries into wc_sec_hi") { XENABI_BOTH_REQUIRE(wall_time_carries()); }

namespace {
template <class T>
void store(T& r, T v) {
  __atomic_store_n(&r, v, __ATOMIC_RELAXED);
}
void release_fence() { __atomic_thread_fence(__ATOMIC_RELEASE); }

// A vcpu_time_info update for step k whose fields are tied together, so a torn read is visible.
void write_time(abi::vcpu_time_info& ti, u64 k) {
  store(ti.version, ti.version + 1);  // odd: in progress
  release_fence();
  store(ti.tsc_timestamp, ~u64{0});  // intermediate garbage a torn reader could pick up
  store(ti.system_time, u64{12345});
  store(ti.tsc_timestamp, k * 1000);
  store(ti.system_time, k * 3);
  store(ti.tsc_to_system_mul, static_cast<u32>(k * 5));
  store(ti.tsc_shift, static_cast<s8>(k % 7));
  release_fence();
  store(ti.version, ti.version + 1);  // even: done
}
bool consistent(const pvclock_snapshot& s) {
  const u64 k = s.tsc_timestamp / 1000;
  return s.tsc_timestamp == k * 1000 && s.system_time == k * 3 &&
         s.tsc_to_system_mul == static_cast<u32>(k * 5) && s.tsc_shift == static_cast<s8>(k % 7) &&
         (s.version & 1) == 0;
}
}  // namespace

TEST_CASE("vcpu_time_info readers never see a torn update") {
  abi::vcpu_time_info ti{};
  write_time(ti, 1);
  std::atomic<bool> reader_done{false};
  std::atomic<u64> steps{0};
  std::thread writer([&] {
    for (u64 k = 2; !reader_done.load(); ++k) {
      write_time(ti, k);
      steps.store(k);
    }
  });
  while (steps.load() < 100) std::this_thread::yield();  // the writer is running
  u64 reads = 0, torn = 0, last_version = 0, backwards = 0;
  for (; reads < 200000; ++reads) {
    const pvclock_snapshot s = read_pvclock(ti);
    if (!consistent(s)) ++torn;
    if (s.version < last_version) ++backwards;
    last_version = s.version;
  }
  reader_done = true;
  writer.join();
  INFO("reads " << reads << " torn " << torn << " writer steps " << steps.load());
  REQUIRE(torn == 0);
  REQUIRE(backwards == 0);
}

namespace {
// Wall clock at step k: seconds cross 2^32 half-way; nsec encodes k.
void write_wall(abi::shared_info& s, u64 k) {
  const u64 sec = 0xffffff00u + k;
  store(s.wc_version, s.wc_version + 1);
  release_fence();
  store(s.wc_sec, static_cast<u32>(sec));       // low half first: a torn read sees the old hi
  store(s.wc_nsec, static_cast<u32>(k % 1000000000u));
  store(s.wc_sec_hi, static_cast<u32>(sec >> 32));
  release_fence();
  store(s.wc_version, s.wc_version + 1);
}
}  // namespace

TEST_CASE("wall clock readers never see a torn wc_sec|wc_sec_hi while it crosses 2^32") {
  static abi::shared_info si{};
  write_wall(si, 0);
  std::atomic<bool> reader_done{false};
  std::atomic<u64> steps{0};
  std::thread writer([&] {
    for (u64 k = 1; !reader_done.load(); ++k) {
      write_wall(si, k % 1024);  // seconds go back and forth across 2^32
      steps.store(k);
    }
    write_wall(si, 1023);
  });
  while (steps.load() < 300) std::this_thread::yield();
  u64 reads = 0, torn = 0, crossed = 0;
  for (; reads < 100000; ++reads) {
    const wall_clock_base b = read_wall_clock_base(si);
    if (b.sec != u64{0xffffff00u} + b.nsec) ++torn;
    if (b.sec > 0xffffffffu) ++crossed;
    // 1.5 s later: (base + k + 1, k + 0.5 s) for the k it read (k < 1024: no carry)
    const wall_time w = wall_clock_at(si, system_time{1500000000});
    if (w.nsec < 500000000u || w.sec != u64{0xffffff00u} + (w.nsec - 500000000u) + 1) ++torn;
  }
  reader_done = true;
  writer.join();
  const wall_clock_base end = read_wall_clock_base(si);
  INFO("reads " << reads << " torn " << torn << " above 2^32 " << crossed);
  REQUIRE(torn == 0);
  REQUIRE(end.sec == u64{0xffffff00u} + 1023);
  REQUIRE(end.sec > 0xffffffffu);
}

namespace {
void write_runstate(abi::vcpu_runstate_info& r, u64 k) {
  const u64 entry = r.state_entry_time;
  store(r.state_entry_time, static_cast<u64>(entry | abi::XEN::RUNSTATE_UPDATE));
  release_fence();
  store(r.state, static_cast<s32>(k % 3));
  store(r.time[k % 3], static_cast<u64>(r.time[k % 3] + 7));
  store(r.time[(k + 1) % 3], static_cast<u64>(r.time[(k + 1) % 3] + 3));
  release_fence();
  store(r.state_entry_time, static_cast<u64>(entry + 10));  // sum(time) == state_entry_time
}
}  // namespace

TEST_CASE("run-state readers never see a half-updated area") {
  abi::vcpu_runstate_info r{};
  std::atomic<bool> reader_done{false};
  std::atomic<u64> steps{0};
  std::thread writer([&] {
    for (u64 k = 0; !reader_done.load(); ++k) {
      write_runstate(r, k);
      steps.store(k + 1);
    }
  });
  while (steps.load() < 100) std::this_thread::yield();
  u64 reads = 0, torn = 0;
  for (; reads < 200000; ++reads) {
    const runstate_snapshot s = read_runstate(r);
    if (s.time[0] + s.time[1] + s.time[2] + s.time[3] != s.state_entry_time) ++torn;
    if (s.state < 0 || s.state > 2) ++torn;
  }
  reader_done = true;
  writer.join();
  INFO("reads " << reads << " torn " << torn);
  REQUIRE(torn == 0);
  const virtual_time v = virtual_time_at(r, system_time{r.state_entry_time + 100});
  REQUIRE(v.ns_since_epoch() == r.time[0] + (r.state == 0 ? 100u : 0u));
}

namespace {
struct fake_tsc {
  static inline u64 value = 0;
  static u64 read() noexcept { return value; }
};
}  // namespace

TEST_CASE("system clock: stable TSC reads directly / unstable TSC never goes backwards") {
  abi::vcpu_time_info v0{}, v1{};
  // vCPU1's parameters put it 500 ns behind vCPU0 for the same TSC
  v0.tsc_timestamp = 1000;
  v0.system_time = 10000;
  v0.tsc_to_system_mul = 0x80000000u;  // 0.5 ns per tick
  v0.tsc_shift = 0;
  v1 = v0;
  v1.system_time = 9500;
  u64 last = 0;
  basic_system_clock<fake_tsc> c0(v0, last), c1(v1, last);

  fake_tsc::value = 3000;  // 1000 ns after the stamp
  REQUIRE(c0.now().ns_since_epoch() == 11000);
  REQUIRE(c1.now().ns_since_epoch() == 11000);  // clamped to vCPU0's later reading
  fake_tsc::value = 3400;
  REQUIRE(c1.now().ns_since_epoch() == 11000);  // its own 10700 is still behind
  fake_tsc::value = 5000;
  REQUIRE(c1.now().ns_since_epoch() == 11500);  // now ahead on its own
  REQUIRE(c0.now().ns_since_epoch() == 12000);

  // with the stable bit Xen promises consistency: the raw reading is returned, last untouched
  v0.flags = v1.flags = abi::XEN_PVCLOCK::TSC_STABLE_BIT;
  last = 0;
  REQUIRE(c1.now().ns_since_epoch() == 11500);
  REQUIRE(c0.now().ns_since_epoch() == 12000);
  REQUIRE(last == 0);
}

TEST_CASE("monotonic_max from several threads: every thread sees a non-decreasing sequence") {
  u64 last = 0;
  std::atomic<u64> regressions{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      u64 prev = 0;
      for (u64 i = 0; i < 100000; ++i) {
        // each thread's raw clock is skewed differently and jitters backwards
        const u64 raw = i * 10 + static_cast<u64>(t) * 37 - (i % 5 == 0 ? 25 : 0);
        const u64 got = monotonic_max(last, raw);
        if (got < prev || got < raw) ++regressions;
        prev = got;
      }
    });
  for (auto& t : ts) t.join();
  REQUIRE(regressions == 0);
  REQUIRE(last >= 999990);
}
