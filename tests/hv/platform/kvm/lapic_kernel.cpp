// Test kernel for the two ways event upcalls arrive (lapic_test.cpp boots it):
//   "vector":   the per-vCPU upcall vector (HVMOP_set_evtchn_upcall_vector) through the local
//               APIC, which the kernel switches to x2APIC mode and software-enables; each upcall
//               ends with an EOI, and the LAPIC's task priority holds it back (in IRR) while
//               the LAPIC timer, a priority class higher, still interrupts; lowering the
//               priority delivers it.
//   "callback": the domain's CALLBACK_IRQ vector (HVM_PARAM_CALLBACK_IRQ type 2) with the LAPIC
//               never touched (software-disabled, as firmware leaves it) and no EOI.
// In both: an IPI event and VIRQ_TIMER arrive through the upcall (waiting in `hlt`), a masked
// port raises no upcall (its pending bit is set; a timer event meanwhile still arrives), and
// EVTCHNOP_unmask delivers it; SCHEDOP_block with interrupts off returns on a wake-up.
// Prints "ok ..."/"FAIL ..." lines and "lapic: done, N failures".
#include <cstddef>
#include <cstdint>

#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/start_info.hpp>
#include <xenabi/arch/x86/cpuid.hpp>
#include <xenabi/arch/x86/hypercall_page.hpp>
#include <xenabi/arch/x86/msr.hpp>
#include <xenabi/event_channel.hpp>

#include "kernel.hpp"
#include "raw_calls.hpp"
#include "xen_guest.hpp"

namespace abi = xenabi::abi;
namespace x86 = xenabi::arch::x86;
using H = abi::hypercall;
using kernel::addr;
using kernel::expect;
using kernel::hcall;
using kernel::op;
using kernel::println;

namespace kernel {
void console_write(const char* s, std::size_t n) { console_io_write(s, n); }
[[noreturn]] void shutdown(abi::SHUTDOWN reason) { sched_shutdown(reason); }
}  // namespace kernel

// The LAPIC timer's interrupt stub: caller-saved registers around lapic_timer_irq(), iretq.
__asm__(".text\n.globl lapic_timer_entry\nlapic_timer_entry:\n"
        "  push %rax\n  push %rcx\n  push %rdx\n  push %rsi\n  push %rdi\n  push %r8\n  push %r9\n"
        "  push %r10\n  push %r11\n  call lapic_timer_irq\n  pop %r11\n  pop %r10\n  pop %r9\n  pop %r8\n"
        "  pop %rdi\n  pop %rsi\n  pop %rdx\n  pop %rcx\n  pop %rax\n  iretq\n");
extern "C" void lapic_timer_entry();

namespace {

constexpr std::uint8_t upcall_vector = 0xe3;       // priority class 0xe
constexpr std::uint8_t lapic_timer_vector = 0xf4;  // priority class 0xf
constexpr std::uint8_t callback_vector = 0xf3;

// x2APIC MSRs (Intel SDM vol. 3, table 10-6).
constexpr std::uint32_t msr_apic_base = 0x1b;
constexpr std::uint32_t msr_x2apic_tpr = 0x808;
constexpr std::uint32_t msr_x2apic_eoi = 0x80b;
constexpr std::uint32_t msr_x2apic_svr = 0x80f;
constexpr std::uint32_t msr_x2apic_isr0 = 0x810;
constexpr std::uint32_t msr_x2apic_irr0 = 0x820;
constexpr std::uint32_t msr_x2apic_lvt_timer = 0x832;
constexpr std::uint32_t msr_x2apic_timer_initial = 0x838;
constexpr std::uint32_t msr_x2apic_timer_divide = 0x83e;

using xenabi::arch::x86::rdmsr;
using xenabi::arch::x86::wrmsr;
// True if \p vector is in service in the local APIC (its ISR bit).
bool in_service(std::uint8_t vector) {
  return ((rdmsr(msr_x2apic_isr0 + vector / 32u) >> (vector % 32u)) & 1u) != 0;
}

// True if \p vector is requested in the local APIC (its IRR bit).
bool in_request(std::uint8_t vector) {
  return ((rdmsr(msr_x2apic_irr0 + vector / 32u) >> (vector % 32u)) & 1u) != 0;
}

bool lapic_mode = false;
constinit volatile std::uint32_t upcalls = 0;         // upcalls taken
constinit volatile std::uint32_t upcalls_in_isr = 0;  // ... that found their vector in service
constinit volatile std::uint32_t lapic_timer_ticks = 0;

std::uint64_t system_time() { return kernel::system_time(guest::shared().vcpu_info[0].time); }

// Waits (sti; hlt) for one VIRQ_TIMER event \p ns from now on \p timer_port.
void sleep_ns(xenabi::port timer_port, std::uint64_t ns) {
  const std::uint64_t deadline = system_time() + ns;
  expect("set_timer_op", hcall(H::set_timer_op, deadline), 0);
  guest::wait_for(timer_port);
  expect("timer not early", system_time() >= deadline, 1);
}

// The checks both delivery paths share.
void exercise_events() {
  // An IPI to ourselves.
  abi::evtchn_bind_ipi ipi{};
  ipi.vcpu = 0;
  expect("bind_ipi", hcall(H::event_channel_op, op(abi::EVTCHNOP::bind_ipi), addr(&ipi)), 0);
  const xenabi::port ipi_port{ipi.port};
  expect("flag ipi port", guest::flag_port(ipi_port).has_value(), 1);
  const std::uint32_t before = upcalls;
  abi::evtchn_send s{ipi.port};
  expect("send ipi", hcall(H::event_channel_op, op(abi::EVTCHNOP::send), addr(&s)), 0);
  guest::wait_for(ipi_port);
  expect("ipi event through an upcall", upcalls > before, 1);

  // VIRQ_TIMER.
  abi::evtchn_bind_virq bv{};
  bv.virq = op(abi::VIRQ::TIMER);
  expect("bind_virq timer", hcall(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), addr(&bv)), 0);
  const xenabi::port timer_port{bv.port};
  expect("flag timer port", guest::flag_port(timer_port).has_value(), 1);
  const std::uint32_t before_timer = upcalls;
  sleep_ns(timer_port, 1000000);
  expect("VIRQ_TIMER through an upcall", upcalls > before_timer, 1);

  // A masked port: pending, but no upcall for it, while other events still arrive.
  xenabi::evtchn_bitmaps<> bits(guest::shared());
  bits.mask(ipi_port);
  expect("send to masked ipi port", hcall(H::event_channel_op, op(abi::EVTCHNOP::send), addr(&s)), 0);
  __asm__ __volatile__("sti; nop; nop; cli" ::: "memory");  // an interrupt window
  expect("masked port pending", bits.is_pending(ipi_port), 1);
  sleep_ns(timer_port, 1000000);
  expect("masked port raised no upcall", guest::take(ipi_port), 0);
  auto unmasked = xenabi::evtchn::unmask(bits, ipi_port);
  expect("unmask", unmasked.has_value() && unmasked.value(), 1);
  guest::wait_for(ipi_port);
  expect("unmasked port delivered", 1, 1);

  // SCHEDOP_block with interrupts off (as they are here outside the waits) and nothing pending:
  // the timer's event (a new upcall) wakes it, delivered once interrupts are on again. (Had the
  // timer fired before the block, its upcall would be pending and, interrupts being off, the
  // block would sleep until another wake-up: on Xen too. lapic_test.cpp provides one.)
  const long set = hcall(H::set_timer_op, system_time() + 1000000);
  const long blocked = hcall(H::sched_op, op(abi::SCHEDOP::block), 0);
  expect("set_timer_op (block)", set, 0);
  expect("SCHEDOP_block with interrupts off", blocked, 0);
  guest::wait_for(timer_port);
}

void vector_mode() {
  println("lapic: per-vCPU upcall vector through the local APIC (x2APIC)");
  lapic_mode = true;
  expect("map shared_info", guest::map_shared_info().has_value(), 1);
  kernel::install_idt(upcall_vector);
  {
    const auto h = reinterpret_cast<std::uintptr_t>(&lapic_timer_entry);
    auto& e = kernel::idt[lapic_timer_vector];
    e = kernel::idt[upcall_vector];
    e.off0 = static_cast<std::uint16_t>(h & 0xffff);
    e.off1 = static_cast<std::uint16_t>((h >> 16) & 0xffff);
    e.off2 = static_cast<std::uint32_t>(h >> 32);
  }
  wrmsr(msr_apic_base, rdmsr(msr_apic_base) | (1u << 11) | (1u << 10));  // enabled, x2APIC mode
  wrmsr(msr_x2apic_svr, 0x1ff);                                           // software-enabled, spurious 0xff

  abi::xen_hvm_evtchn_upcall_vector uv{};
  uv.vcpu = 0;
  uv.vector = 0x0f;
  expect("upcall vector below 0x10", hcall(H::hvm_op, op(abi::HVMOP::set_evtchn_upcall_vector), addr(&uv)), -22);
  uv.vector = upcall_vector;
  uv.vcpu = 7;
  expect("upcall vector for an absent vCPU", hcall(H::hvm_op, op(abi::HVMOP::set_evtchn_upcall_vector), addr(&uv)), -2);
  uv.vcpu = 0;
  expect("set_evtchn_upcall_vector", hcall(H::hvm_op, op(abi::HVMOP::set_evtchn_upcall_vector), addr(&uv)), 0);

  exercise_events();
  // Informational: real LAPICs (and Xen's) show the vector in service until the EOI; this
  // machine's software KVM does not keep ISR bits (DESIGN.md section 3), so no check on it.
  kernel::print("lapic: ");
  kernel::print_dec(upcalls_in_isr);
  kernel::print(" of ");
  kernel::print_dec(upcalls);
  println(" upcalls found their vector in service (ISR)");

  // The LAPIC's priority applies, as to any LAPIC interrupt: with the task priority at the
  // upcall vector's class the upcall waits in IRR while the LAPIC timer, a class higher, still
  // interrupts the halted vCPU; lowering the priority delivers the upcall.
  abi::evtchn_bind_ipi ipi{};
  ipi.vcpu = 0;
  expect("bind_ipi (priority)", hcall(H::event_channel_op, op(abi::EVTCHNOP::bind_ipi), addr(&ipi)), 0);
  const xenabi::port p{ipi.port};
  expect("flag port (priority)", guest::flag_port(p).has_value(), 1);
  wrmsr(msr_x2apic_tpr, upcall_vector & 0xf0u);
  abi::evtchn_send s{ipi.port};
  expect("send with TPR at the vector's class", hcall(H::event_channel_op, op(abi::EVTCHNOP::send), addr(&s)), 0);
  wrmsr(msr_x2apic_timer_divide, 0xb);  // divide by 1
  wrmsr(msr_x2apic_lvt_timer, lapic_timer_vector);  // one-shot
  wrmsr(msr_x2apic_timer_initial, 100000);
  while (lapic_timer_ticks == 0) __asm__ __volatile__("sti; hlt; cli" ::: "memory");
  expect("LAPIC timer interrupt", lapic_timer_ticks, 1);
  expect("TPR held the upcall back", guest::take(p), 0);
  expect("upcall vector requested in IRR", in_request(upcall_vector), 1);
  wrmsr(msr_x2apic_tpr, 0);
  guest::wait_for(p);
  expect("TPR lowered: upcall delivered", 1, 1);
}

void callback_mode() {
  println("lapic: CALLBACK_IRQ vector, local APIC untouched");
  expect("init_events (CALLBACK_IRQ)", guest::init_events(callback_vector).has_value(), 1);
  exercise_events();
}

}  // namespace

extern "C" void lapic_timer_irq() {
  lapic_timer_ticks = lapic_timer_ticks + 1;
  wrmsr(msr_x2apic_eoi, 0);
}

extern "C" void hello_upcall() {
  upcalls = upcalls + 1;
  if (lapic_mode && in_service(upcall_vector)) upcalls_in_isr = upcalls_in_isr + 1;
  guest::upcall();
  if (lapic_mode) wrmsr(msr_x2apic_eoi, 0);
}

extern "C" [[noreturn]] void kmain(std::uint32_t start_info_pa) {
  auto xen = x86::detect_xen();
  if (!xen) kernel::halt_forever();
  alignas(4096) static x86::hypercall_page page;
  if (!x86::install_hypercall_page(page, xenabi::phys_addr{addr(&page)}, xen.value())) kernel::halt_forever();
  const auto* si = reinterpret_cast<const abi::hvm_start_info*>(static_cast<std::uintptr_t>(start_info_pa));
  const char* cmd = si->cmdline_paddr != 0 ? reinterpret_cast<const char*>(static_cast<std::uintptr_t>(si->cmdline_paddr)) : "";
  if (kernel::starts(cmd, "callback")) callback_mode();
  else vector_mode();
  kernel::print("lapic: done, ");
  kernel::print_dec(kernel::expect_failures);
  println(" failures");
  kernel::flush();
  kernel::shutdown(abi::SHUTDOWN::poweroff);
}
