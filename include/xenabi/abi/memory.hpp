/// \file
/// Memory operations (Xen's `memory.h`): the `XENMEM_*` sub-operations of HYPERVISOR_memory_op
/// a guest uses — growing and shrinking its reservation, populating its physmap, mapping Xen
/// pages (shared_info, grant table) into its physical address space (XENMEM_add_to_physmap
/// with `XENMAPSPACE_*`), reading its memory map (E820) — and their argument structures.
///
/// Most structures hold guest handles or `xen_ulong_t`, so they are width templates:
/// `abi::x86_64::xen_add_to_physmap`, `abi::x86_32::xen_add_to_physmap`, native
/// `abi::xen_add_to_physmap`.
#pragma once

#include <xenabi/abi/width.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// HYPERVISOR_memory_op sub-operations (Xen's `XENMEM_*`, guest-visible ones).
enum class XENMEM : u32 {
  increase_reservation = 0,       ///< Allocate extents (xen_memory_reservation).
  decrease_reservation = 1,       ///< Release extents (xen_memory_reservation).
  maximum_ram_page = 2,           ///< Highest machine frame (no argument).
  current_reservation = 3,        ///< Pages allocated to a domain (domid_t).
  maximum_reservation = 4,        ///< Maximum pages of a domain (domid_t).
  machphys_mfn_list = 5,          ///< Frames of the M2P table (xen_machphys_mfn_list).
  populate_physmap = 6,           ///< Allocate and map at given gpfns (xen_memory_reservation).
  add_to_physmap = 7,             ///< Map a Xen page at a gpfn (xen_add_to_physmap).
  memory_map = 9,                 ///< This domain's E820 map (xen_memory_map).
  machine_memory_map = 10,        ///< The machine's E820 map (dom0; xen_memory_map).
  exchange = 11,                  ///< Exchange extents (xen_memory_exchange).
  machphys_mapping = 12,          ///< Where the M2P table is mapped (xen_machphys_mapping).
  set_memory_map = 13,            ///< Set a domain's E820 map (xen_foreign_memory_map).
  maximum_gpfn = 14,              ///< Highest gpfn of a domain (domid_t).
  remove_from_physmap = 15,       ///< Unmap a gpfn (xen_remove_from_physmap).
  set_pod_target = 16,            ///< Populate-on-demand target (xen_pod_target).
  get_pod_target = 17,            ///< Populate-on-demand state (xen_pod_target).
  add_to_physmap_batch = 23,      ///< Batched add_to_physmap (xen_add_to_physmap_batch).
  machphys_compat_mfn_list = 25,  ///< Frames of the compat M2P table.
  get_vnumainfo = 26,             ///< Virtual NUMA topology (xen_vnuma_topology_info).
  acquire_resource = 28,          ///< Map a resource's frames (xen_mem_acquire_resource).
};
XENABI_CONSTANTS(XENMEM, XENMEM_, increase_reservation, decrease_reservation, maximum_ram_page,
                 current_reservation, maximum_reservation, machphys_mfn_list, populate_physmap,
                 add_to_physmap, memory_map, machine_memory_map, exchange, machphys_mapping,
                 set_memory_map, maximum_gpfn, remove_from_physmap, set_pod_target,
                 get_pod_target, add_to_physmap_batch, machphys_compat_mfn_list, get_vnumainfo,
                 acquire_resource)

/// xen_memory_reservation::mem_flags (Xen's `XENMEMF_*`).
namespace XENMEMF {
inline constexpr u32 populate_on_demand = 1u << 16;  ///< `XENMEMF_populate_on_demand`.
inline constexpr u32 exact_node_request = 1u << 17;  ///< `XENMEMF_exact_node_request`.
inline constexpr u32 vnode = 1u << 18;               ///< `XENMEMF_vnode`: node is virtual.
/// `XENMEMF_address_bits(x)`: restrict to machine addresses below 2^x.
[[nodiscard]] constexpr u32 address_bits(u32 x) noexcept { return x; }
/// `XENMEMF_get_address_bits(x)`.
[[nodiscard]] constexpr u32 get_address_bits(u32 x) noexcept { return x & 0xffu; }
/// `XENMEMF_node(x)`: prefer NUMA node x.
[[nodiscard]] constexpr u32 node(u32 x) noexcept { return (x + 1) << 8; }
/// `XENMEMF_get_node(x)`.
[[nodiscard]] constexpr u32 get_node(u32 x) noexcept { return ((x >> 8) - 1) & 0xffu; }
/// `XENMEMF_exact_node(n)`: require NUMA node n.
[[nodiscard]] constexpr u32 exact_node(u32 n) noexcept { return node(n) | exact_node_request; }
}  // namespace XENMEMF
XENABI_CONSTANTS(XENMEMF, XENMEMF_, populate_on_demand, exact_node_request, vnode)

// GCC's -Wshadow counts a scoped enumerator named like a namespace-scope entity
// (`XENMAPSPACE::shared_info` vs `abi::shared_info`) as shadowing; the names are Xen's.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
/// What XENMEM_add_to_physmap maps (Xen's `XENMAPSPACE_*`).
enum class XENMAPSPACE : u32 {
  shared_info = 0,   ///< The shared_info page (idx 0).
  grant_table = 1,   ///< Grant-table frame idx (| XENMAPIDX_grant_table_status for status).
  gmfn = 2,          ///< Move the guest frame idx.
  gmfn_range = 3,    ///< Move `size` guest frames from idx (add_to_physmap only).
  gmfn_foreign = 4,  ///< A frame of another domain (add_to_physmap_batch).
  dev_mmio = 5,      ///< Device MMIO (ARM dom0).
};
#pragma GCC diagnostic pop
XENABI_CONSTANTS(XENMAPSPACE, XENMAPSPACE_, shared_info, grant_table, gmfn, gmfn_range,
                 gmfn_foreign, dev_mmio)

/// xen_add_to_physmap::idx flags (Xen's `XENMAPIDX_*`).
namespace XENMAPIDX {
/// `XENMAPIDX_grant_table_status`: map a grant-table v2 status frame.
inline constexpr u32 grant_table_status = 0x80000000;
}  // namespace XENMAPIDX
XENABI_CONSTANTS(XENMAPIDX, XENMAPIDX_, grant_table_status)

/// XENMEM_acquire_resource types (Xen's `XENMEM_resource_*`).
enum class XENMEM_resource : u16 {
  ioreq_server = 0,  ///< An ioreq server's pages.
  grant_table = 1,   ///< Grant-table frames.
  vmtrace_buf = 2,   ///< A vCPU's trace buffer.
};
XENABI_CONSTANTS(XENMEM_resource, XENMEM_resource_, ioreq_server, grant_table, vmtrace_buf)

/// XENMEM_resource_grant_table ids (Xen's `XENMEM_resource_grant_table_id_*`).
enum class XENMEM_resource_grant_table_id : u32 {
  shared = 0,  ///< Shared (entry) frames.
  status = 1,  ///< v2 status frames.
};
XENABI_CONSTANTS(XENMEM_resource_grant_table_id, XENMEM_resource_grant_table_id_, shared,
                 status)

/// XENMEM_resource_ioreq_server frames (Xen's `XENMEM_resource_ioreq_server_frame_*`).
namespace XENMEM_resource_ioreq_server_frame {
/// `XENMEM_resource_ioreq_server_frame_bufioreq`.
inline constexpr u64 bufioreq = 0;
/// `XENMEM_resource_ioreq_server_frame_ioreq(n)`.
[[nodiscard]] constexpr u64 ioreq(u64 n) noexcept { return 1 + n; }
}  // namespace XENMEM_resource_ioreq_server_frame
XENABI_CONSTANTS(XENMEM_resource_ioreq_server_frame, XENMEM_resource_ioreq_server_frame_,
                 bufioreq)

/// XENMEM_maximum_ram_page... argument naming a domain (Xen's `struct xen_memory_domain`).
struct xen_memory_domain {
  domid_t domid;  ///< IN: the domain.
};
XENABI_LAYOUT(xen_memory_domain, 2, domid, 0);

/// A virtual NUMA memory range (Xen's `struct xen_vmemrange`).
struct xen_vmemrange {
  u64 start;  ///< Start address.
  u64 end;    ///< End address.
  u32 flags;  ///< Flags.
  u32 nid;    ///< Virtual node.
};
XENABI_LAYOUT(xen_vmemrange, 24, start, 0, end, 8, flags, 16, nid, 20);

/// The foreign-domain field of xen_add_to_physmap_batch (Xen's
/// `union xen_add_to_physmap_batch_extra`).
union xen_add_to_physmap_batch_extra {
  domid_t foreign_domid;  ///< XENMAPSPACE_gmfn_foreign: the foreign domain.
  u16 res0;               ///< Other spaces: zero.
};
XENABI_LAYOUT_LOCAL(xen_add_to_physmap_batch_extra, 2, foreign_domid, 0, res0, 0);

/// One entry of the XENMEM_memory_map buffer: an E820 entry (20 bytes, unaligned 64-bit
/// fields, so split in 32-bit halves; not in Xen's public headers, which say "e820 entries").
struct e820entry {
  u32 addr_lo;  ///< Base address, low 32 bits.
  u32 addr_hi;  ///< Base address, high 32 bits.
  u32 size_lo;  ///< Length, low 32 bits.
  u32 size_hi;  ///< Length, high 32 bits.
  u32 type;     ///< E820 type (same values as XEN_HVM_MEMMAP_TYPE_*).
  /// The base address.
  [[nodiscard]] constexpr u64 addr() const noexcept { return (u64{addr_hi} << 32) | addr_lo; }
  /// The length.
  [[nodiscard]] constexpr u64 size() const noexcept { return (u64{size_hi} << 32) | size_lo; }
};
XENABI_LAYOUT_LOCAL(e820entry, 20, addr_lo, 0, addr_hi, 4, size_lo, 8, size_hi, 12, type, 16);

namespace tmpl {

/// XENMEM_increase/decrease_reservation, XENMEM_populate_physmap argument for width \p W.
template <class W>
struct xen_memory_reservation {
  /// IN/OUT: the extents' frames (gpfns to populate; OUT: allocated mfns for PV).
  guest_handle<typename W::pfn_element, W> extent_start;
  typename W::xen_ulong_t nr_extents;  ///< IN: number of extents.
  u32 extent_order;                    ///< IN: log2 pages per extent.
  u32 mem_flags;                       ///< IN: `XENMEMF_*`.
  domid_t domid;                       ///< IN: the domain (DOMID_SELF).
};

/// XENMEM_exchange argument for width \p W.
template <class W>
struct xen_memory_exchange {
  xen_memory_reservation<W> in;         ///< IN: extents to give up.
  xen_memory_reservation<W> out;        ///< IN/OUT: extents to receive.
  typename W::xen_ulong_t nr_exchanged; ///< OUT: input extents exchanged.
};

/// XENMEM_machphys_mfn_list argument for width \p W.
template <class W>
struct xen_machphys_mfn_list {
  u32 max_extents;                                      ///< IN: size of the list.
  guest_handle<typename W::pfn_element, W> extent_start;  ///< OUT: the M2P table's 2MB frames.
  u32 nr_extents;                                       ///< OUT: entries written.
};

/// XENMEM_machphys_mapping result for width \p W.
template <class W>
struct xen_machphys_mapping {
  typename W::xen_ulong_t v_start;  ///< Start of the M2P mapping.
  typename W::xen_ulong_t v_end;    ///< End of it.
  typename W::xen_ulong_t max_mfn;  ///< Highest mfn it covers.
};

/// XENMEM_add_to_physmap argument for width \p W.
template <class W>
struct xen_add_to_physmap {
  domid_t domid;                  ///< IN: the domain (DOMID_SELF).
  u16 size;                       ///< IN: number of frames (XENMAPSPACE_gmfn_range).
  u32 space;                      ///< IN: an `XENMAPSPACE_*`.
  typename W::xen_ulong_t idx;    ///< IN: index into the space.
  typename W::xen_pfn_t gpfn;     ///< IN: where to map it.
};

/// XENMEM_add_to_physmap_batch argument for width \p W.
template <class W>
struct xen_add_to_physmap_batch {
  domid_t domid;                                      ///< IN: the domain (DOMID_SELF).
  u16 space;                                          ///< IN: an `XENMAPSPACE_*`.
  u16 size;                                           ///< IN: number of entries.
  xen_add_to_physmap_batch_extra u;                   ///< IN: foreign domain or 0.
  guest_handle<typename W::ulong_element, W> idxs;      ///< IN: indices into the space.
  guest_handle<typename W::pfn_element, W> gpfns;       ///< IN: where to map each.
  guest_handle<s32, W> errs;                          ///< OUT: per-entry errno.
};

/// XENMEM_remove_from_physmap argument for width \p W.
template <class W>
struct xen_remove_from_physmap {
  domid_t domid;               ///< IN: the domain (DOMID_SELF).
  typename W::xen_pfn_t gpfn;  ///< IN: the frame to unmap.
};

/// XENMEM_memory_map / XENMEM_machine_memory_map argument for width \p W.
template <class W>
struct xen_memory_map {
  u32 nr_entries;                 ///< IN: buffer capacity; OUT: entries written.
  guest_handle<void, W> buffer;   ///< IN: buffer of e820entry.
};

/// XENMEM_set_memory_map argument for width \p W.
template <class W>
struct xen_foreign_memory_map {
  domid_t domid;          ///< IN: the domain.
  xen_memory_map<W> map;  ///< IN: its map.
};

/// XENMEM_set_pod_target / XENMEM_get_pod_target argument for width \p W.
template <class W>
struct xen_pod_target {
  typename W::uint64 target_pages;     ///< IN: target.
  typename W::uint64 tot_pages;        ///< OUT: pages allocated.
  typename W::uint64 pod_cache_pages;  ///< OUT: pages in the PoD cache.
  typename W::uint64 pod_entries;      ///< OUT: outstanding PoD entries.
  domid_t domid;                       ///< IN: the domain.
};

/// XENMEM_acquire_resource argument for width \p W.
template <class W>
struct xen_mem_acquire_resource {
  domid_t domid;           ///< IN: the domain.
  u16 type;                ///< IN: an `XENMEM_resource_*`.
  u32 id;                  ///< IN: resource id (e.g. XENMEM_resource_grant_table_id_*).
  u32 nr_frames;           ///< IN/OUT: number of frames.
  u32 pad;                 ///< Padding.
  typename W::uint64 frame;  ///< IN: first frame of the resource.
  guest_handle<typename W::pfn_element, W> frame_list;  ///< IN/OUT: gfns to map at / mfns.
};

/// XENMEM_get_vnumainfo argument for width \p W.
template <class W>
struct xen_vnuma_topology_info {
  domid_t domid;      ///< IN: the domain.
  u16 pad;            ///< Padding.
  u32 nr_vnodes;      ///< IN/OUT: virtual nodes.
  u32 nr_vcpus;       ///< IN/OUT: vCPUs.
  u32 nr_vmemranges;  ///< IN/OUT: memory ranges.
  /// OUT: nr_vnodes x nr_vnodes distances.
  union {
    guest_handle<u32, W> h;  ///< The handle.
    typename W::uint64 pad;  ///< Keeps the union 64-bit.
  } vdistance;
  /// OUT: the node of each vCPU.
  union {
    guest_handle<u32, W> h;  ///< The handle.
    typename W::uint64 pad;  ///< Keeps the union 64-bit.
  } vcpu_to_vnode;
  /// OUT: the memory ranges.
  union {
    guest_handle<xen_vmemrange, W> h;  ///< The handle.
    typename W::uint64 pad;            ///< Keeps the union 64-bit.
  } vmemrange;
};

}  // namespace tmpl

namespace x86_64 {
using xen_memory_reservation = tmpl::xen_memory_reservation<width64>;  ///< 64-bit layout.
using xen_memory_exchange = tmpl::xen_memory_exchange<width64>;        ///< 64-bit layout.
using xen_machphys_mfn_list = tmpl::xen_machphys_mfn_list<width64>;    ///< 64-bit layout.
using xen_machphys_mapping = tmpl::xen_machphys_mapping<width64>;      ///< 64-bit layout.
using xen_add_to_physmap = tmpl::xen_add_to_physmap<width64>;          ///< 64-bit layout.
using xen_add_to_physmap_batch = tmpl::xen_add_to_physmap_batch<width64>;  ///< 64-bit layout.
using xen_remove_from_physmap = tmpl::xen_remove_from_physmap<width64>;    ///< 64-bit layout.
using xen_memory_map = tmpl::xen_memory_map<width64>;                  ///< 64-bit layout.
using xen_foreign_memory_map = tmpl::xen_foreign_memory_map<width64>;  ///< 64-bit layout.
using xen_pod_target = tmpl::xen_pod_target<width64>;                  ///< 64-bit layout.
using xen_mem_acquire_resource = tmpl::xen_mem_acquire_resource<width64>;  ///< 64-bit layout.
using xen_vnuma_topology_info = tmpl::xen_vnuma_topology_info<width64>;    ///< 64-bit layout.
}  // namespace x86_64
namespace x86_32 {
using xen_memory_reservation = tmpl::xen_memory_reservation<width32>;  ///< 32-bit layout.
using xen_memory_exchange = tmpl::xen_memory_exchange<width32>;        ///< 32-bit layout.
using xen_machphys_mfn_list = tmpl::xen_machphys_mfn_list<width32>;    ///< 32-bit layout.
using xen_machphys_mapping = tmpl::xen_machphys_mapping<width32>;      ///< 32-bit layout.
using xen_add_to_physmap = tmpl::xen_add_to_physmap<width32>;          ///< 32-bit layout.
using xen_add_to_physmap_batch = tmpl::xen_add_to_physmap_batch<width32>;  ///< 32-bit layout.
using xen_remove_from_physmap = tmpl::xen_remove_from_physmap<width32>;    ///< 32-bit layout.
using xen_memory_map = tmpl::xen_memory_map<width32>;                  ///< 32-bit layout.
using xen_foreign_memory_map = tmpl::xen_foreign_memory_map<width32>;  ///< 32-bit layout.
using xen_pod_target = tmpl::xen_pod_target<width32>;                  ///< 32-bit layout.
using xen_mem_acquire_resource = tmpl::xen_mem_acquire_resource<width32>;  ///< 32-bit layout.
using xen_vnuma_topology_info = tmpl::xen_vnuma_topology_info<width32>;    ///< 32-bit layout.
}  // namespace x86_32

XENABI_LAYOUT_W(x86_64, xen_memory_reservation, 32, extent_start, 0, nr_extents, 8, extent_order,
                16, mem_flags, 20, domid, 24);
XENABI_LAYOUT_W(x86_32, xen_memory_reservation, 20, extent_start, 0, nr_extents, 4, extent_order,
                8, mem_flags, 12, domid, 16);
XENABI_LAYOUT_W(x86_64, xen_memory_exchange, 72, in, 0, out, 32, nr_exchanged, 64);
XENABI_LAYOUT_W(x86_32, xen_memory_exchange, 44, in, 0, out, 20, nr_exchanged, 40);
XENABI_LAYOUT_W(x86_64, xen_machphys_mfn_list, 24, max_extents, 0, extent_start, 8, nr_extents,
                16);
XENABI_LAYOUT_W(x86_32, xen_machphys_mfn_list, 12, max_extents, 0, extent_start, 4, nr_extents,
                8);
XENABI_LAYOUT_W(x86_64, xen_machphys_mapping, 24, v_start, 0, v_end, 8, max_mfn, 16);
XENABI_LAYOUT_W(x86_32, xen_machphys_mapping, 12, v_start, 0, v_end, 4, max_mfn, 8);
XENABI_LAYOUT_W(x86_64, xen_add_to_physmap, 24, domid, 0, size, 2, space, 4, idx, 8, gpfn, 16);
XENABI_LAYOUT_W(x86_32, xen_add_to_physmap, 16, domid, 0, size, 2, space, 4, idx, 8, gpfn, 12);
XENABI_LAYOUT_W(x86_64, xen_add_to_physmap_batch, 32, domid, 0, space, 2, size, 4, u, 6,
                u.foreign_domid, 6, u.res0, 6, idxs, 8, gpfns, 16, errs, 24);
XENABI_LAYOUT_W(x86_32, xen_add_to_physmap_batch, 20, domid, 0, space, 2, size, 4, u, 6,
                u.foreign_domid, 6, u.res0, 6, idxs, 8, gpfns, 12, errs, 16);
XENABI_LAYOUT_W(x86_64, xen_remove_from_physmap, 16, domid, 0, gpfn, 8);
XENABI_LAYOUT_W(x86_32, xen_remove_from_physmap, 8, domid, 0, gpfn, 4);
XENABI_LAYOUT_W(x86_64, xen_memory_map, 16, nr_entries, 0, buffer, 8);
XENABI_LAYOUT_W(x86_32, xen_memory_map, 8, nr_entries, 0, buffer, 4);
XENABI_LAYOUT_W(x86_64, xen_foreign_memory_map, 24, domid, 0, map, 8);
XENABI_LAYOUT_W(x86_32, xen_foreign_memory_map, 12, domid, 0, map, 4);
XENABI_LAYOUT_W(x86_64, xen_pod_target, 40, target_pages, 0, tot_pages, 8, pod_cache_pages, 16,
                pod_entries, 24, domid, 32);
XENABI_LAYOUT_W(x86_32, xen_pod_target, 36, target_pages, 0, tot_pages, 8, pod_cache_pages, 16,
                pod_entries, 24, domid, 32);
XENABI_LAYOUT_W(x86_64, xen_mem_acquire_resource, 32, domid, 0, type, 2, id, 4, nr_frames, 8, pad,
                12, frame, 16, frame_list, 24);
XENABI_LAYOUT_W(x86_32, xen_mem_acquire_resource, 28, domid, 0, type, 2, id, 4, nr_frames, 8, pad,
                12, frame, 16, frame_list, 24);
XENABI_LAYOUT_W(x86_64, xen_vnuma_topology_info, 40, domid, 0, pad, 2, nr_vnodes, 4, nr_vcpus, 8,
                nr_vmemranges, 12, vdistance, 16, vdistance.h, 16, vdistance.pad, 16,
                vcpu_to_vnode, 24, vcpu_to_vnode.h, 24, vcpu_to_vnode.pad, 24, vmemrange, 32,
                vmemrange.h, 32, vmemrange.pad, 32);
XENABI_LAYOUT_W(x86_32, xen_vnuma_topology_info, 40, domid, 0, pad, 2, nr_vnodes, 4, nr_vcpus, 8,
                nr_vmemranges, 12, vdistance, 16, vdistance.h, 16, vdistance.pad, 16,
                vcpu_to_vnode, 24, vcpu_to_vnode.h, 24, vcpu_to_vnode.pad, 24, vmemrange, 32,
                vmemrange.h, 32, vmemrange.pad, 32);

/// The compiling target's `struct xen_memory_reservation`.
using xen_memory_reservation = native::xen_memory_reservation;
/// The compiling target's `struct xen_memory_exchange`.
using xen_memory_exchange = native::xen_memory_exchange;
/// The compiling target's `struct xen_machphys_mfn_list`.
using xen_machphys_mfn_list = native::xen_machphys_mfn_list;
/// The compiling target's `struct xen_machphys_mapping`.
using xen_machphys_mapping = native::xen_machphys_mapping;
/// The compiling target's `struct xen_add_to_physmap`.
using xen_add_to_physmap = native::xen_add_to_physmap;
/// The compiling target's `struct xen_add_to_physmap_batch`.
using xen_add_to_physmap_batch = native::xen_add_to_physmap_batch;
/// The compiling target's `struct xen_remove_from_physmap`.
using xen_remove_from_physmap = native::xen_remove_from_physmap;
/// The compiling target's `struct xen_memory_map`.
using xen_memory_map = native::xen_memory_map;
/// The compiling target's `struct xen_foreign_memory_map`.
using xen_foreign_memory_map = native::xen_foreign_memory_map;
/// The compiling target's `struct xen_pod_target`.
using xen_pod_target = native::xen_pod_target;
/// The compiling target's `struct xen_mem_acquire_resource`.
using xen_mem_acquire_resource = native::xen_mem_acquire_resource;
/// The compiling target's `struct xen_vnuma_topology_info`.
using xen_vnuma_topology_info = native::xen_vnuma_topology_info;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
