/// \file
/// Event channels (Xen's `event_channel.h`): the `EVTCHNOP_*` sub-operations of
/// HYPERVISOR_event_channel_op, their argument structures, channel states, and the FIFO ABI's
/// constants and control block.
///
/// Every argument structure has the same layout on x86_64 and i386, so each is defined once:
/// `abi::evtchn_bind_virq` is the argument of `EVTCHNOP_bind_virq` for both widths.
#pragma once

#include <xenabi/abi/width.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// An event-channel port number (Xen's `evtchn_port_t`).
using evtchn_port_t = u32;

/// HYPERVISOR_event_channel_op sub-operations (Xen's `EVTCHNOP_*`).
enum class EVTCHNOP : u32 {
  bind_interdomain = 0,  ///< Connect to a remote domain's unbound port (evtchn_bind_interdomain).
  bind_virq = 1,         ///< Bind a virtual IRQ to a new port (evtchn_bind_virq).
  bind_pirq = 2,         ///< Bind a physical IRQ (evtchn_bind_pirq).
  close = 3,             ///< Close a port (evtchn_close).
  send = 4,              ///< Signal the remote end (evtchn_send).
  status = 5,            ///< Query a port (evtchn_status).
  alloc_unbound = 6,     ///< Allocate a port for a remote domain to bind (evtchn_alloc_unbound).
  bind_ipi = 7,          ///< Bind an inter-vCPU port (evtchn_bind_ipi).
  bind_vcpu = 8,         ///< Deliver a port to another vCPU (evtchn_bind_vcpu).
  unmask = 9,            ///< Unmask and re-deliver if pending (evtchn_unmask).
  reset = 10,            ///< Close all ports of a domain (evtchn_reset).
  init_control = 11,     ///< FIFO ABI: register a control block (evtchn_init_control).
  expand_array = 12,     ///< FIFO ABI: add an event-array page (evtchn_expand_array).
  set_priority = 13,     ///< FIFO ABI: set a port's priority (evtchn_set_priority).
};
XENABI_CONSTANTS(EVTCHNOP, EVTCHNOP_, bind_interdomain, bind_virq, bind_pirq, close, send, status,
                 alloc_unbound, bind_ipi, bind_vcpu, unmask, reset, init_control, expand_array,
                 set_priority)

/// Channel states reported by EVTCHNOP_status (Xen's `EVTCHNSTAT_*`).
enum class EVTCHNSTAT : u32 {
  closed = 0,       ///< Not in use.
  unbound = 1,      ///< Waiting for a remote domain to bind.
  interdomain = 2,  ///< Connected to a remote domain.
  pirq = 3,         ///< Bound to a physical IRQ.
  virq = 4,         ///< Bound to a virtual IRQ.
  ipi = 5,          ///< Bound to an inter-vCPU notification.
};
XENABI_CONSTANTS(EVTCHNSTAT, EVTCHNSTAT_, closed, unbound, interdomain, pirq, virq, ipi)

/// evtchn_bind_pirq::flags (Xen's `BIND_PIRQ__*`).
namespace BIND_PIRQ {
/// `BIND_PIRQ__WILL_SHARE`: the IRQ may be shared with other domains.
inline constexpr u32 WILL_SHARE = 1;
}  // namespace BIND_PIRQ
XENABI_CONSTANTS(BIND_PIRQ, BIND_PIRQ__, WILL_SHARE)

/// FIFO event-channel ABI constants (Xen's `EVTCHN_FIFO_*`).
namespace EVTCHN_FIFO {
inline constexpr u32 PRIORITY_MAX = 0;                 ///< Highest priority.
inline constexpr u32 PRIORITY_DEFAULT = 7;             ///< Default priority.
inline constexpr u32 PRIORITY_MIN = 15;                ///< Lowest priority.
inline constexpr u32 MAX_QUEUES = PRIORITY_MIN + 1;    ///< Queues per vCPU.
inline constexpr u32 PENDING = 31;                     ///< Event word bit: pending.
inline constexpr u32 MASKED = 30;                      ///< Event word bit: masked.
inline constexpr u32 LINKED = 29;                      ///< Event word bit: on a queue.
inline constexpr u32 BUSY = 28;                        ///< Event word bit: being unmasked.
inline constexpr u32 LINK_BITS = 17;                   ///< Bits of the link field.
inline constexpr u32 LINK_MASK = (1u << LINK_BITS) - 1;  ///< The link field.
inline constexpr u32 NR_CHANNELS = 1u << LINK_BITS;    ///< Ports the FIFO ABI supports.
}  // namespace EVTCHN_FIFO
XENABI_CONSTANTS(EVTCHN_FIFO, EVTCHN_FIFO_, PRIORITY_MAX, PRIORITY_DEFAULT, PRIORITY_MIN,
                 MAX_QUEUES, PENDING, MASKED, LINKED, BUSY, LINK_BITS, LINK_MASK, NR_CHANNELS)

/// The 2-level ABI's port count, which depends on the width (Xen's `EVTCHN_2L_NR_CHANNELS`).
namespace x86_64::EVTCHN_2L {
/// `EVTCHN_2L_NR_CHANNELS`: 64 words of 64 bits.
inline constexpr u32 NR_CHANNELS = 8 * 8 * 64;
}  // namespace x86_64::EVTCHN_2L
/// The 2-level ABI's port count for i386 guests.
namespace x86_32::EVTCHN_2L {
/// `EVTCHN_2L_NR_CHANNELS`: 32 words of 32 bits.
inline constexpr u32 NR_CHANNELS = 4 * 4 * 64;
}  // namespace x86_32::EVTCHN_2L
XENABI_CONSTANTS_W(x86_64, EVTCHN_2L, EVTCHN_2L_, NR_CHANNELS)
XENABI_CONSTANTS_W(x86_32, EVTCHN_2L, EVTCHN_2L_, NR_CHANNELS)
/// The compiling target's 2-level port count.
namespace EVTCHN_2L {
/// `EVTCHN_2L_NR_CHANNELS` for the compiling target.
inline constexpr u32 NR_CHANNELS = native::EVTCHN_2L::NR_CHANNELS;
}  // namespace EVTCHN_2L

/// EVTCHNOP_alloc_unbound: allocate a port in domain `dom` for `remote_dom` to bind.
struct evtchn_alloc_unbound {
  domid_t dom;         ///< IN: the allocating domain (DOMID_SELF).
  domid_t remote_dom;  ///< IN: the domain allowed to bind.
  evtchn_port_t port;  ///< OUT: the new port.
};
XENABI_LAYOUT(evtchn_alloc_unbound, 8, dom, 0, remote_dom, 2, port, 4);

/// EVTCHNOP_bind_interdomain: connect to `remote_port` of `remote_dom`.
struct evtchn_bind_interdomain {
  domid_t remote_dom;         ///< IN: the remote domain.
  evtchn_port_t remote_port;  ///< IN: its unbound port.
  evtchn_port_t local_port;   ///< OUT: our end.
};
XENABI_LAYOUT(evtchn_bind_interdomain, 12, remote_dom, 0, remote_port, 4, local_port, 8);

/// EVTCHNOP_bind_virq: bind virtual IRQ `virq` on `vcpu` to a new port.
struct evtchn_bind_virq {
  u32 virq;            ///< IN: a `VIRQ_*`.
  u32 vcpu;            ///< IN: the vCPU to deliver to.
  evtchn_port_t port;  ///< OUT: the new port.
};
XENABI_LAYOUT(evtchn_bind_virq, 12, virq, 0, vcpu, 4, port, 8);

/// EVTCHNOP_bind_pirq: bind a physical IRQ to a new port.
struct evtchn_bind_pirq {
  u32 pirq;            ///< IN: the physical IRQ.
  u32 flags;           ///< IN: `BIND_PIRQ__*`.
  evtchn_port_t port;  ///< OUT: the new port.
};
XENABI_LAYOUT(evtchn_bind_pirq, 12, pirq, 0, flags, 4, port, 8);

/// EVTCHNOP_bind_ipi: a port for notifications between this domain's vCPUs.
struct evtchn_bind_ipi {
  u32 vcpu;            ///< IN: the vCPU to deliver to.
  evtchn_port_t port;  ///< OUT: the new port.
};
XENABI_LAYOUT(evtchn_bind_ipi, 8, vcpu, 0, port, 4);

/// EVTCHNOP_close: close a port.
struct evtchn_close {
  evtchn_port_t port;  ///< IN: the port.
};
XENABI_LAYOUT(evtchn_close, 4, port, 0);

/// EVTCHNOP_send: signal the other end of a port.
struct evtchn_send {
  evtchn_port_t port;  ///< IN: the local port.
};
XENABI_LAYOUT(evtchn_send, 4, port, 0);

/// EVTCHNOP_status: a port's state.
struct evtchn_status {
  domid_t dom;         ///< IN: the domain (DOMID_SELF).
  evtchn_port_t port;  ///< IN: the port.
  u32 status;          ///< OUT: an `EVTCHNSTAT_*`.
  u32 vcpu;            ///< OUT: the vCPU it is delivered to.
  /// OUT: details by status.
  union {
    /// EVTCHNSTAT_unbound.
    struct {
      domid_t dom;  ///< The domain allowed to bind.
    } unbound;
    /// EVTCHNSTAT_interdomain.
    struct {
      domid_t dom;         ///< The remote domain.
      evtchn_port_t port;  ///< The remote port.
    } interdomain;
    u32 pirq;  ///< EVTCHNSTAT_pirq: the physical IRQ.
    u32 virq;  ///< EVTCHNSTAT_virq: the virtual IRQ.
  } u;
};
XENABI_LAYOUT(evtchn_status, 24, dom, 0, port, 4, status, 8, vcpu, 12, u, 16, u.unbound.dom, 16,
              u.interdomain.dom, 16, u.interdomain.port, 20, u.pirq, 16, u.virq, 16);

/// EVTCHNOP_bind_vcpu: deliver a port's notifications to another vCPU.
struct evtchn_bind_vcpu {
  evtchn_port_t port;  ///< IN: the port.
  u32 vcpu;            ///< IN: the vCPU.
};
XENABI_LAYOUT(evtchn_bind_vcpu, 8, port, 0, vcpu, 4);

/// EVTCHNOP_unmask: unmask a port (re-raising it if pending).
struct evtchn_unmask {
  evtchn_port_t port;  ///< IN: the port.
};
XENABI_LAYOUT(evtchn_unmask, 4, port, 0);

/// EVTCHNOP_reset: close all of a domain's ports.
struct evtchn_reset {
  domid_t dom;  ///< IN: the domain (DOMID_SELF).
};
XENABI_LAYOUT(evtchn_reset, 2, dom, 0);

/// EVTCHNOP_init_control: switch to the FIFO ABI, registering a vCPU's control block.
struct evtchn_init_control {
  u64 control_gfn;  ///< IN: frame of the control block.
  u32 offset;       ///< IN: its offset within the frame.
  u32 vcpu;         ///< IN: the vCPU.
  u8 link_bits;     ///< OUT: EVTCHN_FIFO_LINK_BITS.
  u8 _pad[7];       ///< Padding.
};
XENABI_LAYOUT(evtchn_init_control, 24, control_gfn, 0, offset, 8, vcpu, 12, link_bits, 16, _pad,
              17);

/// EVTCHNOP_expand_array: add a page to the FIFO event array.
struct evtchn_expand_array {
  u64 array_gfn;  ///< IN: frame of the new page.
};
XENABI_LAYOUT(evtchn_expand_array, 8, array_gfn, 0);

/// EVTCHNOP_set_priority: set a port's FIFO priority.
struct evtchn_set_priority {
  evtchn_port_t port;  ///< IN: the port.
  u32 priority;        ///< IN: EVTCHN_FIFO_PRIORITY_MAX..MIN.
};
XENABI_LAYOUT(evtchn_set_priority, 8, port, 0, priority, 4);

/// The argument of the old HYPERVISOR_event_channel_op_compat (Xen's `struct evtchn_op`).
struct evtchn_op {
  u32 cmd;  ///< An `EVTCHNOP_*`.
  /// The sub-operation's argument.
  union {
    evtchn_alloc_unbound alloc_unbound;        ///< EVTCHNOP_alloc_unbound.
    evtchn_bind_interdomain bind_interdomain;  ///< EVTCHNOP_bind_interdomain.
    evtchn_bind_virq bind_virq;                ///< EVTCHNOP_bind_virq.
    evtchn_bind_pirq bind_pirq;                ///< EVTCHNOP_bind_pirq.
    evtchn_bind_ipi bind_ipi;                  ///< EVTCHNOP_bind_ipi.
    evtchn_close close;                        ///< EVTCHNOP_close.
    evtchn_send send;                          ///< EVTCHNOP_send.
    evtchn_status status;                      ///< EVTCHNOP_status.
    evtchn_bind_vcpu bind_vcpu;                ///< EVTCHNOP_bind_vcpu.
    evtchn_unmask unmask;                      ///< EVTCHNOP_unmask.
  } u;
};
XENABI_LAYOUT(evtchn_op, 28, cmd, 0, u, 4, u.alloc_unbound, 4, u.bind_interdomain, 4,
              u.bind_virq, 4, u.bind_pirq, 4, u.bind_ipi, 4, u.close, 4, u.send, 4, u.status, 4,
              u.bind_vcpu, 4, u.unmask, 4);

/// A FIFO ABI event word (Xen's `event_word_t`).
using event_word_t = u32;

/// A vCPU's FIFO control block (Xen's `struct evtchn_fifo_control_block`).
struct evtchn_fifo_control_block {
  u32 ready;           ///< Bit q set: queue q is non-empty.
  u32 _rsvd;           ///< Reserved.
  u32 head[16];        ///< Head port of each queue (EVTCHN_FIFO_MAX_QUEUES).
};
XENABI_LAYOUT(evtchn_fifo_control_block, 72, ready, 0, _rsvd, 4, head, 8);

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
