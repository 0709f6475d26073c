/// \file
/// Which guest modes Xen accepts each hypercall from: one constexpr table keyed by hypercall
/// number, used by the typed wrappers (xenabi/hypercall.hpp: a hypercall that the build's guest
/// mode cannot make does not compile) and by a hypervisor (a mode that does not accept a
/// hypercall gets `-ENOSYS`, with the table's name and note in its trace).
///
/// Source of the facts: Xen 4.17's dispatch table, the `table:` section at the end of
/// `xen/include/hypercall-defs.c` (from which Xen generates `call_handlers_pv64/pv32/hvm64/
/// hvm32`), with the `#ifdef CONFIG_*` around entries recorded in `config`; the HVM sub-operation
/// filters are from `xen/arch/x86/hvm/hypercall.c` (`hvm_memory_op`, `hvm_grant_table_op`,
/// `hvm_physdev_op`). PVH guests are HVM guests to Xen's dispatcher, so their columns are
/// `hvm64`/`hvm32`. HVM/PVH guests must also call from ring 0 (CPL > 0 gets `-EPERM`), which is
/// not a per-hypercall property and so not in the table.
///
/// `paging_domctl_cont` (arch_1) is included although only Xen's internal headers name it, since
/// Xen dispatches it for every mode. Numbers with no entry (11, 43..47, 50..) are accepted by no
/// mode. Sub-operation limits (XENMEM_machphys_mapping, GNTTABOP_transfer, PHYSDEVOP_set_iopl...
/// for PVH/HVM) are in xenabi/hypercall.hpp: `hypercall_op_traits<Op>::modes` at compile time,
/// `hypercall_subop_accepted(h, cmd, mode, width)` at run time. `default_build` records what Xen
/// 4.17 as built by default answers; both columns were
/// checked against the real Xen 4.17.7 (Debian's build, PVH dom0, 32-bit) by the probe kernel in
/// `tests/xenabi/hypercall/xen_probe/`.
#pragma once

#include <cstdint>

#include <xenabi/abi/xen.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// The kinds of x86 guest Xen dispatches hypercalls for.
enum class guest_mode : std::uint8_t {
  pv = 0,   ///< Classic paravirtualized guest (Xen's `pv64`/`pv32` tables).
  pvh = 1,  ///< PVH (and HVM) guest: hardware-virtualized container (Xen's `hvm64`/`hvm32`).
};

/// Register width of the calling guest (Xen dispatches 32-bit guests through compat handlers).
enum class guest_width : std::uint8_t {
  x86_32 = 32,  ///< 32-bit guest (i386 register convention).
  x86_64 = 64,  ///< 64-bit guest (x86_64 register convention).
};

/// Bits of hypercall_mode_info::accepts, one per Xen dispatch table column.
namespace hypercall_mode_bit {
inline constexpr std::uint8_t pv32 = 1u << 0;   ///< Accepted from 32-bit PV guests.
inline constexpr std::uint8_t pv64 = 1u << 1;   ///< Accepted from 64-bit PV guests.
inline constexpr std::uint8_t hvm32 = 1u << 2;  ///< Accepted from 32-bit PVH/HVM guests.
inline constexpr std::uint8_t hvm64 = 1u << 3;  ///< Accepted from 64-bit PVH/HVM guests.
inline constexpr std::uint8_t pv = pv32 | pv64;     ///< Accepted from PV guests of both widths.
inline constexpr std::uint8_t hvm = hvm32 | hvm64;  ///< Accepted from PVH/HVM guests of both widths.
inline constexpr std::uint8_t all = pv | hvm;       ///< Accepted from every x86 guest.
}  // namespace hypercall_mode_bit

/// The bit of hypercall_mode_bit for a guest of mode \p m and width \p w.
[[nodiscard]] constexpr std::uint8_t mode_bit(guest_mode m, guest_width w) noexcept {
  if (m == guest_mode::pv) {
    return w == guest_width::x86_64 ? hypercall_mode_bit::pv64 : hypercall_mode_bit::pv32;
  }
  return w == guest_width::x86_64 ? hypercall_mode_bit::hvm64 : hypercall_mode_bit::hvm32;
}

/// One row of the table: a hypercall number, its name and the modes Xen accepts it from.
struct hypercall_mode_info {
  std::uint32_t nr;     ///< Hypercall number (`__HYPERVISOR_<name>`).
  const char* name;     ///< Xen's name without the `__HYPERVISOR_` prefix.
  std::uint8_t accepts; ///< Mask of hypercall_mode_bit: the modes whose dispatch table has it.
  const char* config;   ///< The Xen Kconfig option the entry depends on, or "" if none.
  const char* note;     ///< Why modes refuse it, or the sub-operation limits they apply.
  /// False if Xen 4.17 as built by default (Kconfig defaults, no FLASK; Debian's package)
  /// answers `-ENOSYS` even where the mode dispatches it: the entry's option is off, or the
  /// handler is a stub.
  bool default_build = true;
};

/// The table, in number order. Every hypercall number defined in Xen 4.17's public x86 headers.
inline constexpr hypercall_mode_info hypercall_modes[] = {
    {0, "set_trap_table", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests use a hardware IDT"},
    {1, "mmu_update", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests write their own page tables (second-stage translation)"},
    {2, "set_gdt", hypercall_mode_bit::pv, "", "PV only: PVH/HVM guests load their own GDT"},
    {3, "stack_switch", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests own their TSS and kernel stack"},
    {4, "set_callbacks", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests get event upcalls as an interrupt vector"},
    {5, "fpu_taskswitch", hypercall_mode_bit::pv, "", "PV only: PVH/HVM guests write CR0.TS"},
    {6, "sched_op_compat", hypercall_mode_bit::pv, "CONFIG_PV",
     "PV only, deprecated since interface 0x00030101: use sched_op"},
    {7, "platform_op", hypercall_mode_bit::all, "!CONFIG_PV_SHIM_EXCLUSIVE",
     "privileged: the hardware domain only (others get -EPERM)"},
    {8, "set_debugreg", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests write debug registers directly"},
    {9, "get_debugreg", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests read debug registers directly"},
    {10, "update_descriptor", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests write their own descriptor tables"},
    {12, "memory_op", hypercall_mode_bit::all, "",
     "PVH/HVM: XENMEM_machphys_mapping returns -ENOSYS (hvm_memory_op)"},
    {13, "multicall", hypercall_mode_bit::all, "",
     "each entry is dispatched by the caller's mode, as if called directly"},
    {14, "update_va_mapping", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests write their own page tables"},
    {15, "set_timer_op", hypercall_mode_bit::all, "", ""},
    {16, "event_channel_op_compat", hypercall_mode_bit::pv, "CONFIG_PV",
     "PV only, deprecated since interface 0x00030202: use event_channel_op"},
    {17, "xen_version", hypercall_mode_bit::all, "", ""},
    {18, "console_io", hypercall_mode_bit::all, "",
     "unprivileged guests: debug Xen builds print, release builds return -EPERM"},
    {19, "physdev_op_compat", hypercall_mode_bit::pv, "CONFIG_PV",
     "PV only, deprecated since interface 0x00030202: use physdev_op"},
    {20, "grant_table_op", hypercall_mode_bit::all, "CONFIG_GRANT_TABLE",
     "PVH/HVM: only query_size, setup_table, set_version, get_version, copy, map_grant_ref, "
     "unmap_grant_ref, swap_grant_ref; others -ENOSYS (hvm_grant_table_op)"},
    {21, "vm_assist", hypercall_mode_bit::all, "",
     "the assists a mode supports differ (PVH/HVM: runstate_update_flag)"},
    {22, "update_va_mapping_otherdomain", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests write their own page tables"},
    {23, "iret", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests execute iret (Xen fills this HVM stub with ud2)"},
    {24, "vcpu_op", hypercall_mode_bit::all, "", ""},
    {25, "set_segment_base", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests write FS/GS base MSRs"},
    {26, "mmuext_op", hypercall_mode_bit::all, "CONFIG_PV",
     "PVH/HVM: only MMUEXT_PIN_L1..L4_TABLE and MMUEXT_UNPIN_TABLE, on a PV foreign domain "
     "(toolstack use); other commands -EOPNOTSUPP (x86/mm.c do_mmuext_op)"},
    {27, "xsm_op", hypercall_mode_bit::all, "CONFIG_XSM_FLASK",
     "dispatched for every mode; without FLASK (the default) the XSM stub answers -ENOSYS", false},
    {28, "nmi_op", hypercall_mode_bit::pv, "", "PV only"},
    {29, "sched_op", hypercall_mode_bit::all, "", ""},
    {30, "callback_op", hypercall_mode_bit::pv, "",
     "PV only: PVH/HVM guests get event upcalls as an interrupt vector"},
    {31, "xenoprof_op", hypercall_mode_bit::pv, "CONFIG_XENOPROF", "PV only"},
    {32, "event_channel_op", hypercall_mode_bit::all, "", ""},
    {33, "physdev_op", hypercall_mode_bit::all, "",
     "PVH/HVM: map_pirq, unmap_pirq, eoi, irq_status_query, get_free_pirq only for domains with "
     "PIRQs (HVM with PIRQ emulation, never PVH); the hardware domain also pci_mmcfg_reserved, "
     "pci_device_add/remove, dbgp_op; others -ENOSYS (hvm_physdev_op)"},
    {34, "hvm_op", hypercall_mode_bit::all, "CONFIG_HVM", ""},
    {35, "sysctl", hypercall_mode_bit::all, "!CONFIG_PV_SHIM_EXCLUSIVE",
     "privileged: control domain only"},
    {36, "domctl", hypercall_mode_bit::all, "!CONFIG_PV_SHIM_EXCLUSIVE",
     "privileged: control domain only"},
    {37, "kexec_op", hypercall_mode_bit::pv, "CONFIG_KEXEC", "PV only (the hardware domain)"},
    {38, "tmem_op", 0, "", "removed from Xen (4.13): -ENOSYS for every mode", false},
    {39, "argo_op", hypercall_mode_bit::all, "CONFIG_ARGO", "off in default Xen builds", false},
    {40, "xenpmu_op", hypercall_mode_bit::all, "", ""},
    {41, "dm_op", hypercall_mode_bit::all, "CONFIG_IOREQ_SERVER",
     "device-model operations on HVM domains"},
    {42, "hypfs_op", hypercall_mode_bit::all, "CONFIG_HYPFS", ""},
    {48, "mca", hypercall_mode_bit::pv, "", "PV only (arch_0: x86 machine-check)"},
    {49, "paging_domctl_cont", hypercall_mode_bit::all, "!CONFIG_PV_SHIM_EXCLUSIVE",
     "Xen-internal number (arch_1, xen/arch/x86/include/asm/hypercall.h, not a public header): "
     "continuation of a paging domctl, toolstack only"},
};

/// Number of rows in hypercall_modes.
inline constexpr std::uint32_t hypercall_mode_count =
    static_cast<std::uint32_t>(sizeof(hypercall_modes) / sizeof(hypercall_modes[0]));

/// The row for hypercall \p nr, or null if Xen defines no hypercall with that number.
[[nodiscard]] constexpr const hypercall_mode_info* find_hypercall_mode(std::uint32_t nr) noexcept {
  for (const hypercall_mode_info& e : hypercall_modes) {
    if (e.nr == nr) return &e;
  }
  return nullptr;
}

/// Xen's name for hypercall \p nr ("memory_op"), or "?" for a number Xen does not define.
[[nodiscard]] constexpr const char* hypercall_name(std::uint32_t nr) noexcept {
  const hypercall_mode_info* e = find_hypercall_mode(nr);
  return e ? e->name : "?";
}

/// True if Xen dispatches hypercall \p nr for a guest of mode \p m and width \p w (in a build
/// with the entry's Kconfig option); false means `-ENOSYS`.
[[nodiscard]] constexpr bool hypercall_accepted(std::uint32_t nr, guest_mode m,
                                                guest_width w) noexcept {
  const hypercall_mode_info* e = find_hypercall_mode(nr);
  return e != nullptr && (e->accepts & mode_bit(m, w)) != 0;
}

/// The row for hypercall \p h, or null if the table has none (arch_2..arch_7).
[[nodiscard]] constexpr const hypercall_mode_info* find_hypercall_mode(abi::hypercall h) noexcept {
  return find_hypercall_mode(static_cast<std::uint32_t>(h));
}
/// Xen's name for hypercall \p h ("memory_op"; "mca" for arch_0), or "?".
[[nodiscard]] constexpr const char* hypercall_name(abi::hypercall h) noexcept {
  return hypercall_name(static_cast<std::uint32_t>(h));
}
/// True if Xen dispatches hypercall \p h for a guest of mode \p m and width \p w.
[[nodiscard]] constexpr bool hypercall_accepted(abi::hypercall h, guest_mode m, guest_width w) noexcept {
  return hypercall_accepted(static_cast<std::uint32_t>(h), m, w);
}

/// True if Xen 4.17 as built by default answers hypercall \p nr from a guest of mode \p m and
/// width \p w with something other than `-ENOSYS` (what a reference hypervisor imitating a
/// default build accepts).
[[nodiscard]] constexpr bool hypercall_answered(std::uint32_t nr, guest_mode m, guest_width w) noexcept {
  const hypercall_mode_info* e = find_hypercall_mode(nr);
  return e != nullptr && (e->accepts & mode_bit(m, w)) != 0 && e->default_build;
}

/// The register width of the code being compiled.
inline constexpr guest_width build_width =
#if defined(__x86_64__)
    guest_width::x86_64;
#else
    guest_width::x86_32;
#endif

/// \cond XENABI_INTERNAL
#if defined(XENABI_GUEST_MODE_PVH) && !defined(XENABI_GUEST_MODE_PV)
#define XENABI_GUEST_MODE_NS_ build_pvh
#elif defined(XENABI_GUEST_MODE_PV) && !defined(XENABI_GUEST_MODE_PVH)
#define XENABI_GUEST_MODE_NS_ build_pv
#else
#define XENABI_GUEST_MODE_NS_ build_any
#endif
/// \endcond

/// Everything whose meaning depends on `XENABI_GUEST_MODE_*` lives in an inline namespace
/// named after the selected modes (`build_pvh`, `build_pv`, `build_any`), so translation units
/// built for different modes can be linked together without violating the one-definition rule.
inline namespace XENABI_GUEST_MODE_NS_ {

/// The guest modes this build targets, as a mask of hypercall_mode_bit for build_width.
///
/// Define `XENABI_GUEST_MODE_PVH` (PVH/HVM only) or `XENABI_GUEST_MODE_PV` (PV only) before
/// including xenabi to restrict the build; with neither or both, the kernel may run in either
/// mode and every hypercall of either mode compiles. The typed wrappers refuse at compile time
/// a hypercall that no targeted mode accepts.
inline constexpr std::uint8_t build_guest_modes =
#if defined(XENABI_GUEST_MODE_PVH) && !defined(XENABI_GUEST_MODE_PV)
    mode_bit(guest_mode::pvh, build_width);
#elif defined(XENABI_GUEST_MODE_PV) && !defined(XENABI_GUEST_MODE_PVH)
    mode_bit(guest_mode::pv, build_width);
#else
    static_cast<std::uint8_t>(mode_bit(guest_mode::pv, build_width) |
                              mode_bit(guest_mode::pvh, build_width));
#endif

/// True if some guest mode this build targets (build_guest_modes) accepts hypercall \p nr.
[[nodiscard]] constexpr bool hypercall_in_build(std::uint32_t nr) noexcept {
  const hypercall_mode_info* e = find_hypercall_mode(nr);
  return e != nullptr && (e->accepts & build_guest_modes) != 0;
}

}  // inline namespace XENABI_GUEST_MODE_NS_

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
