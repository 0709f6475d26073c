// xenhv: boots PVH kernels on /dev/kvm and implements the Xen hypercall interface for them.
// Usage: see usage() below or `xenhv --help`.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <unistd.h>

#include <atomic>

#include <hv/backend/blk_vbd.hpp>
#include <hv/backend/toolstack.hpp>
#include <hv/backend/netback_service.hpp>
#include <hv/platform/kvm/runner.hpp>
#include <xenabi/netfront.hpp>

namespace {

constexpr int exit_ok = 0;          // every domain powered off (or rebooted/suspended)
constexpr int exit_crash = 1;       // a domain crashed or was stopped by xenhv
constexpr int exit_usage = 2;       // bad command line
constexpr int exit_load = 3;        // kernel could not be loaded
constexpr int exit_platform = 4;    // /dev/kvm missing or KVM refused

void usage(std::FILE* f) {
  std::fprintf(f,
               "usage: xenhv run KERNEL [options] [--domain KERNEL [options]]...\n"
               "\n"
               "Boots each KERNEL (a PVH ELF: Xen note PHYS32_ENTRY) as a domain on /dev/kvm and\n"
               "serves the Xen hypercall interface to it. Domain ids count from 0 in order.\n"
               "\n"
               "per-domain options (apply to the KERNEL before them):\n"
               "  --mem SIZE         guest RAM, e.g. 64M, 1G, 65536K (default 64M)\n"
               "  --vcpus N          number of vCPUs (default 1)\n"
               "  --cmdline STRING   command line passed in hvm_start_info\n"
               "  --net[=MAC]        a network interface (vif N, N counting from 0 per domain) on\n"
               "                     xenhv's bridge, served by the netback driver domain; MAC as\n"
               "                     00:16:3e:xx:xx:xx (default 00:16:3e:<N>:<id/256>:<id+1>);\n"
               "                     repeat for more interfaces\n"
               "  --console-log FILE append the domain's console output to FILE instead of stdout\n"
               "  --disk FILE[,ro]   a virtual disk (vbd 51712, then 51728, ...) backed by the raw\n"
               "                     image FILE, read-only with ,ro; served by a blkback driver domain\n"
               "global options:\n"
               "  --trace            one line per hypercall on stderr\n"
               "  --trace=json       one JSON object per hypercall on stderr\n"
               "  --release-console  console_io returns -EPERM, like a release build of Xen\n"
               "  --upcalls=HOW      event vectors: local_apic (in-kernel LAPIC, the default when\n"
               "                     KVM has it) or injected (no LAPIC: xenhv injects, hlt exits)\n"
               "  --stats            print exits, hypercalls and boot timings on stderr at the end\n"
               "  --tap NAME         also attach host tap interface NAME to the bridge (/dev/net/tun,\n"
               "                     CAP_NET_ADMIN; a %%d in NAME is numbered by the kernel)\n"
               "  -h, --help         this text\n"
               "\n"
               "Every domain gets a xenstore page and a console page (HVM_PARAM_STORE_PFN/EVTCHN,\n"
               "CONSOLE_PFN/EVTCHN) served by xenhv's xenstored and console backend; stdin is the\n"
               "first domain's console input.\n"
               "\n"
               "exit status: 0 all domains shut down cleanly, 1 a domain crashed or was stopped,\n"
               "2 usage error, 3 kernel load error, 4 KVM unavailable or failing.\n");
}

struct domain_spec {
  std::string kernel;
  std::uint64_t mem = 64ull << 20;
  std::uint32_t vcpus = 1;
  std::string cmdline;
  std::vector<hv::backend::mac_address> nets;  // one per --net; all-zero: the default MAC
  std::string console_log;
  std::vector<std::pair<std::string, bool>> disks;  // image path, read-only
};

bool parse_size(const std::string& s, std::uint64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str()) return false;
  std::string suf(end);
  std::uint64_t mul = 1;
  if (suf == "" || suf == "B") mul = 1;
  else if (suf == "K" || suf == "k") mul = 1ull << 10;
  else if (suf == "M" || suf == "m") mul = 1ull << 20;
  else if (suf == "G" || suf == "g") mul = 1ull << 30;
  else return false;
  if (v > (~0ull) / mul) return false;
  out = v * mul;
  return true;
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw hv::load_error("cannot open " + path + ": " + std::strerror(errno));
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage(stderr);
    return exit_usage;
  }
  for (auto& a : args)
    if (a == "-h" || a == "--help") {
      usage(stdout);
      return exit_ok;
    }
  if (args[0] != "run") {
    std::fprintf(stderr, "xenhv: unknown command '%s' (try: xenhv run KERNEL, xenhv --help)\n", args[0].c_str());
    return exit_usage;
  }
  std::vector<domain_spec> specs;
  hv::trace_mode mode = hv::trace_mode::off;
  bool release_console = false, stats = false;
  hv::kvm::upcall_delivery delivery = hv::kvm::upcall_delivery::automatic;
  std::vector<std::string> taps;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* opt) -> std::string {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "xenhv: %s needs a value\n", opt);
        std::exit(exit_usage);
      }
      return args[++i];
    };
    if (a == "--trace") {
      mode = hv::trace_mode::text;
    } else if (a == "--trace=json") {
      mode = hv::trace_mode::json;
    } else if (a == "--trace=text") {
      mode = hv::trace_mode::text;
    } else if (a == "--release-console") {
      release_console = true;
    } else if (a == "--upcalls=injected") {
      delivery = hv::kvm::upcall_delivery::injected;
    } else if (a == "--upcalls=local_apic") {
      delivery = hv::kvm::upcall_delivery::local_apic;
    } else if (a == "--stats") {
      stats = true;
    } else if (a == "--net" || a.rfind("--net=", 0) == 0) {
      if (specs.empty()) {
        std::fprintf(stderr, "xenhv: --net must follow a KERNEL\n");
        return exit_usage;
      }
      hv::backend::mac_address m{};
      if (a.size() > 6) {
        auto parsed = xenabi::parse_mac(a.c_str() + 6, a.size() - 6);
        if (!parsed || (parsed.value().b[0] & 1u) != 0) {
          std::fprintf(stderr, "xenhv: bad MAC in '%s' (want a unicast 00:16:3e:01:02:03)\n", a.c_str());
          return exit_usage;
        }
        for (std::size_t k = 0; k < 6; ++k) m[k] = parsed.value().b[k];
      }
      specs.back().nets.push_back(m);
    } else if (a == "--tap") {
      taps.push_back(value("--tap"));
    } else if (a == "--domain") {
      domain_spec d;
      d.kernel = value("--domain");
      specs.push_back(d);
    } else if (a == "--mem" || a == "--vcpus" || a == "--cmdline" || a == "--console-log" || a == "--disk") {
      if (specs.empty()) {
        std::fprintf(stderr, "xenhv: %s must follow a KERNEL\n", a.c_str());
        return exit_usage;
      }
      const std::string v = value(a.c_str());
      if (a == "--mem") {
        std::uint64_t m = 0;
        if (!parse_size(v, m) || m < (2ull << 20) || m > (64ull << 30)) {
          std::fprintf(stderr, "xenhv: bad --mem '%s' (want 2M..64G, e.g. 64M)\n", v.c_str());
          return exit_usage;
        }
        specs.back().mem = m;
      } else if (a == "--vcpus") {
        char* end = nullptr;
        unsigned long n = std::strtoul(v.c_str(), &end, 10);
        if (*end != '\0' || n < 1 || n > 32) {
          std::fprintf(stderr, "xenhv: bad --vcpus '%s' (want 1..32)\n", v.c_str());
          return exit_usage;
        }
        specs.back().vcpus = static_cast<std::uint32_t>(n);
      } else if (a == "--console-log") {
        specs.back().console_log = v;
      } else if (a == "--disk") {
        const bool ro = v.size() > 3 && v.compare(v.size() - 3, 3, ",ro") == 0;
        const std::string path = ro ? v.substr(0, v.size() - 3) : v;
        if (path.empty()) {
          std::fprintf(stderr, "xenhv: --disk needs a file (FILE or FILE,ro)\n");
          return exit_usage;
        }
        specs.back().disks.emplace_back(path, ro);
      } else {
        specs.back().cmdline = v;
      }
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "xenhv: unknown option '%s' (see xenhv --help)\n", a.c_str());
      return exit_usage;
    } else if (specs.empty()) {
      domain_spec d;
      d.kernel = a;
      specs.push_back(d);
    } else {
      std::fprintf(stderr, "xenhv: unexpected argument '%s' (a second kernel needs --domain)\n", a.c_str());
      return exit_usage;
    }
  }
  if (specs.empty()) {
    std::fprintf(stderr, "xenhv: no KERNEL given\n");
    return exit_usage;
  }

  hv::tracer trace(mode);
  hv::host host(trace);
  std::unique_ptr<hv::kvm::system> sys;
  try {
    sys = std::make_unique<hv::kvm::system>();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xenhv: cannot use KVM: %s\n", e.what());
    return exit_platform;
  }

  hv::backend::toolstack services(host);
  services.start();
  std::vector<std::unique_ptr<hv::kvm::domain_runner>> doms;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& s = specs[i];
    try {
      auto img = read_file(s.kernel);
      hv::kvm::boot_options opt;
      opt.mem = s.mem;
      opt.vcpus = s.vcpus;
      opt.cmdline = s.cmdline;
      opt.release_console = release_console;
      opt.delivery = delivery;
      opt.services = &services;
      opt.console_log = s.console_log;
      doms.push_back(std::make_unique<hv::kvm::domain_runner>(*sys, host, static_cast<std::uint16_t>(i), img, opt));
    } catch (const hv::load_error& e) {
      std::fprintf(stderr, "xenhv: %s: %s\n", s.kernel.c_str(), e.what());
      return exit_load;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "xenhv: %s: cannot create the domain: %s\n", s.kernel.c_str(), e.what());
      return exit_platform;
    }
  }

  // Virtual disks: one blkback driver domain serves every --disk (vbd 51712 + 16 * n per domain).
  std::vector<std::unique_ptr<hv::blk::disk>> images;
  std::unique_ptr<hv::backend::driver_domain> blk_dd;
  std::vector<std::unique_ptr<hv::blk::vbd>> vbds;  // destroyed first (they use blk_dd and images)
  for (std::size_t i = 0; i < specs.size(); ++i) {
    for (std::size_t j = 0; j < specs[i].disks.size(); ++j) {
      const auto& [path, ro] = specs[i].disks[j];
      try {
        images.push_back(std::make_unique<hv::blk::disk>(path, ro));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "xenhv: --disk %s: %s\n", path.c_str(), e.what());
        return exit_load;
      }
      if (!blk_dd)
        blk_dd = std::make_unique<hv::backend::driver_domain>(host, services.store(),
                                                              hv::backend::driver_domain::next_free_id(host), "blkback");
      const auto dom = static_cast<std::uint16_t>(i);
      const auto devid = static_cast<std::uint32_t>(51712 + 16 * j);
      if (!hv::backend::create_device(services.store(), {.backend = blk_dd->id(), .frontend = dom, .type = "vbd",
                                                         .devid = devid, .backend_keys = {{"mode", ro ? "r" : "w"}}})) {
        std::fprintf(stderr, "xenhv: --disk %s: cannot create the device in xenstore\n", path.c_str());
        return exit_platform;
      }
      vbds.push_back(std::make_unique<hv::blk::vbd>(*blk_dd, *images.back(), hv::blk::config{}, dom, devid));
    }
  }
  if (blk_dd) {
    blk_dd->on_watch([&vbds](const hv::xenstore::watch_event& e) {
      for (auto& v : vbds) v->handle(e);
    });
    blk_dd->start();
  }

  // stdin feeds the first domain's console ring until EOF or the end of the run
  std::atomic<bool> stop_input{false};
  std::thread input([&] {
    char buf[256];
    while (!stop_input.load()) {
      pollfd p{STDIN_FILENO, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) break;
      services.console().input(0, std::string_view(buf, static_cast<std::size_t>(n)));
    }
  });
  // The network: one netback driver domain for every --net interface (and --tap device).
  std::unique_ptr<hv::backend::netback_service> net;
  bool want_net = !taps.empty();
  for (const auto& s : specs) want_net = want_net || !s.nets.empty();
  if (want_net) {
    try {
      net = std::make_unique<hv::backend::netback_service>(host, services.store());
      for (std::size_t i = 0; i < specs.size(); ++i)
        for (std::size_t k = 0; k < specs[i].nets.size(); ++k) {
          const auto id = static_cast<std::uint16_t>(i);
          const auto devid = static_cast<std::uint32_t>(k);
          auto m = specs[i].nets[k];
          if (m == hv::backend::mac_address{}) m = hv::backend::default_mac(id, devid);
          if (auto r = net->add_vif(id, m, devid); !r)
            throw std::runtime_error(std::string("vif ") + std::to_string(devid) + " of domain " + std::to_string(i) +
                                     ": " + xenabi::errc_name(r.error()));
        }
      for (const auto& t : taps) {
        auto& tap = net->add_tap(t);
        std::fprintf(stderr, "xenhv: bridge: host tap interface %s attached\n", tap.name().c_str());
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "xenhv: cannot set up the network: %s\n", e.what());
      return exit_platform;
    }
    net->start();
  }

  std::vector<std::thread> threads;
  for (auto& r : doms) threads.emplace_back([&r] { r->run(); });
  for (auto& t : threads) t.join();
  if (net) {
    net->stop();
    if (stats)
      for (const auto& v : net->vifs()) {
        const auto st = v->nif->stats();
        std::fprintf(stderr,
                     "xenhv: d%u vif/%u: tx %llu packets %llu bytes %llu errors, rx %llu packets %llu bytes "
                     "%llu errors %llu dropped, %llu events to the guest%s%s\n",
                     unsigned{v->dev.frontend}, v->dev.devid, static_cast<unsigned long long>(st.tx_packets),
                     static_cast<unsigned long long>(st.tx_bytes), static_cast<unsigned long long>(st.tx_errors),
                     static_cast<unsigned long long>(st.rx_packets), static_cast<unsigned long long>(st.rx_bytes),
                     static_cast<unsigned long long>(st.rx_errors), static_cast<unsigned long long>(st.rx_dropped),
                     static_cast<unsigned long long>(st.notifications), v->failure.empty() ? "" : ", refused: ",
                     v->failure.c_str());
      }
  }
  stop_input = true;
  input.join();
  if (blk_dd) blk_dd->stop();
  vbds.clear();
  blk_dd.reset();

  int status = exit_ok;
  for (auto& r : doms) {
    const auto k = r->dom().shutdown();
    if (!r->vm().crash_report().empty()) {
      std::fprintf(stderr, "%s", r->vm().crash_report().c_str());
      status = exit_crash;
    } else if (k == hv::shutdown_kind::crash) {
      std::fprintf(stderr, "xenhv: domain %u shut down with SHUTDOWN_crash; last hypercalls:\n", unsigned{r->dom().id});
      for (auto& l : trace.last()) std::fprintf(stderr, "    %s\n", l.c_str());
      status = exit_crash;
    }
    if (stats) {
      auto& st = r->vm().stats();
      std::fprintf(stderr,
                   "xenhv: d%u: exits %llu, hypercalls %llu, upcalls injected %llu, first console byte after %.3f ms\n",
                   unsigned{r->dom().id}, static_cast<unsigned long long>(st.exits.load()),
                   static_cast<unsigned long long>(st.hypercalls.load()),
                   static_cast<unsigned long long>(st.injections.load()),
                   static_cast<double>(r->first_console_ns()) / 1e6);
    }
  }
  return status;
}
