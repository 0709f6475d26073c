/// \file
/// Grant tables (Xen's `grant_table.h`): the shared table of grant entries (v1 and v2) through
/// which a domain lets another map or copy its pages, the entry flags (`GTF_*`), the
/// `GNTTABOP_*` sub-operations of HYPERVISOR_grant_table_op with their argument structures, map
/// flags (`GNTMAP_*`) and status codes (`GNTST_*`).
///
/// Structures holding a `xen_pfn_t` or a guest handle are width templates
/// (`abi::x86_64::gnttab_setup_table`, `abi::x86_32::...`, native `abi::gnttab_setup_table`);
/// the others are defined once.
#pragma once

#include <xenabi/abi/width.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// A grant reference: an index into the grant table (Xen's `grant_ref_t`).
using grant_ref_t = u32;
/// A handle for a mapped grant (Xen's `grant_handle_t`).
using grant_handle_t = u32;
/// A v2 status-table entry (Xen's `grant_status_t`).
using grant_status_t = u16;

/// Reserved grant entries (Xen's `GNTTAB_*`), and gnttab_cache_flush operations.
namespace GNTTAB {
inline constexpr u32 NR_RESERVED_ENTRIES = 8;  ///< `GNTTAB_NR_RESERVED_ENTRIES`: not for general use.
inline constexpr u32 RESERVED_CONSOLE = 0;     ///< `GNTTAB_RESERVED_CONSOLE`: the console ring.
inline constexpr u32 RESERVED_XENSTORE = 1;    ///< `GNTTAB_RESERVED_XENSTORE`: the xenstore ring.
inline constexpr u32 CACHE_CLEAN = 1u << 0;          ///< `GNTTAB_CACHE_CLEAN`.
inline constexpr u32 CACHE_INVAL = 1u << 1;          ///< `GNTTAB_CACHE_INVAL`.
inline constexpr u32 CACHE_SOURCE_GREF = 1u << 31;   ///< `GNTTAB_CACHE_SOURCE_GREF`.
}  // namespace GNTTAB
XENABI_CONSTANTS(GNTTAB, GNTTAB_, NR_RESERVED_ENTRIES, RESERVED_CONSOLE, RESERVED_XENSTORE,
                 CACHE_CLEAN, CACHE_INVAL, CACHE_SOURCE_GREF)

/// Grant entry flags (Xen's `GTF_*`), in grant_entry_v1::flags / grant_entry_header::flags.
namespace GTF {
inline constexpr u16 invalid = 0u << 0;          ///< `GTF_invalid`: no access granted.
inline constexpr u16 permit_access = 1u << 0;    ///< `GTF_permit_access`: domid may map/copy.
inline constexpr u16 accept_transfer = 2u << 0;  ///< `GTF_accept_transfer`: domid may transfer a page in.
inline constexpr u16 transitive = 3u << 0;       ///< `GTF_transitive`: v2 transitive grant.
inline constexpr u16 type_mask = 3u << 0;        ///< `GTF_type_mask`.
inline constexpr u16 readonly = 1u << 2;         ///< `GTF_readonly`: read-only access.
inline constexpr u16 reading = 1u << 3;          ///< `GTF_reading`: Xen: the grantee is reading.
inline constexpr u16 writing = 1u << 4;          ///< `GTF_writing`: Xen: the grantee is writing.
inline constexpr u16 PWT = 1u << 5;              ///< `GTF_PWT`: map write-through.
inline constexpr u16 PCD = 1u << 6;              ///< `GTF_PCD`: map uncached.
inline constexpr u16 PAT = 1u << 7;              ///< `GTF_PAT`: PAT bit.
inline constexpr u16 sub_page = 1u << 8;         ///< `GTF_sub_page`: v2 sub-page grant.
inline constexpr u16 transfer_committed = 1u << 2;  ///< `GTF_transfer_committed`.
inline constexpr u16 transfer_completed = 1u << 3;  ///< `GTF_transfer_completed`.
}  // namespace GTF
XENABI_CONSTANTS(GTF, GTF_, invalid, permit_access, accept_transfer, transitive, type_mask,
                 readonly, reading, writing, PWT, PCD, PAT, sub_page, transfer_committed,
                 transfer_completed)

/// HYPERVISOR_grant_table_op sub-operations (Xen's `GNTTABOP_*`).
enum class GNTTABOP : u32 {
  map_grant_ref = 0,       ///< Map granted pages (gnttab_map_grant_ref[]).
  unmap_grant_ref = 1,     ///< Unmap them (gnttab_unmap_grant_ref[]).
  setup_table = 2,         ///< Get the frames of the grant table (gnttab_setup_table).
  dump_table = 3,          ///< Debug dump (gnttab_dump_table).
  transfer = 4,            ///< Transfer a page (gnttab_transfer[]).
  copy = 5,                ///< Copy between granted pages (gnttab_copy[]).
  query_size = 6,          ///< Current and maximum table frames (gnttab_query_size).
  unmap_and_replace = 7,   ///< Unmap, replacing the PTE (gnttab_unmap_and_replace[]).
  set_version = 8,         ///< Choose v1 or v2 entries (gnttab_set_version).
  get_status_frames = 9,   ///< v2 status frames (gnttab_get_status_frames).
  get_version = 10,        ///< Current version (gnttab_get_version).
  swap_grant_ref = 11,     ///< Swap two entries (gnttab_swap_grant_ref[]).
  cache_flush = 12,        ///< Cache maintenance (ARM; gnttab_cache_flush[]).
};
XENABI_CONSTANTS(GNTTABOP, GNTTABOP_, map_grant_ref, unmap_grant_ref, setup_table, dump_table,
                 transfer, copy, query_size, unmap_and_replace, set_version, get_status_frames,
                 get_version, swap_grant_ref, cache_flush)

/// gnttab_copy::flags (Xen's `GNTCOPY_*`).
namespace GNTCOPY {
inline constexpr u16 source_gref = 1u << 0;  ///< `GNTCOPY_source_gref`: source is a grant.
inline constexpr u16 dest_gref = 1u << 1;    ///< `GNTCOPY_dest_gref`: destination is a grant.
}  // namespace GNTCOPY
XENABI_CONSTANTS(GNTCOPY, GNTCOPY_, source_gref, dest_gref)

/// gnttab_map_grant_ref::flags (Xen's `GNTMAP_*`).
namespace GNTMAP {
inline constexpr u32 device_map = 1u << 0;        ///< `GNTMAP_device_map`: for device DMA.
inline constexpr u32 host_map = 1u << 1;          ///< `GNTMAP_host_map`: into the CPU's view.
inline constexpr u32 readonly = 1u << 2;          ///< `GNTMAP_readonly`.
inline constexpr u32 application_map = 1u << 3;   ///< `GNTMAP_application_map`: user-accessible.
inline constexpr u32 contains_pte = 1u << 4;      ///< `GNTMAP_contains_pte`: host_addr is a PTE.
inline constexpr u32 guest_avail_mask = ~0u << 16;  ///< `GNTMAP_guest_avail_mask`.
}  // namespace GNTMAP
XENABI_CONSTANTS(GNTMAP, GNTMAP_, device_map, host_map, readonly, application_map, contains_pte,
                 guest_avail_mask)

/// Per-operation status codes (Xen's `GNTST_*`), in the `status` fields.
enum class GNTST : s16 {
  okay = 0,                ///< Normal return.
  general_error = -1,      ///< General undefined error.
  bad_domain = -2,         ///< Unrecognised domain id.
  bad_gntref = -3,         ///< Unrecognised or inappropriate grant reference.
  bad_handle = -4,         ///< Unrecognised or inappropriate handle.
  bad_virt_addr = -5,      ///< Inappropriate virtual address to map.
  bad_dev_addr = -6,       ///< Inappropriate device address to unmap.
  no_device_space = -7,    ///< Out of space in the I/O MMU.
  permission_denied = -8,  ///< Not enough privilege.
  bad_page = -9,           ///< The page was invalid for the operation.
  bad_copy_arg = -10,      ///< Copy arguments cross a page boundary.
  address_too_big = -11,   ///< Transfer page address too large.
  eagain = -12,            ///< Not done; try again.
  no_space = -13,          ///< Out of space (handles etc).
};
XENABI_CONSTANTS(GNTST, GNTST_, okay, general_error, bad_domain, bad_gntref, bad_handle,
                 bad_virt_addr, bad_dev_addr, no_device_space, permission_denied, bad_page,
                 bad_copy_arg, address_too_big, eagain, no_space)

/// Messages for the GNTST_* codes, indexed by `-status` (Xen's `GNTTABOP_error_msgs`).
inline constexpr const char* gnttabop_error_msgs[] = {
    "okay",
    "undefined error",
    "unrecognised domain id",
    "invalid grant reference",
    "invalid mapping handle",
    "invalid virtual address",
    "invalid device address",
    "no spare translation slot in the I/O MMU",
    "permission denied",
    "bad page",
    "copy arguments cross page boundary",
    "page address size too large",
    "operation not done; try again",
    "out of space",
};

/// The message for status \p s (Xen's `GNTTABOP_error_msgs[-s]`), or "unknown status".
[[nodiscard]] constexpr const char* gnttabop_error_msg(GNTST s) noexcept {
  const int i = -static_cast<int>(s);
  if (i < 0 || i >= static_cast<int>(sizeof(gnttabop_error_msgs) / sizeof(gnttabop_error_msgs[0]))) {
    return "unknown status";
  }
  return gnttabop_error_msgs[i];
}

/// A version-1 grant entry (Xen's `struct grant_entry_v1`).
struct grant_entry_v1 {
  u16 flags;      ///< `GTF_*`.
  domid_t domid;  ///< The domain being granted access.
  u32 frame;      ///< The frame (gfn) granted, or for transfers the frame received.
};
XENABI_LAYOUT(grant_entry_v1, 8, flags, 0, domid, 2, frame, 4);

/// The common header of a version-2 grant entry (Xen's `struct grant_entry_header`).
struct grant_entry_header {
  u16 flags;      ///< `GTF_*`.
  domid_t domid;  ///< The domain being granted access.
};
XENABI_LAYOUT(grant_entry_header, 4, flags, 0, domid, 2);

/// A version-2 grant entry (Xen's `union grant_entry_v2`, 16 bytes; Xen's `__spacer` member,
/// a reserved identifier in C++, only fixes the size, which full_page already gives).
union grant_entry_v2 {
  grant_entry_header hdr;  ///< The common header.
  /// GTF_permit_access of a whole page.
  struct {
    grant_entry_header hdr;  ///< Header.
    u32 pad0;                ///< Padding.
    u64 frame;               ///< The frame granted.
  } full_page;
  /// GTF_permit_access | GTF_sub_page: part of a page.
  struct {
    grant_entry_header hdr;  ///< Header.
    u16 page_off;            ///< Offset of the part.
    u16 length;              ///< Its length.
    u64 frame;               ///< The frame.
  } sub_page;
  /// GTF_transitive: re-grant another domain's grant.
  struct {
    grant_entry_header hdr;  ///< Header.
    domid_t trans_domid;     ///< The domain whose grant is re-granted.
    u16 pad0;                ///< Padding.
    grant_ref_t gref;        ///< Its grant reference.
  } transitive;
};
XENABI_LAYOUT(grant_entry_v2, 16, hdr, 0, full_page, 0, full_page.hdr, 0, full_page.pad0, 4,
              full_page.frame, 8, sub_page, 0, sub_page.hdr, 0, sub_page.page_off, 4,
              sub_page.length, 6, sub_page.frame, 8, transitive, 0, transitive.hdr, 0,
              transitive.trans_domid, 4, transitive.pad0, 6, transitive.gref, 8);

/// GNTTABOP_map_grant_ref argument (one element of an array).
struct gnttab_map_grant_ref {
  u64 host_addr;       ///< IN: where to map (virtual, or PTE address with GNTMAP_contains_pte).
  u32 flags;           ///< IN: `GNTMAP_*`.
  grant_ref_t ref;     ///< IN: the grant reference.
  domid_t dom;         ///< IN: the granting domain.
  s16 status;          ///< OUT: a `GNTST_*`.
  grant_handle_t handle;  ///< OUT: the mapping's handle (for unmap).
  u64 dev_bus_addr;    ///< OUT: bus address (GNTMAP_device_map).
};
XENABI_LAYOUT(gnttab_map_grant_ref, 32, host_addr, 0, flags, 8, ref, 12, dom, 16, status, 18,
              handle, 20, dev_bus_addr, 24);

/// GNTTABOP_unmap_grant_ref argument (one element of an array).
struct gnttab_unmap_grant_ref {
  u64 host_addr;          ///< IN: the mapping's address (0: none).
  u64 dev_bus_addr;       ///< IN: the device mapping's address (0: none).
  grant_handle_t handle;  ///< IN: the handle from map.
  s16 status;             ///< OUT: a `GNTST_*`.
};
XENABI_LAYOUT(gnttab_unmap_grant_ref, 24, host_addr, 0, dev_bus_addr, 8, handle, 16, status, 20);

/// GNTTABOP_dump_table argument.
struct gnttab_dump_table {
  domid_t dom;  ///< IN: the domain.
  s16 status;   ///< OUT: a `GNTST_*`.
};
XENABI_LAYOUT(gnttab_dump_table, 4, dom, 0, status, 2);

/// GNTTABOP_query_size argument.
struct gnttab_query_size {
  domid_t dom;        ///< IN: the domain (DOMID_SELF).
  u32 nr_frames;      ///< OUT: current table frames.
  u32 max_nr_frames;  ///< OUT: maximum.
  s16 status;         ///< OUT: a `GNTST_*`.
};
XENABI_LAYOUT(gnttab_query_size, 16, dom, 0, nr_frames, 4, max_nr_frames, 8, status, 12);

/// GNTTABOP_unmap_and_replace argument (one element of an array).
struct gnttab_unmap_and_replace {
  u64 host_addr;          ///< IN: the mapping to remove.
  u64 new_addr;           ///< IN: the address whose PTE replaces it.
  grant_handle_t handle;  ///< IN: the handle from map.
  s16 status;             ///< OUT: a `GNTST_*`.
};
XENABI_LAYOUT(gnttab_unmap_and_replace, 24, host_addr, 0, new_addr, 8, handle, 16, status, 20);

/// GNTTABOP_set_version argument.
struct gnttab_set_version {
  u32 version;  ///< IN: 1 or 2; OUT: the version in force.
};
XENABI_LAYOUT(gnttab_set_version, 4, version, 0);

/// GNTTABOP_get_version argument.
struct gnttab_get_version {
  domid_t dom;  ///< IN: the domain.
  u16 pad;      ///< Padding.
  u32 version;  ///< OUT: the version in force.
};
XENABI_LAYOUT(gnttab_get_version, 8, dom, 0, pad, 2, version, 4);

/// GNTTABOP_swap_grant_ref argument (one element of an array).
struct gnttab_swap_grant_ref {
  grant_ref_t ref_a;  ///< IN: first entry.
  grant_ref_t ref_b;  ///< IN: second entry.
  s16 status;         ///< OUT: a `GNTST_*`.
};
XENABI_LAYOUT(gnttab_swap_grant_ref, 12, ref_a, 0, ref_b, 4, status, 8);

/// GNTTABOP_cache_flush argument (one element of an array).
struct gnttab_cache_flush {
  /// IN: what to flush.
  union {
    u64 dev_bus_addr;  ///< A bus address.
    grant_ref_t ref;   ///< A grant (GNTTAB_CACHE_SOURCE_GREF).
  } a;
  u16 offset;  ///< IN: offset in the page.
  u16 length;  ///< IN: bytes.
  u32 op;      ///< IN: `GNTTAB_CACHE_*`.
};
XENABI_LAYOUT(gnttab_cache_flush, 16, a, 0, a.dev_bus_addr, 0, a.ref, 0, offset, 8, length, 10,
              op, 12);

namespace tmpl {

/// GNTTABOP_setup_table argument for width \p W.
template <class W>
struct gnttab_setup_table {
  domid_t dom;    ///< IN: the domain (DOMID_SELF).
  u32 nr_frames;  ///< IN: frames wanted.
  s16 status;     ///< OUT: a `GNTST_*`.
  guest_handle<typename W::pfn_element, W> frame_list;  ///< OUT: the frames (PV).
};

/// GNTTABOP_transfer argument (one element of an array) for width \p W.
template <class W>
struct gnttab_transfer {
  typename W::xen_pfn_t mfn;  ///< IN: the frame to give away.
  domid_t domid;              ///< IN: the receiving domain.
  grant_ref_t ref;            ///< IN: its accept_transfer grant.
  s16 status;                 ///< OUT: a `GNTST_*`.
};

/// GNTTABOP_copy argument (one element of an array) for width \p W.
template <class W>
struct gnttab_copy {
  /// One end of a copy (Xen's `struct gnttab_copy_ptr`).
  struct gnttab_copy_ptr {
    /// The page: a grant reference (GNTCOPY_*_gref) or a frame of the caller.
    union {
      grant_ref_t ref;             ///< Grant reference.
      typename W::xen_pfn_t gmfn;  ///< Local frame.
    } u;
    domid_t domid;  ///< The domain owning the page.
    u16 offset;     ///< Offset within the page.
  };
  gnttab_copy_ptr source;  ///< IN: source.
  gnttab_copy_ptr dest;    ///< IN: destination.
  u16 len;                 ///< IN: bytes (must not cross a page).
  u16 flags;               ///< IN: `GNTCOPY_*`.
  s16 status;              ///< OUT: a `GNTST_*`.
};

/// GNTTABOP_get_status_frames argument for width \p W.
template <class W>
struct gnttab_get_status_frames {
  u32 nr_frames;  ///< IN: frames wanted.
  domid_t dom;    ///< IN: the domain (DOMID_SELF).
  s16 status;     ///< OUT: a `GNTST_*`.
  guest_handle<u64, W> frame_list;  ///< OUT: the status frames.
};

}  // namespace tmpl

namespace x86_64 {
using gnttab_setup_table = tmpl::gnttab_setup_table<width64>;  ///< 64-bit layout.
using gnttab_transfer = tmpl::gnttab_transfer<width64>;        ///< 64-bit layout.
using gnttab_copy = tmpl::gnttab_copy<width64>;                ///< 64-bit layout.
using gnttab_get_status_frames = tmpl::gnttab_get_status_frames<width64>;  ///< 64-bit layout.
}  // namespace x86_64
namespace x86_32 {
using gnttab_setup_table = tmpl::gnttab_setup_table<width32>;  ///< 32-bit layout.
using gnttab_transfer = tmpl::gnttab_transfer<width32>;        ///< 32-bit layout.
using gnttab_copy = tmpl::gnttab_copy<width32>;                ///< 32-bit layout.
using gnttab_get_status_frames = tmpl::gnttab_get_status_frames<width32>;  ///< 32-bit layout.
}  // namespace x86_32

XENABI_LAYOUT_W(x86_64, gnttab_setup_table, 24, dom, 0, nr_frames, 4, status, 8, frame_list, 16);
XENABI_LAYOUT_W(x86_32, gnttab_setup_table, 16, dom, 0, nr_frames, 4, status, 8, frame_list, 12);
XENABI_LAYOUT_W(x86_64, gnttab_transfer, 24, mfn, 0, domid, 8, ref, 12, status, 16);
XENABI_LAYOUT_W(x86_32, gnttab_transfer, 16, mfn, 0, domid, 4, ref, 8, status, 12);
XENABI_LAYOUT_W(x86_64, gnttab_copy, 40, source, 0, source.u, 0, source.u.ref, 0, source.u.gmfn,
                0, source.domid, 8, source.offset, 10, dest, 16, dest.u, 16, dest.u.ref, 16,
                dest.u.gmfn, 16, dest.domid, 24, dest.offset, 26, len, 32, flags, 34, status, 36);
XENABI_LAYOUT_W(x86_32, gnttab_copy, 24, source, 0, source.u, 0, source.u.ref, 0, source.u.gmfn,
                0, source.domid, 4, source.offset, 6, dest, 8, dest.u, 8, dest.u.ref, 8,
                dest.u.gmfn, 8, dest.domid, 12, dest.offset, 14, len, 16, flags, 18, status, 20);
XENABI_LAYOUT_W(x86_64, gnttab_get_status_frames, 16, nr_frames, 0, dom, 4, status, 6,
                frame_list, 8);
XENABI_LAYOUT_W(x86_32, gnttab_get_status_frames, 12, nr_frames, 0, dom, 4, status, 6,
                frame_list, 8);

/// The compiling target's `struct gnttab_setup_table`.
using gnttab_setup_table = native::gnttab_setup_table;
/// The compiling target's `struct gnttab_transfer`.
using gnttab_transfer = native::gnttab_transfer;
/// The compiling target's `struct gnttab_copy`.
using gnttab_copy = native::gnttab_copy;
/// The compiling target's `struct gnttab_get_status_frames`.
using gnttab_get_status_frames = native::gnttab_get_status_frames;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
