// The raw hypercall register convention, tested against a fake hypercall page made of real x86
// code (tests/support/fake_hypercall_page.*), which records every register the convention names
// and clobbers exactly what a hypervisor may clobber. So these tests exercise the production
// asm: its register assignment, its in-out operands and its clobber list, the red-zone step on
// x86_64, and that other registers survive.
#include <xenabi/arch/x86/hypercall_raw.hpp>

#include <cstddef>
#include <cstdint>

#include "fake_hypercall_page.hpp"
#include "xenabi_test.hpp"

namespace x86 = xenabi::arch::x86;
using x86::hypercall_reg;

namespace {

// Opaque values: the compiler cannot fold them through the call.
hypercall_reg opaque(hypercall_reg v) {
  __asm__ __volatile__("" : "+r"(v));
  return v;
}

void arm(hypercall_reg nargs, hypercall_reg ret) { fake_page_arm(nargs, ret); }

[[gnu::always_inline]] inline hypercall_reg current_sp() {
  hypercall_reg sp = 0;
#if defined(__x86_64__)
  __asm__ __volatile__("movq %%rsp, %0" : "=r"(sp));
#else
  __asm__ __volatile__("movl %%esp, %0" : "=r"(sp));
#endif
  return sp;
}

}  // namespace

TEST_CASE("the fake page is a page") {
  REQUIRE(reinterpret_cast<std::uintptr_t>(&xenabi_test_fake_page) % 4096 == 0);
}

TEST_CASE("each argument count lands in its slot with the number and arguments in place") {
  const auto& page = xenabi_test_fake_page;
  const hypercall_reg v[5] = {opaque(0x1001), opaque(0x2002), opaque(0x3003), opaque(0x4004),
                              opaque(0x5005)};
  for (hypercall_reg n = 0; n <= 5; ++n) {
    arm(n, opaque(0x77 + n));
    const std::uint32_t nr = static_cast<std::uint32_t>(10 + n);
    x86::hypercall_ret r = 0;
    switch (n) {
      case 0: r = x86::raw_hypercall(page, nr); break;
      case 1: r = x86::raw_hypercall(page, nr, v[0]); break;
      case 2: r = x86::raw_hypercall(page, nr, v[0], v[1]); break;
      case 3: r = x86::raw_hypercall(page, nr, v[0], v[1], v[2]); break;
      case 4: r = x86::raw_hypercall(page, nr, v[0], v[1], v[2], v[3]); break;
      default: r = x86::raw_hypercall(page, nr, v[0], v[1], v[2], v[3], v[4]); break;
    }
    CAPTURE(n);
    REQUIRE(xenabi_test_fake_rec.calls == 1);
    REQUIRE(xenabi_test_fake_rec.slot == nr);
    REQUIRE(xenabi_test_fake_rec.ax == nr);
    REQUIRE(r == static_cast<x86::hypercall_ret>(0x77 + n));
    for (hypercall_reg i = 0; i < n; ++i) REQUIRE(xenabi_test_fake_rec.a[i] == v[i]);
    // The originals survive although the stub overwrote the registers that carried them.
    for (hypercall_reg i = 0; i < 5; ++i) REQUIRE(v[i] == 0x1001 * (i + 1));
  }
}

TEST_CASE("negative results come back sign-extended") {
  arm(2, static_cast<hypercall_reg>(-38));  // -ENOSYS
  const x86::hypercall_ret r =
      x86::raw_hypercall(xenabi_test_fake_page, 29, opaque(1), opaque(2));
  REQUIRE(r == -38);
}

TEST_CASE("values live across the call survive the clobbered argument registers") {
  // Chain calls whose arguments are derived from each other, so that the compiler wants to keep
  // them in registers across each call. If an argument register were declared input-only, the
  // compiler could reuse it after the call and read the stub's clobber value instead.
  hypercall_reg a = opaque(11), b = opaque(22), c = opaque(33), d = opaque(44), e = opaque(55);
  hypercall_reg acc = 0;
  for (int round = 0; round < 4; ++round) {
    arm(5, 1);
    acc += static_cast<hypercall_reg>(x86::raw_hypercall5(xenabi_test_fake_page.entry(40), 40, a, b, c, d, e));
    acc += a + b + c + d + e;
    a += 1; b += 2; c += 3; d += 4; e += 5;
  }
  // sum over rounds r=0..3 of (1 + 165 + 15 r) = 4 + 660 + 90
  REQUIRE(acc == 754);
  for (int i = 0; i < 5; ++i) REQUIRE(xenabi_test_fake_rec.a[i] == static_cast<hypercall_reg>(11 * (i + 1) + 3 * (i + 1)));
}

TEST_CASE("registers outside the convention survive a call") {
#if defined(__x86_64__)
  // rcx and r11 (Xen's stubs preserve them), r9 (not an argument register) and the callee-saved
  // registers hold known values across the call. (Nothing but the hypercall may run between
  // the two pinning statements: a function call would legitimately destroy rcx, r9 and r11.)
  arm(5, 0);
  const hypercall_reg v1c = opaque(0x1c1c), v1b = opaque(0x1b1b), v09 = opaque(0x0909),
                      vb0 = opaque(0xb0b0), v12 = opaque(0x1212), v15 = opaque(0x1515);
  const void* entry = xenabi_test_fake_page.entry(3);
  register hypercall_reg rcx __asm__("rcx") = v1c;
  register hypercall_reg r11 __asm__("r11") = v1b;
  register hypercall_reg r9 __asm__("r9") = v09;
  register hypercall_reg rbx __asm__("rbx") = vb0;
  register hypercall_reg r12 __asm__("r12") = v12;
  register hypercall_reg r15 __asm__("r15") = v15;
  __asm__ __volatile__("" : "+r"(rcx), "+r"(r11), "+r"(r9), "+r"(rbx), "+r"(r12), "+r"(r15));
  const x86::hypercall_ret r = x86::raw_hypercall5(entry, 3, 1, 2, 3, 4, 5);
  __asm__ __volatile__("" : "+r"(rcx), "+r"(r11), "+r"(r9), "+r"(rbx), "+r"(r12), "+r"(r15));
  // Copies: Catch takes its operands by reference, which a register variable cannot give.
  const hypercall_reg after[6] = {rcx, r11, r9, rbx, r12, r15};
  REQUIRE(r == 0);
  REQUIRE(after[0] == 0x1c1c);
  REQUIRE(after[1] == 0x1b1b);
  REQUIRE(after[2] == 0x0909);
  REQUIRE(after[3] == 0xb0b0);
  REQUIRE(after[4] == 0x1212);
  REQUIRE(after[5] == 0x1515);
#else
  SUCCEED("i386: with five arguments every register but esp and ebp carries the convention");
#endif
}

TEST_CASE("argument registers a call does not use survive it") {
  // A two-argument call: the stub clobbers exactly two argument registers; the other three
  // hold values across the call.
  arm(2, 0);
  const hypercall_reg x = opaque(0xa1), y = opaque(0xa2), z = opaque(0xa3);
  const void* entry = xenabi_test_fake_page.entry(5);
#if defined(__x86_64__)
  register hypercall_reg p __asm__("rdx") = x;
  register hypercall_reg q __asm__("r10") = y;
  register hypercall_reg t __asm__("r8") = z;
#else
  register hypercall_reg p __asm__("edx") = x;
  register hypercall_reg q __asm__("esi") = y;
  register hypercall_reg t __asm__("edi") = z;
#endif
  // (The compiler may move the values between the pinning statements and the call; what the
  // test requires is that they are intact afterwards, which holds only if the asm's clobbers
  // are complete for a stub that clobbers all the convention allows.)
  __asm__ __volatile__("" : "+r"(p), "+r"(q), "+r"(t));
  const x86::hypercall_ret r = x86::raw_hypercall2(entry, 5, 7, 8);
  __asm__ __volatile__("" : "+r"(p), "+r"(q), "+r"(t));
  const hypercall_reg after[3] = {p, q, t};
  REQUIRE(r == 0);
  REQUIRE(xenabi_test_fake_rec.a[0] == 7);
  REQUIRE(xenabi_test_fake_rec.a[1] == 8);
  REQUIRE(after[0] == 0xa1);
  REQUIRE(after[1] == 0xa2);
  REQUIRE(after[2] == 0xa3);
}

TEST_CASE("the call does not write the caller's red zone (x86_64)") {
  const hypercall_reg sp = current_sp();
  arm(1, 0);
  REQUIRE(x86::raw_hypercall1(xenabi_test_fake_page.entry(7), 7, opaque(1)) == 0);
#if defined(__x86_64__)
  // The return address went at least 128 bytes below every stack pointer of the caller's frame.
  REQUIRE(xenabi_test_fake_rec.sp + 128 <= sp);
#else
  // i386 has no red zone: the call only has to run below the caller's stack pointer.
  REQUIRE(xenabi_test_fake_rec.sp <= sp);
#endif
}
