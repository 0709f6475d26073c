// Hypercall arguments in the caller's width: every hypercall whose argument layout depends on
// the guest's word size (guest handles, xen_ulong_t / xen_pfn_t, 64-bit fields aligned to 4 on
// i386) is driven from a 64-bit and from a 32-bit vCPU with that width's layout
// (abi::tmpl::T<W>). Each check would fail if xenhv read the other width's layout.
#include <hv/platform/sim/sim.hpp>

#include <cstring>
#include <string>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
namespace tmpl = xenabi::abi::tmpl;
using H = abi::hypercall;
using xenabi::errc;

namespace {
constexpr std::uint64_t arg = 0x1000;
constexpr std::uint64_t buf = 0x2000;
constexpr std::uint64_t ram = 4 << 20;  // the sim machine's default RAM
template <class E>
constexpr std::uint64_t op(E e) {
  return static_cast<std::uint64_t>(e);
}
template <class W>
hv::sim::machine& with_width(hv::sim::machine& m) {
  m.guest32 = W::bits == 32;
  return m;
}
}  // namespace

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
  tmpl::xen_add_to_physmap<W> x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::shared_info);
  x.idx = 0;
  x.gpfn = 0x200;
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == 0);
  REQUIRE(m.dom().shared_info_gfn == std::optional<std::uint64_t>(0x200));
  x.space = op(abi::XENMAPSPACE::grant_table);
  x.gpfn = 0x250;
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == 0);

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

TEMPLATE_TEST_CASE("width: runstate info and area in the caller's layout", "", abi::width64, abi::width32) {
  using W = TestType;
  hv::sim::machine m;
  with_width<W>(m);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::get_runstate_info), 0, arg) == 0);
  const auto info = m.get<tmpl::vcpu_runstate_info<W>>(arg);
  REQUIRE(info.state == 0);  // running
  REQUIRE(std::uint64_t{info.state_entry_time} > 0);
  // Registration: a 32-bit caller's handle is 4 bytes; what follows it in the union is not read.
  constexpr std::uint64_t area = 0x3000;
  tmpl::vcpu_register_runstate_memory_area<W> reg{};
  reg.addr.p = W::bits == 32 ? 0xdead000000000000ull | area : area;
  m.put(arg, reg);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, arg) == 0);
  const auto a = m.get<tmpl::vcpu_runstate_info<W>>(area);
  REQUIRE(a.state == 0);
  REQUIRE(std::uint64_t{a.state_entry_time} > 0);
  REQUIRE((std::uint64_t{a.state_entry_time} & abi::XEN::RUNSTATE_UPDATE) == 0);
  REQUIRE(std::uint64_t{a.time[0]} + std::uint64_t{a.time[3]} > 0);
  // The time area likewise.
  tmpl::vcpu_register_time_memory_area<W> tr{};
  tr.addr.p = W::bits == 32 ? 0xdead000000000000ull | 0x3100 : 0x3100;
  m.put(arg, tr);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_time_memory_area), 0, arg) == 0);
  {
    std::lock_guard lock(m.dom().vcpus[0]->mu);
    const auto& ta = m.dom().vcpus[0]->time_area;
    REQUIRE(ta.has_value());
    REQUIRE(ta->first == xenabi::phys_addr{0x3100});
  }
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

TEMPLATE_TEST_CASE("width: GNTTABOP setup_table frame list and copy array in the caller's layout", "",
                   abi::width64, abi::width32) {
  using W = TestType;
  using pfn = typename W::pfn_element;
  hv::sim::machine m;
  with_width<W>(m);
  tmpl::xen_add_to_physmap<W> x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::grant_table);
  x.gpfn = 0x250;
  m.put(arg, x);
  REQUIRE(m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg) == 0);
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

TEMPLATE_TEST_CASE("width: multicall entries and results in the caller's layout", "", abi::width64, abi::width32) {
  using W = TestType;
  hv::sim::machine m;
  with_width<W>(m);
  tmpl::multicall_entry<W> mc[2]{};
  mc[0].op = op(H::xen_version);
  mc[0].args[0] = op(abi::XENVER::version);
  mc[1].op = op(H::xen_version);
  mc[1].args[0] = 77;  // unknown sub-op
  m.put(arg, mc);
  REQUIRE(m.call(H::multicall, arg, 2) == 0);
  const auto back = m.get<std::array<tmpl::multicall_entry<W>, 2>>(arg);
  REQUIRE(std::uint64_t{back[0].result} == 0x00040011);
  // -ENOSYS as the caller's unsigned long.
  using word = typename W::xen_ulong_t;
  REQUIRE(std::uint64_t{back[1].result} == static_cast<word>(xenabi::to_hypercall_rc(errc::enosys)));
}

TEMPLATE_TEST_CASE("width: XENVER_platform_parameters is written in the caller's layout", "", abi::width64,
                   abi::width32) {
  using W = TestType;
  hv::sim::machine m;
  with_width<W>(m);
  const std::uint64_t at = ram - sizeof(tmpl::xen_platform_parameters<W>);  // 8 bytes would not fit for i386
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::platform_parameters), at) == 0);
  REQUIRE(std::uint64_t{m.get<tmpl::xen_platform_parameters<W>>(at).virt_start} != 0);
}
