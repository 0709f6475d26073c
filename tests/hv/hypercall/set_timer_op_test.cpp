// hv/hypercall/set_timer_op.hpp, driven through the in-process platform: set_timer_op: VIRQ_TIMER fires no earlier than asked; passed and far deadlines; two registers on i386.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("set_timer_op + SCHEDOP_block: VIRQ_TIMER fires, not earlier than asked") {
  hv::sim::machine m;
  auto& d = m.dom();
  abi::evtchn_bind_virq bv{};
  bv.virq = op(abi::VIRQ::TIMER);
  bv.vcpu = 0;
  m.put(arg, bv);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), arg) == 0);
  const auto port = m.get<abi::evtchn_bind_virq>(arg).port;
  REQUIRE(port == 1);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), arg) == rc(errc::eexist));
  const std::uint64_t deadline = d.clock.now() + 2'000'000;
  REQUIRE(m.call(H::set_timer_op, deadline) == 0);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::block), 0) == 0);
  REQUIRE(d.clock.now() >= deadline);
  REQUIRE(hv::evtchn_is_pending(d, port));
  REQUIRE(d.shared().vcpu_info[0].evtchn_upcall_pending == 1);
  REQUIRE(d.shared().vcpu_info[0].evtchn_pending_sel == 1);
}

TEST_CASE("timers: a passed deadline fires before the call returns - VCPU_SSHOTTMR_future is ignored") {
  hv::sim::machine m;
  auto& d = m.dom();
  const auto t = bind_timer(m);
  REQUIRE(m.call(H::set_timer_op, 1) == 0);
  REQUIRE(hv::evtchn_is_pending(d, t));  // no wait: already pending on return
  clear(d, t);
  gabi::vcpu_set_singleshot_timer s{};
  s.timeout_abs_ns = 1;
  s.flags = abi::VCPU_SSHOTTMR::future;
  m.put(arg, s);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 0, arg) == 0);
  REQUIRE(hv::evtchn_is_pending(d, t));
}

TEST_CASE("timers: set_timer_op with a negative or far-future deadline fires 100 ms later") {
  hv::sim::machine m;
  auto& d = m.dom();
  const auto t = bind_timer(m);
  for (std::uint64_t deadline : {d.clock.now() + (std::uint64_t{1} << 51), std::uint64_t{1} << 63}) {
    clear(d, t);
    const std::uint64_t start = d.clock.now();
    REQUIRE(m.call(H::set_timer_op, deadline) == 0);
    {
      std::lock_guard lock(d.vcpus[0]->mu);
      REQUIRE(d.vcpus[0]->timer_deadline.has_value());
      REQUIRE(*d.vcpus[0]->timer_deadline >= start + 100000000u);
      REQUIRE(*d.vcpus[0]->timer_deadline <= d.clock.now() + 100000000u);
    }
    REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::block), 0) == 0);
    REQUIRE(hv::evtchn_is_pending(d, t));
  }
  // Just under 2^50 ns ahead is taken as it is.
  const std::uint64_t near = d.clock.now() + (std::uint64_t{1} << 49);
  REQUIRE(m.call(H::set_timer_op, near) == 0);
  std::lock_guard lock(d.vcpus[0]->mu);
  REQUIRE(d.vcpus[0]->timer_deadline == near);
}

TEMPLATE_TEST_CASE("width: timers - singleshot argument size, set_timer_op in two registers", "", abi::width64,
                   abi::width32) {
  using W = TestType;
  hv::sim::machine m;
  with_width<W>(m);
  hv::vcpu& v = *m.dom().vcpus[0];
  const std::uint64_t far = (std::uint64_t{1} << 62) + 5;  // never fires during the test
  // At the very end of RAM: a 64-bit read of a 32-bit caller's 12-byte structure would fault.
  tmpl::vcpu_set_singleshot_timer<W> t{};
  t.timeout_abs_ns = far;
  t.flags = 0;
  const std::uint64_t at = ram - sizeof t;
  m.put(at, t);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 0, at) == 0);
  {
    std::lock_guard lock(v.mu);
    REQUIRE(v.timer_deadline == std::optional<std::uint64_t>(far));
  }
  // A passed deadline with VCPU_SSHOTTMR_future: ignored as on Xen 4.17 (fires at once, no -ETIME);
  // the flags word is read at the caller's offset (8 on both widths) either way.
  t.timeout_abs_ns = 1;
  t.flags = abi::VCPU_SSHOTTMR::future;
  m.put(at, t);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 0, at) == 0);
  // set_timer_op: one register on x86_64; low and high halves in two registers on i386. (A
  // deadline less than 2^50 ns ahead: Xen replaces farther ones by one 100 ms from now.)
  const std::uint64_t far2 = m.dom().clock.now() + (std::uint64_t{1} << 40) + 1;
  if constexpr (W::bits == 32)
    REQUIRE(m.call(H::set_timer_op, far2 & 0xffffffffu, far2 >> 32) == 0);
  else
    REQUIRE(m.call(H::set_timer_op, far2) == 0);
  {
    std::lock_guard lock(v.mu);
    REQUIRE(v.timer_deadline == std::optional<std::uint64_t>(far2));
  }
  REQUIRE(m.call(H::set_timer_op, 0, 0) == 0);
  std::lock_guard lock(v.mu);
  REQUIRE_FALSE(v.timer_deadline.has_value());
}
