/// \file
/// The x86 architecture part of the Xen interface (Xen's `arch-x86/xen.h`, `xen-x86_64.h`,
/// `xen-x86_32.h`): the virtual IDT entry (trap_info), the guest register frame (cpu_user_regs),
/// the per-vCPU and shared-page architecture areas, the PV vCPU context, the 64-bit `iret`
/// frame, flat segment selectors, and where the hypervisor and the machine-to-physical table sit
/// in a PV guest's address space — for both widths.
///
/// The two widths differ in more than word size (i386 has `event_callback_cs`, a 3-word
/// callback, a 24-byte arch_vcpu_info, `wc_sec_hi` inside arch_shared_info), so each width has
/// its own concrete structures here: `abi::x86_64::cpu_user_regs`, `abi::x86_32::cpu_user_regs`;
/// `abi::cpu_user_regs` etc. name the compiling target's.
#pragma once

#include <xenabi/abi/width.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Lone `XEN_*` constants (Xen's names without the `XEN_` prefix).
namespace XEN {
/// `XEN_LEGACY_MAX_VCPUS`: number of vcpu_info slots in shared_info.
inline constexpr u32 LEGACY_MAX_VCPUS = 32;
/// `XEN_HVM_DEBUGCONS_IOPORT`: the I/O port of Xen's HVM debug console (bytes written to it
/// appear in the hypervisor's log).
inline constexpr u16 HVM_DEBUGCONS_IOPORT = 0xe9;
}  // namespace XEN
XENABI_CONSTANTS(XEN, XEN_, LEGACY_MAX_VCPUS, HVM_DEBUGCONS_IOPORT)

/// The GDT frames Xen reserves in a PV guest's GDT (`FIRST_RESERVED_GDT_*`).
namespace FIRST_RESERVED_GDT {
/// `FIRST_RESERVED_GDT_PAGE`: first GDT frame Xen reserves.
inline constexpr u32 PAGE = 14;
/// `FIRST_RESERVED_GDT_BYTE`: its byte offset.
inline constexpr u32 BYTE = PAGE * 4096;
/// `FIRST_RESERVED_GDT_ENTRY`: its first descriptor index.
inline constexpr u32 ENTRY = BYTE / 8;
}  // namespace FIRST_RESERVED_GDT
XENABI_CONSTANTS(FIRST_RESERVED_GDT, FIRST_RESERVED_GDT_, PAGE, BYTE, ENTRY)

/// `VGCF_*`: vcpu_guest_context flags.
namespace VGCF {
/// `VGCF_I387_VALID`: the FPU context is valid.
inline constexpr u32 I387_VALID = 1u << 0;
/// `VGCF_IN_KERNEL`: the vCPU starts in kernel mode.
inline constexpr u32 IN_KERNEL = 1u << 2;
/// `VGCF_i387_valid` (same as I387_VALID).
inline constexpr u32 i387_valid = 1u << 0;
/// `VGCF_in_kernel` (same as IN_KERNEL).
inline constexpr u32 in_kernel = 1u << 2;
/// `VGCF_failsafe_disables_events`: entering the failsafe callback masks events.
inline constexpr u32 failsafe_disables_events = 1u << 3;
/// `VGCF_syscall_disables_events`: entering the syscall callback masks events.
inline constexpr u32 syscall_disables_events = 1u << 4;
/// `VGCF_online`: the vCPU is online.
inline constexpr u32 online = 1u << 5;
}  // namespace VGCF
XENABI_CONSTANTS(VGCF, VGCF_, I387_VALID, IN_KERNEL, i387_valid, in_kernel,
                 failsafe_disables_events, syscall_disables_events, online)

// ---------------------------------------------------------------------------------------------
// x86_64
// ---------------------------------------------------------------------------------------------
namespace x86_64 {

/// Flat segment selectors Xen installs for x86_64 PV guests (`FLAT_*`).
namespace FLAT {
inline constexpr u16 RING3_CS32 = 0xe023;       ///< `FLAT_RING3_CS32`: GDT[0x402], 32-bit code.
inline constexpr u16 RING3_CS64 = 0xe033;       ///< `FLAT_RING3_CS64`: GDT[0x406], 64-bit code.
inline constexpr u16 RING3_DS32 = 0xe02b;       ///< `FLAT_RING3_DS32`: GDT[0x405], data.
inline constexpr u16 RING3_DS64 = 0x0000;       ///< `FLAT_RING3_DS64`: NULL selector.
inline constexpr u16 RING3_SS32 = 0xe02b;       ///< `FLAT_RING3_SS32`.
inline constexpr u16 RING3_SS64 = 0xe02b;       ///< `FLAT_RING3_SS64`.
inline constexpr u16 KERNEL_DS64 = RING3_DS64;  ///< `FLAT_KERNEL_DS64`.
inline constexpr u16 KERNEL_DS32 = RING3_DS32;  ///< `FLAT_KERNEL_DS32`.
inline constexpr u16 KERNEL_DS = KERNEL_DS64;   ///< `FLAT_KERNEL_DS`.
inline constexpr u16 KERNEL_CS64 = RING3_CS64;  ///< `FLAT_KERNEL_CS64`.
inline constexpr u16 KERNEL_CS32 = RING3_CS32;  ///< `FLAT_KERNEL_CS32`.
inline constexpr u16 KERNEL_CS = KERNEL_CS64;   ///< `FLAT_KERNEL_CS`.
inline constexpr u16 KERNEL_SS64 = RING3_SS64;  ///< `FLAT_KERNEL_SS64`.
inline constexpr u16 KERNEL_SS32 = RING3_SS32;  ///< `FLAT_KERNEL_SS32`.
inline constexpr u16 KERNEL_SS = KERNEL_SS64;   ///< `FLAT_KERNEL_SS`.
inline constexpr u16 USER_DS64 = RING3_DS64;    ///< `FLAT_USER_DS64`.
inline constexpr u16 USER_DS32 = RING3_DS32;    ///< `FLAT_USER_DS32`.
inline constexpr u16 USER_DS = USER_DS64;       ///< `FLAT_USER_DS`.
inline constexpr u16 USER_CS64 = RING3_CS64;    ///< `FLAT_USER_CS64`.
inline constexpr u16 USER_CS32 = RING3_CS32;    ///< `FLAT_USER_CS32`.
inline constexpr u16 USER_CS = USER_CS64;       ///< `FLAT_USER_CS`.
inline constexpr u16 USER_SS64 = RING3_SS64;    ///< `FLAT_USER_SS64`.
inline constexpr u16 USER_SS32 = RING3_SS32;    ///< `FLAT_USER_SS32`.
inline constexpr u16 USER_SS = USER_SS64;       ///< `FLAT_USER_SS`.
}  // namespace FLAT

/// The hypervisor-reserved virtual range of an x86_64 PV guest (`HYPERVISOR_VIRT_*`).
namespace HYPERVISOR {
/// `HYPERVISOR_VIRT_START`: start of the hole Xen reserves (guest kernels live above its end).
inline constexpr u64 VIRT_START = 0xFFFF800000000000;
/// `HYPERVISOR_VIRT_END`: end of the hole.
inline constexpr u64 VIRT_END = 0xFFFF880000000000;
}  // namespace HYPERVISOR

/// The read-only machine-to-physical table Xen maps into x86_64 PV guests (`MACH2PHYS_*`).
namespace MACH2PHYS {
/// `MACH2PHYS_VIRT_START`.
inline constexpr u64 VIRT_START = 0xFFFF800000000000;
/// `MACH2PHYS_VIRT_END`.
inline constexpr u64 VIRT_END = 0xFFFF804000000000;
/// `MACH2PHYS_NR_ENTRIES`: 8-byte entries in the table.
inline constexpr u64 NR_ENTRIES = (VIRT_END - VIRT_START) >> 3;
}  // namespace MACH2PHYS

/// `SEGBASE_*`: which base HYPERVISOR_set_segment_base sets.
enum class SEGBASE : u32 {
  FS = 0,           ///< `SEGBASE_FS`.
  GS_USER = 1,      ///< `SEGBASE_GS_USER`.
  GS_KERNEL = 2,    ///< `SEGBASE_GS_KERNEL`.
  GS_USER_SEL = 3,  ///< `SEGBASE_GS_USER_SEL`: load user %gs selector, preserving the base.
};

/// `VGCF_*` flags only x86_64 defines.
namespace VGCF {
/// `VGCF_in_syscall`: the guest was in a system call.
inline constexpr u32 in_syscall = 1u << 8;
/// `VGCF_IN_SYSCALL` (same).
inline constexpr u32 IN_SYSCALL = in_syscall;
}  // namespace VGCF

/// The cr3 value of page-table frame \p pfn (Xen's x86_64 `xen_pfn_to_cr3`).
[[nodiscard]] constexpr u64 xen_pfn_to_cr3(u64 pfn) noexcept { return pfn << 12; }
/// The page-table frame of cr3 value \p cr3 (Xen's x86_64 `xen_cr3_to_pfn`).
[[nodiscard]] constexpr u64 xen_cr3_to_pfn(u64 cr3) noexcept { return cr3 >> 12; }

/// The frame HYPERVISOR_iret pops from the guest kernel stack (Xen's `struct iret_context`).
struct iret_context {
  u64_align8 rax;     ///< Restored %rax.
  u64_align8 r11;     ///< Restored %r11.
  u64_align8 rcx;     ///< Restored %rcx.
  u64_align8 flags;   ///< `VGCF_in_syscall`: return as from a system call.
  u64_align8 rip;     ///< Return %rip.
  u64_align8 cs;      ///< Return %cs.
  u64_align8 rflags;  ///< Return %rflags.
  u64_align8 rsp;     ///< Return %rsp.
  u64_align8 ss;      ///< Return %ss.
};

/// The guest register frame (Xen's x86_64 `struct cpu_user_regs`, strict-ANSI field names).
struct cpu_user_regs {
  u64_align8 r15;           ///< %r15.
  u64_align8 r14;           ///< %r14.
  u64_align8 r13;           ///< %r13.
  u64_align8 r12;           ///< %r12.
  u64_align8 rbp;           ///< %rbp.
  u64_align8 rbx;           ///< %rbx.
  u64_align8 r11;           ///< %r11.
  u64_align8 r10;           ///< %r10.
  u64_align8 r9;            ///< %r9.
  u64_align8 r8;            ///< %r8.
  u64_align8 rax;           ///< %rax.
  u64_align8 rcx;           ///< %rcx.
  u64_align8 rdx;           ///< %rdx.
  u64_align8 rsi;           ///< %rsi.
  u64_align8 rdi;           ///< %rdi.
  u32 error_code;           ///< Private (exception error code).
  u32 entry_vector;         ///< Private (entry vector).
  u64_align8 rip;           ///< %rip.
  u16 cs;                   ///< %cs.
  u16 _pad0[1];             ///< Padding.
  u8 saved_upcall_mask;     ///< Event mask saved on entry.
  u8 _pad1[3];              ///< Padding.
  u64_align8 rflags;        ///< %rflags (IF is the event mask's inverse).
  u64_align8 rsp;           ///< %rsp.
  u16 ss;                   ///< %ss.
  u16 _pad2[3];             ///< Padding.
  u16 es;                   ///< %es.
  u16 _pad3[3];             ///< Padding.
  u16 ds;                   ///< %ds.
  u16 _pad4[3];             ///< Padding.
  u16 fs;                   ///< %fs.
  u16 _pad5[3];             ///< Padding.
  u16 gs;                   ///< %gs.
  u16 _pad6[3];             ///< Padding.
};

/// Per-vCPU architecture area inside vcpu_info (Xen's x86_64 `struct arch_vcpu_info`).
struct arch_vcpu_info {
  u64_align8 cr2;  ///< The faulting address of the last page fault delivered to the guest.
  u64_align8 pad;  ///< Padding (Xen: sizeof(vcpu_info) == 64).
};

/// Architecture area at the end of shared_info (Xen's x86_64 `struct arch_shared_info`).
struct arch_shared_info {
  u64_align8 max_pfn;  ///< Number of valid entries in the p2m table(s).
  /// Frame of the list of frames of the list of frames of the p2m (0: unset, ~0: invalid).
  u64_align8 pfn_to_mfn_frame_list_list;
  u64_align8 nmi_reason;      ///< NMI reason bits.
  u64_align8 p2m_cr3;         ///< cr3 of the address space where p2m_vaddr is valid.
  u64_align8 p2m_vaddr;       ///< Virtual address of the linear p2m list.
  u64_align8 p2m_generation;  ///< Incremented around p2m updates (odd: update in progress).
};

/// An event or failsafe callback address (Xen's x86_64 `xen_callback_t`, a plain address).
using xen_callback_t = u64_align8;

/// A virtual IDT entry for HYPERVISOR_set_trap_table (Xen's `struct trap_info`).
struct trap_info {
  u8 vector;          ///< Exception vector.
  u8 flags;           ///< Bits 0-1: privilege level; bit 2: clear event enable (interrupt gate).
  u16 cs;             ///< Code selector.
  u64_align8 address; ///< Code offset.
};

/// A PV vCPU's full context for VCPUOP_initialise (Xen's x86_64 `struct vcpu_guest_context`).
struct vcpu_guest_context {
  /// User-level FPU registers (FXSAVE image).
  struct {
    char x[512];  ///< The FXSAVE area.
  } fpu_ctxt;
  u64_align8 flags;                  ///< `VGCF_*`.
  cpu_user_regs user_regs;           ///< User-level CPU registers.
  trap_info trap_ctxt[256];          ///< Virtual IDT.
  u64_align8 ldt_base;               ///< LDT linear address.
  u64_align8 ldt_ents;               ///< LDT entries.
  u64_align8 gdt_frames[16];         ///< GDT machine frames.
  u64_align8 gdt_ents;               ///< GDT entries.
  u64_align8 kernel_ss;              ///< Virtual TSS SS1 (kernel stack segment).
  u64_align8 kernel_sp;              ///< Virtual TSS SP1 (kernel stack pointer).
  u64_align8 ctrlreg[8];             ///< CR0-CR7 (the user page table is in ctrlreg[1]).
  u64_align8 debugreg[8];            ///< DR0-DR7.
  u64_align8 event_callback_eip;     ///< Event callback.
  u64_align8 failsafe_callback_eip;  ///< Failsafe callback.
  u64_align8 syscall_callback_eip;   ///< Syscall callback.
  u64_align8 vm_assist;              ///< `VMASST_TYPE_*` bitmap.
  u64_align8 fs_base;                ///< %fs base.
  u64_align8 gs_base_kernel;         ///< Kernel %gs base.
  u64_align8 gs_base_user;           ///< User %gs base.
};

}  // namespace x86_64

XENABI_CONSTANTS_W(x86_64, FLAT, FLAT_, RING3_CS32, RING3_CS64, RING3_DS32, RING3_DS64,
                   RING3_SS32, RING3_SS64, KERNEL_DS64, KERNEL_DS32, KERNEL_DS, KERNEL_CS64,
                   KERNEL_CS32, KERNEL_CS, KERNEL_SS64, KERNEL_SS32, KERNEL_SS, USER_DS64,
                   USER_DS32, USER_DS, USER_CS64, USER_CS32, USER_CS, USER_SS64, USER_SS32,
                   USER_SS)
XENABI_CONSTANTS_W(x86_64, HYPERVISOR, HYPERVISOR_, VIRT_START, VIRT_END)
XENABI_CONSTANTS_W(x86_64, MACH2PHYS, MACH2PHYS_, VIRT_START, VIRT_END, NR_ENTRIES)
XENABI_CONSTANTS_W(x86_64, SEGBASE, SEGBASE_, FS, GS_USER, GS_KERNEL, GS_USER_SEL)
XENABI_CONSTANTS_W(x86_64, VGCF, VGCF_, in_syscall, IN_SYSCALL)

XENABI_LAYOUT_W(x86_64, iret_context, 72, rax, 0, r11, 8, rcx, 16, flags, 24, rip, 32, cs, 40,
                rflags, 48, rsp, 56, ss, 64);
XENABI_LAYOUT_W(x86_64, cpu_user_regs, 200, r15, 0, r14, 8, r13, 16, r12, 24, rbp, 32, rbx, 40,
                r11, 48, r10, 56, r9, 64, r8, 72, rax, 80, rcx, 88, rdx, 96, rsi, 104, rdi, 112,
                error_code, 120, entry_vector, 124, rip, 128, cs, 136, _pad0, 138,
                saved_upcall_mask, 140, _pad1, 141, rflags, 144, rsp, 152, ss, 160, _pad2, 162,
                es, 168, _pad3, 170, ds, 176, _pad4, 178, fs, 184, _pad5, 186, gs, 192, _pad6,
                194);
XENABI_LAYOUT_W(x86_64, arch_vcpu_info, 16, cr2, 0, pad, 8);
XENABI_LAYOUT_W(x86_64, arch_shared_info, 48, max_pfn, 0, pfn_to_mfn_frame_list_list, 8,
                nmi_reason, 16, p2m_cr3, 24, p2m_vaddr, 32, p2m_generation, 40);
XENABI_LAYOUT_W(x86_64, trap_info, 16, vector, 0, flags, 1, cs, 2, address, 8);
XENABI_LAYOUT_W(x86_64, vcpu_guest_context, 5168, fpu_ctxt, 0, flags, 512, user_regs, 520,
                trap_ctxt, 720, ldt_base, 4816, ldt_ents, 4824, gdt_frames, 4832, gdt_ents, 4960,
                kernel_ss, 4968, kernel_sp, 4976, ctrlreg, 4984, debugreg, 5048,
                event_callback_eip, 5112, failsafe_callback_eip, 5120, syscall_callback_eip, 5128,
                vm_assist, 5136, fs_base, 5144, gs_base_kernel, 5152, gs_base_user, 5160);

// ---------------------------------------------------------------------------------------------
// x86_32
// ---------------------------------------------------------------------------------------------
namespace x86_32 {

/// Flat segment selectors Xen installs for i386 PV guests (`FLAT_*`; the kernel runs in ring 1).
namespace FLAT {
inline constexpr u16 RING1_CS = 0xe019;      ///< `FLAT_RING1_CS`: GDT[0x403].
inline constexpr u16 RING1_DS = 0xe021;      ///< `FLAT_RING1_DS`: GDT[0x404].
inline constexpr u16 RING1_SS = 0xe021;      ///< `FLAT_RING1_SS`.
inline constexpr u16 RING3_CS = 0xe02b;      ///< `FLAT_RING3_CS`: GDT[0x405].
inline constexpr u16 RING3_DS = 0xe033;      ///< `FLAT_RING3_DS`: GDT[0x406].
inline constexpr u16 RING3_SS = 0xe033;      ///< `FLAT_RING3_SS`.
inline constexpr u16 KERNEL_CS = RING1_CS;   ///< `FLAT_KERNEL_CS`.
inline constexpr u16 KERNEL_DS = RING1_DS;   ///< `FLAT_KERNEL_DS`.
inline constexpr u16 KERNEL_SS = RING1_SS;   ///< `FLAT_KERNEL_SS`.
inline constexpr u16 USER_CS = RING3_CS;     ///< `FLAT_USER_CS`.
inline constexpr u16 USER_DS = RING3_DS;     ///< `FLAT_USER_DS`.
inline constexpr u16 USER_SS = RING3_SS;     ///< `FLAT_USER_SS`.
}  // namespace FLAT

/// The hypervisor-reserved virtual range of an i386 PV guest (`HYPERVISOR_VIRT_*`; the top
/// 168 MB with PAE, the top 64 MB in the old non-PAE layout).
namespace HYPERVISOR {
/// `HYPERVISOR_VIRT_START_PAE`.
inline constexpr u32 VIRT_START_PAE = 0xF5800000;
/// `HYPERVISOR_VIRT_START_NONPAE` (pre-PAE Xen; the paper's top 64 MB).
inline constexpr u32 VIRT_START_NONPAE = 0xFC000000;
/// `HYPERVISOR_VIRT_START`: the PAE value (the only layout current Xen supports).
inline constexpr u32 VIRT_START = VIRT_START_PAE;
}  // namespace HYPERVISOR

/// The machine-to-physical table of i386 PV guests (`MACH2PHYS_*`).
namespace MACH2PHYS {
inline constexpr u32 VIRT_START_PAE = 0xF5800000;     ///< `MACH2PHYS_VIRT_START_PAE`.
inline constexpr u32 VIRT_END_PAE = 0xF6800000;       ///< `MACH2PHYS_VIRT_END_PAE`.
inline constexpr u32 VIRT_START_NONPAE = 0xFC000000;  ///< `MACH2PHYS_VIRT_START_NONPAE`.
inline constexpr u32 VIRT_END_NONPAE = 0xFC400000;    ///< `MACH2PHYS_VIRT_END_NONPAE`.
inline constexpr u32 VIRT_START = VIRT_START_PAE;     ///< `MACH2PHYS_VIRT_START`.
inline constexpr u32 VIRT_END = VIRT_END_PAE;         ///< `MACH2PHYS_VIRT_END`.
/// `MACH2PHYS_NR_ENTRIES`: 4-byte entries in the table.
inline constexpr u32 NR_ENTRIES = (VIRT_END - VIRT_START) >> 2;
}  // namespace MACH2PHYS

/// The cr3 value of page-table frame \p pfn (Xen's i386 `xen_pfn_to_cr3`: PAE's "extended
/// cr3", the frame number rotated so that frames above 4 GB fit in 32 bits).
[[nodiscard]] constexpr u32 xen_pfn_to_cr3(u32 pfn) noexcept { return (pfn << 12) | (pfn >> 20); }
/// The page-table frame of cr3 value \p cr3 (Xen's i386 `xen_cr3_to_pfn`).
[[nodiscard]] constexpr u32 xen_cr3_to_pfn(u32 cr3) noexcept { return (cr3 >> 12) | (cr3 << 20); }

/// The guest register frame (Xen's i386 `struct cpu_user_regs`, strict-ANSI field names).
struct cpu_user_regs {
  u32 ebx;                ///< %ebx.
  u32 ecx;                ///< %ecx.
  u32 edx;                ///< %edx.
  u32 esi;                ///< %esi.
  u32 edi;                ///< %edi.
  u32 ebp;                ///< %ebp.
  u32 eax;                ///< %eax.
  u16 error_code;         ///< Private (exception error code).
  u16 entry_vector;       ///< Private (entry vector).
  u32 eip;                ///< %eip.
  u16 cs;                 ///< %cs.
  u8 saved_upcall_mask;   ///< Event mask saved on entry.
  u8 _pad0;               ///< Padding.
  u32 eflags;             ///< %eflags (IF is the event mask's inverse).
  u32 esp;                ///< %esp.
  u16 ss;                 ///< %ss.
  u16 _pad1;              ///< Padding.
  u16 es;                 ///< %es.
  u16 _pad2;              ///< Padding.
  u16 ds;                 ///< %ds.
  u16 _pad3;              ///< Padding.
  u16 fs;                 ///< %fs.
  u16 _pad4;              ///< Padding.
  u16 gs;                 ///< %gs.
  u16 _pad5;              ///< Padding.
};

/// Per-vCPU architecture area inside vcpu_info (Xen's i386 `struct arch_vcpu_info`).
struct arch_vcpu_info {
  u32 cr2;     ///< The faulting address of the last page fault delivered to the guest.
  u32 pad[5];  ///< Padding (Xen: sizeof(vcpu_info) == 64).
};

/// Architecture area at the end of shared_info (Xen's i386 `struct arch_shared_info`).
struct arch_shared_info {
  u32 max_pfn;                     ///< Number of valid entries in the p2m table(s).
  u32 pfn_to_mfn_frame_list_list;  ///< Frame of the p2m frame-list list (0: unset, ~0: invalid).
  u32 nmi_reason;                  ///< NMI reason bits.
  u32 p2m_cr3;                     ///< cr3 of the address space where p2m_vaddr is valid.
  u32 p2m_vaddr;                   ///< Virtual address of the linear p2m list.
  u32 p2m_generation;              ///< Incremented around p2m updates (odd: in progress).
  u32 wc_sec_hi;                   ///< Upper 32 bits of shared_info's wc_sec (i386 only here).
};

/// An event or failsafe callback (Xen's i386 `struct xen_callback`: selector and offset).
struct xen_callback {
  u32 cs;   ///< Code selector.
  u32 eip;  ///< Code offset.
};
/// Xen's i386 `xen_callback_t`.
using xen_callback_t = xen_callback;

/// A virtual IDT entry for HYPERVISOR_set_trap_table (Xen's `struct trap_info`).
struct trap_info {
  u8 vector;    ///< Exception vector.
  u8 flags;     ///< Bits 0-1: privilege level; bit 2: clear event enable (interrupt gate).
  u16 cs;       ///< Code selector.
  u32 address;  ///< Code offset.
};

/// A PV vCPU's full context for VCPUOP_initialise (Xen's i386 `struct vcpu_guest_context`).
struct vcpu_guest_context {
  /// User-level FPU registers (FXSAVE image).
  struct {
    char x[512];  ///< The FXSAVE area.
  } fpu_ctxt;
  u32 flags;                  ///< `VGCF_*`.
  cpu_user_regs user_regs;    ///< User-level CPU registers.
  trap_info trap_ctxt[256];   ///< Virtual IDT.
  u32 ldt_base;               ///< LDT linear address.
  u32 ldt_ents;               ///< LDT entries.
  u32 gdt_frames[16];         ///< GDT machine frames.
  u32 gdt_ents;               ///< GDT entries.
  u32 kernel_ss;              ///< Virtual TSS SS1 (kernel stack segment).
  u32 kernel_sp;              ///< Virtual TSS SP1 (kernel stack pointer).
  u32 ctrlreg[8];             ///< CR0-CR7.
  u32 debugreg[8];            ///< DR0-DR7.
  u32 event_callback_cs;      ///< Event callback selector.
  u32 event_callback_eip;     ///< Event callback offset.
  u32 failsafe_callback_cs;   ///< Failsafe callback selector.
  u32 failsafe_callback_eip;  ///< Failsafe callback offset.
  u32 vm_assist;              ///< `VMASST_TYPE_*` bitmap.
};

}  // namespace x86_32

XENABI_CONSTANTS_W(x86_32, FLAT, FLAT_, RING1_CS, RING1_DS, RING1_SS, RING3_CS, RING3_DS,
                   RING3_SS, KERNEL_CS, KERNEL_DS, KERNEL_SS, USER_CS, USER_DS, USER_SS)
XENABI_CONSTANTS_W(x86_32, HYPERVISOR, HYPERVISOR_, VIRT_START_PAE, VIRT_START_NONPAE,
                   VIRT_START)
XENABI_CONSTANTS_W(x86_32, MACH2PHYS, MACH2PHYS_, VIRT_START_PAE, VIRT_END_PAE,
                   VIRT_START_NONPAE, VIRT_END_NONPAE, VIRT_START, VIRT_END, NR_ENTRIES)

XENABI_LAYOUT_W(x86_32, cpu_user_regs, 68, ebx, 0, ecx, 4, edx, 8, esi, 12, edi, 16, ebp, 20,
                eax, 24, error_code, 28, entry_vector, 30, eip, 32, cs, 36, saved_upcall_mask, 38,
                _pad0, 39, eflags, 40, esp, 44, ss, 48, _pad1, 50, es, 52, _pad2, 54, ds, 56,
                _pad3, 58, fs, 60, _pad4, 62, gs, 64, _pad5, 66);
XENABI_LAYOUT_W(x86_32, arch_vcpu_info, 24, cr2, 0, pad, 4);
XENABI_LAYOUT_W(x86_32, arch_shared_info, 28, max_pfn, 0, pfn_to_mfn_frame_list_list, 4,
                nmi_reason, 8, p2m_cr3, 12, p2m_vaddr, 16, p2m_generation, 20, wc_sec_hi, 24);
XENABI_LAYOUT_W(x86_32, xen_callback, 8, cs, 0, eip, 4);
XENABI_LAYOUT_W(x86_32, trap_info, 8, vector, 0, flags, 1, cs, 2, address, 4);
XENABI_LAYOUT_W(x86_32, vcpu_guest_context, 2800, fpu_ctxt, 0, flags, 512, user_regs, 516,
                trap_ctxt, 584, ldt_base, 2632, ldt_ents, 2636, gdt_frames, 2640, gdt_ents, 2704,
                kernel_ss, 2708, kernel_sp, 2712, ctrlreg, 2716, debugreg, 2748,
                event_callback_cs, 2780, event_callback_eip, 2784, failsafe_callback_cs, 2788,
                failsafe_callback_eip, 2792, vm_assist, 2796);

/// Width-generic templates.
namespace tmpl {
/// The architecture structures of width \p W (for the width-generic templates of xen.hpp).
template <class W>
struct arch_of;
/// The x86_64 architecture structures.
template <>
struct arch_of<width64> {
  using arch_vcpu_info = x86_64::arch_vcpu_info;      ///< x86_64 arch_vcpu_info.
  using arch_shared_info = x86_64::arch_shared_info;  ///< x86_64 arch_shared_info.
  using xen_callback_t = x86_64::xen_callback_t;      ///< x86_64 xen_callback_t.
};
/// The i386 architecture structures.
template <>
struct arch_of<width32> {
  using arch_vcpu_info = x86_32::arch_vcpu_info;      ///< i386 arch_vcpu_info.
  using arch_shared_info = x86_32::arch_shared_info;  ///< i386 arch_shared_info.
  using xen_callback_t = x86_32::xen_callback_t;      ///< i386 xen_callback_t.
};
}  // namespace tmpl

// Native spellings.
/// The compiling target's `struct cpu_user_regs`.
using cpu_user_regs = native::cpu_user_regs;
/// The compiling target's `struct arch_vcpu_info`.
using arch_vcpu_info = native::arch_vcpu_info;
/// The compiling target's `struct arch_shared_info`.
using arch_shared_info = native::arch_shared_info;
/// The compiling target's `xen_callback_t`.
using xen_callback_t = native::xen_callback_t;
/// The compiling target's `struct trap_info`.
using trap_info = native::trap_info;
/// The compiling target's `struct vcpu_guest_context`.
using vcpu_guest_context = native::vcpu_guest_context;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
