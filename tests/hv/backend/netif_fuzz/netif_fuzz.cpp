// libFuzzer target: netback's transmit and receive request handlers fed hostile ring contents.
// Two sim guests with netfronts are connected through a bridge; the input is a program of
// operations that write arbitrary requests, grant references, offsets, flags and producer
// indices into guest A's tx ring and guest B's rx ring, change buffer contents, queue frames of
// any length and poll the backend. Nothing may crash or touch memory outside what was granted
// (ASan/UBSan), and no more responses may be published than requests consumed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "net_sim.hpp"

namespace {

namespace abi = xenabi::abi;

struct reader {
  const std::uint8_t* p;
  std::size_t n;
  bool empty() const { return n == 0; }
  std::uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | u8() << 8); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(u16() | static_cast<std::uint32_t>(u16()) << 16); }
};

net_sim::rig& rig() {
  static auto* r = new net_sim::rig;
  return *r;
}

void close_port(hv::sim::machine& m, std::uint16_t dom, std::uint32_t port) {
  abi::evtchn_close c{port};
  m.put(net_sim::scratch_gpa + 128, c, dom);
  (void)m.hypercall(static_cast<std::uint32_t>(abi::hypercall::event_channel_op),
                    static_cast<std::uint64_t>(abi::EVTCHNOP::close), net_sim::scratch_gpa + 128, 0, 0, 0, dom);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& net = rig();
  auto& m = net.m;
  hv::backend::bridge br;
  net_sim::guest<8, 8> a(m, 0, net.dd.id());
  net_sim::guest<8, 8> b(m, 1, net.dd.id());
  {
    hv::backend::netif va(net.dd, &br, 16);
    hv::backend::netif vb(net.dd, &br, 16);
    auto cb = b.connection();
    reader in{data, size};
    const std::uint8_t feat = in.u8();
    cb.rx_sg = (feat & 1) != 0;
    cb.rx_csum_offload = (feat & 2) != 0;
    cb.rx_ipv6_csum_offload = (feat & 4) != 0;
    if (!va.connect(a.connection()) || !vb.connect(cb)) std::abort();
    auto tx = xenabi::front_ring<xenabi::netif_tx_ring>::attach(a.tx_sring(), 0);
    auto rx = xenabi::front_ring<xenabi::netif_rx_ring>::attach(b.rx_sring(), 0);
    auto gref = [&](std::uint8_t sel, std::uint32_t raw, bool rx_side) {
      switch (sel % 4) {
        case 0: return (rx_side ? b.nic.rx_ref : a.nic.tx_ref)[raw % 8].value();
        case 1: return raw % 600;  // near the table: reserved, free, granted
        default: return raw;
      }
    };
    while (!in.empty()) {
      switch (in.u8() % 8) {
        case 0: {  // a transmit request with fuzzed fields
          abi::netif_tx_request r{};
          const std::uint8_t sel = in.u8();
          r.gref = gref(sel, in.u32(), false);
          r.offset = in.u16();
          r.flags = in.u16();
          r.id = in.u16();
          r.size = in.u16();
          if ((sel & 0x80) == 0) r.offset &= 0xfff;  // mostly inside the page
          if (!tx.full()) {
            tx.claim_request() = r;
            (void)tx.push_requests();
          }
          break;
        }
        case 1: {  // a receive request
          abi::netif_rx_request r{};
          const std::uint8_t sel = in.u8();
          r.id = in.u16();
          r.gref = gref(sel, in.u32(), true);
          if (!rx.full()) {
            rx.claim_request() = r;
            (void)rx.push_requests();
          }
          break;
        }
        case 2:  // a hostile tx producer index
          __atomic_store_n(&a.tx_sring().req_prod, in.u32(), __ATOMIC_RELEASE);
          break;
        case 3:  // a hostile rx producer index
          __atomic_store_n(&b.rx_sring().req_prod, in.u32(), __ATOMIC_RELEASE);
          break;
        case 4: {  // a frame of any length for B, maybe with a blank checksum to complete
          const std::uint8_t off = in.u8();
          std::vector<std::byte> f(in.u16() % 9000);
          for (auto& x : f) x = std::byte{in.u8()};
          va.inject(f, {(off & 1) != 0, (off & 2) != 0});
          break;
        }
        case 5: {  // change a transmit buffer's bytes (headers included)
          auto* p = a.nic.tx_data(static_cast<std::uint16_t>(in.u8() % 8));
          const std::uint16_t off = in.u16() % 4096;
          p[off] = in.u8();
          break;
        }
        case 6:  // the responses are consumed by the frontends (their indices move on)
          (void)tx.consume_responses([](const abi::netif_tx_response&) {});
          (void)rx.consume_responses([](const abi::netif_rx_response&) {});
          break;
        default:  // the driver domain runs: event handlers and posted wake-ups
          net.dd.poll();
          (void)va.poll();
          (void)vb.poll();
          break;
      }
    }
    (void)va.poll();
    (void)vb.poll();
    // Never more responses than requests: the backend answers each consumed slot once.
    const auto rsp = __atomic_load_n(&a.tx_sring().rsp_prod, __ATOMIC_ACQUIRE);
    if (va.serving() && rsp > va.stats().tx_slots) std::abort();
  }  // netifs disconnect: ring grants unmapped, backend ports closed
  net.dd.poll();  // drops the wake-ups they left queued
  close_port(m, 0, a.nic.event_channel().value());
  close_port(m, 1, b.nic.event_channel().value());
  if (!a.nic.teardown() || !b.nic.teardown()) std::abort();
  return 0;
}
