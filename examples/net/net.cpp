// examples/net: two guests exchange Ethernet frames through xenhv's netback and bridge.
//   xenhv run net.elf --cmdline "send 200" --net --domain net.elf --cmdline "echo" --net
// Each guest finds its virtual interface in xenstore (device/vif/0: backend-id, backend, mac),
// sets up a netfront (xenabi/netfront.hpp: rings, grants, event channel), publishes it, switches
// to Connected and waits for the backend to connect. IPv4 addresses are 10.0.0.<domid + 1>.
//  - "echo": answers ARP requests and ICMP echo requests for its address, counts bulk frames,
//    and on the sender's end frame reports what it received, prints it and powers off.
//  - "send N": resolves 10.0.0.2 with ARP, pings it four times (printing each round trip), then
//    streams N bulk frames as fast as the rings allow (frames queued in batches, one push and at
//    most one event per batch), sends the end frame, waits for the report, prints throughput
//    and the share of the time the vCPU was running (runstate), and powers off.
// Both accept multi-slot frames (feature-sg), and bulk frames are 60 KiB, 15 pages each (as a
// netfront with scatter-gather may send them, up to 64 KiB): per-page work on both sides is a
// ring slot, not a frame, and no guest loop touches the payload bytes except the receiver's
// check (three words per page; every word of one frame in 1024).
// Both poll their event channel with SCHEDOP_poll (no upcall needed).
#include <cstddef>
#include <cstdint>

#include <xenabi/abi/hvm/start_info.hpp>
#include <xenabi/abi/sched.hpp>
#include <xenabi/abi/vcpu.hpp>
#include <xenabi/arch/x86/cpuid.hpp>
#include <xenabi/arch/x86/hypercall_page.hpp>
#include <xenabi/clock.hpp>
#include <xenabi/event_channel.hpp>
#include <xenabi/hypercall.hpp>
#include <xenabi/netfront.hpp>
#include <xenabi/xenbus.hpp>

#include "frames.hpp"
#include "kernel.hpp"
#include "raw_calls.hpp"
#include "xen_guest.hpp"

namespace abi = xenabi::abi;
namespace x86 = xenabi::arch::x86;
using kernel::print;
using kernel::println;

namespace {

void fail(const char* what, long rc) {
  print("net: ");
  print(what);
  print(" failed: ");
  kernel::print_dec_signed(rc);
  println("");
  kernel::crash();
}

// ---- time: system time and this vCPU's running time (runstate area) ---------------------------

constinit abi::vcpu_runstate_info runstate{};
constinit std::uint64_t clock_last = 0;
std::uint64_t system_time() {
  return static_cast<std::uint64_t>(
      xenabi::system_clock(guest::shared().vcpu_info[0].time, clock_last).now().time_since_epoch().count());
}
std::uint64_t running_time() {
  const auto now = xenabi::system_clock(guest::shared().vcpu_info[0].time, clock_last).now();
  return static_cast<std::uint64_t>(xenabi::virtual_time_at(runstate, now).time_since_epoch().count());
}

// ---- waiting: the interface's port, or a deadline (VIRQ_TIMER) --------------------------------

constinit xenabi::port timer_port{0};
// Waits until \p p fires or system time \p deadline (0: none) passes.
void wait_port(xenabi::port p, std::uint64_t deadline = 0) {
  if (deadline != 0) guest::must(xenabi::set_timer_op(deadline), "set_timer_op");
  while (!guest::take(p)) {
    if (deadline != 0 && (guest::take(timer_port) || system_time() >= deadline)) break;
    __asm__ __volatile__("sti; hlt; cli" ::: "memory");
  }
}

// ---- the network interface --------------------------------------------------------------------

struct nic_env {
  xenabi::result<xenabi::port> alloc_unbound(xenabi::domain_id backend) {
    auto p = xenabi::evtchn::alloc_unbound(backend);
    if (p) XENABI_TRY(guest::flag_port(p.value()));
    return p;
  }
  void notify(xenabi::port p) { (void)xenabi::evtchn::send(p); }
};

constexpr std::size_t rx_n = 128, tx_n = 128;
using nic_type = xenabi::netfront<xenabi::grant_table<guest::grant_entries>, nic_env, rx_n, tx_n>;
alignas(4096) unsigned char nic_pages[2 + rx_n + tx_n][4096];
constinit xenabi::driver_page page_refs[2 + rx_n + tx_n] = {};

struct net {
  nic_type nic;
  nic_env env;
  xenabi::mac_addr mac;
  std::uint32_t ip = 0;
  xenabi::port port{0};
};

void print_mac(const xenabi::mac_addr& m) {
  for (int i = 0; i < 6; ++i) {
    if (i != 0) print(":");
    const char h[3] = {"0123456789abcdef"[m.b[i] >> 4], "0123456789abcdef"[m.b[i] & 15], 0};
    print(h);
  }
}
void print_ip(std::uint32_t ip) {
  for (int i = 3; i >= 0; --i) {
    kernel::print_dec((ip >> (8 * i)) & 0xff);
    if (i != 0) print(".");
  }
}

// Sends one single-slot frame built by \p build(u8*) -> length; waits for a transmit buffer if needed.
template <class F>
void send_frame(net& n, F&& build) {
  for (;;) {
    auto b = n.nic.claim_tx();
    if (b) {
      const std::uint16_t len = build(n.nic.tx_data(b.value()));
      if (!n.nic.queue_tx(b.value(), len)) fail("queue_tx", -1);
      return;
    }
    n.nic.flush();
    if (!n.nic.poll_tx()) fail("poll_tx", -1);
    if (n.nic.tx_in_flight() == tx_n) wait_port(n.port);
  }
}

// Answers ARP and ICMP echo requests addressed to us (both roles do); true if \p f was one.
bool answer(net& n, const std::uint8_t* f, std::uint16_t len) {
  netex::arp_view a;
  if (netex::parse_arp(f, len, a) && a.op == 1) {
    if (a.tpa == n.ip)
      send_frame(n, [&](std::uint8_t* o) { return netex::arp(o, 2, a.sha, n.mac, n.ip, a.sha, a.spa); });
    return true;
  }
  netex::icmp_view e;
  if (netex::parse_icmp_echo(f, len, e) && e.type == 8) {
    if (e.dip == n.ip) {
      const auto src = netex::get_mac(f + 6);
      send_frame(n, [&](std::uint8_t* o) {
        return netex::icmp_echo(o, src, n.mac, n.ip, e.sip, 0, e.ident, e.seq, e.data, e.data_len);
      });
    }
    return true;
  }
  return false;
}

// One round of work: receive (calling on_frame(frame) for frames not answered here), reclaim
// transmit buffers, publish what was queued. Sleeps until an event or \p deadline if nothing
// happened. ARP and ICMP frames are small: their one slot is all of them.
template <class F>
void step(net& n, F&& on_frame, std::uint64_t deadline = 0) {
  (void)guest::take(n.port);
  auto r = n.nic.poll_rx([&](const xenabi::netfront_rx_frame& f) {
    if (f.nfrags != 1 || !answer(n, f.frag[0], f.frag_len[0])) on_frame(f);
  });
  if (!r) fail("poll_rx", -1);
  auto t = n.nic.poll_tx();
  if (!t) fail("poll_tx", -1);
  n.nic.flush();
  if (r.value() == 0 && t.value() == 0) {
    auto more = n.nic.final_check();
    if (!more) fail("final_check", -1);
    if (!more.value()) wait_port(n.port, deadline);
  }
}

// The frontend's xenbus hooks: publish the rings, nothing to do on connect/disconnect here.
struct vif_ops {
  net& n;
  xenabi::result<void> publish(guest::xs_client& xs, const xenabi::xenbus_frontend<guest::xs_client>& fe,
                               xenabi::u32 tx) {
    return xenabi::netfront_write_keys(xs, fe.path(), n.nic, tx);
  }
  void connected() {}
  void disconnect() {}
};

// Finds device/vif/0, sets up the netfront and runs the xenbus handshake until Connected.
void connect(net& n, std::uint16_t domid) {
  auto& xs = guest::xenstore();
  static xenabi::xenbus_frontend<guest::xs_client> fe(xs, "vif", 0);
  guest::must(fe.probe(), "xenbus probe of device/vif/0");
  char buf[32];
  auto m = xs.read(fe.key("mac").str(), buf, sizeof buf);
  guest::must(m, "xenstore read device/vif/0/mac");
  auto mac = xenabi::parse_mac(buf, m.value());
  guest::must(mac, "parse mac");
  n.mac = mac.value();
  n.ip = 0x0a000000u | (domid + 1u);
  const auto backend = fe.backend_id();
  for (std::size_t i = 0; i < 2 + rx_n + tx_n; ++i) page_refs[i] = {nic_pages[i], guest::frame_of(nic_pages[i])};
  // [netfront-setup]
  nic_type::config c;
  c.backend = xenabi::domain_id{backend};  // from device/vif/0/backend-id
  c.tx_ring = page_refs[0];
  c.rx_ring = page_refs[1];
  c.rx_pages = &page_refs[2];
  c.tx_pages = &page_refs[2 + rx_n];
  c.features.sg = true;  // multi-slot received frames (feature-sg)
  guest::must(n.nic.setup(guest::grants(), n.env, c), "netfront setup");
  n.port = n.nic.event_channel();
  vif_ops ops{n};
  guest::must(fe.watch_backend_state("vif-be"), "xenstore watch");
  while (fe.state() != abi::XenbusState::Connected) {
    auto a = fe.step(ops);  // publish (keys + Initialised), then Connected
    guest::must(a, "xenbus step");
    if (fe.state() == abi::XenbusState::Closing || fe.state() == abi::XenbusState::Closed) fail("backend refused", -1);
    if (a.value() == xenabi::xenbus_action::none) {
      char ev[160];
      guest::must(xs.next_watch_event(ev, sizeof ev), "xenstore watch event");
    }
  }
  // [netfront-setup]
  (void)xs.unwatch(fe.backend_key("state").str(), "vif-be");
  n.nic.set_backend_features(xenabi::netfront_read_backend_features(xs, fe.backend_path()));
  if (!n.nic.backend_features().sg) fail("backend without feature-sg", -1);
  print("net: d");
  kernel::print_dec(domid);
  print(" vif/0 connected to backend d");
  kernel::print_dec(backend);
  print(", mac ");
  print_mac(n.mac);
  print(", ip ");
  print_ip(n.ip);
  println("");
  if (!n.nic.post_rx_buffers()) fail("post_rx_buffers", -1);
}

// ---- the two roles ----------------------------------------------------------------------------

constexpr std::size_t bulk_slots = 15;                                 // pages per bulk frame
constexpr std::uint16_t bulk_len = static_cast<std::uint16_t>(bulk_slots * 4096);  // 61440 bytes
constexpr std::size_t bulk_hdr = netex::eth_hlen + 9;                  // Ethernet + kind + 2 words
constexpr std::uint64_t check_every = 1024;  // frames between complete payload checks

// The payload pattern: byte i of a frame (and so byte i of each of its pages) is i mod 256.
// `pattern` holds one page of it, for the sender to copy and the receiver to compare against.
alignas(8) constinit std::uint8_t pattern[4096] = {};
void init_pattern() {
  for (std::size_t i = 0; i < sizeof pattern; ++i) pattern[i] = static_cast<std::uint8_t>(i);
}
// Copies \p n bytes (a multiple of 8, 8-aligned) with word moves.
void copy_words(std::uint8_t* to, const std::uint8_t* from, std::size_t n) {
  for (std::size_t k = 0; k < n; k += 8) {
    std::uint64_t w;
    __builtin_memcpy(&w, from + k, 8);
    __builtin_memcpy(to + k, &w, 8);
  }
}
// True if the frame's payload (after its header) is the pattern: every word when \p whole,
// otherwise three words of each page (its first, middle and last: enough to catch a page
// missing, repeated or out of order without a loop over every byte).
bool payload_ok(const xenabi::netfront_rx_frame& f, bool whole) {
  auto word_ok = [](const std::uint8_t* p, std::size_t k) {
    std::uint64_t a, b;
    __builtin_memcpy(&a, p + k, 8);
    __builtin_memcpy(&b, pattern + k, 8);
    return a == b;
  };
  for (std::size_t i = 0; i < f.nfrags; ++i) {
    const std::uint8_t* p = f.frag[i];
    const std::size_t len = f.frag_len[i];
    const std::size_t from = i == 0 ? 24 : 0;  // after the header (23 bytes), at a word boundary
    if (len < from + 8 || (len & 7u) != 0 || (i == 0 && p[23] != pattern[23])) return false;
    if (whole) {
      for (std::size_t k = from; k < len; k += 8)
        if (!word_ok(p, k)) return false;
    } else if (!word_ok(p, from) || !word_ok(p, (len / 2) & ~std::size_t{7}) || !word_ok(p, len - 8)) {
      return false;
    }
  }
  return true;
}

void echo_role(net& n) {
  std::uint64_t frames = 0, bytes = 0, lost = 0, corrupt = 0, t0 = 0, run0 = 0;
  std::uint32_t next_seq = 0;
  bool done = false;
  while (!done) {
    step(n, [&](const xenabi::netfront_rx_frame& fr) {
      const std::uint8_t* f = fr.frag[0];
      if (fr.frag_len[0] < bulk_hdr || netex::eth_type(f) != netex::eth_bulk) return;
      const std::uint8_t* p = f + netex::eth_hlen;
      const auto kind = static_cast<netex::bulk>(p[0]);
      const std::uint32_t seq = netex::get32(p + 1);
      if (kind == netex::bulk::data) {
        if (frames == 0) {
          t0 = system_time();
          run0 = running_time();
        }
        ++frames;
        bytes += fr.size;
        if (seq != next_seq) lost += seq > next_seq ? seq - next_seq : 0;
        next_seq = seq + 1;
        if (!payload_ok(fr, seq % check_every == 0)) ++corrupt;  // the pattern the sender wrote
      } else if (kind == netex::bulk::end) {
        const std::uint64_t t1 = system_time(), run1 = running_time();
        const auto src = netex::get_mac(f + 6);
        send_frame(n, [&](std::uint8_t* o) {
          netex::bulk_frame(o, src, n.mac, netex::bulk::report, static_cast<std::uint32_t>(frames),
                            static_cast<std::uint32_t>(bytes >> 10));
          return static_cast<std::uint16_t>(bulk_hdr);
        });
        print("NETSTAT echo bytes ");
        kernel::print_dec(bytes);
        print(" ns ");
        kernel::print_dec(t1 - t0);
        print(" running_ns ");
        kernel::print_dec(run1 - run0);
        println("");
        print("net: echo received ");
        kernel::print_dec(frames);
        print(" frames (");
        kernel::print_dec(bytes);
        print(" bytes), ");
        kernel::print_dec(lost);
        print(" lost, ");
        kernel::print_dec(corrupt);
        print(" corrupt, sender counted ");
        kernel::print_dec(seq);
        print("; ");
        kernel::print_dec(t1 > t0 ? bytes * 1000 / (t1 - t0) : 0);
        print(" MB/s, running ");
        kernel::print_dec(t1 > t0 ? (run1 - run0) * 100 / (t1 - t0) : 0);
        println("% of the time");
        done = true;
      }
    });
  }
  // Let the report go out.
  for (int i = 0; i < 100 && n.nic.tx_in_flight() != 0; ++i)
    step(n, [](const xenabi::netfront_rx_frame&) {}, system_time() + 10000000);
}

void send_role(net& n, std::uint64_t count) {
  const std::uint32_t peer_ip = 0x0a000002u;
  // 1. ARP: who has 10.0.0.2?
  xenabi::mac_addr peer{};
  bool resolved = false;
  for (int attempt = 0; attempt < 20 && !resolved; ++attempt) {
    send_frame(n, [&](std::uint8_t* o) {
      return netex::arp(o, 1, netex::broadcast, n.mac, n.ip, xenabi::mac_addr{}, peer_ip);
    });
    n.nic.flush();
    const std::uint64_t until = system_time() + 100000000;  // 100 ms
    while (!resolved && system_time() < until)
      step(n, [&](const xenabi::netfront_rx_frame& f) {
        netex::arp_view a;
        if (f.nfrags == 1 && netex::parse_arp(f.frag[0], f.frag_len[0], a) && a.op == 2 && a.spa == peer_ip) {
          peer = a.sha;
          resolved = true;
        }
      }, until);
  }
  if (!resolved) fail("ARP resolution of 10.0.0.2", -1);
  print("net: arp: ");
  print_ip(peer_ip);
  print(" is at ");
  print_mac(peer);
  println("");
  // 2. Four pings.
  const std::uint8_t payload[32] = {'x', 'e', 'n', 'a', 'b', 'i', ' ', 'n', 'e', 't', 'f', 'r', 'o', 'n', 't'};
  for (std::uint16_t seq = 1; seq <= 4; ++seq) {
    const std::uint64_t t0 = system_time();
    send_frame(n, [&](std::uint8_t* o) {
      return netex::icmp_echo(o, peer, n.mac, n.ip, peer_ip, 8, 0x7e57, seq, payload, sizeof payload);
    });
    n.nic.flush();
    bool got = false;
    const std::uint64_t until = t0 + 1000000000;
    while (!got && system_time() < until)
      step(n, [&](const xenabi::netfront_rx_frame& f) {
        netex::icmp_view e;
        if (f.nfrags == 1 && netex::parse_icmp_echo(f.frag[0], f.frag_len[0], e) && e.type == 0 && e.seq == seq &&
            e.sip == peer_ip && e.data_len == sizeof payload) {
          bool same = true;
          for (std::size_t i = 0; i < sizeof payload; ++i) same = same && e.data[i] == payload[i];
          got = same;
        }
      }, until);
    if (!got) fail("ICMP echo reply", seq);
    const std::uint64_t t1 = system_time();
    print("net: ");
    kernel::print_dec(8 + sizeof payload);
    print(" bytes from ");
    print_ip(peer_ip);
    print(": icmp_seq=");
    kernel::print_dec(seq);
    print(" time=");
    kernel::print_dec((t1 - t0) / 1000);
    println(" us");
  }
  // 3. Bulk: every transmit buffer holds the payload pattern once. Per frame only the first
  // buffer's header is written (and the next time that buffer is not first, its first 24
  // bytes are put back: three word stores).
  while (n.nic.tx_in_flight() != 0) step(n, [](const xenabi::netfront_rx_frame&) {});
  for (std::uint16_t b = 0; b < tx_n; ++b) copy_words(n.nic.tx_data(b), pattern, sizeof pattern);
  bool had_header[tx_n] = {};
  const std::uint64_t t0 = system_time(), run0 = running_time();
  const std::uint64_t events0 = n.nic.stats().notifications;
  std::uint64_t sent = 0;
  std::uint16_t bufs[bulk_slots], lens[bulk_slots];
  for (auto& l : lens) l = 4096;
  // [netfront-batch]
  while (sent < count) {
    (void)guest::take(n.port);
    auto t = n.nic.poll_tx();
    if (!t) fail("poll_tx", -1);
    std::uint64_t queued = 0;
    while (sent < count && n.nic.tx_in_flight() + bulk_slots <= tx_n) {
      for (auto& b : bufs) b = n.nic.claim_tx().value();  // room was checked above
      for (std::size_t k = 1; k < bulk_slots; ++k)
        if (had_header[bufs[k]]) {
          copy_words(n.nic.tx_data(bufs[k]), pattern, 24);
          had_header[bufs[k]] = false;
        }
      netex::bulk_frame(n.nic.tx_data(bufs[0]), peer, n.mac, netex::bulk::data, static_cast<std::uint32_t>(sent), 0);
      had_header[bufs[0]] = true;
      if (!n.nic.queue_tx_frags(bufs, lens, bulk_slots)) fail("queue_tx_frags", -1);
      ++sent;
      ++queued;
    }
    n.nic.flush();
    if (queued == 0 && t.value() == 0) {
      auto more = n.nic.final_check();
      if (!more) fail("final_check", -1);
      if (!more.value()) wait_port(n.port);
    }
  }
  // [netfront-batch]
  // Wait until everything was taken, so the time covers the whole transfer.
  while (n.nic.tx_in_flight() != 0) step(n, [](const xenabi::netfront_rx_frame&) {});
  const std::uint64_t t1 = system_time(), run1 = running_time();
  const std::uint64_t events = n.nic.stats().notifications - events0;
  send_frame(n, [&](std::uint8_t* o) {
    netex::bulk_frame(o, peer, n.mac, netex::bulk::end, static_cast<std::uint32_t>(sent), 0);
    return static_cast<std::uint16_t>(bulk_hdr);
  });
  n.nic.flush();
  std::uint32_t rep_frames = 0, rep_kib = 0;
  bool reported = false;
  const std::uint64_t report_until = system_time() + 30000000000ull;  // 30 s
  while (!reported && system_time() < report_until)
    step(n, [&](const xenabi::netfront_rx_frame& fr) {
      const std::uint8_t* f = fr.frag[0];
      if (fr.frag_len[0] >= bulk_hdr && netex::eth_type(f) == netex::eth_bulk &&
          static_cast<netex::bulk>(f[netex::eth_hlen]) == netex::bulk::report) {
        rep_frames = netex::get32(f + netex::eth_hlen + 1);
        rep_kib = netex::get32(f + netex::eth_hlen + 5);
        reported = true;
      }
    }, report_until);
  if (!reported) fail("bulk report from the echo guest", -1);
  const std::uint64_t bytes = sent * bulk_len;
  print("net: sent ");
  kernel::print_dec(sent);
  print(" frames of ");
  kernel::print_dec(bulk_len);
  print(" bytes (");
  kernel::print_dec(bulk_slots);
  print(" slots each, ");
  kernel::print_dec(bytes);
  print(" bytes) in ");
  kernel::print_dec((t1 - t0) / 1000);
  print(" us: ");
  kernel::print_dec(t1 > t0 ? bytes * 1000 / (t1 - t0) : 0);
  print(" MB/s, ");
  kernel::print_dec(events);
  print(" events, running ");
  kernel::print_dec(t1 > t0 ? (run1 - run0) * 100 / (t1 - t0) : 0);
  println("% of the time");
  print("net: echo guest reports ");
  kernel::print_dec(rep_frames);
  print(" frames, ");
  kernel::print_dec(rep_kib);
  println(" KiB");
  print("NETSTAT bytes ");
  kernel::print_dec(bytes);
  print(" ns ");
  kernel::print_dec(t1 - t0);
  print(" running_ns ");
  kernel::print_dec(run1 - run0);
  print(" received ");
  kernel::print_dec(rep_frames);
  println("");
  if (rep_frames != sent) fail("frames lost between the guests", static_cast<long>(sent - rep_frames));
}

using kernel::starts;

}  // namespace

extern "C" [[noreturn]] void kmain(std::uint32_t start_info_pa) {
  (void)guest::start_frontend("net");  // hypercall page, console ring, events, grants, xenstore
  const auto* si = reinterpret_cast<const abi::hvm_start_info*>(static_cast<std::uintptr_t>(start_info_pa));
  const char* cmd = si->cmdline_paddr != 0 ? reinterpret_cast<const char*>(static_cast<std::uintptr_t>(si->cmdline_paddr)) : "";
  abi::vcpu_register_runstate_memory_area area{};
  area.addr.v = reinterpret_cast<std::uintptr_t>(&runstate);
  guest::must(xenabi::vcpu_op<abi::VCPUOP::register_runstate_memory_area>(0, area), "VCPUOP_register_runstate_memory_area");
  auto tp = xenabi::evtchn::bind_virq(abi::VIRQ::TIMER);
  guest::must(tp, "bind VIRQ_TIMER");
  timer_port = tp.value();
  guest::must(guest::flag_port(timer_port), "VIRQ_TIMER handler");
  char idbuf[16];
  auto idr = guest::xenstore().read("domid", idbuf, sizeof idbuf);
  guest::must(idr, "xenstore read domid");
  auto domid = xenabi::parse_xs_u32(xenabi::xs_str{idbuf, idr.value()});
  guest::must(domid, "parse domid");

  init_pattern();
  static net n;
  connect(n, static_cast<std::uint16_t>(domid.value()));
  if (starts(cmd, "send")) {
    std::uint64_t count = 0;
    for (const char* p = cmd + 4; *p != '\0'; ++p)
      if (*p >= '0' && *p <= '9') count = count * 10 + static_cast<std::uint64_t>(*p - '0');
    send_role(n, count != 0 ? count : 2000);
  } else {
    echo_role(n);
  }
  kernel::flush();
  kernel::shutdown(abi::SHUTDOWN::poweroff);
}
