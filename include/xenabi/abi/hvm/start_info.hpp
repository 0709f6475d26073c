/// \file
/// The PVH start-of-day structure (Xen's `arch-x86/hvm/start_info.h`): a PVH kernel enters its
/// XEN_ELFNOTE_PHYS32_ENTRY point in 32-bit protected mode with paging off and %ebx holding the
/// physical address of an hvm_start_info, which points to the module list, the command line,
/// the ACPI RSDP and (version >= 1) the memory map.
///
/// Identical on x86_64 and i386 (all fields are fixed-width and naturally placed).
#pragma once

#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Lone `XEN_HVM_START_*` constants.
namespace XEN_HVM_START {
/// `XEN_HVM_START_MAGIC_VALUE`: hvm_start_info::magic ("xEn3" with the high bit of 'n' set).
inline constexpr u32 MAGIC_VALUE = 0x336ec578;
}  // namespace XEN_HVM_START
XENABI_CONSTANTS(XEN_HVM_START, XEN_HVM_START_, MAGIC_VALUE)

/// hvm_memmap_table_entry::type (Xen's `XEN_HVM_MEMMAP_TYPE_*`, the E820 types).
enum class XEN_HVM_MEMMAP_TYPE : u32 {
  RAM = 1,       ///< Usable RAM.
  RESERVED = 2,  ///< Reserved.
  ACPI = 3,      ///< ACPI reclaimable.
  NVS = 4,       ///< ACPI NVS.
  UNUSABLE = 5,  ///< Unusable (bad memory).
  DISABLED = 6,  ///< Disabled.
  PMEM = 7,      ///< Persistent memory.
};
XENABI_CONSTANTS(XEN_HVM_MEMMAP_TYPE, XEN_HVM_MEMMAP_TYPE_, RAM, RESERVED, ACPI, NVS, UNUSABLE,
                 DISABLED, PMEM)

/// The PVH start info (Xen's `struct hvm_start_info`), found at %ebx on entry.
struct hvm_start_info {
  u32 magic;           ///< XEN_HVM_START_MAGIC_VALUE.
  u32 version;         ///< 0, or 1 with the memory-map fields.
  u32 flags;           ///< SIF_* flags.
  u32 nr_modules;      ///< Entries in the module list.
  u64 modlist_paddr;   ///< Physical address of an array of hvm_modlist_entry.
  u64 cmdline_paddr;   ///< Physical address of the NUL-terminated command line.
  u64 rsdp_paddr;      ///< Physical address of the ACPI RSDP (0: search for it).
  u64 memmap_paddr;    ///< Version 1: physical address of an array of hvm_memmap_table_entry.
  u32 memmap_entries;  ///< Version 1: entries in the memory map.
  u32 reserved;        ///< Must be zero.
};
XENABI_LAYOUT(hvm_start_info, 56, magic, 0, version, 4, flags, 8, nr_modules, 12, modlist_paddr,
              16, cmdline_paddr, 24, rsdp_paddr, 32, memmap_paddr, 40, memmap_entries, 48,
              reserved, 52);

/// A module (initrd...) passed to a PVH kernel (Xen's `struct hvm_modlist_entry`).
struct hvm_modlist_entry {
  u64 paddr;          ///< Physical address of the module.
  u64 size;           ///< Its size in bytes.
  u64 cmdline_paddr;  ///< Physical address of its command line (0: none).
  u64 reserved;       ///< Must be zero.
};
XENABI_LAYOUT(hvm_modlist_entry, 32, paddr, 0, size, 8, cmdline_paddr, 16, reserved, 24);

/// A memory-map entry (Xen's `struct hvm_memmap_table_entry`, E820-like).
struct hvm_memmap_table_entry {
  u64 addr;      ///< Base physical address.
  u64 size;      ///< Length in bytes.
  u32 type;      ///< An `XEN_HVM_MEMMAP_TYPE_*`.
  u32 reserved;  ///< Must be zero.
};
XENABI_LAYOUT(hvm_memmap_table_entry, 24, addr, 0, size, 8, type, 16, reserved, 20);

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
