// guide_pitfalls.elf: the porting guide's mistakes, made on purpose inside a real VM. Each section
// makes the wrong call a port typically makes first, then the right one, and checks the result
// Xen (and xenhv) gives: "ok NAME" or "FAIL NAME: got X want Y". The trace lines that the
// chapters' pitfall tables quote are this kernel's `xenhv run guide_pitfalls.elf --trace`
// output; tests/porting_guide/check_trace.py boots it once and checks every quoted line.
// A failed check ends the boot with SHUTDOWN_crash (xenhv exit status 1), so the expected
// results are kept true too.
//   chapter 4  console_io mistakes; the console ring xenhv's toolstack gives (HVM_PARAM_CONSOLE_PFN 9)
//   chapter 5  time: runstate area, one-shot timer in the past with VCPU_SSHOTTMR_future
//   chapter 6  events: callback type, upcall vector, VIRQ binding, IPI, mask/unmask re-delivery
//   chapter 7  memory: shared_info and grant frames in the physmap, grant table setup, ballooning
// Then it runs the chapters' snippets (clock, events, grants) from their compiled sources.
// With the command line "suspend" it only suspends itself (chapter 5): xenhv ends the domain.
#include <cstddef>
#include <cstdint>

#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/grant_table.hpp>
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
#include "raw_calls.hpp"

namespace abi = xenabi::abi;
namespace x86 = xenabi::arch::x86;
using H = abi::hypercall;

namespace {

constinit kernel::shared_info_frame shared_frame{.bytes = {}};
abi::shared_info& shared = shared_frame.info;
alignas(4096) constinit unsigned char grant_frame[4096] = {};
alignas(4096) constinit unsigned char balloon_page[4096] = {};  // given back to Xen and taken again
constinit abi::vcpu_runstate_info runstate{};
constinit volatile unsigned upcalls = 0;
constinit volatile std::uint64_t ports_seen = 0;
constexpr std::uint64_t unmapped = 0x80000000;  // above the 1 GiB identity map
constexpr std::uint8_t vector = 0xf3;
unsigned& failures = kernel::expect_failures;

using kernel::addr;
using kernel::hcall;
using kernel::op;

using kernel::expect;

std::uint64_t system_time() { return kernel::system_time(shared.vcpu_info[0].time); }

long set_param(abi::HVM_PARAM index, std::uint64_t value) {
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  p.index = op(index);
  p.value = value;
  return hcall(H::hvm_op, op(abi::HVMOP::set_param), addr(&p));
}

long add_to_physmap(abi::XENMAPSPACE space, std::uint64_t idx, std::uint64_t gpfn) {
  abi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(space);
  x.idx = idx;
  x.gpfn = gpfn;
  return hcall(H::memory_op, op(abi::XENMEM::add_to_physmap), addr(&x));
}

long reservation(abi::XENMEM cmd, std::uint64_t* gfns, std::uint64_t n) {
  abi::xen_memory_reservation r{};
  r.extent_start = decltype(r.extent_start)::from(gfns);
  r.nr_extents = n;
  r.extent_order = 0;
  r.domid = abi::DOMID::SELF;
  return hcall(H::memory_op, op(cmd), addr(&r));
}

long evtchn(abi::EVTCHNOP cmd, void* arg) { return hcall(H::event_channel_op, op(cmd), addr(arg)); }

void chapter4_console() {
  kernel::println("chapter 4: console");
  expect("console_io unmapped buffer", hcall(H::console_io, op(abi::CONSOLEIO::write), 4, unmapped), -14);
  expect("console_io unknown sub-op", hcall(H::console_io, 7u, 4, addr("oops")), -38);
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  p.index = op(abi::HVM_PARAM::CONSOLE_PFN);
  expect("get_param CONSOLE_PFN", hcall(H::hvm_op, op(abi::HVMOP::get_param), addr(&p)), 0);
  expect("console ring from xenhv's toolstack (CONSOLE_PFN 9)", static_cast<long>(p.value), 9);
  expect("set_param CONSOLE_PFN refused", set_param(abi::HVM_PARAM::CONSOLE_PFN, 0x200), -1);
}

void chapter7_physmap() {
  kernel::println("chapter 7: physmap");
  expect("shared_info index 1", add_to_physmap(abi::XENMAPSPACE::shared_info, 1, addr(&shared_frame) >> 12), -22);
  expect("shared_info beyond RAM", add_to_physmap(abi::XENMAPSPACE::shared_info, 0, 0x7ffffff), -22);
  expect("shared_info mapped", add_to_physmap(abi::XENMAPSPACE::shared_info, 0, addr(&shared_frame) >> 12), 0);
  expect("mmu_update from PVH", hcall(H::mmu_update, 0, 0, 0, abi::DOMID::SELF), -38);
}

void chapter5_time() {
  kernel::println("chapter 5: time");
  abi::vcpu_register_runstate_memory_area area{};
  area.addr.p = unmapped;
  expect("runstate area unmapped (accepted, as Xen; updates lost)",
         hcall(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, addr(&area)), 0);
  area.addr.p = addr(&runstate);
  expect("runstate area", hcall(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, addr(&area)), 0);
  abi::vcpu_set_singleshot_timer t{};
  t.timeout_abs_ns = system_time() - 1000000;  // a deadline already passed
  t.flags = abi::VCPU_SSHOTTMR::future;
  expect("singleshot in the past with future flag (ignored, as Xen 4.17)",
         hcall(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 0, addr(&t)), 0);
  t.flags = 0;  // without the flag a past deadline fires at once
  expect("singleshot in the past", hcall(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 0, addr(&t)), 0);
  expect("stop singleshot", hcall(H::vcpu_op, op(abi::VCPUOP::stop_singleshot_timer), 0, 0), 0);
  expect("set_timer_op 0 cancels", hcall(H::set_timer_op, 0), 0);
}

void chapter6_events() {
  kernel::println("chapter 6: events");
  kernel::install_idt(vector);
  expect("CALLBACK_IRQ as a GSI", set_param(abi::HVM_PARAM::CALLBACK_IRQ, 5), 0);
  abi::xen_hvm_evtchn_upcall_vector uv{};
  uv.vcpu = 0;
  uv.vector = 0x0f;
  expect("upcall vector below 0x10", hcall(H::hvm_op, op(abi::HVMOP::set_evtchn_upcall_vector), addr(&uv)), -22);
  expect("CALLBACK_IRQ vector", set_param(abi::HVM_PARAM::CALLBACK_IRQ, (std::uint64_t{2} << 56) | vector), 0);

  abi::evtchn_bind_virq bv{};
  bv.virq = 40;
  expect("bind_virq out of range", evtchn(abi::EVTCHNOP::bind_virq, &bv), -22);
  bv.virq = op(abi::VIRQ::CONSOLE);
  bv.vcpu = 1;
  expect("bind global VIRQ on vCPU 1", evtchn(abi::EVTCHNOP::bind_virq, &bv), -22);
  bv.virq = op(abi::VIRQ::TIMER);
  bv.vcpu = 0;
  expect("bind_virq timer", evtchn(abi::EVTCHNOP::bind_virq, &bv), 0);
  abi::evtchn_bind_virq again = bv;
  expect("bind_virq timer twice", evtchn(abi::EVTCHNOP::bind_virq, &again), -17);

  abi::evtchn_bind_ipi ipi{};
  ipi.vcpu = 3;
  expect("bind_ipi no such vCPU", evtchn(abi::EVTCHNOP::bind_ipi, &ipi), -2);
  ipi.vcpu = 0;
  expect("bind_ipi", evtchn(abi::EVTCHNOP::bind_ipi, &ipi), 0);
  abi::evtchn_bind_vcpu move{ipi.port, 0};
  expect("bind_vcpu on an IPI port", evtchn(abi::EVTCHNOP::bind_vcpu, &move), -22);

  // Masked: the send sets the pending bit but raises no upcall; unmasking re-delivers it.
  const unsigned w = ipi.port / 64, b = ipi.port % 64;
  __atomic_fetch_or(&shared.evtchn_mask[w], std::uint64_t{1} << b, __ATOMIC_SEQ_CST);
  abi::evtchn_send s{ipi.port};
  const unsigned before = upcalls;
  expect("send to a masked port", evtchn(abi::EVTCHNOP::send, &s), 0);
  __asm__ __volatile__("sti; nop; nop; cli" ::: "memory");
  expect("no upcall while masked", upcalls == before, 1);
  expect("pending while masked", (shared.evtchn_pending[w] >> b) & 1u, 1);
  __atomic_fetch_and(&shared.evtchn_mask[w], ~(std::uint64_t{1} << b), __ATOMIC_SEQ_CST);
  abi::evtchn_unmask um{ipi.port};
  expect("unmask", evtchn(abi::EVTCHNOP::unmask, &um), 0);
  while (upcalls == before) __asm__ __volatile__("sti; hlt; cli" ::: "memory");
  expect("upcall after unmask", (ports_seen >> ipi.port) & 1u, 1);
  um.port = 5000;
  expect("unmask out of range", evtchn(abi::EVTCHNOP::unmask, &um), -22);
  s.port = 4000;
  expect("send unbound port", evtchn(abi::EVTCHNOP::send, &s), -22);
  abi::evtchn_init_control fifo{};
  fifo.control_gfn = addr(&grant_frame) >> 12;
  expect("FIFO event channels", evtchn(abi::EVTCHNOP::init_control, &fifo), -38);
  abi::evtchn_close c{ipi.port};
  expect("close", evtchn(abi::EVTCHNOP::close, &c), 0);
  expect("close again", evtchn(abi::EVTCHNOP::close, &c), -22);
}

void chapter7_grants_and_balloon() {
  kernel::println("chapter 7: grant tables");
  abi::gnttab_query_size q{};
  q.dom = abi::DOMID::SELF;
  expect("query_size", hcall(H::grant_table_op, op(abi::GNTTABOP::query_size), addr(&q), 1), 0);
  abi::gnttab_set_version v{2};
  expect("grant table v2", hcall(H::grant_table_op, op(abi::GNTTABOP::set_version), addr(&v), 1), -38);
  expect("grant frame beyond the maximum",
         add_to_physmap(abi::XENMAPSPACE::grant_table, 1000, addr(&grant_frame) >> 12), -22);
  expect("grant frame 0 mapped", add_to_physmap(abi::XENMAPSPACE::grant_table, 0, addr(&grant_frame) >> 12), 0);

  kernel::println("chapter 7: ballooning");
  std::uint64_t gfn = addr(&balloon_page) >> 12;
  expect("decrease_reservation", reservation(abi::XENMEM::decrease_reservation, &gfn, 1), 1);
  expect("decrease_reservation twice", reservation(abi::XENMEM::decrease_reservation, &gfn, 1), 0);
  expect("populate_physmap", reservation(abi::XENMEM::populate_physmap, &gfn, 1), 1);
  expect("populate_physmap twice", reservation(abi::XENMEM::populate_physmap, &gfn, 1), 0);
  std::uint64_t beyond = 0x7ffffff;
  expect("decrease_reservation beyond RAM", reservation(abi::XENMEM::decrease_reservation, &beyond, 1), 0);
  expect("increase_reservation at the maximum", reservation(abi::XENMEM::increase_reservation, &gfn, 1), 0);
  balloon_page[0] = 1;  // populated again: usable
  expect("ballooned page usable", balloon_page[0], 1);
}

}  // namespace

// The chapters' snippets, from their compiled sources (tests/foundation/freestanding_uses/),
// linked into this kernel and run on xenhv.
extern "C" xenabi::u64 clock_example(const abi::shared_info* shared,
                                     const abi::vcpu_runstate_info* runstate);
extern "C" unsigned event_channel_example(abi::shared_info* shared, unsigned console_port);
extern "C" int grant_table_example(xenabi::u64 ring_frame, xenabi::u16 backend);

namespace {
void chapter_snippets() {
  kernel::println("the chapters' snippets, run");
  // chapter 5: the three clocks; the wall clock alone is past 2020 (1577836800 s)
  expect("chapter 5 snippet reads the clocks", clock_example(&shared, &runstate) > 1577836800u, 1);
  // chapter 6: one pending event on an IPI port (interrupts are off, so it waits for the
  // demultiplexer), delivered to the snippet's handler: 1 delivered + 1 handler call
  abi::evtchn_bind_ipi ipi{};
  ipi.vcpu = 0;
  expect("bind_ipi for the snippet", evtchn(abi::EVTCHNOP::bind_ipi, &ipi), 0);
  abi::evtchn_send s{ipi.port};
  expect("send for the snippet", evtchn(abi::EVTCHNOP::send, &s), 0);
  expect("chapter 6 snippet demultiplexes it", event_channel_example(&shared, ipi.port), 2);
  // chapter 7: grant and end access (GNTTABOP_query_size through the typed wrapper)
  expect("chapter 7 snippet grants and ends access", grant_table_example(addr(&grant_frame) >> 12, 0), 0);
}
}  // namespace

namespace kernel {
void console_write(const char* s, std::size_t n) { console_io_write(s, n); }
[[noreturn]] void shutdown(abi::SHUTDOWN reason) { sched_shutdown(reason); }
}  // namespace kernel

extern "C" void hello_upcall() {
  auto& vi = shared.vcpu_info[0];
  __atomic_store_n(&vi.evtchn_upcall_pending, std::uint8_t{0}, __ATOMIC_SEQ_CST);
  std::uint64_t sel = __atomic_exchange_n(&vi.evtchn_pending_sel, std::uint64_t{0}, __ATOMIC_SEQ_CST);
  if (sel & 1u) {
    const std::uint64_t pend = __atomic_fetch_and(&shared.evtchn_pending[0], shared.evtchn_mask[0], __ATOMIC_SEQ_CST);
    ports_seen = ports_seen | (pend & ~shared.evtchn_mask[0]);
  }
  upcalls = upcalls + 1;
}

extern "C" [[noreturn]] void kmain(std::uint32_t start_info_pa) {
  auto xen = x86::detect_xen();
  if (!xen) kernel::halt_forever();
  alignas(4096) static x86::hypercall_page page;
  if (!x86::install_hypercall_page(page, xenabi::phys_addr{addr(&page)}, xen.value())) kernel::halt_forever();
  const auto* si = reinterpret_cast<const abi::hvm_start_info*>(static_cast<std::uintptr_t>(start_info_pa));
  const char* cmd = si->cmdline_paddr != 0 ? reinterpret_cast<const char*>(static_cast<std::uintptr_t>(si->cmdline_paddr)) : "";
  if (cmd[0] == 's') {  // "suspend": chapter 5's suspend, which xenhv answers by ending the domain
    abi::sched_shutdown s{op(abi::SHUTDOWN::suspend)};
    const long r = hcall(H::sched_op, op(abi::SCHEDOP::shutdown), addr(&s));
    kernel::print("resumed in ");
    kernel::println(r == 0 ? "a new domain" : "the same domain");
    kernel::flush();
    kernel::shutdown(abi::SHUTDOWN::crash);  // xenhv never resumes: reaching this is a failure
  }
  chapter4_console();
  chapter7_physmap();
  chapter5_time();
  chapter6_events();
  chapter7_grants_and_balloon();
  chapter_snippets();
  kernel::print("pitfalls: done, ");
  kernel::print_dec(failures);
  kernel::println(" failures");
  kernel::flush();
  kernel::shutdown(failures == 0 ? abi::SHUTDOWN::poweroff : abi::SHUTDOWN::crash);
}
