// The typed hypercall wrappers against a recording transport: hypercall numbers, sub-operation
// numbers, argument registers (pointers to the caller's objects, 64-bit values split on i386),
// result and errno translation, and the sub-operation tables.
#include <xenabi/hypercall.hpp>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "recording_transport.hpp"
#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using rec = recording_transport;
using xenabi::errc;
using xenabi::hypercall_arg;
using xenabi::result;

TEST_CASE("event_channel_op: number 32, sub-op, pointer to the structure") {
  rec::reset();
  abi::evtchn_send s{};
  s.port = 7;
  auto r = xenabi::event_channel_op<abi::EVTCHNOP::send, rec>(s);
  REQUIRE(r.has_value());
  REQUIRE(rec::calls == 1);
  REQUIRE(rec::last.nr == 32);
  REQUIRE(rec::last.nargs == 2);
  REQUIRE(rec::last.a[0] == 4);
  REQUIRE(rec::last.a[1] == addr(s));
  STATIC_REQUIRE(std::is_same_v<decltype(r), result<void>>);
}

TEST_CASE("negative returns become Xen errnos") {
  rec::reset(-22);
  abi::evtchn_close c{};
  auto r = xenabi::event_channel_op<abi::EVTCHNOP::close, rec>(c);
  REQUIRE(r == errc::einval);
  rec::reset(-38);
  REQUIRE(xenabi::xen_version<abi::XENVER::version, rec>() == errc::enosys);
  rec::reset(-1);
  REQUIRE(xenabi::sched_op<abi::SCHEDOP::yield, rec>() == errc::eperm);
}

TEST_CASE("IN arguments may be const or temporaries") {
  rec::reset();
  const abi::evtchn_unmask u{9};
  REQUIRE(xenabi::event_channel_op<abi::EVTCHNOP::unmask, rec>(u).has_value());
  REQUIRE(rec::last.a[1] == addr(u));
  REQUIRE(xenabi::event_channel_op<abi::EVTCHNOP::send, rec>(abi::evtchn_send{3}).has_value());
  REQUIRE(rec::last.a[0] == 4);
}

TEST_CASE("OUT arguments are written by the hypervisor through the pointer") {
  rec::reset();
  rec::hook = [](const rec::call_record& c) {
    auto* a = reinterpret_cast<abi::evtchn_alloc_unbound*>(c.a[1]);
    a->port = a->remote_dom + 100u;
  };
  abi::evtchn_alloc_unbound a{};
  a.dom = abi::DOMID::SELF;
  a.remote_dom = 0;
  REQUIRE(xenabi::event_channel_op<abi::EVTCHNOP::alloc_unbound, rec>(a).has_value());
  REQUIRE(rec::last.a[0] == 6);
  REQUIRE(a.port == 100);
}

TEST_CASE("sched_op with and without argument") {
  rec::reset();
  REQUIRE(xenabi::sched_op<abi::SCHEDOP::yield, rec>().has_value());
  REQUIRE(rec::last.nr == 29);
  REQUIRE(rec::last.nargs == 2);
  REQUIRE(rec::last.a[0] == 0);
  REQUIRE(rec::last.a[1] == 0);
  abi::sched_shutdown sd{};
  sd.reason = static_cast<xenabi::u32>(abi::SHUTDOWN::poweroff);
  REQUIRE(xenabi::sched_op<abi::SCHEDOP::shutdown, rec>(sd).has_value());
  REQUIRE(rec::last.a[0] == 2);
  REQUIRE(rec::last.a[1] == addr(sd));
  rec::reset(5);
  abi::sched_watchdog w{};
  auto id = xenabi::sched_op<abi::SCHEDOP::watchdog, rec>(w);
  STATIC_REQUIRE(std::is_same_v<decltype(id), result<long>>);
  REQUIRE(id.value() == 5);
}

TEST_CASE("vcpu_op passes the vCPU as the second argument") {
  rec::reset(1);
  auto up = xenabi::vcpu_op<abi::VCPUOP::is_up, rec>(3);
  STATIC_REQUIRE(std::is_same_v<decltype(up), result<long>>);
  REQUIRE(up.value() == 1);
  REQUIRE(rec::last.nr == 24);
  REQUIRE(rec::last.nargs == 3);
  REQUIRE(rec::last.a[0] == 3);  // VCPUOP_is_up
  REQUIRE(rec::last.a[1] == 3);  // vCPU 3
  REQUIRE(rec::last.a[2] == 0);
  rec::reset();
  abi::vcpu_set_singleshot_timer t{};
  t.timeout_abs_ns = 123456789;
  t.flags = abi::VCPU_SSHOTTMR::future;
  REQUIRE(xenabi::vcpu_op<abi::VCPUOP::set_singleshot_timer, rec>(1, t).has_value());
  REQUIRE(rec::last.a[0] == 8);
  REQUIRE(rec::last.a[1] == 1);
  REQUIRE(rec::last.a[2] == addr(t));
  abi::vcpu_runstate_info ri{};
  REQUIRE(xenabi::vcpu_op<abi::VCPUOP::get_runstate_info, rec>(0, ri).has_value());
  REQUIRE(rec::last.a[0] == 4);
}

TEST_CASE("memory_op: values, domid arguments, argument-less queries") {
  rec::reset(16);
  abi::xen_memory_reservation res{};
  auto done = xenabi::memory_op<abi::XENMEM::increase_reservation, rec>(res);
  REQUIRE(done.value() == 16);
  REQUIRE(rec::last.nr == 12);
  REQUIRE(rec::last.a[0] == 0);
  REQUIRE(rec::last.a[1] == addr(res));
  rec::reset(0x1234);
  REQUIRE(xenabi::memory_op<abi::XENMEM::current_reservation, rec>(abi::DOMID::SELF).value() == 0x1234);
  REQUIRE(rec::last.a[0] == 3);
  REQUIRE(*reinterpret_cast<const abi::domid_t*>(rec::last.a[1]) == abi::DOMID::SELF);
  rec::reset(0xfffff);
  REQUIRE(xenabi::memory_op<abi::XENMEM::maximum_ram_page, rec>().value() == 0xfffff);
  rec::reset();
  abi::xen_add_to_physmap x{};
  REQUIRE(xenabi::memory_op<abi::XENMEM::add_to_physmap, rec>(x).has_value());
  REQUIRE(rec::last.a[0] == 7);
}

TEST_CASE("hvm_op: set_param / get_param / flush_tlbs") {
  rec::reset();
  rec::hook = [](const rec::call_record& c) {
    if (c.a[0] == 1) reinterpret_cast<abi::xen_hvm_param*>(c.a[1])->value = 42;
  };
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  p.index = static_cast<xenabi::u32>(abi::HVM_PARAM::STORE_EVTCHN);
  REQUIRE(xenabi::hvm_op<abi::HVMOP::get_param, rec>(p).has_value());
  REQUIRE(rec::last.nr == 34);
  REQUIRE(p.value == 42);
  REQUIRE(xenabi::hvm_op<abi::HVMOP::set_param, rec>(p).has_value());
  REQUIRE(rec::last.a[0] == 0);
  REQUIRE(xenabi::hvm_op<abi::HVMOP::flush_tlbs, rec>().has_value());
  REQUIRE(rec::last.a[0] == 5);
  REQUIRE(rec::last.a[1] == 0);
}

TEST_CASE("xen_version: value results and fixed-size buffers") {
  rec::reset(0x00040011);
  auto v = xenabi::xen_version<abi::XENVER::version, rec>();
  REQUIRE(v.value() == 0x00040011);
  REQUIRE(rec::last.nr == 17);
  REQUIRE(rec::last.a[0] == 0);
  rec::reset();
  rec::hook = [](const rec::call_record& c) {
    std::memcpy(reinterpret_cast<char*>(c.a[1]), ".7-pre", 7);
  };
  abi::xen_extraversion_t extra{};
  REQUIRE(xenabi::xen_version<abi::XENVER::extraversion, rec>(extra).has_value());
  REQUIRE(std::strcmp(extra, ".7-pre") == 0);
  REQUIRE(rec::last.a[0] == 1);
  abi::xen_feature_info fi{};
  REQUIRE(xenabi::xen_version<abi::XENVER::get_features, rec>(fi).has_value());
  REQUIRE(rec::last.a[0] == 6);
}

TEST_CASE("console_io: write a const buffer, read into a writable one") {
  rec::reset();
  static const char msg[] = "hello";
  REQUIRE(xenabi::console_io<abi::CONSOLEIO::write, rec>(msg, 5).has_value());
  REQUIRE(rec::last.nr == 18);
  REQUIRE(rec::last.nargs == 3);
  REQUIRE(rec::last.a[0] == 0);
  REQUIRE(rec::last.a[1] == 5);
  REQUIRE(rec::last.a[2] == addr(msg[0]));
  rec::reset(3);
  char buf[8]{};
  auto n = xenabi::console_io<abi::CONSOLEIO::read, rec>(buf, sizeof buf);
  STATIC_REQUIRE(std::is_same_v<decltype(n), result<long>>);
  REQUIRE(n.value() == 3);
  REQUIRE(rec::last.a[0] == 1);
}

TEST_CASE("set_timer_op: one register on x86_64, low/high halves on i386") {
  rec::reset();
  REQUIRE(xenabi::set_timer_op<rec>(0x0000'0012'3456'789aull).has_value());
  REQUIRE(rec::last.nr == 15);
#if defined(__x86_64__)
  REQUIRE(rec::last.nargs == 1);
  REQUIRE(rec::last.a[0] == 0x0000'0012'3456'789aull);
#else
  REQUIRE(rec::last.nargs == 2);
  REQUIRE(rec::last.a[0] == 0x3456'789au);
  REQUIRE(rec::last.a[1] == 0x12u);
#endif
}

TEST_CASE("multicall: pointer and count, or an array whose count is deduced") {
  rec::reset();
  abi::multicall_entry batch[3]{};
  REQUIRE(xenabi::multicall<rec>(batch).has_value());
  REQUIRE(rec::last.nr == 13);
  REQUIRE(rec::last.a[0] == addr(batch[0]));
  REQUIRE(rec::last.a[1] == 3);
  REQUIRE(xenabi::multicall<rec>(batch, 2).has_value());
  REQUIRE(rec::last.a[1] == 2);
}

TEST_CASE("vm_assist passes command and type") {
  rec::reset();
  REQUIRE(xenabi::vm_assist<rec>(abi::VMASST_CMD::enable, abi::VMASST::TYPE_runstate_update_flag)
              .has_value());
  REQUIRE(rec::last.nr == 21);
  REQUIRE(rec::last.a[0] == 0);
  REQUIRE(rec::last.a[1] == 5);
}

TEST_CASE("PV calls: mmu_update, mmuext_op, update_va_mapping, iret, set_trap_table") {
  rec::reset();
  abi::mmu_update u[2]{};
  xenabi::u32 done = 0;
  REQUIRE(xenabi::mmu_update<rec>(u, 2, &done).has_value());
  REQUIRE(rec::last.nr == 1);
  REQUIRE(rec::last.nargs == 4);
  REQUIRE(rec::last.a[0] == addr(u[0]));
  REQUIRE(rec::last.a[1] == 2);
  REQUIRE(rec::last.a[2] == addr(done));
  REQUIRE(rec::last.a[3] == abi::DOMID::SELF);
  REQUIRE(xenabi::mmu_update<rec>(u, 1).has_value());
  REQUIRE(rec::last.a[2] == 0);

  abi::mmuext_op op{};
  REQUIRE(xenabi::mmuext_op<rec>(&op, 1, nullptr, abi::DOMID::SELF).has_value());
  REQUIRE(rec::last.nr == 26);

  REQUIRE(xenabi::update_va_mapping<rec>(0x1000, 0x8000'0000'0000'0067ull, abi::UVMF::INVLPG).has_value());
  REQUIRE(rec::last.nr == 14);
#if defined(__x86_64__)
  REQUIRE(rec::last.nargs == 3);
  REQUIRE(rec::last.a[1] == 0x8000'0000'0000'0067ull);
  REQUIRE(rec::last.a[2] == abi::UVMF::INVLPG);
#else
  REQUIRE(rec::last.nargs == 4);
  REQUIRE(rec::last.a[1] == 0x67u);
  REQUIRE(rec::last.a[2] == 0x8000'0000u);
  REQUIRE(rec::last.a[3] == abi::UVMF::INVLPG);
#endif

  REQUIRE(xenabi::iret<rec>().has_value());
  REQUIRE(rec::last.nr == 23);
  REQUIRE(rec::last.nargs == 0);

  abi::trap_info traps[2]{};
  REQUIRE(xenabi::set_trap_table<rec>(traps).has_value());
  REQUIRE(rec::last.nr == 0);
  REQUIRE(rec::last.a[0] == addr(traps[0]));

  rec::reset(0x400);
  REQUIRE(xenabi::get_debugreg<rec>(7).value() == 0x400);
  REQUIRE(rec::last.nr == 9);
}

TEST_CASE("grant_table_op: batches by pointer and count or by array") {
  rec::reset();
  abi::gnttab_map_grant_ref maps[4]{};
  REQUIRE(xenabi::grant_table_op<abi::GNTTABOP::map_grant_ref, rec>(maps).has_value());
  REQUIRE(rec::last.nr == 20);
  REQUIRE(rec::last.nargs == 3);
  REQUIRE(rec::last.a[0] == 0);
  REQUIRE(rec::last.a[1] == addr(maps[0]));
  REQUIRE(rec::last.a[2] == 4);
  abi::gnttab_setup_table st{};
  REQUIRE(xenabi::grant_table_op<abi::GNTTABOP::setup_table, rec>(&st, 1).has_value());
  REQUIRE(rec::last.a[0] == 2);
  REQUIRE(rec::last.a[2] == 1);
  rec::reset(-14);
  abi::gnttab_query_size q{};
  REQUIRE(xenabi::grant_table_op<abi::GNTTABOP::query_size, rec>(&q, 1) == errc::efault);
}

TEST_CASE("physdev_op, callback_op, nmi_op") {
  rec::reset();
  abi::physdev_eoi eoi{};
  REQUIRE(xenabi::physdev_op<abi::PHYSDEVOP::eoi, rec>(eoi).has_value());
  REQUIRE(rec::last.nr == 33);
  REQUIRE(rec::last.a[0] == 12);
  REQUIRE(rec::last.a[1] == addr(eoi));
  abi::physdev_map_pirq mp{};
  REQUIRE(xenabi::physdev_op<abi::PHYSDEVOP::map_pirq, rec>(mp).has_value());
  REQUIRE(rec::last.a[0] == 13);
  abi::callback_register cb{};
  cb.type = static_cast<xenabi::u16>(abi::CALLBACKTYPE::event);
  REQUIRE(xenabi::callback_op<abi::CALLBACKOP::register_, rec>(cb).has_value());
  REQUIRE(rec::last.nr == 30);
  REQUIRE(rec::last.a[0] == 0);
  REQUIRE(xenabi::nmi_op<abi::XENNMI::unregister_callback, rec>().has_value());
  REQUIRE(rec::last.nr == 28);
  REQUIRE(rec::last.a[0] == 1);
  REQUIRE(rec::last.a[1] == 0);
}

TEST_CASE("vcpu_op(VCPUOP_initialise) takes the PV or the HVM context") {
  rec::reset();
  static abi::vcpu_guest_context pv_ctx{};
  REQUIRE(xenabi::vcpu_op<abi::VCPUOP::initialise, rec>(1, pv_ctx).has_value());
  REQUIRE(rec::last.a[2] == addr(pv_ctx));
  abi::vcpu_hvm_context hvm_ctx{};
  REQUIRE(xenabi::vcpu_op<abi::VCPUOP::initialise, rec>(2, hvm_ctx).has_value());
  REQUIRE(rec::last.nr == 24);
  REQUIRE(rec::last.a[0] == 0);
  REQUIRE(rec::last.a[1] == 2);
  REQUIRE(rec::last.a[2] == addr(hvm_ctx));
}

TEST_CASE("sub-operation table: directions, result kinds and mode limits") {
  using xenabi::hypercall_arg_dir;
  using xenabi::hypercall_op_traits;
  namespace bit = xenabi::hypercall_mode_bit;
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::EVTCHNOP::send>::dir == hypercall_arg_dir::in);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::EVTCHNOP::alloc_unbound>::dir == hypercall_arg_dir::inout);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::HVMOP::get_time>::dir == hypercall_arg_dir::out);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::SCHEDOP::block>::dir == hypercall_arg_dir::none);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::XENMEM::machphys_mapping>::modes == bit::pv);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::VCPUOP::initialise>::modes == bit::pv);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::XENMEM::populate_physmap>::modes == bit::all);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::XENVER::version>::returns_value);
  XENABI_BOTH_REQUIRE(!hypercall_op_traits<abi::HVMOP::set_param>::returns_value);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::GNTTABOP::transfer>::modes == bit::pv);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::GNTTABOP::copy>::modes == bit::all);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::PHYSDEVOP::set_iopl>::modes == bit::pv);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::PHYSDEVOP::map_pirq>::modes == bit::all);
  XENABI_BOTH_REQUIRE(hypercall_op_traits<abi::VCPUOP::initialise>::alt_modes == bit::hvm);
  XENABI_BOTH_REQUIRE(xenabi::known_hypercall_op<abi::EVTCHNOP::send>);
  XENABI_BOTH_REQUIRE(!xenabi::known_hypercall_op<abi::GNTTABOP::cache_flush>);
  XENABI_BOTH_REQUIRE(!xenabi::known_hypercall_op<abi::HVMOP::altp2m>);
}

TEST_CASE("sub-operation limits at run time, by number (for a hypervisor)") {
  using xenabi::guest_mode;
  using xenabi::guest_width;
  using xenabi::hypercall_subop_accepted;
  using xenabi::hypercall_subop_modes;
  namespace bit = xenabi::hypercall_mode_bit;
  constexpr auto pvh = guest_mode::pvh;
  constexpr auto w64 = guest_width::x86_64;
  // XENMEM_machphys_mapping (12): PV only; with a continuation's start extent in the high bits too.
  XENABI_BOTH_REQUIRE(!hypercall_subop_accepted(abi::hypercall::memory_op, 12, pvh, w64));
  XENABI_BOTH_REQUIRE(!hypercall_subop_accepted(abi::hypercall::memory_op, 12 | (5u << 6), pvh, w64));
  XENABI_BOTH_REQUIRE(hypercall_subop_accepted(abi::hypercall::memory_op, 6, pvh, w64));
  XENABI_BOTH_REQUIRE(hypercall_subop_accepted(abi::hypercall::memory_op, 12, guest_mode::pv, w64));
  // GNTTABOP_transfer (4) PV only, setup_table (2) everywhere.
  XENABI_BOTH_REQUIRE(!hypercall_subop_accepted(abi::hypercall::grant_table_op, 4, pvh, w64));
  XENABI_BOTH_REQUIRE(hypercall_subop_accepted(abi::hypercall::grant_table_op, 2, pvh, w64));
  // PHYSDEVOP_set_iopl (6) PV only; VCPUOP_initialise (0) both (different argument types).
  XENABI_BOTH_REQUIRE(!hypercall_subop_accepted(abi::hypercall::physdev_op, 6, pvh, w64));
  XENABI_BOTH_REQUIRE(hypercall_subop_modes(abi::hypercall::vcpu_op, 0) == bit::all);
  // A PV-only hypercall stays PV-only whatever the command; callback_op is PV-only entirely.
  XENABI_BOTH_REQUIRE(!hypercall_subop_accepted(abi::hypercall::callback_op, 0, pvh, w64));
  XENABI_BOTH_REQUIRE(!hypercall_subop_accepted(abi::hypercall::mmu_update, 0, pvh, w64));
  // Unmodelled sub-operations and sub-operation-less hypercalls: the hypercall's own modes.
  XENABI_BOTH_REQUIRE(hypercall_subop_modes(abi::hypercall::hvm_op, 25) == bit::all);
  XENABI_BOTH_REQUIRE(hypercall_subop_modes(abi::hypercall::set_timer_op, 0) == bit::all);
  XENABI_BOTH_REQUIRE(hypercall_subop_modes(abi::hypercall::arch_7, 0) == 0);
}
