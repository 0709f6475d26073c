/// \file
/// The umbrella header: everything a freestanding kernel needs from xenabi.
///
/// Include this and nothing else; or include the individual headers for faster builds.
#pragma once

#include <xenabi/core/barrier.hpp>
#include <xenabi/core/contract.hpp>
#include <xenabi/core/errno.hpp>
#include <xenabi/core/layout.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>

// x86: Xen detection (CPUID), hypercall page, raw calls, MSR, TSC, port I/O
#include <xenabi/arch/x86.hpp>
// Which guest modes accept which hypercall (Xen 4.17's dispatch tables)
#include <xenabi/hypercall_modes.hpp>

// The Xen public interface: structures and constants with Xen's names and layouts
#include <xenabi/abi.hpp>
// Typed hypercalls over the hypercall page (or any transport)
#include <xenabi/hypercall.hpp>

// I/O protocols (Xen's io/*.h)
#include <xenabi/abi/io/blkif.hpp>
#include <xenabi/abi/io/console.hpp>
#include <xenabi/abi/io/netif.hpp>
#include <xenabi/abi/io/protocols.hpp>
#include <xenabi/abi/io/ring.hpp>
#include <xenabi/abi/io/xenbus.hpp>
#include <xenabi/abi/io/xs_wire.hpp>

// Shared rings
#include <xenabi/byte_ring.hpp>
#include <xenabi/ring.hpp>

// Guest services: clocks and timers, event channels
#include <xenabi/clock.hpp>
#include <xenabi/event_channel.hpp>
#include <xenabi/timer.hpp>
#include <xenabi/xenstore.hpp>
#include <xenabi/console.hpp>
#include <xenabi/grant_table.hpp>
#include <xenabi/mmu_update_queue.hpp>
#include <xenabi/multicall.hpp>
#include <xenabi/netfront.hpp>
