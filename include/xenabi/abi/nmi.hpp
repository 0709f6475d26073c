/// \file
/// NMI callbacks (Xen's `nmi.h`): the `XENNMI_*` sub-operations of HYPERVISOR_nmi_op and the
/// NMI reason bits in arch_shared_info::nmi_reason.
#pragma once

#include <xenabi/abi/width.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// NMI reason bits (Xen's `XEN_NMIREASON_*`).
namespace XEN_NMIREASON {
inline constexpr u32 io_error = 1u << 0;  ///< `XEN_NMIREASON_io_error`: I/O check error.
inline constexpr u32 pci_serr = 1u << 1;  ///< `XEN_NMIREASON_pci_serr`: PCI SERR.
inline constexpr u32 unknown = 1u << 2;   ///< `XEN_NMIREASON_unknown`: unknown hardware NMI.
}  // namespace XEN_NMIREASON
XENABI_CONSTANTS(XEN_NMIREASON, XEN_NMIREASON_, io_error, pci_serr, unknown)

/// HYPERVISOR_nmi_op sub-operations (Xen's `XENNMI_*`).
enum class XENNMI : u32 {
  register_callback = 0,    ///< Register an NMI handler (xennmi_callback).
  unregister_callback = 1,  ///< Remove it.
};
XENABI_CONSTANTS(XENNMI, XENNMI_, register_callback, unregister_callback)

namespace tmpl {
/// XENNMI_register_callback argument for width \p W.
template <class W>
struct xennmi_callback {
  typename W::ulong handler_address;  ///< IN: the handler.
  typename W::ulong pad;              ///< Padding.
};
}  // namespace tmpl
namespace x86_64 {
using xennmi_callback = tmpl::xennmi_callback<width64>;  ///< 64-bit layout.
}  // namespace x86_64
namespace x86_32 {
using xennmi_callback = tmpl::xennmi_callback<width32>;  ///< 32-bit layout.
}  // namespace x86_32
XENABI_LAYOUT_W(x86_64, xennmi_callback, 16, handler_address, 0, pad, 8);
XENABI_LAYOUT_W(x86_32, xennmi_callback, 8, handler_address, 0, pad, 4);
/// The compiling target's `struct xennmi_callback`.
using xennmi_callback = native::xennmi_callback;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
