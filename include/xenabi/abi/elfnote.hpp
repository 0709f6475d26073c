/// \file
/// Xen ELF notes (Xen's `elfnote.h`): the note types a guest kernel image carries in notes
/// named "Xen" to tell the domain builder how to load it — for PVH, XEN_ELFNOTE_PHYS32_ENTRY
/// (the 32-bit physical entry point) — and xen_elfnote<Desc>, the layout of one such note.
#pragma once

#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Note types (Xen's `XEN_ELFNOTE_*`), in notes whose name is "Xen".
enum class XEN_ELFNOTE : u32 {
  INFO = 0,                        ///< Not used.
  ENTRY = 1,                       ///< PV: virtual entry point.
  HYPERCALL_PAGE = 2,              ///< PV: virtual address of the hypercall page.
  VIRT_BASE = 3,                   ///< PV: virtual base of the image.
  PADDR_OFFSET = 4,                ///< PV: physical-to-virtual offset.
  XEN_VERSION = 5,                 ///< "xen-3.0".
  GUEST_OS = 6,                    ///< Guest OS name (string).
  GUEST_VERSION = 7,               ///< Guest OS version (string).
  LOADER = 8,                      ///< "generic".
  PAE_MODE = 9,                    ///< "yes", "no", "bimodal".
  FEATURES = 10,                   ///< Required/optional features (string).
  BSD_SYMTAB = 11,                 ///< Load the BSD symbol table.
  HV_START_LOW = 12,               ///< i386 PV: lowest hypervisor start accepted.
  L1_MFN_VALID = 13,               ///< PV: mask/value pairs for valid L1 MFNs.
  SUSPEND_CANCEL = 14,             ///< Supports suspend cancellation.
  INIT_P2M = 15,                   ///< PV: virtual address of the initial p2m.
  MOD_START_PFN = 16,              ///< PV: mod_start may be a PFN.
  SUPPORTED_FEATURES = 17,         ///< Bitmap of supported XENFEAT_*.
  PHYS32_ENTRY = 18,               ///< PVH: 32-bit physical entry point.
  MAX = 18,                        ///< Highest defined type (XEN_ELFNOTE_PHYS32_ENTRY).
  CRASH_INFO = 0x1000001,          ///< Crash dumps: information.
  CRASH_REGS = 0x1000002,          ///< Crash dumps: registers.
  DUMPCORE_NONE = 0x2000000,       ///< xc_core: none.
  DUMPCORE_HEADER = 0x2000001,     ///< xc_core: header.
  DUMPCORE_XEN_VERSION = 0x2000002,     ///< xc_core: Xen version.
  DUMPCORE_FORMAT_VERSION = 0x2000003,  ///< xc_core: format version.
};
XENABI_CONSTANTS(XEN_ELFNOTE, XEN_ELFNOTE_, INFO, ENTRY, HYPERCALL_PAGE, VIRT_BASE, PADDR_OFFSET,
                 XEN_VERSION, GUEST_OS, GUEST_VERSION, LOADER, PAE_MODE, FEATURES, BSD_SYMTAB,
                 HV_START_LOW, L1_MFN_VALID, SUSPEND_CANCEL, INIT_P2M, MOD_START_PFN,
                 SUPPORTED_FEATURES, PHYS32_ENTRY, MAX, CRASH_INFO, CRASH_REGS, DUMPCORE_NONE,
                 DUMPCORE_HEADER, DUMPCORE_XEN_VERSION, DUMPCORE_FORMAT_VERSION)

/// One ELF note named "Xen" with a descriptor of type \p Desc (ELF's note layout: name and
/// descriptor sizes, type, the 4-byte name "Xen\0", the descriptor). Put one in a `.note.Xen`
/// section, e.g. `xen_elfnote<u32>{.type = XEN_ELFNOTE::PHYS32_ENTRY, .desc = entry}` for PVH.
/// \p Desc must be a multiple of 4 bytes in size (ELF note padding).
template <class Desc>
struct xen_elfnote {
  static_assert(sizeof(Desc) % 4 == 0, "ELF note descriptors are padded to 4 bytes");
  u32 namesz = 4;                      ///< Size of name ("Xen\0").
  u32 descsz = sizeof(Desc);           ///< Size of desc.
  XEN_ELFNOTE type{};                  ///< The note type.
  char name[4] = {'X', 'e', 'n', '\0'};  ///< "Xen".
  Desc desc{};                         ///< The descriptor.
};
XENABI_LAYOUT_LOCAL(xen_elfnote<u32>, 20, namesz, 0, descsz, 4, type, 8, name, 12, desc, 16);

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
