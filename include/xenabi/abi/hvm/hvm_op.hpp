/// \file
/// HVM/PVH operations (Xen's `hvm/hvm_op.h`): the `HVMOP_*` sub-operations of HYPERVISOR_hvm_op
/// a guest uses — get/set an HVM parameter (how a PVH guest finds xenstore and the console and
/// sets its event-callback vector), the per-vCPU upcall vector, TLB flush, time — and their
/// argument structures. All have the same layout on x86_64 and i386.
#pragma once

#include <xenabi/abi/xen.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// HYPERVISOR_hvm_op sub-operations (Xen's `HVMOP_*`, guest-visible ones).
enum class HVMOP : u32 {
  set_param = 0,                   ///< Set an HVM parameter (xen_hvm_param).
  get_param = 1,                   ///< Read an HVM parameter (xen_hvm_param).
  flush_tlbs = 5,                  ///< Flush all vCPUs' TLBs (no argument).
  pagetable_dying = 9,             ///< Hint: a page table is being destroyed.
  get_time = 10,                   ///< Current system time (xen_hvm_get_time).
  xentrace = 11,                   ///< Emit a trace record (xen_hvm_xentrace).
  get_mem_type = 15,               ///< A page's memory type (xen_hvm_get_mem_type).
  set_evtchn_upcall_vector = 23,   ///< Per-vCPU upcall vector (xen_hvm_evtchn_upcall_vector).
  guest_request_vm_event = 24,     ///< Request a vm_event from the monitor (no argument).
  altp2m = 25,                     ///< Alternate p2m operations (not modelled here).
};
XENABI_CONSTANTS(HVMOP, HVMOP_, set_param, get_param, flush_tlbs, pagetable_dying, get_time,
                 xentrace, get_mem_type, set_evtchn_upcall_vector, guest_request_vm_event, altp2m)

/// Memory types (Xen's `hvmmem_type_t`, `HVMMEM_*`).
enum class HVMMEM : u16 {
  ram_rw = 0,        ///< Normal read/write RAM.
  ram_ro = 1,        ///< Read-only; writes are discarded.
  mmio_dm = 2,       ///< Reads and writes go to the device model.
  unused = 3,        ///< Placeholder (was mmio_write_dm).
  ioreq_server = 4,  ///< Claimed by an ioreq server.
};
XENABI_CONSTANTS(HVMMEM, HVMMEM_, ram_rw, ram_ro, mmio_dm, unused, ioreq_server)

/// HVMOP_set_param / HVMOP_get_param argument.
struct xen_hvm_param {
  domid_t domid;  ///< IN: the domain (DOMID_SELF).
  u16 pad;        ///< Padding.
  u32 index;      ///< IN: an `HVM_PARAM_*`.
  u64 value;      ///< IN (set) / OUT (get): the value.
};
XENABI_LAYOUT(xen_hvm_param, 16, domid, 0, pad, 2, index, 4, value, 8);

/// HVMOP_pagetable_dying argument.
struct xen_hvm_pagetable_dying {
  domid_t domid;  ///< IN: the domain (DOMID_SELF).
  u16 pad[3];     ///< Padding.
  u64 gpa;        ///< IN: guest-physical address of the top-level table.
};
XENABI_LAYOUT(xen_hvm_pagetable_dying, 16, domid, 0, pad, 2, gpa, 8);

/// HVMOP_get_time argument.
struct xen_hvm_get_time {
  u64 now;  ///< OUT: system time in ns.
};
XENABI_LAYOUT(xen_hvm_get_time, 8, now, 0);

/// HVMOP_xentrace argument.
struct xen_hvm_xentrace {
  u16 event;        ///< IN: trace event.
  u16 extra_bytes;  ///< IN: bytes used in extra.
  u8 extra[28];     ///< IN: payload (TRACE_EXTRA_MAX 32-bit words).
};
XENABI_LAYOUT(xen_hvm_xentrace, 32, event, 0, extra_bytes, 2, extra, 4);

/// HVMOP_get_mem_type argument.
struct xen_hvm_get_mem_type {
  domid_t domid;  ///< IN: the domain (DOMID_SELF).
  u16 mem_type;   ///< OUT: an `HVMMEM_*`.
  u16 pad[2];     ///< Padding.
  u64 pfn;        ///< IN: the page.
};
XENABI_LAYOUT(xen_hvm_get_mem_type, 16, domid, 0, mem_type, 2, pad, 4, pfn, 8);

/// HVMOP_set_evtchn_upcall_vector argument: deliver this vCPU's event upcall as LAPIC vector
/// `vector` (instead of the global HVM_PARAM_CALLBACK_IRQ).
struct xen_hvm_evtchn_upcall_vector {
  u32 vcpu;   ///< IN: the vCPU.
  u8 vector;  ///< IN: the vector (>= 0x10).
};
XENABI_LAYOUT(xen_hvm_evtchn_upcall_vector, 8, vcpu, 0, vector, 4);

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
