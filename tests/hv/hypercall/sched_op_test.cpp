// hv/hypercall/sched_op.hpp, driven through the in-process platform: sched_op: block, poll (both widths), shutdown and shutdown_code, remote_shutdown, watchdogs.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

#include <atomic>

TEST_CASE("sched_op: poll returns on a pending port or at its timeout - shutdown - bad arguments") {
  hv::sim::machine m;
  auto& d = m.dom();
  abi::evtchn_alloc_unbound au{};
  au.dom = abi::DOMID::SELF;
  au.remote_dom = abi::DOMID::SELF;
  m.put(arg, au);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::alloc_unbound), arg) == 0);
  const auto port = m.get<abi::evtchn_alloc_unbound>(arg).port;
  m.put(buf, port);
  gabi::sched_poll p{};
  p.ports = decltype(p.ports)::from_address(buf);
  p.nr_ports = 1;
  const std::uint64_t deadline = d.clock.now() + 1'000'000;
  p.timeout = deadline;
  m.put(arg, p);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == 0);
  REQUIRE(d.clock.now() >= deadline);  // nothing pending: returned at the timeout
  // Another thread makes the port pending while we poll without timeout.
  p.timeout = 0;
  m.put(arg, p);
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    hv::evtchn_set_pending(d, port);
  });
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == 0);
  t.join();
  REQUIRE(hv::evtchn_is_pending(d, port));
  p.nr_ports = 129;
  m.put(arg, p);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == rc(errc::einval));
  p.nr_ports = 1;
  p.ports = decltype(p.ports)::from_address(unmapped);
  m.put(arg, p);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == rc(errc::efault));
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::yield), 0) == 0);
  m.put(arg, abi::sched_remote_shutdown{0, op(abi::SHUTDOWN::poweroff)});
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::remote_shutdown), arg) == rc(errc::eperm));  // even itself
  REQUIRE(m.call(H::sched_op, 42, arg) == rc(errc::enosys));
  REQUIRE(d.shutdown() == hv::shutdown_kind::none);
  abi::sched_shutdown sd{};
  sd.reason = op(abi::SHUTDOWN::reboot);
  m.put(arg, sd);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::shutdown), arg) == 0);
  REQUIRE(d.shutdown() == hv::shutdown_kind::reboot);
}

TEST_CASE("sched_op: poll checks ports in order - and an upcall for another port ends it") {
  hv::sim::machine m;
  auto& d = m.dom();
  const auto a = bind_ipi(m);
  const auto b = bind_ipi(m);
  REQUIRE(evtchn(m, abi::EVTCHNOP::send, abi::evtchn_send{b}) == 0);
  m.put(buf, std::array<std::uint32_t, 2>{b, 5000});
  gabi::sched_poll p{};
  p.ports = decltype(p.ports)::from_address(buf);
  p.nr_ports = 2;
  p.timeout = d.clock.now() + 10'000'000'000;
  m.put(arg, p);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == 0);  // b pending before 5000 is seen
  m.put(buf, std::array<std::uint32_t, 2>{5000, b});
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == rc(errc::einval));
  // Poll on a alone; another thread raises b (not polled): the upcall kicks the vCPU out.
  clear(d, b);
  m.put(buf, a);
  p.nr_ports = 1;
  m.put(arg, p);
  std::thread raiser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    hv::evtchn_set_pending(d, b);
  });
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == 0);
  raiser.join();
  REQUIRE(d.clock.now() < p.timeout);
  REQUIRE_FALSE(hv::evtchn_is_pending(d, a));
}

TEST_CASE("sched_op: shutdown_code takes any reason - the first one wins and a later shutdown uses it") {
  hv::sim::machine m;
  auto& d = m.dom();
  abi::sched_shutdown s{op(abi::SHUTDOWN::reboot)};
  m.put(arg, s);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::shutdown_code), arg) == 0);
  s.reason = 99;
  m.put(arg, s);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::shutdown_code), arg) == 0);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::shutdown_code), unmapped) == rc(errc::efault));
  REQUIRE(d.shutdown() == hv::shutdown_kind::none);
  s.reason = op(abi::SHUTDOWN::poweroff);
  m.put(arg, s);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::shutdown), arg) == 0);
  REQUIRE(d.shutdown() == hv::shutdown_kind::reboot);
  REQUIRE(d.shutdown_code() == op(abi::SHUTDOWN::reboot));
}

TEST_CASE("sched_op: shutdown with an unknown reason ends the domain (as a crash - code kept)") {
  hv::sim::machine m;
  abi::sched_shutdown s{0x163};  // truncated to 8 bits: 0x63
  m.put(arg, s);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::shutdown), arg) == 0);
  REQUIRE(m.dom().shutdown() == hv::shutdown_kind::crash);
  REQUIRE(m.dom().shutdown_code() == 0x63);
}

TEST_CASE("sched_op: remote_shutdown looks the domain up first - watchdogs") {
  hv::sim::machine m;
  m.add_domain(1);
  auto& d = m.dom();
  abi::sched_remote_shutdown r{};
  r.domain_id = 77;
  m.put(arg, r);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::remote_shutdown), arg) == rc(errc::esrch));
  r.domain_id = abi::DOMID::SELF;
  m.put(arg, r);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::remote_shutdown), arg) == rc(errc::esrch));
  r.domain_id = 1;
  m.put(arg, r);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::remote_shutdown), arg) == rc(errc::eperm));
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::remote_shutdown), unmapped) == rc(errc::efault));
  REQUIRE(m.dom(1).shutdown() == hv::shutdown_kind::none);

  auto watchdog = [&](std::uint32_t id, std::uint32_t timeout) {
    m.put(arg, abi::sched_watchdog{id, timeout});
    return m.call(H::sched_op, op(abi::SCHEDOP::watchdog), arg);
  };
  REQUIRE(watchdog(2, 0) == rc(errc::einval));
  REQUIRE(watchdog(100, 0) == rc(errc::einval));
  REQUIRE(watchdog(0, 3600) == 1);
  REQUIRE(watchdog(0, 3600) == 2);
  REQUIRE(watchdog(0, 3600) == rc(errc::enospc));
  REQUIRE(watchdog(1, 3600) == 0);  // fed
  REQUIRE(watchdog(1, 0) == 0);     // destroyed
  REQUIRE(watchdog(1, 0) == rc(errc::einval));
  REQUIRE(watchdog(2, 0) == 0);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::watchdog), unmapped) == rc(errc::efault));
  REQUIRE(d.shutdown() == hv::shutdown_kind::none);
  // A watchdog of 0 seconds expires at once: the domain is shut down (watchdog).
  REQUIRE(watchdog(0, 0) == 1);
  for (int i = 0; i < 1000 && d.shutdown() == hv::shutdown_kind::none; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(d.shutdown() == hv::shutdown_kind::watchdog);
  REQUIRE(d.shutdown_code() == op(abi::SHUTDOWN::watchdog));
}

TEMPLATE_TEST_CASE("width: SCHEDOP_poll reads sched_poll in the caller's layout", "", abi::width64, abi::width32) {
  using W = TestType;
  hv::sim::machine m;
  with_width<W>(m);
  abi::evtchn_bind_ipi ipi{};
  m.put(arg, ipi);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_ipi), arg) == 0);
  const std::uint32_t port = m.get<abi::evtchn_bind_ipi>(arg).port;
  abi::evtchn_send s{port};
  m.put(arg, s);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::send), arg) == 0);
  m.put(buf, port);
  tmpl::sched_poll<W> p{};
  p.ports = decltype(p.ports)::from_address(buf);
  p.nr_ports = 1;
  p.timeout = 0;
  m.put(arg, p);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == 0);  // pending: returns at once
  p.nr_ports = 129;
  m.put(arg, p);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == xenabi::to_hypercall_rc(errc::einval));
}

TEST_CASE("SCHEDOP_block with interrupts off sleeps through a pending upcall until a new wake-up, as on Xen") {
  hv::sim::machine m;
  auto& d = m.dom();
  auto& v = *d.vcpus[0];
  abi::evtchn_bind_ipi ipi{};
  ipi.vcpu = 0;
  m.put(arg, ipi);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_ipi), arg) == 0);
  const auto port = m.get<abi::evtchn_bind_ipi>(arg).port;
  hv::evtchn_set_pending(d, port);
  REQUIRE(d.upcall_pending(v));
  // Interrupts on: the pending upcall can be delivered, so the block returns at once.
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::block), 0) == 0);
  // Interrupts off: it cannot, so the vCPU blocks (Xen's hvm_local_events_need_delivery).
  m.interrupts_enabled = false;
  std::atomic<bool> returned{false};
  std::atomic<std::int64_t> result{-1};
  std::thread t([&] {
    result = m.call(H::sched_op, op(abi::SCHEDOP::block), 0);
    returned = true;
  });
  for (;;) {
    {
      std::lock_guard lock(v.mu);
      if (v.state == hv::runstate::blocked || returned.load()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Another event while the upcall is still pending raises no new upcall edge: still blocked.
  hv::evtchn_set_pending(d, port);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const bool returned_early = returned.load();
  if (returned_early) t.join();
  REQUIRE_FALSE(returned_early);
  {
    std::lock_guard lock(v.mu);
    REQUIRE(v.state == hv::runstate::blocked);
  }
  d.notify(v);  // a wake-up (as an upcall edge, VCPUOP_up or shutdown would send) ends it
  t.join();
  REQUIRE(returned.load());
  REQUIRE(result.load() == 0);
  REQUIRE(m.trace().last().back().find("interrupts disabled") != std::string::npos);
}
