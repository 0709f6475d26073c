/// \file
/// Hypercall dispatch for PVH guests: decode, check, execute, trace (the umbrella header).
///
/// `dispatch()` is the single entry for every trapped hypercall (from the KVM hypercall port or
/// the sim). Every guest buffer is read and written through `guest_view` (the checked
/// translation layer), so a bad guest pointer is `-EFAULT`, never a host fault. The handlers
/// live one hypercall family per header under hv/hypercall/ (common.hpp: the per-call context;
/// dispatch.hpp: the switch and the refusal reasons; one header each for xen_version,
/// console_io, hvm_op, memory_op, vcpu_op, set_timer_op, sched_op, event_channel_op,
/// grant_table_op, multicall, vm_assist and the refused toolstack ops); this header includes
/// them all.
#pragma once

#include <hv/hypercall/common.hpp>
#include <hv/hypercall/console_io.hpp>
#include <hv/hypercall/dispatch.hpp>
#include <hv/hypercall/event_channel_op.hpp>
#include <hv/hypercall/grant_table_op.hpp>
#include <hv/hypercall/hvm_op.hpp>
#include <hv/hypercall/memory_op.hpp>
#include <hv/hypercall/multicall.hpp>
#include <hv/hypercall/sched_op.hpp>
#include <hv/hypercall/set_timer_op.hpp>
#include <hv/hypercall/toolstack.hpp>
#include <hv/hypercall/vcpu_op.hpp>
#include <hv/hypercall/vm_assist.hpp>
#include <hv/hypercall/xen_version.hpp>
