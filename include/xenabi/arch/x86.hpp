/// \file
/// The x86 architecture layer: CPUID-based Xen detection, MSRs, the hypercall page and the raw
/// call sequences, TSC, port I/O and barriers, for x86_64 and i386.
///
/// This is the dispatcher: include it rather than the files under `arch/x86/`. On any other
/// architecture it is a compile error, since xenabi implements the x86 Xen interface only.
#pragma once

#if !defined(__x86_64__) && !defined(__i386__)
#error "xenabi supports x86 (x86_64 and i386) only: xenabi/arch/x86.hpp included on another architecture"
#endif

#include <xenabi/arch/x86/barrier.hpp>
#include <xenabi/arch/x86/cpuid.hpp>
#include <xenabi/arch/x86/hypercall_page.hpp>
#include <xenabi/arch/x86/hypercall_raw.hpp>
#include <xenabi/arch/x86/io.hpp>
#include <xenabi/arch/x86/msr.hpp>
#include <xenabi/arch/x86/tsc.hpp>

#include <xenabi/core/macro_shield_begin.inc>

#include <xenabi/core/macro_shield_end.inc>
