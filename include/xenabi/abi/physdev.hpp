/// \file
/// Physical-device operations (Xen's `physdev.h`), the parts guests use: the `PHYSDEVOP_*`
/// sub-operations of HYPERVISOR_physdev_op for IRQ end-of-interrupt and status, I/O privilege
/// (PV), mapping physical IRQs and MSIs to PIRQs (HVM PIRQs, dom0), and the PCI device
/// notifications a dom0 sends.
///
/// Structures with `xen_pfn_t`, `unsigned long` or a guest handle, or a 64-bit field that i386
/// places differently, are width templates (`abi::x86_64::physdev_map_pirq`, ...).
#pragma once

#include <xenabi/abi/width.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// HYPERVISOR_physdev_op sub-operations (Xen's `PHYSDEVOP_*`).
enum class PHYSDEVOP : u32 {
  IRQ_UNMASK_NOTIFY = 4,    ///< Old: notify Xen that an IRQ was unmasked.
  irq_status_query = 5,     ///< IRQ status (physdev_irq_status_query).
  set_iopl = 6,             ///< PV: set I/O privilege level (physdev_set_iopl).
  set_iobitmap = 7,         ///< PV: set the I/O bitmap (physdev_set_iobitmap).
  apic_read = 8,            ///< Read an IO-APIC register (physdev_apic, dom0).
  apic_write = 9,           ///< Write an IO-APIC register (physdev_apic, dom0).
  alloc_irq_vector = 10,    ///< Allocate a vector (physdev_irq, dom0).
  free_irq_vector = 11,     ///< Free it (physdev_irq, dom0).
  eoi = 12,                 ///< End of interrupt for a PIRQ (physdev_eoi).
  map_pirq = 13,            ///< Map a GSI/MSI to a PIRQ (physdev_map_pirq).
  unmap_pirq = 14,          ///< Unmap it (physdev_unmap_pirq).
  manage_pci_add = 15,      ///< dom0: PCI device added (physdev_manage_pci).
  manage_pci_remove = 16,   ///< dom0: PCI device removed (physdev_manage_pci).
  pirq_eoi_gmfn_v1 = 17,    ///< Register the PIRQ EOI bitmap page (old semantics).
  restore_msi = 19,         ///< dom0: restore MSI state (physdev_restore_msi).
  manage_pci_add_ext = 20,  ///< dom0: PCI device added, extended (physdev_manage_pci_ext).
  setup_gsi = 21,           ///< dom0: GSI trigger/polarity (physdev_setup_gsi).
  get_free_pirq = 23,       ///< Allocate a PIRQ (physdev_get_free_pirq).
  pci_mmcfg_reserved = 24,  ///< dom0: MMCFG area reserved (physdev_pci_mmcfg_reserved).
  pci_device_add = 25,      ///< dom0: PCI device added (physdev_pci_device_add).
  pci_device_remove = 26,   ///< dom0: PCI device removed (physdev_pci_device).
  restore_msi_ext = 27,     ///< dom0: restore MSI state (physdev_pci_device).
  pirq_eoi_gmfn_v2 = 28,    ///< Register the PIRQ EOI bitmap page (physdev_pirq_eoi_gmfn).
  dbgp_op = 29,             ///< dom0: USB debug port (physdev_dbgp_op).
  prepare_msix = 30,        ///< dom0: prepare MSI-X (physdev_pci_device).
  release_msix = 31,        ///< dom0: release MSI-X (physdev_pci_device).
  pirq_eoi_gmfn = 28,       ///< `PHYSDEVOP_pirq_eoi_gmfn`: the current (v2) version.
};
XENABI_CONSTANTS(PHYSDEVOP, PHYSDEVOP_, IRQ_UNMASK_NOTIFY, irq_status_query, set_iopl,
                 set_iobitmap, apic_read, apic_write, alloc_irq_vector, free_irq_vector, eoi,
                 map_pirq, unmap_pirq, manage_pci_add, manage_pci_remove, pirq_eoi_gmfn_v1,
                 restore_msi, manage_pci_add_ext, setup_gsi, get_free_pirq, pci_mmcfg_reserved,
                 pci_device_add, pci_device_remove, restore_msi_ext, pirq_eoi_gmfn_v2, dbgp_op,
                 prepare_msix, release_msix, pirq_eoi_gmfn)

/// physdev_irq_status_query::flags (Xen's `XENIRQSTAT_*`).
namespace XENIRQSTAT {
inline constexpr u32 needs_eoi = 1u << 0;  ///< `XENIRQSTAT_needs_eoi`: PHYSDEVOP_eoi required.
inline constexpr u32 shared = 1u << 1;     ///< `XENIRQSTAT_shared`: the IRQ is shared.
}  // namespace XENIRQSTAT
XENABI_CONSTANTS(XENIRQSTAT, XENIRQSTAT_, needs_eoi, shared)

/// physdev_map_pirq::type (Xen's `MAP_PIRQ_TYPE_*`).
enum class MAP_PIRQ_TYPE : s32 {
  MSI = 0x0,        ///< An MSI.
  GSI = 0x1,        ///< A GSI.
  UNKNOWN = 0x2,    ///< Unknown.
  MSI_SEG = 0x3,    ///< An MSI with a PCI segment in the bus field.
  MULTI_MSI = 0x4,  ///< Several MSI vectors.
};
XENABI_CONSTANTS(MAP_PIRQ_TYPE, MAP_PIRQ_TYPE_, MSI, GSI, UNKNOWN, MSI_SEG, MULTI_MSI)

/// physdev_pci_mmcfg_reserved::flags (Xen's `XEN_PCI_MMCFG_*`).
namespace XEN_PCI_MMCFG {
inline constexpr u32 RESERVED = 0x1;  ///< `XEN_PCI_MMCFG_RESERVED`.
}  // namespace XEN_PCI_MMCFG
XENABI_CONSTANTS(XEN_PCI_MMCFG, XEN_PCI_MMCFG_, RESERVED)

/// physdev_pci_device_add::flags (Xen's `XEN_PCI_DEV_*`).
namespace XEN_PCI_DEV {
inline constexpr u32 EXTFN = 0x1;   ///< `XEN_PCI_DEV_EXTFN`: extended function.
inline constexpr u32 VIRTFN = 0x2;  ///< `XEN_PCI_DEV_VIRTFN`: SR-IOV virtual function.
inline constexpr u32 PXM = 0x4;     ///< `XEN_PCI_DEV_PXM`: optarr[0] is a proximity domain.
}  // namespace XEN_PCI_DEV
XENABI_CONSTANTS(XEN_PCI_DEV, XEN_PCI_DEV_, EXTFN, VIRTFN, PXM)

/// physdev_dbgp_op::op values (Xen's `PHYSDEVOP_DBGP_RESET_*`).
namespace PHYSDEVOP_DBGP_RESET {
inline constexpr u8 PREPARE = 1;  ///< `PHYSDEVOP_DBGP_RESET_PREPARE`.
inline constexpr u8 DONE = 2;     ///< `PHYSDEVOP_DBGP_RESET_DONE`.
}  // namespace PHYSDEVOP_DBGP_RESET
XENABI_CONSTANTS(PHYSDEVOP_DBGP_RESET, PHYSDEVOP_DBGP_RESET_, PREPARE, DONE)

/// physdev_dbgp_op::bus values (Xen's `PHYSDEVOP_DBGP_BUS_*`).
namespace PHYSDEVOP_DBGP_BUS {
inline constexpr u8 UNKNOWN = 0;  ///< `PHYSDEVOP_DBGP_BUS_UNKNOWN`.
inline constexpr u8 PCI = 1;      ///< `PHYSDEVOP_DBGP_BUS_PCI`.
}  // namespace PHYSDEVOP_DBGP_BUS
XENABI_CONSTANTS(PHYSDEVOP_DBGP_BUS, PHYSDEVOP_DBGP_BUS_, UNKNOWN, PCI)

/// PHYSDEVOP_eoi argument.
struct physdev_eoi {
  u32 irq;  ///< IN: the PIRQ.
};
XENABI_LAYOUT(physdev_eoi, 4, irq, 0);

/// PHYSDEVOP_irq_status_query argument.
struct physdev_irq_status_query {
  u32 irq;    ///< IN: the IRQ.
  u32 flags;  ///< OUT: `XENIRQSTAT_*`.
};
XENABI_LAYOUT(physdev_irq_status_query, 8, irq, 0, flags, 4);

/// PHYSDEVOP_set_iopl argument.
struct physdev_set_iopl {
  u32 iopl;  ///< IN: the I/O privilege level (0-3).
};
XENABI_LAYOUT(physdev_set_iopl, 4, iopl, 0);

/// PHYSDEVOP_alloc_irq_vector / PHYSDEVOP_free_irq_vector argument.
struct physdev_irq {
  u32 irq;     ///< IN: the IRQ.
  u32 vector;  ///< IN/OUT: the vector.
};
XENABI_LAYOUT(physdev_irq, 8, irq, 0, vector, 4);

/// PHYSDEVOP_unmap_pirq argument.
struct physdev_unmap_pirq {
  domid_t domid;  ///< IN: the domain.
  s32 pirq;       ///< IN: the PIRQ.
};
XENABI_LAYOUT(physdev_unmap_pirq, 8, domid, 0, pirq, 4);

/// PHYSDEVOP_manage_pci_add / _remove argument.
struct physdev_manage_pci {
  u8 bus;    ///< IN: PCI bus.
  u8 devfn;  ///< IN: device and function.
};
XENABI_LAYOUT(physdev_manage_pci, 2, bus, 0, devfn, 1);

/// PHYSDEVOP_restore_msi argument.
struct physdev_restore_msi {
  u8 bus;    ///< IN: PCI bus.
  u8 devfn;  ///< IN: device and function.
};
XENABI_LAYOUT(physdev_restore_msi, 2, bus, 0, devfn, 1);

/// PHYSDEVOP_manage_pci_add_ext argument.
struct physdev_manage_pci_ext {
  u8 bus;         ///< IN: PCI bus.
  u8 devfn;       ///< IN: device and function.
  u32 is_extfn;   ///< IN: an extended function.
  u32 is_virtfn;  ///< IN: an SR-IOV virtual function.
  /// IN: the physical function of a virtual function.
  struct {
    u8 bus;    ///< Its bus.
    u8 devfn;  ///< Its device and function.
  } physfn;
};
XENABI_LAYOUT(physdev_manage_pci_ext, 16, bus, 0, devfn, 1, is_extfn, 4, is_virtfn, 8, physfn, 12,
              physfn.bus, 12, physfn.devfn, 13);

/// PHYSDEVOP_setup_gsi argument.
struct physdev_setup_gsi {
  s32 gsi;        ///< IN: the GSI.
  u8 triggering;  ///< IN: 0 edge, 1 level.
  u8 polarity;    ///< IN: 0 high, 1 low.
};
XENABI_LAYOUT(physdev_setup_gsi, 8, gsi, 0, triggering, 4, polarity, 5);

/// PHYSDEVOP_get_free_pirq argument.
struct physdev_get_free_pirq {
  s32 type;  ///< IN: a `MAP_PIRQ_TYPE_*`.
  u32 pirq;  ///< OUT: the PIRQ.
};
XENABI_LAYOUT(physdev_get_free_pirq, 8, type, 0, pirq, 4);

/// PHYSDEVOP_pci_mmcfg_reserved argument.
struct physdev_pci_mmcfg_reserved {
  u64 address;   ///< IN: MMCFG base.
  u16 segment;   ///< IN: PCI segment.
  u8 start_bus;  ///< IN: first bus.
  u8 end_bus;    ///< IN: last bus.
  u32 flags;     ///< IN: `XEN_PCI_MMCFG_*`.
};
XENABI_LAYOUT(physdev_pci_mmcfg_reserved, 16, address, 0, segment, 8, start_bus, 10, end_bus, 11,
              flags, 12);

/// PHYSDEVOP_pci_device_add argument: the header; `optarr` words follow it (Xen's flexible
/// array member, which C++ cannot declare; use optarr()).
struct physdev_pci_device_add {
  u16 seg;    ///< IN: PCI segment.
  u8 bus;     ///< IN: bus.
  u8 devfn;   ///< IN: device and function.
  u32 flags;  ///< IN: `XEN_PCI_DEV_*`.
  /// IN: the physical function of a virtual function.
  struct {
    u8 bus;    ///< Its bus.
    u8 devfn;  ///< Its device and function.
  } physfn;
  /// The optional words after the header (Xen's `optarr`; [0] is the PXM with XEN_PCI_DEV_PXM).
  [[nodiscard]] u32* optarr() noexcept { return reinterpret_cast<u32*>(this + 1); }
};
XENABI_LAYOUT(physdev_pci_device_add, 12, seg, 0, bus, 2, devfn, 3, flags, 4, physfn, 8,
              physfn.bus, 8, physfn.devfn, 9);

/// PHYSDEVOP_pci_device_remove / restore_msi_ext / prepare_msix / release_msix argument.
struct physdev_pci_device {
  u16 seg;   ///< IN: PCI segment.
  u8 bus;    ///< IN: bus.
  u8 devfn;  ///< IN: device and function.
};
XENABI_LAYOUT(physdev_pci_device, 4, seg, 0, bus, 2, devfn, 3);

/// PHYSDEVOP_dbgp_op argument.
struct physdev_dbgp_op {
  u8 op;   ///< IN: `PHYSDEVOP_DBGP_RESET_*`.
  u8 bus;  ///< IN: `PHYSDEVOP_DBGP_BUS_*`.
  /// IN: the device.
  union {
    physdev_pci_device pci;  ///< PHYSDEVOP_DBGP_BUS_PCI.
  } u;
};
XENABI_LAYOUT(physdev_dbgp_op, 6, op, 0, bus, 1, u, 2, u.pci, 2);

namespace tmpl {

/// PHYSDEVOP_pirq_eoi_gmfn_v1/v2 argument for width \p W.
template <class W>
struct physdev_pirq_eoi_gmfn {
  typename W::xen_pfn_t gmfn;  ///< IN: frame of the EOI bitmap page.
};

/// PHYSDEVOP_set_iobitmap argument for width \p W.
template <class W>
struct physdev_set_iobitmap {
  guest_handle<u8, W> bitmap;  ///< IN: the I/O bitmap.
  u32 nr_ports;                ///< IN: ports it covers.
};

/// PHYSDEVOP_apic_read / apic_write argument for width \p W.
template <class W>
struct physdev_apic {
  typename W::ulong apic_physbase;  ///< IN: the IO-APIC's physical base.
  u32 reg;                          ///< IN: register.
  u32 value;                        ///< IN (write) / OUT (read): value.
};

/// PHYSDEVOP_map_pirq argument for width \p W.
template <class W>
struct physdev_map_pirq {
  domid_t domid;  ///< IN: the domain.
  s32 type;       ///< IN: a `MAP_PIRQ_TYPE_*`.
  s32 index;      ///< IN: GSI, or MSI index.
  s32 pirq;       ///< IN/OUT: the PIRQ (-1: allocate).
  s32 bus;        ///< IN: PCI bus (MSI), or segment << 16 | bus (MSI_SEG).
  s32 devfn;      ///< IN: device and function (MSI).
  s32 entry_nr;   ///< IN/OUT: MSI-X entry, or vectors (MULTI_MSI).
  typename W::uint64 table_base;  ///< IN: MSI-X table base.
};

/// The argument of the old HYPERVISOR_physdev_op_compat (Xen's `struct physdev_op`) for
/// width \p W.
template <class W>
struct physdev_op {
  u32 cmd;  ///< A `PHYSDEVOP_*`.
  /// The sub-operation's argument.
  union {
    physdev_irq_status_query irq_status_query;  ///< PHYSDEVOP_irq_status_query.
    physdev_set_iopl set_iopl;                  ///< PHYSDEVOP_set_iopl.
    physdev_set_iobitmap<W> set_iobitmap;       ///< PHYSDEVOP_set_iobitmap.
    physdev_apic<W> apic_op;                    ///< PHYSDEVOP_apic_read/write.
    physdev_irq irq_op;                         ///< PHYSDEVOP_alloc/free_irq_vector.
  } u;
};

}  // namespace tmpl

namespace x86_64 {
using physdev_pirq_eoi_gmfn = tmpl::physdev_pirq_eoi_gmfn<width64>;  ///< 64-bit layout.
using physdev_set_iobitmap = tmpl::physdev_set_iobitmap<width64>;    ///< 64-bit layout.
using physdev_apic = tmpl::physdev_apic<width64>;                    ///< 64-bit layout.
using physdev_map_pirq = tmpl::physdev_map_pirq<width64>;            ///< 64-bit layout.
using physdev_op = tmpl::physdev_op<width64>;                        ///< 64-bit layout.
}  // namespace x86_64
namespace x86_32 {
using physdev_pirq_eoi_gmfn = tmpl::physdev_pirq_eoi_gmfn<width32>;  ///< 32-bit layout.
using physdev_set_iobitmap = tmpl::physdev_set_iobitmap<width32>;    ///< 32-bit layout.
using physdev_apic = tmpl::physdev_apic<width32>;                    ///< 32-bit layout.
using physdev_map_pirq = tmpl::physdev_map_pirq<width32>;            ///< 32-bit layout.
using physdev_op = tmpl::physdev_op<width32>;                        ///< 32-bit layout.
}  // namespace x86_32

XENABI_LAYOUT_W(x86_64, physdev_pirq_eoi_gmfn, 8, gmfn, 0);
XENABI_LAYOUT_W(x86_32, physdev_pirq_eoi_gmfn, 4, gmfn, 0);
XENABI_LAYOUT_W(x86_64, physdev_set_iobitmap, 16, bitmap, 0, nr_ports, 8);
XENABI_LAYOUT_W(x86_32, physdev_set_iobitmap, 8, bitmap, 0, nr_ports, 4);
XENABI_LAYOUT_W(x86_64, physdev_apic, 16, apic_physbase, 0, reg, 8, value, 12);
XENABI_LAYOUT_W(x86_32, physdev_apic, 12, apic_physbase, 0, reg, 4, value, 8);
XENABI_LAYOUT_W(x86_64, physdev_map_pirq, 40, domid, 0, type, 4, index, 8, pirq, 12, bus, 16,
                devfn, 20, entry_nr, 24, table_base, 32);
XENABI_LAYOUT_W(x86_32, physdev_map_pirq, 36, domid, 0, type, 4, index, 8, pirq, 12, bus, 16,
                devfn, 20, entry_nr, 24, table_base, 28);
XENABI_LAYOUT_W(x86_64, physdev_op, 24, cmd, 0, u, 8, u.irq_status_query, 8, u.set_iopl, 8,
                u.set_iobitmap, 8, u.apic_op, 8, u.irq_op, 8);
XENABI_LAYOUT_W(x86_32, physdev_op, 16, cmd, 0, u, 4, u.irq_status_query, 4, u.set_iopl, 4,
                u.set_iobitmap, 4, u.apic_op, 4, u.irq_op, 4);

/// The compiling target's `struct physdev_pirq_eoi_gmfn`.
using physdev_pirq_eoi_gmfn = native::physdev_pirq_eoi_gmfn;
/// The compiling target's `struct physdev_set_iobitmap`.
using physdev_set_iobitmap = native::physdev_set_iobitmap;
/// The compiling target's `struct physdev_apic`.
using physdev_apic = native::physdev_apic;
/// The compiling target's `struct physdev_map_pirq`.
using physdev_map_pirq = native::physdev_map_pirq;
/// The compiling target's `struct physdev_op`.
using physdev_op = native::physdev_op;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
