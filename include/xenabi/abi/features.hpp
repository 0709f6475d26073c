/// \file
/// Hypervisor feature flags (Xen's `features.h`): bit numbers in the submaps returned by
/// XENVER_get_features (xen_feature_info).
#pragma once

#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Feature bit numbers (Xen's `XENFEAT_*`), in submap 0.
enum class XENFEAT : u32 {
  writable_page_tables = 0,         ///< PV guest may write its page tables directly.
  writable_descriptor_tables = 1,   ///< PV guest may write its GDT/LDT directly.
  auto_translated_physmap = 2,      ///< Xen translates guest-physical addresses (HVM/PVH).
  supervisor_mode_kernel = 3,       ///< The guest kernel runs in ring 0.
  pae_pgdir_above_4gb = 4,          ///< PAE page directories may sit above 4 GB.
  mmu_pt_update_preserve_ad = 5,    ///< MMU_PT_UPDATE_PRESERVE_AD is available.
  highmem_assist = 6,               ///< Highmem assistance for i386 PV.
  gnttab_map_avail_bits = 7,        ///< Grant maps may set the PTE's available bits.
  hvm_callback_vector = 8,          ///< HVM_PARAM_CALLBACK_IRQ type 2 (vector) is available.
  hvm_safe_pvclock = 9,             ///< The PV clock is safe for HVM guests.
  hvm_pirqs = 10,                   ///< Physical IRQs arrive as event channels in HVM guests.
  dom0 = 11,                        ///< This is the initial domain.
  memory_op_vnode_supported = 13,   ///< XENMEMF_vnode is supported.
  ARM_SMCCC_supported = 14,         ///< ARM SMCCC 1.1 available.
  linux_rsdp_unrestricted = 15,     ///< The RSDP may be anywhere (PVH dom0).
  not_direct_mapped = 16,           ///< The domain is not 1:1 mapped (ARM).
  direct_mapped = 17,               ///< The domain is 1:1 mapped (ARM).
  NR_SUBMAPS = 1,                   ///< Number of 32-bit submaps.
};
XENABI_CONSTANTS(XENFEAT, XENFEAT_, writable_page_tables, writable_descriptor_tables,
                 auto_translated_physmap, supervisor_mode_kernel, pae_pgdir_above_4gb,
                 mmu_pt_update_preserve_ad, highmem_assist, gnttab_map_avail_bits,
                 hvm_callback_vector, hvm_safe_pvclock, hvm_pirqs, dom0,
                 memory_op_vnode_supported, ARM_SMCCC_supported, linux_rsdp_unrestricted,
                 not_direct_mapped, direct_mapped, NR_SUBMAPS)

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
