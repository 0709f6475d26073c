// Fidelity probe "sched": sched_op on a PVH guest, compared line by line between xenhv and
// Xen 4.17 (tests/fidelity/README.md): yield; poll with a timeout, with a pending (or masked
// pending) port, with ports that become pending, on bad ports and too many ports; block woken
// by a timer; shutdown_code and the shutdown reason codes that do not end the domain;
// remote_shutdown of absent domains; watchdog ids; unknown sub-ops. The last call, poweroff,
// is the only one that shuts the domain down. Interrupts stay disabled throughout.
#include "guest_support.hpp"

namespace {

using namespace probe;
using abi::SCHEDOP;

constexpr std::uint64_t ms = 1000000;
constexpr std::uint64_t unmapped = bad_pointer;

long poll(const std::uint32_t* ports, std::uint32_t n, std::uint64_t timeout) {
  abi::sched_poll p{};
  p.ports = decltype(p.ports)::from(const_cast<std::uint32_t*>(ports));
  p.nr_ports = n;
  p.timeout = timeout;
  return hcall(H::sched_op, op(SCHEDOP::poll), addr(&p));
}
long sched(SCHEDOP cmd, std::uint64_t arg) { return hcall(H::sched_op, op(cmd), arg); }

void run_all() {
  quiesce();
  long rc = 0;
  std::uint32_t t = 0, a = 0, b = 0;
  (void)bind_virq(op(abi::VIRQ::TIMER), 0, t);
  (void)bind_ipi(0, a);
  (void)bind_ipi(0, b);

  obs("yield", sched(SCHEDOP::yield, 0));
  obs("yield_with_argument", sched(SCHEDOP::yield, unmapped));

  // poll with a timeout and nothing pending: returns at (not before) the timeout.
  std::uint64_t deadline = now() + 5 * ms;
  rc = poll(&a, 1, deadline);
  obs("poll_timeout", rc).str("not_early", yn(now() >= deadline)).str("pending", yn(is_pending(a)));
  deadline = now() + 5 * ms;
  rc = poll(nullptr, 0, deadline);
  obs("poll_no_ports_timeout", rc).str("not_early", yn(now() >= deadline));
  rc = poll(&a, 1, 1);
  obs("poll_timeout_in_past", rc).str("pending", yn(is_pending(a)));

  // poll with a port already pending: returns at once (before a far timeout).
  quiesce();
  (void)send(b);
  deadline = now() + 10000 * ms;
  rc = poll(&b, 1, deadline);
  obs("poll_pending", rc).str("returned_before_timeout", yn(now() < deadline)).str("still_pending", yn(is_pending(b)));
  const std::uint32_t ab[2] = {a, b};
  rc = poll(ab, 2, deadline);
  obs("poll_pending_second_of_two", rc).str("returned_before_timeout", yn(now() < deadline));
  rc = poll(&b, 1, 0);
  obs("poll_pending_no_timeout", rc).str("still_pending", yn(is_pending(b)));
  set_mask(b);
  rc = poll(&b, 1, deadline);
  obs("poll_masked_pending", rc).str("returned_before_timeout", yn(now() < deadline)).str("upcall_flag", yn(upcall_flag()));
  clear_mask(b);

  // poll woken by a port becoming pending (the timer's VIRQ port).
  quiesce();
  deadline = now() + 10000 * ms;
  (void)set_timer(now() + 5 * ms);
  const std::uint32_t at[2] = {a, t};
  rc = poll(at, 2, deadline);
  obs("poll_woken_by_timer", rc).str("returned_before_timeout", yn(now() < deadline)).str("timer_pending", yn(is_pending(t)));
  // A port not polled becoming pending raises an upcall, and that kicks the vCPU out of the
  // poll (Xen wakes a blocked vCPU whenever it marks events pending for it). The timer is far
  // enough ahead to fire during the poll, not before it.
  quiesce();
  (void)set_timer(now() + 50 * ms);
  deadline = now() + 1000 * ms;
  rc = poll(&a, 1, deadline);
  obs("poll_kicked_by_other_port", rc).str("not_early", yn(now() >= deadline)).str("timer_pending", yn(is_pending(t)));

  // poll on bad ports and bad arguments
  quiesce();
  (void)send(b);
  std::uint32_t ports[130] = {};
  for (auto& p : ports) p = a;
  deadline = now() + 5 * ms;
  obs("poll_129_ports", poll(ports, 129, deadline));
  rc = poll(ports, 128, deadline);
  obs("poll_128_ports", rc).str("not_early", yn(now() >= deadline));
  const std::uint32_t bad_first[2] = {5000, b};
  obs("poll_bad_port_first", poll(bad_first, 2, deadline));
  const std::uint32_t bad_second[2] = {b, 5000};
  obs("poll_bad_port_after_pending", poll(bad_second, 2, deadline));
  const std::uint32_t edge[1] = {4096};
  obs("poll_port_4096", poll(edge, 1, deadline));
  const std::uint32_t last[2] = {4095, b};
  obs("poll_port_4095", poll(last, 2, deadline));
  const std::uint32_t closed[2] = {300, b};
  obs("poll_closed_port", poll(closed, 2, deadline));
  obs("poll_bad_ports_pointer", poll(reinterpret_cast<const std::uint32_t*>(unmapped), 1, deadline));
  obs("poll_bad_pointer", sched(SCHEDOP::poll, unmapped));

  // block with interrupts disabled and no upcall pending: returns when the timer fires.
  // (The timer must not fire before the block starts: with the upcall already flagged, Xen
  // would block for good, see below; hence a whole second, which even a loaded host running Xen
  // under QEMU's emulation does not spend between two hypercalls.)
  quiesce();
  deadline = now() + 1000 * ms;
  (void)set_timer(deadline);
  rc = sched(SCHEDOP::block, 0);
  obs("block_woken_by_timer", rc).str("timer_pending", yn(is_pending(t))).str("not_early", yn(now() >= deadline))
      .str("upcall_flag", yn(upcall_flag()));
  quiesce();

  // shutdown_code: records a reason for a later shutdown (the first one recorded wins), never
  // shuts down by itself. poweroff first, so the final shutdown stays a poweroff.
  abi::sched_shutdown s{};
  s.reason = op(abi::SHUTDOWN::poweroff);
  obs("shutdown_code_poweroff", sched(SCHEDOP::shutdown_code, addr(&s)));
  s.reason = op(abi::SHUTDOWN::reboot);
  obs("shutdown_code_reboot", sched(SCHEDOP::shutdown_code, addr(&s)));
  s.reason = 99;
  obs("shutdown_code_unknown_reason", sched(SCHEDOP::shutdown_code, addr(&s)));
  obs("shutdown_code_bad_pointer", sched(SCHEDOP::shutdown_code, unmapped));
  obs("shutdown_bad_pointer", sched(SCHEDOP::shutdown, unmapped));

  // remote_shutdown of domains that do not exist (DOMID_SELF is not resolved here)
  abi::sched_remote_shutdown r{};
  r.domain_id = 77;
  r.reason = op(abi::SHUTDOWN::poweroff);
  obs("remote_shutdown_absent", sched(SCHEDOP::remote_shutdown, addr(&r)));
  r.domain_id = abi::DOMID::SELF;
  obs("remote_shutdown_domid_self", sched(SCHEDOP::remote_shutdown, addr(&r)));
  obs("remote_shutdown_bad_pointer", sched(SCHEDOP::remote_shutdown, unmapped));

  // watchdog: destroying ids that were never created
  abi::sched_watchdog w{};
  w.id = 2;
  w.timeout = 0;
  obs("watchdog_destroy_unknown", sched(SCHEDOP::watchdog, addr(&w)));
  w.id = 100;
  obs("watchdog_id_out_of_range", sched(SCHEDOP::watchdog, addr(&w)));
  obs("watchdog_bad_pointer", sched(SCHEDOP::watchdog, unmapped));
  w.id = 0;
  w.timeout = 3600;
  rc = sched(SCHEDOP::watchdog, addr(&w));
  obs("watchdog_create", rc > 0 ? 0 : rc).str("id_positive", yn(rc > 0));
  if (rc > 0) {
    w.id = static_cast<std::uint32_t>(rc);
    w.timeout = 3600;
    obs("watchdog_feed", sched(SCHEDOP::watchdog, addr(&w)));
    w.timeout = 0;
    obs("watchdog_destroy", sched(SCHEDOP::watchdog, addr(&w)));
    obs("watchdog_destroy_again", sched(SCHEDOP::watchdog, addr(&w)));
  }

  obs("unknown_subop_8", sched(static_cast<SCHEDOP>(8), 0));
  obs("unknown_subop_99", sched(static_cast<SCHEDOP>(99), 0));

  // Not probed: SCHEDOP_block with interrupts disabled while an upcall is already pending.
  // Xen 4.17 then blocks for good (an HVM vCPU's events "need delivery" only when it can take
  // the interrupt, and nothing kicks it again; measured: even a timer does not wake it).
}

}  // namespace

const char* const probe::area = "sched";

void probe::run() {
  init_events();
  run_all();
}
