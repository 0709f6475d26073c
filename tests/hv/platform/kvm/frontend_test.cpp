// End to end on /dev/kvm: a guest kernel (xenstore_kernel.cpp) uses the console ring, the
// xenstore client through its ring page (read, write, watch, transaction, permissions) and a
// xenbus frontend; a backend in a driver domain of this process maps the granted page and
// connects. Everything goes through xenhv's toolstack services (xenstored, console backend).
#include <hv/backend/toolstack.hpp>
#include <hv/platform/kvm/runner.hpp>
#include <xenabi/xenbus.hpp>

#include <atomic>
#include <fstream>
#include <iterator>
#include <string>

#include "xenabi_test.hpp"

namespace {
std::vector<std::uint8_t> read(const char* path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
std::string lower_state(hv::xenstore::client& xs, const std::string& p) {
  auto r = xs.read(p);
  return r ? r.value() : std::string("0");
}
}  // namespace

TEST_CASE("kvm frontend: console ring, xenstore ring and a xenbus connection to a driver-domain backend") {
  if (!hv::kvm::system::available()) XENABI_SKIP("/dev/kvm is not available on this host");
  hv::kvm::system sys;
  hv::tracer tr(hv::trace_mode::off);
  hv::host h(tr);
  hv::backend::toolstack ts(h);
  ts.start();
  hv::backend::driver_domain be(h, ts.store(), hv::backend::driver_domain::next_free_id(h), "testback");
  const hv::backend::device_spec dev{.backend = be.id(), .frontend = 0, .type = "vbd", .devid = 51712};
  REQUIRE(hv::backend::create_device(ts.store(), dev));
  const std::string fe_dir = hv::backend::frontend_path(dev), be_dir = hv::backend::backend_path(dev);

  // The backend: follows xenbus's backend table; on connect maps the ring grant and checks it.
  std::atomic<bool> page_ok{false};
  std::string seen_pattern;
  auto& xs = be.xs();
  auto step = [&] {
    using S = xenabi::abi::XenbusState;
    auto self = xenabi::parse_xenbus_state(xenabi::xs_str(lower_state(xs, be_dir + "/state").c_str()));
    auto peer = xenabi::parse_xenbus_state(xenabi::xs_str(lower_state(xs, fe_dir + "/state").c_str()));
    if (!self || !peer) return;
    switch (xenabi::backend_step(self.value(), peer.value())) {
      case xenabi::xenbus_action::init_wait:
        (void)xs.write(be_dir + "/state", std::to_string(static_cast<int>(S::InitWait)));
        break;
      case xenabi::xenbus_action::connect: {
        auto ref = xs.read(fe_dir + "/ring-ref");
        auto port = xs.read(fe_dir + "/event-channel");
        if (!ref || !port) return;
        auto hnd = be.map(0, static_cast<std::uint32_t>(std::stoul(ref.value())), false);
        if (!hnd) return;
        auto f = be.frame(hnd.value());
        if (!f) return;
        seen_pattern = std::string(reinterpret_cast<const char*>(f.value().bytes.data()));
        auto lp = be.bind_interdomain(0, static_cast<std::uint32_t>(std::stoul(port.value())));
        if (!lp) return;
        (void)xs.write(be_dir + "/state", std::to_string(static_cast<int>(S::Connected)));
        page_ok = seen_pattern == "xenabi-grant-pattern";
        (void)be.notify(lp.value());
        break;
      }
      default:
        break;
    }
  };
  be.on_watch([&](const hv::xenstore::watch_event&) { step(); });
  REQUIRE(xs.watch(fe_dir + "/state", "fe"));
  REQUIRE(xs.watch(be_dir + "/state", "self"));
  be.start();

  hv::kvm::boot_options opt;
  opt.mem = 16 << 20;
  opt.echo_console = false;
  opt.services = &ts;
  opt.name = "frontend-test";
  auto img = read(XENHV_XENSTORE_ELF);
  hv::kvm::domain_runner r(sys, h, 0, img, opt);
  r.run();
  be.stop();
  const std::string out = r.console();
  INFO(out);
  REQUIRE(r.dom().shutdown() == hv::shutdown_kind::poweroff);
  REQUIRE(r.vm().crash_report().empty());
  for (const char* line : {"xs: console ring up\n", "xs: name frontend-test\n", "xs: domid 0\n",
                           "xs: home /local/domain/0\n", "xs: data/hello = world\n", "xs: /tool -> EACCES\n",
                           "xs: watch fired data tok\n", "xs: watch fired data/x\n", "xs: transaction committed\n",
                           "xs: vbd devices 1\n", "xs: xenbus connected\n", "xs: backend notified\n", "xs: done\n"})
    REQUIRE(out.find(line) != std::string::npos);
  REQUIRE(out.find("xs: backend-id " + std::to_string(be.id()) + "\n") != std::string::npos);
  REQUIRE(ts.console().bytes_out(0) == out.size());  // every byte came through the console ring
  REQUIRE(page_ok);
  REQUIRE(ts.store().read(ts.store().toolstack(), 0, fe_dir + "/state").value() == "4");
}
