/// \file
/// \ingroup drivers
/// The block front end (blkfront) request engine: the blkif ring set up with grants, request
/// submission (reads, writes, write barriers, flushes, discards) from caller buffers, response
/// handling, persistent grants and indirect segments when the back end offers them, and
/// reconnection to a restarted back end with the in-flight requests re-issued. Freestanding,
/// no heap: the ring page, the indirect pages and the engine itself live where the caller puts
/// them. The xenbus handshake that feeds it (blkfront_features from the back end's xenstore
/// keys, the ring reference and event channel published for it) is the caller's, with
/// xenbus.hpp.
///
/// \code
/// struct env {                                  // what the engine needs from the kernel
///   xenabi::result<xenabi::grant_ref> grant(xenabi::domain_id d, xenabi::gfn f, bool ro);
///   xenabi::result<void> end_grant(xenabi::grant_ref r);
///   xenabi::gfn frame_of(const void* p);        // guest frame of an address
///   void notify();                              // EVTCHNOP_send on the device's channel
/// };
/// xenabi::blkfront<env, 256> blk(e, *ring_page, indirect_pages);
/// auto ref = blk.attach(backend_id, features);  // publish ref as "ring-ref", then Connected
/// blk.read(0, buf, 1 << 20, cookie);           // 1 MiB: one indirect request
/// blk.barrier_write(2048, buf, 4096, cookie2);  // after everything before it, durably
/// blk.publish();                                // one notification for the batch
/// blk.poll([](std::uint64_t cookie, std::int16_t status) { ... });
/// \endcode
///
/// **Buffers.** A request's buffer must be 512-byte aligned and a multiple of 512 bytes; it is
/// cut at page boundaries into segments (`first_sect`..`last_sect` of each page). Up to 11
/// segments travel in the ring slot; more need `feature-max-indirect-segments`, and then travel
/// in indirect pages (the engine's own, each granted read-only when first used and kept for
/// the connection).
///
/// **Grants.** Without `feature-persistent`, each data page is granted for its request (read-only
/// when the back end only reads it, i.e. for a disk write) and the grant is ended when the
/// response arrives. With it, a data page's grant is kept, in a table of `PersistentGrants`
/// frames, until the connection ends, so a front end that reuses its buffers pays no grant work
/// per request and the back end no map/unmap; an indirect page whose segment list is unchanged
/// (same buffer, all grants persistent) is not even rewritten. Grants beyond the table's
/// capacity fall back to per-request grants.
///
/// **Width and ring size.** The ring uses the blkif layout of the ABI `Abi` (by default the
/// compiling guest's own: an i386 kernel built with -m32 speaks the 108-byte i386 requests, an
/// x86_64 one the 112-byte ones) and announces it in `protocol` (`Abi::protocol`). A ring of
/// `2^RingOrder` pages (`ring-page-order`, one grant per page, `ring_ref(i)` for "ring-ref<i>")
/// holds more requests at once; the caller gives that many consecutive pages. If the back end's
/// `max-ring-page-order` is below `RingOrder`, the engine falls back to a one-page ring.
///
/// **Responses.** A response is matched to its request by `id` (slot and generation): a response
/// whose id names no outstanding request (stale, duplicated, forged) is counted in
/// `stats().bogus_responses` and ignored, so no request is ever completed twice.
///
/// **Reconnect.** When the back end goes away (xenbus state Closing/Closed, or it was restarted),
/// `detach()` completes whatever responses reached the old ring, ends every grant and keeps the
/// unanswered requests; `attach()` to the new back end re-grants a fresh ring and re-issues them
/// in their original submission order (a barrier is re-issued after the requests that preceded
/// it), so no acknowledged write is lost and no request is answered twice.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/abi/io/blkif.hpp>
#include <xenabi/abi/io/protocols.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>
#include <xenabi/ring.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// What the block front end needs from its kernel: granting frames to the back end and ending
/// those grants, the frame of an address, and a notification of the back end.
template <class E>
concept blkfront_env = requires(E& e, domain_id d, gfn f, bool ro, grant_ref r, const void* p) {
  { e.grant(d, f, ro) } -> std::same_as<result<grant_ref>>;
  { e.end_grant(r) } -> std::same_as<result<void>>;
  { e.frame_of(p) } -> std::same_as<gfn>;
  e.notify();
};

/// The blkif layouts of one ABI width, for `blkfront`: the request and response structures and
/// the `protocol` value that names them.
template <class Request, class Discard, class Indirect, class Response>
struct blkif_abi {
  using request = Request;             ///< `blkif_request` of this width.
  using request_discard = Discard;     ///< `blkif_request_discard` of this width.
  using request_indirect = Indirect;   ///< `blkif_request_indirect` of this width.
  using response = Response;           ///< `blkif_response` of this width.
};
/// The i386 block ABI ("x86_32-abi").
struct blkif_abi_x86_32 : blkif_abi<abi::blkif_x86_32_request, abi::blkif_x86_32_request_discard,
                                    abi::blkif_x86_32_request_indirect, abi::blkif_x86_32_response> {
  static constexpr const char* protocol = abi::XEN_IO_PROTO_ABI::X86_32;  ///< The `protocol` value.
};
/// The x86_64 block ABI ("x86_64-abi").
struct blkif_abi_x86_64 : blkif_abi<abi::blkif_x86_64_request, abi::blkif_x86_64_request_discard,
                                    abi::blkif_x86_64_request_indirect, abi::blkif_x86_64_response> {
  static constexpr const char* protocol = abi::XEN_IO_PROTO_ABI::X86_64;  ///< The `protocol` value.
};
#if defined(__x86_64__)
/// The compiling guest's own block ABI.
using blkif_abi_native = blkif_abi_x86_64;
#elif defined(__i386__)
using blkif_abi_native = blkif_abi_x86_32;
#else
#error "xenabi/blkfront.hpp: unsupported architecture"
#endif
static_assert(sizeof(blkif_abi_native::request) == (sizeof(void*) == 8 ? 112 : 108),
              "a guest speaks its own width's blkif layout");

/// What the back end offers, from its xenstore keys (see `blkif_xenstore`).
struct blkfront_features {
  u64 sectors = 0;                      ///< "sectors": disk size in 512-byte sectors.
  u32 sector_size = 512;                ///< "sector-size" (this engine requires 512).
  bool readonly = false;                ///< "info" has VDISK_READONLY (or "mode" is "r").
  bool barrier = false;                 ///< "feature-barrier".
  bool flush = false;                   ///< "feature-flush-cache".
  bool discard = false;                 ///< "feature-discard".
  bool persistent = false;              ///< "feature-persistent" (both ends must offer it).
  u32 max_indirect_segments = 0;        ///< "feature-max-indirect-segments" (0: none).
  u32 max_ring_page_order = 0;          ///< "max-ring-page-order" (0: one-page rings only).
};

/// Counters of one block front end.
struct blkfront_stats {
  u64 submitted = 0;        ///< Requests put on the ring (re-issues included).
  u64 completed = 0;        ///< Requests completed (callback called).
  u64 reissued = 0;         ///< Requests re-issued after a reconnect.
  u64 notifications = 0;    ///< Notifications sent to the back end.
  u64 grants = 0;           ///< Grants made (ring, indirect pages, data pages).
  u64 persistent_hits = 0;  ///< Data pages found already granted persistently.
  u64 indirect_reused = 0;  ///< Indirect requests whose segment pages needed no rewrite.
  u64 bogus_responses = 0;  ///< Responses naming no outstanding request (ignored).
  u64 busy_grants = 0;      ///< Grants the back end still mapped when ended (left granted).
};

/// A block front end over a `blkif` ring of `2^RingOrder` pages in the layout of \p Abi, with up
/// to \p MaxIndirectSegments segments per indirect request (0: direct requests only) and a
/// persistent-grant table of \p PersistentGrants frames (a power of two).
template <blkfront_env Env, u32 MaxIndirectSegments = 256, std::size_t PersistentGrants = 1024,
          unsigned RingOrder = 0, class Abi = blkif_abi_native>
class blkfront {
  static_assert(MaxIndirectSegments <= 8 * 512, "at most 8 indirect pages of 512 segments");
  static_assert(PersistentGrants != 0 && (PersistentGrants & (PersistentGrants - 1)) == 0,
                "the persistent-grant table size is a power of two");
  static_assert(RingOrder <= 4, "rings of at most 16 pages (Xen's back ends accept up to 2^4)");
  using request_t = typename Abi::request;
  using discard_t = typename Abi::request_discard;
  using indirect_t = typename Abi::request_indirect;
  using response_t = typename Abi::response;

 public:
  /// The block ABI (layouts and `protocol` value).
  using abi_type = Abi;
  /// The ring protocol at full size (`2^RingOrder` pages).
  using protocol = ring_protocol<request_t, response_t, abi::RING::PAGE_SIZE << RingOrder>;
  /// The one-page ring protocol (used when the back end offers no larger ring).
  using protocol_one_page = ring_protocol<request_t, response_t>;
  /// Pages of the full-size ring (the caller provides this many consecutive pages).
  static constexpr u32 ring_pages = 1u << RingOrder;
  /// Requests that can be outstanding at once (slots of the full-size ring).
  static constexpr u32 slots = protocol::size;
  /// Indirect pages per request slot.
  static constexpr u32 indirect_pages_per_request = (MaxIndirectSegments + 511) / 512;
  /// Indirect pages the caller provides (`slots * indirect_pages_per_request`).
  static constexpr u32 indirect_pages = slots * indirect_pages_per_request;
  /// Most segments of one request.
  static constexpr u32 max_segments =
      MaxIndirectSegments > abi::BLKIF::MAX_SEGMENTS_PER_REQUEST ? MaxIndirectSegments
                                                                 : abi::BLKIF::MAX_SEGMENTS_PER_REQUEST;
  /// A 4 KiB page.
  struct alignas(4096) page {
    unsigned char bytes[4096];  ///< Its bytes.
  };

  /// An engine using \p env, the ring pages from \p ring (`ring_pages` consecutive pages) and
  /// the indirect pages \p ind (`indirect_pages` of them; may be null when MaxIndirectSegments
  /// is 0). Detached.
  constexpr blkfront(Env& env, page& ring, page* ind) noexcept : env_(env), ring_page_(&ring), ind_(ind) {}

  /// Connects to the back end in domain \p backend offering \p f: initialises a fresh shared
  /// ring (`2^RingOrder` pages if `f.max_ring_page_order` allows, else one), grants its pages,
  /// re-issues the requests left unanswered by a previous connection (in submission order) and
  /// returns the first page's grant reference ("ring-ref"; `ring_order()` and `ring_ref(i)` give
  /// the rest). Fails (detached) if a grant cannot be made or the sector size is not 512.
  /// A left-over request the new back end cannot take (it needs indirect segments no longer
  /// offered, or a grant fails) completes with `BLKIF_RSP_ERROR` through \p on_complete.
  template <class F>
  [[nodiscard]] constexpr result<grant_ref> attach(domain_id backend, const blkfront_features& f,
                                                   F&& on_complete) noexcept {
    if (attached_) return errc::eisconn;
    if (f.sector_size != 512) return errc::einval;
    be_ = backend;
    f_ = f;
    if (f_.max_indirect_segments > MaxIndirectSegments) f_.max_indirect_segments = MaxIndirectSegments;
    if (ind_ == nullptr) f_.max_indirect_segments = 0;
    for (auto& b : pgrant_) b.key = 0;
    pcount_ = 0;
    order_ = f.max_ring_page_order >= RingOrder ? RingOrder : 0;
    if constexpr (RingOrder != 0) {
      if (order_ == 0) {
        small_ = front_ring<protocol_one_page>::init(*reinterpret_cast<typename protocol_one_page::shared_ring*>(ring_page_));
        active_slots_ = protocol_one_page::size;
      }
    }
    if (order_ == RingOrder) {
      front_ = front_ring<protocol>::init(*reinterpret_cast<typename protocol::shared_ring*>(ring_page_));
      active_slots_ = slots;
    }
    for (u32 i = 0; i < (1u << order_); ++i) {
      auto r = grant_page(ring_page_[i].bytes, false);
      if (!r) {
        for (u32 j = 0; j < i; ++j) (void)env_.end_grant(ring_ref_[j]);
        return r.error();
      }
      ring_ref_[i] = r.value();
    }
    for (auto& g : ind_granted_) g = false;  // indirect pages are granted when first used
    for (auto& s : shadow_) s.ind_valid = false;
    attached_ = true;
    // Re-issue what the previous back end left unanswered, oldest first.
    for (;;) {
      shadow_entry* next = nullptr;
      for (auto& s : shadow_)
        if (s.state == slot_state::orphaned && (next == nullptr || s.seq < next->seq)) next = &s;
      if (next == nullptr) break;
      ++stats_.reissued;
      if (!issue(*next)) {
        const u64 cookie = next->cookie;
        complete(*next, static_cast<s16>(abi::BLKIF_RSP::ERROR));
        on_complete(cookie, static_cast<s16>(abi::BLKIF_RSP::ERROR));
      }
    }
    publish();
    return ring_ref_[0];
  }
  /// `attach` for a front end with no requests left from a previous connection.
  [[nodiscard]] constexpr result<grant_ref> attach(domain_id backend, const blkfront_features& f) noexcept {
    return attach(backend, f, [](u64, s16) {});
  }

  /// Disconnects from the back end (it went away, or is about to be replaced): completes the
  /// responses already on the ring, ends every grant (ring, indirect pages, persistent and
  /// per-request data grants) and keeps the unanswered requests for the next `attach()`.
  /// Returns `errc::ebusy` if the back end still mapped some grant (those stay granted and are
  /// counted in `stats().busy_grants`; a back end that was killed holds none).
  template <class F>
  constexpr result<void> detach(F&& on_complete) noexcept {
    if (!attached_) return {};
    (void)poll(on_complete);
    return end_all();
  }
  /// `detach` without completing the responses already on the ring (they are re-issued).
  constexpr result<void> detach() noexcept {
    if (!attached_) return {};
    return end_all();
  }

  /// True while attached to a back end.
  [[nodiscard]] constexpr bool attached() const noexcept { return attached_; }
  /// The features in effect.
  [[nodiscard]] constexpr const blkfront_features& features() const noexcept { return f_; }
  /// The grant reference of the ring's first page (while attached).
  [[nodiscard]] constexpr grant_ref ring_ref() const noexcept { return ring_ref_[0]; }
  /// The grant reference of the ring's page \p i (< `2^ring_order()`), for "ring-ref<i>".
  [[nodiscard]] constexpr grant_ref ring_ref(u32 i) const noexcept { return ring_ref_[i < ring_pages ? i : 0]; }
  /// The ring's page order in use (while attached): `RingOrder`, or 0 after a fallback.
  [[nodiscard]] constexpr u32 ring_order() const noexcept { return order_; }
  /// Ring slots in use (while attached).
  [[nodiscard]] constexpr u32 ring_slots() const noexcept { return active_slots_; }
  /// The counters.
  [[nodiscard]] constexpr const blkfront_stats& stats() const noexcept { return stats_; }
  /// Requests submitted and not completed (on the ring, or waiting to be re-issued).
  [[nodiscard]] constexpr u32 outstanding() const noexcept {
    u32 n = 0;
    for (const auto& s : shadow_) n += s.state != slot_state::free ? 1u : 0u;
    return n;
  }
  /// True if another request can be submitted now.
  [[nodiscard]] constexpr bool can_submit() const noexcept { return attached_ && free_slot() != nullptr; }
  /// Bytes one request can carry with the features in effect.
  [[nodiscard]] constexpr u32 max_request_bytes() const noexcept {
    const u32 segs = f_.max_indirect_segments > abi::BLKIF::MAX_SEGMENTS_PER_REQUEST
                         ? f_.max_indirect_segments
                         : u32{abi::BLKIF::MAX_SEGMENTS_PER_REQUEST};
    return segs * 4096u;
  }

  /// Reads \p bytes from sector \p sector into \p buf; \p cookie is handed back on completion.
  constexpr result<void> read(u64 sector, void* buf, u32 bytes, u64 cookie) noexcept {
    return submit(abi::BLKIF_OP::READ, sector, buf, bytes, cookie);
  }
  /// Writes \p bytes from \p buf at sector \p sector.
  constexpr result<void> write(u64 sector, const void* buf, u32 bytes, u64 cookie) noexcept {
    return submit(abi::BLKIF_OP::WRITE, sector, const_cast<void*>(buf), bytes, cookie);
  }
  /// A write barrier: every request submitted before it completes and is durable before it is
  /// performed, and it is durable before any later request starts. \p bytes may be 0 (a pure
  /// barrier). Needs "feature-barrier" (`errc::eopnotsupp` otherwise).
  constexpr result<void> barrier_write(u64 sector, const void* buf, u32 bytes, u64 cookie) noexcept {
    if (!f_.barrier) return errc::eopnotsupp;
    return submit(abi::BLKIF_OP::WRITE_BARRIER, sector, const_cast<void*>(buf), bytes, cookie);
  }
  /// A cache flush: completed writes are durable when it completes. Needs "feature-flush-cache".
  constexpr result<void> flush(u64 cookie) noexcept {
    if (!f_.flush) return errc::eopnotsupp;
    return submit(abi::BLKIF_OP::FLUSH_DISKCACHE, 0, nullptr, 0, cookie);
  }
  /// Discards \p count sectors from \p sector. Needs "feature-discard".
  constexpr result<void> discard(u64 sector, u64 count, u64 cookie) noexcept {
    if (!f_.discard) return errc::eopnotsupp;
    if (!attached_) return errc::enotconn;
    shadow_entry* s = free_slot();
    if (s == nullptr) return errc::eagain;
    begin(*s, abi::BLKIF_OP::DISCARD, sector, nullptr, 0, cookie);
    s->discard_count = count;
    if (!issue(*s)) {
      s->state = slot_state::free;
      return errc::einval;
    }
    return {};
  }

  /// Publishes the requests submitted since the last call and notifies the back end if it asked
  /// for it (one notification per batch).
  constexpr void publish() noexcept {
    if (!attached_) return;
    const bool notify = with_ring([](auto& fr) { return fr.unpushed_requests() != 0 && fr.push_requests(); });
    if (notify) {
      ++stats_.notifications;
      env_.notify();
    }
  }

  /// Consumes the responses on the ring, calling `on_complete(cookie, status)` for each
  /// completed request (status a `BLKIF_RSP` value); returns how many, or `errc::eoverflow` if
  /// the back end's response index is corrupt (then detach: the connection is unusable).
  /// When the ring is empty, re-arms the response event (final check) so that the back end
  /// notifies at the \p wake_after -th next response (at most the requests on the ring, at
  /// least 1): a caller that waits for a batch of completions is woken once for the batch
  /// instead of once per response.
  template <class F>
  constexpr result<u32> poll(F&& on_complete, u32 wake_after = 1) noexcept {
    if (!attached_) return u32{0};
    u32 done = 0;
    for (;;) {
      auto n = with_ring([&](auto& fr) { return fr.consume_responses([&](const response_t& r) {
        const u64 id = r.id;
        const u32 idx = static_cast<u32>(id & 0xffff);
        if (idx >= slots || shadow_[idx].state != slot_state::on_ring || shadow_[idx].gen != (id >> 16)) {
          ++stats_.bogus_responses;
          return;
        }
        shadow_entry& s = shadow_[idx];
        const u64 cookie = s.cookie;
        complete(s, r.status);
        ++done;
        on_complete(cookie, static_cast<s16>(r.status));
      }); });
      if (!n) return n.error();
      auto more = with_ring([&](auto& fr) { return final_check(fr, wake_after); });
      if (!more) return more.error();
      if (!more.value()) break;
    }
    return done;
  }

 private:
  enum class slot_state : u8 { free, on_ring, orphaned };
  struct shadow_entry {
    slot_state state = slot_state::free;
    abi::BLKIF_OP op = abi::BLKIF_OP::READ;
    bool ind_valid = false;      // the slot's indirect pages hold ind_buf/ind_bytes' segments
    u32 bytes = 0;
    u32 ngrants = 0;             // per-request grants in `grants`
    u64 gen = 0;
    u64 seq = 0;
    u64 cookie = 0;
    u64 sector = 0;
    u64 discard_count = 0;
    unsigned char* buf = nullptr;
    unsigned char* ind_buf = nullptr;
    u32 ind_bytes = 0;
    grant_ref grants[max_segments]{};
  };
  struct pgrant_bucket {
    u64 key = 0;  // gfn + 1; 0: empty
    grant_ref ref{};
  };

  // Runs \p f on the front ring in use (the full-size one, or the one-page fallback).
  template <class F>
  constexpr decltype(auto) with_ring(F&& f) noexcept {
    if constexpr (RingOrder != 0) {
      if (order_ == 0) return f(small_);
    }
    return f(front_);
  }

  // RING_FINAL_CHECK_FOR_RESPONSES with the event \p k responses ahead (1: the next one). The
  // event is never beyond the last request on the ring, so the notification cannot be lost.
  template <class Ring>
  static constexpr result<bool> final_check(Ring& fr, u32 k) noexcept {
    auto n = fr.unconsumed_responses();
    if (!n) return n.error();
    if (n.value() != 0) return true;
    const RING_IDX on_ring = fr.outstanding_requests();
    if (k > on_ring) k = on_ring;
    if (k == 0) k = 1;
    write_once(fr.shared()->rsp_event, static_cast<RING_IDX>(fr.rsp_cons() + k));
    mb();
    n = fr.unconsumed_responses();
    if (!n) return n.error();
    return n.value() != 0;
  }

  // Shadow entries [0, active_slots_) are usable: at most as many requests as the ring holds.
  constexpr shadow_entry* free_slot() const noexcept {
    for (u32 i = 0; i < active_slots_; ++i)
      if (shadow_[i].state == slot_state::free) return const_cast<shadow_entry*>(&shadow_[i]);
    return nullptr;
  }

  // A free slot, preferring one whose indirect pages already list \p buf's segments.
  // The scan starts after the slot taken last: requests complete roughly in submission order, so
  // the next free slot is usually the first one looked at (guest code that emulates each
  // instruction should not walk every slot per request).
  constexpr shadow_entry* free_slot_for(unsigned char* buf, u32 bytes) noexcept {
    shadow_entry* any = nullptr;
    u32 i = next_slot_ < active_slots_ ? next_slot_ : 0;
    for (u32 n = 0; n < active_slots_; ++n, i = i + 1 == active_slots_ ? 0 : i + 1) {
      auto& s = shadow_[i];
      if (s.state != slot_state::free) continue;
      if (s.ind_valid && s.ind_buf == buf && s.ind_bytes == bytes) {
        next_slot_ = i + 1;
        return &s;
      }
      if (any == nullptr) any = &s;
    }
    if (any != nullptr) next_slot_ = static_cast<u32>(any - shadow_) + 1;
    return any;
  }

  constexpr result<void> submit(abi::BLKIF_OP op, u64 sector, void* buf, u32 bytes, u64 cookie) noexcept {
    if (!attached_) return errc::enotconn;
    const auto addr = reinterpret_cast<std::uintptr_t>(buf);
    if ((addr % 512) != 0 || (bytes % 512) != 0) return errc::einval;
    if (bytes == 0 && (op == abi::BLKIF_OP::READ || op == abi::BLKIF_OP::WRITE)) return errc::einval;
    if (op != abi::BLKIF_OP::READ && f_.readonly) return errc::erofs;
    const u32 segs = segments_of(addr, bytes);
    if (segs > abi::BLKIF::MAX_SEGMENTS_PER_REQUEST &&
        (op != abi::BLKIF_OP::READ && op != abi::BLKIF_OP::WRITE))
      return errc::e2big;  // barriers and flushes travel in the ring slot
    if (segs > abi::BLKIF::MAX_SEGMENTS_PER_REQUEST && segs > f_.max_indirect_segments) return errc::e2big;
    shadow_entry* s = free_slot_for(static_cast<unsigned char*>(buf), bytes);
    if (s == nullptr) return errc::eagain;
    begin(*s, op, sector, static_cast<unsigned char*>(buf), bytes, cookie);
    if (!issue(*s)) {
      s->state = slot_state::free;
      return errc::enospc;
    }
    return {};
  }

  static constexpr u32 segments_of(std::uintptr_t addr, u32 bytes) noexcept {
    if (bytes == 0) return 0;
    const std::uintptr_t first = addr / 4096, last = (addr + bytes - 1) / 4096;
    return static_cast<u32>(last - first + 1);
  }

  constexpr void begin(shadow_entry& s, abi::BLKIF_OP op, u64 sector, unsigned char* buf, u32 bytes,
                       u64 cookie) noexcept {
    s.op = op;
    s.sector = sector;
    s.buf = buf;
    s.bytes = bytes;
    s.cookie = cookie;
    s.seq = ++seq_;
    s.ngrants = 0;
    s.discard_count = 0;
  }

  // Puts \p s on the ring (a free slot exists: at most `ring_slots()` requests are outstanding).
  // False (nothing on the ring, no grant left) if a grant cannot be made, the request no longer
  // fits the features or the ring is full (after a reconnect to a smaller ring).
  constexpr bool issue(shadow_entry& s) noexcept {
    if (with_ring([](auto& fr) { return fr.full(); })) return false;
    const u32 idx = static_cast<u32>(&s - shadow_);
    s.gen = (s.gen + 1) & 0x0000ffffffffffffu;
    const u64 id = (s.gen << 16) | idx;
    s.ngrants = 0;
    if (s.op == abi::BLKIF_OP::DISCARD) {
      discard_t d{};
      d.operation = static_cast<u8>(abi::BLKIF_OP::DISCARD);
      d.id = id;
      d.sector_number = s.sector;
      d.nr_sectors = s.discard_count;
      return put_on_ring(s, d);
    }
    const std::uintptr_t addr = reinterpret_cast<std::uintptr_t>(s.buf);
    const u32 segs = segments_of(addr, s.bytes);
    const bool disk_write = s.op != abi::BLKIF_OP::READ;
    if (segs <= abi::BLKIF::MAX_SEGMENTS_PER_REQUEST) {
      request_t r{};
      r.id = id;
      r.sector_number = s.sector;
      r.operation = static_cast<u8>(s.op);
      r.nr_segments = static_cast<u8>(segs);
      bool all_persistent = true;
      for (u32 i = 0; i < segs; ++i)
        if (!segment(s, addr, s.bytes, i, disk_write, r.seg[i], all_persistent)) return undo(s);
      return put_on_ring(s, r);
    }
    if (segs > f_.max_indirect_segments) return false;
    indirect_t ind{};
    ind.operation = static_cast<u8>(abi::BLKIF_OP::INDIRECT);
    ind.indirect_op = static_cast<u8>(s.op);
    ind.nr_segments = static_cast<u16>(segs);
    ind.id = id;
    ind.sector_number = s.sector;
    const u32 npages = (segs + 511) / 512;
    for (u32 p = 0; p < npages; ++p) {
      const u32 k = idx * indirect_pages_per_request + p;
      if (!ind_granted_[k]) {
        auto g = grant_page(ind_[k].bytes, true);  // the back end only reads the segment list
        if (!g) return false;
        ind_ref_[k] = g.value();
        ind_granted_[k] = true;
      }
      ind.indirect_grefs[p] = ind_ref_[k].value();
    }
    if (s.ind_valid && s.ind_buf == s.buf && s.ind_bytes == s.bytes) {
      ++stats_.indirect_reused;  // the same persistent grants are already listed
    } else {
      s.ind_valid = false;
      bool all_persistent = true;
      for (u32 i = 0; i < segs; ++i) {
        auto* list = reinterpret_cast<abi::blkif_request_segment*>(
            ind_[idx * indirect_pages_per_request + i / 512].bytes);
        if (!segment(s, addr, s.bytes, i, disk_write, list[i % 512], all_persistent)) return undo(s);
      }
      if (all_persistent) {
        s.ind_valid = true;
        s.ind_buf = s.buf;
        s.ind_bytes = s.bytes;
      }
    }
    return put_on_ring(s, ind);
  }

  // Segment \p i of the buffer at \p addr: its grant and sector range.
  constexpr bool segment(shadow_entry& s, std::uintptr_t addr, u32 bytes, u32 i, bool disk_write,
                         abi::blkif_request_segment& out, bool& all_persistent) noexcept {
    const std::uintptr_t page0 = addr & ~std::uintptr_t{4095};
    const std::uintptr_t pg = page0 + std::uintptr_t{i} * 4096;
    const std::uintptr_t lo = i == 0 ? addr : pg;
    const std::uintptr_t end = addr + bytes;
    const std::uintptr_t hi = end < pg + 4096 ? end : pg + 4096;
    const void* page_ptr = reinterpret_cast<const void*>(pg);
    grant_ref ref{};
    bool persistent = false;
    if (f_.persistent) {
      auto p = persistent_grant(page_ptr);
      if (p) {
        ref = p.value();
        persistent = true;
      }
    }
    if (!persistent) {
      // A disk write only needs the back end to read the page.
      auto g = env_.grant(be_, env_.frame_of(page_ptr), disk_write);
      if (!g) return false;
      ++stats_.grants;
      ref = g.value();
      s.grants[s.ngrants++] = ref;
      all_persistent = false;
    }
    out.gref = ref.value();
    out.first_sect = static_cast<u8>((lo - pg) / 512);
    out.last_sect = static_cast<u8>((hi - pg) / 512 - 1);
    return true;
  }

  // The persistent grant of the page at \p p (granting it if new); fails if the table is full.
  constexpr result<grant_ref> persistent_grant(const void* p) noexcept {
    const u64 key = env_.frame_of(p).value() + 1;
    std::size_t h = static_cast<std::size_t>((key * 0x9e3779b97f4a7c15u) >> 40) & (PersistentGrants - 1);
    for (std::size_t probe = 0; probe < PersistentGrants; ++probe, h = (h + 1) & (PersistentGrants - 1)) {
      if (pgrant_[h].key == key) {
        ++stats_.persistent_hits;
        return pgrant_[h].ref;
      }
      if (pgrant_[h].key == 0) {
        if (pcount_ * 4 >= PersistentGrants * 3) return errc::enospc;  // keep probes short
        auto g = env_.grant(be_, gfn{key - 1}, false);
        if (!g) return g.error();
        ++stats_.grants;
        pgrant_[h].key = key;
        pgrant_[h].ref = g.value();
        ++pcount_;
        return g.value();
      }
    }
    return errc::enospc;
  }

  constexpr result<grant_ref> grant_page(const void* p, bool readonly) noexcept {
    auto g = env_.grant(be_, env_.frame_of(p), readonly);
    if (g) ++stats_.grants;
    return g;
  }

  // Copies \p r (a request, or a discard or indirect request, which are shorter) into the next
  // ring slot: only its own bytes, no zeroed remainder of the slot.
  template <class R>
  constexpr bool put_on_ring(shadow_entry& s, const R& r) noexcept {
    static_assert(sizeof(R) <= sizeof(request_t));
    with_ring([&](auto& fr) { copy_object(&fr.claim_request(), r); });
    s.state = slot_state::on_ring;
    ++stats_.submitted;
    return true;
  }
  // Ends the grants made for a request that could not be put on the ring.
  constexpr bool undo(shadow_entry& s) noexcept {
    end_request_grants(s);
    return false;
  }

  constexpr void end_request_grants(shadow_entry& s) noexcept {
    for (u32 i = 0; i < s.ngrants; ++i)
      if (!env_.end_grant(s.grants[i])) ++stats_.busy_grants;
    s.ngrants = 0;
  }

  constexpr void complete(shadow_entry& s, s16 status) noexcept {
    (void)status;
    end_request_grants(s);
    s.state = slot_state::free;
    ++stats_.completed;
  }

  constexpr result<void> end_all() noexcept {
    bool busy = false;
    for (auto& s : shadow_) {
      if (s.state == slot_state::on_ring) s.state = slot_state::orphaned;
      for (u32 i = 0; i < s.ngrants; ++i)
        if (!env_.end_grant(s.grants[i])) {
          ++stats_.busy_grants;
          busy = true;
        }
      s.ngrants = 0;
      s.ind_valid = false;
    }
    for (auto& b : pgrant_)
      if (b.key != 0) {
        if (!env_.end_grant(b.ref)) {
          ++stats_.busy_grants;
          busy = true;
        }
        b.key = 0;
      }
    pcount_ = 0;
    for (u32 i = 0; i < (indirect_pages == 0 ? 0u : indirect_pages); ++i)
      if (ind_granted_[i]) {
        if (!env_.end_grant(ind_ref_[i])) {
          ++stats_.busy_grants;
          busy = true;
        }
        ind_granted_[i] = false;
      }
    for (u32 i = 0; i < (1u << order_); ++i)
      if (!env_.end_grant(ring_ref_[i])) {
        ++stats_.busy_grants;
        busy = true;
      }
    attached_ = false;
    if (busy) return errc::ebusy;
    return {};
  }

  // A small fixed-size copy, inlined as word moves (guest code that emulates each instruction
  // should not pay a byte loop per request).
  template <class T>
  static constexpr void copy_object(void* dst, const T& src) noexcept {
    __builtin_memcpy(dst, &src, sizeof(T));
  }

  // The one-page fallback ring (unused, and of no size, when RingOrder is 0).
  struct no_ring {};
  using small_ring = std::conditional_t<RingOrder != 0, front_ring<protocol_one_page>, no_ring>;

  Env& env_;
  page* ring_page_;
  page* ind_;
  domain_id be_{};
  blkfront_features f_{};
  bool attached_ = false;
  u32 order_ = 0;
  u32 active_slots_ = slots;
  u32 next_slot_ = 0;  // where free_slot_for starts looking
  front_ring<protocol> front_{};
  [[no_unique_address]] small_ring small_{};
  grant_ref ring_ref_[ring_pages]{};
  grant_ref ind_ref_[indirect_pages == 0 ? 1 : indirect_pages]{};
  bool ind_granted_[indirect_pages == 0 ? 1 : indirect_pages]{};
  u64 seq_ = 0;
  shadow_entry shadow_[slots]{};
  pgrant_bucket pgrant_[PersistentGrants]{};
  std::size_t pcount_ = 0;
  blkfront_stats stats_{};
};

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
