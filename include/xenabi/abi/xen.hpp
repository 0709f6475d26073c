/// \file
/// The core of the Xen interface (Xen's `xen.h`): hypercall numbers, virtual IRQs, the MMU
/// update and extended-MMU operations, multicalls, the time and event areas the hypervisor
/// shares with each guest (vcpu_time_info, vcpu_info, shared_info), the PV start_info page,
/// reserved domain ids and console_io commands.
///
/// Width-dependent structures are templates in `abi::tmpl` with instances
/// `abi::x86_64::T`, `abi::x86_32::T` and the native `abi::T` (see width.hpp).
#pragma once

#include <xenabi/abi/arch_x86.hpp>
#include <xenabi/abi/width.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Hypercall numbers (Xen's `__HYPERVISOR_*`): the index of each 32-byte stub in the hypercall
/// page, and the value in %rax/%eax.
enum class hypercall : u32 {
  set_trap_table = 0,                ///< Install the virtual IDT (PV).
  mmu_update = 1,                    ///< Batched validated page-table updates (PV).
  set_gdt = 2,                       ///< Install the GDT frames (PV).
  stack_switch = 3,                  ///< Set the kernel stack (PV).
  set_callbacks = 4,                 ///< Register event/failsafe callbacks (PV, legacy).
  fpu_taskswitch = 5,                ///< Set/clear CR0.TS (PV).
  sched_op_compat = 6,               ///< Old sched_op (interface < 3.0.2).
  platform_op = 7,                   ///< Platform operations (dom0).
  set_debugreg = 8,                  ///< Set a debug register (PV).
  get_debugreg = 9,                  ///< Read a debug register (PV).
  update_descriptor = 10,            ///< Update one GDT/LDT descriptor (PV).
  memory_op = 12,                    ///< `XENMEM_*` memory reservation and physmap operations.
  multicall = 13,                    ///< Several hypercalls in one trap.
  update_va_mapping = 14,            ///< Update one PTE by virtual address (PV).
  set_timer_op = 15,                 ///< One-shot timer at an absolute system time.
  event_channel_op_compat = 16,      ///< Old event_channel_op (interface < 3.0.2).
  xen_version = 17,                  ///< `XENVER_*` version and feature queries.
  console_io = 18,                   ///< Hypervisor console (`CONSOLEIO_*`).
  physdev_op_compat = 19,            ///< Old physdev_op (interface < 3.0.2).
  grant_table_op = 20,               ///< `GNTTABOP_*` grant-table operations.
  vm_assist = 21,                    ///< Enable/disable `VMASST_TYPE_*` assists (PV).
  update_va_mapping_otherdomain = 22,///< update_va_mapping in another domain (PV, privileged).
  iret = 23,                         ///< Return from an exception/event to the guest (PV).
  vcpu_op = 24,                      ///< `VCPUOP_*` per-vCPU operations.
  set_segment_base = 25,             ///< Set an FS/GS base (x86_64 PV).
  mmuext_op = 26,                    ///< Extended MMU operations (`MMUEXT_*`, PV).
  xsm_op = 27,                       ///< Xen Security Modules.
  nmi_op = 28,                       ///< NMI callback registration.
  sched_op = 29,                     ///< `SCHEDOP_*` yield, block, shutdown, poll.
  callback_op = 30,                  ///< `CALLBACKOP_*` callback registration (PV).
  xenoprof_op = 31,                  ///< Profiling.
  event_channel_op = 32,             ///< `EVTCHNOP_*` event-channel operations.
  physdev_op = 33,                   ///< `PHYSDEVOP_*` physical-device operations.
  hvm_op = 34,                       ///< `HVMOP_*` HVM/PVH operations.
  sysctl = 35,                       ///< System control (toolstack).
  domctl = 36,                       ///< Domain control (toolstack).
  kexec_op = 37,                     ///< Kexec.
  tmem_op = 38,                      ///< Transcendent memory (removed).
  argo_op = 39,                      ///< Argo inter-domain messaging.
  xenpmu_op = 40,                    ///< PMU virtualisation.
  dm_op = 41,                        ///< Device-model operations.
  hypfs_op = 42,                     ///< Hypervisor file system.
  arch_0 = 48,                       ///< Architecture-specific 0 (x86: mca).
  arch_1 = 49,                       ///< Architecture-specific 1 (x86: paging_domctl_cont).
  arch_2 = 50,                       ///< Architecture-specific 2.
  arch_3 = 51,                       ///< Architecture-specific 3.
  arch_4 = 52,                       ///< Architecture-specific 4.
  arch_5 = 53,                       ///< Architecture-specific 5.
  arch_6 = 54,                       ///< Architecture-specific 6.
  arch_7 = 55,                       ///< Architecture-specific 7.
};
XENABI_CONSTANTS(hypercall, __HYPERVISOR_, set_trap_table, mmu_update, set_gdt, stack_switch,
                 set_callbacks, fpu_taskswitch, sched_op_compat, platform_op, set_debugreg,
                 get_debugreg, update_descriptor, memory_op, multicall, update_va_mapping,
                 set_timer_op, event_channel_op_compat, xen_version, console_io,
                 physdev_op_compat, grant_table_op, vm_assist, update_va_mapping_otherdomain,
                 iret, vcpu_op, set_segment_base, mmuext_op, xsm_op, nmi_op, sched_op,
                 callback_op, xenoprof_op, event_channel_op, physdev_op, hvm_op, sysctl, domctl,
                 kexec_op, tmem_op, argo_op, xenpmu_op, dm_op, hypfs_op, arch_0, arch_1, arch_2,
                 arch_3, arch_4, arch_5, arch_6, arch_7)

// VIRQ_ENOMEM's suffix is also <cerrno>'s ENOMEM macro: set it aside so that hosted code may
// include this header after <cerrno> (tests/foundation checks this with a hosted prelude).
#pragma push_macro("ENOMEM")
#undef ENOMEM
/// Virtual IRQs (Xen's `VIRQ_*`), bound to event channels with EVTCHNOP_bind_virq.
enum class VIRQ : u32 {
  TIMER = 0,        ///< Per-vCPU timer (set_timer_op / singleshot timer expiry).
  DEBUG = 1,        ///< Debug request ('q' key).
  CONSOLE = 2,      ///< Console input (dom0).
  DOM_EXC = 3,      ///< A domain exception (dom0).
  TBUF = 4,         ///< Trace buffer (dom0).
  DEBUGGER = 6,     ///< Debugger attention (dom0).
  XENOPROF = 7,     ///< Profiling buffer (per vCPU).
  CON_RING = 8,     ///< Console ring (dom0).
  PCPU_STATE = 9,   ///< Physical CPU state change (dom0).
  MEM_EVENT = 10,   ///< Memory event (dom0).
  ARGO = 11,        ///< Argo message.
  ENOMEM = 12,      ///< Low memory (dom0).
  XENPMU = 13,      ///< PMU interrupt (per vCPU).
  ARCH_0 = 16,      ///< Architecture-specific 0 (x86: MCA).
  ARCH_1 = 17,      ///< Architecture-specific 1.
  ARCH_2 = 18,      ///< Architecture-specific 2.
  ARCH_3 = 19,      ///< Architecture-specific 3.
  ARCH_4 = 20,      ///< Architecture-specific 4.
  ARCH_5 = 21,      ///< Architecture-specific 5.
  ARCH_6 = 22,      ///< Architecture-specific 6.
  ARCH_7 = 23,      ///< Architecture-specific 7.
};
XENABI_CONSTANTS(VIRQ, VIRQ_, TIMER, DEBUG, CONSOLE, DOM_EXC, TBUF, DEBUGGER, XENOPROF, CON_RING,
                 PCPU_STATE, MEM_EVENT, ARGO, ENOMEM, XENPMU, ARCH_0, ARCH_1, ARCH_2, ARCH_3,
                 ARCH_4, ARCH_5, ARCH_6, ARCH_7)
#pragma pop_macro("ENOMEM")

/// Lone `NR_*` constants.
namespace NR {
/// `NR_VIRQS`: number of virtual IRQs.
inline constexpr u32 VIRQS = 24;
}  // namespace NR
XENABI_CONSTANTS(NR, NR_, VIRQS)

/// mmu_update commands (Xen's `MMU_*`), in the low 2 bits of mmu_update::ptr.
enum class MMU : u32 {
  NORMAL_PT_UPDATE = 0,        ///< `*ptr = val`, ptr a machine address of a PTE (checked).
  MACHPHYS_UPDATE = 1,         ///< `machphys[ptr >> PAGE_SHIFT] = val`.
  PT_UPDATE_PRESERVE_AD = 2,   ///< Like NORMAL_PT_UPDATE, keeping the A/D bits.
  PT_UPDATE_NO_TRANSLATE = 3,  ///< ptr and val are machine addresses even for translated guests.
};
XENABI_CONSTANTS(MMU, MMU_, NORMAL_PT_UPDATE, MACHPHYS_UPDATE, PT_UPDATE_PRESERVE_AD,
                 PT_UPDATE_NO_TRANSLATE)

/// Extended MMU commands (Xen's `MMUEXT_*`) for mmuext_op::cmd.
enum class MMUEXT : u32 {
  PIN_L1_TABLE = 0,          ///< Pin an L1 table (arg1.mfn).
  PIN_L2_TABLE = 1,          ///< Pin an L2 table.
  PIN_L3_TABLE = 2,          ///< Pin an L3 table.
  PIN_L4_TABLE = 3,          ///< Pin an L4 table.
  UNPIN_TABLE = 4,           ///< Unpin a table.
  NEW_BASEPTR = 5,           ///< Switch the page-table base (arg1.mfn).
  TLB_FLUSH_LOCAL = 6,       ///< Flush the local TLB.
  INVLPG_LOCAL = 7,          ///< Invalidate one page locally (arg1.linear_addr).
  TLB_FLUSH_MULTI = 8,       ///< Flush TLBs of the vCPUs in arg2.vcpumask.
  INVLPG_MULTI = 9,          ///< Invalidate one page on the vCPUs in arg2.vcpumask.
  TLB_FLUSH_ALL = 10,        ///< Flush all vCPUs' TLBs.
  INVLPG_ALL = 11,           ///< Invalidate one page on all vCPUs.
  FLUSH_CACHE = 12,          ///< Write back and flush the cache.
  SET_LDT = 13,              ///< Set the LDT (arg1.linear_addr, arg2.nr_ents).
  NEW_USER_BASEPTR = 15,     ///< Set the user page-table base (x86_64).
  CLEAR_PAGE = 16,           ///< Zero a frame (arg1.mfn).
  COPY_PAGE = 17,            ///< Copy arg2.src_mfn to arg1.mfn.
  FLUSH_CACHE_GLOBAL = 18,   ///< Flush caches on all CPUs.
  MARK_SUPER = 19,           ///< Mark a superpage (obsolete).
  UNMARK_SUPER = 20,         ///< Unmark a superpage (obsolete).
};
XENABI_CONSTANTS(MMUEXT, MMUEXT_, PIN_L1_TABLE, PIN_L2_TABLE, PIN_L3_TABLE, PIN_L4_TABLE,
                 UNPIN_TABLE, NEW_BASEPTR, TLB_FLUSH_LOCAL, INVLPG_LOCAL, TLB_FLUSH_MULTI,
                 INVLPG_MULTI, TLB_FLUSH_ALL, INVLPG_ALL, FLUSH_CACHE, SET_LDT, NEW_USER_BASEPTR,
                 CLEAR_PAGE, COPY_PAGE, FLUSH_CACHE_GLOBAL, MARK_SUPER, UNMARK_SUPER)

/// update_va_mapping flags (Xen's `UVMF_*`). A vCPU mask pointer may be or'ed with UVMF_MULTI.
namespace UVMF {
inline constexpr u32 NONE = 0u << 0;            ///< `UVMF_NONE`: no flush.
inline constexpr u32 TLB_FLUSH = 1u << 0;       ///< `UVMF_TLB_FLUSH`: flush the whole TLB.
inline constexpr u32 INVLPG = 2u << 0;          ///< `UVMF_INVLPG`: invalidate the one page.
inline constexpr u32 FLUSHTYPE_MASK = 3u << 0;  ///< `UVMF_FLUSHTYPE_MASK`.
inline constexpr u32 MULTI = 0u << 2;           ///< `UVMF_MULTI`: flush the vCPUs in a mask.
inline constexpr u32 LOCAL = 0u << 2;           ///< `UVMF_LOCAL`: flush the local vCPU.
inline constexpr u32 ALL = 1u << 2;             ///< `UVMF_ALL`: flush all vCPUs.
}  // namespace UVMF
XENABI_CONSTANTS(UVMF, UVMF_, NONE, TLB_FLUSH, INVLPG, FLUSHTYPE_MASK, MULTI, LOCAL, ALL)

/// console_io commands (Xen's `CONSOLEIO_*`).
enum class CONSOLEIO : u32 {
  write = 0,  ///< Write a buffer to the hypervisor console.
  read = 1,   ///< Read from the hypervisor console (dom0).
};
XENABI_CONSTANTS(CONSOLEIO, CONSOLEIO_, write, read)

/// vm_assist commands (Xen's `VMASST_CMD_*`).
enum class VMASST_CMD : u32 {
  enable = 0,   ///< Enable an assist.
  disable = 1,  ///< Disable an assist.
};
XENABI_CONSTANTS(VMASST_CMD, VMASST_CMD_, enable, disable)

/// vm_assist types (Xen's `VMASST_TYPE_*`; split as `VMASST::TYPE_*` because a C++ identifier
/// cannot start with the digit of `4gb_segments`).
enum class VMASST : u32 {
  TYPE_4gb_segments = 0,          ///< Emulate 4GB segments.
  TYPE_4gb_segments_notify = 1,   ///< Notify on 4GB-segment emulation.
  TYPE_writable_pagetables = 2,   ///< Writable page tables (trapped and validated).
  TYPE_pae_extended_cr3 = 3,      ///< PAE page directories above 4GB.
  TYPE_architectural_iopl = 4,    ///< Architectural IOPL semantics.
  TYPE_runstate_update_flag = 5,  ///< XEN_RUNSTATE_UPDATE in runstate state_entry_time.
  TYPE_m2p_strict = 32,           ///< Strict machine-to-phys table visibility (x86_64).
};
XENABI_CONSTANTS(VMASST, VMASST_, TYPE_4gb_segments, TYPE_4gb_segments_notify,
                 TYPE_writable_pagetables, TYPE_pae_extended_cr3, TYPE_architectural_iopl,
                 TYPE_runstate_update_flag, TYPE_m2p_strict)

/// A domain id (Xen's `domid_t`).
using domid_t = u16;

/// Reserved domain ids (Xen's `DOMID_*`).
namespace DOMID {
inline constexpr domid_t FIRST_RESERVED = 0x7FF0;  ///< `DOMID_FIRST_RESERVED`.
inline constexpr domid_t SELF = 0x7FF0;            ///< `DOMID_SELF`: the calling domain.
inline constexpr domid_t IO = 0x7FF1;              ///< `DOMID_IO`: owner of I/O memory.
inline constexpr domid_t XEN = 0x7FF2;             ///< `DOMID_XEN`: the hypervisor.
inline constexpr domid_t COW = 0x7FF3;             ///< `DOMID_COW`: shared (copy-on-write).
inline constexpr domid_t INVALID = 0x7FF4;         ///< `DOMID_INVALID`.
inline constexpr domid_t IDLE = 0x7FFF;            ///< `DOMID_IDLE`: the idle domain.
inline constexpr domid_t MASK = 0x7FFF;            ///< `DOMID_MASK`.
}  // namespace DOMID
XENABI_CONSTANTS(DOMID, DOMID_, FIRST_RESERVED, SELF, IO, XEN, COW, INVALID, IDLE, MASK)

/// One page-table update for HYPERVISOR_mmu_update (Xen's `struct mmu_update`).
struct mmu_update {
  u64 ptr;  ///< Machine address of the PTE, low 2 bits: an `MMU_*` command.
  u64 val;  ///< The new contents.
};
XENABI_LAYOUT(mmu_update, 16, ptr, 0, val, 8);

/// vcpu_time_info::flags (Xen's `XEN_PVCLOCK_*`).
namespace XEN_PVCLOCK {
inline constexpr u8 TSC_STABLE_BIT = 1u << 0;  ///< `XEN_PVCLOCK_TSC_STABLE_BIT`: TSC is stable.
inline constexpr u8 GUEST_STOPPED = 1u << 1;   ///< `XEN_PVCLOCK_GUEST_STOPPED`: was paused.
}  // namespace XEN_PVCLOCK
XENABI_CONSTANTS(XEN_PVCLOCK, XEN_PVCLOCK_, TSC_STABLE_BIT, GUEST_STOPPED)

/// PV start_info flags (Xen's `SIF_*`).
namespace SIF {
inline constexpr u32 PRIVILEGED = 1u << 0;       ///< `SIF_PRIVILEGED`: privileged domain.
inline constexpr u32 INITDOMAIN = 1u << 1;       ///< `SIF_INITDOMAIN`: the initial domain.
inline constexpr u32 MULTIBOOT_MOD = 1u << 2;    ///< `SIF_MULTIBOOT_MOD`: modules are a list.
inline constexpr u32 MOD_START_PFN = 1u << 3;    ///< `SIF_MOD_START_PFN`: mod_start is a PFN.
inline constexpr u32 VIRT_P2M_4TOOLS = 1u << 4;  ///< `SIF_VIRT_P2M_4TOOLS`: virtual p2m list.
inline constexpr u32 PM_MASK = 0xFFu << 8;       ///< `SIF_PM_MASK`: power-management bits.
}  // namespace SIF
XENABI_CONSTANTS(SIF, SIF_, PRIVILEGED, INITDOMAIN, MULTIBOOT_MOD, MOD_START_PFN,
                 VIRT_P2M_4TOOLS, PM_MASK)

/// Lone `MAX_*` constants.
namespace MAX {
/// `MAX_GUEST_CMDLINE`: size of start_info::cmd_line.
inline constexpr u32 GUEST_CMDLINE = 1024;
}  // namespace MAX
XENABI_CONSTANTS(MAX, MAX_, GUEST_CMDLINE)

/// A module list entry when SIF_MULTIBOOT_MOD is set (Xen's `struct xen_multiboot_mod_list`).
struct xen_multiboot_mod_list {
  u32 mod_start;  ///< Physical address of the module.
  u32 mod_end;    ///< End (exclusive).
  u32 cmdline;    ///< Physical address of its command line.
  u32 pad;        ///< Unused.
};
XENABI_LAYOUT(xen_multiboot_mod_list, 16, mod_start, 0, mod_end, 4, cmdline, 8, pad, 12);

/// dom0's VGA console description (Xen's `dom0_vga_console_info`), found through
/// start_info::console.dom0 in the initial domain.
struct dom0_vga_console_info {
  u8 video_type;  ///< An `XEN_VGATYPE_*`.
  /// The mode's parameters.
  union {
    /// XEN_VGATYPE_TEXT_MODE_3.
    struct {
      u16 font_height;  ///< Font height in pixels.
      u16 cursor_x;     ///< Cursor column.
      u16 cursor_y;     ///< Cursor row.
      u16 rows;         ///< Rows.
      u16 columns;      ///< Columns.
    } text_mode_3;
    /// XEN_VGATYPE_VESA_LFB / XEN_VGATYPE_EFI_LFB.
    struct {
      u16 width;           ///< Width in pixels.
      u16 height;          ///< Height in pixels.
      u16 bytes_per_line;  ///< Bytes per scan line.
      u16 bits_per_pixel;  ///< Bits per pixel.
      u32 lfb_base;        ///< Frame buffer base (low 32 bits).
      u32 lfb_size;        ///< Frame buffer size in 64 KiB units.
      u8 red_pos;          ///< Red field position.
      u8 red_size;         ///< Red field size.
      u8 green_pos;        ///< Green field position.
      u8 green_size;       ///< Green field size.
      u8 blue_pos;         ///< Blue field position.
      u8 blue_size;        ///< Blue field size.
      u8 rsvd_pos;         ///< Reserved field position.
      u8 rsvd_size;        ///< Reserved field size.
      u32 gbl_caps;        ///< VESA capabilities.
      u16 mode_attrs;      ///< VESA mode attributes.
      u16 pad;             ///< Padding.
      u32 ext_lfb_base;    ///< Frame buffer base (high 32 bits).
    } vesa_lfb;
  } u;
};
XENABI_LAYOUT(dom0_vga_console_info, 40, video_type, 0, u, 4, u.text_mode_3, 4,
              u.text_mode_3.font_height, 4, u.text_mode_3.cursor_x, 6, u.text_mode_3.cursor_y, 8,
              u.text_mode_3.rows, 10, u.text_mode_3.columns, 12, u.vesa_lfb, 4, u.vesa_lfb.width,
              4, u.vesa_lfb.height, 6, u.vesa_lfb.bytes_per_line, 8, u.vesa_lfb.bits_per_pixel, 10,
              u.vesa_lfb.lfb_base, 12, u.vesa_lfb.lfb_size, 16, u.vesa_lfb.red_pos, 20,
              u.vesa_lfb.red_size, 21, u.vesa_lfb.green_pos, 22, u.vesa_lfb.green_size, 23,
              u.vesa_lfb.blue_pos, 24, u.vesa_lfb.blue_size, 25, u.vesa_lfb.rsvd_pos, 26,
              u.vesa_lfb.rsvd_size, 27, u.vesa_lfb.gbl_caps, 28, u.vesa_lfb.mode_attrs, 32,
              u.vesa_lfb.pad, 34, u.vesa_lfb.ext_lfb_base, 36);

/// dom0_vga_console_info::video_type (Xen's `XEN_VGATYPE_*`).
namespace XEN_VGATYPE {
inline constexpr u8 TEXT_MODE_3 = 0x03;  ///< `XEN_VGATYPE_TEXT_MODE_3`: 80x25 text.
inline constexpr u8 VESA_LFB = 0x23;     ///< `XEN_VGATYPE_VESA_LFB`: VESA linear frame buffer.
inline constexpr u8 EFI_LFB = 0x70;      ///< `XEN_VGATYPE_EFI_LFB`: EFI frame buffer.
}  // namespace XEN_VGATYPE
XENABI_CONSTANTS(XEN_VGATYPE, XEN_VGATYPE_, TEXT_MODE_3, VESA_LFB, EFI_LFB)

/// A domain or device UUID (Xen's `xen_uuid_t`), bytes in big-endian order.
struct xen_uuid_t {
  u8 a[16];  ///< The 16 bytes.
};
XENABI_LAYOUT(xen_uuid_t, 16, a, 0);

namespace tmpl {

/// Per-vCPU system-time parameters (Xen's `struct vcpu_time_info`) for width \p W, read under
/// the `version` seqlock (odd: update in progress). The same bytes on both widths; a template
/// only so that i386's 4-byte alignment of the 64-bit fields is exact in a 64-bit compilation.
template <class W>
struct vcpu_time_info {
  u32 version;                      ///< Incremented before and after each update.
  u32 pad0;                         ///< Padding.
  typename W::uint64 tsc_timestamp; ///< TSC at the last update.
  typename W::uint64 system_time;   ///< Nanoseconds since boot at the last update.
  u32 tsc_to_system_mul;            ///< TSC-delta to ns multiplier (32.32 fixed point).
  s8 tsc_shift;                     ///< Shift applied to the TSC delta before multiplying.
  u8 flags;                         ///< `XEN_PVCLOCK_*`.
  u8 pad1[2];                       ///< Padding.
};

/// Extended MMU operation (Xen's `struct mmuext_op`) for width \p W.
template <class W>
struct mmuext_op {
  u32 cmd;  ///< An `MMUEXT_*` command.
  /// First argument.
  union {
    typename W::xen_pfn_t mfn;    ///< Frame (pin/unpin, new baseptr, clear/copy page).
    typename W::ulong linear_addr;  ///< Linear address (INVLPG, SET_LDT).
  } arg1;
  /// Second argument.
  union {
    u32 nr_ents;                             ///< SET_LDT: number of entries.
    guest_handle<const void, W> vcpumask;    ///< TLB_FLUSH_MULTI, INVLPG_MULTI: vCPU bitmap.
    typename W::xen_pfn_t src_mfn;           ///< COPY_PAGE: source frame.
  } arg2;
};

/// One call of a multicall batch (Xen's `struct multicall_entry`) for width \p W.
template <class W>
struct multicall_entry {
  typename W::xen_ulong_t op;       ///< Hypercall number.
  typename W::xen_ulong_t result;   ///< OUT: its result.
  typename W::xen_ulong_t args[6];  ///< Its arguments.
};

/// Per-vCPU event and time area (Xen's `struct vcpu_info`, 64 bytes) for width \p W.
template <class W>
struct vcpu_info {
  u8 evtchn_upcall_pending;  ///< Set by Xen when an event is pending for this vCPU.
  u8 evtchn_upcall_mask;     ///< Set by the guest to mask upcalls (PV).
  /// Selector: bit i set when word i of shared_info::evtchn_pending may have pending bits.
  typename W::xen_ulong_t evtchn_pending_sel;
  typename arch_of<W>::arch_vcpu_info arch;  ///< Architecture area.
  vcpu_time_info<W> time;                     ///< System-time parameters.
};

/// The PV start-of-day information page (Xen's `struct start_info`) for width \p W.
template <class W>
struct start_info {
  char magic[32];                  ///< "xen-<version>-<platform>".
  typename W::ulong nr_pages;      ///< Total pages allocated to this domain.
  typename W::ulong shared_info;   ///< Machine address of the shared_info page.
  u32 flags;                       ///< `SIF_*`.
  typename W::xen_pfn_t store_mfn; ///< Machine frame of the xenstore ring.
  u32 store_evtchn;                ///< Event channel of the xenstore ring.
  /// The console.
  union {
    /// Unprivileged domains: the console ring.
    struct {
      typename W::xen_pfn_t mfn;  ///< Machine frame of the console ring.
      u32 evtchn;                 ///< Its event channel.
    } domU;
    /// The initial domain: where its VGA console info is.
    struct {
      u32 info_off;   ///< Offset of console info in this page.
      u32 info_size;  ///< Its size.
    } dom0;
  } console;
  typename W::ulong pt_base;        ///< Virtual address of the page directory.
  typename W::ulong nr_pt_frames;   ///< Number of bootstrap page-table frames.
  typename W::ulong mfn_list;       ///< Virtual address of the page-frame list.
  typename W::ulong mod_start;      ///< Virtual address (or PFN) of the first module.
  typename W::ulong mod_len;        ///< Size of the modules in bytes.
  s8 cmd_line[1024];                ///< Command line (MAX_GUEST_CMDLINE).
  typename W::ulong first_p2m_pfn;  ///< First PFN of the p2m list, if mapped separately.
  typename W::ulong nr_p2m_frames;  ///< Number of p2m frames.
};

}  // namespace tmpl

namespace x86_64 {
using vcpu_time_info = tmpl::vcpu_time_info<width64>;    ///< 64-bit `struct vcpu_time_info`.
using mmuext_op = tmpl::mmuext_op<width64>;              ///< 64-bit `struct mmuext_op`.
using multicall_entry = tmpl::multicall_entry<width64>;  ///< 64-bit `struct multicall_entry`.
using vcpu_info = tmpl::vcpu_info<width64>;              ///< 64-bit `struct vcpu_info`.
using start_info = tmpl::start_info<width64>;            ///< 64-bit `struct start_info`.

/// The shared-info page (Xen's x86_64 `struct shared_info`).
struct shared_info {
  tmpl::vcpu_info<width64> vcpu_info[32];  ///< Per-vCPU areas of the first 32 vCPUs.
  u64_align8 evtchn_pending[64];           ///< 2-level event channels: pending bits.
  u64_align8 evtchn_mask[64];              ///< 2-level event channels: mask bits.
  u32 wc_version;  ///< Wall-clock seqlock (odd: update in progress).
  u32 wc_sec;      ///< Wall clock at system time 0: seconds (low 32 bits).
  u32 wc_nsec;     ///< Wall clock at system time 0: nanoseconds.
  u32 wc_sec_hi;   ///< Upper 32 bits of wc_sec.
  arch_shared_info arch;  ///< Architecture area.
};
}  // namespace x86_64

namespace x86_32 {
using vcpu_time_info = tmpl::vcpu_time_info<width32>;    ///< 32-bit `struct vcpu_time_info`.
using mmuext_op = tmpl::mmuext_op<width32>;              ///< 32-bit `struct mmuext_op`.
using multicall_entry = tmpl::multicall_entry<width32>;  ///< 32-bit `struct multicall_entry`.
using vcpu_info = tmpl::vcpu_info<width32>;              ///< 32-bit `struct vcpu_info`.
using start_info = tmpl::start_info<width32>;            ///< 32-bit `struct start_info`.

/// The shared-info page (Xen's i386 `struct shared_info`; wc_sec_hi is in arch).
struct shared_info {
  tmpl::vcpu_info<width32> vcpu_info[32];  ///< Per-vCPU areas of the first 32 vCPUs.
  u32 evtchn_pending[32];                  ///< 2-level event channels: pending bits.
  u32 evtchn_mask[32];                     ///< 2-level event channels: mask bits.
  u32 wc_version;  ///< Wall-clock seqlock (odd: update in progress).
  u32 wc_sec;      ///< Wall clock at system time 0: seconds (low 32 bits).
  u32 wc_nsec;     ///< Wall clock at system time 0: nanoseconds.
  arch_shared_info arch;  ///< Architecture area (holds wc_sec_hi).
};
}  // namespace x86_32

XENABI_LAYOUT_W(x86_64, vcpu_time_info, 32, version, 0, pad0, 4, tsc_timestamp, 8, system_time,
                16, tsc_to_system_mul, 24, tsc_shift, 28, flags, 29, pad1, 30);
XENABI_LAYOUT_W(x86_32, vcpu_time_info, 32, version, 0, pad0, 4, tsc_timestamp, 8, system_time,
                16, tsc_to_system_mul, 24, tsc_shift, 28, flags, 29, pad1, 30);
XENABI_LAYOUT_W(x86_64, mmuext_op, 24, cmd, 0, arg1, 8, arg1.mfn, 8, arg1.linear_addr, 8, arg2,
                16, arg2.nr_ents, 16, arg2.vcpumask, 16, arg2.src_mfn, 16);
XENABI_LAYOUT_W(x86_32, mmuext_op, 12, cmd, 0, arg1, 4, arg1.mfn, 4, arg1.linear_addr, 4, arg2,
                8, arg2.nr_ents, 8, arg2.vcpumask, 8, arg2.src_mfn, 8);
XENABI_LAYOUT_W(x86_64, multicall_entry, 64, op, 0, result, 8, args, 16);
XENABI_LAYOUT_W(x86_32, multicall_entry, 32, op, 0, result, 4, args, 8);
XENABI_LAYOUT_W(x86_64, vcpu_info, 64, evtchn_upcall_pending, 0, evtchn_upcall_mask, 1,
                evtchn_pending_sel, 8, arch, 16, time, 32);
XENABI_LAYOUT_W(x86_32, vcpu_info, 64, evtchn_upcall_pending, 0, evtchn_upcall_mask, 1,
                evtchn_pending_sel, 4, arch, 8, time, 32);
XENABI_LAYOUT_W(x86_64, shared_info, 3136, vcpu_info, 0, evtchn_pending, 2048, evtchn_mask, 2560,
                wc_version, 3072, wc_sec, 3076, wc_nsec, 3080, wc_sec_hi, 3084, arch, 3088);
XENABI_LAYOUT_W(x86_32, shared_info, 2344, vcpu_info, 0, evtchn_pending, 2048, evtchn_mask, 2176,
                wc_version, 2304, wc_sec, 2308, wc_nsec, 2312, arch, 2316);
XENABI_LAYOUT_W(x86_64, start_info, 1168, magic, 0, nr_pages, 32, shared_info, 40, flags, 48,
                store_mfn, 56, store_evtchn, 64, console, 72, console.domU.mfn, 72,
                console.domU.evtchn, 80, console.dom0.info_off, 72, console.dom0.info_size, 76,
                pt_base, 88, nr_pt_frames, 96, mfn_list, 104, mod_start, 112, mod_len, 120,
                cmd_line, 128, first_p2m_pfn, 1152, nr_p2m_frames, 1160);
XENABI_LAYOUT_W(x86_32, start_info, 1112, magic, 0, nr_pages, 32, shared_info, 36, flags, 40,
                store_mfn, 44, store_evtchn, 48, console, 52, console.domU.mfn, 52,
                console.domU.evtchn, 56, console.dom0.info_off, 52, console.dom0.info_size, 56,
                pt_base, 60, nr_pt_frames, 64, mfn_list, 68, mod_start, 72, mod_len, 76, cmd_line,
                80, first_p2m_pfn, 1104, nr_p2m_frames, 1108);

/// The compiling target's `struct vcpu_time_info`.
using vcpu_time_info = native::vcpu_time_info;
/// The compiling target's `struct mmuext_op`.
using mmuext_op = native::mmuext_op;
/// The compiling target's `struct multicall_entry`.
using multicall_entry = native::multicall_entry;
/// The compiling target's `struct vcpu_info`.
using vcpu_info = native::vcpu_info;
/// The compiling target's `struct shared_info`.
using shared_info = native::shared_info;
/// The compiling target's `struct start_info`.
using start_info = native::start_info;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
