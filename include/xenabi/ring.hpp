/// \file
/// Shared request/response rings: the front and back endpoints of Xen's `io/ring.h` protocol
/// over the shared page `abi::sring`, and the descriptors of the standard protocols.
///
/// A protocol is a `ring_protocol<Req, Rsp, Bytes>`: the request and response types and the
/// ring's size in bytes (one page unless the protocol negotiates more). Its slot count is the
/// largest power of two that fits after the 64-byte header, computed at compile time, and the
/// shared page is byte-for-byte Xen's for the same types, so either end may be Xen's C macros.
///
/// \code
/// using proto = xenabi::blkif_ring;                  // 32 slots of 112 bytes (x86_64)
/// auto front = xenabi::front_ring<proto>::init(*page);  // SHARED_RING_INIT + FRONT_RING_INIT
/// front.claim_request() = make_read(...);            // RING_GET_REQUEST(req_prod_pvt++)
/// if (front.push_requests()) notify_backend();        // RING_PUSH_REQUESTS_AND_CHECK_NOTIFY
///
/// auto back = xenabi::back_ring<proto>::attach(*mapped, 0);
/// do {
///   auto n = back.consume_requests([&](const abi::blkif_request& r) { serve(r); });
///   if (!n) return disconnect(n.error());            // the front end lied about req_prod
/// } while (back.final_check_for_requests().value_or(false));
/// \endcode
///
/// **Indices** are free-running 32-bit counters compared only by unsigned difference, so every
/// operation is correct across wraparound at 2^32.
///
/// **Notification rule** (Xen's): after publishing a new producer index `new` over `old`, a
/// write barrier orders the slots before the index, a full barrier orders the index store before
/// the read of the peer's event index, and the peer is notified iff
/// `(RING_IDX)(new - event) < (RING_IDX)(new - old)`. A consumer about to sleep runs the
/// *final check*: it sets its event index to consumer + 1, issues a full barrier and looks again.
///
/// **Hostile peers.** Only the peer's producer index and event index are read from the shared
/// header, each once per operation. A producer index that claims more unconsumed entries than
/// can exist (more requests than free slots, more responses than outstanding requests, or an
/// index that moved backwards) is reported as `errc::eoverflow` and nothing is consumed; a back
/// end should then disconnect the front end. Each request or response is copied out of shared
/// memory exactly once before it is handed to the caller (no double fetch), and slot indices are
/// always masked, so nothing outside the slot array is ever read or written whatever the peer
/// writes.
///
/// Everything is `constexpr`: under constant evaluation the same code runs without barriers or
/// atomic accesses, which is how the unit tests prove protocol scenarios at compile time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/abi/io/blkif.hpp>
#include <xenabi/abi/io/netif.hpp>
#include <xenabi/abi/io/ring.hpp>
#include <xenabi/core/barrier.hpp>
#include <xenabi/core/contract.hpp>
#include <xenabi/core/errno.hpp>
#include <xenabi/core/result.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// Xen's `RING_IDX`, in the xenabi namespace.
using abi::RING_IDX;

/// The index arithmetic of the ring protocol, as pure functions (all modulo 2^32).
namespace ring_math {

/// `to - from` modulo 2^32: how far a free-running index has advanced.
[[nodiscard]] constexpr RING_IDX distance(RING_IDX from, RING_IDX to) noexcept {
  return static_cast<RING_IDX>(to - from);
}

/// The slot of index \p idx in a ring of \p size slots (a power of two).
[[nodiscard]] constexpr RING_IDX slot(RING_IDX idx, RING_IDX size) noexcept {
  return idx & static_cast<RING_IDX>(size - 1);
}

/// Xen's notification rule: a producer that moved its index from \p old_prod to \p new_prod
/// must notify iff the peer's \p event index lies in `(old_prod, new_prod]`.
[[nodiscard]] constexpr bool need_notify(RING_IDX old_prod, RING_IDX new_prod,
                                         RING_IDX event) noexcept {
  return distance(event, new_prod) < distance(old_prod, new_prod);
}

/// Free request slots seen by a front end (Xen's `RING_FREE_REQUESTS`).
[[nodiscard]] constexpr RING_IDX free_requests(RING_IDX size, RING_IDX req_prod_pvt,
                                               RING_IDX rsp_cons) noexcept {
  return static_cast<RING_IDX>(size - distance(rsp_cons, req_prod_pvt));
}

/// True if a back end that has consumed up to \p req_cons and answered up to \p rsp_prod_pvt
/// can believe a producer index \p req_prod: it has not moved back past \p req_cons, and the
/// unanswered requests it implies fit in the ring.
[[nodiscard]] constexpr bool plausible_req_prod(RING_IDX size, RING_IDX req_prod,
                                                RING_IDX req_cons,
                                                RING_IDX rsp_prod_pvt) noexcept {
  const RING_IDX claimed = distance(rsp_prod_pvt, req_prod);
  return claimed <= size && distance(rsp_prod_pvt, req_cons) <= claimed;
}

/// True if a front end that has published requests up to \p req_prod and consumed responses
/// up to \p rsp_cons can believe a response producer index \p rsp_prod: no more responses than
/// published requests, and no move backwards.
[[nodiscard]] constexpr bool plausible_rsp_prod(RING_IDX rsp_prod, RING_IDX rsp_cons,
                                                RING_IDX req_prod) noexcept {
  return distance(rsp_cons, rsp_prod) <= distance(rsp_cons, req_prod);
}

}  // namespace ring_math

/// A ring protocol: requests \p Req, responses \p Rsp, a shared ring of \p Bytes bytes.
template <class Req, class Rsp, std::size_t Bytes = abi::RING::PAGE_SIZE>
struct ring_protocol {
  using request_type = Req;   ///< What the front end sends.
  using response_type = Rsp;  ///< What the back end answers.
  /// The shared page layout (Xen's `name_sring`).
  using shared_ring = abi::sring<Req, Rsp, Bytes>;
  /// Slots in the ring: the largest power of two that fits after the header.
  static constexpr RING_IDX size = shared_ring::slots;
  /// Bytes the shared ring may occupy.
  static constexpr std::size_t bytes = Bytes;
  static_assert(size != 0 && (size & (size - 1)) == 0, "slot count is a power of two");
};

/// The block protocol for the compiling guest's width (32 slots).
using blkif_ring = ring_protocol<abi::blkif_request, abi::blkif_response>;
/// The block protocol as an i386 front end speaks it (32 slots of 108 bytes).
using blkif_x86_32_ring = ring_protocol<abi::blkif_x86_32_request, abi::blkif_x86_32_response>;
/// The block protocol as an x86_64 front end speaks it (32 slots of 112 bytes).
using blkif_x86_64_ring = ring_protocol<abi::blkif_x86_64_request, abi::blkif_x86_64_response>;
/// The network transmit protocol (256 slots).
using netif_tx_ring = ring_protocol<abi::netif_tx_request, abi::netif_tx_response>;
/// The network receive protocol (256 slots).
using netif_rx_ring = ring_protocol<abi::netif_rx_request, abi::netif_rx_response>;
/// The network control protocol (128 slots).
using netif_ctrl_ring = ring_protocol<abi::xen_netif_ctrl_request, abi::xen_netif_ctrl_response>;
static_assert(blkif_ring::size == 32);
static_assert(blkif_x86_32_ring::size == 32 && blkif_x86_64_ring::size == 32);
static_assert(netif_tx_ring::size == 256);
static_assert(netif_rx_ring::size == 256);
static_assert(netif_ctrl_ring::size == 128);

/// \cond XENABI_INTERNAL
namespace detail::ring {
// Copies a slot out of shared memory exactly once. The empty asm claims to read and rewrite the
// private copy, so the compiler must complete the whole copy before it and can only take the
// copy's bytes from the copy afterwards, never by re-reading the slot (no double fetch), while
// unrelated variables stay in registers (unlike a full "memory" clobber).
template <class T>
constexpr void copy_out(T& dst, const T& shared) noexcept {
  if (std::is_constant_evaluated()) {
    dst = shared;
    return;
  }
  __builtin_memcpy(&dst, &shared, sizeof dst);
  __asm__ __volatile__("" : "+m"(dst));
}
}  // namespace detail::ring
/// \endcond

/// The front end of a ring (Xen's `name_front_ring`): produces requests, consumes responses.
///
/// Holds a pointer to the shared page and its private indices; copying it copies that view
/// (only one copy may be used). Operations that read the back end's indices return `result`
/// and fail with `errc::eoverflow` if those indices are implausible.
template <class Protocol>
class front_ring {
 public:
  using protocol = Protocol;                                 ///< The protocol.
  using request_type = typename Protocol::request_type;     ///< Request type.
  using response_type = typename Protocol::response_type;   ///< Response type.
  using shared_ring = typename Protocol::shared_ring;       ///< Shared page type.
  /// Slots in the ring.
  static constexpr RING_IDX size = Protocol::size;

  /// A detached front end (attach before use).
  constexpr front_ring() noexcept = default;

  /// Initialises the shared page (Xen's `SHARED_RING_INIT`) and returns a front end at index 0
  /// (`FRONT_RING_INIT`).
  [[nodiscard]] static constexpr front_ring init(shared_ring& s) noexcept {
    abi::shared_ring_init(s);
    return front_ring(s, 0);
  }
  /// A front end for a ring whose indices are all at \p start (`FRONT_RING_ATTACH`), e.g.
  /// after a restore.
  [[nodiscard]] static constexpr front_ring attach(shared_ring& s, RING_IDX start) noexcept {
    return front_ring(s, start);
  }

  /// The shared page.
  [[nodiscard]] constexpr shared_ring* shared() const noexcept { return s_; }
  /// Private request producer: the index of the next request slot to claim.
  [[nodiscard]] constexpr RING_IDX req_prod_pvt() const noexcept { return req_prod_pvt_; }
  /// Private response consumer: the index of the next response to consume.
  [[nodiscard]] constexpr RING_IDX rsp_cons() const noexcept { return rsp_cons_; }

  /// Request slots that can still be claimed (`RING_FREE_REQUESTS`).
  [[nodiscard]] constexpr RING_IDX free_requests() const noexcept {
    return ring_math::free_requests(size, req_prod_pvt_, rsp_cons_);
  }
  /// True if no request slot is free (`RING_FULL`).
  [[nodiscard]] constexpr bool full() const noexcept { return free_requests() == 0; }
  /// True if every slot is free: nothing claimed, nothing awaiting or holding a response.
  [[nodiscard]] constexpr bool empty() const noexcept { return free_requests() == size; }
  /// Requests claimed but not yet pushed.
  [[nodiscard]] constexpr RING_IDX unpushed_requests() const noexcept {
    return ring_math::distance(req_pub_, req_prod_pvt_);
  }
  /// Requests pushed whose responses have not been consumed yet.
  [[nodiscard]] constexpr RING_IDX outstanding_requests() const noexcept {
    return ring_math::distance(rsp_cons_, req_pub_);
  }

  /// Claims the next request slot and returns it for filling (`RING_GET_REQUEST` at
  /// `req_prod_pvt++`). The back end sees it after `push_requests`. Precondition: `!full()`.
  [[nodiscard]] constexpr request_type& claim_request() noexcept {
    XENABI_EXPECTS(!full());
    return next_request_slot();
  }
  /// Copies \p r into the next request slot; false (and nothing done) if the ring is full.
  constexpr bool produce_request(const request_type& r) noexcept {
    if (full()) return false;
    claim_request() = r;
    return true;
  }
  /// Claims up to \p n slots, calling `fill(request_type&)` on each in order; returns how many
  /// were claimed (fewer than \p n if the ring fills).
  template <class F>
  constexpr RING_IDX produce_requests(RING_IDX n, F&& fill) noexcept {
    const RING_IDX k = n < free_requests() ? n : free_requests();
    for (RING_IDX i = 0; i < k; ++i) fill(next_request_slot());  // k slots are free
    return k;
  }

  /// Publishes the claimed requests and says whether the back end must be notified
  /// (`RING_PUSH_REQUESTS_AND_CHECK_NOTIFY`).
  [[nodiscard]] constexpr bool push_requests() noexcept {
    const RING_IDX old_prod = req_pub_;
    const RING_IDX new_prod = req_prod_pvt_;
    wmb();  // the back end sees the requests before the index
    write_once(s_->req_prod, new_prod);
    req_pub_ = new_prod;
    mb();   // ... and the index before we read req_event
    return ring_math::need_notify(old_prod, new_prod, read_once(s_->req_event));
  }
  /// Publishes the claimed requests without the notification check (`RING_PUSH_REQUESTS`).
  constexpr void push_requests_no_notify() noexcept {
    wmb();
    write_once(s_->req_prod, req_prod_pvt_);
    req_pub_ = req_prod_pvt_;
  }

  /// Responses produced and not yet consumed, or `errc::eoverflow` if the back end's
  /// producer index is implausible (`RING_HAS_UNCONSUMED_RESPONSES` with
  /// `RING_RESPONSE_PROD_OVERFLOW`).
  [[nodiscard]] constexpr result<RING_IDX> unconsumed_responses() const noexcept {
    return checked_responses(read_once(s_->rsp_prod));
  }
  /// Copies the next response into \p out: true if there was one, false if none, or
  /// `errc::eoverflow`.
  [[nodiscard]] constexpr result<bool> consume_response(response_type& out) noexcept {
    auto n = unconsumed_responses();
    if (!n) return n.error();
    if (n.value() == 0) return false;
    rmb();  // read the slot only after seeing the index
    detail::ring::copy_out(out, s_->ring[ring_math::slot(rsp_cons_, size)].rsp);
    ++rsp_cons_;
    return true;
  }
  /// Consumes up to \p max available responses, calling `f(const response_type&)` on a
  /// private copy of each, in order; returns how many, or `errc::eoverflow` (nothing consumed).
  template <class F>
  [[nodiscard]] constexpr result<RING_IDX> consume_responses(F&& f,
                                                            RING_IDX max = ~RING_IDX{0}) noexcept {
    auto n = unconsumed_responses();
    if (!n) return n.error();
    const RING_IDX k = n.value() < max ? n.value() : max;
    rmb();
    for (RING_IDX i = 0; i < k; ++i) {
      response_type r;
      detail::ring::copy_out(r, s_->ring[ring_math::slot(rsp_cons_, size)].rsp);
      ++rsp_cons_;
      f(static_cast<const response_type&>(r));
    }
    return k;
  }
  /// The check before sleeping (`RING_FINAL_CHECK_FOR_RESPONSES`): true if responses are
  /// waiting; otherwise asks for a notification at the next response, then looks again.
  [[nodiscard]] constexpr result<bool> final_check_for_responses() noexcept {
    auto n = unconsumed_responses();
    if (!n) return n.error();
    if (n.value() != 0) return true;
    write_once(s_->rsp_event, static_cast<RING_IDX>(rsp_cons_ + 1));
    mb();
    n = unconsumed_responses();
    if (!n) return n.error();
    return n.value() != 0;
  }

 private:
  constexpr front_ring(shared_ring& s, RING_IDX start) noexcept
      : s_(&s), req_prod_pvt_(start), req_pub_(start), rsp_cons_(start) {}
  constexpr request_type& next_request_slot() noexcept {
    auto& e = s_->ring[ring_math::slot(req_prod_pvt_++, size)];
    if (std::is_constant_evaluated()) e.req = request_type{};  // make `req` the active member
    return e.req;
  }
  constexpr result<RING_IDX> checked_responses(RING_IDX rsp_prod) const noexcept {
    if (!ring_math::plausible_rsp_prod(rsp_prod, rsp_cons_, req_pub_)) return errc::eoverflow;
    return ring_math::distance(rsp_cons_, rsp_prod);
  }

  shared_ring* s_ = nullptr;
  RING_IDX req_prod_pvt_ = 0;  // next request slot to claim
  RING_IDX req_pub_ = 0;       // last value published in req_prod
  RING_IDX rsp_cons_ = 0;      // next response to consume
};

/// The back end of a ring (Xen's `name_back_ring`): consumes requests, produces responses.
///
/// Written for a back end that must survive a malicious front end: see the file comment.
template <class Protocol>
class back_ring {
 public:
  using protocol = Protocol;                                 ///< The protocol.
  using request_type = typename Protocol::request_type;     ///< Request type.
  using response_type = typename Protocol::response_type;   ///< Response type.
  using shared_ring = typename Protocol::shared_ring;       ///< Shared page type.
  /// Slots in the ring.
  static constexpr RING_IDX size = Protocol::size;

  /// A detached back end (attach before use).
  constexpr back_ring() noexcept = default;

  /// Initialises the shared page (`SHARED_RING_INIT`) and returns a back end at index 0
  /// (`BACK_RING_INIT`). Normally the front end initialises the page and the back end attaches.
  [[nodiscard]] static constexpr back_ring init(shared_ring& s) noexcept {
    abi::shared_ring_init(s);
    return back_ring(s, 0);
  }
  /// A back end for a ring whose indices are all at \p start (`BACK_RING_ATTACH`).
  [[nodiscard]] static constexpr back_ring attach(shared_ring& s, RING_IDX start) noexcept {
    return back_ring(s, start);
  }

  /// The shared page.
  [[nodiscard]] constexpr shared_ring* shared() const noexcept { return s_; }
  /// Private response producer: the index of the next response slot.
  [[nodiscard]] constexpr RING_IDX rsp_prod_pvt() const noexcept { return rsp_prod_pvt_; }
  /// Private request consumer: the index of the next request to consume.
  [[nodiscard]] constexpr RING_IDX req_cons() const noexcept { return req_cons_; }
  /// Requests consumed and not yet answered (each needs exactly one response).
  [[nodiscard]] constexpr RING_IDX unanswered_requests() const noexcept {
    return ring_math::distance(rsp_prod_pvt_, req_cons_);
  }
  /// Responses produced but not yet pushed.
  [[nodiscard]] constexpr RING_IDX unpushed_responses() const noexcept {
    return ring_math::distance(rsp_pub_, rsp_prod_pvt_);
  }

  /// Requests published and not yet consumed, or `errc::eoverflow` if the front end's
  /// producer index is implausible (`RING_HAS_UNCONSUMED_REQUESTS` with
  /// `RING_REQUEST_PROD_OVERFLOW`).
  [[nodiscard]] constexpr result<RING_IDX> unconsumed_requests() const noexcept {
    return checked_requests(read_once(s_->req_prod));
  }
  /// Copies the next request into \p out: true if there was one, false if none, or
  /// `errc::eoverflow`.
  [[nodiscard]] constexpr result<bool> consume_request(request_type& out) noexcept {
    auto n = unconsumed_requests();
    if (!n) return n.error();
    if (n.value() == 0) return false;
    rmb();
    detail::ring::copy_out(out, s_->ring[ring_math::slot(req_cons_, size)].req);
    ++req_cons_;
    return true;
  }
  /// Consumes up to \p max available requests, calling `f(const request_type&)` on a private
  /// copy of each (taken once; the shared slot is not read again), in order; returns how many,
  /// or `errc::eoverflow` (nothing consumed).
  template <class F>
  [[nodiscard]] constexpr result<RING_IDX> consume_requests(F&& f,
                                                           RING_IDX max = ~RING_IDX{0}) noexcept {
    auto n = unconsumed_requests();
    if (!n) return n.error();
    const RING_IDX k = n.value() < max ? n.value() : max;
    rmb();
    for (RING_IDX i = 0; i < k; ++i) {
      request_type r;
      detail::ring::copy_out(r, s_->ring[ring_math::slot(req_cons_, size)].req);
      ++req_cons_;
      f(static_cast<const request_type&>(r));
    }
    return k;
  }

  /// Claims the next response slot for filling (`RING_GET_RESPONSE` at `rsp_prod_pvt++`).
  /// Precondition: a consumed request is unanswered.
  [[nodiscard]] constexpr response_type& claim_response() noexcept {
    XENABI_EXPECTS(unanswered_requests() != 0);
    auto& e = s_->ring[ring_math::slot(rsp_prod_pvt_++, size)];
    if (std::is_constant_evaluated()) e.rsp = response_type{};  // make `rsp` the active member
    return e.rsp;
  }
  /// Writes \p r into the next response slot. Precondition: a consumed request is unanswered.
  constexpr void produce_response(const response_type& r) noexcept { claim_response() = r; }

  /// Publishes the produced responses and says whether the front end must be notified
  /// (`RING_PUSH_RESPONSES_AND_CHECK_NOTIFY`).
  [[nodiscard]] constexpr bool push_responses() noexcept {
    const RING_IDX old_prod = rsp_pub_;
    const RING_IDX new_prod = rsp_prod_pvt_;
    wmb();
    write_once(s_->rsp_prod, new_prod);
    rsp_pub_ = new_prod;
    mb();
    return ring_math::need_notify(old_prod, new_prod, read_once(s_->rsp_event));
  }
  /// Publishes the produced responses without the notification check (`RING_PUSH_RESPONSES`).
  constexpr void push_responses_no_notify() noexcept {
    wmb();
    write_once(s_->rsp_prod, rsp_prod_pvt_);
    rsp_pub_ = rsp_prod_pvt_;
  }

  /// The check before sleeping (`RING_FINAL_CHECK_FOR_REQUESTS`): true if requests are
  /// waiting; otherwise asks for a notification at the next request, then looks again.
  [[nodiscard]] constexpr result<bool> final_check_for_requests() noexcept {
    auto n = unconsumed_requests();
    if (!n) return n.error();
    if (n.value() != 0) return true;
    write_once(s_->req_event, static_cast<RING_IDX>(req_cons_ + 1));
    mb();
    n = unconsumed_requests();
    if (!n) return n.error();
    return n.value() != 0;
  }

 private:
  constexpr back_ring(shared_ring& s, RING_IDX start) noexcept
      : s_(&s), rsp_prod_pvt_(start), rsp_pub_(start), req_cons_(start) {}
  constexpr result<RING_IDX> checked_requests(RING_IDX req_prod) const noexcept {
    if (!ring_math::plausible_req_prod(size, req_prod, req_cons_, rsp_prod_pvt_))
      return errc::eoverflow;
    return ring_math::distance(req_cons_, req_prod);
  }

  shared_ring* s_ = nullptr;
  RING_IDX rsp_prod_pvt_ = 0;  // next response slot
  RING_IDX rsp_pub_ = 0;       // last value published in rsp_prod
  RING_IDX req_cons_ = 0;      // next request to consume
};

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
