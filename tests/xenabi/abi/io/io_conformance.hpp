// Conformance of xenabi's io protocol headers with libxen-dev's io/*.h (the Xen public headers,
// interface version 0x00040e00), for the width this file is compiled for (-m64 and -m32).
//
// Most facts are not listed here: the io headers replay their own XENABI_LAYOUT and
// XENABI_CONSTANTS lines into the conformance hooks defined below (the mechanism of
// xenabi/core/layout.hpp, as in tests/xenabi/abi/conformance), and each replayed structure is
// compared with Xen's same-named one (size, alignment, offset, size and signedness of every
// field) and each constant with Xen's macro. The width-specific blkif structures are compared
// with Xen's native ones in the compilation of their width. What the hooks cannot reach (the
// ring page template, bit numbers and names xenabi spells differently, strings, the error
// table) is checked explicitly below. Included by a 64-bit Catch2 test and a 32-bit program.
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

#include <utility>

#include "../../../support/conformance_compare.hpp"

// --- conformance hooks (before any xenabi header) --------------------------------------------
namespace io_conformance {
struct counts {
  int structs = 0, fields = 0, constants = 0;
};
inline counts& total() {
  static counts c;
  return c;
}
inline int add_struct(int nfields) {
  ++total().structs;
  total().fields += nfields;
  return 0;
}
inline int add_constant() {
  ++total().constants;
  return 0;
}
using xenabi_conformance::integral_value;
using xenabi_conformance::same_value;
using xenabi_conformance::same_kind;
}  // namespace io_conformance

#define IOC_FIELD_TYPE_(T, f) decltype(std::declval<T&>().f)
#define IOC_HOOK_FIELD2_(X, O, f, o)                                                          \
  static_assert(offsetof(X, f) == offsetof(O, f), "offset of " #O "::" #f " != Xen's");      \
  static_assert(sizeof(IOC_FIELD_TYPE_(X, f)) == sizeof(IOC_FIELD_TYPE_(O, f)),               \
                "size of " #O "::" #f " != Xen's");                                          \
  static_assert(::io_conformance::same_kind<IOC_FIELD_TYPE_(X, f), IOC_FIELD_TYPE_(O, f)>(),  \
                "signedness of " #O "::" #f " != Xen's");
#define IOC_HOOK_FIELD_(XO, f, o) XENABI_PP_CALL_(IOC_HOOK_FIELD2_, (XENABI_PP_UNPAREN_ XO, f, o))
#define IOC_HOOK_ONE_(XO, f, o) +1
#define XENABI_CONFORMANCE_HOOK(xen, ours, size, ...)                                        \
  static_assert(sizeof(::xen) == sizeof(ours), "sizeof " #ours " != Xen's " #xen);           \
  static_assert(alignof(::xen) == alignof(ours), "alignof " #ours " != Xen's " #xen);        \
  XENABI_PP_FOR_EACH_PAIR_(IOC_HOOK_FIELD_, (::xen, ours), __VA_ARGS__)                      \
  [[maybe_unused]] static const int XENABI_PP_CAT_(io_conformance_struct_, __COUNTER__) =    \
      ::io_conformance::add_struct(0 XENABI_PP_FOR_EACH_PAIR_(IOC_HOOK_ONE_, _, __VA_ARGS__));
#define IOC_HOOK_CONST2_(scope, prefix, name)                                                \
  static_assert(::io_conformance::same_value(scope::name, prefix##name),                     \
                #scope "::" #name " != Xen's " #prefix #name);                               \
  [[maybe_unused]] static const int XENABI_PP_CAT_(io_conformance_const_, __COUNTER__) =     \
      ::io_conformance::add_constant();
#define IOC_HOOK_CONST_(SP, name) XENABI_PP_CALL_(IOC_HOOK_CONST2_, (XENABI_PP_UNPAREN_ SP, name))
#define XENABI_CONFORMANCE_CONSTANTS(scope, prefix, ...) \
  XENABI_PP_FOR_EACH_(IOC_HOOK_CONST_, (scope, prefix), __VA_ARGS__)
#if defined(__x86_64__)
#define IOC_IF_x86_64(...) __VA_ARGS__
#define IOC_IF_x86_32(...)
#define IOC_WIDTH_NAME "x86_64"
#else
#define IOC_IF_x86_64(...)
#define IOC_IF_x86_32(...) __VA_ARGS__
#define IOC_WIDTH_NAME "i386"
#endif
#define XENABI_CONFORMANCE_HOOK_W(width, xen, ours, size, ...) \
  IOC_IF_##width(XENABI_CONFORMANCE_HOOK(xen, ours, size, __VA_ARGS__))
#define XENABI_CONFORMANCE_CONSTANTS_W(width, scope, prefix, ...) \
  IOC_IF_##width(XENABI_CONFORMANCE_CONSTANTS(scope, prefix, __VA_ARGS__))


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
// The structures themselves are compared by the hooks (blkif_x86_64_* with Xen's blkif_* in the
// x86_64 compilation, blkif_x86_32_* in the i386 one); the native names are those aliases.
#if defined(__x86_64__)
static_assert(std::is_same_v<abi::blkif_request, abi::blkif_x86_64_request>);
IOC_RING(abi::blkif_x86_64_sring, blkif)
#else
static_assert(std::is_same_v<abi::blkif_request, abi::blkif_x86_32_request>);
IOC_RING(abi::blkif_x86_32_sring, blkif)
#endif
static_assert(std::is_same_v<abi::blkif_vdev_t, blkif_vdev_t>);
static_assert(std::is_same_v<abi::blkif_sector_t, blkif_sector_t>);
IOC_CONST(abi::BLKIF_RSP::eopnotsupp, BLKIF_RSP_EOPNOTSUPP)
IOC_CONST(abi::XS::CONTROL, XS_DEBUG)  // Xen's old name, not repeated in xenabi

// --- io/netif.h --------------------------------------------------------------------------------
// Xen's bit numbers _NETTXF_x etc. (xenabi: x_bit) and NETIF_RSP_NULL (xenabi: null), which the
// hooks cannot pair by name.
IOC_CONST(abi::NETTXF::csum_blank_bit, _NETTXF_csum_blank)
IOC_CONST(abi::NETTXF::data_validated_bit, _NETTXF_data_validated)
IOC_CONST(abi::NETTXF::more_data_bit, _NETTXF_more_data)
IOC_CONST(abi::NETTXF::extra_info_bit, _NETTXF_extra_info)
IOC_CONST(abi::NETRXF::data_validated_bit, _NETRXF_data_validated)
IOC_CONST(abi::NETRXF::csum_blank_bit, _NETRXF_csum_blank)
IOC_CONST(abi::NETRXF::more_data_bit, _NETRXF_more_data)
IOC_CONST(abi::NETRXF::extra_info_bit, _NETRXF_extra_info)
IOC_CONST(abi::NETRXF::gso_prefix_bit, _NETRXF_gso_prefix)
IOC_CONST(abi::XEN_NETIF_EXTRA_FLAG::MORE_bit, _XEN_NETIF_EXTRA_FLAG_MORE)
IOC_CONST(abi::NETIF_RSP::null, NETIF_RSP_NULL)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV4_bit, _XEN_NETIF_CTRL_HASH_TYPE_IPV4)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV4_TCP_bit, _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV6_bit, _XEN_NETIF_CTRL_HASH_TYPE_IPV6)
IOC_CONST(abi::XEN_NETIF_CTRL_HASH_TYPE::IPV6_TCP_bit, _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)
IOC_CONST(abi::XEN_NETIF_CTRLF_GREF::readonly_bit, _XEN_NETIF_CTRLF_GREF_readonly)

// --- io/console.h ------------------------------------------------------------------------------
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
static_assert(std::is_same_v<abi::XENSTORE_RING_IDX, ::XENSTORE_RING_IDX>);
IOC_STRING(abi::XS_WRITE::NONE, XS_WRITE_NONE)
IOC_STRING(abi::XS_WRITE::CREATE, XS_WRITE_CREATE)
IOC_STRING(abi::XS_WRITE::CREATE_EXCL, XS_WRITE_CREATE_EXCL)
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
static_assert(sizeof(abi::XenbusState) == sizeof(::XenbusState));
IOC_STRING(abi::XEN_IO_PROTO_ABI::X86_32, XEN_IO_PROTO_ABI_X86_32)
IOC_STRING(abi::XEN_IO_PROTO_ABI::X86_64, XEN_IO_PROTO_ABI_X86_64)
IOC_STRING(abi::XEN_IO_PROTO_ABI::ARM, XEN_IO_PROTO_ABI_ARM)
IOC_STRING(abi::XEN_IO_PROTO_ABI::NATIVE, XEN_IO_PROTO_ABI_NATIVE)

}  // namespace io_conformance
