// examples/blk: a block front end in a PVH guest. It finds its virtual disk in xenstore
// (device/vbd/<id>), connects to xenhv's block back end through xenbus (xenabi::blkfront_device
// over xenabi::blkfront), writes a pattern, issues a write barrier, reads the pattern back and
// verifies it, then measures sequential 1 MiB writes and reads and powers off.
//   xenhv run examples/blk/blk.elf --disk disk.img [--cmdline "mib=64 depth=16 batch=8"]
// Output lines start with "blk: "; the throughput lines report MiB/s, the share of the time
// the vCPU was running (runstate RUNNING) rather than blocked waiting for the back end, and
// roughly how many guest instructions a MiB cost (running time over the time of a known
// instruction loop timed just before: on a host that emulates ring 0 that is what matters).
//
// Everything that costs guest instructions is kept out of the I/O loop (this machine's KVM
// emulates ring-0 code, DESIGN.md section 3): the 1 MiB buffer is granted once (persistent
// grants), each request is one ring slot with an indirect page whose segment list is built once,
// up to `depth` requests are published with one notification, and the vCPU halts until the
// back end's event instead of spinning — one event per `batch` completions (blkfront::poll's
// wake_after), not one per response.
#include <cstddef>
#include <cstdint>

#include <xenabi/abi/hvm/start_info.hpp>
#include <xenabi/abi/vcpu.hpp>
#include <xenabi/blkfront_xenbus.hpp>
#include <xenabi/clock.hpp>

#include "kernel.hpp"
#include "raw_calls.hpp"
#include "xen_guest.hpp"

namespace abi = xenabi::abi;
using guest::fail;
using guest::must;
using kernel::print;
using kernel::println;

// kernel::console_write, kernel::shutdown and the upcall: xen_guest_hooks.cpp.

namespace {

constexpr std::uint32_t mib = 1u << 20;
// Requests in flight (one 1 MiB buffer: see below) and completions awaited per wake-up; the
// command line may change them ("depth=N batch=N", depth at most the ring's 32 slots).
constinit std::uint32_t depth = 16;
constinit std::uint32_t batch = 8;
constexpr std::uint32_t verify_bytes = 256 * 1024;

// The engine's environment: grants from the guest's grant table, notifications on the
// device's event channel.
struct blk_env {
  xenabi::port chan{};
  xenabi::result<xenabi::grant_ref> grant(xenabi::domain_id d, xenabi::gfn f, bool ro) {
    return guest::grants().grant_access(d, f, ro);
  }
  xenabi::result<void> end_grant(xenabi::grant_ref r) { return guest::grants().end_access(r); }
  xenabi::gfn frame_of(const void* p) { return guest::frame_of(p); }
  void notify() { (void)xenabi::evtchn::send(chan); }
};
// Event channels for blkfront_device: a port the back end may bind, flagged for wait_for.
struct blk_kernel {
  xenabi::result<xenabi::port> alloc_unbound(xenabi::domain_id be) {
    auto p = xenabi::evtchn::alloc_unbound(be);
    if (p) (void)guest::flag_port(p.value());
    return p;
  }
  void close(xenabi::port p) { (void)xenabi::evtchn::close(p); }
};

using engine = xenabi::blkfront<blk_env, 256, 512>;
using device = xenabi::blkfront_device<guest::xs_client, blk_kernel, engine>;

alignas(4096) constinit engine::page ring_page{};
alignas(4096) constinit engine::page indirect[engine::indirect_pages]{};
// The throughput buffer: every request in flight uses it (the back end reads from it for writes
// and stores into it for reads; the contents do not matter there), so 256 persistent grants
// cover the whole run. The verify phase has its own read-back buffer.
alignas(4096) constinit unsigned char io_buf[mib]{};
alignas(4096) constinit unsigned char check_buf[verify_bytes]{};
constinit abi::vcpu_runstate_info runstate{};
constinit std::uint64_t clock_last = 0;

blk_env env;
blk_kernel bk;
alignas(engine) unsigned char engine_storage[sizeof(engine)];
alignas(device) unsigned char device_storage[sizeof(device)];

std::uint64_t now_ns() {
  static const xenabi::system_clock clk(guest::shared().vcpu_info[0].time, clock_last);
  return clk.now().ns_since_epoch();
}
// Time the vCPU has spent running (RUNSTATE_running) up to \p now, the current stretch included.
std::uint64_t running_ns(std::uint64_t now) {
  return xenabi::read_runstate(runstate).at(xenabi::system_time{now}).ns_since_epoch();
}

// Completes requests until \p outstanding is at most \p target; counts errors.
struct completion_counter {
  std::uint32_t done = 0;
  std::uint32_t errors = 0;
  void operator()(xenabi::u64, xenabi::s16 status) {
    ++done;
    if (status != 0) ++errors;
  }
};

// The back end is asked to notify only when the last of them completes (one wake-up per batch).
void wait_until(engine& blk, completion_counter& c, std::uint32_t target_done) {
  while (c.done < target_done) {
    auto n = blk.poll(c, target_done - c.done);
    if (!n) fail("poll", n.error());
    if (c.done < target_done && n.value() == 0) guest::wait_for(env.chan);
  }
}

// Nanoseconds this vCPU takes for 1000 simple instructions now (a 40000-instruction loop).
std::uint64_t ns_per_kilo_instruction() {
  const std::uint64_t t0 = now_ns();
  std::uint32_t n = 20000;
  __asm__ __volatile__("1: dec %0; jnz 1b" : "+r"(n));  // 2 instructions per round
  const std::uint64_t ns = (now_ns() - t0) / 40;
  return ns == 0 ? 1 : ns;
}

// Sequential 1 MiB I/O over \p total_mib MiB with up to `depth` requests in flight.
void throughput(engine& blk, bool write, std::uint32_t total_mib, bool report = true) {
  const std::uint64_t kilo_instruction_ns = report ? ns_per_kilo_instruction() : 1;
  completion_counter c;
  const std::uint64_t t0 = now_ns(), r0 = running_ns(t0);
  std::uint32_t issued = 0;
  while (c.done < total_mib) {
    bool any = false;
    while (issued < total_mib && issued - c.done < depth) {
      const std::uint64_t sector = std::uint64_t{issued} * (mib / 512);
      auto r = write ? blk.write(sector, io_buf, mib, issued) : blk.read(sector, io_buf, mib, issued);
      if (!r) fail(write ? "write" : "read", r.error());
      ++issued;
      any = true;
    }
    if (any) blk.publish();
    const std::uint32_t in_flight = issued - c.done;
    wait_until(blk, c, c.done + (in_flight < batch ? in_flight : batch));
  }
  const std::uint64_t t1 = now_ns();
  const std::uint64_t ns = t1 - t0, run = running_ns(t1) - r0;
  if (c.errors != 0) fail("I/O completed with errors", xenabi::errc::eio);
  if (!report) return;
  print(write ? "blk: seq write " : "blk: seq read ");
  kernel::print_dec(total_mib);
  print(" MiB in ");
  kernel::print_dec(ns / 1000);
  print(" us: ");
  kernel::print_dec(std::uint64_t{total_mib} * 1000000000ull / (ns == 0 ? 1 : ns));
  print(" MiB/s, vCPU running ");
  kernel::print_dec(run * 1000 / (ns == 0 ? 1 : ns) / 10);
  print(".");
  kernel::print_dec(run * 1000 / (ns == 0 ? 1 : ns) % 10);
  print("%, ~");
  kernel::print_dec(run / total_mib * 1000 / kilo_instruction_ns);
  println(" guest instructions per MiB");
}

// "NAME=N" anywhere on the command line (N > 0), else \p fallback.
std::uint32_t parse_option(const char* cmdline, const char* name, std::uint32_t fallback) {
  if (cmdline == nullptr) return fallback;
  for (const char* p = cmdline; *p != '\0'; ++p) {
    if (!kernel::starts(p, name)) continue;
    const char* q = p;
    while (*q != '=') ++q;  // name ends in '='
    const auto v = static_cast<std::uint32_t>(kernel::number_after(q));
    return v == 0 ? fallback : v;
  }
  return fallback;
}

}  // namespace

extern "C" [[noreturn]] void kmain(std::uint32_t start_info_pa) {
  (void)guest::start_frontend("blk");
  const auto* si = reinterpret_cast<const abi::hvm_start_info*>(static_cast<std::uintptr_t>(start_info_pa));
  const char* cmdline =
      si->cmdline_paddr != 0 ? reinterpret_cast<const char*>(static_cast<std::uintptr_t>(si->cmdline_paddr)) : nullptr;
  const std::uint32_t total_mib = parse_option(cmdline, "mib=", 16);
  depth = parse_option(cmdline, "depth=", depth);
  if (depth > engine::slots) depth = engine::slots;
  batch = parse_option(cmdline, "batch=", batch);
  if (batch > depth) batch = depth;
  abi::vcpu_register_runstate_memory_area area{};
  area.addr.v = reinterpret_cast<std::uintptr_t>(&runstate);
  must(xenabi::vcpu_op<abi::VCPUOP::register_runstate_memory_area>(0, area), "register runstate area");

  // Find the disk and connect.
  auto& xs = guest::xenstore();
  xenabi::u32 ids[4];
  const auto count = must(xenabi::list_devices(xs, "vbd", ids, 4), "list_devices");
  if (count == 0) {
    println("blk: no virtual disk (run with --disk FILE)");
    kernel::crash();
  }
  auto* blk = new (engine_storage) engine(env, ring_page, indirect);
  auto* dev = new (device_storage) device(xs, bk, *blk, ids[0]);
  must(dev->start("vbd-be"), "xenbus probe");
  completion_counter none;
  char ev[128];
  while (!dev->connected()) {
    must(dev->step(none), "xenbus step");
    env.chan = dev->event_port();
    if (!dev->connected()) (void)must(xs.next_watch_event(ev, sizeof ev), "backend state event");
  }
  const auto& f = blk->features();
  print("blk: connected to backend domain ");
  kernel::print_dec(dev->bus().backend_id());
  print(", ");
  kernel::print_dec(f.sectors / 2048);
  print(" MiB, persistent grants ");
  print(f.persistent ? "yes" : "no");
  print(", indirect segments ");
  kernel::print_dec(f.max_indirect_segments);
  print(", barrier ");
  println(f.barrier ? "yes" : "no");
  if (f.sectors < std::uint64_t{total_mib} * 2048 + 1024) {
    println("blk: disk too small for the throughput run");
    kernel::crash();
  }

  // Write a pattern, a barrier (a marker sector after it), read back, verify.
  for (std::uint32_t i = 0; i < verify_bytes / 8; ++i)
    reinterpret_cast<volatile std::uint64_t*>(io_buf)[i] = 0x9e3779b97f4a7c15ull * (i + 1);
  completion_counter c;
  must(blk->write(0, io_buf, verify_bytes, 1), "pattern write");
  if (f.barrier) must(blk->barrier_write(verify_bytes / 512, io_buf, 4096, 2), "barrier write");
  must(blk->read(0, check_buf, verify_bytes, 3), "read back");  // after the barrier
  blk->publish();
  wait_until(*blk, c, f.barrier ? 3 : 2);
  if (c.errors != 0) fail("verify I/O", xenabi::errc::eio);
  for (std::uint32_t i = 0; i < verify_bytes / 8; ++i)
    if (reinterpret_cast<const volatile std::uint64_t*>(check_buf)[i] != 0x9e3779b97f4a7c15ull * (i + 1)) {
      print("blk: FAIL verify at byte ");
      kernel::print_dec(i * 8);
      println("");
      kernel::crash();
    }
  println(f.barrier ? "blk: pattern written, barrier, read back: verified" : "blk: pattern written, read back: verified");

  // Warm-up (untimed): the first use of each ring slot grants the buffer's pages persistently
  // and writes the slot's indirect page; afterwards a 1 MiB request costs one ring slot.
  throughput(*blk, true, depth, false);
  throughput(*blk, true, total_mib);
  throughput(*blk, false, total_mib);
  print("blk: front end: ");
  kernel::print_dec(blk->stats().notifications);
  print(" notifications, ");
  kernel::print_dec(blk->stats().grants);
  print(" grants, ");
  kernel::print_dec(blk->stats().indirect_reused);
  println(" indirect pages reused");
  println("blk: done");
  kernel::flush();
  kernel::shutdown(abi::SHUTDOWN::poweroff);
}
