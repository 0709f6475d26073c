/// \file
/// Grant tables, version 1 (the default): granting another domain access to a frame, ending
/// that access safely, a free list of references with a compile-time capacity, and the
/// `grant_table_op` calls a front end needs (query_size, setup_table, copy, set_version) with
/// their per-operation `GNTST_*` status turned into a result (over hypercall.hpp's
/// `grant_table_op<Op, T>`).
///
/// \code
/// xenabi::grant_table<64> gt(table_entries);          // the v1 table, mapped by the kernel
/// auto ref = gt.grant_access(backend_dom, xenabi::gfn{ring_frame}, false);   // read-write
/// publish_in_xenstore(ref.value());
/// ...
/// if (gt.end_access(ref.value()) == xenabi::errc::ebusy) retry_later();     // peer still maps it
/// \endcode
///
/// **Granting.** grant_access() takes a free reference, writes the frame and the grantee's
/// domain id, issues a write barrier, then writes the flags (`GTF_permit_access`, plus
/// `GTF_readonly`): Xen reads an entry only once its flags say so, so it never sees a
/// half-written entry.
///
/// **Ending access.** While the grantee has the frame mapped, Xen keeps `GTF_reading` and/or
/// `GTF_writing` set in the entry. end_access() clears the flags with an atomic compare-exchange
/// that succeeds only if neither bit is set, so access cannot be revoked under a live mapping
/// (the grantee could otherwise keep writing into a frame the guest reuses): it returns
/// `errc::ebusy` and leaves the grant in place; the reference is returned to the free list only
/// once the entry is cleared.
///
/// References below `GNTTAB_NR_RESERVED_ENTRIES` (8; 0 is the console's, 1 the xenstore's) are
/// never handed out. The version-2 entry layouts are in abi/grant_table.hpp (`grant_entry_v2`,
/// as data); this class manages version-1 tables, Xen's default.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/grant_table.hpp>
#include <xenabi/core/atomic.hpp>
#include <xenabi/core/barrier.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>
#include <xenabi/hypercall.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// A v1 grant table of \p Capacity entries (the caller maps the table's frames and passes
/// their entries; Capacity is 512 per 4 KiB frame), with a free list of references.
template <std::size_t Capacity>
class grant_table {
  static_assert(Capacity > abi::GNTTAB::NR_RESERVED_ENTRIES && Capacity <= 0xffffffffu,
                "a grant table holds more than the 8 reserved entries");

 public:
  /// Entries managed (reserved ones included).
  static constexpr std::size_t capacity = Capacity;
  /// The first reference handed out.
  static constexpr u32 first_free = abi::GNTTAB::NR_RESERVED_ENTRIES;

  /// The manager of \p table (Capacity entries, shared with Xen).
  constexpr explicit grant_table(abi::grant_entry_v1 (&table)[Capacity]) noexcept : t_(table) {
    for (u32 r = first_free; r < Capacity; ++r) next_[r] = r + 1;
    free_ = first_free;
    nfree_ = Capacity - first_free;
  }

  /// Grants \p dom access to frame \p frame (read-only if \p readonly); `errc::enospc` if no
  /// reference is free, `errc::erange` if the frame does not fit v1's 32 bits.
  constexpr result<grant_ref> grant_access(domain_id dom, gfn frame, bool readonly) noexcept {
    if (frame.value() > 0xffffffffu) return errc::erange;
    if (nfree_ == 0) return errc::enospc;
    const u32 r = free_;
    free_ = next_[r];
    next_[r] = in_use;
    --nfree_;
    abi::grant_entry_v1& e = t_[r];
    store_release(e.frame, static_cast<u32>(frame.value()));
    store_release(e.domid, dom.value());
    wmb();  // frame and domid before the flags
    store_release(e.flags, static_cast<u16>(abi::GTF::permit_access | (readonly ? abi::GTF::readonly : 0)));
    return grant_ref{r};
  }

  /// Ends the grant \p ref and frees the reference: `errc::ebusy` (nothing changed) while the
  /// grantee has the frame mapped (GTF_reading or GTF_writing), `errc::einval` if \p ref is not
  /// a reference this table handed out.
  constexpr result<void> end_access(grant_ref ref) noexcept {
    const u32 r = ref.value();
    if (r < first_free || r >= Capacity || next_[r] != in_use) return errc::einval;
    u16& flags = t_[r].flags;
    u16 f = load_acquire(flags);
    for (;;) {
      if ((f & (abi::GTF::reading | abi::GTF::writing)) != 0) return errc::ebusy;
      if (atomic_compare_exchange(flags, f, u16{0})) break;  // f is reloaded on failure
    }
    next_[r] = free_;
    free_ = r;
    ++nfree_;
    return {};
  }

  /// True if \p ref is granted (handed out and not ended).
  [[nodiscard]] constexpr bool granted(grant_ref ref) const noexcept {
    return ref.value() >= first_free && ref.value() < Capacity && next_[ref.value()] == in_use;
  }
  /// True if the grantee currently maps \p ref (Xen's GTF_reading / GTF_writing).
  [[nodiscard]] constexpr bool mapped_by_peer(grant_ref ref) const noexcept {
    XENABI_EXPECTS(ref.value() < Capacity);
    return (load_acquire(t_[ref.value()].flags) & (abi::GTF::reading | abi::GTF::writing)) != 0;
  }
  /// References free.
  [[nodiscard]] constexpr std::size_t free_count() const noexcept { return nfree_; }

 private:
  static constexpr u32 in_use = ~u32{0};

  abi::grant_entry_v1* t_;
  u32 next_[Capacity]{};  // free-list links; in_use for handed-out references
  u32 free_ = 0;
  std::size_t nfree_ = 0;
};

inline namespace XENABI_GUEST_MODE_NS_ {

/// A grant operation's `status` (`GNTST_*`) as a result: success for GNTST_okay, else
/// `errc::eio` (Xen's GNTST values are not errnos; the operation's `status` field keeps the
/// detail, abi::gnttabop_error_msg names it).
[[nodiscard]] constexpr result<void> gntst_result(s16 status) noexcept {
  return status == static_cast<s16>(abi::GNTST::okay) ? result<void>{} : result<void>{errc::eio};
}

/// GNTTABOP_query_size: the table's current and maximum number of frames.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<abi::gnttab_query_size> grant_query_size() noexcept {
  abi::gnttab_query_size q{};
  q.dom = abi::DOMID::SELF;
  XENABI_TRY((grant_table_op<abi::GNTTABOP::query_size, T>(&q, 1)));
  XENABI_TRY(gntst_result(q.status));
  return q;
}

/// GNTTABOP_setup_table: asks for \p nr_frames table frames; Xen writes their frame numbers to
/// \p frames (PV guests map them; PVH guests use XENMEM_add_to_physmap instead).
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> grant_setup_table(u32 nr_frames,
                                                    abi::native_width::pfn_element* frames) noexcept {
  abi::gnttab_setup_table s{};
  s.dom = abi::DOMID::SELF;
  s.nr_frames = nr_frames;
  s.frame_list = decltype(s.frame_list)::from(frames);
  XENABI_TRY((grant_table_op<abi::GNTTABOP::setup_table, T>(&s, 1)));
  return gntst_result(s.status);
}

/// GNTTABOP_copy of \p count operations; the hypercall's error, else the first failing
/// operation's status (as `errc::eio`; each op's `status` holds Xen's GNTST value).
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> grant_copy(abi::gnttab_copy* ops, u32 count) noexcept {
  XENABI_TRY((grant_table_op<abi::GNTTABOP::copy, T>(ops, count)));
  for (u32 i = 0; i < count; ++i) XENABI_TRY(gntst_result(ops[i].status));
  return {};
}

/// GNTTABOP_set_version: asks for grant-table version \p version (1 or 2); returns the
/// version in force.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<u32> grant_set_version(u32 version) noexcept {
  abi::gnttab_set_version v{version};
  XENABI_TRY((grant_table_op<abi::GNTTABOP::set_version, T>(&v, 1)));
  return v.version;
}

}  // inline namespace XENABI_GUEST_MODE_NS_

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
