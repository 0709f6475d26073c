// bench_blk: the block path, guest sequential 1 MiB I/O against the host doing the same file
// I/O in the same run, and the back-end restart time.
//   FIGURE blk_seq_read_vs_host       examples/blk on xenhv (KVM): guest MiB/s reading the image
//                                     sequentially in 1 MiB requests / host MiB/s doing the same
//                                     preads on the same file (needs /dev/kvm, else SKIPPED)
//   FIGURE blk_seq_write_vs_host      the same for writes
//   FIGURE blk_seq_read_vs_host_sim   the same path with the front end as host code on the sim
//   FIGURE blk_seq_write_vs_host_sim  platform (no guest emulation: the protocol's own overhead)
//   FIGURE backend_restart_ms         (absolute) sim: driver domain killed with requests in
//                                     flight, then new driver domain started -> front end
//                                     Connected again, median ms
// Beside each throughput figure: the share of the guest's time spent executing (KVM: the
// vCPU's RUNNING runstate, reported by the guest; sim: time in front-end code), and on KVM an
// estimate of the guest instructions per MiB (running time per MiB over the guest's own timing
// of a known instruction loop: where ring 0 is emulated, throughput follows that count).
#include <sys/uio.h>

#include <cstdlib>
#include <optional>
#include <regex>
#include <string>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "blk_system.hpp"

using namespace blktest;
using clk = std::chrono::steady_clock;

namespace {

constexpr std::uint32_t io = 1 << 20;          // 1 MiB per request
constexpr std::uint64_t image_bytes = 64 << 20;
constexpr std::uint32_t depth = 2;             // requests in flight (2 MiB of persistent grants)

double seconds(clk::duration d) { return std::chrono::duration<double>(d).count(); }

double host_pass_n(const std::string& path, bool write, std::uint64_t mibs) {
  const int fd = ::open(path.c_str(), O_RDWR);
  std::vector<std::byte> buf(io, std::byte{0x3c});
  const auto t0 = clk::now();
  for (std::uint64_t off = 0; off < mibs * io; off += io) {
    const ssize_t r = write ? ::pwrite(fd, buf.data(), io, static_cast<off_t>(off))
                            : ::pread(fd, buf.data(), io, static_cast<off_t>(off));
    if (r != static_cast<ssize_t>(io)) std::abort();
  }
  const double s = seconds(clk::now() - t0);
  ::close(fd);
  return s;
}
double host_pass(const std::string& path, bool write) { return host_pass_n(path, write, image_bytes / io); }

struct guest_result {
  double total = 0;   // wall seconds
  double busy = 0;    // seconds in guest code (submit, publish, poll with completions)
};

guest_result guest_pass(blk_system<>& s, bool write) {
  guest_result g;
  const auto t0 = clk::now();
  std::uint64_t next = 0, completed = 0;
  const std::uint64_t total = image_bytes / io;
  std::uint32_t slot_of[depth] = {};
  (void)slot_of;
  std::uint64_t cookie_base = s.completions() + 1000000;
  std::vector<std::uint64_t> free_bufs;
  for (std::uint32_t b = 0; b < depth; ++b) free_bufs.push_back(b);
  std::map<std::uint64_t, std::uint64_t> buf_of;  // cookie -> buffer
  while (completed < total) {
    const auto a = clk::now();
    bool submitted = false;
    while (next < total && !free_bufs.empty()) {
      const std::uint64_t b = free_bufs.back();
      free_bufs.pop_back();
      std::byte* p = s.buffer(b * (io / 4096));
      const std::uint64_t cookie = cookie_base + next;
      auto r = write ? s.front->write(next * (io / 512), p, io, cookie) : s.front->read(next * (io / 512), p, io, cookie);
      if (!r) std::abort();
      buf_of[cookie] = b;
      ++next;
      submitted = true;
    }
    if (submitted) s.front->publish();
    auto n = s.front->poll([&](std::uint64_t cookie, std::int16_t st) {
      if (st != 0) std::abort();
      free_bufs.push_back(buf_of[cookie]);
      ++completed;
    });
    if (!n) std::abort();
    const auto b2 = clk::now();
    if (submitted || n.value() != 0) g.busy += seconds(b2 - a);
    if (n.value() == 0 && !submitted) std::this_thread::yield();  // wait for the event
  }
  g.total = seconds(clk::now() - t0);
  return g;
}

// Runs examples/blk on xenhv over \p image; returns the guest's (MiB/s, running %) for write and
// read, or nothing if it did not run.
struct kvm_result {
  double write_mibs = 0, read_mibs = 0, write_running = 0, read_running = 0;
  double write_instructions = 0, read_instructions = 0;  // guest instructions per MiB (estimate)
};
std::optional<kvm_result> kvm_pass(const std::string& image, std::uint32_t mibs) {
#if defined(XENHV_EXE) && defined(BLK_GUEST_ELF)
  const std::string cmd = std::string(XENHV_EXE) + " run " + BLK_GUEST_ELF + " --cmdline mib=" + std::to_string(mibs) +
                          " --disk " + image +
                          // hlt exits to xenhv there, so the guest's runstate shows halted time as blocked
                          // (with the in-kernel LAPIC, KVM keeps it and the executing share would include it).
                          " --upcalls=injected 2>&1";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) return std::nullopt;
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, f) != nullptr) out += buf;
  const int rc = ::pclose(f);
  const std::regex line(
      R"(blk: seq (write|read) \d+ MiB in \d+ us: (\d+) MiB/s, vCPU running (\d+\.\d)%, ~(\d+) guest instructions per MiB)");
  kvm_result r;
  int found = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), line); it != std::sregex_iterator(); ++it) {
    const bool w = (*it)[1] == "write";
    (w ? r.write_mibs : r.read_mibs) = std::stod((*it)[2]);
    (w ? r.write_running : r.read_running) = std::stod((*it)[3]);
    (w ? r.write_instructions : r.read_instructions) = std::stod((*it)[4]);
    ++found;
  }
  if (rc != 0 || found != 2) {
    std::printf("bench_blk: the KVM guest run failed (exit %d):\n%s", rc, out.c_str());
    return std::nullopt;
  }
  return r;
#else
  (void)image;
  (void)mibs;
  return std::nullopt;
#endif
}

}  // namespace

int main() {
  // 1. The guest on KVM against the host, same image, alternating, 3 rounds (median).
  {
    constexpr std::uint32_t kvm_mib = 64;
    temp_image kimg((kvm_mib + 2) << 20);
    if (::access("/dev/kvm", R_OK | W_OK) != 0) {
      std::printf("SKIPPED: /dev/kvm is not available: no blk_seq_*_vs_host figures\n");
    } else {
      std::vector<double> hw, hr, gw, gr, rw, rr, iw, ir;
      const double bytes = static_cast<double>(kvm_mib) * (1 << 20);
      bool ok = true;
      for (int rep = 0; rep < 3 && ok; ++rep) {
        auto g = kvm_pass(kimg.path, kvm_mib);
        if (!g) {
          ok = false;
          break;
        }
        gw.push_back(g->write_mibs);
        gr.push_back(g->read_mibs);
        rw.push_back(g->write_running);
        rr.push_back(g->read_running);
        iw.push_back(g->write_instructions);
        ir.push_back(g->read_instructions);
        hw.push_back(bytes / (1 << 20) / host_pass_n(kimg.path, true, kvm_mib));
        hr.push_back(bytes / (1 << 20) / host_pass_n(kimg.path, false, kvm_mib));
      }
      if (ok) {
        auto med = [](std::vector<double> v) {
          std::sort(v.begin(), v.end());
          return v[v.size() / 2];
        };
        std::printf("KVM guest (examples/blk on xenhv): write %.0f MiB/s (vCPU running %.1f%%), read %.0f MiB/s "
                    "(vCPU running %.1f%%); host: write %.0f MiB/s, read %.0f MiB/s\n",
                    med(gw), med(rw), med(gr), med(rr), med(hw), med(hr));
        std::printf("FIGURE blk_seq_read_vs_host %.3f\n", med(gr) / med(hr));
        std::printf("  blk_seq_read_vs_host: guest vCPU executing %.1f%% of the time, ~%.0f guest instructions per MiB\n",
                    med(rr), med(ir));
        std::printf("FIGURE blk_seq_write_vs_host %.3f\n", med(gw) / med(hw));
        std::printf("  blk_seq_write_vs_host: guest vCPU executing %.1f%% of the time, ~%.0f guest instructions per MiB\n",
                    med(rw), med(iw));
      }
    }
  }

  // 2. The sim platform: the same path without guest emulation, and the restart.
  temp_image img(image_bytes);
  hv::blk::disk d(img.path, false);
  blk_system<> s;
  hv::blk::config c;
  c.workers = 0;  // keeps the driver domain's maptrack room for 2 MiB of persistent grants
  s.create(d, c);
  s.wait_connected();
  // Warm the page cache and the grants.
  host_pass(img.path, true);
  (void)guest_pass(s, true);
  std::vector<double> hw, hr, gw, gr, gwb, grb;
  for (int rep = 0; rep < 5; ++rep) {
    hw.push_back(host_pass(img.path, true));
    auto w = guest_pass(s, true);
    gw.push_back(w.total);
    gwb.push_back(w.busy / w.total);
    hr.push_back(host_pass(img.path, false));
    auto r = guest_pass(s, false);
    gr.push_back(r.total);
    grb.push_back(r.busy / r.total);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double mib = static_cast<double>(image_bytes) / (1 << 20);
  std::printf("host  write %.0f MiB/s  read %.0f MiB/s\n", mib / median(hw), mib / median(hr));
  std::printf("guest write %.0f MiB/s  read %.0f MiB/s (sim platform: the guest is host code)\n", mib / median(gw),
              mib / median(gr));
  std::printf("sim front end executing share: write %.1f%%  read %.1f%%\n", 100 * median(gwb), 100 * median(grb));
  std::printf("front end: %llu persistent hits, %llu indirect pages reused, %llu notifications\n",
              static_cast<unsigned long long>(s.front->stats().persistent_hits),
              static_cast<unsigned long long>(s.front->stats().indirect_reused),
              static_cast<unsigned long long>(s.front->stats().notifications));

  // Restart: kill the driver domain with requests in flight, start a new one, time until the
  // front end is Connected again (and, separately, until the re-issued requests completed).
  std::vector<double> restart, reissue;
  for (int rep = 0; rep < 7; ++rep) {
    const std::size_t before = s.completions();
    for (std::uint32_t b = 0; b < depth; ++b)
      if (!s.front->write(b * 2048, s.buffer(b * 256), io, 5000000 + static_cast<std::uint64_t>(rep) * 10 + b))
        std::abort();
    s.front->publish();
    s.kill_backend();
    const auto t0 = clk::now();
    s.start_backend();
    s.wait_connected(s.dev->connections() + 1);
    const auto t1 = clk::now();
    s.run_until_done(before + depth);
    const auto t2 = clk::now();
    restart.push_back(seconds(t1 - t0) * 1e3);
    reissue.push_back(seconds(t2 - t0) * 1e3);
  }
  std::printf("restart to reconnected %.3f ms, to re-issued requests completed %.3f ms (median of 7)\n",
              median(restart), median(reissue));
  std::printf("FIGURE blk_seq_read_vs_host_sim %.3f\n", median(hr) / median(gr));
  std::printf("  blk_seq_read_vs_host_sim: front end executing %.1f%% of the time\n", 100 * median(grb));
  std::printf("FIGURE blk_seq_write_vs_host_sim %.3f\n", median(hw) / median(gw));
  std::printf("  blk_seq_write_vs_host_sim: front end executing %.1f%% of the time\n", 100 * median(gwb));
  std::printf("FIGURE backend_restart_ms %.3f\n", median(restart));
  return 0;
}
