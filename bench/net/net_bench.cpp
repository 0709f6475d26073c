// bench_net: two guests (examples/net) stream 61440-byte frames (15 ring slots each, feature-sg)
// to each other through xenhv's
// netback and bridge on /dev/kvm, against a host memcpy of the same bytes in the same run.
//   FIGURE net_throughput_vs_memcpy     guest-to-guest bytes/s / host memcpy bytes/s
//   FIGURE net_sender_running_share     share of the transfer the sending vCPU was running
//   FIGURE net_receiver_running_share   the same for the receiving vCPU (both from the guests'
//                                       runstate areas: RUNSTATE_running vs system time)
//   FIGURE net_throughput_mb_s          (absolute) guest-to-guest MB/s
// Guest ring-0 code is emulated on a software KVM (DESIGN.md section 3), so the guests' share of
// the time says how much of the transfer is guest execution rather than hypervisor work.
// Usage: bench_net [--frames=N] [NET_ELF]  (default: 1000 frames, the kernel built with it;
// other arguments, such as Google Benchmark flags passed by scripts/bench.sh, are ignored)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <hv/backend/netback_service.hpp>
#include <hv/backend/toolstack.hpp>
#include <hv/platform/kvm/runner.hpp>

namespace {

using clk = std::chrono::steady_clock;

std::vector<std::uint8_t> read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct netstat {
  double bytes = 0, ns = 0, running_ns = 0;
};
// Parses "NETSTAT [echo ]bytes B ns T running_ns R" from a guest's console.
netstat parse(const std::string& out, const std::string& tag) {
  const auto at = out.find(tag);
  if (at == std::string::npos) throw std::runtime_error("no '" + tag + "' line in:\n" + out);
  netstat s;
  const auto b = out.find("bytes ", at);
  if (b == std::string::npos ||
      std::sscanf(out.c_str() + b, "bytes %lf ns %lf running_ns %lf", &s.bytes, &s.ns, &s.running_ns) != 3)
    throw std::runtime_error("malformed '" + tag + "' line");
  return s;
}

// Host memcpy of \p bytes in 4096-byte frames between two 64-frame buffers (the guests' ring
// depth), best of three; bytes per second.
double memcpy_rate(double bytes) {
  std::vector<unsigned char> src(64 * 4096), dst(64 * 4096);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<unsigned char>(i);
  const auto frames = static_cast<std::size_t>(bytes / 4096);
  double best = 0;
  volatile unsigned char sink = 0;
  for (int round = 0; round < 3; ++round) {
    const auto t0 = clk::now();
    for (std::size_t f = 0; f < frames; ++f) {
      const std::size_t k = (f % 64) * 4096;
      std::memcpy(dst.data() + k, src.data() + k, 4096);
      sink = static_cast<unsigned char>(sink + dst[k + (f & 4095)]);
    }
    const double s = std::chrono::duration<double>(clk::now() - t0).count();
    best = std::max(best, bytes / s);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t frames = 1000;
  std::string elf = XENHV_NET_ELF;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--frames=", 0) == 0)
      frames = std::stoull(a.substr(9));
    else if (a.rfind("--", 0) != 0)
      elf = a;
  }
  std::unique_ptr<hv::kvm::system> sys;
  try {
    sys = std::make_unique<hv::kvm::system>();
  } catch (const std::exception& e) {
    std::printf("SKIPPED: no usable /dev/kvm (%s)\n", e.what());
    return 0;
  }
  try {
    const auto img = read(elf);
    hv::tracer tr;
    hv::host h(tr);
    hv::backend::toolstack ts(h);
    ts.start();
    hv::kvm::boot_options o;
    o.mem = 32 << 20;
    o.services = &ts;
    o.echo_console = false;
    // hlt exits to xenhv on this path, so a halted vCPU is blocked in its runstate (with the
    // in-kernel LAPIC, KVM keeps it and the running shares below would count it as running).
    o.delivery = hv::kvm::upcall_delivery::injected;
    o.cmdline = "send " + std::to_string(frames);
    hv::kvm::domain_runner a(*sys, h, 0, img, o);
    o.cmdline = "echo";
    hv::kvm::domain_runner b(*sys, h, 1, img, o);
    hv::backend::netback_service net(h, ts.store());
    if (!net.add_vif(0, hv::backend::default_mac(0)) || !net.add_vif(1, hv::backend::default_mac(1)))
      throw std::runtime_error("cannot create the vif devices");
    net.start();
    std::thread tb([&] { b.run(); });
    a.run();
    tb.join();
    net.stop();
    const std::string out_a = a.console(), out_b = b.console();
    std::printf("%s%s", out_a.c_str(), out_b.c_str());
    const netstat s = parse(out_a, "NETSTAT bytes"), r = parse(out_b, "NETSTAT echo");
    const double guest_rate = s.bytes / (s.ns / 1e9);
    const double host_rate = memcpy_rate(s.bytes);
    std::printf("bench_net: %llu frames of 61440 bytes: guests %.1f MB/s, host memcpy %.1f MB/s\n",
                static_cast<unsigned long long>(frames), guest_rate / 1e6, host_rate / 1e6);
    std::printf("FIGURE net_throughput_vs_memcpy %.6f\n", guest_rate / host_rate);
    std::printf("FIGURE net_sender_running_share %.3f\n", s.running_ns / s.ns);
    std::printf("FIGURE net_receiver_running_share %.3f\n", r.running_ns / r.ns);
    std::printf("FIGURE net_throughput_mb_s %.1f\n", guest_rate / 1e6);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_net: %s\n", e.what());
    return 1;
  }
  return 0;
}
