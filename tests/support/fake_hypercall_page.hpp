// A fake hypercall page made of real x86 code, for host tests of the raw call convention and of
// everything layered on it: 128 stubs of 32 bytes (`push $nr; jmp common`) and a common routine
// that records every register the convention names, then clobbers exactly what a hypervisor may
// clobber (the result register, the argument registers the call uses, the flags) and returns a
// chosen value. The code is in fake_hypercall_page.cpp (x86_64 and i386).
#pragma once

#include <xenabi/arch/x86/hypercall_page.hpp>
#include <xenabi/arch/x86/hypercall_raw.hpp>

#include <cstddef>
#include <cstdint>

using xenabi::arch::x86::hypercall_reg;

/// What the fake page's common routine records (one register-width word each).
struct fake_record {
  hypercall_reg ax;     // 0: rax/eax at entry (the number the caller loaded)
  hypercall_reg slot;   // 1: the slot the call landed in (pushed by the stub itself)
  hypercall_reg a[5];   // 2..6: rdi rsi rdx r10 r8 / ebx ecx edx esi edi at entry
  hypercall_reg r9;     // 7: r9 at entry (x86_64)
  hypercall_reg cx;     // 8: rcx at entry (x86_64)
  hypercall_reg r11;    // 9: r11 at entry (x86_64)
  hypercall_reg sp;     // 10: the caller's stack pointer just before its `call`
  hypercall_reg nargs;  // 11: IN: how many argument registers the stub clobbers on return
  hypercall_reg ret;    // 12: IN: the value the stub returns
  hypercall_reg calls;  // 13: number of calls so far
};
static_assert(offsetof(fake_record, ret) == 12 * sizeof(hypercall_reg));
static_assert(offsetof(fake_record, calls) == 13 * sizeof(hypercall_reg));

extern "C" {
/// The record the fake page writes.
extern fake_record xenabi_test_fake_rec;
/// The fake page (4 KiB-aligned, in an executable section).
extern xenabi::arch::x86::hypercall_page xenabi_test_fake_page;
}

/// Resets the record; the next call clobbers \p nargs argument registers and returns \p ret.
inline void fake_page_arm(hypercall_reg nargs, hypercall_reg ret) {
  xenabi_test_fake_rec = fake_record{};
  xenabi_test_fake_rec.nargs = nargs;
  xenabi_test_fake_rec.ret = ret;
}
