// Fidelity probe "timer": set_timer_op and the VCPUOP single-shot and periodic timers, compared
// line by line between xenhv and Xen 4.17 (tests/fidelity/README.md). Observations are "fired /
// did not fire" (within a generous bound) and "fired no earlier than asked", never durations.
// Interrupts stay disabled: a timer's VIRQ_TIMER port is seen in the pending bitmap.
#include "guest_support.hpp"

namespace {

using namespace probe;

constexpr std::uint64_t ms = 1000000;
constexpr std::uint64_t unmapped = bad_pointer;
std::uint32_t tport = 0;
// A deadline certainly in the past for both clocks: the guest's reading of system time and the
// hypervisor's own may differ by a little (under QEMU's emulation by more than a millisecond).
constexpr std::uint64_t long_past = 1;

// Margins: a deadline armed and then cancelled (or checked not to be pending on return) is
// 250 ms away, so that a stall of a loaded host (or of QEMU's emulation, whose guest clock
// follows the host's) does not let it pass in between; checks that nothing fired watch 300 ms.

// Waits (bounded) for the timer port to become pending; \p at gets the time it was seen.
bool fired_within(std::uint64_t bound_ns, std::uint64_t* at = nullptr) {
  const std::uint64_t end = now() + bound_ns;
  while (!is_pending(tport)) {
    if (now() >= end) return false;
  }
  if (at != nullptr) *at = now();
  return true;
}
// Waits the whole \p ns and reports whether the timer port became pending meanwhile.
bool fired_during(std::uint64_t ns) {
  const std::uint64_t end = now() + ns;
  while (now() < end)
    if (is_pending(tport)) return true;
  return is_pending(tport);
}

long singleshot(std::uint32_t vcpu, std::uint64_t deadline, std::uint32_t flags) {
  abi::vcpu_set_singleshot_timer t{};
  t.timeout_abs_ns = deadline;
  t.flags = flags;
  return hcall(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), vcpu, addr(&t));
}
long stop_singleshot(std::uint32_t vcpu) {
  return hcall(H::vcpu_op, op(abi::VCPUOP::stop_singleshot_timer), vcpu, 0);
}
long periodic(std::uint32_t vcpu, std::uint64_t period) {
  abi::vcpu_set_periodic_timer t{};
  t.period_ns = period;
  return hcall(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), vcpu, addr(&t));
}

void run_all() {
  quiesce();
  long rc = 0;

  // A timer with no VIRQ_TIMER port bound: its expiry is lost.
  rc = set_timer(long_past);
  (void)fired_during(20 * ms);
  rc = bind_virq(op(abi::VIRQ::TIMER), 0, tport);
  obs("unbound_expiry_lost", rc).str("pending_after_bind", yn(is_pending(tport)));

  // Nothing is armed at boot (no default periodic timer for a PVH vCPU).
  quiesce();
  obs("idle_at_boot", 0).str("fired", yn(fired_during(50 * ms)));

  // set_timer_op with a deadline in the past: fires at once (before the call returns).
  quiesce();
  rc = set_timer(long_past);
  const bool at_once = is_pending(tport);
  obs("set_timer_op_past", rc).str("pending_on_return", yn(at_once)).str("fired", yn(fired_within(200 * ms)));

  // set_timer_op with a near deadline: fires, not before the deadline, and only once.
  quiesce();
  std::uint64_t deadline = now() + 250 * ms, seen = 0;  // far enough not to pass during the call
  rc = set_timer(deadline);
  const bool early = is_pending(tport);
  const bool fired = fired_within(1000 * ms, &seen);
  obs("set_timer_op_future", rc).str("pending_on_return", yn(early)).str("fired", yn(fired)).str("not_early", yn(seen >= deadline));
  clear_pending(tport);
  obs("set_timer_op_future_once", 0).str("fired_again", yn(fired_during(30 * ms)));

  // 0 cancels a pending timer.
  quiesce();
  rc = set_timer(now() + 250 * ms);
  const long rc0 = set_timer(0);
  obs("set_timer_op_cancel", rc0).kv("arm_rc", static_cast<std::uint64_t>(rc)).str("fired", yn(fired_during(300 * ms)));
  rc = set_timer(0);
  obs("set_timer_op_cancel_idle", rc);

  // A later set_timer_op replaces the earlier deadline (one timer per vCPU).
  quiesce();
  (void)set_timer(now() + 1000 * ms);
  deadline = now() + 5 * ms;
  rc = set_timer(deadline);
  obs("set_timer_op_replace_earlier", rc).str("fired", yn(fired_within(500 * ms, &seen))).str("not_early", yn(seen >= deadline));
  quiesce();
  (void)set_timer(now() + 250 * ms);
  rc = set_timer(now() + 1000 * ms);
  obs("set_timer_op_replace_later", rc).str("fired", yn(fired_during(300 * ms)));
  (void)set_timer(0);

  // Deadlines Xen treats as a guest's wrapped jiffies: negative, or more than 2^50 ns ahead.
  quiesce();
  rc = set_timer(now() + (std::uint64_t{1} << 51));
  obs("set_timer_op_far_future", rc).str("pending_on_return", yn(is_pending(tport))).str("fired", yn(fired_within(2000 * ms)));
  quiesce();
  rc = set_timer(std::uint64_t{1} << 63);
  obs("set_timer_op_negative", rc).str("pending_on_return", yn(is_pending(tport))).str("fired", yn(fired_within(2000 * ms)));
  (void)set_timer(0);

  // VCPUOP_set_singleshot_timer
  quiesce();
  rc = singleshot(0, long_past, 0);
  obs("singleshot_past", rc).str("pending_on_return", yn(is_pending(tport))).str("fired", yn(fired_within(200 * ms)));
  quiesce();
  rc = singleshot(0, long_past, abi::VCPU_SSHOTTMR::future);
  obs("singleshot_past_future_flag", rc).str("fired", yn(fired_during(30 * ms)));
  quiesce();
  deadline = now() + 5 * ms;
  rc = singleshot(0, deadline, abi::VCPU_SSHOTTMR::future);
  obs("singleshot_future_flag", rc).str("fired", yn(fired_within(500 * ms, &seen))).str("not_early", yn(seen >= deadline));
  quiesce();
  deadline = now() + 5 * ms;
  rc = singleshot(0, deadline, 0);
  obs("singleshot_future", rc).str("fired", yn(fired_within(500 * ms, &seen))).str("not_early", yn(seen >= deadline));
  quiesce();
  rc = singleshot(0, now() + 250 * ms, 0);
  const long rcs = stop_singleshot(0);
  obs("singleshot_stop", rcs).kv("arm_rc", static_cast<std::uint64_t>(rc)).str("fired", yn(fired_during(300 * ms)));
  obs("singleshot_stop_idle", stop_singleshot(0));
  quiesce();
  (void)singleshot(0, now() + 250 * ms, 0);
  rc = set_timer(0);
  obs("singleshot_cancelled_by_set_timer_op", rc).str("fired", yn(fired_during(300 * ms)));
  quiesce();
  (void)set_timer(now() + 250 * ms);
  rc = stop_singleshot(0);
  obs("set_timer_op_stopped_by_singleshot_stop", rc).str("fired", yn(fired_during(300 * ms)));
  obs("singleshot_other_vcpu", singleshot(1, now() + ms, 0));
  obs("singleshot_stop_other_vcpu", stop_singleshot(1));
  obs("singleshot_bad_pointer", hcall(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 0, unmapped));
  obs("singleshot_unknown_flags", singleshot(0, now() + 1000 * ms, 0x80));
  (void)stop_singleshot(0);

  // VCPUOP_set_periodic_timer / stop_periodic_timer
  quiesce();
  obs("periodic_too_short", periodic(0, 999999));
  obs("periodic_other_vcpu", periodic(1, 10 * ms));
  obs("periodic_bad_pointer", hcall(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 0, unmapped));
  rc = periodic(0, 10 * ms);
  const bool first = fired_within(1000 * ms);
  clear_pending(tport);
  const bool second = fired_within(1000 * ms);
  obs("periodic", rc).str("fired", yn(first)).str("fired_again", yn(second));
  rc = hcall(H::vcpu_op, op(abi::VCPUOP::stop_periodic_timer), 0, 0);
  quiesce();
  obs("periodic_stop", rc).str("fired_after_stop", yn(fired_during(50 * ms)));
  obs("periodic_stop_other_vcpu", hcall(H::vcpu_op, op(abi::VCPUOP::stop_periodic_timer), 1, 0));

  // Delivery: with interrupts on, the timer arrives as an upcall on its port.
  quiesce();
  (void)set_timer(now() + 2 * ms);
  const bool up = wait_until([] { return was_delivered(tport); }, 500 * ms);
  obs("upcall_delivery", 0).str("delivered", yn(up)).str("pending_after", yn(is_pending(tport)));
}

}  // namespace

const char* const probe::area = "timer";

void probe::run() {
  init_events();
  run_all();
}
