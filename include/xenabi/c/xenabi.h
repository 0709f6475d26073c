/* SPDX-License-Identifier: MIT */
/**
 * \file
 * The Xen guest ABI for C kernels (BSD, Plan 9, hobby kernels in C): structures, constants and
 * inline hypercalls, C11, freestanding, no C++ needed.
 *
 * Everything is prefixed `xenabi_` / `XENABI_` followed by Xen's own spelling
 * (`struct xenabi_shared_info`, `XENABI_EVTCHNOP_send`, `XENABI_HYPERVISOR_sched_op` for Xen's
 * `__HYPERVISOR_sched_op`), so the header can sit beside a kernel's own Xen headers. Structures
 * are laid out for the width being compiled (x86_64 or i386), like Xen's own headers.
 *
 * **One definition of the ABI.** This file is written by hand, not generated: a C kernel reads
 * it (and its comments) like any other header of its tree, and a generator would have to rebuild
 * unions, nested structures and the inline hypercall calls from the C++ templates, which would be
 * more code than the header itself. Instead the tests check it against the C++ definitions
 * (xenabi/abi/, which are themselves checked against Xen's headers from libxen-dev) without any
 * list typed twice: tests/xenabi/c/ includes this file inside `extern "C"` and replays every
 * C++ `XENABI_LAYOUT*` line through the conformance hooks of xenabi/core/layout.hpp; for each C++
 * structure with a `struct xenabi_<name>` here it compares size, alignment, and the offset, size
 * and signedness of every field the C++ list names; every `XENABI_<name>` macro here is compared
 * with the C++ constant of the same Xen spelling; a `struct xenabi_*` or an `XENABI_*` constant
 * without a C++ counterpart fails the test. The same tests compile this header with gcc and clang,
 * `-std=c11 -ffreestanding -Wall -Wextra -Wpedantic -Werror`, for -m64 and -m32, and link a
 * freestanding C program that calls the hypercalls.
 *
 * **Hypercalls** go through the hypercall page (32 bytes per hypercall number), which the kernel
 * provides as `xenabi_hypercall_page` (4096 bytes, page aligned, in its own image) and asks Xen to
 * fill with xenabi_init_hypercall_page(). x86_64: number selects the stub, arguments in `rdi rsi
 * rdx r10 r8`, result in `rax`; i386: arguments in `ebx ecx edx esi edi`, result in `eax`. A
 * negative result is a negated Xen errno (`-38` is ENOSYS). Xen may clobber the argument
 * registers, so the calls declare them as outputs. The `call` pushes on the stack: build the
 * kernel with `-mno-red-zone` on x86_64, as every kernel does.
 */
#ifndef XENABI_C_XENABI_H
#define XENABI_C_XENABI_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__x86_64__) && !defined(__i386__)
#error "xenabi.h: only x86_64 and i386 are supported"
#endif

/** \cond XENABI_INTERNAL */
#ifdef __cplusplus
#define XENABI_C_ASSERT_(cond, msg) static_assert(cond, msg)
#else
#define XENABI_C_ASSERT_(cond, msg) _Static_assert(cond, msg)
#endif
/** \endcond */

/* ---------------------------------------------------------------------------------------------
 * Basic types
 * ------------------------------------------------------------------------------------------- */
typedef uint16_t xenabi_domid_t;        /**< Xen's `domid_t`: a domain id. */
typedef uint32_t xenabi_evtchn_port_t;  /**< Xen's `evtchn_port_t`: an event-channel port. */
typedef uint32_t xenabi_grant_ref_t;    /**< Xen's `grant_ref_t`: a grant reference. */
typedef uint32_t xenabi_grant_handle_t; /**< Xen's `grant_handle_t`: a grant mapping handle. */
typedef unsigned long xenabi_xen_ulong_t; /**< Xen's `xen_ulong_t` (x86: `unsigned long`). */
typedef unsigned long xenabi_xen_pfn_t;   /**< Xen's `xen_pfn_t`: a frame number. */
typedef uint16_t xenabi_blkif_vdev_t;   /**< Xen's `blkif_vdev_t`: a virtual disk handle. */
typedef uint64_t xenabi_blkif_sector_t; /**< Xen's `blkif_sector_t`: a sector number. */

/* ---------------------------------------------------------------------------------------------
 * Constants, with Xen's values (compared with the C++ ones by tests/xenabi/c/)
 * ------------------------------------------------------------------------------------------- */
#define XENABI_XEN_ELFNOTE_INFO 0U ///< Xen's `XEN_ELFNOTE_INFO`.
#define XENABI_XEN_ELFNOTE_ENTRY 1U ///< Xen's `XEN_ELFNOTE_ENTRY`.
#define XENABI_XEN_ELFNOTE_HYPERCALL_PAGE 2U ///< Xen's `XEN_ELFNOTE_HYPERCALL_PAGE`.
#define XENABI_XEN_ELFNOTE_VIRT_BASE 3U ///< Xen's `XEN_ELFNOTE_VIRT_BASE`.
#define XENABI_XEN_ELFNOTE_PADDR_OFFSET 4U ///< Xen's `XEN_ELFNOTE_PADDR_OFFSET`.
#define XENABI_XEN_ELFNOTE_XEN_VERSION 5U ///< Xen's `XEN_ELFNOTE_XEN_VERSION`.
#define XENABI_XEN_ELFNOTE_GUEST_OS 6U ///< Xen's `XEN_ELFNOTE_GUEST_OS`.
#define XENABI_XEN_ELFNOTE_GUEST_VERSION 7U ///< Xen's `XEN_ELFNOTE_GUEST_VERSION`.
#define XENABI_XEN_ELFNOTE_LOADER 8U ///< Xen's `XEN_ELFNOTE_LOADER`.
#define XENABI_XEN_ELFNOTE_PAE_MODE 9U ///< Xen's `XEN_ELFNOTE_PAE_MODE`.
#define XENABI_XEN_ELFNOTE_FEATURES 10U ///< Xen's `XEN_ELFNOTE_FEATURES`.
#define XENABI_XEN_ELFNOTE_BSD_SYMTAB 11U ///< Xen's `XEN_ELFNOTE_BSD_SYMTAB`.
#define XENABI_XEN_ELFNOTE_HV_START_LOW 12U ///< Xen's `XEN_ELFNOTE_HV_START_LOW`.
#define XENABI_XEN_ELFNOTE_L1_MFN_VALID 13U ///< Xen's `XEN_ELFNOTE_L1_MFN_VALID`.
#define XENABI_XEN_ELFNOTE_SUSPEND_CANCEL 14U ///< Xen's `XEN_ELFNOTE_SUSPEND_CANCEL`.
#define XENABI_XEN_ELFNOTE_INIT_P2M 15U ///< Xen's `XEN_ELFNOTE_INIT_P2M`.
#define XENABI_XEN_ELFNOTE_MOD_START_PFN 16U ///< Xen's `XEN_ELFNOTE_MOD_START_PFN`.
#define XENABI_XEN_ELFNOTE_SUPPORTED_FEATURES 17U ///< Xen's `XEN_ELFNOTE_SUPPORTED_FEATURES`.
#define XENABI_XEN_ELFNOTE_PHYS32_ENTRY 18U ///< Xen's `XEN_ELFNOTE_PHYS32_ENTRY`.
#define XENABI_XEN_ELFNOTE_MAX 18U ///< Xen's `XEN_ELFNOTE_MAX`.
#define XENABI_XEN_ELFNOTE_CRASH_INFO 0x1000001U ///< Xen's `XEN_ELFNOTE_CRASH_INFO`.
#define XENABI_XEN_ELFNOTE_CRASH_REGS 0x1000002U ///< Xen's `XEN_ELFNOTE_CRASH_REGS`.
#define XENABI_XEN_ELFNOTE_DUMPCORE_NONE 0x2000000U ///< Xen's `XEN_ELFNOTE_DUMPCORE_NONE`.
#define XENABI_XEN_ELFNOTE_DUMPCORE_HEADER 0x2000001U ///< Xen's `XEN_ELFNOTE_DUMPCORE_HEADER`.
#define XENABI_XEN_ELFNOTE_DUMPCORE_XEN_VERSION 0x2000002U ///< Xen's `XEN_ELFNOTE_DUMPCORE_XEN_VERSION`.
#define XENABI_XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003U ///< Xen's `XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION`.
#define XENABI_HYPERVISOR_set_trap_table 0U ///< Xen's `__HYPERVISOR_set_trap_table`.
#define XENABI_HYPERVISOR_mmu_update 1U ///< Xen's `__HYPERVISOR_mmu_update`.
#define XENABI_HYPERVISOR_set_gdt 2U ///< Xen's `__HYPERVISOR_set_gdt`.
#define XENABI_HYPERVISOR_stack_switch 3U ///< Xen's `__HYPERVISOR_stack_switch`.
#define XENABI_HYPERVISOR_set_callbacks 4U ///< Xen's `__HYPERVISOR_set_callbacks`.
#define XENABI_HYPERVISOR_fpu_taskswitch 5U ///< Xen's `__HYPERVISOR_fpu_taskswitch`.
#define XENABI_HYPERVISOR_sched_op_compat 6U ///< Xen's `__HYPERVISOR_sched_op_compat`.
#define XENABI_HYPERVISOR_platform_op 7U ///< Xen's `__HYPERVISOR_platform_op`.
#define XENABI_HYPERVISOR_set_debugreg 8U ///< Xen's `__HYPERVISOR_set_debugreg`.
#define XENABI_HYPERVISOR_get_debugreg 9U ///< Xen's `__HYPERVISOR_get_debugreg`.
#define XENABI_HYPERVISOR_update_descriptor 10U ///< Xen's `__HYPERVISOR_update_descriptor`.
#define XENABI_HYPERVISOR_memory_op 12U ///< Xen's `__HYPERVISOR_memory_op`.
#define XENABI_HYPERVISOR_multicall 13U ///< Xen's `__HYPERVISOR_multicall`.
#define XENABI_HYPERVISOR_update_va_mapping 14U ///< Xen's `__HYPERVISOR_update_va_mapping`.
#define XENABI_HYPERVISOR_set_timer_op 15U ///< Xen's `__HYPERVISOR_set_timer_op`.
#define XENABI_HYPERVISOR_event_channel_op_compat 16U ///< Xen's `__HYPERVISOR_event_channel_op_compat`.
#define XENABI_HYPERVISOR_xen_version 17U ///< Xen's `__HYPERVISOR_xen_version`.
#define XENABI_HYPERVISOR_console_io 18U ///< Xen's `__HYPERVISOR_console_io`.
#define XENABI_HYPERVISOR_physdev_op_compat 19U ///< Xen's `__HYPERVISOR_physdev_op_compat`.
#define XENABI_HYPERVISOR_grant_table_op 20U ///< Xen's `__HYPERVISOR_grant_table_op`.
#define XENABI_HYPERVISOR_vm_assist 21U ///< Xen's `__HYPERVISOR_vm_assist`.
#define XENABI_HYPERVISOR_update_va_mapping_otherdomain 22U ///< Xen's `__HYPERVISOR_update_va_mapping_otherdomain`.
#define XENABI_HYPERVISOR_iret 23U ///< Xen's `__HYPERVISOR_iret`.
#define XENABI_HYPERVISOR_vcpu_op 24U ///< Xen's `__HYPERVISOR_vcpu_op`.
#define XENABI_HYPERVISOR_set_segment_base 25U ///< Xen's `__HYPERVISOR_set_segment_base`.
#define XENABI_HYPERVISOR_mmuext_op 26U ///< Xen's `__HYPERVISOR_mmuext_op`.
#define XENABI_HYPERVISOR_xsm_op 27U ///< Xen's `__HYPERVISOR_xsm_op`.
#define XENABI_HYPERVISOR_nmi_op 28U ///< Xen's `__HYPERVISOR_nmi_op`.
#define XENABI_HYPERVISOR_sched_op 29U ///< Xen's `__HYPERVISOR_sched_op`.
#define XENABI_HYPERVISOR_callback_op 30U ///< Xen's `__HYPERVISOR_callback_op`.
#define XENABI_HYPERVISOR_xenoprof_op 31U ///< Xen's `__HYPERVISOR_xenoprof_op`.
#define XENABI_HYPERVISOR_event_channel_op 32U ///< Xen's `__HYPERVISOR_event_channel_op`.
#define XENABI_HYPERVISOR_physdev_op 33U ///< Xen's `__HYPERVISOR_physdev_op`.
#define XENABI_HYPERVISOR_hvm_op 34U ///< Xen's `__HYPERVISOR_hvm_op`.
#define XENABI_HYPERVISOR_sysctl 35U ///< Xen's `__HYPERVISOR_sysctl`.
#define XENABI_HYPERVISOR_domctl 36U ///< Xen's `__HYPERVISOR_domctl`.
#define XENABI_HYPERVISOR_kexec_op 37U ///< Xen's `__HYPERVISOR_kexec_op`.
#define XENABI_HYPERVISOR_tmem_op 38U ///< Xen's `__HYPERVISOR_tmem_op`.
#define XENABI_HYPERVISOR_argo_op 39U ///< Xen's `__HYPERVISOR_argo_op`.
#define XENABI_HYPERVISOR_xenpmu_op 40U ///< Xen's `__HYPERVISOR_xenpmu_op`.
#define XENABI_HYPERVISOR_dm_op 41U ///< Xen's `__HYPERVISOR_dm_op`.
#define XENABI_HYPERVISOR_hypfs_op 42U ///< Xen's `__HYPERVISOR_hypfs_op`.
#define XENABI_HYPERVISOR_arch_0 48U ///< Xen's `__HYPERVISOR_arch_0`.
#define XENABI_HYPERVISOR_arch_1 49U ///< Xen's `__HYPERVISOR_arch_1`.
#define XENABI_HYPERVISOR_arch_2 50U ///< Xen's `__HYPERVISOR_arch_2`.
#define XENABI_HYPERVISOR_arch_3 51U ///< Xen's `__HYPERVISOR_arch_3`.
#define XENABI_HYPERVISOR_arch_4 52U ///< Xen's `__HYPERVISOR_arch_4`.
#define XENABI_HYPERVISOR_arch_5 53U ///< Xen's `__HYPERVISOR_arch_5`.
#define XENABI_HYPERVISOR_arch_6 54U ///< Xen's `__HYPERVISOR_arch_6`.
#define XENABI_HYPERVISOR_arch_7 55U ///< Xen's `__HYPERVISOR_arch_7`.
#define XENABI_VIRQ_TIMER 0U ///< Xen's `VIRQ_TIMER`.
#define XENABI_VIRQ_DEBUG 1U ///< Xen's `VIRQ_DEBUG`.
#define XENABI_VIRQ_CONSOLE 2U ///< Xen's `VIRQ_CONSOLE`.
#define XENABI_VIRQ_DOM_EXC 3U ///< Xen's `VIRQ_DOM_EXC`.
#define XENABI_VIRQ_TBUF 4U ///< Xen's `VIRQ_TBUF`.
#define XENABI_VIRQ_DEBUGGER 6U ///< Xen's `VIRQ_DEBUGGER`.
#define XENABI_VIRQ_XENOPROF 7U ///< Xen's `VIRQ_XENOPROF`.
#define XENABI_VIRQ_CON_RING 8U ///< Xen's `VIRQ_CON_RING`.
#define XENABI_VIRQ_PCPU_STATE 9U ///< Xen's `VIRQ_PCPU_STATE`.
#define XENABI_VIRQ_MEM_EVENT 10U ///< Xen's `VIRQ_MEM_EVENT`.
#define XENABI_VIRQ_ARGO 11U ///< Xen's `VIRQ_ARGO`.
#define XENABI_VIRQ_ENOMEM 12U ///< Xen's `VIRQ_ENOMEM`.
#define XENABI_VIRQ_XENPMU 13U ///< Xen's `VIRQ_XENPMU`.
#define XENABI_VIRQ_ARCH_0 16U ///< Xen's `VIRQ_ARCH_0`.
#define XENABI_VIRQ_ARCH_1 17U ///< Xen's `VIRQ_ARCH_1`.
#define XENABI_VIRQ_ARCH_2 18U ///< Xen's `VIRQ_ARCH_2`.
#define XENABI_VIRQ_ARCH_3 19U ///< Xen's `VIRQ_ARCH_3`.
#define XENABI_VIRQ_ARCH_4 20U ///< Xen's `VIRQ_ARCH_4`.
#define XENABI_VIRQ_ARCH_5 21U ///< Xen's `VIRQ_ARCH_5`.
#define XENABI_VIRQ_ARCH_6 22U ///< Xen's `VIRQ_ARCH_6`.
#define XENABI_VIRQ_ARCH_7 23U ///< Xen's `VIRQ_ARCH_7`.
#define XENABI_NR_VIRQS 24U ///< Xen's `NR_VIRQS`.
#define XENABI_MMU_NORMAL_PT_UPDATE 0U ///< Xen's `MMU_NORMAL_PT_UPDATE`.
#define XENABI_MMU_MACHPHYS_UPDATE 1U ///< Xen's `MMU_MACHPHYS_UPDATE`.
#define XENABI_MMU_PT_UPDATE_PRESERVE_AD 2U ///< Xen's `MMU_PT_UPDATE_PRESERVE_AD`.
#define XENABI_MMU_PT_UPDATE_NO_TRANSLATE 3U ///< Xen's `MMU_PT_UPDATE_NO_TRANSLATE`.
#define XENABI_MMUEXT_PIN_L1_TABLE 0U ///< Xen's `MMUEXT_PIN_L1_TABLE`.
#define XENABI_MMUEXT_PIN_L2_TABLE 1U ///< Xen's `MMUEXT_PIN_L2_TABLE`.
#define XENABI_MMUEXT_PIN_L3_TABLE 2U ///< Xen's `MMUEXT_PIN_L3_TABLE`.
#define XENABI_MMUEXT_PIN_L4_TABLE 3U ///< Xen's `MMUEXT_PIN_L4_TABLE`.
#define XENABI_MMUEXT_UNPIN_TABLE 4U ///< Xen's `MMUEXT_UNPIN_TABLE`.
#define XENABI_MMUEXT_NEW_BASEPTR 5U ///< Xen's `MMUEXT_NEW_BASEPTR`.
#define XENABI_MMUEXT_TLB_FLUSH_LOCAL 6U ///< Xen's `MMUEXT_TLB_FLUSH_LOCAL`.
#define XENABI_MMUEXT_INVLPG_LOCAL 7U ///< Xen's `MMUEXT_INVLPG_LOCAL`.
#define XENABI_MMUEXT_TLB_FLUSH_MULTI 8U ///< Xen's `MMUEXT_TLB_FLUSH_MULTI`.
#define XENABI_MMUEXT_INVLPG_MULTI 9U ///< Xen's `MMUEXT_INVLPG_MULTI`.
#define XENABI_MMUEXT_TLB_FLUSH_ALL 10U ///< Xen's `MMUEXT_TLB_FLUSH_ALL`.
#define XENABI_MMUEXT_INVLPG_ALL 11U ///< Xen's `MMUEXT_INVLPG_ALL`.
#define XENABI_MMUEXT_FLUSH_CACHE 12U ///< Xen's `MMUEXT_FLUSH_CACHE`.
#define XENABI_MMUEXT_SET_LDT 13U ///< Xen's `MMUEXT_SET_LDT`.
#define XENABI_MMUEXT_NEW_USER_BASEPTR 15U ///< Xen's `MMUEXT_NEW_USER_BASEPTR`.
#define XENABI_MMUEXT_CLEAR_PAGE 16U ///< Xen's `MMUEXT_CLEAR_PAGE`.
#define XENABI_MMUEXT_COPY_PAGE 17U ///< Xen's `MMUEXT_COPY_PAGE`.
#define XENABI_MMUEXT_FLUSH_CACHE_GLOBAL 18U ///< Xen's `MMUEXT_FLUSH_CACHE_GLOBAL`.
#define XENABI_MMUEXT_MARK_SUPER 19U ///< Xen's `MMUEXT_MARK_SUPER`.
#define XENABI_MMUEXT_UNMARK_SUPER 20U ///< Xen's `MMUEXT_UNMARK_SUPER`.
#define XENABI_UVMF_NONE 0U ///< Xen's `UVMF_NONE`.
#define XENABI_UVMF_TLB_FLUSH 1U ///< Xen's `UVMF_TLB_FLUSH`.
#define XENABI_UVMF_INVLPG 2U ///< Xen's `UVMF_INVLPG`.
#define XENABI_UVMF_FLUSHTYPE_MASK 3U ///< Xen's `UVMF_FLUSHTYPE_MASK`.
#define XENABI_UVMF_MULTI 0U ///< Xen's `UVMF_MULTI`.
#define XENABI_UVMF_LOCAL 0U ///< Xen's `UVMF_LOCAL`.
#define XENABI_UVMF_ALL 4U ///< Xen's `UVMF_ALL`.
#define XENABI_CONSOLEIO_write 0U ///< Xen's `CONSOLEIO_write`.
#define XENABI_CONSOLEIO_read 1U ///< Xen's `CONSOLEIO_read`.
#define XENABI_DOMID_FIRST_RESERVED 0x7ff0U ///< Xen's `DOMID_FIRST_RESERVED`.
#define XENABI_DOMID_SELF 0x7ff0U ///< Xen's `DOMID_SELF`.
#define XENABI_DOMID_IO 0x7ff1U ///< Xen's `DOMID_IO`.
#define XENABI_DOMID_XEN 0x7ff2U ///< Xen's `DOMID_XEN`.
#define XENABI_DOMID_COW 0x7ff3U ///< Xen's `DOMID_COW`.
#define XENABI_DOMID_INVALID 0x7ff4U ///< Xen's `DOMID_INVALID`.
#define XENABI_DOMID_IDLE 0x7fffU ///< Xen's `DOMID_IDLE`.
#define XENABI_DOMID_MASK 0x7fffU ///< Xen's `DOMID_MASK`.
#define XENABI_XEN_PVCLOCK_TSC_STABLE_BIT 1U ///< Xen's `XEN_PVCLOCK_TSC_STABLE_BIT`.
#define XENABI_XEN_PVCLOCK_GUEST_STOPPED 2U ///< Xen's `XEN_PVCLOCK_GUEST_STOPPED`.
#define XENABI_SIF_PRIVILEGED 1U ///< Xen's `SIF_PRIVILEGED`.
#define XENABI_SIF_INITDOMAIN 2U ///< Xen's `SIF_INITDOMAIN`.
#define XENABI_SIF_MULTIBOOT_MOD 4U ///< Xen's `SIF_MULTIBOOT_MOD`.
#define XENABI_SIF_MOD_START_PFN 8U ///< Xen's `SIF_MOD_START_PFN`.
#define XENABI_SIF_VIRT_P2M_4TOOLS 16U ///< Xen's `SIF_VIRT_P2M_4TOOLS`.
#define XENABI_SIF_PM_MASK 0xff00U ///< Xen's `SIF_PM_MASK`.
#define XENABI_MAX_GUEST_CMDLINE 1024U ///< Xen's `MAX_GUEST_CMDLINE`.
#define XENABI_EVTCHNOP_bind_interdomain 0U ///< Xen's `EVTCHNOP_bind_interdomain`.
#define XENABI_EVTCHNOP_bind_virq 1U ///< Xen's `EVTCHNOP_bind_virq`.
#define XENABI_EVTCHNOP_bind_pirq 2U ///< Xen's `EVTCHNOP_bind_pirq`.
#define XENABI_EVTCHNOP_close 3U ///< Xen's `EVTCHNOP_close`.
#define XENABI_EVTCHNOP_send 4U ///< Xen's `EVTCHNOP_send`.
#define XENABI_EVTCHNOP_status 5U ///< Xen's `EVTCHNOP_status`.
#define XENABI_EVTCHNOP_alloc_unbound 6U ///< Xen's `EVTCHNOP_alloc_unbound`.
#define XENABI_EVTCHNOP_bind_ipi 7U ///< Xen's `EVTCHNOP_bind_ipi`.
#define XENABI_EVTCHNOP_bind_vcpu 8U ///< Xen's `EVTCHNOP_bind_vcpu`.
#define XENABI_EVTCHNOP_unmask 9U ///< Xen's `EVTCHNOP_unmask`.
#define XENABI_EVTCHNOP_reset 10U ///< Xen's `EVTCHNOP_reset`.
#define XENABI_EVTCHNOP_init_control 11U ///< Xen's `EVTCHNOP_init_control`.
#define XENABI_EVTCHNOP_expand_array 12U ///< Xen's `EVTCHNOP_expand_array`.
#define XENABI_EVTCHNOP_set_priority 13U ///< Xen's `EVTCHNOP_set_priority`.
#define XENABI_EVTCHNSTAT_closed 0U ///< Xen's `EVTCHNSTAT_closed`.
#define XENABI_EVTCHNSTAT_unbound 1U ///< Xen's `EVTCHNSTAT_unbound`.
#define XENABI_EVTCHNSTAT_interdomain 2U ///< Xen's `EVTCHNSTAT_interdomain`.
#define XENABI_EVTCHNSTAT_pirq 3U ///< Xen's `EVTCHNSTAT_pirq`.
#define XENABI_EVTCHNSTAT_virq 4U ///< Xen's `EVTCHNSTAT_virq`.
#define XENABI_EVTCHNSTAT_ipi 5U ///< Xen's `EVTCHNSTAT_ipi`.
#define XENABI_XENFEAT_writable_page_tables 0U ///< Xen's `XENFEAT_writable_page_tables`.
#define XENABI_XENFEAT_writable_descriptor_tables 1U ///< Xen's `XENFEAT_writable_descriptor_tables`.
#define XENABI_XENFEAT_auto_translated_physmap 2U ///< Xen's `XENFEAT_auto_translated_physmap`.
#define XENABI_XENFEAT_supervisor_mode_kernel 3U ///< Xen's `XENFEAT_supervisor_mode_kernel`.
#define XENABI_XENFEAT_pae_pgdir_above_4gb 4U ///< Xen's `XENFEAT_pae_pgdir_above_4gb`.
#define XENABI_XENFEAT_mmu_pt_update_preserve_ad 5U ///< Xen's `XENFEAT_mmu_pt_update_preserve_ad`.
#define XENABI_XENFEAT_highmem_assist 6U ///< Xen's `XENFEAT_highmem_assist`.
#define XENABI_XENFEAT_gnttab_map_avail_bits 7U ///< Xen's `XENFEAT_gnttab_map_avail_bits`.
#define XENABI_XENFEAT_hvm_callback_vector 8U ///< Xen's `XENFEAT_hvm_callback_vector`.
#define XENABI_XENFEAT_hvm_safe_pvclock 9U ///< Xen's `XENFEAT_hvm_safe_pvclock`.
#define XENABI_XENFEAT_hvm_pirqs 10U ///< Xen's `XENFEAT_hvm_pirqs`.
#define XENABI_XENFEAT_dom0 11U ///< Xen's `XENFEAT_dom0`.
#define XENABI_XENFEAT_memory_op_vnode_supported 13U ///< Xen's `XENFEAT_memory_op_vnode_supported`.
#define XENABI_XENFEAT_ARM_SMCCC_supported 14U ///< Xen's `XENFEAT_ARM_SMCCC_supported`.
#define XENABI_XENFEAT_linux_rsdp_unrestricted 15U ///< Xen's `XENFEAT_linux_rsdp_unrestricted`.
#define XENABI_XENFEAT_not_direct_mapped 16U ///< Xen's `XENFEAT_not_direct_mapped`.
#define XENABI_XENFEAT_direct_mapped 17U ///< Xen's `XENFEAT_direct_mapped`.
#define XENABI_XENFEAT_NR_SUBMAPS 1U ///< Xen's `XENFEAT_NR_SUBMAPS`.
#define XENABI_GNTTAB_NR_RESERVED_ENTRIES 8U ///< Xen's `GNTTAB_NR_RESERVED_ENTRIES`.
#define XENABI_GNTTAB_RESERVED_CONSOLE 0U ///< Xen's `GNTTAB_RESERVED_CONSOLE`.
#define XENABI_GNTTAB_RESERVED_XENSTORE 1U ///< Xen's `GNTTAB_RESERVED_XENSTORE`.
#define XENABI_GNTTAB_CACHE_CLEAN 1U ///< Xen's `GNTTAB_CACHE_CLEAN`.
#define XENABI_GNTTAB_CACHE_INVAL 2U ///< Xen's `GNTTAB_CACHE_INVAL`.
#define XENABI_GNTTAB_CACHE_SOURCE_GREF 0x80000000U ///< Xen's `GNTTAB_CACHE_SOURCE_GREF`.
#define XENABI_GTF_invalid 0U ///< Xen's `GTF_invalid`.
#define XENABI_GTF_permit_access 1U ///< Xen's `GTF_permit_access`.
#define XENABI_GTF_accept_transfer 2U ///< Xen's `GTF_accept_transfer`.
#define XENABI_GTF_transitive 3U ///< Xen's `GTF_transitive`.
#define XENABI_GTF_type_mask 3U ///< Xen's `GTF_type_mask`.
#define XENABI_GTF_readonly 4U ///< Xen's `GTF_readonly`.
#define XENABI_GTF_reading 8U ///< Xen's `GTF_reading`.
#define XENABI_GTF_writing 16U ///< Xen's `GTF_writing`.
#define XENABI_GTF_PWT 32U ///< Xen's `GTF_PWT`.
#define XENABI_GTF_PCD 64U ///< Xen's `GTF_PCD`.
#define XENABI_GTF_PAT 128U ///< Xen's `GTF_PAT`.
#define XENABI_GTF_sub_page 256U ///< Xen's `GTF_sub_page`.
#define XENABI_GTF_transfer_committed 4U ///< Xen's `GTF_transfer_committed`.
#define XENABI_GTF_transfer_completed 8U ///< Xen's `GTF_transfer_completed`.
#define XENABI_GNTTABOP_map_grant_ref 0U ///< Xen's `GNTTABOP_map_grant_ref`.
#define XENABI_GNTTABOP_unmap_grant_ref 1U ///< Xen's `GNTTABOP_unmap_grant_ref`.
#define XENABI_GNTTABOP_setup_table 2U ///< Xen's `GNTTABOP_setup_table`.
#define XENABI_GNTTABOP_dump_table 3U ///< Xen's `GNTTABOP_dump_table`.
#define XENABI_GNTTABOP_transfer 4U ///< Xen's `GNTTABOP_transfer`.
#define XENABI_GNTTABOP_copy 5U ///< Xen's `GNTTABOP_copy`.
#define XENABI_GNTTABOP_query_size 6U ///< Xen's `GNTTABOP_query_size`.
#define XENABI_GNTTABOP_unmap_and_replace 7U ///< Xen's `GNTTABOP_unmap_and_replace`.
#define XENABI_GNTTABOP_set_version 8U ///< Xen's `GNTTABOP_set_version`.
#define XENABI_GNTTABOP_get_status_frames 9U ///< Xen's `GNTTABOP_get_status_frames`.
#define XENABI_GNTTABOP_get_version 10U ///< Xen's `GNTTABOP_get_version`.
#define XENABI_GNTTABOP_swap_grant_ref 11U ///< Xen's `GNTTABOP_swap_grant_ref`.
#define XENABI_GNTTABOP_cache_flush 12U ///< Xen's `GNTTABOP_cache_flush`.
#define XENABI_GNTMAP_device_map 1U ///< Xen's `GNTMAP_device_map`.
#define XENABI_GNTMAP_host_map 2U ///< Xen's `GNTMAP_host_map`.
#define XENABI_GNTMAP_readonly 4U ///< Xen's `GNTMAP_readonly`.
#define XENABI_GNTMAP_application_map 8U ///< Xen's `GNTMAP_application_map`.
#define XENABI_GNTMAP_contains_pte 16U ///< Xen's `GNTMAP_contains_pte`.
#define XENABI_GNTMAP_guest_avail_mask 0xffff0000U ///< Xen's `GNTMAP_guest_avail_mask`.
#define XENABI_GNTST_okay 0 ///< Xen's `GNTST_okay`.
#define XENABI_GNTST_general_error (-1) ///< Xen's `GNTST_general_error`.
#define XENABI_GNTST_bad_domain (-2) ///< Xen's `GNTST_bad_domain`.
#define XENABI_GNTST_bad_gntref (-3) ///< Xen's `GNTST_bad_gntref`.
#define XENABI_GNTST_bad_handle (-4) ///< Xen's `GNTST_bad_handle`.
#define XENABI_GNTST_bad_virt_addr (-5) ///< Xen's `GNTST_bad_virt_addr`.
#define XENABI_GNTST_bad_dev_addr (-6) ///< Xen's `GNTST_bad_dev_addr`.
#define XENABI_GNTST_no_device_space (-7) ///< Xen's `GNTST_no_device_space`.
#define XENABI_GNTST_permission_denied (-8) ///< Xen's `GNTST_permission_denied`.
#define XENABI_GNTST_bad_page (-9) ///< Xen's `GNTST_bad_page`.
#define XENABI_GNTST_bad_copy_arg (-10) ///< Xen's `GNTST_bad_copy_arg`.
#define XENABI_GNTST_address_too_big (-11) ///< Xen's `GNTST_address_too_big`.
#define XENABI_GNTST_eagain (-12) ///< Xen's `GNTST_eagain`.
#define XENABI_GNTST_no_space (-13) ///< Xen's `GNTST_no_space`.
#define XENABI_HVMOP_set_param 0U ///< Xen's `HVMOP_set_param`.
#define XENABI_HVMOP_get_param 1U ///< Xen's `HVMOP_get_param`.
#define XENABI_HVMOP_flush_tlbs 5U ///< Xen's `HVMOP_flush_tlbs`.
#define XENABI_HVMOP_pagetable_dying 9U ///< Xen's `HVMOP_pagetable_dying`.
#define XENABI_HVMOP_get_time 10U ///< Xen's `HVMOP_get_time`.
#define XENABI_HVMOP_xentrace 11U ///< Xen's `HVMOP_xentrace`.
#define XENABI_HVMOP_get_mem_type 15U ///< Xen's `HVMOP_get_mem_type`.
#define XENABI_HVMOP_set_evtchn_upcall_vector 23U ///< Xen's `HVMOP_set_evtchn_upcall_vector`.
#define XENABI_HVMOP_guest_request_vm_event 24U ///< Xen's `HVMOP_guest_request_vm_event`.
#define XENABI_HVMOP_altp2m 25U ///< Xen's `HVMOP_altp2m`.
#define XENABI_HVM_PARAM_CALLBACK_IRQ 0U ///< Xen's `HVM_PARAM_CALLBACK_IRQ`.
#define XENABI_HVM_PARAM_STORE_PFN 1U ///< Xen's `HVM_PARAM_STORE_PFN`.
#define XENABI_HVM_PARAM_STORE_EVTCHN 2U ///< Xen's `HVM_PARAM_STORE_EVTCHN`.
#define XENABI_HVM_PARAM_IOREQ_PFN 5U ///< Xen's `HVM_PARAM_IOREQ_PFN`.
#define XENABI_HVM_PARAM_BUFIOREQ_PFN 6U ///< Xen's `HVM_PARAM_BUFIOREQ_PFN`.
#define XENABI_HVM_PARAM_VIRIDIAN 9U ///< Xen's `HVM_PARAM_VIRIDIAN`.
#define XENABI_HVM_PARAM_TIMER_MODE 10U ///< Xen's `HVM_PARAM_TIMER_MODE`.
#define XENABI_HVM_PARAM_HPET_ENABLED 11U ///< Xen's `HVM_PARAM_HPET_ENABLED`.
#define XENABI_HVM_PARAM_IDENT_PT 12U ///< Xen's `HVM_PARAM_IDENT_PT`.
#define XENABI_HVM_PARAM_ACPI_S_STATE 14U ///< Xen's `HVM_PARAM_ACPI_S_STATE`.
#define XENABI_HVM_PARAM_VM86_TSS 15U ///< Xen's `HVM_PARAM_VM86_TSS`.
#define XENABI_HVM_PARAM_VPT_ALIGN 16U ///< Xen's `HVM_PARAM_VPT_ALIGN`.
#define XENABI_HVM_PARAM_CONSOLE_PFN 17U ///< Xen's `HVM_PARAM_CONSOLE_PFN`.
#define XENABI_HVM_PARAM_CONSOLE_EVTCHN 18U ///< Xen's `HVM_PARAM_CONSOLE_EVTCHN`.
#define XENABI_HVM_PARAM_ACPI_IOPORTS_LOCATION 19U ///< Xen's `HVM_PARAM_ACPI_IOPORTS_LOCATION`.
#define XENABI_HVM_PARAM_PAGING_RING_PFN 27U ///< Xen's `HVM_PARAM_PAGING_RING_PFN`.
#define XENABI_HVM_PARAM_MONITOR_RING_PFN 28U ///< Xen's `HVM_PARAM_MONITOR_RING_PFN`.
#define XENABI_HVM_PARAM_SHARING_RING_PFN 29U ///< Xen's `HVM_PARAM_SHARING_RING_PFN`.
#define XENABI_HVM_PARAM_TRIPLE_FAULT_REASON 31U ///< Xen's `HVM_PARAM_TRIPLE_FAULT_REASON`.
#define XENABI_HVM_PARAM_IOREQ_SERVER_PFN 32U ///< Xen's `HVM_PARAM_IOREQ_SERVER_PFN`.
#define XENABI_HVM_PARAM_NR_IOREQ_SERVER_PAGES 33U ///< Xen's `HVM_PARAM_NR_IOREQ_SERVER_PAGES`.
#define XENABI_HVM_PARAM_VM_GENERATION_ID_ADDR 34U ///< Xen's `HVM_PARAM_VM_GENERATION_ID_ADDR`.
#define XENABI_HVM_PARAM_ALTP2M 35U ///< Xen's `HVM_PARAM_ALTP2M`.
#define XENABI_HVM_PARAM_X87_FIP_WIDTH 36U ///< Xen's `HVM_PARAM_X87_FIP_WIDTH`.
#define XENABI_HVM_PARAM_VM86_TSS_SIZED 37U ///< Xen's `HVM_PARAM_VM86_TSS_SIZED`.
#define XENABI_HVM_PARAM_MCA_CAP 38U ///< Xen's `HVM_PARAM_MCA_CAP`.
#define XENABI_HVM_PARAM_CALLBACK_IRQ_TYPE_MASK 0xff00000000000000ULL ///< Xen's `HVM_PARAM_CALLBACK_IRQ_TYPE_MASK`.
#define XENABI_HVM_PARAM_CALLBACK_TYPE_GSI 0x0ULL ///< Xen's `HVM_PARAM_CALLBACK_TYPE_GSI`.
#define XENABI_HVM_PARAM_CALLBACK_TYPE_PCI_INTX 0x1ULL ///< Xen's `HVM_PARAM_CALLBACK_TYPE_PCI_INTX`.
#define XENABI_HVM_PARAM_CALLBACK_TYPE_VECTOR 0x2ULL ///< Xen's `HVM_PARAM_CALLBACK_TYPE_VECTOR`.
#define XENABI_XEN_HVM_START_MAGIC_VALUE 0x336ec578U ///< Xen's `XEN_HVM_START_MAGIC_VALUE`.
#define XENABI_XEN_HVM_MEMMAP_TYPE_RAM 1U ///< Xen's `XEN_HVM_MEMMAP_TYPE_RAM`.
#define XENABI_XEN_HVM_MEMMAP_TYPE_RESERVED 2U ///< Xen's `XEN_HVM_MEMMAP_TYPE_RESERVED`.
#define XENABI_XEN_HVM_MEMMAP_TYPE_ACPI 3U ///< Xen's `XEN_HVM_MEMMAP_TYPE_ACPI`.
#define XENABI_XEN_HVM_MEMMAP_TYPE_NVS 4U ///< Xen's `XEN_HVM_MEMMAP_TYPE_NVS`.
#define XENABI_XEN_HVM_MEMMAP_TYPE_UNUSABLE 5U ///< Xen's `XEN_HVM_MEMMAP_TYPE_UNUSABLE`.
#define XENABI_XEN_HVM_MEMMAP_TYPE_DISABLED 6U ///< Xen's `XEN_HVM_MEMMAP_TYPE_DISABLED`.
#define XENABI_XEN_HVM_MEMMAP_TYPE_PMEM 7U ///< Xen's `XEN_HVM_MEMMAP_TYPE_PMEM`.
#define XENABI_XENMEM_increase_reservation 0U ///< Xen's `XENMEM_increase_reservation`.
#define XENABI_XENMEM_decrease_reservation 1U ///< Xen's `XENMEM_decrease_reservation`.
#define XENABI_XENMEM_maximum_ram_page 2U ///< Xen's `XENMEM_maximum_ram_page`.
#define XENABI_XENMEM_current_reservation 3U ///< Xen's `XENMEM_current_reservation`.
#define XENABI_XENMEM_maximum_reservation 4U ///< Xen's `XENMEM_maximum_reservation`.
#define XENABI_XENMEM_machphys_mfn_list 5U ///< Xen's `XENMEM_machphys_mfn_list`.
#define XENABI_XENMEM_populate_physmap 6U ///< Xen's `XENMEM_populate_physmap`.
#define XENABI_XENMEM_add_to_physmap 7U ///< Xen's `XENMEM_add_to_physmap`.
#define XENABI_XENMEM_memory_map 9U ///< Xen's `XENMEM_memory_map`.
#define XENABI_XENMEM_machine_memory_map 10U ///< Xen's `XENMEM_machine_memory_map`.
#define XENABI_XENMEM_exchange 11U ///< Xen's `XENMEM_exchange`.
#define XENABI_XENMEM_machphys_mapping 12U ///< Xen's `XENMEM_machphys_mapping`.
#define XENABI_XENMEM_set_memory_map 13U ///< Xen's `XENMEM_set_memory_map`.
#define XENABI_XENMEM_maximum_gpfn 14U ///< Xen's `XENMEM_maximum_gpfn`.
#define XENABI_XENMEM_remove_from_physmap 15U ///< Xen's `XENMEM_remove_from_physmap`.
#define XENABI_XENMEM_set_pod_target 16U ///< Xen's `XENMEM_set_pod_target`.
#define XENABI_XENMEM_get_pod_target 17U ///< Xen's `XENMEM_get_pod_target`.
#define XENABI_XENMEM_add_to_physmap_batch 23U ///< Xen's `XENMEM_add_to_physmap_batch`.
#define XENABI_XENMEM_machphys_compat_mfn_list 25U ///< Xen's `XENMEM_machphys_compat_mfn_list`.
#define XENABI_XENMEM_get_vnumainfo 26U ///< Xen's `XENMEM_get_vnumainfo`.
#define XENABI_XENMEM_acquire_resource 28U ///< Xen's `XENMEM_acquire_resource`.
#define XENABI_XENMAPSPACE_shared_info 0U ///< Xen's `XENMAPSPACE_shared_info`.
#define XENABI_XENMAPSPACE_grant_table 1U ///< Xen's `XENMAPSPACE_grant_table`.
#define XENABI_XENMAPSPACE_gmfn 2U ///< Xen's `XENMAPSPACE_gmfn`.
#define XENABI_XENMAPSPACE_gmfn_range 3U ///< Xen's `XENMAPSPACE_gmfn_range`.
#define XENABI_XENMAPSPACE_gmfn_foreign 4U ///< Xen's `XENMAPSPACE_gmfn_foreign`.
#define XENABI_XENMAPSPACE_dev_mmio 5U ///< Xen's `XENMAPSPACE_dev_mmio`.
#define XENABI_SCHEDOP_yield 0U ///< Xen's `SCHEDOP_yield`.
#define XENABI_SCHEDOP_block 1U ///< Xen's `SCHEDOP_block`.
#define XENABI_SCHEDOP_shutdown 2U ///< Xen's `SCHEDOP_shutdown`.
#define XENABI_SCHEDOP_poll 3U ///< Xen's `SCHEDOP_poll`.
#define XENABI_SCHEDOP_remote_shutdown 4U ///< Xen's `SCHEDOP_remote_shutdown`.
#define XENABI_SCHEDOP_shutdown_code 5U ///< Xen's `SCHEDOP_shutdown_code`.
#define XENABI_SCHEDOP_watchdog 6U ///< Xen's `SCHEDOP_watchdog`.
#define XENABI_SCHEDOP_pin_override 7U ///< Xen's `SCHEDOP_pin_override`.
#define XENABI_SHUTDOWN_poweroff 0U ///< Xen's `SHUTDOWN_poweroff`.
#define XENABI_SHUTDOWN_reboot 1U ///< Xen's `SHUTDOWN_reboot`.
#define XENABI_SHUTDOWN_suspend 2U ///< Xen's `SHUTDOWN_suspend`.
#define XENABI_SHUTDOWN_crash 3U ///< Xen's `SHUTDOWN_crash`.
#define XENABI_SHUTDOWN_watchdog 4U ///< Xen's `SHUTDOWN_watchdog`.
#define XENABI_SHUTDOWN_soft_reset 5U ///< Xen's `SHUTDOWN_soft_reset`.
#define XENABI_SHUTDOWN_MAX 5U ///< Xen's `SHUTDOWN_MAX`.
#define XENABI_VCPUOP_initialise 0U ///< Xen's `VCPUOP_initialise`.
#define XENABI_VCPUOP_up 1U ///< Xen's `VCPUOP_up`.
#define XENABI_VCPUOP_down 2U ///< Xen's `VCPUOP_down`.
#define XENABI_VCPUOP_is_up 3U ///< Xen's `VCPUOP_is_up`.
#define XENABI_VCPUOP_get_runstate_info 4U ///< Xen's `VCPUOP_get_runstate_info`.
#define XENABI_VCPUOP_register_runstate_memory_area 5U ///< Xen's `VCPUOP_register_runstate_memory_area`.
#define XENABI_VCPUOP_set_periodic_timer 6U ///< Xen's `VCPUOP_set_periodic_timer`.
#define XENABI_VCPUOP_stop_periodic_timer 7U ///< Xen's `VCPUOP_stop_periodic_timer`.
#define XENABI_VCPUOP_set_singleshot_timer 8U ///< Xen's `VCPUOP_set_singleshot_timer`.
#define XENABI_VCPUOP_stop_singleshot_timer 9U ///< Xen's `VCPUOP_stop_singleshot_timer`.
#define XENABI_VCPUOP_register_vcpu_info 10U ///< Xen's `VCPUOP_register_vcpu_info`.
#define XENABI_VCPUOP_send_nmi 11U ///< Xen's `VCPUOP_send_nmi`.
#define XENABI_VCPUOP_get_physid 12U ///< Xen's `VCPUOP_get_physid`.
#define XENABI_VCPUOP_register_vcpu_time_memory_area 13U ///< Xen's `VCPUOP_register_vcpu_time_memory_area`.
#define XENABI_RUNSTATE_running 0 ///< Xen's `RUNSTATE_running`.
#define XENABI_RUNSTATE_runnable 1 ///< Xen's `RUNSTATE_runnable`.
#define XENABI_RUNSTATE_blocked 2 ///< Xen's `RUNSTATE_blocked`.
#define XENABI_RUNSTATE_offline 3 ///< Xen's `RUNSTATE_offline`.
#define XENABI_VCPU_SSHOTTMR_future 1U ///< Xen's `VCPU_SSHOTTMR_future`.
#define XENABI_XENVER_version 0U ///< Xen's `XENVER_version`.
#define XENABI_XENVER_extraversion 1U ///< Xen's `XENVER_extraversion`.
#define XENABI_XENVER_compile_info 2U ///< Xen's `XENVER_compile_info`.
#define XENABI_XENVER_capabilities 3U ///< Xen's `XENVER_capabilities`.
#define XENABI_XENVER_changeset 4U ///< Xen's `XENVER_changeset`.
#define XENABI_XENVER_platform_parameters 5U ///< Xen's `XENVER_platform_parameters`.
#define XENABI_XENVER_get_features 6U ///< Xen's `XENVER_get_features`.
#define XENABI_XENVER_pagesize 7U ///< Xen's `XENVER_pagesize`.
#define XENABI_XENVER_guest_handle 8U ///< Xen's `XENVER_guest_handle`.
#define XENABI_XENVER_commandline 9U ///< Xen's `XENVER_commandline`.
#define XENABI_XENVER_build_id 10U ///< Xen's `XENVER_build_id`.
#define XENABI_BLKIF_OP_READ 0U ///< Xen's `BLKIF_OP_READ`.
#define XENABI_BLKIF_OP_WRITE 1U ///< Xen's `BLKIF_OP_WRITE`.
#define XENABI_BLKIF_OP_WRITE_BARRIER 2U ///< Xen's `BLKIF_OP_WRITE_BARRIER`.
#define XENABI_BLKIF_OP_FLUSH_DISKCACHE 3U ///< Xen's `BLKIF_OP_FLUSH_DISKCACHE`.
#define XENABI_BLKIF_OP_RESERVED_1 4U ///< Xen's `BLKIF_OP_RESERVED_1`.
#define XENABI_BLKIF_OP_DISCARD 5U ///< Xen's `BLKIF_OP_DISCARD`.
#define XENABI_BLKIF_OP_INDIRECT 6U ///< Xen's `BLKIF_OP_INDIRECT`.
#define XENABI_BLKIF_RSP_ERROR (-1) ///< Xen's `BLKIF_RSP_ERROR`.
#define XENABI_BLKIF_RSP_OKAY 0 ///< Xen's `BLKIF_RSP_OKAY`.
#define XENABI_BLKIF_MAX_SEGMENTS_PER_REQUEST 11U ///< Xen's `BLKIF_MAX_SEGMENTS_PER_REQUEST`.
#define XENABI_BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8U ///< Xen's `BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST`.
#define XENABI_BLKIF_DISCARD_SECURE 1U ///< Xen's `BLKIF_DISCARD_SECURE`.
#define XENABI_VDISK_CDROM 1U ///< Xen's `VDISK_CDROM`.
#define XENABI_VDISK_REMOVABLE 2U ///< Xen's `VDISK_REMOVABLE`.
#define XENABI_VDISK_READONLY 4U ///< Xen's `VDISK_READONLY`.
#define XENABI_XEN_NETIF_NR_SLOTS_MIN 18U ///< Xen's `XEN_NETIF_NR_SLOTS_MIN`.
#define XENABI_XEN_NETIF_MAX_TX_SIZE 0xffffU ///< Xen's `XEN_NETIF_MAX_TX_SIZE`.
#define XENABI_NETTXF_csum_blank 1U ///< Xen's `NETTXF_csum_blank`.
#define XENABI_NETTXF_data_validated 2U ///< Xen's `NETTXF_data_validated`.
#define XENABI_NETTXF_more_data 4U ///< Xen's `NETTXF_more_data`.
#define XENABI_NETTXF_extra_info 8U ///< Xen's `NETTXF_extra_info`.
#define XENABI_NETRXF_data_validated 1U ///< Xen's `NETRXF_data_validated`.
#define XENABI_NETRXF_csum_blank 2U ///< Xen's `NETRXF_csum_blank`.
#define XENABI_NETRXF_more_data 4U ///< Xen's `NETRXF_more_data`.
#define XENABI_NETRXF_extra_info 8U ///< Xen's `NETRXF_extra_info`.
#define XENABI_NETRXF_gso_prefix 16U ///< Xen's `NETRXF_gso_prefix`.
#define XENABI_NETIF_RSP_DROPPED (-2) ///< Xen's `NETIF_RSP_DROPPED`.
#define XENABI_NETIF_RSP_ERROR (-1) ///< Xen's `NETIF_RSP_ERROR`.
#define XENABI_NETIF_RSP_OKAY 0 ///< Xen's `NETIF_RSP_OKAY`.
#define XENABI_XenbusStateUnknown 0U ///< Xen's `XenbusStateUnknown`.
#define XENABI_XenbusStateInitialising 1U ///< Xen's `XenbusStateInitialising`.
#define XENABI_XenbusStateInitWait 2U ///< Xen's `XenbusStateInitWait`.
#define XENABI_XenbusStateInitialised 3U ///< Xen's `XenbusStateInitialised`.
#define XENABI_XenbusStateConnected 4U ///< Xen's `XenbusStateConnected`.
#define XENABI_XenbusStateClosing 5U ///< Xen's `XenbusStateClosing`.
#define XENABI_XenbusStateClosed 6U ///< Xen's `XenbusStateClosed`.
#define XENABI_XenbusStateReconfiguring 7U ///< Xen's `XenbusStateReconfiguring`.
#define XENABI_XenbusStateReconfigured 8U ///< Xen's `XenbusStateReconfigured`.
#define XENABI_XS_CONTROL 0U ///< Xen's `XS_CONTROL`.
#define XENABI_XS_DIRECTORY 1U ///< Xen's `XS_DIRECTORY`.
#define XENABI_XS_READ 2U ///< Xen's `XS_READ`.
#define XENABI_XS_GET_PERMS 3U ///< Xen's `XS_GET_PERMS`.
#define XENABI_XS_WATCH 4U ///< Xen's `XS_WATCH`.
#define XENABI_XS_UNWATCH 5U ///< Xen's `XS_UNWATCH`.
#define XENABI_XS_TRANSACTION_START 6U ///< Xen's `XS_TRANSACTION_START`.
#define XENABI_XS_TRANSACTION_END 7U ///< Xen's `XS_TRANSACTION_END`.
#define XENABI_XS_INTRODUCE 8U ///< Xen's `XS_INTRODUCE`.
#define XENABI_XS_RELEASE 9U ///< Xen's `XS_RELEASE`.
#define XENABI_XS_GET_DOMAIN_PATH 10U ///< Xen's `XS_GET_DOMAIN_PATH`.
#define XENABI_XS_WRITE 11U ///< Xen's `XS_WRITE`.
#define XENABI_XS_MKDIR 12U ///< Xen's `XS_MKDIR`.
#define XENABI_XS_RM 13U ///< Xen's `XS_RM`.
#define XENABI_XS_SET_PERMS 14U ///< Xen's `XS_SET_PERMS`.
#define XENABI_XS_WATCH_EVENT 15U ///< Xen's `XS_WATCH_EVENT`.
#define XENABI_XS_ERROR 16U ///< Xen's `XS_ERROR`.
#define XENABI_XS_IS_DOMAIN_INTRODUCED 17U ///< Xen's `XS_IS_DOMAIN_INTRODUCED`.
#define XENABI_XS_RESUME 18U ///< Xen's `XS_RESUME`.
#define XENABI_XS_SET_TARGET 19U ///< Xen's `XS_SET_TARGET`.
#define XENABI_XS_RESET_WATCHES 21U ///< Xen's `XS_RESET_WATCHES`.
#define XENABI_XS_DIRECTORY_PART 22U ///< Xen's `XS_DIRECTORY_PART`.
#define XENABI_XS_TYPE_COUNT 23U ///< Xen's `XS_TYPE_COUNT`.
#define XENABI_XS_INVALID 0xffffU ///< Xen's `XS_INVALID`.
#define XENABI_XENSTORE_RING_SIZE 1024U ///< Xen's `XENSTORE_RING_SIZE`.
#define XENABI_XENSTORE_PAYLOAD_MAX 0x1000U ///< Xen's `XENSTORE_PAYLOAD_MAX`.
#define XENABI_XENSTORE_ABS_PATH_MAX 3072U ///< Xen's `XENSTORE_ABS_PATH_MAX`.
#define XENABI_XENSTORE_REL_PATH_MAX 2048U ///< Xen's `XENSTORE_REL_PATH_MAX`.
#define XENABI_XENSTORE_CONNECTED 0U ///< Xen's `XENSTORE_CONNECTED`.
#define XENABI_XENSTORE_RECONNECT 1U ///< Xen's `XENSTORE_RECONNECT`.
#if defined(__x86_64__)
#define XENABI_EVTCHN_2L_NR_CHANNELS 4096U ///< Xen's `EVTCHN_2L_NR_CHANNELS` (x86_64).
#else
#define XENABI_EVTCHN_2L_NR_CHANNELS 1024U ///< Xen's `EVTCHN_2L_NR_CHANNELS` (i386).
#endif

/* ---------------------------------------------------------------------------------------------
 * xen.h: MMU batches, multicalls, per-vCPU and shared pages, PV start info
 * ------------------------------------------------------------------------------------------- */
/** One page-table update for mmu_update (Xen's `struct mmu_update`). */
struct xenabi_mmu_update {
  uint64_t ptr; /**< Machine address of the PTE; low 2 bits: an `XENABI_MMU_*` command. */
  uint64_t val; /**< The new contents. */
};

/** Extended MMU operation (Xen's `struct mmuext_op`). */
struct xenabi_mmuext_op {
  unsigned int cmd; /**< An `XENABI_MMUEXT_*` command. */
  /** First argument. */
  union {
    xenabi_xen_pfn_t mfn;      /**< Frame (pin, unpin, new base pointer, clear/copy target). */
    unsigned long linear_addr; /**< Linear address (INVLPG, SET_LDT). */
  } arg1;
  /** Second argument. */
  union {
    unsigned int nr_ents;  /**< SET_LDT: number of entries. */
    const void *vcpumask;  /**< TLB_FLUSH_MULTI, INVLPG_MULTI: vCPU bitmap. */
    xenabi_xen_pfn_t src_mfn; /**< COPY_PAGE: source frame. */
  } arg2;
};

/** One call of a multicall batch (Xen's `struct multicall_entry`). */
struct xenabi_multicall_entry {
  xenabi_xen_ulong_t op;      /**< IN: hypercall number. */
  xenabi_xen_ulong_t result;  /**< OUT: its result. */
  xenabi_xen_ulong_t args[6]; /**< IN: its arguments. */
};

/** Per-vCPU system-time parameters (Xen's `struct vcpu_time_info`), read under `version`. */
struct xenabi_vcpu_time_info {
  uint32_t version;           /**< Seqlock: odd while Xen updates the record. */
  uint32_t pad0;              /**< Unused. */
  uint64_t tsc_timestamp;     /**< TSC at the last update. */
  uint64_t system_time;       /**< System time (ns since boot) at the last update. */
  uint32_t tsc_to_system_mul; /**< TSC to ns multiplier (32.32 fixed point). */
  int8_t tsc_shift;           /**< TSC delta shift applied before the multiplication. */
  uint8_t flags;              /**< `XENABI_XEN_PVCLOCK_*` flags. */
  uint8_t pad1[2];            /**< Unused. */
};

/** Architecture part of vcpu_info (Xen's x86 `struct arch_vcpu_info`). */
struct xenabi_arch_vcpu_info {
  unsigned long cr2; /**< Faulting address of the last page fault (PV). */
#if defined(__x86_64__)
  unsigned long pad; /**< Unused. */
#else
  unsigned long pad[5]; /**< Unused. */
#endif
};

/** Per-vCPU event and time area (Xen's `struct vcpu_info`, 64 bytes). */
struct xenabi_vcpu_info {
  uint8_t evtchn_upcall_pending;         /**< Set by Xen when an event is pending. */
  uint8_t evtchn_upcall_mask;            /**< Set by a PV guest to mask upcalls. */
  xenabi_xen_ulong_t evtchn_pending_sel; /**< Bit i: word i of evtchn_pending may be set. */
  struct xenabi_arch_vcpu_info arch;     /**< Architecture area. */
  struct xenabi_vcpu_time_info time;     /**< System-time parameters. */
};

/** Architecture part of shared_info (Xen's x86 `struct arch_shared_info`). */
struct xenabi_arch_shared_info {
  unsigned long max_pfn;                     /**< Highest PFN of the p2m list (PV). */
  xenabi_xen_pfn_t pfn_to_mfn_frame_list_list; /**< Frame of the p2m frame list list (PV). */
  unsigned long nmi_reason;                  /**< NMI reason bits. */
  unsigned long p2m_cr3;                     /**< cr3 of the virtual p2m list. */
  unsigned long p2m_vaddr;                   /**< Virtual address of the p2m list. */
  unsigned long p2m_generation;              /**< Incremented on p2m changes. */
#if defined(__i386__)
  uint32_t wc_sec_hi; /**< Wall clock: seconds, high 32 bits (i386 keeps it here). */
#endif
};

/** The shared-info page (Xen's `struct shared_info`). */
struct xenabi_shared_info {
  struct xenabi_vcpu_info vcpu_info[32]; /**< Per-vCPU areas of the first 32 vCPUs. */
  xenabi_xen_ulong_t evtchn_pending[sizeof(xenabi_xen_ulong_t) * 8]; /**< 2-level: pending bits. */
  xenabi_xen_ulong_t evtchn_mask[sizeof(xenabi_xen_ulong_t) * 8];    /**< 2-level: mask bits. */
  uint32_t wc_version; /**< Wall-clock seqlock (odd: update in progress). */
  uint32_t wc_sec;     /**< Wall clock at system time 0: seconds (low 32 bits). */
  uint32_t wc_nsec;    /**< Wall clock at system time 0: nanoseconds. */
#if defined(__x86_64__)
  uint32_t wc_sec_hi; /**< Wall clock: seconds, high 32 bits. */
#endif
  struct xenabi_arch_shared_info arch; /**< Architecture area. */
};

/** The classic PV start-of-day page (Xen's `struct start_info`). */
struct xenabi_start_info {
  char magic[32];                /**< "xen-<version>-<platform>". */
  unsigned long nr_pages;        /**< Total pages allocated to the domain. */
  unsigned long shared_info;     /**< Machine address of the shared-info page. */
  uint32_t flags;                /**< `XENABI_SIF_*` flags. */
  xenabi_xen_pfn_t store_mfn;    /**< Machine frame of the xenstore page. */
  uint32_t store_evtchn;         /**< Event channel of xenstore. */
  /** Console: domU ring, or the dom0 VGA information. */
  union {
    /** An unprivileged domain's console ring. */
    struct {
      xenabi_xen_pfn_t mfn; /**< Machine frame of the console page. */
      uint32_t evtchn;      /**< Its event channel. */
    } domU;
    /** dom0's console information. */
    struct {
      uint32_t info_off;  /**< Offset of dom0_vga_console_info in this page. */
      uint32_t info_size; /**< Its size. */
    } dom0;
  } console;
  unsigned long pt_base;      /**< Virtual address of the page directory. */
  unsigned long nr_pt_frames; /**< Number of bootstrap page-table frames. */
  unsigned long mfn_list;     /**< Virtual address of the p2m list. */
  unsigned long mod_start;    /**< Virtual address (or PFN) of the initial module. */
  unsigned long mod_len;      /**< Its size in bytes. */
  int8_t cmd_line[1024];      /**< The command line. */
  unsigned long first_p2m_pfn; /**< First PFN of the p2m list mapped elsewhere. */
  unsigned long nr_p2m_frames; /**< Number of frames of that p2m list. */
};

/* ---------------------------------------------------------------------------------------------
 * arch-x86/hvm/start_info.h: the PVH boot information
 * ------------------------------------------------------------------------------------------- */
/** What `ebx` points at on PVH entry (Xen's `struct hvm_start_info`). */
struct xenabi_hvm_start_info {
  uint32_t magic;          /**< XENABI_XEN_HVM_START_MAGIC_VALUE. */
  uint32_t version;        /**< 0 or 1 (1 adds the memory map). */
  uint32_t flags;          /**< `SIF_*`-like flags. */
  uint32_t nr_modules;     /**< Number of hvm_modlist_entry at modlist_paddr. */
  uint64_t modlist_paddr;  /**< Physical address of the module list. */
  uint64_t cmdline_paddr;  /**< Physical address of the NUL-terminated command line, or 0. */
  uint64_t rsdp_paddr;     /**< Physical address of the ACPI RSDP, or 0. */
  uint64_t memmap_paddr;   /**< Physical address of the memory map (version >= 1). */
  uint32_t memmap_entries; /**< Its number of entries. */
  uint32_t reserved;       /**< Must be zero. */
};

/** A boot module (Xen's `struct hvm_modlist_entry`). */
struct xenabi_hvm_modlist_entry {
  uint64_t paddr;         /**< Physical address of the module. */
  uint64_t size;          /**< Its size in bytes. */
  uint64_t cmdline_paddr; /**< Physical address of its command line, or 0. */
  uint64_t reserved;      /**< Zero. */
};

/** A memory-map entry (Xen's `struct hvm_memmap_table_entry`, E820-like). */
struct xenabi_hvm_memmap_table_entry {
  uint64_t addr;     /**< Base physical address. */
  uint64_t size;     /**< Size in bytes. */
  uint32_t type;     /**< `XENABI_XEN_HVM_MEMMAP_TYPE_*`. */
  uint32_t reserved; /**< Zero. */
};

/* ---------------------------------------------------------------------------------------------
 * vcpu.h, sched.h
 * ------------------------------------------------------------------------------------------- */
/** VCPUOP_set_singleshot_timer argument (Xen's `struct vcpu_set_singleshot_timer`). */
struct xenabi_vcpu_set_singleshot_timer {
  uint64_t timeout_abs_ns; /**< Absolute system time of the deadline. */
  uint32_t flags;          /**< `XENABI_VCPU_SSHOTTMR_*`. */
};

/** VCPUOP_set_periodic_timer argument (Xen's `struct vcpu_set_periodic_timer`). */
struct xenabi_vcpu_set_periodic_timer {
  uint64_t period_ns; /**< Period in nanoseconds. */
};

/** VCPUOP_register_vcpu_info argument (Xen's `struct vcpu_register_vcpu_info`). */
struct xenabi_vcpu_register_vcpu_info {
  uint64_t mfn;    /**< Frame (gfn for translated guests) holding the vcpu_info. */
  uint32_t offset; /**< Offset within the frame (64 bytes must not cross it). */
  uint32_t rsvd;   /**< Zero. */
};

/** VCPUOP_get_runstate_info result (Xen's `struct vcpu_runstate_info`). */
struct xenabi_vcpu_runstate_info {
  int state;                 /**< `XENABI_RUNSTATE_*`. */
  uint64_t state_entry_time; /**< System time of entry into `state`. */
  uint64_t time[4];          /**< Time spent in each state (ns); time[0]: virtual time. */
};

/** SCHEDOP_shutdown argument (Xen's `struct sched_shutdown`). */
struct xenabi_sched_shutdown {
  unsigned int reason; /**< `XENABI_SHUTDOWN_*`. */
};

/** SCHEDOP_poll argument (Xen's `struct sched_poll`). */
struct xenabi_sched_poll {
  xenabi_evtchn_port_t *ports; /**< Ports to wait on. */
  unsigned int nr_ports;       /**< Their number. */
  uint64_t timeout;            /**< Absolute system-time timeout, 0 for none. */
};

/* ---------------------------------------------------------------------------------------------
 * event_channel.h
 * ------------------------------------------------------------------------------------------- */
/** EVTCHNOP_alloc_unbound (Xen's `struct evtchn_alloc_unbound`). */
struct xenabi_evtchn_alloc_unbound {
  xenabi_domid_t dom;        /**< IN: XENABI_DOMID_SELF. */
  xenabi_domid_t remote_dom; /**< IN: the domain allowed to bind. */
  xenabi_evtchn_port_t port; /**< OUT: the new port. */
};

/** EVTCHNOP_bind_interdomain (Xen's `struct evtchn_bind_interdomain`). */
struct xenabi_evtchn_bind_interdomain {
  xenabi_domid_t remote_dom;        /**< IN: remote domain. */
  xenabi_evtchn_port_t remote_port; /**< IN: its unbound port. */
  xenabi_evtchn_port_t local_port;  /**< OUT: our port. */
};

/** EVTCHNOP_bind_virq (Xen's `struct evtchn_bind_virq`). */
struct xenabi_evtchn_bind_virq {
  uint32_t virq;             /**< IN: `XENABI_VIRQ_*`. */
  uint32_t vcpu;             /**< IN: vCPU to deliver to. */
  xenabi_evtchn_port_t port; /**< OUT: the port. */
};

/** EVTCHNOP_bind_ipi (Xen's `struct evtchn_bind_ipi`). */
struct xenabi_evtchn_bind_ipi {
  uint32_t vcpu;             /**< IN: vCPU to deliver to. */
  xenabi_evtchn_port_t port; /**< OUT: the port. */
};

/** EVTCHNOP_close (Xen's `struct evtchn_close`). */
struct xenabi_evtchn_close {
  xenabi_evtchn_port_t port; /**< IN: the port. */
};

/** EVTCHNOP_send (Xen's `struct evtchn_send`). */
struct xenabi_evtchn_send {
  xenabi_evtchn_port_t port; /**< IN: the local port to notify through. */
};

/** EVTCHNOP_bind_vcpu (Xen's `struct evtchn_bind_vcpu`). */
struct xenabi_evtchn_bind_vcpu {
  xenabi_evtchn_port_t port; /**< IN: the port. */
  uint32_t vcpu;             /**< IN: the vCPU to deliver to from now on. */
};

/** EVTCHNOP_unmask (Xen's `struct evtchn_unmask`). */
struct xenabi_evtchn_unmask {
  xenabi_evtchn_port_t port; /**< IN: the port. */
};

/* ---------------------------------------------------------------------------------------------
 * memory.h
 * ------------------------------------------------------------------------------------------- */
/** XENMEM_increase/decrease_reservation, populate_physmap (Xen's `struct xen_memory_reservation`). */
struct xenabi_xen_memory_reservation {
  xenabi_xen_pfn_t *extent_start; /**< IN/OUT: array of frames. */
  xenabi_xen_ulong_t nr_extents;  /**< IN: number of extents. */
  unsigned int extent_order;      /**< IN: log2 of pages per extent. */
  unsigned int mem_flags;         /**< IN: `XENABI_XENMEMF_*`. */
  xenabi_domid_t domid;           /**< IN: XENABI_DOMID_SELF. */
};

/** XENMEM_add_to_physmap (Xen's `struct xen_add_to_physmap`). */
struct xenabi_xen_add_to_physmap {
  xenabi_domid_t domid;   /**< IN: XENABI_DOMID_SELF. */
  uint16_t size;          /**< IN: number of pages for XENMAPSPACE_gmfn_range. */
  unsigned int space;     /**< IN: `XENABI_XENMAPSPACE_*`. */
  xenabi_xen_ulong_t idx; /**< IN: index into the space (grant frame number, 0 for shared_info). */
  xenabi_xen_pfn_t gpfn;  /**< IN: guest frame to map it at. */
};

/** XENMEM_memory_map (Xen's `struct xen_memory_map`). */
struct xenabi_xen_memory_map {
  unsigned int nr_entries; /**< IN: capacity; OUT: entries written. */
  void *buffer;            /**< IN: array of E820 entries (20 bytes each). */
};

/* ---------------------------------------------------------------------------------------------
 * grant_table.h
 * ------------------------------------------------------------------------------------------- */
/** A version-1 grant entry (Xen's `struct grant_entry_v1`). */
struct xenabi_grant_entry_v1 {
  uint16_t flags;        /**< `XENABI_GTF_*`; write last (after a write barrier). */
  xenabi_domid_t domid;  /**< Domain being granted access. */
  uint32_t frame;        /**< Frame being granted. */
};

/** GNTTABOP_setup_table (Xen's `struct gnttab_setup_table`). */
struct xenabi_gnttab_setup_table {
  xenabi_domid_t dom;           /**< IN: XENABI_DOMID_SELF. */
  uint32_t nr_frames;           /**< IN: number of grant-table frames. */
  int16_t status;               /**< OUT: `XENABI_GNTST_*`. */
  xenabi_xen_pfn_t *frame_list; /**< OUT: their frames (PV). */
};

/** GNTTABOP_map_grant_ref (Xen's `struct gnttab_map_grant_ref`). */
struct xenabi_gnttab_map_grant_ref {
  uint64_t host_addr;           /**< IN: where to map. */
  uint32_t flags;               /**< IN: `XENABI_GNTMAP_*`. */
  xenabi_grant_ref_t ref;       /**< IN: the grant. */
  xenabi_domid_t dom;           /**< IN: the granting domain. */
  int16_t status;               /**< OUT: `XENABI_GNTST_*`. */
  xenabi_grant_handle_t handle; /**< OUT: handle for unmapping. */
  uint64_t dev_bus_addr;        /**< OUT: bus address (device_map). */
};

/** GNTTABOP_unmap_grant_ref (Xen's `struct gnttab_unmap_grant_ref`). */
struct xenabi_gnttab_unmap_grant_ref {
  uint64_t host_addr;           /**< IN: mapped address. */
  uint64_t dev_bus_addr;        /**< IN: bus address. */
  xenabi_grant_handle_t handle; /**< IN: from the map. */
  int16_t status;               /**< OUT: `XENABI_GNTST_*`. */
};

/** GNTTABOP_query_size (Xen's `struct gnttab_query_size`). */
struct xenabi_gnttab_query_size {
  xenabi_domid_t dom;     /**< IN: XENABI_DOMID_SELF. */
  uint32_t nr_frames;     /**< OUT: current frames. */
  uint32_t max_nr_frames; /**< OUT: maximum frames. */
  int16_t status;         /**< OUT: `XENABI_GNTST_*`. */
};

/* ---------------------------------------------------------------------------------------------
 * hvm/hvm_op.h, version.h
 * ------------------------------------------------------------------------------------------- */
/** HVMOP_set_param / HVMOP_get_param (Xen's `struct xen_hvm_param`). */
struct xenabi_xen_hvm_param {
  xenabi_domid_t domid; /**< IN: XENABI_DOMID_SELF. */
  uint16_t pad;         /**< Zero. */
  uint32_t index;       /**< IN: `XENABI_HVM_PARAM_*`. */
  uint64_t value;       /**< IN (set) / OUT (get). */
};

/** HVMOP_set_evtchn_upcall_vector (Xen's `struct xen_hvm_evtchn_upcall_vector`). */
struct xenabi_xen_hvm_evtchn_upcall_vector {
  uint32_t vcpu;  /**< IN: vCPU id. */
  uint8_t vector; /**< IN: interrupt vector (through the local APIC; EOI needed). */
};

/** XENVER_get_features (Xen's `struct xen_feature_info`). */
struct xenabi_xen_feature_info {
  unsigned int submap_idx; /**< IN: which 32-bit submap. */
  uint32_t submap;         /**< OUT: bits `1 << XENABI_XENFEAT_*`. */
};

/* ---------------------------------------------------------------------------------------------
 * io/console.h, io/xs_wire.h: the console and xenstore pages
 * ------------------------------------------------------------------------------------------- */
/** The console page (Xen's `struct xencons_interface`). */
struct xenabi_xencons_interface {
  char in[1024];     /**< Input ring (back end to guest). */
  char out[2048];    /**< Output ring (guest to back end). */
  uint32_t in_cons;  /**< Guest's input consumer index. */
  uint32_t in_prod;  /**< Back end's input producer index. */
  uint32_t out_cons; /**< Back end's output consumer index. */
  uint32_t out_prod; /**< Guest's output producer index. */
};

/** The xenstore page (Xen's `struct xenstore_domain_interface`). */
struct xenabi_xenstore_domain_interface {
  char req[1024];           /**< Requests (guest to xenstored). */
  char rsp[1024];           /**< Replies and watch events. */
  uint32_t req_cons;        /**< xenstored's request consumer index. */
  uint32_t req_prod;        /**< Guest's request producer index. */
  uint32_t rsp_cons;        /**< Guest's reply consumer index. */
  uint32_t rsp_prod;        /**< xenstored's reply producer index. */
  uint32_t server_features; /**< `XENABI_XENSTORE_SERVER_FEATURE_*`. */
  uint32_t connection;      /**< `XENABI_XENSTORE_CONNECTED` / `_RECONNECT`. */
  uint32_t error;           /**< `XENABI_XENSTORE_ERROR_*`. */
};

/** Header of every xenstore message (Xen's `struct xsd_sockmsg`). */
struct xenabi_xsd_sockmsg {
  uint32_t type;   /**< `XENABI_XS_*`. */
  uint32_t req_id; /**< Echoed in the reply. */
  uint32_t tx_id;  /**< Transaction, 0 for none. */
  uint32_t len;    /**< Payload length (<= XENABI_XENSTORE_PAYLOAD_MAX). */
};

/* ---------------------------------------------------------------------------------------------
 * io/ring.h: the shared ring page. A ring page is `xenabi_c_sring_header` followed by
 * XENABI_C_RING_SLOTS(page, slot) slots, each a union of one request and one response.
 * ------------------------------------------------------------------------------------------- */
/** The first 64 bytes of a shared ring page (Xen's `DEFINE_RING_TYPES` sring fields). */
struct xenabi_c_sring_header {
  uint32_t req_prod;  /**< Request producer index (front end writes). */
  uint32_t req_event; /**< Back end wants a notification when req_prod passes this. */
  uint32_t rsp_prod;  /**< Response producer index (back end writes). */
  uint32_t rsp_event; /**< Front end wants a notification when rsp_prod passes this. */
  uint8_t pvt[4];     /**< Protocol-private bytes. */
  uint8_t pad[44];    /**< Pads the header to 64 bytes. */
};

/** Number of slots of size \p slot in a ring of \p bytes bytes: largest power of two that fits. */
#define XENABI_C_RING_SLOTS(bytes, slot)                                                       \
  ((((bytes) - 64u) / (slot)) >= 256u ? 256u : (((bytes) - 64u) / (slot)) >= 128u ? 128u     \
   : (((bytes) - 64u) / (slot)) >= 64u ? 64u : (((bytes) - 64u) / (slot)) >= 32u ? 32u       \
   : (((bytes) - 64u) / (slot)) >= 16u ? 16u : (((bytes) - 64u) / (slot)) >= 8u ? 8u         \
   : (((bytes) - 64u) / (slot)) >= 4u ? 4u : (((bytes) - 64u) / (slot)) >= 2u ? 2u : 1u)

/** True when a producer moving its index from \p old_ to \p new_ must notify a consumer that
 * asked for an event at \p event (all unsigned 32-bit; the rule of Xen's
 * `RING_PUSH_REQUESTS_AND_CHECK_NOTIFY`, used after a full barrier). */
#define XENABI_C_RING_NEED_NOTIFY(new_, old_, event)                                           \
  ((uint32_t)((uint32_t)(new_) - (uint32_t)(event)) < (uint32_t)((uint32_t)(new_) - (uint32_t)(old_)))

/* ---------------------------------------------------------------------------------------------
 * io/blkif.h, io/netif.h: block and network requests
 * ------------------------------------------------------------------------------------------- */
/** One granted page of a block request (Xen's `struct blkif_request_segment`). */
struct xenabi_blkif_request_segment {
  xenabi_grant_ref_t gref; /**< Grant of the data page. */
  uint8_t first_sect;      /**< First sector in the page (inclusive). */
  uint8_t last_sect;       /**< Last sector in the page (inclusive). */
};

/** A read or write request (Xen's `struct blkif_request`). */
struct xenabi_blkif_request {
  uint8_t operation;               /**< `XENABI_BLKIF_OP_*`. */
  uint8_t nr_segments;             /**< Segments used in `seg`. */
  xenabi_blkif_vdev_t handle;      /**< Virtual device. */
  uint64_t id;                     /**< Echoed in the response. */
  xenabi_blkif_sector_t sector_number; /**< Start sector. */
  struct xenabi_blkif_request_segment seg[11]; /**< The segments. */
};

/** A block response (Xen's `struct blkif_response`). */
struct xenabi_blkif_response {
  uint64_t id;       /**< From the request. */
  uint8_t operation; /**< From the request. */
  int16_t status;    /**< `XENABI_BLKIF_RSP_*`. */
};

/** A packet to transmit (Xen's `struct netif_tx_request`). */
struct xenabi_netif_tx_request {
  xenabi_grant_ref_t gref; /**< Grant of the page holding the data. */
  uint16_t offset;         /**< Offset of the data in the page. */
  uint16_t flags;          /**< `XENABI_NETTXF_*`. */
  uint16_t id;             /**< Echoed in the response. */
  uint16_t size;           /**< Packet size in bytes. */
};

/** Transmit response (Xen's `struct netif_tx_response`). */
struct xenabi_netif_tx_response {
  uint16_t id;    /**< From the request. */
  int16_t status; /**< `XENABI_NETIF_RSP_*`. */
};

/** A receive buffer (Xen's `struct netif_rx_request`). */
struct xenabi_netif_rx_request {
  uint16_t id;             /**< Echoed in the response. */
  uint16_t pad;            /**< Unused. */
  xenabi_grant_ref_t gref; /**< Grant of the buffer page. */
};

/** A received packet (Xen's `struct netif_rx_response`). */
struct xenabi_netif_rx_response {
  uint16_t id;     /**< From the request. */
  uint16_t offset; /**< Offset of the data in the page. */
  uint16_t flags;  /**< `XENABI_NETRXF_*`. */
  int16_t status;  /**< Size in bytes if >= 0, else `XENABI_NETIF_RSP_*`. */
};

/* Sizes Xen documents for the compiling width (the conformance test compares every field). */
/** \cond XENABI_INTERNAL */
#if defined(__x86_64__)
XENABI_C_ASSERT_(sizeof(struct xenabi_shared_info) == 3136, "shared_info is 3136 bytes");
XENABI_C_ASSERT_(sizeof(struct xenabi_start_info) == 1168, "start_info is 1168 bytes");
XENABI_C_ASSERT_(sizeof(struct xenabi_blkif_request) == 112, "blkif_request is 112 bytes");
#else
XENABI_C_ASSERT_(sizeof(struct xenabi_shared_info) == 2344, "shared_info is 2344 bytes");
XENABI_C_ASSERT_(sizeof(struct xenabi_start_info) == 1112, "start_info is 1112 bytes");
XENABI_C_ASSERT_(sizeof(struct xenabi_blkif_request) == 108, "blkif_request is 108 bytes");
#endif
XENABI_C_ASSERT_(sizeof(struct xenabi_vcpu_info) == 64, "vcpu_info is 64 bytes");
XENABI_C_ASSERT_(sizeof(struct xenabi_hvm_start_info) == 56, "hvm_start_info is 56 bytes");
XENABI_C_ASSERT_(sizeof(struct xenabi_c_sring_header) == 64, "ring header is 64 bytes");
/** \endcond */

/* ---------------------------------------------------------------------------------------------
 * Finding Xen and the hypercall page
 * ------------------------------------------------------------------------------------------- */
/** The hypercall page: 4096 bytes, page aligned, defined by the kernel (in its image, e.g.
 * `__attribute__((aligned(4096))) unsigned char xenabi_hypercall_page[4096];`) and filled by
 * Xen when its physical address is written to the MSR that CPUID leaf base+2 names. */
extern unsigned char xenabi_hypercall_page[4096];

/** Executes `cpuid` for \p leaf (subleaf 0); results in \p r: eax, ebx, ecx, edx. */
static inline void xenabi_cpuid(uint32_t leaf, uint32_t r[4]) {
  uint32_t a, b, c, d;
  __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0u));
  r[0] = a;
  r[1] = b;
  r[2] = c;
  r[3] = d;
}

/** The CPUID base of Xen's leaves (0x40000000 + n * 0x100 whose signature is "XenVMMXenVMM"
 * and that offers at least base+2), or 0 when not running on Xen. */
static inline uint32_t xenabi_xen_cpuid_base(void) {
  uint32_t base;
  for (base = 0x40000000u; base < 0x40010000u; base += 0x100u) {
    uint32_t r[4];
    xenabi_cpuid(base, r);
    /* "XenV" "MMXe" "nVMM" as little-endian words. */
    if (r[1] == 0x566e6558u && r[2] == 0x65584d4du && r[3] == 0x4d4d566eu && r[0] >= base + 2u)
      return base;
  }
  return 0;
}

/** Writes \p value to model-specific register \p msr. */
static inline void xenabi_wrmsr(uint32_t msr, uint64_t value) {
  __asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                       : "memory");
}

/** Asks Xen (found at CPUID \p base) to fill the hypercall page, whose guest-physical address
 * is \p page_paddr (the kernel knows its own load address). Returns 0, or -1 when Xen offers no
 * hypercall page. */
static inline int xenabi_init_hypercall_page(uint32_t base, uint64_t page_paddr) {
  uint32_t r[4];
  xenabi_cpuid(base + 2u, r);
  if (r[0] < 1u) return -1; /* eax: number of hypercall pages */
  xenabi_wrmsr(r[1], page_paddr); /* ebx: the MSR */
  return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Raw hypercalls through the page (0 to 5 arguments)
 * ------------------------------------------------------------------------------------------- */
/** \cond XENABI_INTERNAL */
#define XENABI_C_STUB_(op) ((void *)(xenabi_hypercall_page + (op) * 32u))
/** \endcond */

#if defined(__x86_64__)
/** Hypercall \p op with no argument; returns Xen's result (negative errno on failure). */
static inline long xenabi_hypercall0(unsigned int op) {
  long r;
  __asm__ __volatile__("call *%[stub]" : "=a"(r) : [stub] "r"(XENABI_C_STUB_(op)) : "memory");
  return r;
}
/** Hypercall \p op with one argument (`rdi`). */
static inline long xenabi_hypercall1(unsigned int op, unsigned long a1) {
  long r;
  __asm__ __volatile__("call *%[stub]" : "=a"(r), "+D"(a1) : [stub] "r"(XENABI_C_STUB_(op))
                       : "memory");
  return r;
}
/** Hypercall \p op with two arguments (`rdi rsi`). */
static inline long xenabi_hypercall2(unsigned int op, unsigned long a1, unsigned long a2) {
  long r;
  __asm__ __volatile__("call *%[stub]" : "=a"(r), "+D"(a1), "+S"(a2)
                       : [stub] "r"(XENABI_C_STUB_(op)) : "memory");
  return r;
}
/** Hypercall \p op with three arguments (`rdi rsi rdx`). */
static inline long xenabi_hypercall3(unsigned int op, unsigned long a1, unsigned long a2,
                                     unsigned long a3) {
  long r;
  __asm__ __volatile__("call *%[stub]" : "=a"(r), "+D"(a1), "+S"(a2), "+d"(a3)
                       : [stub] "r"(XENABI_C_STUB_(op)) : "memory");
  return r;
}
/** Hypercall \p op with four arguments (`rdi rsi rdx r10`). */
static inline long xenabi_hypercall4(unsigned int op, unsigned long a1, unsigned long a2,
                                     unsigned long a3, unsigned long a4) {
  long r;
  register unsigned long r10 __asm__("r10") = a4;
  __asm__ __volatile__("call *%[stub]" : "=a"(r), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10)
                       : [stub] "r"(XENABI_C_STUB_(op)) : "memory");
  return r;
}
/** Hypercall \p op with five arguments (`rdi rsi rdx r10 r8`). */
static inline long xenabi_hypercall5(unsigned int op, unsigned long a1, unsigned long a2,
                                     unsigned long a3, unsigned long a4, unsigned long a5) {
  long r;
  register unsigned long r10 __asm__("r10") = a4;
  register unsigned long r8 __asm__("r8") = a5;
  __asm__ __volatile__("call *%[stub]"
                       : "=a"(r), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                       : [stub] "r"(XENABI_C_STUB_(op)) : "memory");
  return r;
}
#else
/** Hypercall \p op with no argument; returns Xen's result (negative errno on failure). */
static inline long xenabi_hypercall0(unsigned int op) {
  long r;
  __asm__ __volatile__("call *%[stub]" : "=a"(r) : [stub] "r"(XENABI_C_STUB_(op)) : "memory");
  return r;
}
/** Hypercall \p op with one argument (`ebx`). */
static inline long xenabi_hypercall1(unsigned int op, unsigned long a1) {
  long r;
  __asm__ __volatile__("call *%[stub]" : "=a"(r), "+b"(a1) : [stub] "r"(XENABI_C_STUB_(op))
                       : "memory");
  return r;
}
/** Hypercall \p op with two arguments (`ebx ecx`). */
static inline long xenabi_hypercall2(unsigned int op, unsigned long a1, unsigned long a2) {
  long r;
  __asm__ __volatile__("call *%[stub]" : "=a"(r), "+b"(a1), "+c"(a2)
                       : [stub] "r"(XENABI_C_STUB_(op)) : "memory");
  return r;
}
/** Hypercall \p op with three arguments (`ebx ecx edx`). */
static inline long xenabi_hypercall3(unsigned int op, unsigned long a1, unsigned long a2,
                                     unsigned long a3) {
  long r;
  __asm__ __volatile__("call *%[stub]" : "=a"(r), "+b"(a1), "+c"(a2), "+d"(a3)
                       : [stub] "r"(XENABI_C_STUB_(op)) : "memory");
  return r;
}
/** Hypercall \p op with four arguments (`ebx ecx edx esi`). */
static inline long xenabi_hypercall4(unsigned int op, unsigned long a1, unsigned long a2,
                                     unsigned long a3, unsigned long a4) {
  long r;
  __asm__ __volatile__("call *%[stub]" : "=a"(r), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4)
                       : [stub] "D"(XENABI_C_STUB_(op)) : "memory");
  return r;
}
/** Hypercall \p op with five arguments (`ebx ecx edx esi edi`); the stub address goes through
 * the stack because every general register but ebp is taken. */
static inline long xenabi_hypercall5(unsigned int op, unsigned long a1, unsigned long a2,
                                     unsigned long a3, unsigned long a4, unsigned long a5) {
  long r;
  void *stub = XENABI_C_STUB_(op);
  __asm__ __volatile__("call *%[stub]"
                       : "=a"(r), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                       : [stub] "m"(stub) : "memory");
  return r;
}
#endif

/* ---------------------------------------------------------------------------------------------
 * Typed hypercalls (Xen's HYPERVISOR_* calls)
 * ------------------------------------------------------------------------------------------- */
/** console_io(\p cmd, \p count, \p buf): CONSOLEIO_write prints on Xen's console (honoured for a
 * domU only by debug Xen builds and by xenhv). */
static inline long xenabi_hypervisor_console_io(int cmd, unsigned int count, const char *buf) {
  return xenabi_hypercall3(XENABI_HYPERVISOR_console_io, (unsigned long)cmd, count,
                           (unsigned long)(uintptr_t)buf);
}
/** sched_op(\p cmd, \p arg): yield, block, shutdown (`struct xenabi_sched_shutdown`), poll. */
static inline long xenabi_hypervisor_sched_op(int cmd, void *arg) {
  return xenabi_hypercall2(XENABI_HYPERVISOR_sched_op, (unsigned long)cmd,
                           (unsigned long)(uintptr_t)arg);
}
/** event_channel_op(\p cmd, \p arg) with an `EVTCHNOP_*` and its `struct xenabi_evtchn_*`. */
static inline long xenabi_hypervisor_event_channel_op(int cmd, void *arg) {
  return xenabi_hypercall2(XENABI_HYPERVISOR_event_channel_op, (unsigned long)cmd,
                           (unsigned long)(uintptr_t)arg);
}
/** vcpu_op(\p cmd, \p vcpu, \p arg) with a `VCPUOP_*`. */
static inline long xenabi_hypervisor_vcpu_op(int cmd, unsigned int vcpu, void *arg) {
  return xenabi_hypercall3(XENABI_HYPERVISOR_vcpu_op, (unsigned long)cmd, vcpu,
                           (unsigned long)(uintptr_t)arg);
}
/** memory_op(\p cmd, \p arg) with a `XENMEM_*`. */
static inline long xenabi_hypervisor_memory_op(unsigned int cmd, void *arg) {
  return xenabi_hypercall2(XENABI_HYPERVISOR_memory_op, cmd, (unsigned long)(uintptr_t)arg);
}
/** hvm_op(\p cmd, \p arg) with an `HVMOP_*`. */
static inline long xenabi_hypervisor_hvm_op(int cmd, void *arg) {
  return xenabi_hypercall2(XENABI_HYPERVISOR_hvm_op, (unsigned long)cmd,
                           (unsigned long)(uintptr_t)arg);
}
/** grant_table_op(\p cmd, \p args, \p count) with a `GNTTABOP_*` and an array of its structs. */
static inline long xenabi_hypervisor_grant_table_op(unsigned int cmd, void *args,
                                                    unsigned int count) {
  return xenabi_hypercall3(XENABI_HYPERVISOR_grant_table_op, cmd,
                           (unsigned long)(uintptr_t)args, count);
}
/** xen_version(\p cmd, \p arg) with an `XENVER_*`; XENVER_version returns major << 16 | minor. */
static inline long xenabi_hypervisor_xen_version(int cmd, void *arg) {
  return xenabi_hypercall2(XENABI_HYPERVISOR_xen_version, (unsigned long)cmd,
                           (unsigned long)(uintptr_t)arg);
}
/** mmu_update(\p reqs, \p count, \p done, \p domid): a batch of page-table updates (PV). */
static inline long xenabi_hypervisor_mmu_update(struct xenabi_mmu_update *reqs,
                                                unsigned int count, unsigned int *done,
                                                xenabi_domid_t domid) {
  return xenabi_hypercall4(XENABI_HYPERVISOR_mmu_update, (unsigned long)(uintptr_t)reqs, count,
                           (unsigned long)(uintptr_t)done, domid);
}
/** multicall(\p calls, \p count): runs a batch of hypercalls. */
static inline long xenabi_hypervisor_multicall(struct xenabi_multicall_entry *calls,
                                               unsigned int count) {
  return xenabi_hypercall2(XENABI_HYPERVISOR_multicall, (unsigned long)(uintptr_t)calls, count);
}
/** set_timer_op(\p timeout): one-shot timer at absolute system time \p timeout (ns), 0 cancels;
 * expiry raises VIRQ_TIMER. On i386 the 64-bit value is passed as two words (low, high). */
static inline long xenabi_hypervisor_set_timer_op(uint64_t timeout) {
#if defined(__x86_64__)
  return xenabi_hypercall1(XENABI_HYPERVISOR_set_timer_op, timeout);
#else
  return xenabi_hypercall2(XENABI_HYPERVISOR_set_timer_op, (unsigned long)timeout,
                           (unsigned long)(timeout >> 32));
#endif
}

/* ---------------------------------------------------------------------------------------------
 * Small helpers every port writes
 * ------------------------------------------------------------------------------------------- */
/** HVMOP_get_param for this domain: stores the value of `XENABI_HVM_PARAM_*` \p index in
 * \p value; returns 0 or a negative Xen errno. */
static inline long xenabi_hvm_get_param(uint32_t index, uint64_t *value) {
  struct xenabi_xen_hvm_param p;
  long rc;
  p.domid = XENABI_DOMID_SELF;
  p.pad = 0;
  p.index = index;
  p.value = 0;
  rc = xenabi_hypervisor_hvm_op(XENABI_HVMOP_get_param, &p);
  if (rc == 0) *value = p.value;
  return rc;
}
/** HVMOP_set_param for this domain. */
static inline long xenabi_hvm_set_param(uint32_t index, uint64_t value) {
  struct xenabi_xen_hvm_param p;
  p.domid = XENABI_DOMID_SELF;
  p.pad = 0;
  p.index = index;
  p.value = value;
  return xenabi_hypervisor_hvm_op(XENABI_HVMOP_set_param, &p);
}
/** EVTCHNOP_send on \p port. */
static inline long xenabi_evtchn_notify(xenabi_evtchn_port_t port) {
  struct xenabi_evtchn_send s;
  s.port = port;
  return xenabi_hypervisor_event_channel_op(XENABI_EVTCHNOP_send, &s);
}
/** SCHEDOP_shutdown with a `XENABI_SHUTDOWN_*` \p reason (does not return on success). */
static inline long xenabi_shutdown(unsigned int reason) {
  struct xenabi_sched_shutdown s;
  s.reason = reason;
  return xenabi_hypervisor_sched_op(XENABI_SCHEDOP_shutdown, &s);
}
/** Maps the shared-info page at guest frame \p gpfn (XENMEM_add_to_physmap,
 * XENMAPSPACE_shared_info), as PVH and HVM guests do. */
static inline long xenabi_map_shared_info(xenabi_xen_pfn_t gpfn) {
  struct xenabi_xen_add_to_physmap a;
  a.domid = XENABI_DOMID_SELF;
  a.size = 0;
  a.space = XENABI_XENMAPSPACE_shared_info;
  a.idx = 0;
  a.gpfn = gpfn;
  return xenabi_hypervisor_memory_op(XENABI_XENMEM_add_to_physmap, &a);
}
/** System time in ns from \p t and a TSC reading \p tsc (call under the version seqlock:
 * read version, fence, read fields, fence, re-read version; retry if odd or changed). */
static inline uint64_t xenabi_pvclock_ns(const struct xenabi_vcpu_time_info *t, uint64_t tsc) {
  uint64_t delta = tsc - t->tsc_timestamp;
  uint64_t lo, hi;
  if (t->tsc_shift >= 0)
    delta <<= t->tsc_shift;
  else
    delta >>= -t->tsc_shift;
  /* (delta * mul) >> 32 without a 128-bit type: split delta into 32-bit halves. */
  lo = ((delta & 0xffffffffu) * t->tsc_to_system_mul) >> 32;
  hi = (delta >> 32) * t->tsc_to_system_mul;
  return t->system_time + hi + lo;
}

/** Emits the PVH entry note (`XEN_ELFNOTE_PHYS32_ENTRY`, name "Xen", type 18) pointing at the
 * 32-bit entry symbol \p entry; use once, at file scope, in the kernel. */
#define XENABI_PVH_ENTRY_NOTE(entry)                                                          \
  __asm__(".pushsection .note.Xen, \"a\", @note\n"                                            \
          ".balign 4\n.long 4\n.long 4\n.long 18\n.asciz \"Xen\"\n.balign 4\n"              \
          ".long " #entry "\n.balign 4\n.popsection\n")

#endif /* XENABI_C_XENABI_H */
