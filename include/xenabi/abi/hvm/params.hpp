/// \file
/// HVM parameters (Xen's `hvm/params.h`): the indices of HVMOP_set_param / HVMOP_get_param —
/// the event-callback route (HVM_PARAM_CALLBACK_IRQ), where xenstore and the console ring are
/// (HVM_PARAM_STORE_PFN/EVTCHN, HVM_PARAM_CONSOLE_PFN/EVTCHN) — and their value encodings.
#pragma once

#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// HVM parameter indices (Xen's `HVM_PARAM_*`, guest-visible ones).
enum class HVM_PARAM : u32 {
  CALLBACK_IRQ = 0,            ///< Event-callback route: type in bits 63:56 (HVM_PARAM_CALLBACK_TYPE_*).
  STORE_PFN = 1,               ///< Frame of the xenstore ring page.
  STORE_EVTCHN = 2,            ///< Event channel of the xenstore ring.
  IOREQ_PFN = 5,               ///< Device-model ioreq page.
  BUFIOREQ_PFN = 6,            ///< Device-model buffered ioreq page.
  VIRIDIAN = 9,                ///< Hyper-V enlightenments (`HVMPV_*` mask).
  TIMER_MODE = 10,             ///< Virtual timer mode (`HVMPTM_*`).
  HPET_ENABLED = 11,           ///< HPET present.
  IDENT_PT = 12,               ///< Identity page table for real mode (EPT).
  ACPI_S_STATE = 14,           ///< ACPI S state.
  VM86_TSS = 15,               ///< TSS for VM86 mode.
  VPT_ALIGN = 16,              ///< Align virtual timers.
  CONSOLE_PFN = 17,            ///< Frame of the console ring page.
  CONSOLE_EVTCHN = 18,         ///< Event channel of the console ring.
  ACPI_IOPORTS_LOCATION = 19,  ///< ACPI I/O port layout.
  PAGING_RING_PFN = 27,        ///< vm_event paging ring.
  MONITOR_RING_PFN = 28,       ///< vm_event monitor ring.
  SHARING_RING_PFN = 29,       ///< vm_event sharing ring.
  TRIPLE_FAULT_REASON = 31,    ///< SHUTDOWN_* reason on triple fault.
  IOREQ_SERVER_PFN = 32,       ///< First ioreq-server frame.
  NR_IOREQ_SERVER_PAGES = 33,  ///< Number of ioreq-server frames.
  VM_GENERATION_ID_ADDR = 34,  ///< VM generation id address.
  ALTP2M = 35,                 ///< altp2m mode (`XEN_ALTP2M_*`).
  X87_FIP_WIDTH = 36,          ///< x87 FIP/FDP width.
  VM86_TSS_SIZED = 37,         ///< VM86 TSS with size.
  MCA_CAP = 38,                ///< MCA capabilities (`XEN_HVM_MCA_CAP_*`).
};
XENABI_CONSTANTS(HVM_PARAM, HVM_PARAM_, CALLBACK_IRQ, STORE_PFN, STORE_EVTCHN, IOREQ_PFN,
                 BUFIOREQ_PFN, VIRIDIAN, TIMER_MODE, HPET_ENABLED, IDENT_PT, ACPI_S_STATE,
                 VM86_TSS, VPT_ALIGN, CONSOLE_PFN, CONSOLE_EVTCHN, ACPI_IOPORTS_LOCATION,
                 PAGING_RING_PFN, MONITOR_RING_PFN, SHARING_RING_PFN, TRIPLE_FAULT_REASON,
                 IOREQ_SERVER_PFN, NR_IOREQ_SERVER_PAGES, VM_GENERATION_ID_ADDR, ALTP2M,
                 X87_FIP_WIDTH, VM86_TSS_SIZED, MCA_CAP)

/// Lone `HVM_*` constants.
namespace HVM {
/// `HVM_NR_PARAMS`: number of HVM parameters.
inline constexpr u32 NR_PARAMS = 39;
}  // namespace HVM
XENABI_CONSTANTS(HVM, HVM_, NR_PARAMS)

/// The type field of an HVM_PARAM_CALLBACK_IRQ value (Xen's `HVM_PARAM_CALLBACK_IRQ_TYPE_MASK`).
namespace HVM_PARAM_CALLBACK_IRQ_TYPE {
/// `HVM_PARAM_CALLBACK_IRQ_TYPE_MASK`: bits 63:56.
inline constexpr u64 MASK = 0xFF00000000000000;
}  // namespace HVM_PARAM_CALLBACK_IRQ_TYPE
XENABI_CONSTANTS(HVM_PARAM_CALLBACK_IRQ_TYPE, HVM_PARAM_CALLBACK_IRQ_TYPE_, MASK)

/// HVM_PARAM_CALLBACK_IRQ types (Xen's `HVM_PARAM_CALLBACK_TYPE_*`), shifted left by 56 into
/// the value; the low bits hold the GSI, the PCI INTx, or the vector.
enum class HVM_PARAM_CALLBACK_TYPE : u64 {
  GSI = 0,       ///< Low bits: a GSI (0 disables).
  PCI_INTX = 1,  ///< Low bits: domain[47:32] bus[31:16] device[15:11] intx[1:0].
  VECTOR = 2,    ///< Low bits [7:0]: an IDT vector, injected directly (x86).
};
XENABI_CONSTANTS(HVM_PARAM_CALLBACK_TYPE, HVM_PARAM_CALLBACK_TYPE_, GSI, PCI_INTX, VECTOR)

/// HVM_PARAM_VIRIDIAN feature bits (Xen's `HVMPV_*`).
namespace HVMPV {
inline constexpr u32 base_freq = 1u << 0;               ///< `HVMPV_base_freq`.
inline constexpr u32 no_freq = 1u << 1;                 ///< `HVMPV_no_freq`.
inline constexpr u32 time_ref_count = 1u << 2;          ///< `HVMPV_time_ref_count`.
inline constexpr u32 reference_tsc = 1u << 3;           ///< `HVMPV_reference_tsc`.
inline constexpr u32 hcall_remote_tlb_flush = 1u << 4;  ///< `HVMPV_hcall_remote_tlb_flush`.
inline constexpr u32 apic_assist = 1u << 5;             ///< `HVMPV_apic_assist`.
inline constexpr u32 crash_ctl = 1u << 6;               ///< `HVMPV_crash_ctl`.
inline constexpr u32 synic = 1u << 7;                   ///< `HVMPV_synic`.
inline constexpr u32 stimer = 1u << 8;                  ///< `HVMPV_stimer`.
inline constexpr u32 hcall_ipi = 1u << 9;               ///< `HVMPV_hcall_ipi`.
inline constexpr u32 ex_processor_masks = 1u << 10;     ///< `HVMPV_ex_processor_masks`.
inline constexpr u32 no_vp_limit = 1u << 11;            ///< `HVMPV_no_vp_limit`.
inline constexpr u32 cpu_hotplug = 1u << 12;            ///< `HVMPV_cpu_hotplug`.
/// `HVMPV_feature_mask`: all of the above.
inline constexpr u32 feature_mask = (1u << 13) - 1;
}  // namespace HVMPV
XENABI_CONSTANTS(HVMPV, HVMPV_, base_freq, no_freq, time_ref_count, reference_tsc,
                 hcall_remote_tlb_flush, apic_assist, crash_ctl, synic, stimer, hcall_ipi,
                 ex_processor_masks, no_vp_limit, cpu_hotplug, feature_mask)

/// HVM_PARAM_TIMER_MODE values (Xen's `HVMPTM_*`).
enum class HVMPTM : u32 {
  delay_for_missed_ticks = 0,     ///< Deliver missed ticks late, in order.
  no_delay_for_missed_ticks = 1,  ///< Deliver missed ticks at once.
  no_missed_ticks_pending = 2,    ///< Drop missed ticks.
  one_missed_tick_pending = 3,    ///< Deliver one tick for all missed.
};
XENABI_CONSTANTS(HVMPTM, HVMPTM_, delay_for_missed_ticks, no_delay_for_missed_ticks,
                 no_missed_ticks_pending, one_missed_tick_pending)

/// HVM_PARAM_ALTP2M values (Xen's `XEN_ALTP2M_*`).
enum class XEN_ALTP2M : u32 {
  disabled = 0,  ///< No altp2m.
  mixed = 1,     ///< Guest and external control.
  external = 2,  ///< External control only.
  limited = 3,   ///< Guest may only switch views.
};
XENABI_CONSTANTS(XEN_ALTP2M, XEN_ALTP2M_, disabled, mixed, external, limited)

/// HVM_PARAM_MCA_CAP bits (Xen's `XEN_HVM_MCA_CAP_*`).
namespace XEN_HVM_MCA_CAP {
inline constexpr u64 LMCE = u64{1} << 0;  ///< `XEN_HVM_MCA_CAP_LMCE`: local MCE.
inline constexpr u64 MASK = LMCE;         ///< `XEN_HVM_MCA_CAP_MASK`.
}  // namespace XEN_HVM_MCA_CAP
XENABI_CONSTANTS(XEN_HVM_MCA_CAP, XEN_HVM_MCA_CAP_, LMCE, MASK)

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
