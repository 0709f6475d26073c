// Behaviours of xenhv that the fidelity probes (tests/fidelity/probes: evtchn, timer, sched,
// vcpu) found to differ from Xen 4.17 and that were fixed to match it, each checked here on the
// in-process platform.
#include <hv/platform/sim/sim.hpp>

#include <array>
#include <chrono>
#include <cstring>
#include <thread>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
namespace gabi = xenabi::abi::x86_64;
using H = abi::hypercall;
using xenabi::errc;

namespace {
constexpr std::int64_t rc(errc e) { return xenabi::to_hypercall_rc(e); }
constexpr std::uint64_t arg = 0x1000;
constexpr std::uint64_t buf = 0x2000;
constexpr std::uint64_t unmapped = 0x40000000;
template <class E>
constexpr std::uint64_t op(E e) {
  return static_cast<std::uint64_t>(e);
}

std::int64_t evtchn(hv::sim::machine& m, abi::EVTCHNOP cmd, const auto& x) {
  m.put(arg, x);
  return m.call(H::event_channel_op, op(cmd), arg);
}
std::uint32_t bind_ipi(hv::sim::machine& m) {
  abi::evtchn_bind_ipi b{};
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_ipi, b) == 0);
  return m.get<abi::evtchn_bind_ipi>(arg).port;
}
std::int64_t status(hv::sim::machine& m, std::uint32_t port, std::uint16_t dom = abi::DOMID::SELF) {
  abi::evtchn_status s{};
  s.dom = dom;
  s.port = port;
  return evtchn(m, abi::EVTCHNOP::status, s);
}
std::uint32_t status_of(hv::sim::machine& m, std::uint32_t port) {
  REQUIRE(status(m, port) == 0);
  return m.get<abi::evtchn_status>(arg).status;
}
bool mask_bit(hv::domain& d, std::uint32_t port) { return (d.shared().evtchn_mask[port / 64] >> (port % 64)) & 1u; }
}  // namespace

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

namespace {
std::uint32_t bind_timer(hv::sim::machine& m) {
  abi::evtchn_bind_virq v{};
  v.virq = op(abi::VIRQ::TIMER);
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_virq, v) == 0);
  return m.get<abi::evtchn_bind_virq>(arg).port;
}
void clear(hv::domain& d, std::uint32_t port) {
  d.shared().evtchn_pending[port / 64] &= ~(std::uint64_t{1} << (port % 64));
  d.shared().vcpu_info[0].evtchn_upcall_pending = 0;
  d.shared().vcpu_info[0].evtchn_pending_sel = 0;
}
}  // namespace

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

TEST_CASE("timers: VCPUOP periodic timer ticks until stopped - bad periods and pointers") {
  hv::sim::machine m(4 << 20, 2);
  auto& d = m.dom();
  const auto t = bind_timer(m);
  abi::vcpu_set_periodic_timer p{};
  p.period_ns = 999999;
  m.put(arg, p);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 0, arg) == rc(errc::einval));
  p.period_ns = std::uint64_t{1} << 63;
  m.put(arg, p);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 0, arg) == rc(errc::einval));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 0, unmapped) == rc(errc::efault));
  p.period_ns = 2000000;
  m.put(arg, p);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 1, arg) == 0);  // another vCPU: allowed
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::stop_periodic_timer), 1, 0) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 0, arg) == 0);
  for (int tick = 0; tick < 2; ++tick) {
    clear(d, t);
    const std::uint64_t start = d.clock.now();
    REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::block), 0) == 0);
    REQUIRE(hv::evtchn_is_pending(d, t));
    REQUIRE(d.clock.now() > start);
  }
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::stop_periodic_timer), 0, 0) == 0);
  std::lock_guard lock(d.vcpus[0]->mu);
  REQUIRE(d.vcpus[0]->periodic_period == 0);
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

TEST_CASE("vcpu_op: initialise refuses an initialised vCPU before checking the context") {
  hv::sim::machine m(4 << 20, 2);
  abi::vcpu_hvm_context bad{};
  bad.mode = 7;
  m.put(arg, bad);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 0, arg) == rc(errc::eexist));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 0, 0) == rc(errc::eexist));  // address 0 is RAM here
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 0, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == rc(errc::einval));  // not initialised: checked
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::get_physid), 0, buf) == rc(errc::einval));
}

TEST_CASE("vcpu_op: register_vcpu_info refuses bad offsets with ENXIO - before already moved") {
  hv::sim::machine m;
  auto reg = [&](std::uint64_t mfn, std::uint32_t offset) {
    abi::vcpu_register_vcpu_info r{};
    r.mfn = mfn;
    r.offset = offset;
    m.put(arg, r);
    return m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 0, arg);
  };
  REQUIRE(reg(0x40, 4096 - 64 + 8) == rc(errc::enxio));
  REQUIRE(reg(0x40, 4) == rc(errc::enxio));
  REQUIRE(reg(0x40, 8192) == rc(errc::enxio));
  REQUIRE(reg(0x7ffffff, 0) == rc(errc::einval));
  REQUIRE(reg(0x40, 4096 - 64) == 0);
  REQUIRE(reg(0x40, 4) == rc(errc::enxio));
  REQUIRE(reg(0x41, 0) == rc(errc::einval));
}

TEST_CASE("vcpu_op: run-state and time areas at any address - contents as of the last state change") {
  hv::sim::machine m;
  auto& d = m.dom();
  auto reg = [&](abi::VCPUOP cmd, std::uint64_t va) {
    m.put(arg, va);
    return m.call(H::vcpu_op, op(cmd), 0, arg);
  };
  REQUIRE(reg(abi::VCPUOP::register_runstate_memory_area, unmapped) == 0);
  REQUIRE(reg(abi::VCPUOP::register_vcpu_time_memory_area, unmapped) == 0);
  // Misaligned and crossing a page: written in full.
  m.put(0x3000 - 20, std::array<std::uint8_t, 64>{});
  for (std::uint64_t a = 0x3000 - 20; a < 0x3000 + 44; ++a) m.put(a, std::uint8_t{0xff});
  REQUIRE(reg(abi::VCPUOP::register_runstate_memory_area, 0x3000 - 20) == 0);
  auto bytes = m.get<std::array<std::uint8_t, sizeof(gabi::vcpu_runstate_info)>>(0x3000 - 20);
  gabi::vcpu_runstate_info r{};
  std::memcpy(&r, bytes.data(), sizeof r);
  REQUIRE(r.state == static_cast<std::int32_t>(abi::RUNSTATE::running));
  REQUIRE((r.state_entry_time & abi::XEN::RUNSTATE_UPDATE) == 0);
  REQUIRE(r.time[0] == 0);  // running since it started: nothing folded in yet
  REQUIRE(m.get<std::uint8_t>(0x3000 + 40) == 0xff);  // nothing written past the 48 bytes
  // get_runstate_info adds the current period without changing the accounting.
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::get_runstate_info), 0, buf) == 0);
  const auto g = m.get<gabi::vcpu_runstate_info>(buf);
  REQUIRE(g.state_entry_time == r.state_entry_time);
  REQUIRE(g.time[0] > 0);
  {
    std::lock_guard lock(d.vcpus[0]->mu);
    REQUIRE(d.vcpus[0]->state_time[0] == 0);
  }
  // The time area is written at registration.
  REQUIRE(reg(abi::VCPUOP::register_vcpu_time_memory_area, 0x5008) == 0);
  const auto t = m.get<abi::vcpu_time_info>(0x5008);
  REQUIRE(t.version != 0);
  REQUIRE((t.version & 1u) == 0);
  REQUIRE(t.tsc_to_system_mul == d.shared().vcpu_info[0].time.tsc_to_system_mul);
}

TEST_CASE("vm_assist: only runstate_update_flag for a PVH guest - the flag is honoured") {
  hv::sim::machine m;
  REQUIRE(m.call(H::vm_assist, op(abi::VMASST_CMD::enable), op(abi::VMASST::TYPE_writable_pagetables)) ==
          rc(errc::einval));
  REQUIRE(m.call(H::vm_assist, op(abi::VMASST_CMD::enable), 31) == rc(errc::einval));
  REQUIRE(m.call(H::vm_assist, 7, op(abi::VMASST::TYPE_runstate_update_flag)) == rc(errc::enosys));
  REQUIRE(m.call(H::vm_assist, op(abi::VMASST_CMD::enable), op(abi::VMASST::TYPE_runstate_update_flag)) == 0);
  REQUIRE(m.dom().runstate_update_flag);
  REQUIRE(m.call(H::vm_assist, op(abi::VMASST_CMD::disable), op(abi::VMASST::TYPE_runstate_update_flag)) == 0);
  REQUIRE_FALSE(m.dom().runstate_update_flag);
}
