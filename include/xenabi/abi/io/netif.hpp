/// \file
/// The network-device protocol, Xen's `io/netif.h`: transmit and receive requests and
/// responses, extra-info descriptors (GSO, multicast, hash), the control ring, the NETTXF_* and
/// NETRXF_* flags, status codes, the xenstore keys, and the shared ring types.
///
/// Every netif structure has the same layout on i386 and x86_64.
#pragma once

#include <cstdint>

#include <xenabi/abi/io/ring.hpp>
#include <xenabi/core/layout.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Xen's `XEN_NETIF_*` sizes.
namespace XEN_NETIF {
/// Xen's `XEN_NETIF_NR_SLOTS_MIN`: slots a back end must accept for one packet.
inline constexpr std::uint32_t NR_SLOTS_MIN = 18;
/// Xen's `XEN_NETIF_MAX_TX_SIZE`: largest packet on the transmit ring.
inline constexpr std::uint32_t MAX_TX_SIZE = 0xFFFF;
}  // namespace XEN_NETIF
XENABI_CONSTANTS(XEN_NETIF, XEN_NETIF_, NR_SLOTS_MIN, MAX_TX_SIZE);

/// Xen's `NETTXF_*`: `netif_tx_request::flags`. Xen's bit numbers `_NETTXF_x` are `x_bit`.
namespace NETTXF {
inline constexpr std::uint16_t csum_blank_bit = 0;      ///< _NETTXF_csum_blank.
inline constexpr std::uint16_t data_validated_bit = 1;  ///< _NETTXF_data_validated.
inline constexpr std::uint16_t more_data_bit = 2;       ///< _NETTXF_more_data.
inline constexpr std::uint16_t extra_info_bit = 3;      ///< _NETTXF_extra_info.
/// The protocol checksum field is blank (checksum offload).
inline constexpr std::uint16_t csum_blank = 1u << csum_blank_bit;
/// The packet has been validated against its protocol checksum.
inline constexpr std::uint16_t data_validated = 1u << data_validated_bit;
/// The packet continues in the next request.
inline constexpr std::uint16_t more_data = 1u << more_data_bit;
/// Extra-info descriptors follow this request.
inline constexpr std::uint16_t extra_info = 1u << extra_info_bit;
}  // namespace NETTXF
XENABI_CONSTANTS(NETTXF, NETTXF_, csum_blank, data_validated, more_data, extra_info);

/// Xen's `NETRXF_*`: `netif_rx_response::flags`. Xen's bit numbers `_NETRXF_x` are `x_bit`.
namespace NETRXF {
inline constexpr std::uint16_t data_validated_bit = 0;  ///< _NETRXF_data_validated.
inline constexpr std::uint16_t csum_blank_bit = 1;      ///< _NETRXF_csum_blank.
inline constexpr std::uint16_t more_data_bit = 2;       ///< _NETRXF_more_data.
inline constexpr std::uint16_t extra_info_bit = 3;      ///< _NETRXF_extra_info.
inline constexpr std::uint16_t gso_prefix_bit = 4;      ///< _NETRXF_gso_prefix.
/// The packet has been validated against its protocol checksum.
inline constexpr std::uint16_t data_validated = 1u << data_validated_bit;
/// The protocol checksum field is blank.
inline constexpr std::uint16_t csum_blank = 1u << csum_blank_bit;
/// The packet continues in the next response.
inline constexpr std::uint16_t more_data = 1u << more_data_bit;
/// Extra-info descriptors follow this response.
inline constexpr std::uint16_t extra_info = 1u << extra_info_bit;
/// The packet has a GSO prefix (deprecated).
inline constexpr std::uint16_t gso_prefix = 1u << gso_prefix_bit;
}  // namespace NETRXF
XENABI_CONSTANTS(NETRXF, NETRXF_, data_validated, csum_blank, more_data, extra_info, gso_prefix);

/// Xen's `XEN_NETIF_EXTRA_TYPE_*`: `netif_extra_info::type`.
enum class XEN_NETIF_EXTRA_TYPE : std::uint8_t {
  NONE = 0,       ///< Never used (invalid).
  GSO = 1,        ///< `u.gso`.
  MCAST_ADD = 2,  ///< `u.mcast`: add a multicast address.
  MCAST_DEL = 3,  ///< `u.mcast`: remove a multicast address.
  HASH = 4,       ///< `u.hash`.
  MAX = 5,        ///< One past the last type.
};
XENABI_CONSTANTS(XEN_NETIF_EXTRA_TYPE, XEN_NETIF_EXTRA_TYPE_, NONE, GSO, MCAST_ADD, MCAST_DEL, HASH, MAX);

/// Xen's `XEN_NETIF_EXTRA_FLAG_*`: `netif_extra_info::flags`.
namespace XEN_NETIF_EXTRA_FLAG {
inline constexpr std::uint8_t MORE_bit = 0;  ///< _XEN_NETIF_EXTRA_FLAG_MORE.
/// Another extra-info descriptor follows.
inline constexpr std::uint8_t MORE = 1u << MORE_bit;
}  // namespace XEN_NETIF_EXTRA_FLAG
XENABI_CONSTANTS(XEN_NETIF_EXTRA_FLAG, XEN_NETIF_EXTRA_FLAG_, MORE);

/// Xen's `XEN_NETIF_GSO_TYPE_*`: `netif_extra_info::u.gso.type`.
enum class XEN_NETIF_GSO_TYPE : std::uint8_t {
  NONE = 0,   ///< No segmentation.
  TCPV4 = 1,  ///< TCP over IPv4.
  TCPV6 = 2,  ///< TCP over IPv6.
};
XENABI_CONSTANTS(XEN_NETIF_GSO_TYPE, XEN_NETIF_GSO_TYPE_, NONE, TCPV4, TCPV6);

/// Xen's `NETIF_RSP_*`: the status of a transmit or receive response. `NETIF_RSP_NULL` is
/// spelled `null` because `NULL` is a macro.
enum class NETIF_RSP : std::int16_t {
  DROPPED = -2,  ///< The packet was dropped.
  ERROR = -1,    ///< The packet was in error.
  OKAY = 0,      ///< Success.
  null = 1,      ///< NETIF_RSP_NULL: no response (auxiliary requests such as extra info).
};
XENABI_CONSTANTS(NETIF_RSP, NETIF_RSP_, DROPPED, ERROR, OKAY);

/// Xen's `struct netif_tx_request`: one fragment of a packet to transmit (12 bytes).
struct netif_tx_request {
  std::uint32_t gref;    ///< @0: grant reference (`grant_ref_t`) of the buffer page.
  std::uint16_t offset;  ///< @4: offset of the data within the page.
  std::uint16_t flags;   ///< @6: `NETTXF` bits.
  std::uint16_t id;      ///< @8: echoed in the response.
  std::uint16_t size;    ///< @10: packet size (first request) or fragment size.
};
XENABI_LAYOUT(netif_tx_request, 12, gref, 0, offset, 4, flags, 6, id, 8, size, 10);

/// Xen's `struct netif_extra_info`: an extra-info descriptor, occupying a transmit request or a
/// receive response slot (8 bytes).
struct netif_extra_info {
  std::uint8_t type;   ///< @0: a `XEN_NETIF_EXTRA_TYPE`.
  std::uint8_t flags;  ///< @1: `XEN_NETIF_EXTRA_FLAG` bits.
  /// The type-specific part.
  union u_t {
    /// Segmentation offload (`XEN_NETIF_EXTRA_TYPE::GSO`).
    struct gso_t {
      std::uint16_t size;      ///< Maximum payload size of each segment.
      std::uint8_t type;       ///< A `XEN_NETIF_GSO_TYPE`.
      std::uint8_t pad;        ///< Future expansion.
      std::uint16_t features;  ///< GSO feature flags (none defined).
    } gso;                     ///< GSO parameters.
    /// Multicast filter change (`XEN_NETIF_EXTRA_TYPE::MCAST_ADD`/`MCAST_DEL`).
    struct mcast_t {
      std::uint8_t addr[6];  ///< The Ethernet address.
    } mcast;                 ///< Multicast address.
    /// Packet hash (`XEN_NETIF_EXTRA_TYPE::HASH`).
    struct hash_t {
      std::uint8_t type;       ///< A `_XEN_NETIF_CTRL_HASH_TYPE_*` bit number.
      std::uint8_t algorithm;  ///< A `XEN_NETIF_CTRL_HASH_ALGORITHM`.
      std::uint8_t value[4];   ///< The hash, little-endian.
    } hash;                    ///< Hash value.
    std::uint16_t pad[3];      ///< The six bytes as raw storage.
  } u;                         ///< @2: the type-specific part.
};
XENABI_LAYOUT(netif_extra_info, 8, type, 0, flags, 1, u.gso.size, 2, u.gso.type, 4, u.gso.pad, 5,
              u.gso.features, 6, u.mcast.addr, 2, u.hash.type, 2, u.hash.algorithm, 3,
              u.hash.value, 4, u.pad, 2);

/// Xen's `struct netif_tx_response` (4 bytes).
struct netif_tx_response {
  std::uint16_t id;     ///< @0: from the request.
  std::int16_t status;  ///< @2: a `NETIF_RSP`.
};
XENABI_LAYOUT(netif_tx_response, 4, id, 0, status, 2);

/// Xen's `struct netif_rx_request`: a buffer page offered for receiving (8 bytes).
struct netif_rx_request {
  std::uint16_t id;    ///< @0: echoed in the response.
  std::uint16_t pad;   ///< @2: padding.
  std::uint32_t gref;  ///< @4: grant reference (`grant_ref_t`) of the buffer page.
};
XENABI_LAYOUT(netif_rx_request, 8, id, 0, pad, 2, gref, 4);

/// Xen's `struct netif_rx_response`: a received fragment (8 bytes).
struct netif_rx_response {
  std::uint16_t id;      ///< @0: from the request.
  std::uint16_t offset;  ///< @2: offset of the data in the page.
  std::uint16_t flags;   ///< @4: `NETRXF` bits.
  std::int16_t status;   ///< @6: byte count if positive, else a `NETIF_RSP`.
};
XENABI_LAYOUT(netif_rx_response, 8, id, 0, offset, 2, flags, 4, status, 6);

/// Xen's `netif_tx_sring`: 256 slots on a 4 KiB page.
using netif_tx_sring = sring<netif_tx_request, netif_tx_response>;
/// Xen's `netif_rx_sring`: 256 slots on a 4 KiB page.
using netif_rx_sring = sring<netif_rx_request, netif_rx_response>;
static_assert(netif_tx_sring::slots == 256 && netif_rx_sring::slots == 256);
static_assert(sizeof(netif_extra_info) <= sizeof(netif_tx_request) &&
              sizeof(netif_extra_info) <= sizeof(netif_rx_response),
              "extra info shares transmit-request and receive-response slots");

// --- control ring ----------------------------------------------------------------------------

/// Xen's `XEN_NETIF_CTRL_TYPE_*`: `xen_netif_ctrl_request::type`.
enum class XEN_NETIF_CTRL_TYPE : std::uint16_t {
  INVALID = 0,                ///< Invalid.
  GET_HASH_FLAGS = 1,         ///< Which hash types the back end supports.
  SET_HASH_FLAGS = 2,         ///< Select hash types.
  SET_HASH_KEY = 3,           ///< Set the Toeplitz key.
  GET_HASH_MAPPING_SIZE = 4,  ///< Largest mapping table.
  SET_HASH_MAPPING_SIZE = 5,  ///< Set the mapping table size.
  SET_HASH_MAPPING = 6,       ///< Fill the mapping table.
  SET_HASH_ALGORITHM = 7,     ///< Select the hash algorithm.
  GET_GREF_MAPPING_SIZE = 8,  ///< How many static grants the back end keeps.
  ADD_GREF_MAPPING = 9,       ///< Add static grants.
  DEL_GREF_MAPPING = 10,      ///< Remove static grants.
};
XENABI_CONSTANTS(XEN_NETIF_CTRL_TYPE, XEN_NETIF_CTRL_TYPE_, INVALID, GET_HASH_FLAGS, SET_HASH_FLAGS,
                 SET_HASH_KEY, GET_HASH_MAPPING_SIZE, SET_HASH_MAPPING_SIZE, SET_HASH_MAPPING,
                 SET_HASH_ALGORITHM, GET_GREF_MAPPING_SIZE, ADD_GREF_MAPPING, DEL_GREF_MAPPING);

/// Xen's `XEN_NETIF_CTRL_STATUS_*`: `xen_netif_ctrl_response::status`.
enum class XEN_NETIF_CTRL_STATUS : std::uint32_t {
  SUCCESS = 0,            ///< Success.
  NOT_SUPPORTED = 1,      ///< Unknown or unsupported request.
  INVALID_PARAMETER = 2,  ///< A parameter is out of range.
  BUFFER_OVERFLOW = 3,    ///< A supplied buffer is too small.
};
XENABI_CONSTANTS(XEN_NETIF_CTRL_STATUS, XEN_NETIF_CTRL_STATUS_, SUCCESS, NOT_SUPPORTED, INVALID_PARAMETER,
                 BUFFER_OVERFLOW);

/// Xen's `XEN_NETIF_CTRL_HASH_TYPE_*` flags (bit numbers `_XEN_NETIF_CTRL_HASH_TYPE_x` are `x_bit`).
namespace XEN_NETIF_CTRL_HASH_TYPE {
inline constexpr std::uint32_t IPV4_bit = 0;      ///< _XEN_NETIF_CTRL_HASH_TYPE_IPV4.
inline constexpr std::uint32_t IPV4_TCP_bit = 1;  ///< _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP.
inline constexpr std::uint32_t IPV6_bit = 2;      ///< _XEN_NETIF_CTRL_HASH_TYPE_IPV6.
inline constexpr std::uint32_t IPV6_TCP_bit = 3;  ///< _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP.
inline constexpr std::uint32_t IPV4 = 1u << IPV4_bit;          ///< Hash IPv4 addresses.
inline constexpr std::uint32_t IPV4_TCP = 1u << IPV4_TCP_bit;  ///< Hash IPv4 addresses and TCP ports.
inline constexpr std::uint32_t IPV6 = 1u << IPV6_bit;          ///< Hash IPv6 addresses.
inline constexpr std::uint32_t IPV6_TCP = 1u << IPV6_TCP_bit;  ///< Hash IPv6 addresses and TCP ports.
}  // namespace XEN_NETIF_CTRL_HASH_TYPE
XENABI_CONSTANTS(XEN_NETIF_CTRL_HASH_TYPE, XEN_NETIF_CTRL_HASH_TYPE_, IPV4, IPV4_TCP, IPV6, IPV6_TCP);

/// Xen's `XEN_NETIF_CTRL_HASH_ALGORITHM_*`.
enum class XEN_NETIF_CTRL_HASH_ALGORITHM : std::uint32_t {
  NONE = 0,      ///< No hashing.
  TOEPLITZ = 1,  ///< Toeplitz hash.
};
XENABI_CONSTANTS(XEN_NETIF_CTRL_HASH_ALGORITHM, XEN_NETIF_CTRL_HASH_ALGORITHM_, NONE, TOEPLITZ);

/// Xen's `XEN_NETIF_CTRLF_GREF_*`: `xen_netif_gref::flags`.
namespace XEN_NETIF_CTRLF_GREF {
inline constexpr std::uint16_t readonly_bit = 0;  ///< _XEN_NETIF_CTRLF_GREF_readonly.
/// Map the static grant read-only.
inline constexpr std::uint16_t readonly = 1u << readonly_bit;
}  // namespace XEN_NETIF_CTRLF_GREF
XENABI_CONSTANTS(XEN_NETIF_CTRLF_GREF, XEN_NETIF_CTRLF_GREF_, readonly);

/// Xen's `struct xen_netif_ctrl_request` (16 bytes).
struct xen_netif_ctrl_request {
  std::uint16_t id;       ///< @0: echoed in the response.
  std::uint16_t type;     ///< @2: a `XEN_NETIF_CTRL_TYPE`.
  std::uint32_t data[3];  ///< @4: type-specific arguments.
};
XENABI_LAYOUT(xen_netif_ctrl_request, 16, id, 0, type, 2, data, 4);

/// Xen's `struct xen_netif_ctrl_response` (12 bytes).
struct xen_netif_ctrl_response {
  std::uint16_t id;      ///< @0: from the request.
  std::uint16_t type;    ///< @2: from the request.
  std::uint32_t status;  ///< @4: a `XEN_NETIF_CTRL_STATUS`.
  std::uint32_t data;    ///< @8: type-specific result.
};
XENABI_LAYOUT(xen_netif_ctrl_response, 12, id, 0, type, 2, status, 4, data, 8);

/// Xen's `struct xen_netif_gref`: one entry of an ADD/DEL_GREF_MAPPING table (8 bytes).
struct xen_netif_gref {
  std::uint32_t ref;     ///< @0: grant reference (`grant_ref_t`), IN.
  std::uint16_t flags;   ///< @4: `XEN_NETIF_CTRLF_GREF` bits, IN.
  std::uint16_t status;  ///< @6: a `XEN_NETIF_CTRL_STATUS`, OUT.
};
XENABI_LAYOUT(xen_netif_gref, 8, ref, 0, flags, 4, status, 6);

/// Xen's `xen_netif_ctrl_sring`: 128 slots on a 4 KiB page.
using xen_netif_ctrl_sring = sring<xen_netif_ctrl_request, xen_netif_ctrl_response>;
static_assert(xen_netif_ctrl_sring::slots == 128);

/// The xenstore keys of the network protocol (names from `io/netif.h`), under the back end's
/// directory (`backend/vif/<domid>/<dev>/`) or the front end's (`device/vif/<dev>/`); with
/// several queues the per-queue keys move under "queue-N/".
namespace netif_xenstore {
inline constexpr char feature_split_event_channels[] = "feature-split-event-channels";  ///< Back end: separate tx/rx event channels.
inline constexpr char event_channel[] = "event-channel";        ///< Front end: one port for both rings.
inline constexpr char event_channel_tx[] = "event-channel-tx";  ///< Front end: tx port (split channels).
inline constexpr char event_channel_rx[] = "event-channel-rx";  ///< Front end: rx port (split channels).
inline constexpr char tx_ring_ref[] = "tx-ring-ref";  ///< Front end: grant ref of the tx ring.
inline constexpr char rx_ring_ref[] = "rx-ring-ref";  ///< Front end: grant ref of the rx ring.
inline constexpr char multi_queue_max_queues[] = "multi-queue-max-queues";  ///< Back end: queues offered.
inline constexpr char multi_queue_num_queues[] = "multi-queue-num-queues";  ///< Front end: queues used.
inline constexpr char feature_no_csum_offload[] = "feature-no-csum-offload";  ///< IPv4 checksum offload off.
inline constexpr char feature_ipv6_csum_offload[] = "feature-ipv6-csum-offload";  ///< IPv6 checksum offload on.
inline constexpr char feature_gso_tcpv4[] = "feature-gso-tcpv4";  ///< TCPv4 segmentation offload.
inline constexpr char feature_gso_tcpv6[] = "feature-gso-tcpv6";  ///< TCPv6 segmentation offload.
inline constexpr char feature_multicast_control[] = "feature-multicast-control";  ///< Back end filters multicast.
inline constexpr char feature_dynamic_multicast_control[] = "feature-dynamic-multicast-control";  ///< Back end re-reads the setting.
inline constexpr char request_multicast_control[] = "request-multicast-control";  ///< Front end asks for filtering.
inline constexpr char feature_rx_notify[] = "feature-rx-notify";  ///< Front end notifies on rx requests.
inline constexpr char feature_ctrl_ring[] = "feature-ctrl-ring";  ///< Back end accepts a control ring.
inline constexpr char ctrl_ring_ref[] = "ctrl-ring-ref";  ///< Front end: grant ref of the control ring.
inline constexpr char event_channel_ctrl[] = "event-channel-ctrl";  ///< Front end: control-ring port.
inline constexpr char trusted[] = "trusted";  ///< "0": the front end should not trust the back end.
inline constexpr char carrier[] = "carrier";  ///< Back end: link state ("0" down, "1" up).
inline constexpr char mtu[] = "mtu";  ///< Toolstack: MTU for the front end.
}  // namespace netif_xenstore

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
