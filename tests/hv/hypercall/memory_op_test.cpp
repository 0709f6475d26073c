// hv/hypercall/memory_op.hpp, driven through the in-process platform: memory_op: reservations (both widths), add_to_physmap, memory_map, maximum_ram_page.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

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

TEMPLATE_TEST_CASE("width: XENMEM reservations read the extent list in the caller's layout", "", abi::width64,
                   abi::width32) {
  using W = TestType;
  using pfn = typename W::pfn_element;
  hv::sim::machine m;
  with_width<W>(m);
  const pfn list[2] = {0x300, 0x301};
  m.put(buf, list);
  tmpl::xen_memory_reservation<W> r{};
  r.extent_start = decltype(r.extent_start)::from_address(buf);
  r.nr_extents = 2;
  r.domid = abi::DOMID::SELF;
  m.put(arg, r);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::decrease_reservation), arg) == 2);
  REQUIRE_FALSE(m.dom().mem.present(0x300));
  REQUIRE_FALSE(m.dom().mem.present(0x301));
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::populate_physmap), arg) == 2);
  REQUIRE(m.dom().mem.present(0x300));
  REQUIRE(m.dom().mem.present(0x301));
}

TEMPLATE_TEST_CASE("width: XENMEM add_to_physmap and memory_map in the caller's layout", "", abi::width64,
                   abi::width32) {
  using W = TestType;
  hv::sim::machine m;
  with_width<W>(m);
  REQUIRE(add_to_physmap<W>(m, abi::XENMAPSPACE::shared_info, 0, 0x200) == 0);
  REQUIRE(m.dom().shared_info_gfn == std::optional<std::uint64_t>(0x200));
  REQUIRE(add_to_physmap<W>(m, abi::XENMAPSPACE::grant_table, 0, 0x250) == 0);

  tmpl::xen_memory_map<W> mm{};
  mm.nr_entries = 8;
  mm.buffer = decltype(mm.buffer)::from_address(buf);
  m.put(arg, mm);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::memory_map), arg) == 0);
  const auto back = m.get<tmpl::xen_memory_map<W>>(arg);
  REQUIRE(back.nr_entries == m.policy().e820.size());
  REQUIRE(back.buffer.address() == buf);
  std::uint64_t first_size = 0;
  std::memcpy(&first_size, m.get<std::array<std::uint8_t, 20>>(buf).data() + 8, 8);
  REQUIRE(first_size == m.policy().e820.front()[1]);
}
