/// \file
/// All of the Xen public interface in xenabi: structures and constants with Xen's names and
/// layouts (x86_64 and i386).
#pragma once

#include <xenabi/abi/arch_x86.hpp>
#include <xenabi/abi/callback.hpp>
#include <xenabi/abi/elfnote.hpp>
#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/features.hpp>
#include <xenabi/abi/grant_table.hpp>
#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/params.hpp>
#include <xenabi/abi/hvm/start_info.hpp>
#include <xenabi/abi/memory.hpp>
#include <xenabi/abi/nmi.hpp>
#include <xenabi/abi/physdev.hpp>
#include <xenabi/abi/sched.hpp>
#include <xenabi/abi/vcpu.hpp>
#include <xenabi/abi/version.hpp>
#include <xenabi/abi/width.hpp>
#include <xenabi/abi/xen.hpp>

// I/O protocols (Xen's io/*.h)
#include <xenabi/abi/io/blkif.hpp>
#include <xenabi/abi/io/console.hpp>
#include <xenabi/abi/io/netif.hpp>
#include <xenabi/abi/io/protocols.hpp>
#include <xenabi/abi/io/ring.hpp>
#include <xenabi/abi/io/xenbus.hpp>
#include <xenabi/abi/io/xs_wire.hpp>
