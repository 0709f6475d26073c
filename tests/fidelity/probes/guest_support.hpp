// Shared guest code of the event/timer/sched/vcpu fidelity probes (tests/fidelity/probes/
// evtchn.cpp, timer.cpp, sched.cpp, vcpu.cpp), on top of tests/fidelity/probe.hpp: shared_info
// and the event upcall (HVM_PARAM_CALLBACK_IRQ type 2), system time, bounded waits, bit helpers
// on the 2-level event arrays and a few event-channel calls.
//
// The kernel runs with interrupts disabled (start.S); upcalls are only taken inside
// `events_window()` / `wait_until()`, so a probe decides exactly when events may be delivered.
// The upcall handler does the 2-level scan, clears each delivered port's pending bit and records
// the port in `delivered`.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/params.hpp>
#include <xenabi/abi/memory.hpp>
#include <xenabi/abi/sched.hpp>
#include <xenabi/abi/vcpu.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/arch/x86/tsc.hpp>
#include <xenabi/hypercall.hpp>

#include "probe.hpp"

namespace probe {

using H = abi::hypercall;

/// The callback vector for event upcalls.
inline constexpr std::uint8_t upcall_vector = 0xf3;
/// vCPU 0's vcpu_info: its shared_info slot until VCPUOP_register_vcpu_info moves it.
inline constinit abi::vcpu_info* vinfo = nullptr;
/// Upcalls taken so far.
inline constinit volatile unsigned upcalls = 0;
/// Ports delivered by upcalls (bit per port), cleared by `quiesce()`.
inline constinit volatile std::uint64_t delivered[64] = {};

using kernel::op;
/// The raw return value of a typed wrapper's result (0 or the value, else -errno).
template <class R>
long raw(const R& r) {
  if (!r) return -static_cast<long>(r.error());
  if constexpr (requires { r.value() + 0; }) return static_cast<long>(r.value());
  else return 0;
}
/// "yes" or "no", for observation values.
constexpr const char* yn(bool b) { return b ? "yes" : "no"; }

/// System time (ns since boot) from vCPU 0's vcpu_info.
inline std::uint64_t now() {
  const abi::vcpu_time_info& t = vinfo->time;
  for (;;) {
    const std::uint32_t v = __atomic_load_n(&t.version, __ATOMIC_ACQUIRE);
    if (v & 1u) continue;
    const std::uint64_t tsc = x86::rdtsc();
    std::uint64_t delta = tsc - t.tsc_timestamp;
    const std::uint64_t st = t.system_time;
    const std::uint32_t mul = t.tsc_to_system_mul;
    const std::int8_t shift = t.tsc_shift;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&t.version, __ATOMIC_RELAXED) != v) continue;
    if (shift < 0) delta >>= -shift; else delta <<= shift;
    return st + kernel::mul_shr32(delta, mul);
  }
}

/// Bit helpers on shared_info's 2-level arrays.
inline bool test(const volatile std::uint64_t* a, std::uint32_t p) {
  return (__atomic_load_n(&a[p / 64], __ATOMIC_SEQ_CST) >> (p % 64)) & 1u;
}
inline bool is_pending(std::uint32_t p) { return test(shared().evtchn_pending, p); }
inline bool is_masked(std::uint32_t p) { return test(shared().evtchn_mask, p); }
inline void set_mask(std::uint32_t p) {
  __atomic_fetch_or(&shared().evtchn_mask[p / 64], std::uint64_t{1} << (p % 64), __ATOMIC_SEQ_CST);
}
inline void clear_mask(std::uint32_t p) {
  __atomic_fetch_and(&shared().evtchn_mask[p / 64], ~(std::uint64_t{1} << (p % 64)), __ATOMIC_SEQ_CST);
}
inline void clear_pending(std::uint32_t p) {
  __atomic_fetch_and(&shared().evtchn_pending[p / 64], ~(std::uint64_t{1} << (p % 64)), __ATOMIC_SEQ_CST);
}
inline bool was_delivered(std::uint32_t p) { return test(delivered, p); }
/// Forgets deliveries, clears every pending bit and vCPU 0's selector and upcall flag (call
/// with interrupts disabled, i.e. outside the windows).
inline void quiesce() {
  for (auto& w : delivered) w = 0;
  for (auto& w : shared().evtchn_pending) __atomic_store_n(&w, std::uint64_t{0}, __ATOMIC_SEQ_CST);
  auto& vi = *vinfo;
  __atomic_store_n(&vi.evtchn_pending_sel, std::uint64_t{0}, __ATOMIC_SEQ_CST);
  __atomic_store_n(&vi.evtchn_upcall_pending, std::uint8_t{0}, __ATOMIC_SEQ_CST);
}
inline bool upcall_flag() { return __atomic_load_n(&vinfo->evtchn_upcall_pending, __ATOMIC_SEQ_CST) != 0; }
/// True if the bit of \p port's word is set in vCPU 0's pending selector.
inline bool selector(std::uint32_t port) {
  return (__atomic_load_n(&vinfo->evtchn_pending_sel, __ATOMIC_SEQ_CST) >> (port / 64)) & 1u;
}

/// Lets pending upcalls in until \p done() or until \p ns of system time have passed (a bound,
/// never an observation). Returns done().
template <class Pred>
bool wait_until(Pred done, std::uint64_t ns = 200000000u) {
  const std::uint64_t end = now() + ns;
  while (!done()) {
    if (now() >= end) return done();
    // With an upcall flagged, `sti; hlt` takes it (it is delivered once hlt waits, and wakes
    // it); without one, hlt could wait for good, so only spin. A short `sti; nop` window alone
    // is not enough on a software KVM, which injects at exits.
    if (upcall_flag()) __asm__ __volatile__("sti; hlt; cli" ::: "memory");
  }
  return true;
}
/// Lets upcalls in for a short while (until one arrives or 20 ms pass).
inline void events_window() {
  const unsigned before = upcalls;
  (void)wait_until([&] { return upcalls != before; }, 20000000u);
}

/// The event upcall: the 2-level scan; every delivered port is cleared and recorded.
inline void upcall_handler() {
  auto& vi = *vinfo;
  auto& s = shared();
  __atomic_store_n(&vi.evtchn_upcall_pending, std::uint8_t{0}, __ATOMIC_SEQ_CST);
  std::uint64_t sel = __atomic_exchange_n(&vi.evtchn_pending_sel, std::uint64_t{0}, __ATOMIC_SEQ_CST);
  while (sel != 0) {
    const unsigned w = kernel::lowest_bit(sel);
    sel &= sel - 1;
    std::uint64_t pend = __atomic_load_n(&s.evtchn_pending[w], __ATOMIC_SEQ_CST) &
                         ~__atomic_load_n(&s.evtchn_mask[w], __ATOMIC_SEQ_CST);
    while (pend != 0) {
      const unsigned b = kernel::lowest_bit(pend);
      pend &= pend - 1;
      __atomic_fetch_and(&s.evtchn_pending[w], ~(std::uint64_t{1} << b), __ATOMIC_SEQ_CST);
      delivered[w] = delivered[w] | (std::uint64_t{1} << b);
    }
  }
  upcalls = upcalls + 1;
}

/// Maps shared_info and installs the upcall (crashes the domain if either fails: nothing could
/// be observed then).
inline void init_events() {
  vinfo = &shared().vcpu_info[0];
  if (map_shared_info() != 0) {
    kernel::println("probe: cannot map shared_info");
    kernel::crash();
  }
  upcall_hook = &upcall_handler;
  if (install_upcall(upcall_vector) != 0) {
    kernel::println("probe: cannot set the callback vector");
    kernel::crash();
  }
}

// Hypercall shorthands used by several probes.
inline long bind_ipi(std::uint32_t vcpu, std::uint32_t& port) {
  abi::evtchn_bind_ipi b{};
  b.vcpu = vcpu;
  const long rc = raw(xenabi::event_channel_op<abi::EVTCHNOP::bind_ipi>(b));
  port = b.port;
  return rc;
}
inline long bind_virq(std::uint32_t virq, std::uint32_t vcpu, std::uint32_t& port) {
  abi::evtchn_bind_virq b{};
  b.virq = virq;
  b.vcpu = vcpu;
  b.port = 0;
  const long rc = raw(xenabi::event_channel_op<abi::EVTCHNOP::bind_virq>(b));
  port = b.port;
  return rc;
}
inline long send(std::uint32_t port) {
  abi::evtchn_send s{};
  s.port = port;
  return raw(xenabi::event_channel_op<abi::EVTCHNOP::send>(s));
}
inline long close(std::uint32_t port) {
  abi::evtchn_close c{};
  c.port = port;
  return raw(xenabi::event_channel_op<abi::EVTCHNOP::close>(c));
}
inline long unmask(std::uint32_t port) {
  abi::evtchn_unmask u{};
  u.port = port;
  return raw(xenabi::event_channel_op<abi::EVTCHNOP::unmask>(u));
}
inline long set_timer(std::uint64_t deadline) { return hcall(H::set_timer_op, deadline); }

}  // namespace probe
