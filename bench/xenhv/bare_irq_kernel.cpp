// bare_irq.elf: the guest of the bare-interrupt baseline of FIGURE evtchn_pingpong_vs_bare_irq.
// It runs in a VM without xenhv (no Xen CPUID leaves, no hypercalls), built from the same PVH
// entry code as the xenhv kernels, so both sides are the same kind of VM (long mode, ring 0).
// It switches its local APIC to x2APIC mode (MSRs: the 1 GiB identity map of start.S does not
// cover the xAPIC page), reports ready with `out $0xe6`, and halts with interrupts on. Each
// interrupt on vector 0x40 is answered with `out $0xe5`, then EOI.
#include <cstddef>
#include <cstdint>

#include <xenabi/arch/x86/msr.hpp>

#include "kernel.hpp"

namespace {
constexpr std::uint8_t vector = 0x40;
constexpr std::uint32_t msr_apic_base = 0x1b;
constexpr std::uint32_t msr_x2apic_svr = 0x80f;
constexpr std::uint32_t msr_x2apic_eoi = 0x80b;

using xenabi::arch::x86::rdmsr;
using xenabi::arch::x86::wrmsr;
}  // namespace

namespace kernel {
void console_write(const char*, std::size_t) {}
[[noreturn]] void shutdown(xenabi::abi::SHUTDOWN) { halt_forever(); }
}  // namespace kernel

extern "C" void hello_upcall() {
  __asm__ __volatile__("outb %%al, $0xe5" ::"a"(0) : "memory");
  wrmsr(msr_x2apic_eoi, 0);
}

extern "C" [[noreturn]] void kmain(std::uint32_t) {
  kernel::install_idt(vector);
  wrmsr(msr_apic_base, rdmsr(msr_apic_base) | (1u << 11) | (1u << 10));  // enable, x2APIC mode
  wrmsr(msr_x2apic_svr, 0x1ff);                                           // software-enable
  __asm__ __volatile__("outb %%al, $0xe6" ::"a"(0) : "memory");
  for (;;) __asm__ __volatile__("sti; hlt; cli" ::: "memory");
}
