// xenhv benchmarks: each figure is a ratio against a baseline measured in the same run.
//   FIGURE hypercall_vs_bare_exit   null xen_version round trip / bare port-I/O exit round trip
//   FIGURE startup_vs_bare_vm       domain create (ELF load, start info, CPUID, MSR filter,
//                                   shared pages) to the first exit / bare VM create to first exit
//   FIGURE hello_first_console_ms   (absolute) hello: domain create to first console byte, ms
//   FIGURE bytes_per_idle_domain    (absolute) hypervisor bookkeeping per idle domain, bytes
//   FIGURE evtchn_pingpong_vs_bare_irq  two xenhv domains bouncing an event over an interdomain
//                                   channel (examples/pingpong), per round trip / two bare VMs
//                                   bouncing an interrupt: an MSI (KVM_SIGNAL_MSI, in-kernel
//                                   LAPIC) whose guest handler answers with a port-I/O exit,
//                                   upon which the host sends the MSI to the other VM
// Usage: bench_xenhv [--reps=N] [--upcalls=injected|local_apic] [PROBE_ELF HELLO_ELF [PINGPONG_ELF [BARE_IRQ_ELF]]]  (defaults: the kernels built with it;
// other arguments, such as Google Benchmark flags passed by scripts/bench.sh, are ignored)
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <elf.h>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <hv/platform/kvm/runner.hpp>

#include "elf_image.hpp"
#include <hv/platform/sim/sim.hpp>

namespace {

// How xenhv's domains get their event vectors (--upcalls=injected|local_apic; default: the
// in-kernel local APIC when KVM has it).
hv::kvm::upcall_delivery upcalls = hv::kvm::upcall_delivery::automatic;

using clk = std::chrono::steady_clock;

std::vector<std::uint8_t> read(const char* path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(std::string("cannot open ") + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The probe kernel's own measurement ("measure N R"): fastest round of N bare port-I/O exits
// and of N null xen_version hypercalls, in guest TSC cycles per operation.
void measure_exits(const hv::kvm::system& sys, const std::vector<std::uint8_t>& img, int n, int rounds,
                   double& bare, double& null, double& stub) {
  hv::tracer tr;
  hv::host h(tr);
  hv::kvm::boot_options opt;
  opt.delivery = upcalls;
  opt.mem = 16 << 20;
  opt.cmdline = "measure " + std::to_string(n) + " " + std::to_string(rounds);
  opt.echo_console = false;
  hv::kvm::domain_runner r(sys, h, 0, img, opt);
  r.run();
  const std::string out = r.console();
  const auto b = out.find("measure bare "), u = out.find("measure null "), s = out.find("measure stub ");
  if (b == std::string::npos || u == std::string::npos || s == std::string::npos)
    throw std::runtime_error("probe did not measure: " + out);
  const double khz = r.dom().clock.khz();
  bare = std::stod(out.substr(b + 13)) / khz * 1000.0;  // cycles -> microseconds
  null = std::stod(out.substr(u + 13)) / khz * 1000.0;
  stub = std::stod(out.substr(s + 13)) / khz * 1000.0;
}

// An ELF whose PVH entry executes `out %al, $0xe5` at once: the same first exit for both the
// xenhv domain and the bare VM.
std::vector<std::uint8_t> first_exit_elf() {
  return xenabi_test::make_elf({{PT_LOAD, 0x100000, {0xe6, 0xe5, 0xf4}, 3},  // out %al,$0xe5; hlt
                                xenabi_test::pvh_entry_note(0x100000)});
}

// xenhv: domain creation (everything) to the guest's first exit, in microseconds.
double xenhv_first_exit_us(const hv::kvm::system& sys, const std::vector<std::uint8_t>& img) {
  hv::tracer tr;
  hv::host h(tr);
  hv::kvm::boot_options opt;
  opt.delivery = upcalls;
  opt.mem = 16 << 20;
  opt.echo_console = false;
  const auto t0 = clk::now();
  hv::kvm::domain_runner r(sys, h, 0, img, opt);
  auto& kv = r.vm().kvm_vcpu(0);
  const int e = kv.enter();
  const auto t1 = clk::now();
  if (e != 0 || kv.run().exit_reason != KVM_EXIT_IO) throw std::runtime_error("xenhv first exit is not port I/O");
  r.dom().request_shutdown(hv::shutdown_kind::poweroff);
  return std::chrono::duration<double, std::micro>(t1 - t0).count();
}

// Bare: KVM_CREATE_VM, the same RAM size, one vCPU with CPUID and the same entry state, the
// same code copied in, to the first exit.
double bare_first_exit_us(const hv::kvm::system& sys) {
  const auto t0 = clk::now();
  hv::kvm::vm vm(sys);
  hv::guest_memory mem(16 << 20);
  vm.map_memory(0, 0, mem.size(), mem.host_base());
  const std::uint8_t code[] = {0xe6, 0xe5, 0xf4};
  (void)mem.copy_to_guest(xenabi::phys_addr{0x100000}, code, sizeof code);
  hv::kvm::vcpu v(sys, vm, 0);
  v.set_cpuid(hv::kvm::host_cpuid());
  v.set_pvh_entry(0x100000, 0);
  const int e = v.enter();
  const auto t1 = clk::now();
  if (e != 0 || v.run().exit_reason != KVM_EXIT_IO) throw std::runtime_error("bare first exit is not port I/O");
  return std::chrono::duration<double, std::micro>(t1 - t0).count();
}

// examples/pingpong on two xenhv domains: nanoseconds per round trip as the pong domain
// measures it with its system time (pong sends, ping's SCHEDOP_poll returns, ping sends back,
// pong's poll returns).
double xenhv_pingpong_ns(const hv::kvm::system& sys, const std::vector<std::uint8_t>& img, int rounds) {
  hv::tracer tr;
  hv::host h(tr);
  hv::kvm::boot_options a, b;
  a.delivery = b.delivery = upcalls;
  a.mem = b.mem = 16 << 20;
  a.echo_console = b.echo_console = false;
  a.cmdline = "ping " + std::to_string(rounds);
  b.cmdline = "pong " + std::to_string(rounds);
  hv::kvm::domain_runner d0(sys, h, 0, img, a);
  hv::kvm::domain_runner d1(sys, h, 1, img, b);
  std::thread t0([&] { d0.run(); });
  std::thread t1([&] { d1.run(); });
  t0.join();
  t1.join();
  const std::string out = d1.console();
  const auto p = out.find(" us each (");
  if (p == std::string::npos) throw std::runtime_error("pingpong did not finish: " + d0.console() + out);
  return std::stod(out.substr(p + 10));
}

// The bare baseline: two VMs with an in-kernel irqchip and no xenhv, each running bare_irq.elf
// (see its comment: enables its local APIC, reports ready with `out $0xe6`, answers each
// interrupt on vector 0x40 with `out $0xe5`). Each VM's host thread turns an answer into
// KVM_SIGNAL_MSI to the other VM; VM A counts round trips (A -> B -> A). Returns ns per round
// trip.
double bare_irq_pingpong_ns(const hv::kvm::system& sys, const std::vector<std::uint8_t>& img, int rounds) {
  struct bare_vm {
    hv::kvm::vm vm;
    hv::guest_memory mem{16 << 20};
    std::unique_ptr<hv::kvm::vcpu> cpu;
    bare_vm(const hv::kvm::system& s, const std::vector<std::uint8_t>& image) : vm(s) {
      vm.create_irqchip();
      vm.map_memory(0, 0, mem.size(), mem.host_base());
      const auto k = hv::load_pvh_elf(image, mem);
      cpu = std::make_unique<hv::kvm::vcpu>(s, vm, 0);
      cpu->set_cpuid(hv::kvm::host_cpuid());
      cpu->set_pvh_entry(k.entry, 0);
    }
  };
  bare_vm a(sys, img), b(sys, img);
  std::atomic<int> ready{0};
  std::atomic<bool> failed{false}, stop{false};
  std::string why;
  std::mutex why_mu;
  auto fail = [&](std::string w) {
    failed = true;
    std::lock_guard l(why_mu);
    if (why.empty()) why = std::move(w);
  };
  clk::time_point t0, t1;
  auto loop = [&](bare_vm& self, bare_vm& peer, bool is_a) {
    int done = 0;
    for (;;) {
      const int e = self.cpu->enter();
      if (e != 0 || self.cpu->run().exit_reason != KVM_EXIT_IO) {
        fail(e != 0 ? std::string("KVM_RUN: ") + std::strerror(e)
                    : std::string("exit ") + hv::kvm::exit_reason_name(self.cpu->run().exit_reason) +
                          (self.cpu->run().exit_reason == KVM_EXIT_INTERNAL_ERROR
                               ? ": " + hv::kvm::describe_internal_error(self.cpu->run(), self.cpu->regs().rip)
                               : "") +
                          "\n" + hv::kvm::describe_registers(self.cpu->regs(), self.cpu->sregs()));
        stop = true;
        peer.vm.signal_msi(0x40);
        return;
      }
      const auto port = self.cpu->run().io.port;
      if (port == 0xe6) {  // ready
        ready.fetch_add(1);
        if (is_a) {
          while (ready.load() < 2 && !failed.load()) std::this_thread::yield();
          t0 = clk::now();
          peer.vm.signal_msi(0x40);
        }
      } else if (port == 0xe5) {  // an answer: bounce it to the peer, unless done
        if (stop.load()) return;
        if (is_a && ++done == rounds) {
          t1 = clk::now();
          stop = true;
          peer.vm.signal_msi(0x40);  // its answer makes its thread see `stop`
          return;
        }
        if (const int r = peer.vm.signal_msi(0x40); r <= 0) {
          fail("KVM_SIGNAL_MSI returned " + std::to_string(r) + (r < 0 ? std::string(": ") + std::strerror(errno) : ""));
          stop = true;
          return;
        }
      }
    }
  };
  std::thread ta([&] { loop(a, b, true); });
  std::thread tb([&] { loop(b, a, false); });
  ta.join();
  tb.join();
  if (failed) throw std::runtime_error("bare interrupt ping-pong failed: " + why);
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / rounds;
}

double hello_first_console_ms(const hv::kvm::system& sys, const std::vector<std::uint8_t>& img) {
  hv::tracer tr;
  hv::host h(tr);
  hv::kvm::boot_options opt;
  opt.delivery = upcalls;
  opt.echo_console = false;
  hv::kvm::domain_runner r(sys, h, 0, img, opt);
  r.run();
  return static_cast<double>(r.first_console_ns()) / 1e6;
}

// Heap bytes per idle domain (domain tables, shared_info page, vCPU state, timer thread stack
// excluded as it is not heap), guest RAM excluded (it is an mmap).
double bytes_per_idle_domain() {
  hv::tracer tr;
  hv::host h(tr);
  constexpr int n = 200;
  const auto before = mallinfo2().uordblks;
  for (int i = 0; i < n; ++i) (void)h.create_domain(static_cast<std::uint16_t>(i), 4 << 20, 1, 2000000, 0);
  const auto after = mallinfo2().uordblks;
  return static_cast<double>(after - before) / n;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 3;
  std::vector<const char*> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--reps=", 0) == 0) reps = std::max(1, std::atoi(a.c_str() + 7));
    else if (a == "--upcalls=injected") upcalls = hv::kvm::upcall_delivery::injected;
    else if (a == "--upcalls=local_apic") upcalls = hv::kvm::upcall_delivery::local_apic;
    else if (a.rfind("-", 0) != 0) files.push_back(argv[i]);
  }
  const char* probe_path = files.size() >= 2 ? files[0] : XENHV_PROBE_ELF;
  const char* hello_path = files.size() >= 2 ? files[1] : XENHV_HELLO_ELF;
  const char* pingpong_path = files.size() >= 3 ? files[2] : XENHV_PINGPONG_ELF;
  const char* bare_irq_path = files.size() >= 4 ? files[3] : XENHV_BARE_IRQ_ELF;
  if (!hv::kvm::system::available()) {
    std::printf("SKIPPED: /dev/kvm is not available\n");
    return 0;
  }
  hv::kvm::system sys;
  const auto probe = read(probe_path);
  const auto hello = read(hello_path);
  const auto pingpong = read(pingpong_path);
  const auto bare_irq = read(bare_irq_path);

  double bare = 0, hcall = 0, stub = 0;
  measure_exits(sys, probe, 200, 5 * reps, bare, hcall, stub);
  std::printf("null hypercall round trip %.2f us, bare port-I/O exit %.2f us\n", hcall, bare);
  // Where a hypercall's extra time goes: the guest's own instructions (argument set-up, call,
  // stub, ret: emulated when the guest runs in ring 0 on a software KVM) vs xenhv's work.
  std::printf("  of which guest side (same call through stubs that exit bare) %.2f us, xenhv side %.2f us\n",
              stub - bare, hcall - stub);

  const auto fe = first_exit_elf();
  double xs = 1e9, bs = 1e9;
  for (int i = 0; i < std::max(reps, 5); ++i) {
    xs = std::min(xs, xenhv_first_exit_us(sys, fe));
    bs = std::min(bs, bare_first_exit_us(sys));
  }
  std::printf("domain create to first exit %.1f us, bare VM create to first exit %.1f us\n", xs, bs);
  double hm = 1e9;
  for (int i = 0; i < reps; ++i) hm = std::min(hm, hello_first_console_ms(sys, hello));
  const double bpd = bytes_per_idle_domain();
  // Event ping-pong: the fastest of the repetitions of each, alternating.
  constexpr int pp_rounds = 500;
  double pp = 1e18, irq = 1e18;
  for (int i = 0; i < reps; ++i) {
    pp = std::min(pp, xenhv_pingpong_ns(sys, pingpong, pp_rounds));
    irq = std::min(irq, bare_irq_pingpong_ns(sys, bare_irq, pp_rounds));
  }
  std::printf("event channel ping-pong round trip %.1f us, bare MSI ping-pong round trip %.1f us\n", pp / 1000,
              irq / 1000);
  std::printf("FIGURE hypercall_vs_bare_exit %.3f\n", hcall / bare);
  std::printf("FIGURE startup_vs_bare_vm %.3f\n", xs / bs);
  std::printf("FIGURE hello_first_console_ms %.3f\n", hm);
  std::printf("FIGURE bytes_per_idle_domain %.0f\n", bpd);
  std::printf("FIGURE evtchn_pingpong_vs_bare_irq %.3f\n", pp / irq);
  return 0;
}
