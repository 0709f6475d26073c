/// \file
/// \ingroup drivers
/// Serving one blkif request: validation of everything the front end wrote (operation, segment
/// count and sector ranges, grant references, indirect pages), data movement between the disk
/// and the granted pages, and the response status.
///
/// A request never makes the back end touch memory that was not granted to it, never reads or
/// writes outside the disk, and never crashes it: whatever the request says, the outcome is one
/// of `BLKIF_RSP_OKAY`, `BLKIF_RSP_ERROR` (malformed request, bad grant, out-of-range sectors,
/// write to a read-only disk, host I/O error) or `BLKIF_RSP_EOPNOTSUPP` (an operation or
/// feature this back end does not offer).
///
/// The request is the back end's private copy of the ring slot, in the x86_64 layout whatever the
/// front end's width (`shared_ring` copies each slot once, blk_ring.hpp); segment lists in
/// indirect pages are likewise copied out once before use.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include <hv/backend/blk_disk.hpp>
#include <hv/backend/blk_grants.hpp>
#include <hv/backend/blk_ring.hpp>
#include <xenabi/abi/io/blkif.hpp>

namespace hv::blk {


/// What the back end offers (advertised in xenstore as the `feature-*` keys).
struct features {
  bool barrier = true;   ///< `feature-barrier`: BLKIF_OP_WRITE_BARRIER.
  bool flush = true;     ///< `feature-flush-cache`: BLKIF_OP_FLUSH_DISKCACHE.
  bool discard = true;   ///< `feature-discard`: BLKIF_OP_DISCARD (never on a read-only disk).
  /// `feature-max-indirect-segments`: segments of BLKIF_OP_INDIRECT (0: no indirect requests).
  /// At most 8 indirect pages of 512 segments.
  std::uint32_t max_indirect_segments = 256;
};

/// Segments in one indirect page.
inline constexpr std::uint32_t segments_per_indirect_page = 4096 / sizeof(bif::segment);

/// True if \p r must be ordered against every other request: a barrier or a flush (the
/// dispatcher drains everything before it and starts nothing after it until it completes).
[[nodiscard]] inline bool is_ordering(const bif::request& r) noexcept {
  return r.operation == static_cast<std::uint8_t>(bif::op::WRITE_BARRIER) ||
         r.operation == static_cast<std::uint8_t>(bif::op::FLUSH_DISKCACHE);
}

/// The operation to echo in the response to \p r (for INDIRECT: the indirect operation).
[[nodiscard]] inline std::uint8_t response_operation(const bif::request& r) noexcept {
  if (r.operation == static_cast<std::uint8_t>(bif::op::INDIRECT)) {
    bif::request_indirect ind;
    std::memcpy(&ind, &r, sizeof ind);
    return ind.indirect_op;
  }
  return r.operation;
}

/// Serves requests of one connection against one disk (thread-safe: workers share it).
class request_handler {
 public:
  /// Requests against \p d through the grants of \p g, offering \p f.
  request_handler(const disk& d, grant_access& g, const features& f) noexcept : disk_(d), grants_(g), f_(f) {
    if (d.readonly()) f_.discard = false;
    if (f_.max_indirect_segments > segments_per_indirect_page * xenabi::abi::BLKIF::MAX_INDIRECT_PAGES_PER_REQUEST)
      f_.max_indirect_segments = segments_per_indirect_page * xenabi::abi::BLKIF::MAX_INDIRECT_PAGES_PER_REQUEST;
  }

  /// The features in effect (discard is off on a read-only disk).
  [[nodiscard]] const features& offered() const noexcept { return f_; }

  /// Serves \p r and returns its response status.
  [[nodiscard]] std::int16_t serve(const bif::request& r) {
    grant_access::scratch s;
    const std::int16_t st = serve_with(r, s);
    grants_.release(s);
    return st;
  }

 private:
  static constexpr std::int16_t okay = static_cast<std::int16_t>(bif::rsp::OKAY);
  static constexpr std::int16_t error = static_cast<std::int16_t>(bif::rsp::ERROR);
  static constexpr std::int16_t unsupported = static_cast<std::int16_t>(bif::rsp::eopnotsupp);

  std::int16_t serve_with(const bif::request& r, grant_access::scratch& s) {
    switch (static_cast<bif::op>(r.operation)) {
      case bif::op::READ:
      case bif::op::WRITE:
        if (r.nr_segments == 0 || r.nr_segments > xenabi::abi::BLKIF::MAX_SEGMENTS_PER_REQUEST) return error;
        return data(r.operation == static_cast<std::uint8_t>(bif::op::WRITE), r.sector_number, r.seg, r.nr_segments, s);
      case bif::op::WRITE_BARRIER:
      case bif::op::FLUSH_DISKCACHE: {
        const bool barrier = r.operation == static_cast<std::uint8_t>(bif::op::WRITE_BARRIER);
        if (barrier ? !f_.barrier : !f_.flush) return unsupported;
        if (r.nr_segments > xenabi::abi::BLKIF::MAX_SEGMENTS_PER_REQUEST) return error;
        if (r.nr_segments != 0 && disk_.readonly()) return error;
        // Everything before is complete (the dispatcher drained it); make it durable, then the
        // write itself, then make that durable before anything after starts.
        if (!disk_.flush()) return error;
        if (r.nr_segments != 0) {
          const std::int16_t st = data(true, r.sector_number, r.seg, r.nr_segments, s);
          if (st != okay) return st;
        }
        return disk_.flush() ? okay : error;
      }
      case bif::op::DISCARD: {
        if (!f_.discard) return unsupported;
        bif::request_discard d;
        std::memcpy(&d, &r, sizeof d);
        if ((d.flag & ~xenabi::abi::BLKIF::DISCARD_SECURE) != 0) return error;
        if ((d.flag & xenabi::abi::BLKIF::DISCARD_SECURE) != 0) return unsupported;  // no "discard-secure"
        if (!disk_.in_range(d.sector_number, d.nr_sectors)) return error;
        return disk_.discard(d.sector_number, d.nr_sectors) ? okay : error;
      }
      case bif::op::INDIRECT:
        return indirect(r, s);
      default:
        return unsupported;
    }
  }

  std::int16_t indirect(const bif::request& r, grant_access::scratch& s) {
    if (f_.max_indirect_segments == 0) return unsupported;
    bif::request_indirect ind;
    std::memcpy(&ind, &r, sizeof ind);
    const bool write = ind.indirect_op == static_cast<std::uint8_t>(bif::op::WRITE);
    if (!write && ind.indirect_op != static_cast<std::uint8_t>(bif::op::READ)) return error;
    const std::uint32_t n = ind.nr_segments;
    if (n == 0 || n > f_.max_indirect_segments) return error;
    const std::uint32_t pages = (n + segments_per_indirect_page - 1) / segments_per_indirect_page;
    std::vector<bif::segment> segs(n);
    for (std::uint32_t p = 0; p < pages; ++p) {
      auto page = grants_.get(ind.indirect_grefs[p], false, s);
      if (!page) return error;
      const std::uint32_t here = n - p * segments_per_indirect_page < segments_per_indirect_page
                                     ? n - p * segments_per_indirect_page
                                     : segments_per_indirect_page;
      std::memcpy(segs.data() + p * segments_per_indirect_page, page.value(), here * sizeof(bif::segment));
    }
    return data(write, ind.sector_number, segs.data(), n, s);
  }

  std::int16_t data(bool write, std::uint64_t sector, const bif::segment* seg, std::uint32_t n,
                    grant_access::scratch& s) {
    if (write && disk_.readonly()) return error;
    std::vector<iovec> iov(n);
    std::uint64_t total = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto first = seg[i].first_sect, last = seg[i].last_sect;
      if (first > last || last >= sectors_per_page) return error;
      total += std::uint64_t{last} - first + 1u;
    }
    if (!disk_.in_range(sector, total)) return error;
    for (std::uint32_t i = 0; i < n; ++i) {
      // A disk read stores into the page: the mapping must be writable.
      auto page = grants_.get(seg[i].gref, !write, s);
      if (!page) return error;
      iov[i].iov_base = page.value() + std::size_t{seg[i].first_sect} * sector_bytes;
      iov[i].iov_len = (std::size_t{seg[i].last_sect} - seg[i].first_sect + 1u) * sector_bytes;
    }
    const auto rc = write ? disk_.writev(sector, iov.data(), static_cast<int>(n))
                          : disk_.readv(sector, iov.data(), static_cast<int>(n));
    return rc ? okay : error;
  }

  const disk& disk_;
  grant_access& grants_;
  features f_;
};

}  // namespace hv::blk
