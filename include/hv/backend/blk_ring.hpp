/// \file
/// \ingroup drivers
/// The blkif shared ring as the block back end sees it: one or more granted pages
/// (`ring-page-order`), laid out by a front end of either width (`protocol` "x86_64-abi" or
/// "x86_32-abi"), consumed and answered through the back end's private indices.
///
/// The pages of a multi-page ring are separate grants, so they need not be contiguous in the
/// back end's view (xenhv reaches each granted frame through `granted_frame`); a slot may
/// straddle two pages (a 112-byte slot does), and is then copied in two pieces. Requests are
/// copied out of the ring exactly once and converted to the back end's one internal form, the
/// x86_64 layout (`bif::request`); an i386 front end's requests (108-byte slots: 64-bit fields
/// 4-aligned, so `id` at 4 instead of 8, segments at 20 instead of 24, indirect grant refs at 24
/// instead of 28) are rewritten field by field, and its responses are written as 12-byte i386
/// responses. The indices and the notification rules are those of `io/ring.h`
/// (xenabi/ring.hpp documents them); a producer index that claims more requests than the ring
/// holds is refused (`errc::eoverflow`), and the back end then closes the connection.
///
/// \code
/// hv::blk::shared_ring r({page0, page1}, hv::blk::abi_width::x86_32);   // 2 pages: 64 slots
/// std::vector<hv::blk::bif::request> batch;
/// auto n = r.consume([&](const hv::blk::bif::request& q) { batch.push_back(q); });
/// r.produce({.id = q.id, .operation = q.operation, .status = 0});
/// if (r.push()) notify_front_end();
/// \endcode
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <xenabi/abi/io/blkif.hpp>
#include <xenabi/abi/io/protocols.hpp>
#include <xenabi/abi/io/ring.hpp>
#include <xenabi/core/errno.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/ring.hpp>

namespace hv::blk {

/// The block protocol's types as the back end handles them (the x86_64 layout: requests of an
/// i386 front end are converted to it when they are copied off the ring).
namespace bif {
using request = xenabi::abi::blkif_x86_64_request;                    ///< READ/WRITE/BARRIER/FLUSH.
using request_discard = xenabi::abi::blkif_x86_64_request_discard;    ///< DISCARD.
using request_indirect = xenabi::abi::blkif_x86_64_request_indirect;  ///< INDIRECT.
using response = xenabi::abi::blkif_x86_64_response;                  ///< A response.
using segment = xenabi::abi::blkif_request_segment;                   ///< One segment.
using op = xenabi::abi::BLKIF_OP;                                     ///< Operations.
using rsp = xenabi::abi::BLKIF_RSP;                                   ///< Statuses.
}  // namespace bif

/// The layout a front end uses for its ring (its `protocol` xenstore key).
enum class abi_width : std::uint8_t {
  x86_64,  ///< "x86_64-abi" (and a front end that writes no `protocol`: xenhv's native width).
  x86_32,  ///< "x86_32-abi": i386 structure packing.
};

/// The width named by the `protocol` value \p p (absent: x86_64, the back end's own); nothing for
/// a protocol this back end does not serve.
[[nodiscard]] inline std::optional<abi_width> protocol_width(const std::optional<std::string_view>& p) {
  if (!p || *p == xenabi::abi::XEN_IO_PROTO_ABI::X86_64) return abi_width::x86_64;
  if (*p == xenabi::abi::XEN_IO_PROTO_ABI::X86_32) return abi_width::x86_32;
  return std::nullopt;
}

/// Largest `ring-page-order` the back end accepts (16 pages: 512 x86_64 slots, 512 i386 slots).
inline constexpr unsigned max_ring_page_order = 4;

/// Bytes of one ring slot for front ends of width \p w (the request/response union).
[[nodiscard]] constexpr std::size_t slot_bytes(abi_width w) noexcept {
  return w == abi_width::x86_32
             ? sizeof(xenabi::abi::sring_entry<xenabi::abi::blkif_x86_32_request, xenabi::abi::blkif_x86_32_response>)
             : sizeof(xenabi::abi::sring_entry<xenabi::abi::blkif_x86_64_request, xenabi::abi::blkif_x86_64_response>);
}

/// Converts the i386 request \p raw (the 108 bytes of a slot) to the back end's x86_64 form,
/// field by field for the three request shapes (read/write/barrier/flush, discard, indirect).
[[nodiscard]] inline bif::request from_x86_32(const xenabi::abi::blkif_x86_32_request& raw) noexcept {
  namespace a = xenabi::abi;
  bif::request out{};
  switch (static_cast<bif::op>(raw.operation)) {
    case bif::op::DISCARD: {
      a::blkif_x86_32_request_discard d;
      std::memcpy(&d, &raw, sizeof d);
      bif::request_discard o{};
      o.operation = d.operation;
      o.flag = d.flag;
      o.handle = d.handle;
      o.id = d.id;
      o.sector_number = d.sector_number;
      o.nr_sectors = d.nr_sectors;
      std::memcpy(&out, &o, sizeof o);
      return out;
    }
    case bif::op::INDIRECT: {
      a::blkif_x86_32_request_indirect d;
      std::memcpy(&d, &raw, sizeof d);
      bif::request_indirect o{};
      o.operation = d.operation;
      o.indirect_op = d.indirect_op;
      o.nr_segments = d.nr_segments;
      o.id = d.id;
      o.sector_number = d.sector_number;
      o.handle = d.handle;
      std::memcpy(o.indirect_grefs, d.indirect_grefs, sizeof o.indirect_grefs);
      std::memcpy(&out, &o, sizeof o);
      return out;
    }
    default:
      out.operation = raw.operation;
      out.nr_segments = raw.nr_segments;
      out.handle = raw.handle;
      out.id = raw.id;
      out.sector_number = raw.sector_number;
      std::memcpy(out.seg, raw.seg, sizeof out.seg);
      return out;
  }
}

/// The back end's end of one shared blkif ring spread over granted pages (see the file comment).
/// Not thread-safe: the caller serialises consumers and producers.
class shared_ring {
 public:
  /// The ring in \p pages (a power of two of them, at most 2^max_ring_page_order, each the 4096
  /// bytes of a granted frame, in ring order), laid out for front ends of width \p w; the
  /// indices start at 0 (a fresh ring the front end initialised).
  shared_ring(std::vector<std::byte*> pages, abi_width w)
      : pages_(std::move(pages)), w_(w), slot_(slot_bytes(w)),
        size_(xenabi::abi::ring_slots(pages_.size() * page_bytes, slot_)) {}

  /// Slots in the ring.
  [[nodiscard]] std::uint32_t size() const noexcept { return size_; }
  /// The front end's width.
  [[nodiscard]] abi_width width() const noexcept { return w_; }
  /// Requests consumed and not yet answered.
  [[nodiscard]] std::uint32_t unanswered() const noexcept { return req_cons_ - rsp_prod_pvt_; }

  /// Copies every published request off the ring (converted to `bif::request`) and calls
  /// `f(const bif::request&)` on each, in order; returns how many, or `errc::eoverflow` if the
  /// front end's producer index is implausible (nothing consumed).
  template <class F>
  [[nodiscard]] xenabi::result<std::uint32_t> consume(F&& f) {
    const std::uint32_t prod = load(req_prod_off);
    if (!xenabi::ring_math::plausible_req_prod(size_, prod, req_cons_, rsp_prod_pvt_)) return xenabi::errc::eoverflow;
    const std::uint32_t n = prod - req_cons_;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);  // the slots are read after the index
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t slot = req_cons_++ & (size_ - 1);
      if (w_ == abi_width::x86_64) {
        bif::request r;
        read_slot(slot, &r, sizeof r);
        f(static_cast<const bif::request&>(r));
      } else {
        xenabi::abi::blkif_x86_32_request raw;
        read_slot(slot, &raw, sizeof raw);
        const bif::request r = from_x86_32(raw);
        f(r);
      }
    }
    return n;
  }

  /// The check before sleeping (`RING_FINAL_CHECK_FOR_REQUESTS`): true if requests are
  /// waiting; otherwise asks for a notification at the next request and looks again.
  [[nodiscard]] xenabi::result<bool> final_check() {
    auto pending = [&]() -> xenabi::result<bool> {
      const std::uint32_t prod = load(req_prod_off);
      if (!xenabi::ring_math::plausible_req_prod(size_, prod, req_cons_, rsp_prod_pvt_)) return xenabi::errc::eoverflow;
      return prod != req_cons_;
    };
    auto p = pending();
    if (!p || p.value()) return p;
    store(req_event_off, req_cons_ + 1);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return pending();
  }

  /// Writes response \p r into the next response slot (in the front end's layout). Precondition:
  /// a consumed request is unanswered.
  void produce(const bif::response& r) {
    const std::uint32_t slot = rsp_prod_pvt_++ & (size_ - 1);
    if (w_ == abi_width::x86_64) {
      write_slot(slot, &r, sizeof r);
    } else {
      xenabi::abi::blkif_x86_32_response o{};
      o.id = r.id;
      o.operation = r.operation;
      o.status = r.status;
      write_slot(slot, &o, sizeof o);
    }
  }

  /// Publishes the responses produced and says whether the front end must be notified
  /// (`RING_PUSH_RESPONSES_AND_CHECK_NOTIFY`).
  [[nodiscard]] bool push() {
    const std::uint32_t old_prod = rsp_pub_, new_prod = rsp_prod_pvt_;
    __atomic_thread_fence(__ATOMIC_RELEASE);  // the front end sees the slots before the index
    store(rsp_prod_off, new_prod);
    rsp_pub_ = new_prod;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);  // ... and the index before we read rsp_event
    return xenabi::ring_math::need_notify(old_prod, new_prod, load(rsp_event_off));
  }

 private:
  static constexpr std::size_t page_bytes = xenabi::abi::RING::PAGE_SIZE;
  static constexpr std::size_t req_prod_off = 0, req_event_off = 4, rsp_prod_off = 8, rsp_event_off = 12;

  std::uint32_t* index(std::size_t off) const noexcept {
    return std::launder(reinterpret_cast<std::uint32_t*>(pages_[0] + off));
  }
  std::uint32_t load(std::size_t off) const noexcept { return __atomic_load_n(index(off), __ATOMIC_ACQUIRE); }
  void store(std::size_t off, std::uint32_t v) const noexcept { __atomic_store_n(index(off), v, __ATOMIC_RELEASE); }

  // Copies \p n bytes of slot \p slot out of (or into) the pages, piece by piece across page ends.
  void read_slot(std::uint32_t slot, void* out, std::size_t n) const noexcept {
    std::size_t at = xenabi::abi::RING::HEADER_SIZE + std::size_t{slot} * slot_;
    auto* dst = static_cast<std::byte*>(out);
    while (n != 0) {
      const std::size_t in_page = at % page_bytes, k = n < page_bytes - in_page ? n : page_bytes - in_page;
      std::memcpy(dst, pages_[at / page_bytes] + in_page, k);
      dst += k;
      at += k;
      n -= k;
    }
    __asm__ __volatile__("" ::: "memory");  // the copy is complete before it is used: no double fetch
  }
  void write_slot(std::uint32_t slot, const void* in, std::size_t n) const noexcept {
    std::size_t at = xenabi::abi::RING::HEADER_SIZE + std::size_t{slot} * slot_;
    const auto* src = static_cast<const std::byte*>(in);
    while (n != 0) {
      const std::size_t in_page = at % page_bytes, k = n < page_bytes - in_page ? n : page_bytes - in_page;
      std::memcpy(pages_[at / page_bytes] + in_page, src, k);
      src += k;
      at += k;
      n -= k;
    }
  }

  std::vector<std::byte*> pages_;
  abi_width w_;
  std::size_t slot_;
  std::uint32_t size_;
  std::uint32_t req_cons_ = 0;      // next request to consume
  std::uint32_t rsp_prod_pvt_ = 0;  // next response slot
  std::uint32_t rsp_pub_ = 0;       // last value published in rsp_prod
};

}  // namespace hv::blk
