// examples/hello: a freestanding PVH kernel built only on xenabi. It detects Xen, installs the
// hypercall page, prints through the console ring when the toolstack gave it one
// (HVM_PARAM_CONSOLE_PFN; xenhv does) and through console_io otherwise (dom0 on Xen), reads the
// three clocks (system, virtual, wall), sets a timer, blocks until VIRQ_TIMER arrives through the event upcall, and powers off.
// Runs on xenhv (build/<cfg>/tools/xenhv/xenhv run hello.elf) and on real Xen as PVH dom0.
#include <cstddef>
#include <cstdint>

#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/params.hpp>
#include <xenabi/abi/hvm/start_info.hpp>
#include <xenabi/abi/memory.hpp>
#include <xenabi/abi/sched.hpp>
#include <xenabi/abi/vcpu.hpp>
#include <xenabi/abi/version.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/arch/x86/cpuid.hpp>
#include <xenabi/arch/x86/hypercall_page.hpp>
#include <xenabi/arch/x86/hypercall_raw.hpp>
#include <xenabi/arch/x86/tsc.hpp>

#include "kernel.hpp"
#include "xen_guest.hpp"

namespace abi = xenabi::abi;
namespace x86 = xenabi::arch::x86;
using kernel::print;
using kernel::println;

namespace {

// The frame we ask Xen to map shared_info at: a whole page, since the mapping replaces it.
constinit kernel::shared_info_frame shared_frame_{.bytes = {}};
abi::shared_info& shared_page = shared_frame_.info;
constinit abi::vcpu_runstate_info runstate{};
constinit volatile std::uint32_t timer_port = 0;
constinit volatile bool timer_fired = false;
constinit volatile std::uint64_t timer_fired_at = 0;
constexpr std::uint8_t upcall_vector = 0xf3;

// System time from vcpu_info[0].time (seqlock on version).
std::uint64_t system_time() {
  const abi::vcpu_time_info& t = shared_page.vcpu_info[0].time;
  for (;;) {
    const std::uint32_t v = __atomic_load_n(&t.version, __ATOMIC_ACQUIRE);
    if (v & 1u) continue;
    const std::uint64_t tsc = x86::rdtsc();
    const std::uint64_t ts = t.tsc_timestamp, st = t.system_time;
    const std::uint32_t mul = t.tsc_to_system_mul;
    const std::int8_t shift = t.tsc_shift;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&t.version, __ATOMIC_RELAXED) != v) continue;
    std::uint64_t delta = tsc - ts;
    if (shift < 0) delta >>= -shift; else delta <<= shift;
    return st + kernel::mul_shr32(delta, mul);
  }
}

// Wall clock now: (wc_sec_hi:wc_sec, wc_nsec) + system time, under the wc_version seqlock.
void wall_clock(std::uint64_t& sec, std::uint32_t& nsec) {
  for (;;) {
    const std::uint32_t v = __atomic_load_n(&shared_page.wc_version, __ATOMIC_ACQUIRE);
    if (v & 1u) continue;
    std::uint64_t s = (std::uint64_t{shared_page.wc_sec_hi} << 32) | shared_page.wc_sec;
    std::uint64_t ns = shared_page.wc_nsec;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&shared_page.wc_version, __ATOMIC_RELAXED) != v) continue;
    ns += system_time();
    sec = s + ns / 1000000000u;
    nsec = static_cast<std::uint32_t>(ns % 1000000000u);
    return;
  }
}

// Virtual time: time spent running, from the registered runstate area.
std::uint64_t virtual_time() {
  for (;;) {
    const std::uint64_t entry = __atomic_load_n(&runstate.state_entry_time, __ATOMIC_ACQUIRE);
    if (entry & abi::XEN::RUNSTATE_UPDATE) continue;
    std::uint64_t t = runstate.time[static_cast<int>(abi::RUNSTATE::running)];
    const bool running = runstate.state == static_cast<std::int32_t>(abi::RUNSTATE::running);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&runstate.state_entry_time, __ATOMIC_RELAXED) != entry) continue;
    if (running) {
      const std::uint64_t now = system_time();
      if (now > entry) t += now - entry;
    }
    return t;
  }
}

template <class... A>
long hcall(abi::hypercall nr, A... args) {
  return x86::raw_hypercall(*x86::installed_hypercall_page(), static_cast<std::uint32_t>(nr),
                            static_cast<x86::hypercall_reg>(args)...);
}

void check(long rc, const char* what) {
  if (rc >= 0) return;
  print("hello: ");
  print(what);
  print(" failed: ");
  kernel::print_dec_signed(rc);
  println("");
  kernel::crash();
}

}  // namespace

namespace kernel {
void console_write(const char* s, std::size_t n) {
  if (guest::console_ring_write(s, n)) return;
  if (x86::installed_hypercall_page() == nullptr) return;
  (void)hcall(abi::hypercall::console_io, static_cast<unsigned>(abi::CONSOLEIO::write), n,
              reinterpret_cast<std::uintptr_t>(s));
}
[[noreturn]] void shutdown(abi::SHUTDOWN reason) {
  abi::sched_shutdown s{static_cast<std::uint32_t>(reason)};
  if (x86::installed_hypercall_page() != nullptr)
    (void)hcall(abi::hypercall::sched_op, static_cast<unsigned>(abi::SCHEDOP::shutdown), reinterpret_cast<std::uintptr_t>(&s));
  for (;;) __asm__ __volatile__("cli; hlt");
}
}  // namespace kernel

// The event upcall (HVM_PARAM_CALLBACK_IRQ vector): the 2-level scan Xen's ABI asks for.
extern "C" void hello_upcall() {
  auto& vi = shared_page.vcpu_info[0];
  __atomic_store_n(&vi.evtchn_upcall_pending, std::uint8_t{0}, __ATOMIC_SEQ_CST);
  std::uint64_t sel = __atomic_exchange_n(&vi.evtchn_pending_sel, std::uint64_t{0}, __ATOMIC_SEQ_CST);
  while (sel != 0) {
    const unsigned w = kernel::lowest_bit(sel);
    sel &= sel - 1;
    std::uint64_t pend = __atomic_load_n(&shared_page.evtchn_pending[w], __ATOMIC_SEQ_CST) &
                         ~__atomic_load_n(&shared_page.evtchn_mask[w], __ATOMIC_SEQ_CST);
    while (pend != 0) {
      const unsigned b = kernel::lowest_bit(pend);
      pend &= pend - 1;
      __atomic_fetch_and(&shared_page.evtchn_pending[w], ~(std::uint64_t{1} << b), __ATOMIC_SEQ_CST);
      const std::uint32_t port = w * 64 + b;
      if (port == timer_port && !timer_fired) {
        timer_fired_at = system_time();
        timer_fired = true;
      }
    }
  }
}

extern "C" [[noreturn]] void kmain(std::uint32_t start_info_pa) {
  // 1. Find Xen and install the hypercall page (nothing can be printed before this).
  auto xen = x86::detect_xen();
  if (!xen) kernel::halt_forever();
  alignas(4096) static x86::hypercall_page page;
  if (!x86::install_hypercall_page(page, xenabi::phys_addr{reinterpret_cast<std::uintptr_t>(&page)}, xen.value()))
    kernel::halt_forever();
  (void)guest::console_ring_init();  // from here on the console ring, if there is one
  println("hello: xenabi example kernel (PVH, x86_64)");
  print("hello: hypervisor signature XenVMMXenVMM at CPUID leaf ");
  kernel::print_hex(xen.value().base);
  print(", hypercall page via MSR ");
  kernel::print_hex(xen.value().hypercall_msr);
  println("");

  // 2. Version.
  const long ver = hcall(abi::hypercall::xen_version, static_cast<unsigned>(abi::XENVER::version), 0);
  check(ver, "xen_version(XENVER_version)");
  char extra[sizeof(abi::xen_extraversion_t)] = {};
  check(hcall(abi::hypercall::xen_version, static_cast<unsigned>(abi::XENVER::extraversion),
              reinterpret_cast<std::uintptr_t>(extra)),
        "xen_version(XENVER_extraversion)");
  print("hello: Xen ");
  kernel::print_dec(static_cast<std::uint64_t>(ver) >> 16);
  print(".");
  kernel::print_dec(static_cast<std::uint64_t>(ver) & 0xffff);
  print(extra);
  println("");

  // 3. Start info.
  const auto* si = reinterpret_cast<const abi::hvm_start_info*>(static_cast<std::uintptr_t>(start_info_pa));
  if (si->magic != abi::XEN_HVM_START::MAGIC_VALUE) {
    println("hello: bad hvm_start_info magic");
    kernel::crash();
  }
  print("hello: hvm_start_info version ");
  kernel::print_dec(si->version);
  print(", memory map entries ");
  kernel::print_dec(si->version >= 1 ? si->memmap_entries : 0);
  print(", command line \"");
  if (si->cmdline_paddr != 0) print(reinterpret_cast<const char*>(static_cast<std::uintptr_t>(si->cmdline_paddr)));
  println("\"");

  // 4. Map shared_info, register the runstate area.
  abi::xen_add_to_physmap xatp{};
  xatp.domid = abi::DOMID::SELF;
  xatp.space = static_cast<std::uint32_t>(abi::XENMAPSPACE::shared_info);
  xatp.idx = 0;
  xatp.gpfn = reinterpret_cast<std::uintptr_t>(&shared_frame_) >> 12;
  check(hcall(abi::hypercall::memory_op, static_cast<unsigned>(abi::XENMEM::add_to_physmap),
              reinterpret_cast<std::uintptr_t>(&xatp)),
        "memory_op(XENMEM_add_to_physmap, shared_info)");
  println("hello: shared_info mapped");
  abi::vcpu_register_runstate_memory_area area{};
  area.addr.v = reinterpret_cast<std::uintptr_t>(&runstate);
  check(hcall(abi::hypercall::vcpu_op, static_cast<unsigned>(abi::VCPUOP::register_runstate_memory_area), 0,
              reinterpret_cast<std::uintptr_t>(&area)),
        "vcpu_op(VCPUOP_register_runstate_memory_area)");

  // 5. The three clocks.
  const std::uint64_t now = system_time();
  print("hello: system time ");
  kernel::print_ms(now);
  println(" since boot");
  std::uint64_t sec = 0;
  std::uint32_t nsec = 0;
  wall_clock(sec, nsec);
  print("hello: wall clock ");
  kernel::print_date(sec, nsec);
  println(" UTC");
  print("hello: virtual time ");
  kernel::print_ms(virtual_time());
  println(" running");

  // 6. Events: IDT with the upcall vector, CALLBACK_IRQ, VIRQ_TIMER.
  kernel::install_idt(upcall_vector);
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  p.index = static_cast<std::uint32_t>(abi::HVM_PARAM::CALLBACK_IRQ);
  p.value = (std::uint64_t{2} << 56) | upcall_vector;  // type 2: vector
  check(hcall(abi::hypercall::hvm_op, static_cast<unsigned>(abi::HVMOP::set_param), reinterpret_cast<std::uintptr_t>(&p)),
        "hvm_op(HVMOP_set_param, CALLBACK_IRQ)");
  abi::evtchn_bind_virq bv{};
  bv.virq = static_cast<std::uint32_t>(abi::VIRQ::TIMER);
  bv.vcpu = 0;
  check(hcall(abi::hypercall::event_channel_op, static_cast<unsigned>(abi::EVTCHNOP::bind_virq),
              reinterpret_cast<std::uintptr_t>(&bv)),
        "event_channel_op(EVTCHNOP_bind_virq, VIRQ_TIMER)");
  timer_port = bv.port;
  print("hello: VIRQ_TIMER bound to port ");
  kernel::print_dec(bv.port);
  print(", upcall vector ");
  kernel::print_hex(upcall_vector);
  println("");

  // 7. A 10 ms timer; block (sti; hlt) until its upcall.
  const std::uint64_t t0 = system_time();
  check(hcall(abi::hypercall::set_timer_op, t0 + 10000000u), "set_timer_op");
  println("hello: timer set for +10 ms, blocking until VIRQ_TIMER");
  while (!timer_fired) __asm__ __volatile__("sti; hlt; cli" ::: "memory");
  print("hello: VIRQ_TIMER upcall after ");
  kernel::print_ms(timer_fired_at - t0);
  println("");
  print("hello: virtual time ");
  kernel::print_ms(virtual_time());
  println(" running");

  println("hello: powering off");
  kernel::flush();
  kernel::shutdown(abi::SHUTDOWN::poweroff);
}
