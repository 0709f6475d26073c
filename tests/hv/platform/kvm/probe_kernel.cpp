// probe.elf: a tiny PVH test kernel for the xenhv integration tests and benchmarks. It checks
// hypercalls from inside a real VM (through the hypercall page, with guest page tables) and
// prints one line per check: "ok NAME" or "FAIL NAME: got X want Y", then "probe: done".
// The command line picks other behaviours:
//   (empty)      the checks above, then poweroff
//   sse          execute an SSE instruction in ring 0 (xenhv must explain the failure)
//   triple       fault with no IDT (triple fault)
//   crash        SCHEDOP_shutdown(SHUTDOWN_crash)
//   bare N       N writes to xenhv's bare-exit port (benchmark baseline), then poweroff
//   null N       N xen_version(XENVER_version) hypercalls (benchmark), then poweroff
//   first        poweroff at once (start-up benchmark)
//   measure N R  R rounds of N bare exits, N null hypercalls and the same N calls through a copy
//                of the hypercall page whose stubs write the bare-exit port instead (the
//                guest-side instructions of a hypercall without its hypervisor-side work,
//                instruction for instruction the same as the null calls); prints the
//                fastest round of each in TSC cycles per operation: "measure bare C" /
//                "measure null C" / "measure stub C"
//   smp          bring vCPU 1 up with VCPUOP_initialise/up (needs 2 vCPUs); it takes itself down
//   pause        bind VIRQ_TIMER, print "pause: counter at ADDR port P", then count in a loop
//                until that port is pending: "pause: timer fired" (the host pauses the domain,
//                arms the timer while it is paused, checks nothing runs, and unpauses)
#include <cstddef>
#include <cstdint>

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
constinit volatile unsigned upcalls = 0;
constinit volatile std::uint64_t pending_seen = 0;
constexpr std::uint64_t unmapped = 0x80000000;  // above the 1 GiB identity map
constexpr std::uint8_t vector = 0xf3;
unsigned& failures = kernel::expect_failures;

using kernel::addr;
using kernel::hcall;
using kernel::op;

using kernel::expect;

using kernel::starts;
using kernel::number_after;

std::uint64_t system_time() { return kernel::system_time(shared.vcpu_info[0].time); }

// A hypercall with rcx and r11 loaded with known values; returns true if both survived.
bool rcx_r11_survive() {
  std::uint64_t rcx = 0x1111222233334444, r11 = 0x5555666677778888;
  const void* entry = x86::installed_hypercall_page()->entry(op(H::xen_version));
  register std::uint64_t rdi asm("rdi") = op(abi::XENVER::version);
  register std::uint64_t rsi asm("rsi") = 0;
  register std::uint64_t r11r asm("r11") = r11;
  std::uint64_t rax = op(H::xen_version);
  __asm__ __volatile__("lea -128(%%rsp), %%rsp\n\tcall *%[entry]\n\tlea 128(%%rsp), %%rsp"
                       : "+a"(rax), "+c"(rcx), "+r"(r11r), "+r"(rdi), "+r"(rsi)
                       : [entry] "r"(entry)
                       : "memory", "cc", "rdx", "r8", "r9", "r10");
  return rcx == 0x1111222233334444 && r11r == 0x5555666677778888;
}

// Frames the reservation and grant checks give away, grant and copy (page-aligned, identity
// mapped: guest-virtual == guest-physical).
union alignas(4096) page {
  unsigned char bytes[4096];
  abi::grant_entry_v1 grants[512];
};
constinit page scratch{.bytes = {}}, grant_frame{.bytes = {}}, granted{.bytes = {}}, copy_dst{.bytes = {}};

// XENMEM_decrease_reservation / populate_physmap / increase_reservation on a real guest frame:
// the reservation follows, and xenhv's checked access to the frame fails while it is absent.
void memory_checks() {
  std::uint16_t self = abi::DOMID::SELF;
  const long cur0 = hcall(H::memory_op, op(abi::XENMEM::current_reservation), addr(&self));
  const long max0 = hcall(H::memory_op, op(abi::XENMEM::maximum_reservation), addr(&self));
  expect("current_reservation positive", cur0 > 0, 1);
  std::uint64_t gfn = addr(&scratch) >> 12;
  abi::xen_memory_reservation r{};
  r.extent_start = decltype(r.extent_start)::from(&gfn);
  r.nr_extents = 1;
  r.extent_order = 0;
  r.domid = abi::DOMID::SELF;
  expect("increase_reservation at the maximum", hcall(H::memory_op, op(abi::XENMEM::increase_reservation), addr(&r)),
         cur0 < max0 ? 1 : 0);
  const long cur1 = hcall(H::memory_op, op(abi::XENMEM::current_reservation), addr(&self));
  expect("decrease_reservation one frame", hcall(H::memory_op, op(abi::XENMEM::decrease_reservation), addr(&r)), 1);
  expect("current_reservation one less", hcall(H::memory_op, op(abi::XENMEM::current_reservation), addr(&self)),
         cur1 - 1);
  scratch.bytes[0] = '\n';
  expect("console_io from a released frame", hcall(H::console_io, op(abi::CONSOLEIO::write), 1, addr(&scratch)), -14);
  expect("decrease_reservation absent frame", hcall(H::memory_op, op(abi::XENMEM::decrease_reservation), addr(&r)), 0);
  expect("populate_physmap it again", hcall(H::memory_op, op(abi::XENMEM::populate_physmap), addr(&r)), 1);
  expect("populate_physmap present frame", hcall(H::memory_op, op(abi::XENMEM::populate_physmap), addr(&r)), 0);
  expect("current_reservation back", hcall(H::memory_op, op(abi::XENMEM::current_reservation), addr(&self)), cur1);
  scratch.bytes[0] = '\n';
  expect("console_io from the repopulated frame", hcall(H::console_io, op(abi::CONSOLEIO::write), 1, addr(&scratch)),
         0);
  r.extent_order = 30;
  expect("decrease_reservation order too big", hcall(H::memory_op, op(abi::XENMEM::decrease_reservation), addr(&r)),
         0);
  r.extent_order = 0;
  r.extent_start = decltype(r.extent_start)::from_address(unmapped);
  expect("populate_physmap unmapped list", hcall(H::memory_op, op(abi::XENMEM::populate_physmap), addr(&r)), 0);
}

// GNTTABOP_map_grant_ref / unmap_grant_ref / copy on the probe's own grant (the probe runs as
// domain 0 and grants a frame to itself): the entry's GTF_reading/GTF_writing follow the
// mapping; bad references, handles and entries get Xen's GNTST_* codes.
void grant_checks() {
  abi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::grant_table);
  x.idx = 0;
  x.gpfn = addr(&grant_frame) >> 12;
  expect("add_to_physmap grant_table", hcall(H::memory_op, op(abi::XENMEM::add_to_physmap), addr(&x)), 0);
  auto& e = grant_frame.grants[5];
  e.domid = 0;
  e.frame = static_cast<std::uint32_t>(addr(&granted) >> 12);
  __atomic_store_n(&e.flags, abi::GTF::permit_access, __ATOMIC_RELEASE);
  for (unsigned i = 0; i < 6; ++i) granted.bytes[i] = static_cast<unsigned char>("grant"[i]);

  abi::gnttab_map_grant_ref m{};
  m.host_addr = 0x7000000;
  m.flags = abi::GNTMAP::host_map;
  m.ref = 5;
  m.dom = 0;  // the probe's own id (as on Xen, DOMID_SELF is not a granting domain: GNTST_bad_domain)
  expect("map_grant_ref", hcall(H::grant_table_op, op(abi::GNTTABOP::map_grant_ref), addr(&m), 1), 0);
  expect("map_grant_ref status", m.status, 0);
  const std::uint16_t pinned = __atomic_load_n(&e.flags, __ATOMIC_ACQUIRE);
  expect("GTF_reading|GTF_writing while mapped", pinned & (abi::GTF::reading | abi::GTF::writing),
         abi::GTF::reading | abi::GTF::writing);
  abi::gnttab_map_grant_ref bad = m;
  bad.ref = 6;  // an empty entry
  expect("map_grant_ref empty entry", hcall(H::grant_table_op, op(abi::GNTTABOP::map_grant_ref), addr(&bad), 1), 0);
  expect("map_grant_ref empty entry status", bad.status, static_cast<long>(abi::GNTST::general_error));
  bad.ref = 100000;  // beyond the table
  expect("map_grant_ref beyond the table", hcall(H::grant_table_op, op(abi::GNTTABOP::map_grant_ref), addr(&bad), 1),
         0);
  expect("map_grant_ref beyond the table status", bad.status, static_cast<long>(abi::GNTST::bad_gntref));
  abi::gnttab_map_grant_ref selfid = m;
  selfid.dom = abi::DOMID::SELF;
  expect("map_grant_ref DOMID_SELF", hcall(H::grant_table_op, op(abi::GNTTABOP::map_grant_ref), addr(&selfid), 1), 0);
  expect("map_grant_ref DOMID_SELF status", selfid.status, static_cast<long>(abi::GNTST::bad_domain));
  expect("map_grant_ref unmapped argument",
         hcall(H::grant_table_op, op(abi::GNTTABOP::map_grant_ref), unmapped, 1), -14);

  // Copy through the grant into our own frame.
  abi::gnttab_copy cp{};
  cp.source.u.ref = 5;
  cp.source.domid = abi::DOMID::SELF;
  cp.dest.u.gmfn = addr(&copy_dst) >> 12;
  cp.dest.domid = abi::DOMID::SELF;
  cp.dest.offset = 8;
  cp.len = 6;
  cp.flags = abi::GNTCOPY::source_gref;
  expect("grant copy", hcall(H::grant_table_op, op(abi::GNTTABOP::copy), addr(&cp), 1), 0);
  expect("grant copy status", cp.status, 0);
  expect("grant copy bytes", copy_dst.bytes[8] == 'g' && copy_dst.bytes[12] == 't', 1);

  abi::gnttab_unmap_grant_ref u{};
  u.host_addr = m.host_addr;
  u.handle = m.handle;
  expect("unmap_grant_ref", hcall(H::grant_table_op, op(abi::GNTTABOP::unmap_grant_ref), addr(&u), 1), 0);
  expect("unmap_grant_ref status", u.status, 0);
  expect("GTF_reading|GTF_writing cleared", __atomic_load_n(&e.flags, __ATOMIC_ACQUIRE) &
                                                (abi::GTF::reading | abi::GTF::writing), 0);
  expect("unmap_grant_ref again", hcall(H::grant_table_op, op(abi::GNTTABOP::unmap_grant_ref), addr(&u), 1), 0);
  expect("unmap_grant_ref again status", u.status, static_cast<long>(abi::GNTST::bad_handle));
}

void checks() {
  expect("xen_version", hcall(H::xen_version, op(abi::XENVER::version), 0) > 0, 1);
  char extra[16];
  expect("xen_version extraversion", hcall(H::xen_version, op(abi::XENVER::extraversion), addr(extra)), 0);
  expect("xen_version unmapped buffer", hcall(H::xen_version, op(abi::XENVER::extraversion), unmapped), -14);
  expect("xen_version bad sub-op", hcall(H::xen_version, 77u, 0), -38);
  expect("console_io unmapped buffer", hcall(H::console_io, op(abi::CONSOLEIO::write), 4, unmapped), -14);
  expect("mmu_update is PV-only", hcall(H::mmu_update, 0, 0, 0, 0), -38);
  expect("rcx and r11 preserved", rcx_r11_survive(), 1);

  abi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::shared_info);
  x.gpfn = 0x7ffffff;  // far beyond RAM
  expect("add_to_physmap beyond RAM", hcall(H::memory_op, op(abi::XENMEM::add_to_physmap), addr(&x)), -22);
  x.gpfn = addr(&shared_frame) >> 12;
  expect("add_to_physmap shared_info", hcall(H::memory_op, op(abi::XENMEM::add_to_physmap), addr(&x)), 0);
  expect("add_to_physmap unmapped arg", hcall(H::memory_op, op(abi::XENMEM::add_to_physmap), unmapped), -14);

  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  p.index = 5000;
  expect("hvm get_param bad index", hcall(H::hvm_op, op(abi::HVMOP::get_param), addr(&p)), -22);
  p.index = op(abi::HVM_PARAM::CALLBACK_IRQ);
  p.value = (std::uint64_t{2} << 56) | vector;
  kernel::install_idt(vector);
  expect("hvm set_param CALLBACK_IRQ", hcall(H::hvm_op, op(abi::HVMOP::set_param), addr(&p)), 0);

  expect("vcpu_op bad vCPU", hcall(H::vcpu_op, op(abi::VCPUOP::is_up), 5, 0), -2);
  expect("vcpu_op is_up", hcall(H::vcpu_op, op(abi::VCPUOP::is_up), 0, 0), 1);

  // An IPI to ourselves arrives as an upcall on the callback vector.
  abi::evtchn_bind_ipi ipi{};
  ipi.vcpu = 0;
  expect("bind_ipi", hcall(H::event_channel_op, op(abi::EVTCHNOP::bind_ipi), addr(&ipi)), 0);
  abi::evtchn_send s{ipi.port};
  expect("send ipi", hcall(H::event_channel_op, op(abi::EVTCHNOP::send), addr(&s)), 0);
  while (upcalls == 0) __asm__ __volatile__("sti; hlt; cli" ::: "memory");
  expect("ipi upcall delivered", (pending_seen >> ipi.port) & 1u, 1);
  s.port = 4000;
  expect("send unbound port", hcall(H::event_channel_op, op(abi::EVTCHNOP::send), addr(&s)), -22);
  abi::evtchn_close c{ipi.port};
  expect("close", hcall(H::event_channel_op, op(abi::EVTCHNOP::close), addr(&c)), 0);
  expect("close again", hcall(H::event_channel_op, op(abi::EVTCHNOP::close), addr(&c)), -22);

  // VIRQ_TIMER with SCHEDOP_poll (events masked by cli, so the poll is race-free).
  abi::evtchn_bind_virq bv{};
  bv.virq = op(abi::VIRQ::TIMER);
  expect("bind_virq timer", hcall(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), addr(&bv)), 0);
  expect("bind_virq timer twice", hcall(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), addr(&bv)), -17);
  const std::uint64_t deadline = system_time() + 1000000;
  expect("set_timer_op", hcall(H::set_timer_op, deadline), 0);
  std::uint32_t port = bv.port;
  abi::sched_poll poll{};
  poll.ports = decltype(poll.ports)::from(&port);
  poll.nr_ports = 1;
  poll.timeout = 0;
  expect("poll timer port", hcall(H::sched_op, op(abi::SCHEDOP::poll), addr(&poll)), 0);
  expect("timer not early", system_time() >= deadline, 1);
  poll.nr_ports = 1000;
  expect("poll too many ports", hcall(H::sched_op, op(abi::SCHEDOP::poll), addr(&poll)), -22);

  abi::multicall_entry mc[2]{};
  mc[0].op = op(H::xen_version);
  mc[0].args[0] = op(abi::XENVER::pagesize);
  mc[1].op = op(H::xen_version);
  mc[1].args[0] = 77;
  expect("multicall", hcall(H::multicall, addr(mc), 2), 0);
  expect("multicall result 0", static_cast<long>(mc[0].result), 4096);
  expect("multicall result 1", static_cast<long>(mc[1].result), -38);

  abi::sched_remote_shutdown absent{77, 0};
  expect("remote_shutdown absent domain", hcall(H::sched_op, op(abi::SCHEDOP::remote_shutdown), addr(&absent)), -3);

  memory_checks();
  grant_checks();
}

}  // namespace

namespace kernel {
void console_write(const char* s, std::size_t n) { console_io_write(s, n); }
[[noreturn]] void shutdown(abi::SHUTDOWN reason) { sched_shutdown(reason); }
}  // namespace kernel

// vCPU 1's entry (64-bit, paging on, from VCPUOP_initialise): its own stack, then ap_main.
__asm__(".text\n.globl ap_entry\nap_entry:\n  mov $ap_stack_top, %rsp\n  call ap_main\n1: hlt\n  jmp 1b\n"
        ".bss\n.balign 16\nap_stack: .skip 8192\nap_stack_top:\n.text\n");
extern "C" void ap_entry();
constinit volatile std::uint32_t ap_alive = 0;

extern "C" void ap_main() {
  __atomic_store_n(&ap_alive, 1u, __ATOMIC_SEQ_CST);
  (void)hcall(H::vcpu_op, op(abi::VCPUOP::down), 1, 0);  // take ourselves down
}

namespace {
void smp() {
  abi::vcpu_hvm_context ctx{};
  ctx.mode = op(abi::VCPU_HVM_MODE::_64B);
  auto& r = ctx.cpu_regs.x86_64;
  std::uint64_t cr0 = 0, cr3 = 0, cr4 = 0;
  __asm__ __volatile__("mov %%cr0, %0; mov %%cr3, %1; mov %%cr4, %2" : "=r"(cr0), "=r"(cr3), "=r"(cr4));
  std::uint32_t lo = 0, hi = 0;
  __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
  r.cr0 = cr0;
  r.cr3 = cr3;
  r.cr4 = cr4;
  r.efer = (std::uint64_t{hi} << 32) | lo;
  r.rip = addr(&ap_entry);
  r.rflags = 2;
  expect("vcpu_op up before initialise", hcall(H::vcpu_op, op(abi::VCPUOP::up), 1, 0), -22);
  abi::vcpu_hvm_context bad = ctx;
  bad.cpu_regs.x86_64.cr0 = 1;
  expect("initialise bad context", hcall(H::vcpu_op, op(abi::VCPUOP::initialise), 1, addr(&bad)), -22);
  expect("initialise vCPU 1", hcall(H::vcpu_op, op(abi::VCPUOP::initialise), 1, addr(&ctx)), 0);
  expect("initialise vCPU 1 again", hcall(H::vcpu_op, op(abi::VCPUOP::initialise), 1, addr(&ctx)), -17);
  expect("up vCPU 1", hcall(H::vcpu_op, op(abi::VCPUOP::up), 1, 0), 0);
  while (__atomic_load_n(&ap_alive, __ATOMIC_SEQ_CST) == 0) (void)hcall(H::sched_op, op(abi::SCHEDOP::yield), 0);
  expect("vCPU 1 ran", ap_alive, 1);
  while (hcall(H::vcpu_op, op(abi::VCPUOP::is_up), 1, 0) != 0) (void)hcall(H::sched_op, op(abi::SCHEDOP::yield), 0);
  expect("vCPU 1 took itself down", hcall(H::vcpu_op, op(abi::VCPUOP::is_up), 1, 0), 0);
}
}  // namespace

constinit volatile std::uint64_t pause_counter = 0;

namespace {
void pause_mode() {
  abi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::shared_info);
  x.gpfn = addr(&shared_frame) >> 12;
  expect("add_to_physmap shared_info", hcall(H::memory_op, op(abi::XENMEM::add_to_physmap), addr(&x)), 0);
  abi::evtchn_bind_virq bv{};
  bv.virq = op(abi::VIRQ::TIMER);
  expect("bind_virq timer", hcall(H::event_channel_op, op(abi::EVTCHNOP::bind_virq), addr(&bv)), 0);
  kernel::print("pause: counter at ");
  kernel::print_hex(addr(&pause_counter));
  kernel::print(" port ");
  kernel::print_dec(bv.port);
  kernel::println("");
  kernel::flush();
  const std::uint64_t bit = std::uint64_t{1} << (bv.port % 64);
  while ((__atomic_load_n(&shared.evtchn_pending[bv.port / 64], __ATOMIC_SEQ_CST) & bit) == 0)
    pause_counter = pause_counter + 1;
  kernel::println("pause: timer fired");
}
}  // namespace

extern "C" void hello_upcall() {
  auto& vi = shared.vcpu_info[0];
  __atomic_store_n(&vi.evtchn_upcall_pending, std::uint8_t{0}, __ATOMIC_SEQ_CST);
  std::uint64_t sel = __atomic_exchange_n(&vi.evtchn_pending_sel, std::uint64_t{0}, __ATOMIC_SEQ_CST);
  if (sel & 1u) {
    const std::uint64_t pend = __atomic_fetch_and(&shared.evtchn_pending[0], std::uint64_t{1}, __ATOMIC_SEQ_CST);
    pending_seen = pending_seen | (pend & ~std::uint64_t{1});
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
  if (starts(cmd, "first")) kernel::shutdown(abi::SHUTDOWN::poweroff);
  if (starts(cmd, "bare")) {
    const std::uint64_t n = number_after(cmd);
    for (std::uint64_t i = 0; i < n; ++i) __asm__ __volatile__("outb %%al, $0xe5" ::"a"(0) : "memory");
    kernel::shutdown(abi::SHUTDOWN::poweroff);
  }
  if (starts(cmd, "null")) {
    const std::uint64_t n = number_after(cmd);
    for (std::uint64_t i = 0; i < n; ++i) (void)hcall(H::xen_version, op(abi::XENVER::version), 0);
    kernel::shutdown(abi::SHUTDOWN::poweroff);
  }
  if (starts(cmd, "measure")) {
    const std::uint64_t n = number_after(cmd);
    const char* rest = cmd + 8;
    while (*rest >= '0' && *rest <= '9') ++rest;
    const std::uint64_t rounds = number_after(rest);
    // The copy: same stubs, but each writes the bare-exit port (byte 6 of a stub is the port).
    alignas(4096) static x86::hypercall_page stub_page;
    const auto* real = x86::installed_hypercall_page();
    for (std::size_t i = 0; i < sizeof stub_page.bytes; ++i) stub_page.bytes[i] = real->bytes[i];
    for (std::size_t i = 0; i < sizeof stub_page.bytes; i += 32)
      if (stub_page.bytes[i + 5] == 0xe6) stub_page.bytes[i + 6] = 0xe5;
    std::uint64_t best_bare = ~std::uint64_t{0}, best_null = ~std::uint64_t{0}, best_stub = ~std::uint64_t{0};
    for (std::uint64_t r = 0; r < rounds; ++r) {
      std::uint64_t t0 = x86::rdtsc();
      for (std::uint64_t i = 0; i < n; ++i) __asm__ __volatile__("outb %%al, $0xe5" ::"a"(0) : "memory");
      std::uint64_t t1 = x86::rdtsc();
      for (std::uint64_t i = 0; i < n; ++i) (void)hcall(H::xen_version, op(abi::XENVER::version), 0);
      std::uint64_t t2 = x86::rdtsc();
      // The same call as the loop above (same instructions: the page is loaded from the same
      // variable), through the copy.
      x86::use_hypercall_page(stub_page);
      std::uint64_t t3 = x86::rdtsc();
      for (std::uint64_t i = 0; i < n; ++i) (void)hcall(H::xen_version, op(abi::XENVER::version), 0);
      std::uint64_t t4 = x86::rdtsc();
      x86::use_hypercall_page(*real);
      if ((t1 - t0) / n < best_bare) best_bare = (t1 - t0) / n;
      if ((t2 - t1) / n < best_null) best_null = (t2 - t1) / n;
      if ((t4 - t3) / n < best_stub) best_stub = (t4 - t3) / n;
    }
    kernel::print("measure bare ");
    kernel::print_dec(best_bare);
    kernel::println("");
    kernel::print("measure null ");
    kernel::print_dec(best_null);
    kernel::println("");
    kernel::print("measure stub ");
    kernel::print_dec(best_stub);
    kernel::println("");
    kernel::flush();
    kernel::shutdown(abi::SHUTDOWN::poweroff);
  }
  if (starts(cmd, "sse")) __asm__ __volatile__(".byte 0x66, 0x0f, 0xef, 0xc0");  // pxor %xmm0, %xmm0
  if (starts(cmd, "triple")) __asm__ __volatile__("ud2");
  if (starts(cmd, "crash")) kernel::shutdown(abi::SHUTDOWN::crash);
  if (starts(cmd, "smp")) smp();
  else if (starts(cmd, "pause")) pause_mode();
  else checks();
  kernel::print("probe: done, ");
  kernel::print_dec(failures);
  kernel::println(" failures");
  kernel::flush();
  kernel::shutdown(abi::SHUTDOWN::poweroff);
}
