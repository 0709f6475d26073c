// The hypercall layer driven by the in-process platform (hv/platform/sim): every PVH
// hypercall xenhv implements, positively and with bad arguments.
#include <hv/platform/sim/sim.hpp>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
namespace gabi = xenabi::abi::x86_64;
using H = abi::hypercall;
using xenabi::errc;

namespace {
constexpr std::int64_t rc(errc e) { return xenabi::to_hypercall_rc(e); }
constexpr std::uint64_t arg = 0x1000;  // where tests put hypercall argument structures
constexpr std::uint64_t buf = 0x2000;  // and buffers
constexpr std::uint64_t unmapped = 0x40000000;  // beyond the 4 MiB of sim RAM
template <class E>
constexpr std::uint64_t op(E e) {
  return static_cast<std::uint64_t>(e);
}
}  // namespace

TEST_CASE("xen_version: version, strings, features - bad buffer and sub-op") {
  hv::sim::machine m;
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::version), 0) == 0x00040011);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::extraversion), buf) == 0);
  REQUIRE(std::string(m.get<std::array<char, 16>>(buf).data()).rfind(".", 0) == 0);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::capabilities), buf) == 0);
  REQUIRE(std::string(m.get<std::array<char, 64>>(buf).data()).find("hvm-3.0-x86_64") != std::string::npos);
  abi::xen_feature_info fi{};
  fi.submap_idx = 0;
  m.put(arg, fi);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::get_features), arg) == 0);
  const auto sub = m.get<abi::xen_feature_info>(arg).submap;
  REQUIRE((sub >> static_cast<unsigned>(abi::XENFEAT::hvm_callback_vector) & 1u) == 1u);
  REQUIRE((sub >> static_cast<unsigned>(abi::XENFEAT::auto_translated_physmap) & 1u) == 1u);
  REQUIRE((sub >> static_cast<unsigned>(abi::XENFEAT::not_direct_mapped) & 1u) == 1u);
  REQUIRE((sub >> static_cast<unsigned>(abi::XENFEAT::dom0) & 1u) == 0u);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::pagesize), 0) == 4096);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::extraversion), unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::commandline), buf) == rc(errc::eperm));
  REQUIRE(m.call(H::xen_version, 99, buf) == rc(errc::enosys));
}

TEST_CASE("xen_version: as Xen 4.17 - one feature submap, pagesize wants a null argument, capabilities order") {
  hv::sim::machine m;
  for (std::uint32_t idx : {1u, 2u, 0xffffffffu}) {
    m.put(arg, abi::xen_feature_info{idx, 0xdeadbeef});
    REQUIRE(m.call(H::xen_version, op(abi::XENVER::get_features), arg) == rc(errc::einval));
    REQUIRE(m.get<abi::xen_feature_info>(arg).submap == 0xdeadbeef);  // nothing written
  }
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::pagesize), buf) == rc(errc::einval));
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::capabilities), buf) == 0);
  REQUIRE(std::string(m.get<std::array<char, 64>>(buf).data()) == "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ");
}

TEST_CASE("console_io: write goes to the console, read returns input - bad buffer - release build") {
  hv::sim::machine m;
  m.put(buf, std::array<char, 6>{'h', 'i', '!', '\n', 0, 0});
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 4, buf) == 0);
  REQUIRE(m.console_output() == "hi!\n");
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 4, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 8, (4u << 20) - 4) == rc(errc::efault));
  m.dom().console.input = "abc";
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), 2, buf) == 2);
  REQUIRE(m.get<char>(buf) == 'a');
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), 16, buf) == 1);
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), 16, buf) == 0);
  REQUIRE(m.call(H::console_io, 7, 0, buf) == rc(errc::enosys));
  m.policy().release_console = true;
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 4, buf) == rc(errc::eperm));
}

TEST_CASE("hvm_op: set/get CALLBACK_IRQ - guest may not set STORE_PFN - bad index and domain") {
  hv::sim::machine m;
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  p.index = op(abi::HVM_PARAM::CALLBACK_IRQ);
  p.value = (std::uint64_t{2} << 56) | 0xf3;
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::set_param), arg) == 0);
  REQUIRE(m.dom().callback_vector() == 0xf3);
  p.value = 0;
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_param), arg) == 0);
  REQUIRE(m.get<abi::xen_hvm_param>(arg).value == ((std::uint64_t{2} << 56) | 0xf3));
  p.index = op(abi::HVM_PARAM::STORE_PFN);
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::set_param), arg) == rc(errc::eperm));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_param), arg) == 0);
  p.index = 1000;
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_param), arg) == rc(errc::einval));
  p.index = op(abi::HVM_PARAM::CALLBACK_IRQ);
  p.domid = 5;
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::set_param), arg) == rc(errc::esrch));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::set_param), unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::hvm_op, 12345, arg) == rc(errc::enosys));
}

TEST_CASE("console_io: as Xen 4.17 - 32-bit cmd and count, chunked writes, E2BIG reads") {
  hv::sim::machine m;
  m.put(buf, std::array<char, 4>{'o', 'k', '\n', 0});
  const std::uint64_t high = std::uint64_t{1} << 32;
  REQUIRE(m.call(H::console_io, high | op(abi::CONSOLEIO::write), high | 3, buf) == 0);  // upper halves ignored
  REQUIRE(m.console_output() == "ok\n");
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), high, unmapped) == 0);  // count 0
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 0x80000000u, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 0xffffffffu, buf) == rc(errc::efault));
  // 200 bytes ending 50 bytes past the end of RAM: the first 127-byte chunk is written, then -EFAULT.
  const std::uint64_t start = (4u << 20) - 150;
  std::array<char, 150> tail{};
  tail.fill('x');
  m.put(start, tail);
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 200, start) == rc(errc::efault));
  REQUIRE(m.console_output() == "ok\n" + std::string(127, 'x'));
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), 0x80000000u, buf) == rc(errc::e2big));
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), high | 0xffffffffu, buf) == rc(errc::e2big));
  REQUIRE(m.call(H::console_io, high | op(abi::CONSOLEIO::read), high | 16u, buf) == 0);
}

TEST_CASE("memory_op: as Xen 4.17 - add_to_physmap space checks, maximum_ram_page, sharing counters") {
  hv::sim::machine m;
  gabi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.gpfn = 0x31;
  for (std::uint32_t space : {6u, 99u, 0xffffffffu}) {
    x.space = space;
    m.put(arg, x);
    REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == rc(errc::einval));
  }
  x.space = op(abi::XENMAPSPACE::dev_mmio);
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == rc(errc::eacces));
  x.space = op(abi::XENMAPSPACE::gmfn_foreign);
  x.domid = 9;  // the space is refused before the domain is looked up
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == rc(errc::enosys));
  x.space = op(abi::XENMAPSPACE::shared_info);
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == rc(errc::esrch));
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::maximum_ram_page), 0) > 0);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::maximum_ram_page) | (1u << 6), 0) == rc(errc::einval));
  REQUIRE(m.call(H::memory_op, 18, 0) == 0);
  REQUIRE(m.call(H::memory_op, 19, 0) == 0);
}

TEST_CASE("memory_op: shared_info moves into the guest frame - memory map - reservations") {
  hv::sim::machine m;
  auto& d = m.dom();
  d.publish_wallclock();
  const auto wc = d.shared().wc_sec;
  gabi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::shared_info);
  x.idx = 0;
  x.gpfn = 0x30;
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == 0);
  REQUIRE(&d.shared() == d.mem.object<gabi::shared_info>(xenabi::phys_addr{0x30000}).value());
  REQUIRE(m.get<gabi::shared_info>(0x30000).wc_sec == wc);
  x.gpfn = 0x100000;  // outside RAM
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == rc(errc::einval));
  x.gpfn = 0x31;
  x.idx = 1;
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == rc(errc::einval));
  x.space = op(abi::XENMAPSPACE::gmfn_foreign);
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == rc(errc::enosys));

  gabi::xen_memory_map mm{};
  mm.nr_entries = 2;
  mm.buffer = decltype(mm.buffer)::from_address(buf);
  m.put(arg, mm);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::memory_map), arg) == 0);
  REQUIRE(m.get<gabi::xen_memory_map>(arg).nr_entries == 2);  // capped by the caller's room
  REQUIRE(m.get<std::uint64_t>(buf + 8) == 0xa0000);          // first entry's size
  mm.nr_entries = 10;
  m.put(arg, mm);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::memory_map), arg) == 0);
  REQUIRE(m.get<gabi::xen_memory_map>(arg).nr_entries == 3);
  mm.buffer = decltype(mm.buffer)::from_address(unmapped);
  m.put(arg, mm);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::memory_map), arg) == rc(errc::efault));

  m.put(arg, abi::DOMID::SELF);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::current_reservation), arg) == (4 << 20) / 4096);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::maximum_reservation), arg) == (4 << 20) / 4096);
  m.put(arg, abi::domid_t{9});
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::current_reservation), arg) == rc(errc::esrch));
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::exchange), arg) == rc(errc::enosys));
}

TEST_CASE("memory_op: decrease/populate/increase_reservation keep the reservation - bad arguments stop the work") {
  hv::sim::machine m;
  m.add_domain(1);
  auto& d = m.dom();
  const std::int64_t all = (4 << 20) / 4096;
  const auto reservation = [&](abi::XENMEM cmd, std::uint64_t list, std::uint64_t n, std::uint32_t order,
                               abi::domid_t dom = abi::DOMID::SELF, std::uint64_t start = 0) {
    gabi::xen_memory_reservation r{};
    r.extent_start = decltype(r.extent_start)::from_address(list);
    r.nr_extents = n;
    r.extent_order = order;
    r.domid = dom;
    m.put(arg, r);
    return m.call(H::memory_op, op(cmd) | (start << 6), arg);
  };
  const auto current = [&] {
    m.put(buf + 0x800, abi::DOMID::SELF);
    return m.call(H::memory_op, op(abi::XENMEM::current_reservation), buf + 0x800);
  };
  // Give back frames 0x80 and 0x90, then an order-2 extent at 0x100.
  m.put(0x80000, std::uint64_t{0x1234});
  m.put(buf, std::array<std::uint64_t, 2>{0x80, 0x90});
  REQUIRE(reservation(abi::XENMEM::decrease_reservation, buf, 2, 0) == 2);
  REQUIRE(current() == all - 2);
  REQUIRE_FALSE(d.mem.read<std::uint64_t>(xenabi::phys_addr{0x80000}));  // absent: checked access fails
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 4, 0x80000) == rc(errc::efault));
  m.put(buf, std::uint64_t{0x100});
  REQUIRE(reservation(abi::XENMEM::decrease_reservation, buf, 1, 2) == 1);
  REQUIRE(current() == all - 6);
  // Decreasing an absent frame stops there (the first extent is done, the second is not).
  m.put(buf, std::array<std::uint64_t, 2>{0xa0, 0x80});
  REQUIRE(reservation(abi::XENMEM::decrease_reservation, buf, 2, 0) == 1);
  REQUIRE(current() == all - 7);
  // Populate 0x80 again: present and zeroed.
  m.put(buf, std::uint64_t{0x80});
  REQUIRE(reservation(abi::XENMEM::populate_physmap, buf, 1, 0) == 1);
  REQUIRE(m.get<std::uint64_t>(0x80000) == 0);
  REQUIRE(current() == all - 6);
  // Populating a present frame, a frame outside RAM, a misaligned extent: nothing done.
  REQUIRE(reservation(abi::XENMEM::populate_physmap, buf, 1, 0) == 0);
  m.put(buf, std::uint64_t{0x100000});
  REQUIRE(reservation(abi::XENMEM::populate_physmap, buf, 1, 0) == 0);
  m.put(buf, std::uint64_t{0x101});
  REQUIRE(reservation(abi::XENMEM::populate_physmap, buf, 1, 2) == 0);
  // The order-2 extent and 0x90 come back in one call; a continuation start skips done extents.
  m.put(buf, std::array<std::uint64_t, 2>{0x100, 0x104});
  REQUIRE(reservation(abi::XENMEM::populate_physmap, buf, 1, 2) == 1);
  REQUIRE(current() == all - 2);
  m.put(buf, std::array<std::uint64_t, 2>{0x80, 0x90});
  REQUIRE(reservation(abi::XENMEM::populate_physmap, buf, 2, 0, abi::DOMID::SELF, 1) == 2);
  REQUIRE(current() == all - 1);
  // increase_reservation allocates unplaced pages up to the maximum, then stops.
  REQUIRE(reservation(abi::XENMEM::increase_reservation, 0, 3, 0) == 1);
  REQUIRE(current() == all);
  REQUIRE(d.unplaced_pages == 1);
  // At the maximum reservation populate stops too.
  m.put(buf, std::uint64_t{0xa0});
  REQUIRE(reservation(abi::XENMEM::populate_physmap, buf, 1, 0) == 0);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::maximum_reservation), buf + 0x800) == all);

  // Bad arguments, as Xen: an unreadable argument, extent list or too large an order do
  // nothing and return the extents done (0); a foreign existing domain is EPERM, an unknown one 0.
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::decrease_reservation), unmapped) == 0);
  REQUIRE(reservation(abi::XENMEM::decrease_reservation, unmapped, 1, 0) == 0);
  m.put(buf, std::uint64_t{0x200});
  REQUIRE(reservation(abi::XENMEM::decrease_reservation, buf, 1, 10) == 0);
  REQUIRE(reservation(abi::XENMEM::decrease_reservation, buf, 1, 0, 1) == rc(errc::eperm));
  REQUIRE(reservation(abi::XENMEM::populate_physmap, buf, 1, 0, 7) == 0);
  REQUIRE(reservation(abi::XENMEM::decrease_reservation, buf, std::uint64_t{1} << 27, 0) == 0);
  REQUIRE(m.trace().last().back().find("nr_extents too large") != std::string::npos);
  REQUIRE(current() == all);
  REQUIRE(m.get<std::uint64_t>(0x200000) == 0);  // frame 0x200 still present
}

TEST_CASE("vcpu_op: register_vcpu_info once, runstate area, singleshot timer, bad vCPU") {
  hv::sim::machine m(4 << 20, 2);
  abi::vcpu_register_vcpu_info r{};
  r.mfn = 0x40;
  r.offset = 0x80;
  m.put(arg, r);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 0, arg) == 0);
  auto vi = m.get<gabi::vcpu_info>(0x40080);
  REQUIRE(vi.evtchn_upcall_pending == 1);  // as Xen: everything marked pending after a move
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 0, arg) == rc(errc::einval));
  r.offset = 4090;
  m.put(arg, r);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 1, arg) == rc(errc::enxio));  // as Xen 4.17
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 7, arg) == rc(errc::enoent));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), 0, 0) == 1);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), 1, 0) == 0);

  gabi::vcpu_register_runstate_memory_area ra{};
  ra.addr.p = 0x3000;
  m.put(arg, ra);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, arg) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  m.put(arg, ra);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, arg) == 0);
  auto rs = m.get<gabi::vcpu_runstate_info>(0x3000);
  REQUIRE(rs.state == static_cast<std::int32_t>(abi::RUNSTATE::running));
  REQUIRE(rs.state_entry_time > 0);  // entered running at start; nothing else folded in yet (as Xen)
  REQUIRE((rs.state_entry_time & abi::XEN::RUNSTATE_UPDATE) == 0);
  ra.addr.p = unmapped;
  m.put(arg, ra);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, arg) == 0);  // as Xen: accepted

  gabi::vcpu_set_singleshot_timer t{};
  t.timeout_abs_ns = 1;  // long past
  t.flags = abi::VCPU_SSHOTTMR::future;
  m.put(arg, t);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 0, arg) == 0);  // flag ignored, as Xen 4.17
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 1, arg) == rc(errc::einval));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::stop_singleshot_timer), 0, 0) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::send_nmi), 1, arg) == rc(errc::enosys));
}

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

TEST_CASE("multicall: each entry dispatched, results written back - bad list is EFAULT") {
  hv::sim::machine m;
  gabi::multicall_entry e[2]{};
  e[0].op = op(H::xen_version);
  e[0].args[0] = op(abi::XENVER::version);
  e[1].op = op(H::mmu_update);
  m.put(buf, e);
  REQUIRE(m.call(H::multicall, buf, 2) == 0);
  auto out = m.get<std::array<gabi::multicall_entry, 2>>(buf);
  REQUIRE(out[0].result == 0x00040011);
  REQUIRE(static_cast<std::int64_t>(out[1].result) == rc(errc::enosys));
  REQUIRE(m.call(H::multicall, unmapped, 1) == rc(errc::efault));
}

TEST_CASE("refusals: PV-only hypercalls are ENOSYS, privileged ones EPERM, each with a trace note") {
  hv::sim::machine m;
  REQUIRE(m.call(H::mmu_update, 0, 0, 0) == rc(errc::enosys));
  auto last = m.trace().last();
  REQUIRE(last.back().find("mmu_update") != std::string::npos);
  REQUIRE(last.back().find("PVH") != std::string::npos);
  REQUIRE(m.call(H::platform_op, 0) == rc(errc::eacces));  // zeroed structure: wrong interface version
  REQUIRE(m.hypercall(200) == rc(errc::enosys));
  REQUIRE(m.trace().last().back().find("ENOSYS") != std::string::npos);
}

TEST_CASE("grant tables: setup/query, frames mapped with add_to_physmap, v1 only, copy through a grant") {
  hv::sim::machine m;
  m.add_domain(1);
  // Domain 1 maps its grant frame 0 at gfn 0x50 and grants domain 0 read access to its gfn 0x60.
  gabi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::grant_table);
  x.idx = 0;
  x.gpfn = 0x50;
  m.put(arg, x, 1);
  REQUIRE(m.hypercall(op(H::memory_op), op(abi::XENMEM::add_to_physmap), arg, 0, 0, 0, 1) == 0);
  abi::grant_entry_v1 e{};
  e.flags = abi::GTF::permit_access | abi::GTF::readonly;
  e.domid = 0;
  e.frame = 0x60;
  m.put(0x50000 + 10 * sizeof e, e, 1);  // grant reference 10
  m.put(0x60000 + 0x80, std::array<char, 8>{'g', 'r', 'a', 'n', 't', 'e', 'd', 0}, 1);
  x.idx = abi::XENMAPIDX::grant_table_status;
  m.put(arg, x, 1);
  REQUIRE(m.hypercall(op(H::memory_op), op(abi::XENMEM::add_to_physmap), arg, 0, 0, 0, 1) == rc(errc::einval));
  x.idx = 1000;
  m.put(arg, x, 1);
  REQUIRE(m.hypercall(op(H::memory_op), op(abi::XENMEM::add_to_physmap), arg, 0, 0, 0, 1) == rc(errc::einval));

  // setup_table/query_size in domain 1.
  gabi::gnttab_setup_table st{};
  st.dom = abi::DOMID::SELF;
  st.nr_frames = 2;
  st.frame_list = decltype(st.frame_list)::from_address(buf);
  m.put(arg, st, 1);
  REQUIRE(m.hypercall(op(H::grant_table_op), op(abi::GNTTABOP::setup_table), arg, 1, 0, 0, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_setup_table>(arg, 1).status == 0);
  REQUIRE(m.get<std::uint64_t>(buf, 1) == 0x50);
  REQUIRE(m.get<std::uint64_t>(buf + 8, 1) == ~std::uint64_t{0});  // frame 1 not mapped yet
  st.nr_frames = 1000;
  m.put(arg, st, 1);
  REQUIRE(m.hypercall(op(H::grant_table_op), op(abi::GNTTABOP::setup_table), arg, 1, 0, 0, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_setup_table>(arg, 1).status == static_cast<std::int16_t>(abi::GNTST::general_error));
  abi::gnttab_query_size q{};
  q.dom = abi::DOMID::SELF;
  m.put(arg, q, 1);
  REQUIRE(m.hypercall(op(H::grant_table_op), op(abi::GNTTABOP::query_size), arg, 1, 0, 0, 1) == 0);
  REQUIRE(m.get<abi::gnttab_query_size>(arg, 1).nr_frames == 2);
  REQUIRE(m.get<abi::gnttab_query_size>(arg, 1).max_nr_frames >= 2);
  abi::gnttab_set_version sv{2};
  m.put(arg, sv);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::set_version), arg, 1) == rc(errc::enosys));
  REQUIRE(m.get<abi::gnttab_set_version>(arg).version == 1);
  sv.version = 1;
  m.put(arg, sv);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::set_version), arg, 1) == 0);

  // Domain 0 copies granted bytes into its own frame 0x70; writing through a read-only grant fails.
  gabi::gnttab_copy cp{};
  cp.source.u.ref = 10;
  cp.source.domid = 1;
  cp.source.offset = 0x80;
  cp.dest.u.gmfn = 0x70;
  cp.dest.domid = abi::DOMID::SELF;
  cp.dest.offset = 0x10;
  cp.len = 8;
  cp.flags = abi::GNTCOPY::source_gref;
  m.put(arg, cp);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), arg, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_copy>(arg).status == 0);
  REQUIRE(std::string(m.get<std::array<char, 8>>(0x70010).data()) == "granted");
  std::swap(cp.source, cp.dest);
  cp.flags = abi::GNTCOPY::dest_gref;
  m.put(arg, cp);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), arg, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_copy>(arg).status == static_cast<std::int16_t>(abi::GNTST::general_error));
  cp.dest.u.ref = 11;  // an empty entry
  cp.len = 4000;       // and crossing the page: the entry is checked first, as on Xen
  m.put(arg, cp);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), arg, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_copy>(arg).status == static_cast<std::int16_t>(abi::GNTST::general_error));
  cp.dest = cp.source;  // domain 0's own frame 0x70 again: only the length is wrong
  cp.dest.offset = 0x100;
  cp.source = {};
  cp.source.u.ref = 10;
  cp.source.domid = 1;
  cp.flags = abi::GNTCOPY::source_gref;
  m.put(arg, cp);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), arg, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_copy>(arg).status == static_cast<std::int16_t>(abi::GNTST::bad_copy_arg));
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), unmapped, 1) == rc(errc::efault));
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::transfer), arg, 1) == rc(errc::enosys));
}

TEST_CASE("grant copy: Xen's order - both domains, then the source's and the destination's reference or frame, then the bounds") {
  // Xen's gnttab_copy_one locks both ends' domains, resolves the source's reference or frame,
  // then the destination's, and checks the offsets and length only then: an element with
  // several faults gets the status of the first in that order. Every element below also
  // crosses the page (source offset 4090, 8 bytes), which alone would be GNTST_bad_copy_arg.
  hv::sim::machine m;
  gabi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::grant_table);
  x.gpfn = 0x50;
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == 0);
  // Domain 0 grants itself: ref 8 frame 0x60, ref 9 frame 0x61 read-only; ref 5 stays empty.
  m.put(0x50000 + 8 * sizeof(abi::grant_entry_v1), abi::grant_entry_v1{abi::GTF::permit_access, 0, 0x60});
  m.put(0x50000 + 9 * sizeof(abi::grant_entry_v1),
        abi::grant_entry_v1{static_cast<std::uint16_t>(abi::GTF::permit_access | abi::GTF::readonly), 0, 0x61});
  m.put(0x60000 + 4090, std::array<char, 6>{"abcde"});
  const auto status_of = [&](gabi::gnttab_copy cp) {
    cp.source.offset = 4090;
    cp.dest.offset = 16;
    cp.len = 8;
    m.put(arg, cp);
    REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), arg, 1) == 0);
    return static_cast<abi::GNTST>(m.get<gabi::gnttab_copy>(arg).status);
  };
  const auto by_ref = [](gabi::gnttab_copy::gnttab_copy_ptr& end, std::uint32_t ref) {
    end.u.ref = ref;
    end.domid = abi::DOMID::SELF;
  };
  const auto by_frame = [](gabi::gnttab_copy::gnttab_copy_ptr& end, std::uint64_t gmfn, std::uint16_t dom = abi::DOMID::SELF) {
    end.u.gmfn = gmfn;
    end.domid = dom;
  };
  gabi::gnttab_copy cp{};
  cp.flags = abi::GNTCOPY::source_gref;
  by_ref(cp.source, 100000);  // beyond the table
  by_frame(cp.dest, 0x70);
  REQUIRE(status_of(cp) == abi::GNTST::bad_gntref);
  by_ref(cp.source, 5);  // an empty entry
  REQUIRE(status_of(cp) == abi::GNTST::general_error);
  by_ref(cp.source, 8);  // all good but the bounds
  REQUIRE(status_of(cp) == abi::GNTST::bad_copy_arg);

  // Domains first: a bad source reference, and a destination in a domain that does not exist.
  by_ref(cp.source, 100000);
  by_frame(cp.dest, 0x70, 9);
  REQUIRE(status_of(cp) == abi::GNTST::bad_domain);
  // Then the source before the destination.
  cp.flags = abi::GNTCOPY::source_gref | abi::GNTCOPY::dest_gref;
  by_ref(cp.dest, 5);
  REQUIRE(status_of(cp) == abi::GNTST::bad_gntref);
  by_ref(cp.source, 8);
  REQUIRE(status_of(cp) == abi::GNTST::general_error);  // the empty destination entry
  by_ref(cp.dest, 9);                                     // a read-only grant as destination
  REQUIRE(status_of(cp) == abi::GNTST::general_error);
  by_ref(cp.dest, 100000);
  REQUIRE(status_of(cp) == abi::GNTST::bad_gntref);

  // Frames: one outside RAM is bad_page before the bounds.
  cp.flags = 0;
  by_frame(cp.source, 0x30000);
  by_frame(cp.dest, 0x70);
  REQUIRE(status_of(cp) == abi::GNTST::bad_page);
  by_frame(cp.source, 0x60);
  by_frame(cp.dest, 0x30000);
  REQUIRE(status_of(cp) == abi::GNTST::bad_page);
  by_frame(cp.dest, 0x70);
  REQUIRE(status_of(cp) == abi::GNTST::bad_copy_arg);
  REQUIRE(m.get<std::array<char, 8>>(0x70010) == std::array<char, 8>{});  // nothing was copied

  // A backend's copy through a grant (grant_copy_host) checks in the same order.
  std::array<std::byte, 8> host{};
  REQUIRE(hv::grant_copy_host(m.dom(), abi::DOMID::SELF, 100000, 4090, host, hv::grant_copy_dir::from_guest) ==
          abi::GNTST::bad_gntref);
  REQUIRE(hv::grant_copy_host(m.dom(), abi::DOMID::SELF, 9, 4090, host, hv::grant_copy_dir::to_guest) ==
          abi::GNTST::general_error);
  REQUIRE(hv::grant_copy_host(m.dom(), abi::DOMID::SELF, 8, 4090, host, hv::grant_copy_dir::from_guest) ==
          abi::GNTST::bad_copy_arg);
  REQUIRE(hv::grant_copy_host(m.dom(), abi::DOMID::SELF, 8, 4088, host, hv::grant_copy_dir::from_guest) ==
          abi::GNTST::okay);
  REQUIRE(static_cast<char>(host[2]) == 'a');
}

TEST_CASE("grant tables: map/unmap between two domains - flags while mapped - handles - bad arguments") {
  hv::sim::machine m;
  m.add_domain(1);
  // Domain 1 grants domain 0: ref 3 writable (frame 0x60), ref 4 read-only (frame 0x61),
  // ref 5 to domain 7, ref 6 a frame outside its RAM.
  gabi::gnttab_setup_table st{};
  st.dom = abi::DOMID::SELF;
  st.nr_frames = 1;
  st.frame_list = decltype(st.frame_list)::from_address(buf);
  m.put(arg, st, 1);
  REQUIRE(m.hypercall(op(H::grant_table_op), op(abi::GNTTABOP::setup_table), arg, 1, 0, 0, 1) == 0);
  auto& g = m.dom(1);
  const auto entry = [&](std::uint32_t ref) {
    std::lock_guard lock(g.mu);
    abi::grant_entry_v1 e;
    std::byte* frame = g.grant_frame(0);
    REQUIRE(frame != nullptr);
    std::memcpy(&e, frame + ref * sizeof e, sizeof e);
    return e;
  };
  const auto grant = [&](std::uint32_t ref, std::uint16_t flags, std::uint16_t domid, std::uint32_t frame) {
    std::lock_guard lock(g.mu);
    const abi::grant_entry_v1 e{flags, domid, frame};
    std::byte* table = g.grant_frame(0);
    REQUIRE(table != nullptr);
    std::memcpy(table + ref * sizeof e, &e, sizeof e);
  };
  grant(3, abi::GTF::permit_access, 0, 0x60);
  grant(4, abi::GTF::permit_access | abi::GTF::readonly, 0, 0x61);
  grant(5, abi::GTF::permit_access, 7, 0x62);
  grant(6, abi::GTF::permit_access, 0, 0x100000);
  m.put(0x60000 + 8, std::array<char, 8>{'b', 'a', 'c', 'k', 'e', 'n', 'd', 0}, 1);

  const auto map = [&](std::uint32_t ref, std::uint32_t flags, abi::domid_t dom = 1) {
    abi::gnttab_map_grant_ref x{};
    x.host_addr = 0x300000;
    x.flags = flags;
    x.ref = ref;
    x.dom = dom;
    m.put(arg, x);
    REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::map_grant_ref), arg, 1) == 0);
    return m.get<abi::gnttab_map_grant_ref>(arg);
  };
  const auto unmap = [&](std::uint32_t handle, std::uint64_t host_addr = 0) {
    abi::gnttab_unmap_grant_ref x{};
    x.host_addr = host_addr;
    x.handle = handle;
    m.put(arg, x);
    REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::unmap_grant_ref), arg, 1) == 0);
    return m.get<abi::gnttab_unmap_grant_ref>(arg).status;
  };
  const auto st_of = [](abi::GNTST s) { return static_cast<std::int16_t>(s); };

  // A writable map: GTF_reading|GTF_writing set; the backend's view sees and changes the frame.
  const auto w = map(3, abi::GNTMAP::host_map);
  REQUIRE(w.status == 0);
  REQUIRE(entry(3).flags == (abi::GTF::permit_access | abi::GTF::reading | abi::GTF::writing));
  auto view = hv::granted_frame(m.dom(), w.handle);
  REQUIRE(view);
  REQUIRE_FALSE(view.value().readonly);
  REQUIRE(std::string(reinterpret_cast<const char*>(view.value().bytes.data() + 8)) == "backend");
  view.value().bytes[16] = std::byte{'!'};
  REQUIRE(m.get<char>(0x60000 + 16, 1) == '!');
  // A second, read-only map of the same ref: another handle; unmapping it keeps GTF_writing.
  const auto r = map(3, abi::GNTMAP::host_map | abi::GNTMAP::readonly);
  REQUIRE(r.status == 0);
  REQUIRE(r.handle != w.handle);
  REQUIRE(hv::granted_frame(m.dom(), r.handle).value().readonly);
  REQUIRE(unmap(r.handle) == 0);
  REQUIRE(entry(3).flags == (abi::GTF::permit_access | abi::GTF::reading | abi::GTF::writing));
  // Unmap with the wrong host_addr fails and keeps the mapping; the right one clears the flags.
  REQUIRE(unmap(w.handle, 0x5000) == st_of(abi::GNTST::general_error));
  REQUIRE(hv::granted_frame(m.dom(), w.handle));
  REQUIRE(unmap(w.handle, 0x300000) == 0);
  REQUIRE(entry(3).flags == abi::GTF::permit_access);
  REQUIRE(hv::granted_frame(m.dom(), w.handle).error() == errc::einval);
  REQUIRE(unmap(w.handle) == st_of(abi::GNTST::bad_handle));
  REQUIRE(unmap(999) == st_of(abi::GNTST::bad_handle));

  // A read-only grant maps read-only only: GTF_reading but never GTF_writing.
  REQUIRE(map(4, abi::GNTMAP::host_map).status == st_of(abi::GNTST::general_error));
  REQUIRE(entry(4).flags == (abi::GTF::permit_access | abi::GTF::readonly));
  const auto ro = map(4, abi::GNTMAP::host_map | abi::GNTMAP::readonly);
  REQUIRE(ro.status == 0);
  REQUIRE(entry(4).flags == (abi::GTF::permit_access | abi::GTF::readonly | abi::GTF::reading));
  REQUIRE(unmap(ro.handle) == 0);
  REQUIRE(entry(4).flags == (abi::GTF::permit_access | abi::GTF::readonly));

  // Refused maps leave the entries alone.
  REQUIRE(map(5, abi::GNTMAP::host_map).status == st_of(abi::GNTST::general_error));   // granted to d7
  REQUIRE(entry(5).flags == abi::GTF::permit_access);
  REQUIRE(map(6, abi::GNTMAP::host_map).status == st_of(abi::GNTST::bad_page));        // frame outside RAM
  REQUIRE(entry(6).flags == abi::GTF::permit_access);
  REQUIRE(map(7, abi::GNTMAP::host_map).status == st_of(abi::GNTST::general_error));   // GTF_invalid
  REQUIRE(map(512, abi::GNTMAP::host_map).status == st_of(abi::GNTST::bad_gntref));    // beyond 1 frame
  REQUIRE(map(3, abi::GNTMAP::host_map, 9).status == st_of(abi::GNTST::bad_domain));
  REQUIRE(map(3, 0).status == st_of(abi::GNTST::bad_gntref));                         // neither host nor device
  REQUIRE(map(3, abi::GNTMAP::host_map | abi::GNTMAP::device_map).status == st_of(abi::GNTST::general_error));
  REQUIRE(entry(3).flags == abi::GTF::permit_access);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::map_grant_ref), unmapped, 1) == rc(errc::efault));
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::unmap_grant_ref), unmapped, 1) == rc(errc::efault));
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::map_grant_ref), arg, std::uint64_t{1} << 31) ==
          rc(errc::einval));

  // The host API: a backend in this process maps for domain 0; handles are reused after unmap.
  auto h = hv::grant_map(m.dom(), 1, 3, true);
  REQUIRE(h.status == abi::GNTST::okay);
  REQUIRE(h.handle == w.handle);
  REQUIRE(hv::grant_unmap(m.dom(), h.handle) == abi::GNTST::okay);
  REQUIRE(entry(3).flags == abi::GTF::permit_access);
}

TEST_CASE("vcpu_op: initialise validates the context, once - up needs it - down/is_up") {
  hv::sim::machine m(4 << 20, 2);
  abi::vcpu_hvm_context ctx{};
  ctx.mode = 7;
  m.put(arg, ctx);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::up), 1, 0) == rc(errc::einval));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == rc(errc::einval));
  ctx.mode = op(abi::VCPU_HVM_MODE::_64B);
  ctx.cpu_regs.x86_64.cr0 = 0x80000011;
  ctx.cpu_regs.x86_64.cr4 = 0;  // no PAE
  ctx.cpu_regs.x86_64.efer = 0x500;
  m.put(arg, ctx);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == rc(errc::einval));
  ctx.cpu_regs.x86_64.cr4 = 0x20;
  m.put(arg, ctx);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == rc(errc::eexist));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::up), 1, 0) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), 1, 0) == 1);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::down), 1, 0) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), 1, 0) == 0);
}

// What follows pins down behaviours found to differ from Xen 4.17 by the fidelity suite
// (tests/fidelity): each was observed on the real Xen, as PVH dom0, with the same arguments.

TEST_CASE("hvm_op: as Xen 4.17 - which params a guest may read and set, deprecated indices, checks order") {
  hv::sim::machine m;
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  auto get = [&](std::uint32_t i) {
    p.index = i;
    p.value = 0x1234;
    m.put(arg, p);
    return m.call(H::hvm_op, op(abi::HVMOP::get_param), arg);
  };
  auto set = [&](std::uint32_t i, std::uint64_t v) {
    p.index = i;
    p.value = v;
    m.put(arg, p);
    return m.call(H::hvm_op, op(abi::HVMOP::set_param), arg);
  };
  for (std::uint32_t i : {0u, 1u, 2u, 15u, 17u, 18u, 19u, 34u, 35u, 36u, 37u}) REQUIRE(get(i) == 0);
  for (std::uint32_t i : {3u, 5u, 6u, 9u, 10u, 12u, 14u, 16u, 27u, 31u, 32u, 33u, 38u}) {
    REQUIRE(get(i) == rc(errc::eperm));
    REQUIRE(m.get<abi::xen_hvm_param>(arg).value == 0x1234);  // nothing written
  }
  for (std::uint32_t i : {4u, 13u, 20u, 23u, 26u, 30u}) {
    REQUIRE(get(i) == rc(errc::einval));
    REQUIRE(set(i, 0) == rc(errc::einval));
  }
  REQUIRE(set(36, 3) == rc(errc::einval));  // X87_FIP_WIDTH: 0, 4 or 8
  REQUIRE(set(36, 8) == 0);
  REQUIRE(get(36) == 0);
  REQUIRE(m.get<abi::xen_hvm_param>(arg).value == 8);
  REQUIRE(set(34, 0) == 0);                  // VM_GENERATION_ID_ADDR
  REQUIRE(set(19, 0) == rc(errc::enodev));   // ACPI_IOPORTS_LOCATION: no emulated PM timer
  REQUIRE(set(1, 0) == rc(errc::eperm));     // STORE_PFN is the toolstack's
  // Index range before the domain: domain 1 with index 1000 is -EINVAL, with index 0 -ESRCH.
  p.domid = 1;
  REQUIRE(get(1000) == rc(errc::einval));
  REQUIRE(get(0) == rc(errc::esrch));
  REQUIRE(m.dom().shutdown() == hv::shutdown_kind::none);
  p.domid = abi::DOMID::SELF;
  REQUIRE(set(37, 0) == rc(errc::einval));  // VM86_TSS_SIZED below a TSS: Xen crashes the caller
  REQUIRE(m.dom().shutdown() == hv::shutdown_kind::crash);
}

TEST_CASE("hvm_op: as Xen 4.17 - get_mem_type, pagetable_dying, get_time, argument-less ops") {
  hv::sim::machine m;
  abi::xen_hvm_get_mem_type t{};
  t.domid = abi::DOMID::SELF;
  t.pfn = 0x10;
  m.put(arg, t);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_mem_type), arg) == 0);
  REQUIRE(m.get<abi::xen_hvm_get_mem_type>(arg).mem_type == op(abi::HVMMEM::ram_rw));
  t.pfn = 0x30000;  // beyond RAM
  m.put(arg, t);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_mem_type), arg) == 0);
  REQUIRE(m.get<abi::xen_hvm_get_mem_type>(arg).mem_type == op(abi::HVMMEM::mmio_dm));
  t.domid = 1;
  m.put(arg, t);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_mem_type), arg) == rc(errc::esrch));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_mem_type), unmapped) == rc(errc::efault));
  abi::xen_hvm_pagetable_dying d{};
  d.domid = abi::DOMID::SELF;
  m.put(arg, d);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::pagetable_dying), arg) == rc(errc::einval));
  d.domid = 1;
  m.put(arg, d);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::pagetable_dying), arg) == rc(errc::esrch));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_time), arg) == 0);
  const auto t1 = m.get<abi::xen_hvm_get_time>(arg).now;
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_time), arg) == 0);
  REQUIRE(m.get<abi::xen_hvm_get_time>(arg).now >= t1);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::guest_request_vm_event), 0) == 0);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::guest_request_vm_event), arg) == rc(errc::einval));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::flush_tlbs), arg) == rc(errc::einval));
  REQUIRE(m.call(H::hvm_op, (std::uint64_t{1} << 8) | op(abi::HVMOP::get_param), arg) == rc(errc::enosys));
}

TEST_CASE("grant_table_op: as Xen 4.17 - statuses for bad domains, frame lists and grants, version write-back") {
  hv::sim::machine m;
  abi::gnttab_query_size q{};
  q.dom = abi::DOMID::SELF;
  m.put(arg, q);
  const std::uint64_t high = std::uint64_t{1} << 32;
  REQUIRE(m.call(H::grant_table_op, high | op(abi::GNTTABOP::query_size), arg, high | 1) == 0);  // 32-bit cmd, count
  REQUIRE(m.get<abi::gnttab_query_size>(arg).nr_frames == 1);  // a domain starts with one frame
  q.dom = 5;
  m.put(arg, q);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::query_size), arg, 1) == 0);
  REQUIRE(m.get<abi::gnttab_query_size>(arg).status == static_cast<std::int16_t>(abi::GNTST::bad_domain));
  m.add_domain(5);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::query_size), arg, 1) == 0);
  REQUIRE(m.get<abi::gnttab_query_size>(arg).status == static_cast<std::int16_t>(abi::GNTST::permission_denied));

  gabi::gnttab_setup_table st{};
  st.dom = abi::DOMID::SELF;
  st.nr_frames = 1;
  st.frame_list = decltype(st.frame_list)::from_address(unmapped);
  m.put(arg, st);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::setup_table), arg, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_setup_table>(arg).status == static_cast<std::int16_t>(abi::GNTST::bad_virt_addr));
  st.dom = 9;
  m.put(arg, st);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::setup_table), arg, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_setup_table>(arg).status == static_cast<std::int16_t>(abi::GNTST::bad_domain));

  abi::gnttab_get_version gv{9, 0, 0};
  m.put(arg, gv);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::get_version), arg, 1) == rc(errc::esrch));
  gv.dom = 5;
  m.put(arg, gv);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::get_version), arg, 1) == rc(errc::eperm));
  for (std::uint32_t v : {0u, 3u, 0xffffffffu}) {
    m.put(arg, abi::gnttab_set_version{v});
    REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::set_version), arg, 1) == rc(errc::einval));
    REQUIRE(m.get<abi::gnttab_set_version>(arg).version == 1);  // the version in force, written back
  }

  // A frame (not a grant) may be named only with DOMID_SELF, even by the caller's own id.
  gabi::gnttab_copy cp{};
  cp.source.u.gmfn = 0x20;
  cp.source.domid = 0;
  cp.dest.u.gmfn = 0x21;
  cp.dest.domid = abi::DOMID::SELF;
  cp.len = 8;
  m.put(arg, cp);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), arg, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_copy>(arg).status == static_cast<std::int16_t>(abi::GNTST::permission_denied));
  cp.source.domid = 9;  // but a domain that does not exist is bad_domain first
  m.put(arg, cp);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), arg, 1) == 0);
  REQUIRE(m.get<gabi::gnttab_copy>(arg).status == static_cast<std::int16_t>(abi::GNTST::bad_domain));

  // map_grant_ref looks the granter up by id: DOMID_SELF names no domain.
  abi::gnttab_map_grant_ref mp{};
  mp.dom = abi::DOMID::SELF;
  mp.flags = abi::GNTMAP::host_map;
  mp.host_addr = 0x30000;
  m.put(arg, mp);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::map_grant_ref), arg, 1) == 0);
  REQUIRE(m.get<abi::gnttab_map_grant_ref>(arg).status == static_cast<std::int16_t>(abi::GNTST::bad_domain));
}

TEST_CASE("refusals: as Xen 4.17 - toolstack, device-model, MMU, PMU and hypfs hypercalls check in Xen's order") {
  hv::sim::machine m;
  struct {
    std::uint32_t cmd, interface_version;
    std::uint8_t rest[136];
  } op_buf{};
  op_buf.interface_version = 0x15;
  m.put(arg, op_buf);
  REQUIRE(m.call(H::sysctl, arg) == rc(errc::eperm));
  REQUIRE(m.call(H::domctl, arg) == rc(errc::eperm));
  REQUIRE(m.call(H::platform_op, arg) == rc(errc::eacces));
  REQUIRE(m.call(H::sysctl, unmapped) == rc(errc::efault));
  op_buf.interface_version = 0x03000001;
  m.put(arg, op_buf);
  REQUIRE(m.call(H::platform_op, arg) == rc(errc::eperm));
  REQUIRE(m.call(H::arch_1, arg) == rc(errc::eopnotsupp));  // paging_domctl_cont: not a shadow_op
  REQUIRE(m.call(H::arch_1, unmapped) == rc(errc::efault));

  REQUIRE(m.call(H::vm_assist, 0, 5) == 0);  // enable runstate_update_flag
  REQUIRE(m.dom().runstate_update_flag);
  REQUIRE(m.call(H::vm_assist, 1, (std::uint64_t{1} << 32) | 5) == 0);  // 32-bit type
  REQUIRE_FALSE(m.dom().runstate_update_flag);
  REQUIRE(m.call(H::vm_assist, 0, 2) == rc(errc::einval));
  REQUIRE(m.call(H::vm_assist, 7, 5) == rc(errc::enosys));

  REQUIRE(m.call(H::mmuext_op, unmapped, 1, 0, abi::DOMID::SELF) == rc(errc::einval));
  REQUIRE(m.call(H::mmuext_op, unmapped, 1, 0, 0) == rc(errc::esrch));   // own id
  REQUIRE(m.call(H::mmuext_op, unmapped, 1, 0, 7) == rc(errc::esrch));   // no such domain
  REQUIRE(m.call(H::mmuext_op, unmapped, 1, 0, abi::DOMID::IO) == rc(errc::efault));

  REQUIRE(m.call(H::dm_op, 1, 3, arg) == rc(errc::e2big));
  REQUIRE(m.call(H::dm_op, 1, 1, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::dm_op, 1, 0, unmapped) == rc(errc::enodata));
  REQUIRE(m.call(H::dm_op, 1, 1, arg) == rc(errc::esrch));
  REQUIRE(m.call(H::dm_op, 0, 1, arg) == rc(errc::eperm));
  REQUIRE(m.call(H::xenpmu_op, 0, arg) == rc(errc::eopnotsupp));
  REQUIRE(m.call(H::hypfs_op, 0, 0, 0, 0, 0) == rc(errc::eperm));
}

TEST_CASE("multicall and vcpu_op: as Xen 4.17 - 32-bit counts and vCPU ids, full-width entry numbers") {
  hv::sim::machine m;
  gabi::multicall_entry e[1]{};
  e[0].op = op(H::xen_version);
  e[0].args[0] = op(abi::XENVER::pagesize);
  e[0].result = 77;
  m.put(buf, e);
  REQUIRE(m.call(H::multicall, buf, std::uint64_t{1} << 32) == 0);  // nr_calls 0
  REQUIRE(m.get<gabi::multicall_entry>(buf).result == 77);
  REQUIRE(m.call(H::multicall, buf, (std::uint64_t{1} << 32) | 1) == 0);
  REQUIRE(m.get<gabi::multicall_entry>(buf).result == 4096);
  e[0].op = (std::uint64_t{1} << 32) | op(H::xen_version);
  m.put(buf, e);
  REQUIRE(m.call(H::multicall, buf, 1) == 0);
  REQUIRE(static_cast<std::int64_t>(m.get<gabi::multicall_entry>(buf).result) == rc(errc::enosys));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), std::uint64_t{1} << 32, 0) == 1);  // vCPU 0
}
