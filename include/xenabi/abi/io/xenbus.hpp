/// \file
/// Xen's `io/xenbus.h`: the states a split device's front and back ends publish in their
/// xenstore "state" keys while they connect and disconnect.
#pragma once

#include <cstdint>

#include <xenabi/core/layout.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Xen's `enum xenbus_state` (`XenbusState`): `XenbusStateConnected` is
/// `XenbusState::Connected`. Written to xenstore as its decimal value.
enum class XenbusState : std::uint32_t {
  Unknown = 0,          ///< No state yet (the key is missing or unreadable).
  Initialising = 1,     ///< Early initialisation in progress.
  InitWait = 2,         ///< Waiting for the peer or the hotplug scripts.
  Initialised = 3,      ///< Ready; waiting for the peer to connect.
  Connected = 4,        ///< Connected: the rings are live.
  Closing = 5,          ///< Closing after an error or an unplug request.
  Closed = 6,           ///< Closed.
  Reconfiguring = 7,    ///< Being reconfigured.
  Reconfigured = 8,     ///< Reconfiguration done.
};
XENABI_CONSTANTS(XenbusState, XenbusState, Unknown, Initialising, InitWait, Initialised, Connected,
                 Closing, Closed, Reconfiguring, Reconfigured);

/// Xen's `enum xenbus_state` under its other name.
using xenbus_state = XenbusState;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
