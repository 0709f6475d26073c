/// \file
/// The batched MMU update queue of a PV guest: page-table writes (`mmu_update`:
/// MMU_NORMAL_PT_UPDATE, MMU_MACHPHYS_UPDATE, MMU_PT_UPDATE_PRESERVE_AD), extended operations
/// (`mmuext_op`: pin/unpin L1-L4, new base pointer, TLB flushes, invlpg...) and
/// `update_va_mapping`, queued in the order they are made and sent to Xen in as few traps as
/// possible.
///
/// \code
/// xenabi::mmu_update_queue<64> q;                 // flushes when full and at scope exit
/// for (auto& e : new_ptes) XENABI_TRY(q.pt_update(e.pte_maddr, e.val));
/// XENABI_TRY(q.pin(xenabi::pt_level::l1, l1_mfn));  // after the updates it depends on
/// XENABI_TRY(q.tlb_flush_local());
/// XENABI_TRY(q.flush());                          // one trap: a multicall of three runs
/// \endcode
///
/// **Batching.** At a flush, consecutive entries of the same kind form a *run*. A queue holding
/// one run goes to Xen as one hypercall (`mmu_update` or `mmuext_op` with the whole run, or one
/// `update_va_mapping`); several runs go as one `multicall` whose entries are the runs, in order.
/// So N page-table updates cost ceil(N / Capacity) traps, and mixing kinds costs nothing extra.
///
/// **Ordering.** The queue never reorders: a pin, a new base pointer or a TLB flush is sent after
/// every update queued before it, in the same trap or an earlier one; a caller that needs an
/// operation to take effect before something outside the queue (loading CR3 itself, touching a
/// new mapping) calls flush() first, and operations that need it — none of the queued kinds
/// bypass the queue. Xen executes a multicall's entries in order.
///
/// **Failures.** Xen's `mmu_update`/`mmuext_op` stop at the first entry they refuse and report
/// how many entries before it succeeded (`success_count`); a multicall carries on with the
/// following entries. flush() returns the Xen errno of the first refused entry and
/// last_failure() says which entry it was (its position in the flushed sequence), how many
/// entries before it were applied, and how many later entries Xen applied anyway (later runs of
/// the same multicall). Entries that were not applied — the refused one and the rest of its
/// run, and of any other refused run — stay in the queue, in order, for the caller to retry
/// after fixing the cause, or to drop with discard(): nothing is ever dropped silently. A queue
/// destroyed with entries it could not apply reports that through the contract hook
/// (XENABI_CONTRACT_VIOLATION: a kernel panic by default).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/abi/xen.hpp>
#include <xenabi/core/contract.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>
#include <xenabi/hypercall.hpp>
#include <xenabi/multicall.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// Page-table levels, for pinning.
enum class pt_level : u8 {
  l1 = 1,  ///< Page table.
  l2 = 2,  ///< Page directory.
  l3 = 3,  ///< Page-directory-pointer table.
  l4 = 4,  ///< PML4.
};

/// The kind of a queued entry.
enum class mmu_entry_kind : u8 {
  update,             ///< An `mmu_update`.
  ext,                ///< An `mmuext_op`.
  update_va_mapping,  ///< An `update_va_mapping`.
};

/// What went wrong at the last failed flush.
struct mmu_flush_failure {
  std::size_t index = 0;           ///< Position of the first refused entry in the flushed sequence.
  std::size_t applied_before = 0;  ///< Entries before it that Xen applied (success_count).
  std::size_t applied_after = 0;   ///< Entries after it that Xen applied anyway (later multicall runs).
  std::size_t kept = 0;            ///< Entries left in the queue (not applied).
  mmu_entry_kind kind = mmu_entry_kind::update;  ///< Kind of the refused entry.
  errc error = errc::einval;       ///< Xen's error for it.
};

/// Counters of an mmu_update_queue.
struct mmu_queue_stats {
  u64 entries = 0;     ///< Entries queued.
  u64 hypercalls = 0;  ///< Traps made (a multicall counts once).
  u64 flushes = 0;     ///< Non-empty flushes.
};

inline namespace XENABI_GUEST_MODE_NS_ {

/// A queue of up to \p Capacity MMU operations sent through transport \p T (see the file
/// comment). \p Foreign is the `foreigndom` of mmu_update/mmuext_op (DOMID_SELF by default).
template <std::size_t Capacity, class T = default_hypercall_transport>
class mmu_update_queue {
  static_assert(Capacity > 0 && Capacity <= 0xffffffffu, "capacity 1 .. 2^32-1");

 public:
  /// The most entries held before an automatic flush.
  static constexpr std::size_t capacity = Capacity;

  /// An empty queue for \p foreigndom's page tables (DOMID_SELF: the caller's).
  constexpr explicit mmu_update_queue(abi::domid_t foreigndom = abi::DOMID::SELF) noexcept
      : foreign_(foreigndom) {}
  mmu_update_queue(const mmu_update_queue&) = delete;             ///< Not copyable.
  mmu_update_queue& operator=(const mmu_update_queue&) = delete;  ///< Not copyable.
  /// Flushes what is left; entries Xen refused are a contract violation here (see the file
  /// comment), since a destructor cannot return the error.
  ~mmu_update_queue() {
    if (n_ != 0) (void)flush();
    XENABI_ENSURES(n_ == 0 && "mmu_update_queue destroyed with updates Xen refused");
  }

  /// Queues `*ptr = val` for the PTE at machine address \p pte_maddr (MMU_NORMAL_PT_UPDATE, or
  /// MMU_PT_UPDATE_PRESERVE_AD / MMU_PT_UPDATE_NO_TRANSLATE as \p cmd). Flushes first if full;
  /// an error is that flush's.
  result<void> pt_update(u64 pte_maddr, u64 val,
                                   abi::MMU cmd = abi::MMU::NORMAL_PT_UPDATE) noexcept {
    XENABI_EXPECTS((pte_maddr & 3u) == 0 && cmd != abi::MMU::MACHPHYS_UPDATE);
    return push_update(abi::mmu_update{pte_maddr | static_cast<u64>(cmd), val});
  }
  /// Queues `machphys[mfn] = pfn` (MMU_MACHPHYS_UPDATE).
  result<void> machphys_update(mfn m, pfn p) noexcept {
    return push_update(abi::mmu_update{(m.value() << page_shift) |
                                           static_cast<u64>(abi::MMU::MACHPHYS_UPDATE),
                                       p.value()});
  }
  /// Queues pinning \p m as a page table of level \p level (MMUEXT_PIN_Ln_TABLE).
  result<void> pin(pt_level level, mfn m) noexcept {
    const abi::MMUEXT cmd = level == pt_level::l1   ? abi::MMUEXT::PIN_L1_TABLE
                            : level == pt_level::l2 ? abi::MMUEXT::PIN_L2_TABLE
                            : level == pt_level::l3 ? abi::MMUEXT::PIN_L3_TABLE
                                                    : abi::MMUEXT::PIN_L4_TABLE;
    return push_ext_mfn(cmd, m);
  }
  /// Queues unpinning table \p m (MMUEXT_UNPIN_TABLE).
  result<void> unpin(mfn m) noexcept { return push_ext_mfn(abi::MMUEXT::UNPIN_TABLE, m); }
  /// Queues switching the kernel page-table base to \p m (MMUEXT_NEW_BASEPTR).
  result<void> new_baseptr(mfn m) noexcept { return push_ext_mfn(abi::MMUEXT::NEW_BASEPTR, m); }
  /// Queues switching the user page-table base to \p m (MMUEXT_NEW_USER_BASEPTR, x86_64).
  result<void> new_user_baseptr(mfn m) noexcept {
    return push_ext_mfn(abi::MMUEXT::NEW_USER_BASEPTR, m);
  }
  /// Queues a local TLB flush (MMUEXT_TLB_FLUSH_LOCAL).
  result<void> tlb_flush_local() noexcept { return push_ext_va(abi::MMUEXT::TLB_FLUSH_LOCAL, 0); }
  /// Queues a TLB flush on every vCPU (MMUEXT_TLB_FLUSH_ALL).
  result<void> tlb_flush_all() noexcept { return push_ext_va(abi::MMUEXT::TLB_FLUSH_ALL, 0); }
  /// Queues invalidating \p va locally (MMUEXT_INVLPG_LOCAL).
  result<void> invlpg_local(std::uintptr_t va) noexcept {
    return push_ext_va(abi::MMUEXT::INVLPG_LOCAL, va);
  }
  /// Queues invalidating \p va on every vCPU (MMUEXT_INVLPG_ALL).
  result<void> invlpg_all(std::uintptr_t va) noexcept {
    return push_ext_va(abi::MMUEXT::INVLPG_ALL, va);
  }
  /// Queues any other extended operation, fully formed by the caller (TLB_FLUSH_MULTI with a
  /// vCPU mask, SET_LDT, CLEAR_PAGE, COPY_PAGE...). Pointers in it must outlive the flush.
  result<void> ext(const abi::mmuext_op& op) noexcept { return push(kind::ext, nullptr, &op, nullptr); }
  /// Queues `update_va_mapping(va, val, flags)` (`UVMF_*`).
  result<void> update_va_mapping(std::uintptr_t va, u64 val, u32 flags) noexcept {
    const uva u{va, val, flags};
    return push(kind::update_va_mapping, nullptr, nullptr, &u);
  }

  /// Sends every queued entry to Xen (see the file comment for batching and failures).
  [[nodiscard]] result<void> flush() noexcept {
    if (n_ == 0) return {};
    ++stats_.flushes;
    // 1. runs
    run runs[Capacity]{};
    std::size_t nruns = 0;
    for (std::size_t i = 0; i < n_;) {
      std::size_t j = i + 1;
      if (order_[i] != kind::update_va_mapping)
        while (j < n_ && j < Capacity && order_[j] == order_[i]) ++j;
      runs[nruns++] = run{order_[i], i, j - i, 0, 0};
      i = j;
    }
    // the entries of each run are contiguous in their kind's array (see push()); give each run
    // its offset there
    std::size_t nu = 0, ne = 0, nv = 0;
    for (std::size_t r = 0; r < nruns; ++r) {
      runs[r].array_start = runs[r].k == kind::update ? nu : runs[r].k == kind::ext ? ne : nv;
      (runs[r].k == kind::update ? nu : runs[r].k == kind::ext ? ne : nv) += runs[r].count;
    }
    // 2. one trap
    u32 done[Capacity]{};
    long rcs[Capacity]{};
    if (nruns == 1) {
      rcs[0] = issue_single(runs[0], done[0]);
      ++stats_.hypercalls;
    } else {
      multicall_batch<Capacity, T> mc;
      for (std::size_t r = 0; r < nruns; ++r) add_to(mc, runs[r], done[r]);
      auto m = mc.run();
      ++stats_.hypercalls;
      if (!m) return m.error();  // Xen did not run the batch: nothing applied, all kept
      for (std::size_t r = 0; r < nruns; ++r) {
        auto rr = mc.result_of(r);
        rcs[r] = rr ? 0 : -static_cast<long>(rr.error());
      }
    }
    // 3. what was applied; keep the rest, in order (compacted in place: a kept entry never
    //    moves to a later position)
    bool failed = false;
    mmu_flush_failure f{};
    std::size_t applied = 0;
    std::size_t kn = 0, ku = 0, ke = 0, kv = 0;
    for (std::size_t r = 0; r < nruns; ++r) {
      const run& ru = runs[r];
      std::size_t ok = ru.count;
      if (rcs[r] < 0) {
        ok = ru.k == kind::update_va_mapping ? 0 : (done[r] < ru.count ? done[r] : ru.count - 1);
        if (!failed) {
          failed = true;
          f.index = ru.start + ok;
          f.applied_before = applied + ok;
          f.kind = static_cast<mmu_entry_kind>(ru.k);
          f.error = static_cast<errc>(static_cast<s32>(-rcs[r]));
        } else {
          f.applied_after += ok;
        }
      } else if (failed) {
        f.applied_after += ru.count;
      }
      applied += ok;
      for (std::size_t i = ok; i < ru.count; ++i) {
        order_[kn++] = ru.k;
        if (ru.k == kind::update) upd_[ku++] = upd_[ru.array_start + i];
        else if (ru.k == kind::ext) ext_[ke++] = ext_[ru.array_start + i];
        else uva_[kv++] = uva_[ru.array_start + i];
      }
    }
    n_ = kn;
    nu_ = ku;
    ne_ = ke;
    nv_ = kv;
    if (!failed) return {};
    f.kept = kn;
    failure_ = f;
    return f.error;
  }

  /// Drops every queued entry (after a failed flush, when the caller gives up on them);
  /// returns how many were dropped.
  constexpr std::size_t discard() noexcept {
    const std::size_t n = n_;
    n_ = nu_ = ne_ = nv_ = 0;
    return n;
  }

  /// Details of the last failed flush.
  [[nodiscard]] constexpr const mmu_flush_failure& last_failure() const noexcept { return failure_; }
  /// Entries waiting.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return n_; }
  /// The kind of waiting entry \p i (in queue order).
  [[nodiscard]] constexpr mmu_entry_kind kind_at(std::size_t i) const noexcept {
    XENABI_EXPECTS(i < n_);
    return static_cast<mmu_entry_kind>(order_[i]);
  }
  /// Counters.
  [[nodiscard]] constexpr const mmu_queue_stats& stats() const noexcept { return stats_; }

 private:
  enum class kind : u8 { update, ext, update_va_mapping };
  static_assert(static_cast<u8>(kind::update_va_mapping) ==
                static_cast<u8>(mmu_entry_kind::update_va_mapping));
  struct uva {
    std::uintptr_t va;
    u64 val;
    u32 flags;
  };
  struct run {
    kind k;
    std::size_t start;
    std::size_t count;
    std::size_t array_start;
    std::size_t unused;
  };

  result<void> push_update(const abi::mmu_update& u) noexcept {
    return push(kind::update, &u, nullptr, nullptr);
  }
  result<void> push_ext_mfn(abi::MMUEXT cmd, mfn m) noexcept {
    abi::mmuext_op op{};
    op.cmd = static_cast<u32>(cmd);
    op.arg1.mfn = m.value();
    return push(kind::ext, nullptr, &op, nullptr);
  }
  result<void> push_ext_va(abi::MMUEXT cmd, std::uintptr_t va) noexcept {
    abi::mmuext_op op{};
    op.cmd = static_cast<u32>(cmd);
    op.arg1.linear_addr = va;
    return push(kind::ext, nullptr, &op, nullptr);
  }
  result<void> push(kind k, const abi::mmu_update* u, const abi::mmuext_op* e,
                              const uva* v) noexcept {
    if (n_ == Capacity) XENABI_TRY(flush());
    ++stats_.entries;
    order_[n_++] = k;
    if (k == kind::update) upd_[nu_++] = *u;
    else if (k == kind::ext) ext_[ne_++] = *e;
    else uva_[nv_++] = *v;
    return {};
  }

  long issue_single(const run& r, u32& done) noexcept {
    if (r.k == kind::update) {
      auto x = mmu_update<T>(upd_ + r.array_start, static_cast<u32>(r.count), &done, foreign_);
      return x ? 0 : -static_cast<long>(x.error());
    }
    if (r.k == kind::ext) {
      auto x = mmuext_op<T>(ext_ + r.array_start, static_cast<u32>(r.count), &done, foreign_);
      return x ? 0 : -static_cast<long>(x.error());
    }
    const uva& v = uva_[r.array_start];
    auto x = xenabi::update_va_mapping<T>(v.va, v.val, v.flags);
    return x ? 0 : -static_cast<long>(x.error());
  }
  void add_to(multicall_batch<Capacity, T>& mc, const run& r, u32& done) noexcept {
    if (r.k == kind::update) {
      (void)mc.add_mmu_update(upd_ + r.array_start, static_cast<u32>(r.count), &done, foreign_);
    } else if (r.k == kind::ext) {
      (void)mc.add_mmuext_op(ext_ + r.array_start, static_cast<u32>(r.count), &done, foreign_);
    } else {
      const uva& v = uva_[r.array_start];
      (void)mc.add_update_va_mapping(v.va, v.val, v.flags);
    }
  }

  abi::domid_t foreign_;
  kind order_[Capacity]{};
  abi::mmu_update upd_[Capacity]{};
  abi::mmuext_op ext_[Capacity]{};
  uva uva_[Capacity]{};
  std::size_t n_ = 0, nu_ = 0, ne_ = 0, nv_ = 0;
  mmu_flush_failure failure_{};
  mmu_queue_stats stats_{};
};

}  // inline namespace XENABI_GUEST_MODE_NS_

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
