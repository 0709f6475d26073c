// hv/hypercall/grant_table_op.hpp, driven through the in-process platform: grant tables: setup/query, versions, copy in Xen's order (both widths), map/unmap.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

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
  REQUIRE(add_to_physmap(m, abi::XENMAPSPACE::grant_table, 0, 0x50) == 0);
  // Domain 0 grants itself: ref 8 frame 0x60, ref 9 frame 0x61 read-only; ref 5 stays empty.
  m.put(0x50000 + 8 * sizeof(abi::grant_entry_v1), abi::grant_entry_v1{abi::GTF::permit_access, 0, 0x60});
  m.put(0x50000 + 9 * sizeof(abi::grant_entry_v1),
        abi::grant_entry_v1{static_cast<std::uint16_t>(abi::GTF::permit_access | abi::GTF::readonly), 0, 0x61});
  m.put(0x60000 + 4090, std::array<char, 6>{"abcde"});
  const auto copy_status = [&](gabi::gnttab_copy cp) {
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
  REQUIRE(copy_status(cp) == abi::GNTST::bad_gntref);
  by_ref(cp.source, 5);  // an empty entry
  REQUIRE(copy_status(cp) == abi::GNTST::general_error);
  by_ref(cp.source, 8);  // all good but the bounds
  REQUIRE(copy_status(cp) == abi::GNTST::bad_copy_arg);

  // Domains first: a bad source reference, and a destination in a domain that does not exist.
  by_ref(cp.source, 100000);
  by_frame(cp.dest, 0x70, 9);
  REQUIRE(copy_status(cp) == abi::GNTST::bad_domain);
  // Then the source before the destination.
  cp.flags = abi::GNTCOPY::source_gref | abi::GNTCOPY::dest_gref;
  by_ref(cp.dest, 5);
  REQUIRE(copy_status(cp) == abi::GNTST::bad_gntref);
  by_ref(cp.source, 8);
  REQUIRE(copy_status(cp) == abi::GNTST::general_error);  // the empty destination entry
  by_ref(cp.dest, 9);                                     // a read-only grant as destination
  REQUIRE(copy_status(cp) == abi::GNTST::general_error);
  by_ref(cp.dest, 100000);
  REQUIRE(copy_status(cp) == abi::GNTST::bad_gntref);

  // Frames: one outside RAM is bad_page before the bounds.
  cp.flags = 0;
  by_frame(cp.source, 0x30000);
  by_frame(cp.dest, 0x70);
  REQUIRE(copy_status(cp) == abi::GNTST::bad_page);
  by_frame(cp.source, 0x60);
  by_frame(cp.dest, 0x30000);
  REQUIRE(copy_status(cp) == abi::GNTST::bad_page);
  by_frame(cp.dest, 0x70);
  REQUIRE(copy_status(cp) == abi::GNTST::bad_copy_arg);
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

TEMPLATE_TEST_CASE("width: GNTTABOP setup_table frame list and copy array in the caller's layout", "",
                   abi::width64, abi::width32) {
  using W = TestType;
  using pfn = typename W::pfn_element;
  hv::sim::machine m;
  with_width<W>(m);
  REQUIRE(add_to_physmap<W>(m, abi::XENMAPSPACE::grant_table, 0, 0x250) == 0);
  tmpl::gnttab_setup_table<W> st{};
  st.dom = abi::DOMID::SELF;
  st.nr_frames = 2;
  st.frame_list = decltype(st.frame_list)::from_address(buf);
  m.put(arg, st);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::setup_table), arg, 1) == 0);
  REQUIRE(m.get<tmpl::gnttab_setup_table<W>>(arg).status == 0);
  const auto frames = m.get<std::array<pfn, 2>>(buf);
  REQUIRE(frames[0] == 0x250);
  REQUIRE(frames[1] == static_cast<pfn>(~pfn{0}));  // frame 1 is not mapped

  // Two copies between the caller's own frames in one array (stride = the caller's layout).
  m.put(0x260010, std::array<char, 6>{"hello"});
  m.put(0x260100, std::array<char, 6>{"world"});
  tmpl::gnttab_copy<W> cp[2]{};
  for (auto& c : cp) {
    c.source.domid = c.dest.domid = abi::DOMID::SELF;
    c.source.u.gmfn = 0x260;
    c.dest.u.gmfn = 0x261;
    c.len = 6;
  }
  cp[0].source.offset = 0x10;
  cp[0].dest.offset = 0x20;
  cp[1].source.offset = 0x100;
  cp[1].dest.offset = 0x200;
  m.put(arg, cp);
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), arg, 2) == 0);
  const auto back = m.get<std::array<tmpl::gnttab_copy<W>, 2>>(arg);
  REQUIRE(back[0].status == 0);
  REQUIRE(back[1].status == 0);
  REQUIRE(std::string(m.get<std::array<char, 6>>(0x261020).data()) == "hello");
  REQUIRE(std::string(m.get<std::array<char, 6>>(0x261200).data()) == "world");
}

TEST_CASE("grant_table_op: a count above INT_MAX is -EINVAL for every command, before the command is looked at") {
  // Xen's do_grant_table_op: `if ( (int)count < 0 ) return -EINVAL;` first.
  hv::sim::machine m;
  for (auto cmd : {abi::GNTTABOP::map_grant_ref, abi::GNTTABOP::unmap_grant_ref, abi::GNTTABOP::copy,
                   abi::GNTTABOP::query_size, abi::GNTTABOP::setup_table}) {
    INFO("GNTTABOP " << op(cmd));
    REQUIRE(m.call(H::grant_table_op, op(cmd), arg, 0x80000000u) == rc(errc::einval));
    REQUIRE(m.call(H::grant_table_op, op(cmd), arg, 0xffffffffu) == rc(errc::einval));
  }
  REQUIRE(m.call(H::grant_table_op, 99, arg, 0x80000000u) == rc(errc::einval));  // even an unknown command
  REQUIRE(m.call(H::grant_table_op, 99, arg, 1) == rc(errc::enosys));
  // INT_MAX itself passes the check: copy then fails on the first element's address.
  REQUIRE(m.call(H::grant_table_op, op(abi::GNTTABOP::copy), ram, 0x7fffffffu) == rc(errc::efault));
}
