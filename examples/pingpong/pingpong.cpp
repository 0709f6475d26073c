// examples/pingpong: two domains bounce an event over an interdomain event channel.
//   xenhv run pingpong.elf --cmdline "ping 100" --domain pingpong.elf --cmdline "pong 100"
// Domain 0 ("ping N") allocates an unbound port for domain 1; domain 1 ("pong N") binds to it
// (retrying until domain 0 has allocated it: the first port of a fresh domain is 1), then sends
// N events and waits for each answer with SCHEDOP_poll; domain 0 answers N events. Both print a
// summary and power off. Events are polled with interrupts off (no upcall needed).
#include <cstddef>
#include <cstdint>

#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/hvm/start_info.hpp>
#include <xenabi/abi/memory.hpp>
#include <xenabi/abi/sched.hpp>
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

using kernel::addr;
using kernel::hcall;
using kernel::op;

void check(long rc, const char* what) {
  if (rc >= 0) return;
  kernel::print("pingpong: ");
  kernel::print(what);
  kernel::print(" failed: ");
  kernel::print_dec_signed(rc);
  kernel::println("");
  kernel::crash();
}

std::uint64_t system_time() { return kernel::system_time(shared.vcpu_info[0].time); }

// Waits (SCHEDOP_poll) until \p port is pending, then clears it.
void wait_and_clear(std::uint32_t port) {
  const std::uint64_t bit = std::uint64_t{1} << (port % 64);
  auto& word = shared.evtchn_pending[port / 64];
  while ((__atomic_load_n(&word, __ATOMIC_SEQ_CST) & bit) == 0) {
    abi::sched_poll p{};
    p.ports = decltype(p.ports)::from(&port);
    p.nr_ports = 1;
    check(hcall(H::sched_op, op(abi::SCHEDOP::poll), addr(&p)), "SCHEDOP_poll");
  }
  __atomic_fetch_and(&word, ~bit, __ATOMIC_SEQ_CST);
}

void send(std::uint32_t port) {
  abi::evtchn_send s{port};
  check(hcall(H::event_channel_op, op(abi::EVTCHNOP::send), addr(&s)), "EVTCHNOP_send");
}

using kernel::starts;
using kernel::number_after;

}  // namespace

namespace kernel {
void console_write(const char* s, std::size_t n) { console_io_write(s, n); }
[[noreturn]] void shutdown(abi::SHUTDOWN reason) { sched_shutdown(reason); }
}  // namespace kernel

extern "C" void hello_upcall() {}

extern "C" [[noreturn]] void kmain(std::uint32_t start_info_pa) {
  auto xen = x86::detect_xen();
  if (!xen) kernel::halt_forever();
  alignas(4096) static x86::hypercall_page page;
  if (!x86::install_hypercall_page(page, xenabi::phys_addr{addr(&page)}, xen.value())) kernel::halt_forever();
  const auto* si = reinterpret_cast<const abi::hvm_start_info*>(static_cast<std::uintptr_t>(start_info_pa));
  const char* cmd = si->cmdline_paddr != 0 ? reinterpret_cast<const char*>(static_cast<std::uintptr_t>(si->cmdline_paddr)) : "";
  abi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = op(abi::XENMAPSPACE::shared_info);
  x.gpfn = addr(&shared_frame) >> 12;
  check(hcall(H::memory_op, op(abi::XENMEM::add_to_physmap), addr(&x)), "XENMEM_add_to_physmap");

  if (starts(cmd, "ping")) {
    abi::evtchn_alloc_unbound au{};
    au.dom = abi::DOMID::SELF;
    au.remote_dom = 1;
    check(hcall(H::event_channel_op, op(abi::EVTCHNOP::alloc_unbound), addr(&au)), "EVTCHNOP_alloc_unbound");
    kernel::print("ping: port ");
    kernel::print_dec(au.port);
    kernel::println(" allocated for domain 1, answering every event");
    const std::uint64_t rounds = number_after(cmd) != 0 ? number_after(cmd) : 10;
    for (std::uint64_t i = 0; i < rounds; ++i) {
      wait_and_clear(au.port);
      send(au.port);
    }
    kernel::print("ping: answered ");
    kernel::print_dec(rounds);
    kernel::println(" events");
  } else {
    const std::uint64_t rounds = number_after(cmd) != 0 ? number_after(cmd) : 10;
    abi::evtchn_bind_interdomain bi{};
    bi.remote_dom = 0;
    bi.remote_port = 1;
    long rc;
    while ((rc = hcall(H::event_channel_op, op(abi::EVTCHNOP::bind_interdomain), addr(&bi))) == -22)
      (void)hcall(H::sched_op, op(abi::SCHEDOP::yield), 0);  // domain 0 has not allocated it yet
    check(rc, "EVTCHNOP_bind_interdomain");
    wait_and_clear(bi.local_port);  // binding raises the new port once
    kernel::print("pong: bound local port ");
    kernel::print_dec(bi.local_port);
    kernel::print(" to domain 0 port 1, bouncing ");
    kernel::print_dec(rounds);
    kernel::println(" events");
    const std::uint64_t t0 = system_time();
    for (std::uint64_t i = 0; i < rounds; ++i) {
      send(bi.local_port);
      wait_and_clear(bi.local_port);
    }
    const std::uint64_t t1 = system_time();
    kernel::print("pong: ");
    kernel::print_dec(rounds);
    kernel::print(" round trips, ");
    kernel::print_dec((t1 - t0) / rounds / 1000);
    kernel::print(" us each (");
    kernel::print_dec((t1 - t0) / rounds);
    kernel::println(" ns)");
    abi::evtchn_close c{bi.local_port};
    check(hcall(H::event_channel_op, op(abi::EVTCHNOP::close), addr(&c)), "EVTCHNOP_close");
  }
  kernel::flush();
  kernel::shutdown(abi::SHUTDOWN::poweroff);
}
