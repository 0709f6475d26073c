// Driver domains (hv/backend/driver_domain.hpp) against a sim guest: event channels both ways,
// grants checked against the driver domain's id, handlers on its own thread, the toolstack's
// device directories, and kill + restart with the same id.
#include <hv/backend/driver_domain.hpp>
#include <hv/platform/sim/sim.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
namespace gabi = xenabi::abi::x86_64;
using H = abi::hypercall;
using hv::backend::driver_domain;
using xenabi::errc;

namespace {
constexpr std::uint64_t arg = 0x1000;
template <class E>
constexpr std::uint64_t op(E e) {
  return static_cast<std::uint64_t>(e);
}
// Guest 0 maps its grant frame 0 at gfn 0x50 and writes entry `ref` granting `to` frame `gfn`.
void guest_grant(hv::sim::machine& m, std::uint32_t ref, std::uint16_t to, std::uint64_t gfn, bool ro) {
  gabi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::grant_table);
  x.idx = 0;
  x.gpfn = 0x50;
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == 0);
  abi::grant_entry_v1 e{};
  e.flags = static_cast<std::uint16_t>(abi::GTF::permit_access | (ro ? abi::GTF::readonly : 0));
  e.domid = to;
  e.frame = static_cast<std::uint32_t>(gfn);
  m.put(0x50000 + ref * sizeof e, e);
}
std::uint16_t grant_flags(hv::sim::machine& m, std::uint32_t ref) {
  return m.get<abi::grant_entry_v1>(0x50000 + ref * sizeof(abi::grant_entry_v1)).flags;
}
// Guest 0: EVTCHNOP_alloc_unbound for `remote`.
std::uint32_t guest_alloc_unbound(hv::sim::machine& m, std::uint16_t remote) {
  abi::evtchn_alloc_unbound a{};
  a.dom = abi::DOMID::SELF;
  a.remote_dom = remote;
  m.put(arg, a);
  REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::alloc_unbound), arg) == 0);
  return m.get<abi::evtchn_alloc_unbound>(arg).port;
}
}  // namespace

TEST_CASE("driver domain: ids, xenstore home, event channels both ways, handler on its own thread") {
  hv::sim::machine m;
  hv::xenstore::store xs;
  xs.introduce_domain(0, "guest0");
  const auto id = driver_domain::next_free_id(m.hosts());
  REQUIRE(id == hv::backend::first_driver_domid);
  driver_domain dd(m.hosts(), xs, id, "testback");
  REQUIRE(driver_domain::next_free_id(m.hosts()) == id + 1);
  REQUIRE(dd.xs().read("name").value() == "testback");
  REQUIRE(dd.xs().write("backend/test/x", "1"));  // its own backend directory
  REQUIRE(dd.xs().read("/local/domain/0/name") == errc::eacces);  // not the guest's nodes

  const std::uint32_t gport = guest_alloc_unbound(m, id);
  REQUIRE(dd.bind_interdomain(0, 999) == errc::einval);
  auto lp = dd.bind_interdomain(0, gport);
  REQUIRE(lp);
  std::atomic<int> hits{0};
  std::atomic<bool> other_thread{false};
  const auto main_id = std::this_thread::get_id();
  dd.on_port(lp.value(), [&] {
    other_thread = std::this_thread::get_id() != main_id;
    ++hits;
  });
  dd.start();
  // the guest notifies the backend
  abi::evtchn_send s{gport};
  m.put(arg, s);
  for (int i = 0; i < 1000 && hits == 0; ++i) {
    REQUIRE(m.call(H::event_channel_op, op(abi::EVTCHNOP::send), arg) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE(hits > 0);
  REQUIRE(other_thread);
  // the backend notifies the guest
  REQUIRE(dd.notify(lp.value()));
  REQUIRE(hv::evtchn_is_pending(m.dom(0), gport));
  dd.stop();
  REQUIRE_FALSE(dd.running());
}

TEST_CASE("driver domain: grants only as the guest gave them - kill unmaps and closes - restart with the same id") {
  hv::sim::machine m;
  hv::xenstore::store xs;
  xs.introduce_domain(0, "guest0");
  const auto id = driver_domain::next_free_id(m.hosts());
  hv::backend::device_spec dev{.backend = id, .frontend = 0, .type = "vbd", .devid = 51712,
                               .backend_keys = {{"mode", "w"}}};
  std::uint32_t gport = 0;
  {
    driver_domain dd(m.hosts(), xs, id, "blk");
    REQUIRE(hv::backend::create_device(xs, dev));
    // the guest sees its device, the backend its directory; each may read the other's
    hv::xenstore::client guest(xs, 0);
    REQUIRE(guest.read("device/vbd/51712/backend-id").value() == std::to_string(id));
    REQUIRE(guest.read("device/vbd/51712/backend").value() == hv::backend::backend_path(dev));
    REQUIRE(guest.read(hv::backend::backend_path(dev) + "/mode").value() == "w");
    REQUIRE(dd.xs().read("backend/vbd/0/51712/frontend").value() == hv::backend::frontend_path(dev));
    REQUIRE(dd.xs().read("/local/domain/0/device/vbd/51712/state").value() == "1");
    REQUIRE(guest.write("device/vbd/51712/ring-ref", "8"));
    REQUIRE(dd.xs().read("/local/domain/0/device/vbd/51712/ring-ref").value() == "8");
    REQUIRE(guest.write(hv::backend::backend_path(dev) + "/state", "4") == errc::eacces);

    m.put(0x60000, std::array<char, 6>{'h', 'e', 'l', 'l', 'o', 0});
    guest_grant(m, 8, id, 0x60, false);
    guest_grant(m, 9, id, 0x60, true);
    guest_grant(m, 10, static_cast<std::uint16_t>(id + 1), 0x60, false);  // granted to someone else
    REQUIRE(dd.map(0, 10, false) == errc::eacces);
    REQUIRE(dd.last_gntst() == static_cast<std::int16_t>(abi::GNTST::general_error));
    REQUIRE(dd.map(0, 9, false) == errc::eacces);  // read-only grant
    auto h = dd.map(0, 8, false);
    REQUIRE(h);
    REQUIRE((grant_flags(m, 8) & (abi::GTF::reading | abi::GTF::writing)) == (abi::GTF::reading | abi::GTF::writing));
    auto f = dd.frame(h.value());
    REQUIRE(f);
    REQUIRE(std::string(reinterpret_cast<const char*>(f.value().bytes.data())) == "hello");
    f.value().bytes[0] = std::byte{'j'};
    REQUIRE(m.get<char>(0x60000) == 'j');
    std::array<std::byte, 4> buf{};
    REQUIRE(dd.copy_from_grant(0, 9, 1, buf));
    REQUIRE(static_cast<char>(buf[0]) == 'e');
    REQUIRE(dd.copy_to_grant(0, 9, 0, buf) == errc::eacces);  // read-only
    REQUIRE(dd.copy_from_grant(0, 10, 0, buf) == errc::eacces);
    REQUIRE(dd.copy_from_grant(0, 8, 4094, buf) == errc::einval);

    gport = guest_alloc_unbound(m, id);
    REQUIRE(dd.bind_interdomain(0, gport));
  }  // killed here
  REQUIRE((grant_flags(m, 8) & (abi::GTF::reading | abi::GTF::writing)) == 0);
  {
    std::lock_guard lock(m.dom(0).mu);
    REQUIRE(m.dom(0).evtchns[gport].state == abi::EVTCHNSTAT::unbound);
    REQUIRE(m.dom(0).evtchns[gport].remote_dom == id);
  }
  REQUIRE_FALSE(xs.introduced(id));
  // restart: same id, the device directories are still there and the guest's port can be re-bound
  driver_domain again(m.hosts(), xs, id, "blk");
  REQUIRE(again.xs().read("backend/vbd/0/51712/frontend").value() == hv::backend::frontend_path(dev));
  REQUIRE(again.bind_interdomain(0, gport));
  REQUIRE(again.map(0, 8, false));
}
