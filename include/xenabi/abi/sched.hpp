/// \file
/// Scheduling (Xen's `sched.h`): the `SCHEDOP_*` sub-operations of HYPERVISOR_sched_op — yield,
/// block until an event, shut down, poll a set of ports, watchdogs — and shutdown reasons.
///
/// `sched_poll` holds a guest handle and a 64-bit timeout, so its layout depends on the width:
/// `abi::x86_64::sched_poll`, `abi::x86_32::sched_poll`, native `abi::sched_poll`.
#pragma once

#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/width.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// HYPERVISOR_sched_op sub-operations (Xen's `SCHEDOP_*`).
enum class SCHEDOP : u32 {
  yield = 0,            ///< Give up the CPU; stay runnable (no argument).
  block = 1,            ///< Sleep until an event is pending; unmasks events (no argument).
  shutdown = 2,         ///< Stop this domain (sched_shutdown).
  poll = 3,             ///< Sleep until one of the ports is pending or timeout (sched_poll).
  remote_shutdown = 4,  ///< Stop another domain (sched_remote_shutdown).
  shutdown_code = 5,    ///< Record the reason for a later shutdown (sched_shutdown).
  watchdog = 6,         ///< Create, feed or destroy a watchdog (sched_watchdog).
  pin_override = 7,     ///< Temporarily pin dom0's vCPU (sched_pin_override).
};
XENABI_CONSTANTS(SCHEDOP, SCHEDOP_, yield, block, shutdown, poll, remote_shutdown, shutdown_code,
                 watchdog, pin_override)

/// Shutdown reasons (Xen's `SHUTDOWN_*`).
enum class SHUTDOWN : u32 {
  poweroff = 0,    ///< Exited normally: clean up and kill.
  reboot = 1,      ///< Clean up, kill, restart.
  suspend = 2,     ///< Clean up, save suspend info, kill.
  crash = 3,       ///< Crashed.
  watchdog = 4,    ///< Watchdog expired: restart.
  soft_reset = 5,  ///< Reset the domain's state, keep its memory.
  MAX = 5,         ///< Largest valid reason.
};
XENABI_CONSTANTS(SHUTDOWN, SHUTDOWN_, poweroff, reboot, suspend, crash, watchdog, soft_reset, MAX)

/// SCHEDOP_shutdown / SCHEDOP_shutdown_code argument.
struct sched_shutdown {
  u32 reason;  ///< IN: a `SHUTDOWN_*`.
};
XENABI_LAYOUT(sched_shutdown, 4, reason, 0);

/// SCHEDOP_remote_shutdown argument.
struct sched_remote_shutdown {
  domid_t domain_id;  ///< IN: the domain to stop.
  u32 reason;         ///< IN: a `SHUTDOWN_*`.
};
XENABI_LAYOUT(sched_remote_shutdown, 8, domain_id, 0, reason, 4);

/// SCHEDOP_watchdog argument.
struct sched_watchdog {
  u32 id;       ///< IN/OUT: 0 creates (OUT: new id); otherwise the watchdog to feed/destroy.
  u32 timeout;  ///< IN: seconds until expiry; 0 destroys.
};
XENABI_LAYOUT(sched_watchdog, 8, id, 0, timeout, 4);

/// SCHEDOP_pin_override argument.
struct sched_pin_override {
  s32 pcpu;  ///< IN: physical CPU, or -1 to undo.
};
XENABI_LAYOUT(sched_pin_override, 4, pcpu, 0);

namespace tmpl {
/// SCHEDOP_poll argument (Xen's `struct sched_poll`) for width \p W.
template <class W>
struct sched_poll {
  guest_handle<evtchn_port_t, W> ports;  ///< IN: the ports to wait on.
  u32 nr_ports;                          ///< IN: how many.
  typename W::uint64 timeout;            ///< IN: absolute system time (ns), 0 for none.
};
}  // namespace tmpl

namespace x86_64 {
using sched_poll = tmpl::sched_poll<width64>;  ///< 64-bit `struct sched_poll`.
}  // namespace x86_64
namespace x86_32 {
using sched_poll = tmpl::sched_poll<width32>;  ///< 32-bit `struct sched_poll`.
}  // namespace x86_32
XENABI_LAYOUT_W(x86_64, sched_poll, 24, ports, 0, nr_ports, 8, timeout, 16);
XENABI_LAYOUT_W(x86_32, sched_poll, 16, ports, 0, nr_ports, 4, timeout, 8);
/// The compiling target's `struct sched_poll`.
using sched_poll = native::sched_poll;

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
