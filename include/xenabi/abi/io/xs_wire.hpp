/// \file
/// The xenstore wire protocol, Xen's `io/xs_wire.h`: the 16-byte message header
/// (`xsd_sockmsg`), the message types (`XS_*`), the error names carried in `XS_ERROR` replies,
/// and the shared interface page a guest talks to xenstored through
/// (`xenstore_domain_interface`, 2076 bytes in Xen 4.17: two 1024-byte rings, their indices, and
/// the server-features / connection / error words).
///
/// The byte-ring endpoints that run over the page are in `xenabi/byte_ring.hpp`.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/core/errno.hpp>
#include <xenabi/core/layout.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Xen's `enum xsd_sockmsg_type`: `XS_READ` is `XS::READ`.
enum class XS : std::uint32_t {
  CONTROL = 0,                ///< XS_CONTROL (old name XS_DEBUG, not repeated: `DEBUG` is often a macro).
  DIRECTORY = 1,              ///< List a node's children.
  READ = 2,                   ///< Read a node.
  GET_PERMS = 3,              ///< Read a node's permissions.
  WATCH = 4,                  ///< Watch a path (payload: path, token).
  UNWATCH = 5,                ///< Remove a watch.
  TRANSACTION_START = 6,      ///< Start a transaction; the reply carries its id.
  TRANSACTION_END = 7,        ///< Commit ("T") or abort ("F") a transaction.
  INTRODUCE = 8,              ///< Toolstack: introduce a domain to xenstored.
  RELEASE = 9,                ///< Toolstack: release a domain.
  GET_DOMAIN_PATH = 10,       ///< The home path of a domain.
  WRITE = 11,                 ///< Write a node (payload: path, value).
  MKDIR = 12,                 ///< Create a node.
  RM = 13,                    ///< Remove a node and its children.
  SET_PERMS = 14,             ///< Set a node's permissions.
  WATCH_EVENT = 15,           ///< Asynchronous watch firing (payload: path, token).
  ERROR = 16,                 ///< Error reply (payload: an error name, see xsd_errors).
  IS_DOMAIN_INTRODUCED = 17,  ///< Toolstack: is a domain introduced?
  RESUME = 18,                ///< Toolstack: resume a domain.
  SET_TARGET = 19,            ///< Toolstack: let a domain act for another.
  RESET_WATCHES = 21,         ///< Remove all of the caller's watches (20, XS_RESTRICT, is gone).
  DIRECTORY_PART = 22,        ///< List children in parts (large directories).
  TYPE_COUNT = 23,            ///< Number of valid types (one past the last).
  INVALID = 0xffff,           ///< Guaranteed never to be a valid type.
};
XENABI_CONSTANTS(XS, XS_, CONTROL, DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH, TRANSACTION_START,
                 TRANSACTION_END, INTRODUCE, RELEASE, GET_DOMAIN_PATH, WRITE, MKDIR, RM, SET_PERMS,
                 WATCH_EVENT, ERROR, IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET, RESET_WATCHES,
                 DIRECTORY_PART, TYPE_COUNT, INVALID);
/// Xen's name for the message-type enumeration.
using xsd_sockmsg_type = XS;

/// Xen's `XS_WRITE_*`: the legacy write-flag strings.
namespace XS_WRITE {
inline constexpr char NONE[] = "NONE";                ///< XS_WRITE_NONE.
inline constexpr char CREATE[] = "CREATE";            ///< XS_WRITE_CREATE.
inline constexpr char CREATE_EXCL[] = "CREATE|EXCL";  ///< XS_WRITE_CREATE_EXCL.
}  // namespace XS_WRITE

/// Xen's `enum xs_watch_type`: the fields of an `XS::WATCH_EVENT` payload.
enum class XS_WATCH : std::uint32_t {
  PATH = 0,   ///< XS_WATCH_PATH: the path that changed.
  TOKEN = 1,  ///< XS_WATCH_TOKEN: the token given to XS::WATCH.
};
XENABI_CONSTANTS(XS_WATCH, XS_WATCH_, PATH, TOKEN);
/// Xen's name for the watch-field enumeration.
using xs_watch_type = XS_WATCH;

/// Xen's `struct xsd_errors`: an error number and the name that travels in an `XS::ERROR`
/// reply.
struct xsd_errors {
  errc errnum;            ///< The error number (Xen's errno values).
  const char* errstring;  ///< Its name on the wire ("ENOENT"), without the terminating nul.
};

/// Xen's `xsd_errors[]` table, in Xen's order (new errors are only ever appended).
inline constexpr xsd_errors xsd_error_table[] = {
    {errc::einval, "EINVAL"}, {errc::eacces, "EACCES"},       {errc::eexist, "EEXIST"},
    {errc::eisdir, "EISDIR"}, {errc::enoent, "ENOENT"},       {errc::enomem, "ENOMEM"},
    {errc::enospc, "ENOSPC"}, {errc::eio, "EIO"},             {errc::enotempty, "ENOTEMPTY"},
    {errc::enosys, "ENOSYS"}, {errc::erofs, "EROFS"},         {errc::ebusy, "EBUSY"},
    {errc::eagain, "EAGAIN"}, {errc::eisconn, "EISCONN"},     {errc::e2big, "E2BIG"},
    {errc::eperm, "EPERM"},
};
/// Number of entries in `xsd_error_table`.
inline constexpr std::size_t xsd_error_count = sizeof xsd_error_table / sizeof xsd_error_table[0];

/// The wire name of \p e ("ENOENT"), or nullptr if xenstore does not carry that error.
[[nodiscard]] constexpr const char* xsd_error_name(errc e) noexcept {
  for (const auto& x : xsd_error_table)
    if (x.errnum == e) return x.errstring;
  return nullptr;
}

/// The error named by an `XS::ERROR` payload of \p len bytes at \p s (a trailing nul, if
/// counted in \p len, is ignored). An unknown name gives `errc::einval`, as Xen's own clients do.
[[nodiscard]] constexpr errc xsd_error_from_name(const char* s, std::size_t len) noexcept {
  if (len > 0 && s[len - 1] == '\0') --len;
  for (const auto& x : xsd_error_table) {
    std::size_t n = 0;
    while (x.errstring[n] != '\0') ++n;
    if (n != len) continue;
    bool same = true;
    for (std::size_t i = 0; i < n && same; ++i) same = x.errstring[i] == s[i];
    if (same) return x.errnum;
  }
  return errc::einval;
}

/// Xen's `struct xsd_sockmsg`: the header of every xenstore message (16 bytes), followed by
/// `len` bytes of payload (generally nul-terminated strings).
struct xsd_sockmsg {
  std::uint32_t type;    ///< @0: an `XS` message type.
  std::uint32_t req_id;  ///< @4: request identifier, echoed in the reply.
  std::uint32_t tx_id;   ///< @8: transaction id (0: none).
  std::uint32_t len;     ///< @12: payload length (at most `XENSTORE::PAYLOAD_MAX`).
};
XENABI_LAYOUT(xsd_sockmsg, 16, type, 0, req_id, 4, tx_id, 8, len, 12);

/// Xen's `XENSTORE_RING_IDX`: a free-running 32-bit byte index.
using XENSTORE_RING_IDX = std::uint32_t;

/// Xen's `XENSTORE_*` sizes and values.
namespace XENSTORE {
/// Xen's `XENSTORE_RING_SIZE`: bytes in each of the two rings.
inline constexpr std::uint32_t RING_SIZE = 1024;
/// Xen's `XENSTORE_PAYLOAD_MAX`: the largest payload (violating it breaks the connection).
inline constexpr std::uint32_t PAYLOAD_MAX = 4096;
/// Xen's `XENSTORE_ABS_PATH_MAX`: the longest absolute path.
inline constexpr std::uint32_t ABS_PATH_MAX = 3072;
/// Xen's `XENSTORE_REL_PATH_MAX`: the longest relative path.
inline constexpr std::uint32_t REL_PATH_MAX = 2048;
/// Xen's `XENSTORE_CONNECTED`: `connection` value in the steady state.
inline constexpr std::uint32_t CONNECTED = 0;
/// Xen's `XENSTORE_RECONNECT`: `connection` value while a reconnection is in progress.
inline constexpr std::uint32_t RECONNECT = 1;
}  // namespace XENSTORE
XENABI_CONSTANTS(XENSTORE, XENSTORE_, RING_SIZE, PAYLOAD_MAX, ABS_PATH_MAX, REL_PATH_MAX, CONNECTED,
                 RECONNECT);

/// Xen's `XENSTORE_SERVER_FEATURE_*`: bits of `server_features`.
namespace XENSTORE_SERVER_FEATURE {
/// Xen's `XENSTORE_SERVER_FEATURE_RECONNECTION`: the ring can be reconnected.
inline constexpr std::uint32_t RECONNECTION = 1;
/// Xen's `XENSTORE_SERVER_FEATURE_ERROR`: the `error` field is present.
inline constexpr std::uint32_t ERROR = 2;
}  // namespace XENSTORE_SERVER_FEATURE
XENABI_CONSTANTS(XENSTORE_SERVER_FEATURE, XENSTORE_SERVER_FEATURE_, RECONNECTION, ERROR);

/// Xen's `XENSTORE_ERROR_*`: values of `xenstore_domain_interface::error`.
enum class XENSTORE_ERROR : std::uint32_t {
  NONE = 0,     ///< No error.
  COMM = 1,     ///< Communication problem.
  RINGIDX = 2,  ///< Invalid ring index.
  PROTO = 3,    ///< Protocol violation (payload too long).
};
XENABI_CONSTANTS(XENSTORE_ERROR, XENSTORE_ERROR_, NONE, COMM, RINGIDX, PROTO);

/// Xen's macro `MASK_XENSTORE_IDX(idx)`: the position of index \p idx in either ring.
[[nodiscard]] constexpr XENSTORE_RING_IDX mask_xenstore_idx(XENSTORE_RING_IDX idx) noexcept {
  return idx & (XENSTORE::RING_SIZE - 1);
}

/// Xen's `struct xenstore_domain_interface`: the xenstore page shared by a guest and
/// xenstored (2076 bytes, Xen 4.17 layout).
struct xenstore_domain_interface {
  char req[XENSTORE::RING_SIZE];  ///< @0: requests to xenstored (produced by the guest).
  char rsp[XENSTORE::RING_SIZE];  ///< @1024: replies and watch events (produced by xenstored).
  XENSTORE_RING_IDX req_cons;     ///< @2048: requests consumed by xenstored.
  XENSTORE_RING_IDX req_prod;     ///< @2052: requests produced by the guest.
  XENSTORE_RING_IDX rsp_cons;     ///< @2056: replies consumed by the guest.
  XENSTORE_RING_IDX rsp_prod;     ///< @2060: replies produced by xenstored.
  std::uint32_t server_features;  ///< @2064: `XENSTORE_SERVER_FEATURE` bits.
  std::uint32_t connection;       ///< @2068: `XENSTORE::CONNECTED` or `XENSTORE::RECONNECT`.
  std::uint32_t error;            ///< @2072: a `XENSTORE_ERROR`.
};
XENABI_LAYOUT(xenstore_domain_interface, 2076, req, 0, rsp, 1024, req_cons, 2048, req_prod, 2052,
              rsp_cons, 2056, rsp_prod, 2060, server_features, 2064, connection, 2068,
              error, 2072);

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
