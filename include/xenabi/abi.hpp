/// \file
/// All of the Xen public interface in xenabi: structures and constants with Xen's names and
/// layouts, for x86_64 and i386 guests (Xen 4.17, interface version 0x00040e00).
///
/// **Names.** Structures, unions and fields keep Xen's names (`abi::shared_info`,
/// `abi::evtchn_bind_virq::port`). A constant `PREFIX_suffix` is `abi::PREFIX::suffix`, PREFIX
/// being Xen's family prefix (`EVTCHNOP_`, `HVM_PARAM_`, `XENMAPSPACE_`, `XEN_ELFNOTE_`); a lone
/// constant splits at its first underscore (`NR_VIRQS` is `abi::NR::VIRQS`). Alternatives
/// (hypercall numbers, sub-operations, commands, types) are `enum class`es with a fixed
/// underlying type: `abi::hypercall::memory_op` (`__HYPERVISOR_memory_op`),
/// `abi::EVTCHNOP::bind_virq`, `abi::HVMOP::set_param`, `abi::HVM_PARAM::CALLBACK_IRQ`,
/// `abi::XENMAPSPACE::shared_info`. Flags, masks and sizes are namespaces of `inline constexpr`
/// values typed like the field that holds them: `abi::GTF::permit_access`, `abi::DOMID::SELF`.
/// Three spellings differ from Xen's: `CALLBACKOP::register_` (keyword), `VMASST::TYPE_4gb_...`
/// and `VCPU_HVM_MODE::_32B` (identifiers cannot start with a digit).
///
/// **Widths.** A structure whose layout differs between 64- and 32-bit guests (it holds
/// `unsigned long`, `xen_ulong_t`, `xen_pfn_t`, a guest handle, or a 64-bit field i386 places
/// differently) is a template `abi::tmpl::T<W>` with instances `abi::x86_64::T`, `abi::x86_32::T`
/// and the compiling target's `abi::T` (= `abi::native::T`); see xenabi/abi/width.hpp. Guest
/// pointers in argument structures are `abi::guest_handle<T, W>`, an integer of the guest's width.
/// The per-architecture structures (cpu_user_regs, arch_vcpu_info, vcpu_guest_context...) and
/// width-specific constants (`abi::x86_64::HYPERVISOR::VIRT_START`) live directly in
/// `abi::x86_64` / `abi::x86_32`.
///
/// **Checked.** Every structure is followed by XENABI_LAYOUT (size, each offset, and that the
/// field list is complete). tests/xenabi/abi/conformance compares every structure (size,
/// alignment, each field's offset, size and signedness) and every constant with libxen-dev's
/// headers for both widths, and fails if Xen's mirrored headers define a macro or structure that
/// is neither compared nor listed, with its reason, in its left_out.txt.
///
/// **Left out, deliberately.**
/// - Whole headers that are not a guest's interface: toolstack and hypervisor control
///   (`domctl.h`, `sysctl.h`, `platform.h`, `dom0_ops.h`, `xsm/`, `kexec.h`, `hvm/dm_op.h`,
///   `hvm/ioreq.h`, `hvm/save.h`, `hvm/hvm_info_table.h`, `hvm/e820.h`, `hvm/hvm_xs_strings.h`,
///   `vm_event.h`), profiling and tracing (`xenoprof.h`, `pmu.h`, `trace.h`,
///   `arch-x86/xen-mca.h`), removed or niche facilities (`tmem.h`, `argo.h`, `hypfs.h`),
///   CPU policy (`arch-x86/cpuid.h`, `arch-x86/cpufeatureset.h`), ARM. The I/O protocols
///   (`io/`) are in xenabi/abi/io/ with their own conformance test.
/// - Inside the mirrored headers: what Xen guards with `__XEN__`/`__XEN_TOOLS__` (not part of
///   the guest view), the alternate-p2m (`HVMOP_altp2m_*`, `xen_hvm_altp2m_*`) introspection
///   interface, interface-version compatibility aliases older than 0x00040e00, the toolstack's
///   `xen_cpuid_leaf` and `xen_msr_entry`, and C mechanics replaced by C++ (guest-handle macros,
///   bit-position macros, printf formats) — the full list with reasons is
///   tests/xenabi/abi/conformance/left_out.txt.
#pragma once

#include <xenabi/abi/arch_x86.hpp>
#include <xenabi/abi/callback.hpp>
#include <xenabi/abi/elfnote.hpp>
#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/features.hpp>
#include <xenabi/abi/grant_table.hpp>
#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/hvm_vcpu.hpp>
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
