// hv::host on the in-process platform: create/start, pause/unpause (a paused domain's vCPUs make
// no hypercalls and its timers do not fire until unpause), binding ports between domains.
#include <hv/platform/sim/sim.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using H = abi::hypercall;
using xenabi::errc;

namespace {
constexpr std::uint64_t arg = 0x1000;
template <class E>
constexpr std::uint64_t op(E e) {
  return static_cast<std::uint64_t>(e);
}
}  // namespace

TEST_CASE("host: start once through the platform, unknown domains are ESRCH") {
  hv::sim::machine m;
  auto& h = m.hosts();
  REQUIRE(m.dom(0).started());  // add_domain starts it
  REQUIRE(h.start(0).error() == errc::einval);
  hv::domain& d1 = m.create_domain(1);
  REQUIRE_FALSE(d1.started());
  // Its vCPUs do not run yet: a hypercall from it is a test bug.
  REQUIRE_THROWS_AS(m.hypercall(op(H::xen_version), 0, 0, 0, 0, 0, 1), std::logic_error);
  REQUIRE(h.start(1));
  REQUIRE(d1.started());
  {
    std::lock_guard lock(d1.vcpus[0]->mu);
    REQUIRE(d1.vcpus[0]->state == hv::runstate::running);
  }
  REQUIRE(h.start(1).error() == errc::einval);
  REQUIRE(h.start(7).error() == errc::esrch);
  REQUIRE(h.pause(7).error() == errc::esrch);
  REQUIRE(h.unpause(7).error() == errc::esrch);
  REQUIRE(h.unpause(1).error() == errc::einval);  // not paused
  // A domain without a platform starter cannot be started this way.
  hv::domain& bare = h.create_domain(9, 1 << 20, 1, 1000000, 0);
  REQUIRE(h.start(9).error() == errc::enosys);
  REQUIRE_FALSE(bare.started());
}

TEST_CASE("host: a paused domain's timer does not fire until unpause - pending events wait too") {
  hv::sim::machine m;
  auto& h = m.hosts();
  hv::domain& d = m.dom(0);
  abi::evtchn_bind_virq bv{};
  bv.virq = op(abi::VIRQ::TIMER);
  m.put(arg, bv);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), arg) == 0);
  const auto port = m.get<abi::evtchn_bind_virq>(arg).port;

  REQUIRE(h.pause(0));
  REQUIRE(d.paused());
  d.set_timer(*d.vcpus[0], d.clock.now());  // already expired
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  d.fire_expired_timers();  // what the timer thread would do: nothing while paused
  REQUIRE_FALSE(hv::evtchn_is_pending(d, port));
  {
    std::lock_guard lock(d.vcpus[0]->mu);
    REQUIRE(d.vcpus[0]->timer_deadline.has_value());  // still armed
  }
  REQUIRE(h.unpause(0));
  REQUIRE_FALSE(d.paused());
  // The expired timer fires after unpause: SCHEDOP_poll on its port returns once it is pending.
  std::uint32_t ports[1] = {port};
  m.put(0x2000, ports);
  abi::x86_64::sched_poll p{};
  p.ports = decltype(p.ports)::from_address(0x2000);
  p.nr_ports = 1;
  m.put(arg, p);
  REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::poll), arg) == 0);
  REQUIRE(hv::evtchn_is_pending(d, port));
}

TEST_CASE("host: pauses nest - a paused domain's vCPU makes no hypercall until the last unpause") {
  hv::sim::machine m;
  auto& h = m.hosts();
  hv::domain& d = m.dom(0);
  REQUIRE(h.pause(0));
  REQUIRE(h.pause(0));
  std::atomic<bool> returned{false};
  std::thread guest([&] {
    (void)m.call(H::xen_version, op(abi::XENVER::version), 0);
    returned = true;
  });
  REQUIRE(h.unpause(0));
  REQUIRE(d.paused());  // one pause left
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  REQUIRE_FALSE(returned.load());
  REQUIRE(h.unpause(0));
  guest.join();
  REQUIRE(returned.load());
  REQUIRE(h.unpause(0).error() == errc::einval);
}

TEST_CASE("host: evtchn_connect binds ports between two domains - sends cross - unknown domain is ESRCH") {
  hv::sim::machine m;
  m.add_domain(1);
  auto ports = hv::evtchn_connect(m.hosts(), 0, 1);
  REQUIRE(ports);
  const auto [p0, p1] = ports.value();
  REQUIRE(p0 != 0);
  REQUIRE(p1 != 0);
  REQUIRE_FALSE(hv::evtchn_is_pending(m.dom(0), p0));  // nothing pending at bind
  REQUIRE_FALSE(hv::evtchn_is_pending(m.dom(1), p1));
  abi::evtchn_status st{};
  st.dom = abi::DOMID::SELF;
  st.port = p0;
  m.put(arg, st);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::status), arg) == 0);
  const auto got = m.get<abi::evtchn_status>(arg);
  REQUIRE(got.status == op(abi::EVTCHNSTAT::interdomain));
  REQUIRE(got.u.interdomain.dom == 1);
  REQUIRE(got.u.interdomain.port == p1);
  abi::evtchn_send s{p1};
  m.put(arg, s, 1);
  REQUIRE(m.hypercall(op(H::event_channel_op), op(abi::EVTCHNOP::send), arg, 0, 0, 0, 1) == 0);
  REQUIRE(hv::evtchn_is_pending(m.dom(0), p0));
  // Closing one end leaves the other unbound, as for a guest-made channel.
  abi::evtchn_close c{p0};
  m.put(arg, c);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::close), arg) == 0);
  REQUIRE(m.dom(1).evtchns[p1].state == abi::EVTCHNSTAT::unbound);
  REQUIRE(hv::evtchn_connect(m.hosts(), 0, 5).error() == errc::esrch);
  // A loopback channel within one domain.
  auto loop = hv::evtchn_connect(m.hosts(), 1, 1);
  REQUIRE(loop);
  REQUIRE(loop.value().a != loop.value().b);
}

TEST_CASE("host: an event sent to a paused domain is pending at once and delivered after unpause") {
  hv::sim::machine m;
  m.add_domain(1);
  auto ports = hv::evtchn_connect(m.hosts(), 0, 1);
  REQUIRE(ports);
  REQUIRE(m.hosts().pause(1));
  abi::evtchn_send s{ports.value().a};
  m.put(arg, s);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::send), arg) == 0);
  hv::domain& d1 = m.dom(1);
  REQUIRE(hv::evtchn_is_pending(d1, ports.value().b));  // as Xen: the bit is set
  REQUIRE(d1.upcall_pending(*d1.vcpus[0]));
  REQUIRE(m.hosts().unpause(1));
}
