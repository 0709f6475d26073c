/// \file
/// The Xen ABI headers the hypervisor uses, included in one place.
///
/// `xenabi::abi::VIRQ` has an enumerator named `ENOMEM` (Xen's `VIRQ_ENOMEM`), which a hosted
/// translation unit that has already included `<cerrno>` sees as a macro. This header parses
/// the ABI with that macro set aside, so hosted code may include it in any order; hv code
/// includes the ABI only through here.
#pragma once

#pragma push_macro("ENOMEM")
#undef ENOMEM
#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/grant_table.hpp>
#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/hvm_vcpu.hpp>
#include <xenabi/abi/hvm/params.hpp>
#include <xenabi/abi/hvm/start_info.hpp>
#include <xenabi/abi/memory.hpp>
#include <xenabi/abi/sched.hpp>
#include <xenabi/abi/vcpu.hpp>
#include <xenabi/abi/version.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/hypercall_modes.hpp>
#pragma pop_macro("ENOMEM")
