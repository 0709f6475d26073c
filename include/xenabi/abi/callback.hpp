/// \file
/// Callback registration (Xen's `callback.h`): the `CALLBACKOP_*` sub-operations of
/// HYPERVISOR_callback_op, by which a PV guest tells Xen where its event, failsafe, syscall and
/// NMI entry points are.
///
/// callback_register holds an `xen_callback_t` (an address on x86_64, a selector:offset pair on
/// i386), so it is a width template: `abi::x86_64::callback_register`, `abi::x86_32::...`,
/// native `abi::callback_register`.
#pragma once

#include <xenabi/abi/arch_x86.hpp>
#include <xenabi/abi/width.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Callback types (Xen's `CALLBACKTYPE_*`).
enum class CALLBACKTYPE : u16 {
  event = 0,                ///< Event upcall.
  failsafe = 1,             ///< Failsafe (bad segment on return to the guest).
  syscall = 2,              ///< x86_64 SYSCALL from 64-bit user mode.
  sysenter_deprecated = 3,  ///< Old SYSENTER entry.
  nmi = 4,                  ///< NMI.
  sysenter = 5,             ///< SYSENTER from 32-bit user mode.
  syscall32 = 7,            ///< x86_64 SYSCALL from 32-bit user mode.
};
XENABI_CONSTANTS(CALLBACKTYPE, CALLBACKTYPE_, event, failsafe, syscall, sysenter_deprecated, nmi,
                 sysenter, syscall32)

/// callback_register::flags (Xen's `CALLBACKF_*`).
namespace CALLBACKF {
/// `CALLBACKF_mask_events`: mask events while the callback runs.
inline constexpr u16 mask_events = 1u << 0;
}  // namespace CALLBACKF
XENABI_CONSTANTS(CALLBACKF, CALLBACKF_, mask_events)

/// HYPERVISOR_callback_op sub-operations (Xen's `CALLBACKOP_*`).
enum class CALLBACKOP : u32 {
  register_ = 0,   ///< `CALLBACKOP_register` (callback_register; `register` is a C++ keyword).
  unregister = 1,  ///< `CALLBACKOP_unregister` (callback_unregister).
};
XENABI_CONSTANTS(CALLBACKOP, CALLBACKOP_, unregister)
static_assert(static_cast<u32>(CALLBACKOP::register_) == 0);

/// CALLBACKOP_unregister argument.
struct callback_unregister {
  u16 type;     ///< IN: a `CALLBACKTYPE_*`.
  u16 _unused;  ///< Unused.
};
XENABI_LAYOUT(callback_unregister, 4, type, 0, _unused, 2);

namespace tmpl {
/// CALLBACKOP_register argument for width \p W.
template <class W>
struct callback_register {
  u16 type;   ///< IN: a `CALLBACKTYPE_*`.
  u16 flags;  ///< IN: `CALLBACKF_*`.
  typename arch_of<W>::xen_callback_t address;  ///< IN: the entry point.
};
}  // namespace tmpl
namespace x86_64 {
using callback_register = tmpl::callback_register<width64>;  ///< 64-bit layout.
}  // namespace x86_64
namespace x86_32 {
using callback_register = tmpl::callback_register<width32>;  ///< 32-bit layout.
}  // namespace x86_32
XENABI_LAYOUT_W(x86_64, callback_register, 16, type, 0, flags, 2, address, 8);
XENABI_LAYOUT_W(x86_32, callback_register, 12, type, 0, flags, 2, address, 4);
/// The compiling target's `struct callback_register`.
using callback_register = native::callback_register;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
