// Event upcall vectors on KVM (hv/platform/kvm/machine.hpp): the per-vCPU upcall vector through
// the in-kernel local APIC, the CALLBACK_IRQ vector bypassing it, on both delivery paths
// (`local_apic`, and the `injected` fallback without an in-kernel irqchip), and the kernels that
// use CALLBACK_IRQ (hello, the probe, pingpong) on the fallback path too (the other KVM tests run
// them on the default path).
#include <hv/platform/kvm/runner.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "xenabi_test.hpp"

namespace {

using hv::kvm::upcall_delivery;

std::vector<std::uint8_t> read(const char* path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct booted {
  std::string console;
  hv::shutdown_kind kind = hv::shutdown_kind::none;
  std::string crash;
  upcall_delivery delivery = upcall_delivery::automatic;
  std::string trace;  // the text trace
};

booted boot(const char* elf, const std::string& cmdline, upcall_delivery how, std::uint32_t vcpus = 1) {
  hv::kvm::system sys;
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  booted b;
  {
    hv::tracer tr(hv::trace_mode::text, f);
    hv::host h(tr);
    hv::kvm::boot_options opt;
    opt.mem = 16 << 20;
    opt.cmdline = cmdline;
    opt.vcpus = vcpus;
    opt.echo_console = false;
    opt.delivery = how;
    auto img = read(elf);
    hv::kvm::domain_runner r(sys, h, 0, img, opt);
    b.delivery = r.vm().delivery();
    // The kernel's SCHEDOP_block with interrupts off returns on a wake-up (normally its timer's
    // event); should the timer fire first, its upcall stays pending and only another wake-up
    // ends the block, as on Xen. This thread stands in for one, so that race cannot hang the test.
    std::atomic<bool> done{false};
    std::thread waker([&] {
      while (!done.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        r.dom().notify(*r.dom().vcpus[0]);
      }
    });
    r.run();
    done = true;
    waker.join();
    b.console = r.console();
    b.kind = r.dom().shutdown();
    b.crash = r.vm().crash_report();
  }
  std::rewind(f);
  char line[4096];
  while (std::fgets(line, sizeof line, f) != nullptr) b.trace += line;
  std::fclose(f);
  return b;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = 0; (p = s.find(what, p)) != std::string::npos; p += what.size()) ++n;
  return n;
}

bool split_irqchip_available() {
  hv::kvm::system sys;
  return sys.check(KVM_CAP_SPLIT_IRQCHIP) > 0;
}

#define REQUIRE_KVM()                                                                        \
  do {                                                                                       \
    if (!hv::kvm::system::available()) XENABI_SKIP("/dev/kvm is not available on this host"); \
  } while (false)

#define REQUIRE_SPLIT_IRQCHIP()                                                                      \
  do {                                                                                               \
    REQUIRE_KVM();                                                                                   \
    if (!split_irqchip_available()) XENABI_SKIP("KVM lacks KVM_CAP_SPLIT_IRQCHIP (no in-kernel LAPIC)"); \
  } while (false)

void require_all_ok(const booted& b, std::size_t min_oks) {
  INFO(b.console << b.crash);
  REQUIRE(b.kind == hv::shutdown_kind::poweroff);
  REQUIRE(b.crash.empty());
  REQUIRE(b.console.find("FAIL") == std::string::npos);
  REQUIRE(b.console.find("lapic: done, 0 failures") != std::string::npos);
  REQUIRE(count(b.console, "ok ") >= min_oks);
}

}  // namespace

TEST_CASE("kvm lapic: the default delivery is the in-kernel local APIC when KVM offers it") {
  REQUIRE_SPLIT_IRQCHIP();
  auto b = boot(XENHV_LAPIC_ELF, "callback", upcall_delivery::automatic);
  REQUIRE(b.delivery == upcall_delivery::local_apic);
  REQUIRE(b.trace.find("upcall delivery: local_apic") != std::string::npos);
}

TEST_CASE("kvm lapic: the per-vCPU upcall vector arrives through the local APIC (TPR, IRR, EOI), masking holds it back") {
  REQUIRE_SPLIT_IRQCHIP();
  auto b = boot(XENHV_LAPIC_ELF, "vector", upcall_delivery::local_apic);
  REQUIRE(b.delivery == upcall_delivery::local_apic);
  require_all_ok(b, 20);
  for (const char* l : {"ok set_evtchn_upcall_vector", "ok ipi event through an upcall", "ok VIRQ_TIMER through an upcall",
                        "ok masked port raised no upcall", "ok unmasked port delivered",
                        "ok TPR held the upcall back", "ok upcall vector requested in IRR",
                        "ok TPR lowered: upcall delivered", "ok LAPIC timer interrupt"}) {
    INFO(l);
    REQUIRE(b.console.find(l) != std::string::npos);
  }
  // The registration's trace line: the vector, the vCPU, and how xenhv delivers it.
  INFO(b.trace);
  const auto p = b.trace.find("op=HVMOP_set_evtchn_upcall_vector, vcpu=0, vector=0xe3) = 0");
  REQUIRE(p != std::string::npos);
  const auto eol = b.trace.find('\n', p);
  REQUIRE(b.trace.substr(p, eol - p).find("local APIC") != std::string::npos);
  REQUIRE(b.trace.find("vector=0xf) = -22 EINVAL") != std::string::npos);
}

TEST_CASE("kvm lapic: the CALLBACK_IRQ vector bypasses the local APIC the guest never enabled") {
  REQUIRE_KVM();
  const upcall_delivery paths[] = {upcall_delivery::local_apic, upcall_delivery::injected};
  for (auto how : paths) {
    if (how == upcall_delivery::local_apic && !split_irqchip_available()) continue;
    INFO(hv::kvm::upcall_delivery_name(how));
    auto b = boot(XENHV_LAPIC_ELF, "callback", how);
    REQUIRE(b.delivery == how);
    require_all_ok(b, 12);
    REQUIRE(b.console.find("ok masked port raised no upcall") != std::string::npos);
    // xenhv saw the guest's IF clear at SCHEDOP_block (the guest runs it after a cli).
    INFO(b.trace);
    REQUIRE(b.trace.find("sched_op(cmd=SCHEDOP_block) = 0 (interrupts disabled") != std::string::npos);
  }
}

TEST_CASE("kvm lapic: hello, the probe and pingpong also run on the injected path (no in-kernel irqchip)") {
  REQUIRE_KVM();
  {
    auto b = boot(XENHV_HELLO_ELF, "", upcall_delivery::injected);
    INFO(b.console << b.crash);
    REQUIRE(b.delivery == upcall_delivery::injected);
    REQUIRE(b.kind == hv::shutdown_kind::poweroff);
    REQUIRE(b.console.find("hello: VIRQ_TIMER upcall after") != std::string::npos);
    REQUIRE(b.trace.find("upcall delivery: injected") != std::string::npos);
  }
  {
    auto b = boot(XENHV_PROBE_ELF, "", upcall_delivery::injected);
    INFO(b.console << b.crash);
    REQUIRE(b.kind == hv::shutdown_kind::poweroff);
    REQUIRE(b.console.find("probe: done, 0 failures") != std::string::npos);
  }
  {
    auto b = boot(XENHV_PROBE_ELF, "smp", upcall_delivery::injected, 2);
    INFO(b.console << b.crash);
    REQUIRE(b.kind == hv::shutdown_kind::poweroff);
    REQUIRE(b.console.find("ok vCPU 1 ran") != std::string::npos);
  }
  hv::kvm::system sys;
  hv::tracer tr;
  hv::host h(tr);
  auto img = read(XENHV_PINGPONG_ELF);
  hv::kvm::boot_options a, c;
  a.mem = c.mem = 16 << 20;
  a.echo_console = c.echo_console = false;
  a.cmdline = "ping 20";
  c.cmdline = "pong 20";
  a.delivery = c.delivery = upcall_delivery::injected;
  hv::kvm::domain_runner d0(sys, h, 0, img, a);
  hv::kvm::domain_runner d1(sys, h, 1, img, c);
  std::thread t0([&] { d0.run(); });
  std::thread t1([&] { d1.run(); });
  t0.join();
  t1.join();
  INFO(d0.console() << d1.console());
  REQUIRE(d0.dom().shutdown() == hv::shutdown_kind::poweroff);
  REQUIRE(d1.dom().shutdown() == hv::shutdown_kind::poweroff);
  REQUIRE(d0.console().find("ping: answered 20 events") != std::string::npos);
}
