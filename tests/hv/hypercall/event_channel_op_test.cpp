// hv/hypercall/event_channel_op.hpp, driven through the in-process platform: event_channel_op: interdomain, IPI, VIRQ and vCPU bindings, send, mask, status, close, reset.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("event channels: interdomain connect, send, mask/unmask, status, close") {
  hv::sim::machine m;
  m.add_domain(1);
  auto& d0 = m.dom(0);
  auto& d1 = m.dom(1);
  // d0 allocates a port for d1.
  abi::evtchn_alloc_unbound au{};
  au.dom = abi::DOMID::SELF;
  au.remote_dom = 1;
  m.put(arg, au);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::alloc_unbound), arg) == 0);
  const auto p0 = m.get<abi::evtchn_alloc_unbound>(arg).port;
  // d1 binds to it.
  abi::evtchn_bind_interdomain bi{};
  bi.remote_dom = 0;
  bi.remote_port = p0;
  m.put(arg, bi, 1);
  REQUIRE(m.hypercall(op(H::event_channel_op), op(abi::EVTCHNOP::bind_interdomain), arg, 0, 0, 0, 1) == 0);
  const auto p1 = m.get<abi::evtchn_bind_interdomain>(arg, 1).local_port;
  REQUIRE(hv::evtchn_is_pending(d1, p1));  // as Xen: the new local port starts pending
  // Binding again fails: the port is no longer unbound.
  REQUIRE(m.hypercall(op(H::event_channel_op), op(abi::EVTCHNOP::bind_interdomain), arg, 0, 0, 0, 1) ==
          rc(errc::einval));
  // Mask p0 in d0, send from d1: pending but no upcall; unmask: upcall.
  d0.shared().evtchn_mask[0] |= std::uint64_t{1} << p0;
  abi::evtchn_send s{p1};
  m.put(arg + 0x100, s, 1);
  REQUIRE(m.hypercall(op(H::event_channel_op), op(abi::EVTCHNOP::send), arg + 0x100, 0, 0, 0, 1) == 0);
  REQUIRE(hv::evtchn_is_pending(d0, p0));
  REQUIRE(d0.shared().vcpu_info[0].evtchn_upcall_pending == 0);
  abi::evtchn_unmask um{p0};
  m.put(arg, um);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::unmask), arg) == 0);
  REQUIRE(d0.shared().vcpu_info[0].evtchn_upcall_pending == 1);
  // status from both sides
  abi::evtchn_status st{};
  st.dom = abi::DOMID::SELF;
  st.port = p0;
  m.put(arg, st);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::status), arg) == 0);
  st = m.get<abi::evtchn_status>(arg);
  REQUIRE(st.status == op(abi::EVTCHNSTAT::interdomain));
  REQUIRE(st.u.interdomain.dom == 1);
  REQUIRE(st.u.interdomain.port == p1);
  // d1 closes: d0's end goes back to unbound (for d1).
  abi::evtchn_close cl{p1};
  m.put(arg, cl, 1);
  REQUIRE(m.hypercall(op(H::event_channel_op), op(abi::EVTCHNOP::close), arg, 0, 0, 0, 1) == 0);
  REQUIRE(m.hypercall(op(H::event_channel_op), op(abi::EVTCHNOP::close), arg, 0, 0, 0, 1) == rc(errc::einval));
  st.dom = abi::DOMID::SELF;
  st.port = p0;
  m.put(arg, st);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::status), arg) == 0);
  REQUIRE(m.get<abi::evtchn_status>(arg).status == op(abi::EVTCHNSTAT::unbound));
  REQUIRE(m.get<abi::evtchn_status>(arg).u.unbound.dom == 1);
  // Sending on an unbound port is silently dropped; on a never-allocated port is EINVAL.
  s.port = p0;
  m.put(arg, s);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::send), arg) == 0);
  s.port = 4000;
  m.put(arg, s);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::send), arg) == rc(errc::einval));
  s.port = 0;
  m.put(arg, s);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::send), arg) == rc(errc::einval));
  // Unknown remote domain.
  bi.remote_dom = 77;
  m.put(arg, bi);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_interdomain), arg) == rc(errc::esrch));
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::send), unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::init_control), arg) == rc(errc::enosys));
}

TEST_CASE("event channels: IPI, VIRQ validation, bind_vcpu") {
  hv::sim::machine m(4 << 20, 2);
  auto& d = m.dom();
  abi::evtchn_bind_ipi ipi{};
  ipi.vcpu = 1;
  m.put(arg, ipi);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_ipi), arg) == 0);
  const auto port = m.get<abi::evtchn_bind_ipi>(arg).port;
  abi::evtchn_send s{port};
  m.put(arg, s);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::send), arg) == 0);
  REQUIRE(d.shared().vcpu_info[1].evtchn_upcall_pending == 1);  // delivered to vCPU 1
  REQUIRE(d.shared().vcpu_info[0].evtchn_upcall_pending == 0);
  ipi.vcpu = 9;
  m.put(arg, ipi);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_ipi), arg) == rc(errc::enoent));
  abi::evtchn_bind_virq bv{};
  bv.virq = 99;
  m.put(arg, bv);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), arg) == rc(errc::einval));
  bv.virq = op(abi::VIRQ::CONSOLE);  // global: vCPU 0 only
  bv.vcpu = 1;
  m.put(arg, bv);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), arg) == rc(errc::einval));
  bv.virq = op(abi::VIRQ::TIMER);
  bv.vcpu = 5;
  m.put(arg, bv);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), arg) == rc(errc::enoent));
  abi::evtchn_bind_vcpu bvc{port, 0};
  m.put(arg, bvc);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_vcpu), arg) == rc(errc::einval));  // IPI cannot move
}

TEST_CASE("event channels: ports are valid in buckets of 64 - port 0 reserved - free ports left alone by unmask") {
  hv::sim::machine m;
  auto& d = m.dom();
  REQUIRE(status_of(m, 0) == op(abi::EVTCHNSTAT::closed));  // reserved port 0: closed, not EINVAL
  REQUIRE(status_of(m, 63) == op(abi::EVTCHNSTAT::closed));
  REQUIRE(status(m, 64) == rc(errc::einval));
  // unmask: any valid port is accepted; a free one keeps its mask bit.
  d.shared().evtchn_mask[0] |= std::uint64_t{1} << 40;
  REQUIRE(evtchn(m, abi::EVTCHNOP::unmask, abi::evtchn_unmask{40}) == 0);
  REQUIRE(mask_bit(d, 40));
  REQUIRE(evtchn(m, abi::EVTCHNOP::unmask, abi::evtchn_unmask{0}) == 0);
  REQUIRE(evtchn(m, abi::EVTCHNOP::unmask, abi::evtchn_unmask{64}) == rc(errc::einval));
  REQUIRE(evtchn(m, abi::EVTCHNOP::send, abi::evtchn_send{0}) == rc(errc::einval));
  REQUIRE(evtchn(m, abi::EVTCHNOP::close, abi::evtchn_close{0}) == rc(errc::einval));
  // Port 64 becomes valid when the 64th port is allocated (ports 1..63 first).
  std::uint32_t last = 0;
  for (int i = 0; i < 63; ++i) last = bind_ipi(m);
  REQUIRE(last == 63);
  REQUIRE(status(m, 64) == rc(errc::einval));
  REQUIRE(bind_ipi(m) == 64);
  REQUIRE(status_of(m, 127) == op(abi::EVTCHNSTAT::closed));
  REQUIRE(status(m, 128) == rc(errc::einval));
  // poll refuses a port outside the buckets
  m.put(buf, std::uint32_t{200});
  gabi::sched_poll p{};
  p.ports = decltype(p.ports)::from_address(buf);
  p.nr_ports = 1;
  p.timeout = 1;
  m.put(arg, p);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == rc(errc::einval));
}

TEST_CASE("event channels: absent domains are ESRCH - other domains EPERM") {
  hv::sim::machine m;
  m.add_domain(1);
  abi::evtchn_alloc_unbound a{};
  a.dom = 77;
  a.remote_dom = abi::DOMID::SELF;
  REQUIRE(evtchn(m, abi::EVTCHNOP::alloc_unbound, a) == rc(errc::esrch));
  a.dom = 1;
  REQUIRE(evtchn(m, abi::EVTCHNOP::alloc_unbound, a) == rc(errc::eperm));
  a.dom = 0;  // our own id is fine
  REQUIRE(evtchn(m, abi::EVTCHNOP::alloc_unbound, a) == 0);
  const auto port = m.get<abi::evtchn_alloc_unbound>(arg).port;
  REQUIRE(status(m, port, 77) == rc(errc::esrch));
  REQUIRE(status(m, port, 1) == rc(errc::eperm));
  REQUIRE(status(m, port, 0) == 0);
  REQUIRE(evtchn(m, abi::EVTCHNOP::reset, abi::evtchn_reset{77}) == rc(errc::esrch));
  REQUIRE(evtchn(m, abi::EVTCHNOP::reset, abi::evtchn_reset{1}) == rc(errc::eperm));
}

TEST_CASE("event channels: bind_vcpu checks the vCPU first - per-vCPU VIRQs cannot move") {
  hv::sim::machine m(4 << 20, 2);
  abi::evtchn_bind_vcpu b{4000, 5};
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_vcpu, b) == rc(errc::enoent));
  b.vcpu = 1;
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_vcpu, b) == rc(errc::einval));
  for (auto virq : {abi::VIRQ::XENOPROF, abi::VIRQ::XENPMU, abi::VIRQ::TIMER, abi::VIRQ::DEBUG}) {
    abi::evtchn_bind_virq v{};
    v.virq = static_cast<std::uint32_t>(virq);
    REQUIRE(evtchn(m, abi::EVTCHNOP::bind_virq, v) == 0);
    b.port = m.get<abi::evtchn_bind_virq>(arg).port;
    REQUIRE(evtchn(m, abi::EVTCHNOP::bind_vcpu, b) == rc(errc::einval));
  }
  abi::evtchn_bind_virq v{};
  v.virq = op(abi::VIRQ::CONSOLE);  // global
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_virq, v) == 0);
  b.port = m.get<abi::evtchn_bind_virq>(arg).port;
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_vcpu, b) == 0);
}

TEST_CASE("event channels: close clears pending - reset closes every port - FIFO-only and pirq ops") {
  hv::sim::machine m;
  m.add_domain(1);
  auto& d = m.dom();
  const auto ipi = bind_ipi(m);
  REQUIRE(evtchn(m, abi::EVTCHNOP::send, abi::evtchn_send{ipi}) == 0);
  REQUIRE(hv::evtchn_is_pending(d, ipi));
  REQUIRE(evtchn(m, abi::EVTCHNOP::close, abi::evtchn_close{ipi}) == 0);
  REQUIRE_FALSE(hv::evtchn_is_pending(d, ipi));
  // An interdomain channel to domain 1, an unbound port and an IPI; reset closes them all and
  // domain 1's end goes back to unbound.
  abi::evtchn_alloc_unbound au{};
  au.dom = abi::DOMID::SELF;
  au.remote_dom = 0;
  m.put(arg, au, 1);
  REQUIRE(m.hypercall(op(H::event_channel_op), op(abi::EVTCHNOP::alloc_unbound), arg, 0, 0, 0, 1) == 0);
  const auto remote = m.get<abi::evtchn_alloc_unbound>(arg, 1).port;
  abi::evtchn_bind_interdomain bi{};
  bi.remote_dom = 1;
  bi.remote_port = remote;
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_interdomain, bi) == 0);
  const auto local = m.get<abi::evtchn_bind_interdomain>(arg).local_port;
  au.remote_dom = abi::DOMID::SELF;
  REQUIRE(evtchn(m, abi::EVTCHNOP::alloc_unbound, au) == 0);
  const auto ipi2 = bind_ipi(m);
  REQUIRE(evtchn(m, static_cast<abi::EVTCHNOP>(14), abi::evtchn_reset{abi::DOMID::SELF}) == rc(errc::ebusy));  // reset_cont
  REQUIRE(evtchn(m, abi::EVTCHNOP::reset, abi::evtchn_reset{abi::DOMID::SELF}) == 0);
  for (auto p : {local, ipi2, local + 1}) REQUIRE(status_of(m, p) == op(abi::EVTCHNSTAT::closed));
  {
    std::lock_guard lock(m.dom(1).mu);
    REQUIRE(m.dom(1).evtchns[remote].state == abi::EVTCHNSTAT::unbound);
  }
  REQUIRE(bind_ipi(m) == 1);  // the lowest port again
  REQUIRE(evtchn(m, abi::EVTCHNOP::reset, abi::evtchn_reset{abi::DOMID::SELF}) == 0);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::reset), unmapped) == rc(errc::efault));
  REQUIRE(evtchn(m, abi::EVTCHNOP::expand_array, abi::evtchn_expand_array{0}) == rc(errc::eopnotsupp));
  REQUIRE(evtchn(m, abi::EVTCHNOP::set_priority, abi::evtchn_set_priority{1, 3}) == rc(errc::enosys));
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_pirq), unmapped) == rc(errc::efault));
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_pirq, abi::evtchn_bind_pirq{}) == rc(errc::enosys));
}
