/// \file
/// Typed hypercalls: one wrapper per Xen hypercall a guest makes, with each sub-operation paired
/// at compile time with its argument type and direction, and with the guest modes that may make
/// it.
///
/// \code
/// namespace abi = xenabi::abi;
/// abi::evtchn_send send{.port = port};
/// if (auto r = xenabi::event_channel_op<abi::EVTCHNOP::send>(send); !r)
///   log("send failed: ", xenabi::errc_name(r.error()));
///
/// abi::xen_hvm_param p{.domid = abi::DOMID::SELF, .pad = 0,
///                      .index = static_cast<xenabi::u32>(abi::HVM_PARAM::STORE_EVTCHN), .value = 0};
/// XENABI_TRY(xenabi::hvm_op<abi::HVMOP::get_param>(p));      // p.value now holds the port
///
/// auto ver = xenabi::xen_version<abi::XENVER::version>();       // result<long>: major<<16|minor
/// \endcode
///
/// What does not compile (each with a `static_assert` saying why; the compile-fail tests in
/// `tests/xenabi/hypercall/compile_fail/` check every message):
/// - the wrong structure for a sub-operation (`event_channel_op<EVTCHNOP::send>(evtchn_close&)`),
/// - a `const` object or a temporary where Xen writes the argument (OUT or IN/OUT),
/// - an argument for a sub-operation that takes none, or none for one that needs it,
/// - a hypercall (or sub-operation) that Xen refuses in every guest mode the build targets
///   (`XENABI_GUEST_MODE_PVH`: `mmu_update`, `set_trap_table`, `iret`... see
///   xenabi/hypercall_modes.hpp).
///
/// Results: `result<void>`, or `result<long>` for the calls whose non-negative return value
/// means something (xen_version(XENVER_version), memory_op reservation counts, vcpu_op is_up...);
/// a negative return is the Xen errno. Nothing throws.
///
/// The transport — how a call reaches the hypervisor — is a template parameter of every wrapper
/// (the last explicit one, defaulted): page_transport calls through the installed hypercall page
/// (arch/x86/hypercall_page.hpp); a test passes a recording fake; a hypervisor's in-process
/// platform passes a transport that dispatches directly. A transport is any type with
/// `static long call(std::uint32_t nr, hypercall_arg...)` for 0 to 5 arguments
/// (hypercall_transport). Define `XENABI_DEFAULT_HYPERCALL_TRANSPORT` to a type name before
/// including this header to change the default for a whole kernel (consistently in every
/// translation unit).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <xenabi/abi/callback.hpp>
#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/grant_table.hpp>
#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/hvm_vcpu.hpp>
#include <xenabi/abi/hvm/params.hpp>
#include <xenabi/abi/memory.hpp>
#include <xenabi/abi/nmi.hpp>
#include <xenabi/abi/physdev.hpp>
#include <xenabi/abi/sched.hpp>
#include <xenabi/abi/vcpu.hpp>
#include <xenabi/abi/version.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/arch/x86.hpp>
#include <xenabi/core/contract.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/hypercall_modes.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// One hypercall argument: a general-purpose register (64 bits on x86_64, 32 on i386).
using hypercall_arg = std::uintptr_t;

/// A way to make a hypercall: `T::call(nr, args...)` with 0 to 5 register arguments, returning
/// the raw result (negative = Xen errno). `noexcept`, static (no transport object is passed).
template <class T>
concept hypercall_transport = requires(std::uint32_t nr, hypercall_arg a) {
  { T::call(nr) } noexcept -> std::same_as<long>;
  { T::call(nr, a) } noexcept -> std::same_as<long>;
  { T::call(nr, a, a) } noexcept -> std::same_as<long>;
  { T::call(nr, a, a, a) } noexcept -> std::same_as<long>;
  { T::call(nr, a, a, a, a) } noexcept -> std::same_as<long>;
  { T::call(nr, a, a, a, a, a) } noexcept -> std::same_as<long>;
};

/// The transport of a guest on Xen (or xenhv): an indirect call into the hypercall page that
/// arch::x86::install_hypercall_page installed (contract: one is installed).
struct page_transport {
  /// Hypercall \p nr with \p args through the installed page.
  template <class... A>
    requires(sizeof...(A) <= 5 && (std::same_as<A, hypercall_arg> && ...))
  static long call(std::uint32_t nr, A... args) noexcept {
    const arch::x86::hypercall_page* page = arch::x86::installed_hypercall_page();
    XENABI_EXPECTS(page != nullptr);
    return static_cast<long>(arch::x86::raw_hypercall(*page, nr, args...));
  }
};
static_assert(hypercall_transport<page_transport>);

/// How a sub-operation uses its argument (Xen's IN/OUT comments).
enum class hypercall_arg_dir : std::uint8_t {
  none,   ///< No argument (Xen takes NULL or ignores it).
  in,     ///< Xen only reads it: a const object or a temporary is fine.
  out,    ///< Xen writes it: a non-const lvalue is required.
  inout,  ///< Xen reads and writes it: a non-const lvalue is required.
};

/// What a sub-operation (`abi::EVTCHNOP::send`, `abi::HVMOP::set_param`...) takes and returns.
/// Specialised for every sub-operation that has a typed wrapper; members:
/// - `arg_type`: the argument's type (`void` for none),
/// - `dir`: a hypercall_arg_dir,
/// - `returns_value`: the wrapper returns `result<long>` (else `result<void>`),
/// - `modes`: the hypercall_mode_bit mask of guest modes Xen accepts the sub-operation from;
/// - optionally `alt_arg_type` and `alt_modes`: a second argument type that other modes pass
///   (VCPUOP_initialise: `vcpu_guest_context` from PV guests, `vcpu_hvm_context` from PVH/HVM).
template <auto Op>
struct hypercall_op_traits;

/// True if \p Op has a typed wrapper (a hypercall_op_traits specialisation).
template <auto Op>
concept known_hypercall_op = requires {
  typename hypercall_op_traits<Op>::arg_type;
  hypercall_op_traits<Op>::dir;
};

/// \cond XENABI_INTERNAL
namespace detail {
template <auto Op>
constexpr bool op_returns_value() noexcept {
  if constexpr (known_hypercall_op<Op>) {
    return hypercall_op_traits<Op>::returns_value;
  } else {
    return false;  // an unknown sub-operation is rejected by a static_assert in the wrapper
  }
}
}  // namespace detail
/// \endcond

/// The wrapper's result type for \p Op: `result<long>` or `result<void>`.
template <auto Op>
using hypercall_op_result =
    std::conditional_t<detail::op_returns_value<Op>(), result<long>, result<void>>;

/// \cond XENABI_INTERNAL
#define XENABI_HCALL_OP_(OP, ARG, DIR, RET, MODES)                      \
  template <>                                                           \
  struct hypercall_op_traits<OP> {                                      \
    using arg_type = ARG;                                               \
    static constexpr hypercall_arg_dir dir = hypercall_arg_dir::DIR;    \
    static constexpr bool returns_value = RET;                          \
    static constexpr std::uint8_t modes = MODES;                        \
  };

namespace hcop_ {
inline constexpr std::uint8_t all = hypercall_mode_bit::all;
inline constexpr std::uint8_t pv = hypercall_mode_bit::pv;
inline constexpr std::uint8_t hvm = hypercall_mode_bit::hvm;
}  // namespace hcop_

// event_channel_op (Xen's public/event_channel.h)
XENABI_HCALL_OP_(abi::EVTCHNOP::bind_interdomain, abi::evtchn_bind_interdomain, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::bind_virq, abi::evtchn_bind_virq, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::bind_pirq, abi::evtchn_bind_pirq, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::close, abi::evtchn_close, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::send, abi::evtchn_send, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::status, abi::evtchn_status, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::alloc_unbound, abi::evtchn_alloc_unbound, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::bind_ipi, abi::evtchn_bind_ipi, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::bind_vcpu, abi::evtchn_bind_vcpu, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::unmask, abi::evtchn_unmask, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::reset, abi::evtchn_reset, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::init_control, abi::evtchn_init_control, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::expand_array, abi::evtchn_expand_array, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::EVTCHNOP::set_priority, abi::evtchn_set_priority, in, false, hcop_::all)

// sched_op (public/sched.h); watchdog returns the new watchdog's id
XENABI_HCALL_OP_(abi::SCHEDOP::yield, void, none, false, hcop_::all)
XENABI_HCALL_OP_(abi::SCHEDOP::block, void, none, false, hcop_::all)
XENABI_HCALL_OP_(abi::SCHEDOP::shutdown, abi::sched_shutdown, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::SCHEDOP::poll, abi::sched_poll, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::SCHEDOP::remote_shutdown, abi::sched_remote_shutdown, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::SCHEDOP::shutdown_code, abi::sched_shutdown, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::SCHEDOP::watchdog, abi::sched_watchdog, in, true, hcop_::all)
XENABI_HCALL_OP_(abi::SCHEDOP::pin_override, abi::sched_pin_override, in, false, hcop_::all)

// vcpu_op (public/vcpu.h); VCPUOP_initialise takes vcpu_guest_context from PV guests and
// vcpu_hvm_context (public/hvm/hvm_vcpu.h) from PVH/HVM guests
template <>
struct hypercall_op_traits<abi::VCPUOP::initialise> {
  using arg_type = abi::vcpu_guest_context;
  static constexpr hypercall_arg_dir dir = hypercall_arg_dir::in;
  static constexpr bool returns_value = false;
  static constexpr std::uint8_t modes = hcop_::pv;
  using alt_arg_type = abi::vcpu_hvm_context;
  static constexpr std::uint8_t alt_modes = hcop_::hvm;
};
XENABI_HCALL_OP_(abi::VCPUOP::up, void, none, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::down, void, none, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::is_up, void, none, true, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::get_runstate_info, abi::vcpu_runstate_info, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::register_runstate_memory_area, abi::vcpu_register_runstate_memory_area, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::set_periodic_timer, abi::vcpu_set_periodic_timer, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::stop_periodic_timer, void, none, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::set_singleshot_timer, abi::vcpu_set_singleshot_timer, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::stop_singleshot_timer, void, none, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::register_vcpu_info, abi::vcpu_register_vcpu_info, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::send_nmi, void, none, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::get_physid, abi::vcpu_get_physid, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::VCPUOP::register_vcpu_time_memory_area, abi::vcpu_register_time_memory_area, in, false, hcop_::all)

// memory_op (public/memory.h); reservation operations return the number of extents done, the
// *_reservation / maximum_* queries their value; machphys_mapping is -ENOSYS for PVH/HVM
// (hvm_memory_op), and the M2P lists are PV structures
XENABI_HCALL_OP_(abi::XENMEM::increase_reservation, abi::xen_memory_reservation, inout, true, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::decrease_reservation, abi::xen_memory_reservation, inout, true, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::populate_physmap, abi::xen_memory_reservation, inout, true, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::maximum_ram_page, void, none, true, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::current_reservation, abi::domid_t, in, true, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::maximum_reservation, abi::domid_t, in, true, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::maximum_gpfn, abi::domid_t, in, true, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::machphys_mfn_list, abi::xen_machphys_mfn_list, inout, false, hcop_::pv)
XENABI_HCALL_OP_(abi::XENMEM::machphys_compat_mfn_list, abi::xen_machphys_mfn_list, inout, false, hcop_::pv)
XENABI_HCALL_OP_(abi::XENMEM::machphys_mapping, abi::xen_machphys_mapping, out, false, hcop_::pv)
XENABI_HCALL_OP_(abi::XENMEM::add_to_physmap, abi::xen_add_to_physmap, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::add_to_physmap_batch, abi::xen_add_to_physmap_batch, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::remove_from_physmap, abi::xen_remove_from_physmap, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::memory_map, abi::xen_memory_map, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::machine_memory_map, abi::xen_memory_map, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::set_memory_map, abi::xen_foreign_memory_map, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::exchange, abi::xen_memory_exchange, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::set_pod_target, abi::xen_pod_target, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::get_pod_target, abi::xen_pod_target, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::get_vnumainfo, abi::xen_vnuma_topology_info, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENMEM::acquire_resource, abi::xen_mem_acquire_resource, inout, false, hcop_::all)

// hvm_op (public/hvm/hvm_op.h); dispatched for PV guests too, which get -EINVAL from most
XENABI_HCALL_OP_(abi::HVMOP::set_param, abi::xen_hvm_param, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::HVMOP::get_param, abi::xen_hvm_param, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::HVMOP::flush_tlbs, void, none, false, hcop_::all)
XENABI_HCALL_OP_(abi::HVMOP::pagetable_dying, abi::xen_hvm_pagetable_dying, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::HVMOP::get_time, abi::xen_hvm_get_time, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::HVMOP::xentrace, abi::xen_hvm_xentrace, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::HVMOP::get_mem_type, abi::xen_hvm_get_mem_type, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::HVMOP::set_evtchn_upcall_vector, abi::xen_hvm_evtchn_upcall_vector, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::HVMOP::guest_request_vm_event, void, none, false, hcop_::all)

// xen_version (public/version.h); version and pagesize return their value, build_id the length
XENABI_HCALL_OP_(abi::XENVER::version, void, none, true, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::extraversion, abi::xen_extraversion_t, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::compile_info, abi::xen_compile_info, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::capabilities, abi::xen_capabilities_info_t, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::changeset, abi::xen_changeset_info_t, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::platform_parameters, abi::xen_platform_parameters, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::get_features, abi::xen_feature_info, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::pagesize, void, none, true, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::guest_handle, abi::xen_domain_handle_t, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::commandline, abi::xen_commandline_t, out, false, hcop_::all)
XENABI_HCALL_OP_(abi::XENVER::build_id, abi::xen_build_id, inout, true, hcop_::all)

// grant_table_op (public/grant_table.h): arrays of argument structures. PVH/HVM guests may use
// only query_size, setup_table, set_version, get_version, copy, map_grant_ref, unmap_grant_ref and
// swap_grant_ref; the others are -ENOSYS for them (hvm_grant_table_op). cache_flush is ARM-only.
XENABI_HCALL_OP_(abi::GNTTABOP::map_grant_ref, abi::gnttab_map_grant_ref, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::GNTTABOP::unmap_grant_ref, abi::gnttab_unmap_grant_ref, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::GNTTABOP::setup_table, abi::gnttab_setup_table, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::GNTTABOP::dump_table, abi::gnttab_dump_table, inout, false, hcop_::pv)
XENABI_HCALL_OP_(abi::GNTTABOP::transfer, abi::gnttab_transfer, inout, false, hcop_::pv)
XENABI_HCALL_OP_(abi::GNTTABOP::copy, abi::gnttab_copy, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::GNTTABOP::query_size, abi::gnttab_query_size, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::GNTTABOP::unmap_and_replace, abi::gnttab_unmap_and_replace, inout, false, hcop_::pv)
XENABI_HCALL_OP_(abi::GNTTABOP::set_version, abi::gnttab_set_version, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::GNTTABOP::get_status_frames, abi::gnttab_get_status_frames, inout, false, hcop_::pv)
XENABI_HCALL_OP_(abi::GNTTABOP::get_version, abi::gnttab_get_version, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::GNTTABOP::swap_grant_ref, abi::gnttab_swap_grant_ref, inout, false, hcop_::all)

// physdev_op (public/physdev.h). Xen 4.17's hvm_physdev_op lets PVH/HVM guests through with
// map_pirq, unmap_pirq, eoi, irq_status_query and get_free_pirq only if the domain has PIRQs
// (HVM guests with PIRQ emulation; a PVH guest gets -ENOSYS at run time), and the hardware
// domain with pci_mmcfg_reserved, pci_device_add/remove and dbgp_op; everything else is -ENOSYS
// for them (setup_gsi included: later Xen versions added it for PVH dom0). Checked on Xen
// 4.17.7 by tests/xenabi/hypercall/xen_probe. PHYSDEVOP_pirq_eoi_gmfn is pirq_eoi_gmfn_v2's number.
XENABI_HCALL_OP_(abi::PHYSDEVOP::IRQ_UNMASK_NOTIFY, void, none, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::irq_status_query, abi::physdev_irq_status_query, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::PHYSDEVOP::set_iopl, abi::physdev_set_iopl, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::set_iobitmap, abi::physdev_set_iobitmap, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::apic_read, abi::physdev_apic, inout, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::apic_write, abi::physdev_apic, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::alloc_irq_vector, abi::physdev_irq, inout, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::free_irq_vector, abi::physdev_irq, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::eoi, abi::physdev_eoi, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::PHYSDEVOP::map_pirq, abi::physdev_map_pirq, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::PHYSDEVOP::unmap_pirq, abi::physdev_unmap_pirq, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::PHYSDEVOP::manage_pci_add, abi::physdev_manage_pci, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::manage_pci_remove, abi::physdev_manage_pci, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::pirq_eoi_gmfn_v1, abi::physdev_pirq_eoi_gmfn, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::restore_msi, abi::physdev_restore_msi, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::manage_pci_add_ext, abi::physdev_manage_pci_ext, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::setup_gsi, abi::physdev_setup_gsi, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::get_free_pirq, abi::physdev_get_free_pirq, inout, false, hcop_::all)
XENABI_HCALL_OP_(abi::PHYSDEVOP::pci_mmcfg_reserved, abi::physdev_pci_mmcfg_reserved, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::PHYSDEVOP::pci_device_add, abi::physdev_pci_device_add, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::PHYSDEVOP::pci_device_remove, abi::physdev_pci_device, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::PHYSDEVOP::restore_msi_ext, abi::physdev_pci_device, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::pirq_eoi_gmfn_v2, abi::physdev_pirq_eoi_gmfn, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::dbgp_op, abi::physdev_dbgp_op, in, false, hcop_::all)
XENABI_HCALL_OP_(abi::PHYSDEVOP::prepare_msix, abi::physdev_pci_device, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::PHYSDEVOP::release_msix, abi::physdev_pci_device, in, false, hcop_::pv)

// callback_op (public/callback.h) and nmi_op (public/nmi.h): the hypercalls are PV-only
XENABI_HCALL_OP_(abi::CALLBACKOP::register_, abi::callback_register, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::CALLBACKOP::unregister, abi::callback_unregister, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::XENNMI::register_callback, abi::xennmi_callback, in, false, hcop_::pv)
XENABI_HCALL_OP_(abi::XENNMI::unregister_callback, void, none, false, hcop_::pv)

#undef XENABI_HCALL_OP_
/// \endcond

namespace detail {

/// A pointer as a hypercall argument register.
template <class T>
[[nodiscard]] inline hypercall_arg ptr_arg(T* p) noexcept {
  return reinterpret_cast<hypercall_arg>(p);
}

/// An enumerator (a sub-operation) as a hypercall argument register.
template <class E>
  requires std::is_enum_v<E>
[[nodiscard]] constexpr hypercall_arg enum_arg(E e) noexcept {
  return static_cast<hypercall_arg>(static_cast<std::underlying_type_t<E>>(e));
}

/// The raw result as the wrapper's result: negative is a Xen errno.
template <bool Value>
[[nodiscard]] constexpr auto finish(long rc) noexcept {
  if constexpr (Value) {
    if (rc < 0) return result<long>(static_cast<errc>(static_cast<std::int32_t>(-rc)));
    return result<long>(rc);
  } else {
    if (rc < 0) return result<void>(static_cast<errc>(static_cast<std::int32_t>(-rc)));
    return result<void>();
  }
}

/// The hypercall number as the transport's first argument.
[[nodiscard]] constexpr std::uint32_t nr(abi::hypercall h) noexcept {
  return static_cast<std::uint32_t>(h);
}

/// A value that depends on \p T, to delay a static_assert until instantiation.
template <class T>
inline constexpr bool dependent_true = true;

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// The sub-operation limits at run time, for a hypervisor (or a trace) that has the numbers

/// \cond XENABI_INTERNAL
namespace detail {
/// Modes of sub-operation \p Op per its traits (both argument forms), or 0xff if xenabi has no
/// traits for it.
template <auto Op>
constexpr std::uint8_t subop_modes_of() noexcept {
  if constexpr (known_hypercall_op<Op>) {
    using traits = hypercall_op_traits<Op>;
    if constexpr (requires { traits::alt_modes; }) {
      return static_cast<std::uint8_t>(traits::modes | traits::alt_modes);
    } else {
      return traits::modes;
    }
  } else {
    return 0xff;
  }
}
template <class E, std::size_t... I>
constexpr std::uint8_t subop_modes_in(std::uint32_t cmd, std::index_sequence<I...>) noexcept {
  std::uint8_t r = 0xff;
  ((cmd == I ? (r = subop_modes_of<static_cast<E>(I)>(), 0) : 0), ...);
  return r;
}
/// Sub-operation numbers looked up (every modelled sub-operation is below 64).
inline constexpr std::size_t subop_range = 64;
}  // namespace detail
/// \endcond

/// The guest modes (a hypercall_mode_bit mask) from which Xen 4.17 accepts sub-operation \p cmd
/// of hypercall \p h, as the typed wrappers' tables say: the hypercall's own modes
/// (hypercall_modes.hpp) narrowed by the sub-operation's (hypercall_op_traits). For a
/// sub-operation xenabi does not model, or a hypercall without sub-operations, the hypercall's
/// own modes. `memory_op` commands are masked to their low 6 bits (Xen's `MEMOP_CMD_MASK`; the
/// rest is a continuation's start extent).
[[nodiscard]] constexpr std::uint8_t hypercall_subop_modes(abi::hypercall h, std::uint32_t cmd) noexcept {
  const hypercall_mode_info* e = find_hypercall_mode(h);
  if (e == nullptr) return 0;
  std::uint8_t sub = 0xff;
  const auto seq = std::make_index_sequence<detail::subop_range>{};
  switch (h) {
    case abi::hypercall::event_channel_op: sub = detail::subop_modes_in<abi::EVTCHNOP>(cmd, seq); break;
    case abi::hypercall::sched_op: sub = detail::subop_modes_in<abi::SCHEDOP>(cmd, seq); break;
    case abi::hypercall::vcpu_op: sub = detail::subop_modes_in<abi::VCPUOP>(cmd, seq); break;
    case abi::hypercall::memory_op: sub = detail::subop_modes_in<abi::XENMEM>(cmd & 0x3fu, seq); break;
    case abi::hypercall::hvm_op: sub = detail::subop_modes_in<abi::HVMOP>(cmd, seq); break;
    case abi::hypercall::xen_version: sub = detail::subop_modes_in<abi::XENVER>(cmd, seq); break;
    case abi::hypercall::grant_table_op: sub = detail::subop_modes_in<abi::GNTTABOP>(cmd, seq); break;
    case abi::hypercall::physdev_op: sub = detail::subop_modes_in<abi::PHYSDEVOP>(cmd, seq); break;
    case abi::hypercall::callback_op: sub = detail::subop_modes_in<abi::CALLBACKOP>(cmd, seq); break;
    case abi::hypercall::nmi_op: sub = detail::subop_modes_in<abi::XENNMI>(cmd, seq); break;
    default: break;
  }
  return static_cast<std::uint8_t>(e->accepts & sub);
}

/// True if Xen 4.17 accepts sub-operation \p cmd of hypercall \p h from a guest of mode \p m
/// and width \p w (hypercall_subop_modes); false means `-ENOSYS`.
[[nodiscard]] constexpr bool hypercall_subop_accepted(abi::hypercall h, std::uint32_t cmd,
                                                      guest_mode m, guest_width w) noexcept {
  return (hypercall_subop_modes(h, cmd) & mode_bit(m, w)) != 0;
}

/// Everything below depends on the guest modes the build targets (hypercall_modes.hpp), so it
/// lives in the same mode-named inline namespace as build_guest_modes.
inline namespace XENABI_GUEST_MODE_NS_ {

#if defined(XENABI_DEFAULT_HYPERCALL_TRANSPORT)
/// The transport the wrappers use unless told otherwise (`XENABI_DEFAULT_HYPERCALL_TRANSPORT`).
using default_hypercall_transport = XENABI_DEFAULT_HYPERCALL_TRANSPORT;
#else
/// The transport the wrappers use unless told otherwise: the hypercall page.
using default_hypercall_transport = page_transport;
#endif

namespace hcall_detail {

/// Compile-time checks that hypercall \p H (made through transport \p T) is allowed in this
/// build's guest modes.
template <abi::hypercall H, class T>
constexpr void check_hypercall() noexcept {
  static_assert(hypercall_transport<T>,
                "xenabi: the transport must provide static long call(nr, args...) noexcept for 0 "
                "to 5 hypercall_arg arguments (concept hypercall_transport)");
  static_assert(xenabi::detail::dependent_true<T> && hypercall_in_build(static_cast<std::uint32_t>(H)),
                "xenabi: this hypercall is not accepted by Xen in the guest mode(s) this build "
                "targets (XENABI_GUEST_MODE_PVH / XENABI_GUEST_MODE_PV); see "
                "xenabi/hypercall_modes.hpp");
}

/// Whether \p A (cv-stripped) is the alternative argument type of \p Traits.
template <class Traits, class A>
constexpr bool is_alt_arg() noexcept {
  if constexpr (requires { typename Traits::alt_arg_type; }) {
    return std::is_same_v<A, typename Traits::alt_arg_type>;
  } else {
    return false;
  }
}

/// Compile-time checks of sub-operation \p Op of hypercall \p H with an argument of
/// (forwarding-reference) type \p Arg; `Arg = void` for a call without argument.
template <abi::hypercall H, auto Op, class T, class Arg>
constexpr void check_op() noexcept {
  check_hypercall<H, T>();
  static_assert(known_hypercall_op<Op>,
                "xenabi: this sub-operation has no typed wrapper (no hypercall_op_traits "
                "specialisation)");
  if constexpr (known_hypercall_op<Op>) {
    using traits = hypercall_op_traits<Op>;
    if constexpr (std::is_void_v<Arg>) {
      static_assert(traits::dir == hypercall_arg_dir::none,
                    "xenabi: this sub-operation needs an argument (see "
                    "hypercall_op_traits<Op>::arg_type)");
      static_assert((traits::modes & build_guest_modes) != 0,
                    "xenabi: Xen refuses this sub-operation in the guest mode(s) this build "
                    "targets (XENABI_GUEST_MODE_PVH / XENABI_GUEST_MODE_PV); see "
                    "hypercall_op_traits<Op>::modes");
    } else {
      using A = std::remove_reference_t<Arg>;
      using plain = std::remove_cv_t<A>;
      constexpr bool alt = is_alt_arg<traits, plain>();
      static_assert(traits::dir != hypercall_arg_dir::none,
                    "xenabi: this sub-operation takes no argument: call it without one");
      static_assert(traits::dir == hypercall_arg_dir::none ||
                        std::is_same_v<plain, typename traits::arg_type> || alt,
                    "xenabi: wrong argument type for this sub-operation (the expected type is "
                    "hypercall_op_traits<Op>::arg_type)");
      if constexpr (alt) {
        static_assert((traits::alt_modes & build_guest_modes) != 0,
                      "xenabi: Xen refuses this sub-operation with this argument type in the "
                      "guest mode(s) this build targets (XENABI_GUEST_MODE_PVH / "
                      "XENABI_GUEST_MODE_PV); see hypercall_op_traits<Op>::alt_modes");
      } else {
        static_assert((traits::modes & build_guest_modes) != 0,
                      "xenabi: Xen refuses this sub-operation in the guest mode(s) this build "
                      "targets (XENABI_GUEST_MODE_PVH / XENABI_GUEST_MODE_PV); see "
                      "hypercall_op_traits<Op>::modes");
      }
      static_assert(traits::dir == hypercall_arg_dir::none || traits::dir == hypercall_arg_dir::in ||
                        !std::is_const_v<A>,
                    "xenabi: Xen writes this sub-operation's argument (OUT or IN/OUT): pass a "
                    "non-const object");
      static_assert(traits::dir == hypercall_arg_dir::none || traits::dir == hypercall_arg_dir::in ||
                        std::is_lvalue_reference_v<Arg>,
                    "xenabi: Xen writes this sub-operation's argument (OUT or IN/OUT): pass an "
                    "lvalue, not a temporary whose result would be lost");
    }
  }
}

/// `hypercall(cmd, &arg)`: the shape of every `*_op` hypercall with one argument structure.
template <abi::hypercall H, auto Op, class T, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> op_with_arg(Arg&& arg) noexcept {
  check_op<H, Op, T, Arg>();
  return xenabi::detail::finish<xenabi::detail::op_returns_value<Op>()>(
      T::call(xenabi::detail::nr(H), xenabi::detail::enum_arg(Op),
              xenabi::detail::ptr_arg(__builtin_addressof(arg))));
}

/// `hypercall(cmd, NULL)`: a sub-operation without argument.
template <abi::hypercall H, auto Op, class T>
[[nodiscard]] inline hypercall_op_result<Op> op_without_arg() noexcept {
  check_op<H, Op, T, void>();
  return xenabi::detail::finish<xenabi::detail::op_returns_value<Op>()>(
      T::call(xenabi::detail::nr(H), xenabi::detail::enum_arg(Op), hypercall_arg{0}));
}

}  // namespace hcall_detail

// ---------------------------------------------------------------------------------------------
// Sub-operation hypercalls: hypercall<SUBOP>(argument)

/// HYPERVISOR_event_channel_op(\p Op, &\p arg): event channels (Xen's `EVTCHNOP_*`).
template <abi::EVTCHNOP Op, class T = default_hypercall_transport, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> event_channel_op(Arg&& arg) noexcept {
  return hcall_detail::op_with_arg<abi::hypercall::event_channel_op, Op, T, Arg>(static_cast<Arg&&>(arg));
}

/// HYPERVISOR_sched_op(\p Op, &\p arg): scheduler operations with an argument (`SCHEDOP_*`).
template <abi::SCHEDOP Op, class T = default_hypercall_transport, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> sched_op(Arg&& arg) noexcept {
  return hcall_detail::op_with_arg<abi::hypercall::sched_op, Op, T, Arg>(static_cast<Arg&&>(arg));
}
/// HYPERVISOR_sched_op(\p Op, NULL): `SCHEDOP_yield`, `SCHEDOP_block`.
template <abi::SCHEDOP Op, class T = default_hypercall_transport>
[[nodiscard]] inline hypercall_op_result<Op> sched_op() noexcept {
  return hcall_detail::op_without_arg<abi::hypercall::sched_op, Op, T>();
}

/// HYPERVISOR_memory_op(\p Op, &\p arg): memory reservation and physmap (`XENMEM_*`).
template <abi::XENMEM Op, class T = default_hypercall_transport, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> memory_op(Arg&& arg) noexcept {
  return hcall_detail::op_with_arg<abi::hypercall::memory_op, Op, T, Arg>(static_cast<Arg&&>(arg));
}
/// HYPERVISOR_memory_op(\p Op, NULL): `XENMEM_maximum_ram_page`.
template <abi::XENMEM Op, class T = default_hypercall_transport>
[[nodiscard]] inline hypercall_op_result<Op> memory_op() noexcept {
  return hcall_detail::op_without_arg<abi::hypercall::memory_op, Op, T>();
}

/// HYPERVISOR_hvm_op(\p Op, &\p arg): HVM/PVH operations (`HVMOP_*`).
template <abi::HVMOP Op, class T = default_hypercall_transport, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> hvm_op(Arg&& arg) noexcept {
  return hcall_detail::op_with_arg<abi::hypercall::hvm_op, Op, T, Arg>(static_cast<Arg&&>(arg));
}
/// HYPERVISOR_hvm_op(\p Op, NULL): `HVMOP_flush_tlbs`, `HVMOP_guest_request_vm_event`.
template <abi::HVMOP Op, class T = default_hypercall_transport>
[[nodiscard]] inline hypercall_op_result<Op> hvm_op() noexcept {
  return hcall_detail::op_without_arg<abi::hypercall::hvm_op, Op, T>();
}

/// HYPERVISOR_xen_version(\p Op, &\p arg): version and feature queries (`XENVER_*`).
template <abi::XENVER Op, class T = default_hypercall_transport, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> xen_version(Arg&& arg) noexcept {
  return hcall_detail::op_with_arg<abi::hypercall::xen_version, Op, T, Arg>(static_cast<Arg&&>(arg));
}
/// HYPERVISOR_xen_version(\p Op, NULL): `XENVER_version`, `XENVER_pagesize` (the value).
template <abi::XENVER Op, class T = default_hypercall_transport>
[[nodiscard]] inline hypercall_op_result<Op> xen_version() noexcept {
  return hcall_detail::op_without_arg<abi::hypercall::xen_version, Op, T>();
}

/// HYPERVISOR_vcpu_op(\p Op, \p vcpu, &\p arg): per-vCPU operations (`VCPUOP_*`).
template <abi::VCPUOP Op, class T = default_hypercall_transport, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> vcpu_op(std::uint32_t vcpu, Arg&& arg) noexcept {
  hcall_detail::check_op<abi::hypercall::vcpu_op, Op, T, Arg>();
  return xenabi::detail::finish<xenabi::detail::op_returns_value<Op>()>(
      T::call(xenabi::detail::nr(abi::hypercall::vcpu_op), xenabi::detail::enum_arg(Op),
              hypercall_arg{vcpu}, xenabi::detail::ptr_arg(__builtin_addressof(arg))));
}
/// HYPERVISOR_vcpu_op(\p Op, \p vcpu, NULL): `VCPUOP_up`, `down`, `is_up`, `stop_*_timer`,
/// `send_nmi`.
template <abi::VCPUOP Op, class T = default_hypercall_transport>
[[nodiscard]] inline hypercall_op_result<Op> vcpu_op(std::uint32_t vcpu) noexcept {
  hcall_detail::check_op<abi::hypercall::vcpu_op, Op, T, void>();
  return xenabi::detail::finish<xenabi::detail::op_returns_value<Op>()>(
      T::call(xenabi::detail::nr(abi::hypercall::vcpu_op), xenabi::detail::enum_arg(Op),
              hypercall_arg{vcpu}, hypercall_arg{0}));
}

/// HYPERVISOR_physdev_op(\p Op, &\p arg): physical-device operations (`PHYSDEVOP_*`).
template <abi::PHYSDEVOP Op, class T = default_hypercall_transport, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> physdev_op(Arg&& arg) noexcept {
  return hcall_detail::op_with_arg<abi::hypercall::physdev_op, Op, T, Arg>(static_cast<Arg&&>(arg));
}
/// HYPERVISOR_physdev_op(\p Op, NULL): `PHYSDEVOP_IRQ_UNMASK_NOTIFY`.
template <abi::PHYSDEVOP Op, class T = default_hypercall_transport>
[[nodiscard]] inline hypercall_op_result<Op> physdev_op() noexcept {
  return hcall_detail::op_without_arg<abi::hypercall::physdev_op, Op, T>();
}

/// HYPERVISOR_grant_table_op(\p Op, \p ops, \p count): a batch of \p count grant-table
/// operations of one kind (`GNTTABOP_*`); each entry's `status` field reports its own outcome
/// (`GNTST_*`), the call's result only whether the batch was processed.
template <abi::GNTTABOP Op, class T = default_hypercall_transport, class E>
[[nodiscard]] inline hypercall_op_result<Op> grant_table_op(E* ops, std::uint32_t count) noexcept {
  hcall_detail::check_op<abi::hypercall::grant_table_op, Op, T, E&>();
  return xenabi::detail::finish<xenabi::detail::op_returns_value<Op>()>(
      T::call(xenabi::detail::nr(abi::hypercall::grant_table_op), xenabi::detail::enum_arg(Op),
              xenabi::detail::ptr_arg(ops), hypercall_arg{count}));
}
/// HYPERVISOR_grant_table_op over an array of operations (count deduced).
template <abi::GNTTABOP Op, class T = default_hypercall_transport, class E, std::size_t N>
[[nodiscard]] inline hypercall_op_result<Op> grant_table_op(E (&ops)[N]) noexcept {
  static_assert(N <= 0xffffffffu, "xenabi: grant_table_op batch too large");
  return grant_table_op<Op, T>(static_cast<E*>(ops), static_cast<std::uint32_t>(N));
}

/// HYPERVISOR_callback_op(\p Op, &\p arg): register or unregister a PV callback
/// (`CALLBACKOP_*`). PV only.
template <abi::CALLBACKOP Op, class T = default_hypercall_transport, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> callback_op(Arg&& arg) noexcept {
  return hcall_detail::op_with_arg<abi::hypercall::callback_op, Op, T, Arg>(static_cast<Arg&&>(arg));
}

/// HYPERVISOR_nmi_op(\p Op, &\p arg): register an NMI callback (`XENNMI_register_callback`).
/// PV only.
template <abi::XENNMI Op, class T = default_hypercall_transport, class Arg>
[[nodiscard]] inline hypercall_op_result<Op> nmi_op(Arg&& arg) noexcept {
  return hcall_detail::op_with_arg<abi::hypercall::nmi_op, Op, T, Arg>(static_cast<Arg&&>(arg));
}
/// HYPERVISOR_nmi_op(\p Op, NULL): `XENNMI_unregister_callback`. PV only.
template <abi::XENNMI Op, class T = default_hypercall_transport>
[[nodiscard]] inline hypercall_op_result<Op> nmi_op() noexcept {
  return hcall_detail::op_without_arg<abi::hypercall::nmi_op, Op, T>();
}

// ---------------------------------------------------------------------------------------------
// Hypercalls of every mode with their own argument lists

/// HYPERVISOR_console_io(\p Op, \p count, \p buffer): write to (`CONSOLEIO::write`, a
/// `const char` buffer) or read from (`CONSOLEIO::read`, a writable `char` buffer; the result
/// is the number of bytes read) the hypervisor console.
template <abi::CONSOLEIO Op, class T = default_hypercall_transport, class C>
[[nodiscard]] inline auto console_io(C* buffer, std::uint32_t count) noexcept
    -> std::conditional_t<Op == abi::CONSOLEIO::read, result<long>, result<void>> {
  hcall_detail::check_hypercall<abi::hypercall::console_io, T>();
  static_assert(std::is_same_v<std::remove_const_t<C>, char>,
                "xenabi: console_io takes a char buffer");
  static_assert(Op != abi::CONSOLEIO::read || !std::is_const_v<C>,
                "xenabi: CONSOLEIO::read writes its buffer (OUT): pass a non-const char buffer");
  return xenabi::detail::finish<Op == abi::CONSOLEIO::read>(
      T::call(xenabi::detail::nr(abi::hypercall::console_io), xenabi::detail::enum_arg(Op),
              hypercall_arg{count}, xenabi::detail::ptr_arg(buffer)));
}

/// HYPERVISOR_set_timer_op(\p timeout): one-shot timer (VIRQ_TIMER) at absolute system time
/// \p timeout ns; 0 cancels it. (i386 passes the 64-bit time as two registers, low first.)
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> set_timer_op(std::uint64_t timeout) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::set_timer_op, T>();
#if defined(__x86_64__)
  return xenabi::detail::finish<false>(
      T::call(xenabi::detail::nr(abi::hypercall::set_timer_op), hypercall_arg{timeout}));
#else
  return xenabi::detail::finish<false>(
      T::call(xenabi::detail::nr(abi::hypercall::set_timer_op),
              static_cast<hypercall_arg>(timeout & 0xffffffffu),
              static_cast<hypercall_arg>(timeout >> 32)));
#endif
}

/// HYPERVISOR_multicall(\p calls, \p count): runs the batch; each entry's `result` receives its
/// call's return value (the list is IN/OUT, so it cannot be const). The hypercall itself fails
/// only if the batch could not be read or written.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> multicall(abi::multicall_entry* calls, std::uint32_t count) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::multicall, T>();
  return xenabi::detail::finish<false>(
      T::call(xenabi::detail::nr(abi::hypercall::multicall), xenabi::detail::ptr_arg(calls),
              hypercall_arg{count}));
}
/// HYPERVISOR_multicall over an array (count deduced).
template <class T = default_hypercall_transport, std::size_t N>
[[nodiscard]] inline result<void> multicall(abi::multicall_entry (&calls)[N]) noexcept {
  static_assert(N <= 0xffffffffu, "xenabi: multicall batch too large");
  return multicall<T>(calls, static_cast<std::uint32_t>(N));
}
/// A const batch cannot receive the results: rejected with a diagnostic.
template <class T = default_hypercall_transport>
result<void> multicall(const abi::multicall_entry* calls, std::uint32_t count) noexcept {
  static_assert(!xenabi::detail::dependent_true<T>,
                "xenabi: multicall writes each entry's result (IN/OUT): pass a non-const batch");
  (void)calls;
  (void)count;
  return errc::einval;
}

/// HYPERVISOR_vm_assist(\p cmd, \p type): enable or disable an assist (`VMASST_TYPE_*`).
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> vm_assist(abi::VMASST_CMD cmd, abi::VMASST type) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::vm_assist, T>();
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::vm_assist),
                                               xenabi::detail::enum_arg(cmd),
                                               xenabi::detail::enum_arg(type)));
}

// ---------------------------------------------------------------------------------------------
// PV-only hypercalls (compile only in builds that target PV; hypercall_modes.hpp)

/// HYPERVISOR_mmu_update(\p req, \p count, \p done, \p foreigndom): a batch of validated
/// page-table updates (`MMU_*` in the low bits of each `ptr`). \p done (may be null) receives
/// the number of updates applied. PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> mmu_update(const abi::mmu_update* req, std::uint32_t count,
                                             std::uint32_t* done = nullptr,
                                             abi::domid_t foreigndom = abi::DOMID::SELF) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::mmu_update, T>();
  return xenabi::detail::finish<false>(
      T::call(xenabi::detail::nr(abi::hypercall::mmu_update), xenabi::detail::ptr_arg(req),
              hypercall_arg{count}, xenabi::detail::ptr_arg(done), hypercall_arg{foreigndom}));
}

/// HYPERVISOR_mmuext_op(\p ops, \p count, \p done, \p foreigndom): extended MMU operations
/// (`MMUEXT_*`: pin, unpin, new base pointer, TLB flushes...). Dispatched for every mode; for
/// PVH/HVM callers Xen accepts only pin/unpin on a PV foreign domain (toolstack use).
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> mmuext_op(const abi::mmuext_op* ops, std::uint32_t count,
                                            std::uint32_t* done = nullptr,
                                            abi::domid_t foreigndom = abi::DOMID::SELF) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::mmuext_op, T>();
  return xenabi::detail::finish<false>(
      T::call(xenabi::detail::nr(abi::hypercall::mmuext_op), xenabi::detail::ptr_arg(ops),
              hypercall_arg{count}, xenabi::detail::ptr_arg(done), hypercall_arg{foreigndom}));
}

/// HYPERVISOR_update_va_mapping(\p va, \p val, \p flags): set the PTE that maps \p va to
/// \p val, then flush as \p flags says (`UVMF_*`). PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> update_va_mapping(std::uintptr_t va, std::uint64_t val,
                                                    std::uint32_t flags) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::update_va_mapping, T>();
#if defined(__x86_64__)
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::update_va_mapping),
                                               hypercall_arg{va}, hypercall_arg{val},
                                               hypercall_arg{flags}));
#else
  return xenabi::detail::finish<false>(T::call(
      xenabi::detail::nr(abi::hypercall::update_va_mapping), hypercall_arg{va},
      static_cast<hypercall_arg>(val & 0xffffffffu), static_cast<hypercall_arg>(val >> 32),
      hypercall_arg{flags}));
#endif
}

/// HYPERVISOR_update_va_mapping_otherdomain: update_va_mapping in \p domid's address space
/// (privileged). PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> update_va_mapping_otherdomain(std::uintptr_t va,
                                                                std::uint64_t val,
                                                                std::uint32_t flags,
                                                                abi::domid_t domid) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::update_va_mapping_otherdomain, T>();
#if defined(__x86_64__)
  return xenabi::detail::finish<false>(
      T::call(xenabi::detail::nr(abi::hypercall::update_va_mapping_otherdomain), hypercall_arg{va},
              hypercall_arg{val}, hypercall_arg{flags}, hypercall_arg{domid}));
#else
  return xenabi::detail::finish<false>(T::call(
      xenabi::detail::nr(abi::hypercall::update_va_mapping_otherdomain), hypercall_arg{va},
      static_cast<hypercall_arg>(val & 0xffffffffu), static_cast<hypercall_arg>(val >> 32),
      hypercall_arg{flags}, hypercall_arg{domid}));
#endif
}

/// HYPERVISOR_set_trap_table(\p table): install the virtual IDT; \p table ends with an entry
/// whose `address` is 0. PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> set_trap_table(const abi::trap_info* table) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::set_trap_table, T>();
  return xenabi::detail::finish<false>(
      T::call(xenabi::detail::nr(abi::hypercall::set_trap_table), xenabi::detail::ptr_arg(table)));
}

#if defined(__x86_64__)
/// HYPERVISOR_set_callbacks(event, failsafe, syscall): the PV event-upcall, failsafe and
/// syscall entry points (x86_64 form). PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> set_callbacks(std::uintptr_t event_address,
                                                std::uintptr_t failsafe_address,
                                                std::uintptr_t syscall_address) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::set_callbacks, T>();
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::set_callbacks),
                                               hypercall_arg{event_address},
                                               hypercall_arg{failsafe_address},
                                               hypercall_arg{syscall_address}));
}

/// HYPERVISOR_set_segment_base(\p which, \p base): FS/GS base or user GS selector
/// (`SEGBASE_*`; x86_64 PV only).
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> set_segment_base(abi::x86_64::SEGBASE which, std::uint64_t base) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::set_segment_base, T>();
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::set_segment_base),
                                               xenabi::detail::enum_arg(which),
                                               hypercall_arg{base}));
}
#else
/// HYPERVISOR_set_callbacks(event selector:address, failsafe selector:address): the PV
/// event-upcall and failsafe entry points (i386 form). PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> set_callbacks(std::uint32_t event_selector,
                                                std::uint32_t event_address,
                                                std::uint32_t failsafe_selector,
                                                std::uint32_t failsafe_address) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::set_callbacks, T>();
  return xenabi::detail::finish<false>(T::call(
      xenabi::detail::nr(abi::hypercall::set_callbacks), hypercall_arg{event_selector},
      hypercall_arg{event_address}, hypercall_arg{failsafe_selector}, hypercall_arg{failsafe_address}));
}
#endif

/// HYPERVISOR_stack_switch(\p ss, \p sp): the kernel stack Xen switches to on a trap from user
/// mode. PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> stack_switch(std::uintptr_t ss, std::uintptr_t sp) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::stack_switch, T>();
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::stack_switch),
                                               hypercall_arg{ss}, hypercall_arg{sp}));
}

/// HYPERVISOR_fpu_taskswitch(\p set): set (nonzero) or clear CR0.TS. PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> fpu_taskswitch(bool set) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::fpu_taskswitch, T>();
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::fpu_taskswitch),
                                               hypercall_arg{set ? 1u : 0u}));
}

/// HYPERVISOR_update_descriptor(\p maddr, \p desc): write descriptor \p desc at machine
/// address \p maddr of a GDT/LDT page (i386 passes both 64-bit values as two registers). PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> update_descriptor(std::uint64_t maddr, std::uint64_t desc) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::update_descriptor, T>();
#if defined(__x86_64__)
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::update_descriptor),
                                               hypercall_arg{maddr}, hypercall_arg{desc}));
#else
  return xenabi::detail::finish<false>(T::call(
      xenabi::detail::nr(abi::hypercall::update_descriptor),
      static_cast<hypercall_arg>(maddr & 0xffffffffu), static_cast<hypercall_arg>(maddr >> 32),
      static_cast<hypercall_arg>(desc & 0xffffffffu), static_cast<hypercall_arg>(desc >> 32)));
#endif
}

/// HYPERVISOR_set_gdt(\p frames, \p entries): install a GDT of \p entries descriptors held in
/// the frames listed. PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> set_gdt(const abi::xen_ulong_t* frames, std::uint32_t entries) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::set_gdt, T>();
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::set_gdt),
                                               xenabi::detail::ptr_arg(frames),
                                               hypercall_arg{entries}));
}

/// HYPERVISOR_set_debugreg(\p reg, \p value): write debug register DR\p reg. PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> set_debugreg(std::uint32_t reg, std::uintptr_t value) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::set_debugreg, T>();
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::set_debugreg),
                                               hypercall_arg{reg}, hypercall_arg{value}));
}

/// HYPERVISOR_get_debugreg(\p reg): read debug register DR\p reg (the value is the result).
/// PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<long> get_debugreg(std::uint32_t reg) noexcept {
  hcall_detail::check_hypercall<abi::hypercall::get_debugreg, T>();
  return xenabi::detail::finish<true>(
      T::call(xenabi::detail::nr(abi::hypercall::get_debugreg), hypercall_arg{reg}));
}

/// HYPERVISOR_iret(): return from an event or exception using the iret_context the guest
/// pushed on its kernel stack. Does not return on success. PV only.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> iret() noexcept {
  hcall_detail::check_hypercall<abi::hypercall::iret, T>();
  return xenabi::detail::finish<false>(T::call(xenabi::detail::nr(abi::hypercall::iret)));
}

}  // inline namespace XENABI_GUEST_MODE_NS_

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
