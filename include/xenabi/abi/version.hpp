/// \file
/// Version and feature queries (Xen's `version.h`): the `XENVER_*` sub-operations of
/// HYPERVISOR_xen_version and their result structures.
///
/// xen_platform_parameters holds an `xen_ulong_t`, so it is a width template:
/// `abi::x86_64::xen_platform_parameters`, `abi::x86_32::...`, native `abi::...`.
#pragma once

#include <xenabi/abi/features.hpp>
#include <xenabi/abi/width.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// HYPERVISOR_xen_version sub-operations (Xen's `XENVER_*`).
enum class XENVER : u32 {
  version = 0,              ///< Returns (major << 16) | minor; no argument.
  extraversion = 1,         ///< xen_extraversion_t.
  compile_info = 2,         ///< xen_compile_info.
  capabilities = 3,         ///< xen_capabilities_info_t.
  changeset = 4,            ///< xen_changeset_info_t.
  platform_parameters = 5,  ///< xen_platform_parameters.
  get_features = 6,         ///< xen_feature_info.
  pagesize = 7,             ///< Returns the page size; no argument.
  guest_handle = 8,         ///< xen_domain_handle_t of the caller.
  commandline = 9,          ///< xen_commandline_t (privileged).
  build_id = 10,            ///< xen_build_id (privileged).
};
XENABI_CONSTANTS(XENVER, XENVER_, version, extraversion, compile_info, capabilities, changeset,
                 platform_parameters, get_features, pagesize, guest_handle, commandline, build_id)

/// Buffer sizes of the string results (Xen's `XEN_*_LEN`).
namespace XEN {
inline constexpr u32 EXTRAVERSION_LEN = 16;        ///< `XEN_EXTRAVERSION_LEN`.
inline constexpr u32 CAPABILITIES_INFO_LEN = 1024; ///< `XEN_CAPABILITIES_INFO_LEN`.
inline constexpr u32 CHANGESET_INFO_LEN = 64;      ///< `XEN_CHANGESET_INFO_LEN`.
}  // namespace XEN
XENABI_CONSTANTS(XEN, XEN_, EXTRAVERSION_LEN, CAPABILITIES_INFO_LEN, CHANGESET_INFO_LEN)

/// XENVER_extraversion result (Xen's `xen_extraversion_t`), e.g. ".0".
using xen_extraversion_t = char[16];
/// XENVER_capabilities result (Xen's `xen_capabilities_info_t`), e.g. "xen-3.0-x86_64 hvm-3.0-x86_64".
using xen_capabilities_info_t = char[1024];
/// XENVER_changeset result (Xen's `xen_changeset_info_t`).
using xen_changeset_info_t = char[64];
/// XENVER_commandline result (Xen's `xen_commandline_t`).
using xen_commandline_t = char[1024];
/// XENVER_guest_handle result (Xen's `xen_domain_handle_t`, the domain's UUID).
using xen_domain_handle_t = u8[16];

/// XENVER_compile_info result.
struct xen_compile_info {
  char compiler[64];        ///< Compiler used.
  char compile_by[16];      ///< User who built Xen.
  char compile_domain[32];  ///< Their domain.
  char compile_date[32];    ///< Build date.
};
XENABI_LAYOUT(xen_compile_info, 144, compiler, 0, compile_by, 64, compile_domain, 80,
              compile_date, 112);

/// XENVER_get_features argument/result.
struct xen_feature_info {
  u32 submap_idx;  ///< IN: which 32-bit submap.
  u32 submap;      ///< OUT: its bits (`1 << XENFEAT_*`).
};
XENABI_LAYOUT(xen_feature_info, 8, submap_idx, 0, submap, 4);

/// XENVER_build_id argument/result: the header; `len` bytes of build id follow it (Xen's
/// flexible array member `buf`, which C++ cannot declare; use buf()).
struct xen_build_id {
  u32 len;  ///< IN: buffer size after the header; OUT: bytes written.
  /// The build-id bytes that follow the header (Xen's `buf`).
  [[nodiscard]] unsigned char* buf() noexcept { return reinterpret_cast<unsigned char*>(this + 1); }
};
XENABI_LAYOUT(xen_build_id, 4, len, 0);

namespace tmpl {
/// XENVER_platform_parameters result (Xen's `struct xen_platform_parameters`) for width \p W.
template <class W>
struct xen_platform_parameters {
  typename W::xen_ulong_t virt_start;  ///< OUT: start of the hypervisor's virtual hole.
};
}  // namespace tmpl
namespace x86_64 {
/// 64-bit xen_platform_parameters.
using xen_platform_parameters = tmpl::xen_platform_parameters<width64>;
}  // namespace x86_64
namespace x86_32 {
/// 32-bit xen_platform_parameters.
using xen_platform_parameters = tmpl::xen_platform_parameters<width32>;
}  // namespace x86_32
XENABI_LAYOUT_W(x86_64, xen_platform_parameters, 8, virt_start, 0);
XENABI_LAYOUT_W(x86_32, xen_platform_parameters, 4, virt_start, 0);
/// The compiling target's `struct xen_platform_parameters`.
using xen_platform_parameters = native::xen_platform_parameters;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
