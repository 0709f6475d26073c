// Conformance of xenabi's io protocol headers with libxen-dev's io/*.h (the Xen public headers,
// interface version 0x00040e00), for the width this file is compiled for (-m64 and -m32).
//
// Each structure is listed once with its fields; every listed field is checked for offset and
// size against Xen's definition, and every structure for size and alignment. Constants are
// checked for value. Included by a 64-bit Catch2 test and by a 32-bit program.
#pragma once

#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include <xen/xen.h>
#include <xen/io/blkif.h>
#include <xen/io/console.h>
#include <xen/io/netif.h>
#include <xen/io/protocols.h>
#include <xen/io/ring.h>
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>

#include <xenabi/abi/io/blkif.hpp>
#include <xenabi/abi/io/console.hpp>
#include <xenabi/abi/io/netif.hpp>
#include <xenabi/abi/io/protocols.hpp>
#include <xenabi/abi/io/ring.hpp>
#include <xenabi/abi/io/xenbus.hpp>
#include <xenabi/abi/io/xs_wire.hpp>

namespace io_conformance {
namespace abi = xenabi::abi;

// --- for-each over fields -------------------------------------------------------------------
#define IOC_FE_1(M, O, T, f) M(O, T, f)
#define IOC_FE_2(M, O, T, f, ...) M(O, T, f) IOC_FE_1(M, O, T, __VA_ARGS__)
#define IOC_FE_3(M, O, T, f, ...) M(O, T, f) IOC_FE_2(M, O, T, __VA_ARGS__)
#define IOC_FE_4(M, O, T, f, ...) M(O, T, f) IOC_FE_3(M, O, T, __VA_ARGS__)
#define IOC_FE_5(M, O, T, f, ...) M(O, T, f) IOC_FE_4(M, O, T, __VA_ARGS__)
#define IOC_FE_6(M, O, T, f, ...) M(O, T, f) IOC_FE_5(M, O, T, __VA_ARGS__)
#define IOC_FE_7(M, O, T, f, ...) M(O, T, f) IOC_FE_6(M, O, T, __VA_ARGS__)
#define IOC_FE_8(M, O, T, f, ...) M(O, T, f) IOC_FE_7(M, O, T, __VA_ARGS__)
#define IOC_FE_9(M, O, T, f, ...) M(O, T, f) IOC_FE_8(M, O, T, __VA_ARGS__)
#define IOC_FE_10(M, O, T, f, ...) M(O, T, f) IOC_FE_9(M, O, T, __VA_ARGS__)
#define IOC_FE_11(M, O, T, f, ...) M(O, T, f) IOC_FE_10(M, O, T, __VA_ARGS__)
#define IOC_FE_12(M, O, T, f, ...) M(O, T, f) IOC_FE_11(M, O, T, __VA_ARGS__)
#define IOC_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, N, ...) N
#define IOC_FOR_EACH(M, O, T, ...)                                                           \
  IOC_PICK(__VA_ARGS__, IOC_FE_12, IOC_FE_11, IOC_FE_10, IOC_FE_9, IOC_FE_8, IOC_FE_7,       \
           IOC_FE_6, IOC_FE_5, IOC_FE_4, IOC_FE_3, IOC_FE_2, IOC_FE_1, ~)(M, O, T, __VA_ARGS__)

// A structure: size, alignment, standard layout, then each field.
#define IOC_STRUCT(O, T, ...)                                                                \
  static_assert(sizeof(O) == sizeof(T), "size of " #O);                                      \
  static_assert(alignof(O) == alignof(T), "alignment of " #O);                               \
  static_assert(std::is_standard_layout_v<O> && std::is_trivially_copyable_v<O>, #O);        \
  IOC_FOR_EACH(IOC_FIELD2, O, T, __VA_ARGS__)

#define IOC_FIELD2(O, T, f)                                                                  \
  static_assert(offsetof(O, f) == offsetof(T, f), "offset of " #O "::" #f);                  \
  static_assert(sizeof(O::f) == sizeof(T::f), "size of " #O "::" #f);

// A constant: same value (compared as 64-bit signed).
#define IOC_CONST(ours, theirs)                                                              \
  static_assert(static_cast<long long>(ours) == static_cast<long long>(theirs), #theirs);

constexpr bool streq(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) ++a, ++b;
  return *a == *b;
}
#define IOC_STRING(ours, theirs) static_assert(streq(ours, theirs), #theirs);

// --- io/ring.h ---------------------------------------------------------------------------------
IOC_CONST(sizeof(abi::RING_IDX), sizeof(::RING_IDX))
static_assert(std::is_unsigned_v<abi::RING_IDX> == std::is_unsigned_v<::RING_IDX>);
// Xen declares the slot array with one element ("as many as fit"); ours has them all, so the
// header is checked field by field and the array by IOC_RING below.
IOC_FOR_EACH(IOC_FIELD2, abi::blkif_sring, ::blkif_sring, req_prod, req_event, rsp_prod,
             rsp_event, pvt)
static_assert(alignof(abi::blkif_sring) == alignof(::blkif_sring));
IOC_CONST(offsetof(abi::blkif_sring, pad), offsetof(::blkif_sring, __pad))
IOC_CONST(sizeof(abi::blkif_sring::pad), sizeof(::blkif_sring::__pad))
IOC_CONST(sizeof(abi::sring_pvt), sizeof(::blkif_sring::pvt))
IOC_CONST(abi::RING::HEADER_SIZE, offsetof(::blkif_sring, ring))
IOC_CONST(abi::RING::PAGE_SHIFT, XEN_PAGE_SHIFT)
IOC_CONST(abi::xen_flex_ring_size(0), XEN_FLEX_RING_SIZE(0))
IOC_CONST(abi::xen_flex_ring_size(3), XEN_FLEX_RING_SIZE(3))
// The slot count rule, for every entry size from 1 to 4032 bytes and ring sizes of 1..4 pages.
constexpr bool slot_rule_matches() {
  for (std::size_t pages = 1; pages <= 4; ++pages)
    for (std::size_t e = 1; e <= 4032; ++e) {
      const std::size_t bytes = pages * 4096;
      const std::size_t xen = __RD32((bytes - 64) / e);
      if (abi::ring_slots(bytes, e) != xen) return false;
    }
  return true;
}
static_assert(slot_rule_matches());

// The slot array itself: entry size and slot count equal Xen's for every protocol.
#define IOC_RING(ours, xen_name)                                                             \
  static_assert(sizeof(ours::entry_type) == sizeof(::xen_name##_sring_entry), #ours);        \
  static_assert(ours::slots == __CONST_RING_SIZE(xen_name, 4096), #ours " slots");           \
  static_assert(offsetof(ours, ring) == offsetof(::xen_name##_sring, ring), #ours " ring");
IOC_RING(abi::blkif_sring, blkif)
IOC_RING(abi::netif_tx_sring, netif_tx)
IOC_RING(abi::netif_rx_sring, netif_rx)
IOC_RING(abi::xen_netif_ctrl_sring, xen_netif_ctrl)
static_assert(abi::blkif_sring::slots == 32 && abi::netif_tx_sring::slots == 256 &&
              abi::netif_rx_sring::slots == 256);

// --- io/blkif.h --------------------------------------------------------------------------------
#if defined(__x86_64__)
using blkif_this_width_request = abi::blkif_x86_64_request;
using blkif_this_width_request_discard = abi::blkif_x86_64_request_discard;
using blkif_this_width_request_indirect = abi::blkif_x86_64_request_indirect;
using blkif_this_width_response = abi::blkif_x86_64_response;
using blkif_this_width_sring = abi::blkif_x86_64_sring;
#else
using blkif_this_width_request = abi::blkif_x86_32_request;
using blkif_this_width_request_discard = abi::blkif_x86_32_request_discard;
using blkif_this_width_request_indirect = abi::blkif_x86_32_request_indirect;
using blkif_this_width_response = abi::blkif_x86_32_response;
using blkif_this_width_sring = abi::blkif_x86_32_sring;
#endif
IOC_STRUCT(abi::blkif_request_segment, ::blkif_request_segment, gref, first_sect, last_sect)
IOC_STRUCT(abi::blkif_request, ::blkif_request, operation, nr_segments, handle, id,
           sector_number, seg)
IOC_STRUCT(blkif_this_width_request, ::blkif_request, operation, nr_segments, handle, id,
           sector_number, seg)
IOC_STRUCT(abi::blkif_request_discard, ::blkif_request_discard, operation, flag, handle, id,
           sector_number, nr_sectors)
IOC_STRUCT(blkif_this_width_request_discard, ::blkif_request_discard, operation, flag, handle,
           id, sector_number, nr_sectors)
IOC_STRUCT(abi::blkif_request_indirect, ::blkif_request_indirect, operation, indirect_op,
           nr_segments, id, sector_number, handle, indirect_grefs)
IOC_STRUCT(blkif_this_width_request_indirect, ::blkif_request_indirect, operation, indirect_op,
           nr_segments, id, sector_number, handle, indirect_grefs)
#if defined(__i386__)
IOC_CONST(offsetof(abi::blkif_request_indirect, pad), offsetof(::blkif_request_indirect, pad))
#endif
IOC_STRUCT(abi::blkif_response, ::blkif_response, id, operation, status)
IOC_STRUCT(blkif_this_width_response, ::blkif_response, id, operation, status)
IOC_RING(blkif_this_width_sring, blkif)
static_assert(std::is_same_v<abi::blkif_vdev_t, blkif_vdev_t>);
static_assert(std::is_same_v<abi::blkif_sector_t, blkif_sector_t>);
IOC_CONST(abi::BLKIF_OP::READ, BLKIF_OP_READ)
IOC_CONST(abi::BLKIF_OP::WRITE, BLKIF_OP_WRITE)
IOC_CONST(abi::BLKIF_OP::WRITE_BARRIER, BLKIF_OP_WRITE_BARRIER)
IOC_CONST(abi::BLKIF_OP::FLUSH_DISKCACHE, BLKIF_OP_FLUSH_DISKCACHE)
IOC_CONST(abi::BLKIF_OP::RESERVED_1, BLKIF_OP_RESERVED_1)
IOC_CONST(abi::BLKIF_OP::DISCARD, BLKIF_OP_DISCARD)
IOC_CONST(abi::BLKIF_OP::INDIRECT, BLKIF_OP_INDIRECT)
IOC_CONST(abi::BLKIF_RSP::eopnotsupp, BLKIF_RSP_EOPNOTSUPP)
IOC_CONST(abi::BLKIF_RSP::ERROR, BLKIF_RSP_ERROR)
IOC_CONST(abi::BLKIF_RSP::OKAY, BLKIF_RSP_OKAY)
IOC_CONST(abi::BLKIF::MAX_SEGMENTS_PER_REQUEST, BLKIF_MAX_SEGMENTS_PER_REQUEST)
IOC_CONST(abi::BLKIF::MAX_INDIRECT_PAGES_PER_REQUEST, BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
IOC_CONST(abi::BLKIF::DISCARD_SECURE, BLKIF_DISCARD_SECURE)
IOC_CONST(abi::VDISK::CDROM, VDISK_CDROM)
IOC_CONST(abi::VDISK::REMOVABLE, VDISK_REMOVABLE)
IOC_CONST(abi::VDISK::READONLY, VDISK_READONLY)

// --- io/netif.h --------------------------------------------------------------------------------
IOC_STRUCT(abi::netif_tx_request, ::netif_tx_request, gref, offset, flags, id, size)
IOC_STRUCT(abi::netif_extra_info, ::netif_extra_info, type, flags, u)
using xen_extra_u = decltype(::netif_extra_info::u);
using xen_extra_gso = decltype(xen_extra_u::gso);
using xen_extra_mcast = decltype(xen_extra_u::mcast);
using xen_extra_hash = decltype(xen_extra_u::hash);
IOC_STRUCT(abi::netif_extra_info::u_t, xen_extra_u, gso, mcast, hash, pad)
IOC_STRUCT(abi::netif_extra_info::u_t::gso_t, xen_extra_gso, size, type, pad, features)
IOC_STRUCT(abi::netif_extra_info::u_t::mcast_t, xen_extra_mcast, addr)
IOC_STRUCT(abi::netif_extra_info::u_t::hash_t, xen_extra_hash, type, algorithm, value)
IOC_STRUCT(abi::netif_tx_response, ::netif_tx_response, id, status)
IOC_STRUCT(abi::netif_rx_request, ::netif_rx_request, id, pad, gref)
IOC_STRUCT(abi::netif_rx_response, ::netif_rx_response, id, offset, flags, status)
IOC_STRUCT(abi::xen_netif_ctrl_request, ::xen_netif_ctrl_request, id, type, data)
IOC_STRUCT(abi::xen_netif_ctrl_response, ::xen_netif_ctrl_response, id, type, status, data)
IOC_STRUCT(abi::xen_netif_gref, ::xen_netif_gref, ref, flags, status)
IOC_CONST(abi::XEN_NETIF::NR_SLOTS_MIN, XEN_NETIF_NR_SLOTS_MIN)
IOC_CONST(abi::XEN_NETIF::MAX_TX_SIZE, XEN_NETIF_MAX_TX_SIZE)
IOC_CONST(abi::NETTXF::csum_blank_bit, _NETTXF_csum_blank)
IOC_CONST(abi::NETTXF::data_validated_bit, _NETTXF_data_validated)
IOC_CONST(abi::NETTXF::more_data_bit, _NETTXF_more_data)
IOC_CONST(abi::NETTXF::extra_info_bit, _NETTXF_extra_info)
IOC_CONST(abi::NETTXF::csum_blank, NETTXF_csum_blank)
IOC_CONST(abi::NETTXF::data_validated, NETTXF_data_validated)
IOC_CONST(abi::NETTXF::more_data, NETTXF_more_data)
IOC_CONST(abi::NETTXF::extra_info, NETTXF_extra_info)
IOC_CONST(abi::NETRXF::data_validated_bit, _NETRXF_data_validated)
IOC_CONST(abi::NETRXF::csum_blank_bit, _NETRXF_csum_blank)
IOC_CONST(abi::NETRXF::more_data_bit, _NETRXF_more_data)
IOC_CONST(abi::NETRXF::extra_info_bit, _NETRXF_extra_info)
IOC_CONST(abi::NETRXF::gso_prefix_bit, _NETRXF_gso_prefix)
IOC_CONST(abi::NETRXF::data_validated, NETRXF_data_validated)
IOC_CONST(abi::NETRXF::csum_blank, NETRXF_csum_blank)
IOC_CONST(abi::NETRXF::more_data, NETRXF_more_data)
IOC_CONST(abi::NETRXF::extra_info, NETRXF_extra_info)
IOC_CONST(abi::NETRXF::gso_prefix, NETRXF_gso_prefix)
IOC_CONST(abi::XEN_NETIF_EXTRA_TYPE::NONE, XEN_NETIF_EXTRA_TYPE_NONE)
IOC_CONST(abi::XEN_NETIF_EXTRA_TYPE::GSO, XEN_NETIF_EXTRA_TYPE_GSO)
IOC_CONST(abi::XEN_NETIF_EXTRA_TYPE::MCAST_ADD, XEN_NETIF_EXTRA_TYPE_MCAST_ADD)
IOC_CONST(abi::XEN_NETIF_EXTRA_TYPE::MCAST_DEL, XEN_NETIF_EXTRA_TYPE_MCAST_DEL)
IOC_CONST(abi::XEN_NETIF_EXTRA_TYPE::HASH, XEN_NETIF_EXTRA_TYPE_HASH)
IOC_CONST(abi::XEN_NETIF_EXTRA_TYPE::MAX, XEN_NETIF_EXTRA_TYPE_MAX)
IOC_CONST(abi::XEN_NETIF_EXTRA_FLAG::MORE_bit, _XEN_NETIF_EXTRA_FLAG_MORE)
IOC_CONST(abi::XEN_NETIF_EXTRA_FLAG::MORE, XEN_NETIF_EXTRA_FLAG_MORE)
IOC_CONST(abi::XEN_NETIF_GSO_TYPE::NONE, XEN_NETIF_GSO_TYPE_NONE)
IOC_CONST(abi::XEN_NETIF_GSO_TYPE::TCPV4, XEN_NETIF_GSO_TYPE_TCPV4)
IOC_CONST(abi::XEN_NETIF_GSO_TYPE::TCPV6, XEN_NETIF_GSO_TYPE_TCPV6)
IOC_CONST(abi::NETIF_RSP::DROPPED, NETIF_RSP_DROPPED)
IOC_CONST(abi::NETIF_RSP::ERROR, NETIF_RSP_ERROR)
IOC_CONST(abi::NETIF_RSP::OKAY, NETIF_RSP_OKAY)
IOC_CONST(abi::NETIF_RSP::null, NETIF_RSP_NULL)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::INVALID, XEN_NETIF_CTRL_TYPE_INVALID)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::GET_HASH_FLAGS, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::SET_HASH_FLAGS, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::SET_HASH_KEY, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::GET_HASH_MAPPING_SIZE, XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::SET_HASH_MAPPING_SIZE, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::SET_HASH_MAPPING, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::SET_HASH_ALGORITHM, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::GET_GREF_MAPPING_SIZE, XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::ADD_GREF_MAPPING, XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING)
IOC_CONST(abi::XEN_NETIF_CTRL_TYPE::DEL_GREF_MAPPING, XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING)
IOC_CONST(abi::XEN_NETIF_CTRL_STATUS::SUCCESS, XEN_NETIF_CTRL_STATUS_SUCCESS)
IOC_CONST(abi::XEN_NETIF_CTRL_STATUS::NOT_SUPPORTED, XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED)
IOC_CONST(abi::XEN_NETIF_CTRL_STATUS::INVALID_PARAMETER, XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER)
IOC_CONST(abi::XEN_NETIF_CTRL_STATUS::BUFFER_OVERFLOW, XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV4_bit, _XEN_NETIF_CTRL_HASH_TYPE_IPV4)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV4_TCP_bit, _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV6_bit, _XEN_NETIF_CTRL_HASH_TYPE_IPV6)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV6_TCP_bit, _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV4, XEN_NETIF_CTRL_HASH_TYPE_IPV4)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV4_TCP, XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV6, XEN_NETIF_CTRL_HASH_TYPE_IPV6)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV6_TCP, XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_ALGORITHM::NONE, XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_ALGORITHM::TOEPLITZ, XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ)
IOC_CONST(abi::XEN_NETIF_CTRLF_GREF::readonly_bit, _XEN_NETIF_CTRLF_GREF_readonly)
IOC_CONST(abi::XEN_NETIF_CTRLF_GREF::readonly, XEN_NETIF_CTRLF_GREF_readonly)

// --- io/console.h ------------------------------------------------------------------------------
IOC_STRUCT(abi::xencons_interface, ::xencons_interface, in, out, in_cons, in_prod, out_cons,
           out_prod)
static_assert(std::is_same_v<abi::XENCONS_RING_IDX, ::XENCONS_RING_IDX>);
constexpr bool console_masks_match() {
  ::xencons_interface theirs{};
  abi::xencons_interface ours{};
  for (std::uint32_t i : {0u, 1u, 1023u, 1024u, 2047u, 2048u, 4095u, 0xffffffffu}) {
    if (abi::mask_xencons_idx(i, ours.in) != MASK_XENCONS_IDX(i, theirs.in)) return false;
    if (abi::mask_xencons_idx(i, ours.out) != MASK_XENCONS_IDX(i, theirs.out)) return false;
  }
  return true;
}
static_assert(console_masks_match());

// --- io/xs_wire.h ------------------------------------------------------------------------------
IOC_STRUCT(abi::xsd_sockmsg, ::xsd_sockmsg, type, req_id, tx_id, len)
IOC_STRUCT(abi::xenstore_domain_interface, ::xenstore_domain_interface, req, rsp, req_cons,
           req_prod, rsp_cons, rsp_prod, server_features, connection, error)
static_assert(std::is_same_v<abi::XENSTORE_RING_IDX, ::XENSTORE_RING_IDX>);
IOC_CONST(abi::XS::CONTROL, XS_CONTROL)
IOC_CONST(abi::XS::DEBUG, XS_DEBUG)
IOC_CONST(abi::XS::DIRECTORY, XS_DIRECTORY)
IOC_CONST(abi::XS::READ, XS_READ)
IOC_CONST(abi::XS::GET_PERMS, XS_GET_PERMS)
IOC_CONST(abi::XS::WATCH, XS_WATCH)
IOC_CONST(abi::XS::UNWATCH, XS_UNWATCH)
IOC_CONST(abi::XS::TRANSACTION_START, XS_TRANSACTION_START)
IOC_CONST(abi::XS::TRANSACTION_END, XS_TRANSACTION_END)
IOC_CONST(abi::XS::INTRODUCE, XS_INTRODUCE)
IOC_CONST(abi::XS::RELEASE, XS_RELEASE)
IOC_CONST(abi::XS::GET_DOMAIN_PATH, XS_GET_DOMAIN_PATH)
IOC_CONST(abi::XS::WRITE, XS_WRITE)
IOC_CONST(abi::XS::MKDIR, XS_MKDIR)
IOC_CONST(abi::XS::RM, XS_RM)
IOC_CONST(abi::XS::SET_PERMS, XS_SET_PERMS)
IOC_CONST(abi::XS::WATCH_EVENT, XS_WATCH_EVENT)
IOC_CONST(abi::XS::ERROR, XS_ERROR)
IOC_CONST(abi::XS::IS_DOMAIN_INTRODUCED, XS_IS_DOMAIN_INTRODUCED)
IOC_CONST(abi::XS::RESUME, XS_RESUME)
IOC_CONST(abi::XS::SET_TARGET, XS_SET_TARGET)
IOC_CONST(abi::XS::RESET_WATCHES, XS_RESET_WATCHES)
IOC_CONST(abi::XS::DIRECTORY_PART, XS_DIRECTORY_PART)
IOC_CONST(abi::XS::TYPE_COUNT, XS_TYPE_COUNT)
IOC_CONST(abi::XS::INVALID, XS_INVALID)
IOC_CONST(abi::XS_WATCH::PATH, XS_WATCH_PATH)
IOC_CONST(abi::XS_WATCH::TOKEN, XS_WATCH_TOKEN)
IOC_STRING(abi::XS_WRITE::NONE, XS_WRITE_NONE)
IOC_STRING(abi::XS_WRITE::CREATE, XS_WRITE_CREATE)
IOC_STRING(abi::XS_WRITE::CREATE_EXCL, XS_WRITE_CREATE_EXCL)
IOC_CONST(abi::XENSTORE::RING_SIZE, XENSTORE_RING_SIZE)
IOC_CONST(abi::XENSTORE::PAYLOAD_MAX, XENSTORE_PAYLOAD_MAX)
IOC_CONST(abi::XENSTORE::ABS_PATH_MAX, XENSTORE_ABS_PATH_MAX)
IOC_CONST(abi::XENSTORE::REL_PATH_MAX, XENSTORE_REL_PATH_MAX)
IOC_CONST(abi::XENSTORE::CONNECTED, XENSTORE_CONNECTED)
IOC_CONST(abi::XENSTORE::RECONNECT, XENSTORE_RECONNECT)
IOC_CONST(abi::XENSTORE_SERVER_FEATURE::RECONNECTION, XENSTORE_SERVER_FEATURE_RECONNECTION)
IOC_CONST(abi::XENSTORE_SERVER_FEATURE::ERROR, XENSTORE_SERVER_FEATURE_ERROR)
IOC_CONST(abi::XENSTORE_ERROR::NONE, XENSTORE_ERROR_NONE)
IOC_CONST(abi::XENSTORE_ERROR::COMM, XENSTORE_ERROR_COMM)
IOC_CONST(abi::XENSTORE_ERROR::RINGIDX, XENSTORE_ERROR_RINGIDX)
IOC_CONST(abi::XENSTORE_ERROR::PROTO, XENSTORE_ERROR_PROTO)
constexpr bool xenstore_masks_match() {
  for (std::uint32_t i : {0u, 1u, 1023u, 1024u, 2047u, 0xffffffffu})
    if (abi::mask_xenstore_idx(i) != MASK_XENSTORE_IDX(i)) return false;
  return true;
}
static_assert(xenstore_masks_match());
// The error table: same length, same order, same names, same numbers (Xen's table uses the C
// library's errno values, which on Linux are Xen's).
// (Xen's table is a static const array, not constexpr: checked at run time.)
inline bool xsd_errors_match() {
  if (abi::xsd_error_count != sizeof ::xsd_errors / sizeof ::xsd_errors[0]) return false;
  for (std::size_t i = 0; i < abi::xsd_error_count; ++i) {
    if (static_cast<int>(abi::xsd_error_table[i].errnum) != ::xsd_errors[i].errnum) return false;
    if (!streq(abi::xsd_error_table[i].errstring, ::xsd_errors[i].errstring)) return false;
  }
  return true;
}

// --- io/xenbus.h, io/protocols.h ----------------------------------------------------------------
IOC_CONST(abi::XenbusState::Unknown, XenbusStateUnknown)
IOC_CONST(abi::XenbusState::Initialising, XenbusStateInitialising)
IOC_CONST(abi::XenbusState::InitWait, XenbusStateInitWait)
IOC_CONST(abi::XenbusState::Initialised, XenbusStateInitialised)
IOC_CONST(abi::XenbusState::Connected, XenbusStateConnected)
IOC_CONST(abi::XenbusState::Closing, XenbusStateClosing)
IOC_CONST(abi::XenbusState::Closed, XenbusStateClosed)
IOC_CONST(abi::XenbusState::Reconfiguring, XenbusStateReconfiguring)
IOC_CONST(abi::XenbusState::Reconfigured, XenbusStateReconfigured)
static_assert(sizeof(abi::XenbusState) == sizeof(::XenbusState));
IOC_STRING(abi::XEN_IO_PROTO_ABI::X86_32, XEN_IO_PROTO_ABI_X86_32)
IOC_STRING(abi::XEN_IO_PROTO_ABI::X86_64, XEN_IO_PROTO_ABI_X86_64)
IOC_STRING(abi::XEN_IO_PROTO_ABI::ARM, XEN_IO_PROTO_ABI_ARM)
IOC_STRING(abi::XEN_IO_PROTO_ABI::NATIVE, XEN_IO_PROTO_ABI_NATIVE)

}  // namespace io_conformance
