/// \file
/// The block-device protocol, Xen's `io/blkif.h`: request and response structures (read/write
/// with segments, discard, indirect), operation codes, status codes, VDISK_* flags, the
/// xenstore keys front and back ends negotiate with, and the shared ring types.
///
/// Width matters: a 64-bit integer is 8-aligned inside an x86_64 structure but 4-aligned inside
/// an i386 one, so `blkif_request` is 112 bytes on x86_64 and 108 bytes on i386. The native
/// names (`blkif_request`, ...) have the layout of the compiling guest; a back end that serves
/// guests of either width uses the explicit `blkif_x86_32_*` and `blkif_x86_64_*` structures,
/// which have the same layout whatever the back end's own width. Which one a front end speaks is
/// announced in its "protocol" xenstore key (`abi::XEN_IO_PROTO_ABI`).
#pragma once

#include <cstdint>

#include <xenabi/abi/io/ring.hpp>
#include <xenabi/core/layout.hpp>

#include <xenabi/core/macro_shield_begin.inc>

/// \cond XENABI_INTERNAL
// A width-specific block structure: checked here like any structure, and offered to the
// conformance hooks as Xen's native structure \p xen when compiling for \p width.
#define XENABI_BLKIF_LAYOUT_(width, xen, T, size, ...) \
  XENABI_LAYOUT_LOCAL(T, size, __VA_ARGS__)            \
  XENABI_CONFORMANCE_HOOK_W(width, xen, T, size, __VA_ARGS__)
/// \endcond

namespace xenabi::abi {

/// Xen's `blkif_vdev_t`: virtual device handle.
using blkif_vdev_t = std::uint16_t;
/// Xen's `blkif_sector_t`: a sector number (512-byte units unless "feature-large-sector-size").
using blkif_sector_t = std::uint64_t;

/// A 64-bit integer with the i386 ABI's in-structure alignment (4), whatever the compiler's width.
using uint64_x86_32_t [[gnu::aligned(4)]] = std::uint64_t;
/// A 64-bit integer with the x86_64 ABI's in-structure alignment (8), whatever the compiler's width.
using uint64_x86_64_t [[gnu::aligned(8)]] = std::uint64_t;

/// Xen's `BLKIF_OP_*`: the operation of a request.
enum class BLKIF_OP : std::uint8_t {
  READ = 0,             ///< Read sectors into the granted segments.
  WRITE = 1,            ///< Write sectors from the granted segments.
  WRITE_BARRIER = 2,    ///< Write, ordered after all earlier requests ("feature-barrier").
  FLUSH_DISKCACHE = 3,  ///< Flush the disk cache, optionally with a write ("feature-flush-cache").
  RESERVED_1 = 4,       ///< Reserved (was a device-specific op); never use.
  DISCARD = 5,          ///< Discard a sector range (`blkif_request_discard`, "feature-discard").
  INDIRECT = 6,         ///< Segments in granted indirect pages (`blkif_request_indirect`).
};
XENABI_CONSTANTS(BLKIF_OP, BLKIF_OP_, READ, WRITE, WRITE_BARRIER, FLUSH_DISKCACHE, RESERVED_1,
                 DISCARD, INDIRECT);

/// Xen's `BLKIF_RSP_*`: the status of a response. `BLKIF_RSP_EOPNOTSUPP` is spelled
/// `eopnotsupp` so that `<errno.h>`'s `EOPNOTSUPP` macro cannot clash with it.
enum class BLKIF_RSP : std::int16_t {
  eopnotsupp = -2,  ///< BLKIF_RSP_EOPNOTSUPP: operation not supported (barrier writes).
  ERROR = -1,       ///< BLKIF_RSP_ERROR: the operation failed.
  OKAY = 0,         ///< BLKIF_RSP_OKAY: the operation succeeded.
};
XENABI_CONSTANTS(BLKIF_RSP, BLKIF_RSP_, ERROR, OKAY);

/// Xen's `BLKIF_*` sizes and flags.
namespace BLKIF {
/// Xen's `BLKIF_MAX_SEGMENTS_PER_REQUEST`: segments in a direct request.
inline constexpr std::uint8_t MAX_SEGMENTS_PER_REQUEST = 11;
/// Xen's `BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST`: indirect pages in an indirect request.
inline constexpr std::uint8_t MAX_INDIRECT_PAGES_PER_REQUEST = 8;
/// Xen's `BLKIF_DISCARD_SECURE`: `blkif_request_discard::flag` bit asking for a secure erase.
inline constexpr std::uint8_t DISCARD_SECURE = 1u << 0;
}  // namespace BLKIF
XENABI_CONSTANTS(BLKIF, BLKIF_, MAX_SEGMENTS_PER_REQUEST, MAX_INDIRECT_PAGES_PER_REQUEST,
                 DISCARD_SECURE);

/// Xen's `VDISK_*`: bits of the back end's "info" xenstore key.
namespace VDISK {
inline constexpr std::uint32_t CDROM = 0x1;      ///< VDISK_CDROM: a CD-ROM.
inline constexpr std::uint32_t REMOVABLE = 0x2;  ///< VDISK_REMOVABLE: removable media.
inline constexpr std::uint32_t READONLY = 0x4;   ///< VDISK_READONLY: read-only.
}  // namespace VDISK
XENABI_CONSTANTS(VDISK, VDISK_, CDROM, REMOVABLE, READONLY);

/// Xen's `struct blkif_request_segment`: one granted page and the sectors within it.
/// Also the element type of an indirect page (512 per 4 KiB page).
struct blkif_request_segment {
  std::uint32_t gref;       ///< @0: grant reference (`grant_ref_t`) of the data page.
  std::uint8_t first_sect;  ///< @4: first sector in the page to transfer (inclusive).
  std::uint8_t last_sect;   ///< @5: last sector in the page to transfer (inclusive).
  std::uint8_t pad[2];      ///< @6: padding (implicit in Xen).
};
XENABI_LAYOUT(blkif_request_segment, 8, gref, 0, first_sect, 4, last_sect, 5);

// --- i386 layout ---------------------------------------------------------------------------

/// `struct blkif_request` as an i386 guest lays it out (108 bytes).
struct blkif_x86_32_request {
  std::uint8_t operation;    ///< @0: a `BLKIF_OP`.
  std::uint8_t nr_segments;  ///< @1: number of segments used in `seg`.
  blkif_vdev_t handle;       ///< @2: virtual device (read/write only).
  uint64_x86_32_t id;        ///< @4: private guest value, echoed in the response.
  uint64_x86_32_t sector_number;  ///< @12: start sector on disk (read/write only).
  blkif_request_segment seg[BLKIF::MAX_SEGMENTS_PER_REQUEST];  ///< @20: the segments.
};
/// \cond XENABI_INTERNAL
XENABI_BLKIF_LAYOUT_(x86_32, blkif_request, blkif_x86_32_request, 108,
                     operation, 0, nr_segments, 1, handle, 2, id, 4, sector_number, 12, seg, 20);
/// \endcond

/// `struct blkif_request_discard` as an i386 guest lays it out (28 bytes).
struct blkif_x86_32_request_discard {
  std::uint8_t operation;  ///< @0: `BLKIF_OP::DISCARD`.
  std::uint8_t flag;       ///< @1: `BLKIF::DISCARD_SECURE` or 0.
  blkif_vdev_t handle;     ///< @2: virtual device.
  uint64_x86_32_t id;      ///< @4: private guest value, echoed in the response.
  uint64_x86_32_t sector_number;  ///< @12: first sector to discard.
  uint64_x86_32_t nr_sectors;     ///< @20: number of contiguous sectors to discard.
};
/// \cond XENABI_INTERNAL
XENABI_BLKIF_LAYOUT_(x86_32, blkif_request_discard, blkif_x86_32_request_discard, 28,
                     operation, 0, flag, 1, handle, 2, id, 4, sector_number, 12, nr_sectors, 20);
/// \endcond

/// `struct blkif_request_indirect` as an i386 guest lays it out (64 bytes).
struct blkif_x86_32_request_indirect {
  std::uint8_t operation;    ///< @0: `BLKIF_OP::INDIRECT`.
  std::uint8_t indirect_op;  ///< @1: `BLKIF_OP::READ` or `BLKIF_OP::WRITE`.
  std::uint16_t nr_segments; ///< @2: number of segments in the indirect pages.
  uint64_x86_32_t id;        ///< @4: private guest value, echoed in the response.
  uint64_x86_32_t sector_number;  ///< @12: start sector on disk.
  blkif_vdev_t handle;            ///< @20: virtual device.
  std::uint16_t pad0;             ///< @22: padding (implicit in Xen).
  std::uint32_t indirect_grefs[BLKIF::MAX_INDIRECT_PAGES_PER_REQUEST];  ///< @24: grant refs of the indirect pages.
  uint64_x86_32_t pad;            ///< @56: Xen's i386 `pad` (makes the structure 64 bytes).
};
/// \cond XENABI_INTERNAL
XENABI_BLKIF_LAYOUT_(x86_32, blkif_request_indirect, blkif_x86_32_request_indirect, 64,
                     operation, 0, indirect_op, 1, nr_segments, 2, id, 4, sector_number, 12,
                     handle, 20, indirect_grefs, 24, pad, 56);
/// \endcond

/// `struct blkif_response` as an i386 guest lays it out (12 bytes).
struct blkif_x86_32_response {
  uint64_x86_32_t id;      ///< @0: copied from the request.
  std::uint8_t operation;  ///< @8: copied from the request.
  std::uint8_t pad0;       ///< @9: padding (implicit in Xen).
  std::int16_t status;     ///< @10: a `BLKIF_RSP`.
};
/// \cond XENABI_INTERNAL
XENABI_BLKIF_LAYOUT_(x86_32, blkif_response, blkif_x86_32_response, 12,
                     id, 0, operation, 8, status, 10);
/// \endcond

// --- x86_64 layout -------------------------------------------------------------------------

/// `struct blkif_request` as an x86_64 guest lays it out (112 bytes).
struct blkif_x86_64_request {
  std::uint8_t operation;    ///< @0: a `BLKIF_OP`.
  std::uint8_t nr_segments;  ///< @1: number of segments used in `seg`.
  blkif_vdev_t handle;       ///< @2: virtual device (read/write only).
  std::uint32_t pad0;        ///< @4: padding (implicit in Xen).
  uint64_x86_64_t id;        ///< @8: private guest value, echoed in the response.
  uint64_x86_64_t sector_number;  ///< @16: start sector on disk (read/write only).
  blkif_request_segment seg[BLKIF::MAX_SEGMENTS_PER_REQUEST];  ///< @24: the segments.
};
/// \cond XENABI_INTERNAL
XENABI_BLKIF_LAYOUT_(x86_64, blkif_request, blkif_x86_64_request, 112,
                     operation, 0, nr_segments, 1, handle, 2, id, 8, sector_number, 16, seg, 24);
/// \endcond

/// `struct blkif_request_discard` as an x86_64 guest lays it out (32 bytes).
struct blkif_x86_64_request_discard {
  std::uint8_t operation;  ///< @0: `BLKIF_OP::DISCARD`.
  std::uint8_t flag;       ///< @1: `BLKIF::DISCARD_SECURE` or 0.
  blkif_vdev_t handle;     ///< @2: virtual device.
  std::uint32_t pad0;      ///< @4: padding (implicit in Xen).
  uint64_x86_64_t id;      ///< @8: private guest value, echoed in the response.
  uint64_x86_64_t sector_number;  ///< @16: first sector to discard.
  uint64_x86_64_t nr_sectors;     ///< @24: number of contiguous sectors to discard.
};
/// \cond XENABI_INTERNAL
XENABI_BLKIF_LAYOUT_(x86_64, blkif_request_discard, blkif_x86_64_request_discard, 32,
                     operation, 0, flag, 1, handle, 2, id, 8, sector_number, 16, nr_sectors, 24);
/// \endcond

/// `struct blkif_request_indirect` as an x86_64 guest lays it out (64 bytes).
struct blkif_x86_64_request_indirect {
  std::uint8_t operation;    ///< @0: `BLKIF_OP::INDIRECT`.
  std::uint8_t indirect_op;  ///< @1: `BLKIF_OP::READ` or `BLKIF_OP::WRITE`.
  std::uint16_t nr_segments; ///< @2: number of segments in the indirect pages.
  std::uint32_t pad0;        ///< @4: padding (implicit in Xen).
  uint64_x86_64_t id;        ///< @8: private guest value, echoed in the response.
  uint64_x86_64_t sector_number;  ///< @16: start sector on disk.
  blkif_vdev_t handle;            ///< @24: virtual device.
  std::uint16_t pad1;             ///< @26: padding (implicit in Xen).
  std::uint32_t indirect_grefs[BLKIF::MAX_INDIRECT_PAGES_PER_REQUEST];  ///< @28: grant refs of the indirect pages.
  std::uint32_t pad2;             ///< @60: tail padding (implicit in Xen).
};
/// \cond XENABI_INTERNAL
XENABI_BLKIF_LAYOUT_(x86_64, blkif_request_indirect, blkif_x86_64_request_indirect, 64,
                     operation, 0, indirect_op, 1, nr_segments, 2, id, 8, sector_number, 16,
                     handle, 24, indirect_grefs, 28);
/// \endcond

/// `struct blkif_response` as an x86_64 guest lays it out (16 bytes).
struct blkif_x86_64_response {
  uint64_x86_64_t id;      ///< @0: copied from the request.
  std::uint8_t operation;  ///< @8: copied from the request.
  std::uint8_t pad0;       ///< @9: padding (implicit in Xen).
  std::int16_t status;     ///< @10: a `BLKIF_RSP`.
  std::uint32_t pad1;      ///< @12: tail padding (implicit in Xen).
};
/// \cond XENABI_INTERNAL
XENABI_BLKIF_LAYOUT_(x86_64, blkif_response, blkif_x86_64_response, 16,
                     id, 0, operation, 8, status, 10);
/// \endcond

// --- the native names ------------------------------------------------------------------------
#undef XENABI_BLKIF_LAYOUT_

#if defined(__x86_64__)
/// Xen's `struct blkif_request` for the compiling guest's width (112 bytes on x86_64, 108 on
/// i386): a read or write of up to 11 segments, and the slot type of the block ring.
using blkif_request = blkif_x86_64_request;
/// Xen's `struct blkif_request_discard` for the compiling guest's width.
using blkif_request_discard = blkif_x86_64_request_discard;
/// Xen's `struct blkif_request_indirect` for the compiling guest's width.
using blkif_request_indirect = blkif_x86_64_request_indirect;
/// Xen's `struct blkif_response` for the compiling guest's width.
using blkif_response = blkif_x86_64_response;
#elif defined(__i386__)
using blkif_request = blkif_x86_32_request;
using blkif_request_discard = blkif_x86_32_request_discard;
using blkif_request_indirect = blkif_x86_32_request_indirect;
using blkif_response = blkif_x86_32_response;
#else
#error "xenabi/abi/io/blkif.hpp: unsupported architecture"
#endif

/// Xen's `blkif_sring` (from `DEFINE_RING_TYPES(blkif, ...)`): 32 slots on a 4 KiB page.
using blkif_sring = sring<blkif_request, blkif_response>;
/// The block ring as an i386 front end lays it out (32 slots of 108 bytes).
using blkif_x86_32_sring = sring<blkif_x86_32_request, blkif_x86_32_response>;
/// The block ring as an x86_64 front end lays it out (32 slots of 112 bytes).
using blkif_x86_64_sring = sring<blkif_x86_64_request, blkif_x86_64_response>;
static_assert(blkif_sring::slots == 32 && blkif_x86_32_sring::slots == 32 &&
              blkif_x86_64_sring::slots == 32);
static_assert(sizeof(blkif_request_discard) <= sizeof(blkif_request) &&
              sizeof(blkif_request_indirect) <= sizeof(blkif_request),
              "discard and indirect requests share the request slot");

/// The xenstore keys of the block protocol (names from `io/blkif.h`), under the back end's
/// directory (`backend/vbd/<domid>/<dev>/`) or the front end's (`device/vbd/<dev>/`).
namespace blkif_xenstore {
// Back end: device identification (private to the toolstack and the back end).
inline constexpr char mode[] = "mode";                      ///< "r" or "w".
inline constexpr char params[] = "params";                  ///< Back end's device description.
inline constexpr char physical_device[] = "physical-device";  ///< "MAJOR:MINOR" (hex).
inline constexpr char physical_device_path[] = "physical-device-path";  ///< Device path.
inline constexpr char type[] = "type";  ///< "file", "phy" or "tap".
// Back end: features.
inline constexpr char direct_io_safe[] = "direct-io-safe";  ///< Back end is safe for O_DIRECT.
inline constexpr char feature_barrier[] = "feature-barrier";  ///< Supports BLKIF_OP::WRITE_BARRIER.
inline constexpr char feature_flush_cache[] = "feature-flush-cache";  ///< Supports BLKIF_OP::FLUSH_DISKCACHE.
inline constexpr char feature_discard[] = "feature-discard";  ///< Supports BLKIF_OP::DISCARD.
inline constexpr char feature_persistent[] = "feature-persistent";  ///< Persistent grants (both ends).
inline constexpr char feature_max_indirect_segments[] = "feature-max-indirect-segments";  ///< Max segments of BLKIF_OP::INDIRECT.
inline constexpr char max_ring_page_order[] = "max-ring-page-order";  ///< Largest ring order accepted.
inline constexpr char max_ring_pages[] = "max-ring-pages";  ///< Deprecated page-count form.
inline constexpr char multi_queue_max_queues[] = "multi-queue-max-queues";  ///< Queues offered.
// Back end: discard parameters.
inline constexpr char discard_enable[] = "discard-enable";  ///< Toolstack enables discard.
inline constexpr char discard_alignment[] = "discard-alignment";  ///< Offset of the first discard unit.
inline constexpr char discard_granularity[] = "discard-granularity";  ///< Discard unit in bytes.
inline constexpr char discard_secure[] = "discard-secure";  ///< Secure discard supported.
// Back end: device properties.
inline constexpr char info[] = "info";  ///< `VDISK` bits.
inline constexpr char sector_size[] = "sector-size";  ///< Logical sector size in bytes.
inline constexpr char physical_sector_size[] = "physical-sector-size";  ///< Physical sector size.
inline constexpr char sectors[] = "sectors";  ///< Device size in units of sector-size.
// Front end: transport parameters.
inline constexpr char event_channel[] = "event-channel";  ///< Event-channel port.
inline constexpr char ring_ref[] = "ring-ref";  ///< Grant ref of a one-page ring; "ring-ref%u" per page of a multi-page ring.
inline constexpr char protocol[] = "protocol";  ///< One of `XEN_IO_PROTO_ABI`.
inline constexpr char ring_page_order[] = "ring-page-order";  ///< log2 of the ring's page count.
inline constexpr char num_ring_pages[] = "num-ring-pages";  ///< Deprecated page-count form.
inline constexpr char multi_queue_num_queues[] = "multi-queue-num-queues";  ///< Queues used.
// Front end: features and properties.
inline constexpr char feature_large_sector_size[] = "feature-large-sector-size";  ///< Sector quantities in sector-size units.
inline constexpr char trusted[] = "trusted";  ///< "0": the front end should not trust the back end.
inline constexpr char device_type[] = "device-type";  ///< "disk", "cdrom", "floppy", ...
inline constexpr char virtual_device[] = "virtual-device";  ///< Virtual device number.
}  // namespace blkif_xenstore

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
