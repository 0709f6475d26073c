// The console backend and the toolstack services (hv/backend/console.hpp, toolstack.hpp): a sim
// guest writes through xenabi::console over the page the toolstack gave it; input comes back;
// hostile indices abandon only that console; the memory map reserves the special pages.
#include <hv/backend/toolstack.hpp>
#include <hv/platform/sim/sim.hpp>
#include <xenabi/console.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using H = abi::hypercall;
using xenabi::errc;

namespace {
struct sim_env {
  hv::sim::machine* m;
  std::uint32_t port;
  void notify() {
    abi::evtchn_send s{port};
    m->put(0x1000, s);
    (void)m->call(H::event_channel_op, static_cast<std::uint64_t>(abi::EVTCHNOP::send), 0x1000);
  }
  void wait() { std::this_thread::sleep_for(std::chrono::microseconds(200)); }
};
std::uint64_t param(hv::domain& d, abi::HVM_PARAM p) {
  std::lock_guard lock(d.mu);
  return d.hvm_params[static_cast<std::size_t>(p)];
}
}  // namespace

TEST_CASE("console backend: ring output reaches the sink, input reaches the ring, keys in xenstore") {
  hv::sim::machine m;
  hv::backend::toolstack ts(m.hosts());
  std::mutex mu;
  std::string got;
  REQUIRE(ts.attach(m.dom(0), "guest0", [&](std::string_view s) {
    std::lock_guard lock(mu);
    got += s;
  }));
  REQUIRE(ts.attach(m.dom(0), "guest0", [](std::string_view) {}) == errc::eexist);
  ts.start();
  const auto pfn = param(m.dom(0), abi::HVM_PARAM::CONSOLE_PFN);
  const auto port = param(m.dom(0), abi::HVM_PARAM::CONSOLE_EVTCHN);
  REQUIRE(pfn == hv::xenstore::special_pages::console_gfn);
  REQUIRE(param(m.dom(0), abi::HVM_PARAM::STORE_PFN) == hv::xenstore::special_pages::store_gfn);
  auto& s = ts.store();
  REQUIRE(s.read(s.toolstack(), 0, "/local/domain/0/console/ring-ref").value() == std::to_string(pfn));
  REQUIRE(s.read(s.toolstack(), 0, "/local/domain/0/console/port").value() == std::to_string(port));
  auto* page = reinterpret_cast<abi::xencons_interface*>(
      m.dom(0).mem.translate(xenabi::phys_addr{pfn << 12}, 4096).value().data());
  xenabi::console<sim_env> con(*page, sim_env{&m, static_cast<std::uint32_t>(port)});
  std::string text;
  for (int i = 0; i < 200; ++i) text += "line " + std::to_string(i) + " of console output\n";  // > 2 KiB ring
  REQUIRE(con.write_all(text.data(), text.size()));
  for (int i = 0; i < 2000; ++i) {
    {
      std::lock_guard lock(mu);
      if (got.size() >= text.size()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  {
    std::lock_guard lock(mu);
    REQUIRE(got == text);
  }
  REQUIRE(ts.console().bytes_out(0) == text.size());
  ts.console().input(0, "typed\n");
  char in[16] = {};
  std::size_t n = 0;
  for (int i = 0; i < 2000 && n < 6; ++i) {
    auto r = con.read(in + n, sizeof in - n);
    REQUIRE(r);
    n += r.value();
    if (n < 6) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(std::string(in, n) == "typed\n");
}

TEST_CASE("console backend: corrupt indices abandon that console only") {
  hv::sim::machine m;
  m.add_domain(1);
  hv::backend::toolstack ts(m.hosts());
  std::string out0, out1;
  REQUIRE(ts.attach(m.dom(0), "a", [&](std::string_view s) { out0 += s; }));
  REQUIRE(ts.attach(m.dom(1), "b", [&](std::string_view s) { out1 += s; }));
  auto page = [&](std::uint16_t d) {
    return reinterpret_cast<abi::xencons_interface*>(
        m.dom(d).mem.translate(xenabi::phys_addr{hv::xenstore::special_pages::console_gfn << 12}, 4096).value().data());
  };
  page(0)->out_prod = 100000;  // claims 100000 bytes in a 2048-byte ring
  ts.console().service(0);
  REQUIRE(ts.console().abandoned(0));
  REQUIRE(out0.empty());
  std::memcpy(page(1)->out, "ok\n", 3);
  page(1)->out_prod = 3;
  ts.console().service(1);  // driven by hand: the services' thread is not started here
  REQUIRE_FALSE(ts.console().abandoned(1));
  REQUIRE(out1 == "ok\n");
  REQUIRE(page(1)->out_cons == 3);
}

TEST_CASE("toolstack: the memory map reserves the special pages") {
  const auto map = hv::backend::toolstack::reserve_special_pages(hv::pvh_memory_map(64 << 20));
  constexpr auto ram = static_cast<std::uint64_t>(abi::XEN_HVM_MEMMAP_TYPE::RAM);
  std::uint64_t ram_bytes = 0;
  bool reserved_found = false;
  for (const auto& e : map) {
    if (e[2] == ram) {
      ram_bytes += e[1];
      REQUIRE((e[0] + e[1] <= 0x8000 || e[0] >= 0xa000));  // no RAM entry covers the pages
    }
    if (e[0] == 0x8000 && e[1] == 0x2000 && e[2] != ram) reserved_found = true;
  }
  REQUIRE(reserved_found);
  REQUIRE(ram_bytes == (64u << 20) - 0x60000 - 0x2000);
}
