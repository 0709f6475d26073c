/// \file
/// The initial register state of an HVM/PVH vCPU (Xen's `hvm/hvm_vcpu.h`): the argument of
/// VCPUOP_initialise for HVM and PVH guests, by which a kernel starts a secondary vCPU in 32-bit
/// protected mode or 64-bit long mode without INIT/SIPI. Identical on x86_64 and i386.
#pragma once

#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// vcpu_hvm_context::mode (Xen's `VCPU_HVM_MODE_*`).
enum class VCPU_HVM_MODE : u32 {
  _32B = 0,  ///< `VCPU_HVM_MODE_32B`: 32-bit protected mode (cpu_regs.x86_32).
  _64B = 1,  ///< `VCPU_HVM_MODE_64B`: 64-bit long mode (cpu_regs.x86_64).
};
XENABI_CONSTANTS(VCPU_HVM_MODE, VCPU_HVM_MODE, _32B, _64B)

/// A vCPU's 32-bit start state (Xen's `struct vcpu_hvm_x86_32`). Segment bases, limits and
/// access rights (`*_ar`, in the VMX "access rights" format) are loaded as given.
struct vcpu_hvm_x86_32 {
  u32 eax;       ///< %eax.
  u32 ecx;       ///< %ecx.
  u32 edx;       ///< %edx.
  u32 ebx;       ///< %ebx.
  u32 esp;       ///< %esp.
  u32 ebp;       ///< %ebp.
  u32 esi;       ///< %esi.
  u32 edi;       ///< %edi.
  u32 eip;       ///< %eip.
  u32 eflags;    ///< %eflags.
  u32 cr0;       ///< %cr0.
  u32 cr3;       ///< %cr3.
  u32 cr4;       ///< %cr4.
  u32 pad1;      ///< Padding.
  u64 efer;      ///< EFER (LMA/LME must be clear).
  u32 cs_base;   ///< %cs base.
  u32 ds_base;   ///< %ds base.
  u32 ss_base;   ///< %ss base.
  u32 es_base;   ///< %es base.
  u32 tr_base;   ///< %tr base.
  u32 cs_limit;  ///< %cs limit.
  u32 ds_limit;  ///< %ds limit.
  u32 ss_limit;  ///< %ss limit.
  u32 es_limit;  ///< %es limit.
  u32 tr_limit;  ///< %tr limit.
  u16 cs_ar;     ///< %cs access rights.
  u16 ds_ar;     ///< %ds access rights.
  u16 ss_ar;     ///< %ss access rights.
  u16 es_ar;     ///< %es access rights.
  u16 tr_ar;     ///< %tr access rights.
  u16 pad2[3];   ///< Padding.
};
XENABI_LAYOUT(vcpu_hvm_x86_32, 120, eax, 0, ecx, 4, edx, 8, ebx, 12, esp, 16, ebp, 20, esi, 24,
              edi, 28, eip, 32, eflags, 36, cr0, 40, cr3, 44, cr4, 48, pad1, 52, efer, 56,
              cs_base, 64, ds_base, 68, ss_base, 72, es_base, 76, tr_base, 80, cs_limit, 84,
              ds_limit, 88, ss_limit, 92, es_limit, 96, tr_limit, 100, cs_ar, 104, ds_ar, 106,
              ss_ar, 108, es_ar, 110, tr_ar, 112, pad2, 114);

/// A vCPU's 64-bit start state (Xen's `struct vcpu_hvm_x86_64`): flat segments, paging on.
struct vcpu_hvm_x86_64 {
  u64 rax;     ///< %rax.
  u64 rcx;     ///< %rcx.
  u64 rdx;     ///< %rdx.
  u64 rbx;     ///< %rbx.
  u64 rsp;     ///< %rsp.
  u64 rbp;     ///< %rbp.
  u64 rsi;     ///< %rsi.
  u64 rdi;     ///< %rdi.
  u64 rip;     ///< %rip.
  u64 rflags;  ///< %rflags.
  u64 cr0;     ///< %cr0.
  u64 cr3;     ///< %cr3.
  u64 cr4;     ///< %cr4.
  u64 efer;    ///< EFER.
};
XENABI_LAYOUT(vcpu_hvm_x86_64, 112, rax, 0, rcx, 8, rdx, 16, rbx, 24, rsp, 32, rbp, 40, rsi, 48,
              rdi, 56, rip, 64, rflags, 72, cr0, 80, cr3, 88, cr4, 96, efer, 104);

/// VCPUOP_initialise argument for HVM/PVH guests (Xen's `struct vcpu_hvm_context`).
struct vcpu_hvm_context {
  u32 mode;  ///< A `VCPU_HVM_MODE_*`.
  u32 pad;   ///< Padding.
  /// The registers, by mode.
  union {
    vcpu_hvm_x86_32 x86_32;  ///< VCPU_HVM_MODE_32B.
    vcpu_hvm_x86_64 x86_64;  ///< VCPU_HVM_MODE_64B.
  } cpu_regs;
};
XENABI_LAYOUT(vcpu_hvm_context, 128, mode, 0, pad, 4, cpu_regs, 8, cpu_regs.x86_32, 8,
              cpu_regs.x86_64, 8);

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
