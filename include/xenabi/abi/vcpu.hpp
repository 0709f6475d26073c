/// \file
/// Per-vCPU operations (Xen's `vcpu.h`): the `VCPUOP_*` sub-operations of HYPERVISOR_vcpu_op —
/// bringing vCPUs up and down, run-state accounting (the basis of virtual time), periodic and
/// single-shot timers, and registering where the hypervisor writes a vCPU's vcpu_info, run-state
/// and time areas.
///
/// vcpu_runstate_info and vcpu_set_singleshot_timer have a 64-bit member after a 32-bit one, so
/// i386 packs them differently: `abi::x86_64::vcpu_runstate_info` (48 bytes),
/// `abi::x86_32::vcpu_runstate_info` (44 bytes), native `abi::vcpu_runstate_info`. The memory-area
/// registrations hold a guest handle and are width templates too (same size on both widths).
#pragma once

#include <xenabi/abi/width.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// HYPERVISOR_vcpu_op sub-operations (Xen's `VCPUOP_*`).
enum class VCPUOP : u32 {
  initialise = 0,                       ///< Set a down vCPU's context (PV: vcpu_guest_context).
  up = 1,                               ///< Start a vCPU.
  down = 2,                             ///< Stop a vCPU.
  is_up = 3,                            ///< Returns 1 if the vCPU is up.
  get_runstate_info = 4,                ///< Read the run-state (vcpu_runstate_info).
  register_runstate_memory_area = 5,    ///< Have Xen keep a run-state copy updated.
  set_periodic_timer = 6,               ///< Periodic VIRQ_TIMER (vcpu_set_periodic_timer).
  stop_periodic_timer = 7,              ///< Stop it (no argument).
  set_singleshot_timer = 8,             ///< One-shot VIRQ_TIMER (vcpu_set_singleshot_timer).
  stop_singleshot_timer = 9,            ///< Cancel it (no argument).
  register_vcpu_info = 10,              ///< Move vcpu_info out of shared_info.
  send_nmi = 11,                        ///< Send an NMI to a vCPU.
  get_physid = 12,                      ///< Physical CPU id (dom0; vcpu_get_physid).
  register_vcpu_time_memory_area = 13,  ///< Have Xen keep a vcpu_time_info copy updated.
};
XENABI_CONSTANTS(VCPUOP, VCPUOP_, initialise, up, down, is_up, get_runstate_info,
                 register_runstate_memory_area, set_periodic_timer, stop_periodic_timer,
                 set_singleshot_timer, stop_singleshot_timer, register_vcpu_info, send_nmi,
                 get_physid, register_vcpu_time_memory_area)

/// vCPU run states (Xen's `RUNSTATE_*`).
enum class RUNSTATE : s32 {
  running = 0,   ///< Running on a physical CPU.
  runnable = 1,  ///< Runnable, waiting for a CPU.
  blocked = 2,   ///< Blocked (waiting for an event).
  offline = 3,   ///< Down, or preempted not runnable.
};
XENABI_CONSTANTS(RUNSTATE, RUNSTATE_, running, runnable, blocked, offline)

/// Lone `XEN_*` constants of vcpu.h.
namespace XEN {
/// `XEN_RUNSTATE_UPDATE`: set in state_entry_time while Xen updates the run-state area (with
/// VMASST_TYPE_runstate_update_flag).
inline constexpr u64 RUNSTATE_UPDATE = u64{1} << 63;
}  // namespace XEN
XENABI_CONSTANTS(XEN, XEN_, RUNSTATE_UPDATE)

/// vcpu_set_singleshot_timer::flags (Xen's `VCPU_SSHOTTMR_*`).
namespace VCPU_SSHOTTMR {
/// `VCPU_SSHOTTMR_future`: fail with -ETIME if the deadline has already passed.
inline constexpr u32 future = 1u << 0;
}  // namespace VCPU_SSHOTTMR
XENABI_CONSTANTS(VCPU_SSHOTTMR, VCPU_SSHOTTMR_, future)

/// VCPUOP_set_periodic_timer argument.
struct vcpu_set_periodic_timer {
  u64 period_ns;  ///< IN: period in nanoseconds.
};
XENABI_LAYOUT(vcpu_set_periodic_timer, 8, period_ns, 0);

/// VCPUOP_register_vcpu_info argument: place this vCPU's vcpu_info at (mfn, offset).
struct vcpu_register_vcpu_info {
  u64 mfn;     ///< IN: frame (gfn for translated guests).
  u32 offset;  ///< IN: offset within the frame (the 64 bytes must not cross it).
  u32 rsvd;    ///< Reserved, zero.
};
XENABI_LAYOUT(vcpu_register_vcpu_info, 16, mfn, 0, offset, 8, rsvd, 12);

/// VCPUOP_get_physid argument.
struct vcpu_get_physid {
  u64 phys_id;  ///< OUT: APIC id (low 32 bits) and ACPI id (high 32 bits).
};
XENABI_LAYOUT(vcpu_get_physid, 8, phys_id, 0);

/// The x86 APIC id in a vcpu_get_physid::phys_id (Xen's `xen_vcpu_physid_to_x86_apicid`).
[[nodiscard]] constexpr u32 xen_vcpu_physid_to_x86_apicid(u64 physid) noexcept {
  return static_cast<u32>(physid);
}
/// The ACPI id in a vcpu_get_physid::phys_id (Xen's `xen_vcpu_physid_to_x86_acpiid`).
[[nodiscard]] constexpr u32 xen_vcpu_physid_to_x86_acpiid(u64 physid) noexcept {
  return static_cast<u32>(physid >> 32);
}

namespace tmpl {

/// A vCPU's run-state accounting (Xen's `struct vcpu_runstate_info`) for width \p W. The time
/// spent in RUNSTATE_running is the vCPU's virtual time.
template <class W>
struct vcpu_runstate_info {
  s32 state;                           ///< The current `RUNSTATE_*`.
  typename W::uint64 state_entry_time; ///< System time of entering it (XEN_RUNSTATE_UPDATE bit).
  typename W::uint64 time[4];          ///< Nanoseconds spent in each state.
};

/// VCPUOP_register_runstate_memory_area argument for width \p W.
template <class W>
struct vcpu_register_runstate_memory_area {
  /// IN: guest-virtual address of the area.
  union {
    guest_handle<vcpu_runstate_info<W>, W> h;  ///< As a guest handle.
    typename W::handle_word v;                 ///< As a pointer (Xen: `vcpu_runstate_info *v`).
    typename W::uint64 p;                      ///< As a 64-bit integer.
  } addr;
};

/// VCPUOP_set_singleshot_timer argument for width \p W.
template <class W>
struct vcpu_set_singleshot_timer {
  typename W::uint64 timeout_abs_ns;  ///< IN: absolute system time of expiry.
  u32 flags;                          ///< IN: `VCPU_SSHOTTMR_*`.
};

/// VCPUOP_register_vcpu_time_memory_area argument for width \p W.
template <class W>
struct vcpu_register_time_memory_area {
  /// IN: guest-virtual address of the area.
  union {
    guest_handle<vcpu_time_info<W>, W> h;  ///< As a guest handle.
    typename W::handle_word v;          ///< As a pointer (Xen: `vcpu_time_info *v`).
    typename W::uint64 p;               ///< As a 64-bit integer.
  } addr;
};

}  // namespace tmpl

namespace x86_64 {
using vcpu_runstate_info = tmpl::vcpu_runstate_info<width64>;  ///< 64-bit vcpu_runstate_info.
/// 64-bit vcpu_register_runstate_memory_area.
using vcpu_register_runstate_memory_area = tmpl::vcpu_register_runstate_memory_area<width64>;
/// 64-bit vcpu_set_singleshot_timer.
using vcpu_set_singleshot_timer = tmpl::vcpu_set_singleshot_timer<width64>;
/// 64-bit vcpu_register_time_memory_area.
using vcpu_register_time_memory_area = tmpl::vcpu_register_time_memory_area<width64>;
}  // namespace x86_64
namespace x86_32 {
using vcpu_runstate_info = tmpl::vcpu_runstate_info<width32>;  ///< 32-bit vcpu_runstate_info.
/// 32-bit vcpu_register_runstate_memory_area.
using vcpu_register_runstate_memory_area = tmpl::vcpu_register_runstate_memory_area<width32>;
/// 32-bit vcpu_set_singleshot_timer.
using vcpu_set_singleshot_timer = tmpl::vcpu_set_singleshot_timer<width32>;
/// 32-bit vcpu_register_time_memory_area.
using vcpu_register_time_memory_area = tmpl::vcpu_register_time_memory_area<width32>;
}  // namespace x86_32

XENABI_LAYOUT_W(x86_64, vcpu_runstate_info, 48, state, 0, state_entry_time, 8, time, 16);
XENABI_LAYOUT_W(x86_32, vcpu_runstate_info, 44, state, 0, state_entry_time, 4, time, 12);
XENABI_LAYOUT_W(x86_64, vcpu_register_runstate_memory_area, 8, addr, 0, addr.h, 0, addr.v, 0,
                addr.p, 0);
XENABI_LAYOUT_W(x86_32, vcpu_register_runstate_memory_area, 8, addr, 0, addr.h, 0, addr.v, 0,
                addr.p, 0);
XENABI_LAYOUT_W(x86_64, vcpu_set_singleshot_timer, 16, timeout_abs_ns, 0, flags, 8);
XENABI_LAYOUT_W(x86_32, vcpu_set_singleshot_timer, 12, timeout_abs_ns, 0, flags, 8);
XENABI_LAYOUT_W(x86_64, vcpu_register_time_memory_area, 8, addr, 0, addr.h, 0, addr.v, 0, addr.p,
                0);
XENABI_LAYOUT_W(x86_32, vcpu_register_time_memory_area, 8, addr, 0, addr.h, 0, addr.v, 0, addr.p,
                0);

/// The compiling target's `struct vcpu_runstate_info`.
using vcpu_runstate_info = native::vcpu_runstate_info;
/// The compiling target's `struct vcpu_register_runstate_memory_area`.
using vcpu_register_runstate_memory_area = native::vcpu_register_runstate_memory_area;
/// The compiling target's `struct vcpu_set_singleshot_timer`.
using vcpu_set_singleshot_timer = native::vcpu_set_singleshot_timer;
/// The compiling target's `struct vcpu_register_time_memory_area`.
using vcpu_register_time_memory_area = native::vcpu_register_time_memory_area;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
