// Test kernel for the frontend path on KVM: the console ring, events, grants and the xenstore
// client against xenhv's xenstored, then a xenbus frontend that connects to a backend in a
// driver domain of the test (frontend_test.cpp). Prints "xs: ..." lines the test checks.
#include <cstddef>
#include <cstdint>

#include <xenabi/xenbus.hpp>

#include "kernel.hpp"
#include "xen_guest.hpp"

namespace abi = xenabi::abi;
using guest::must;
using kernel::print;
using kernel::println;
using xenabi::xs_str;

// kernel::console_write, kernel::shutdown and the upcall: examples/hello/xen_guest_hooks.cpp.

namespace {

void print_str(xs_str s) {
  char b[128];
  std::size_t n = s.size < sizeof b - 1 ? s.size : sizeof b - 1;
  for (std::size_t i = 0; i < n; ++i) b[i] = s.data[i];
  b[n] = '\0';
  print(b);
}

// The page the frontend grants to the backend, with a pattern the backend checks.
alignas(4096) constinit char shared_ring[4096] = "xenabi-grant-pattern";
constinit std::uint32_t device_port = 0;

struct frontend_ops {
  xenabi::result<void> publish(guest::xs_client& xs, const xenabi::xenbus_frontend<guest::xs_client>& fe,
                               xenabi::u32 tx) {
    auto ref = guest::grants().grant_access(xenabi::domain_id{fe.backend_id()}, guest::frame_of(shared_ring), false);
    if (!ref) return ref.error();
    if (device_port == 0) {
      auto p = xenabi::evtchn::alloc_unbound(xenabi::domain_id{fe.backend_id()});
      if (!p) return p.error();
      device_port = p.value().value();
      XENABI_TRY(guest::flag_port(p.value()));
    }
    char d[10]{};
    XENABI_TRY(xs.write(fe.key("ring-ref").str(), xs_str{d, xenabi::format_xs_u32(ref.value().value(), d)}, tx));
    return xs.write(fe.key("event-channel").str(), xs_str{d, xenabi::format_xs_u32(device_port, d)}, tx);
  }
  void connected() {}
  void disconnect() {}
};

}  // namespace

extern "C" [[noreturn]] void kmain(std::uint32_t) {
  if (!guest::start_frontend("xs")) println("xs: FAIL no console ring");
  println("xs: console ring up");
  auto& xs = guest::xenstore();
  char buf[256];

  auto n = must(xs.read("name", buf, sizeof buf), "read name");
  print("xs: name ");
  print_str(xs_str{buf, n});
  println("");
  n = must(xs.read("domid", buf, sizeof buf), "read domid");
  print("xs: domid ");
  print_str(xs_str{buf, n});
  println("");
  n = must(xs.get_domain_path(0, buf, sizeof buf), "get_domain_path");
  print("xs: home ");
  print_str(xs_str{buf, n});
  println("");

  must(xs.write("data/hello", "world"), "write");
  n = must(xs.read("data/hello", buf, sizeof buf), "read back");
  print("xs: data/hello = ");
  print_str(xs_str{buf, n});
  println("");
  auto denied = xs.read("/tool", buf, sizeof buf);
  print("xs: /tool -> ");
  println(denied ? "readable" : xenabi::errc_name(denied.error()));

  must(xs.watch("data", "tok"), "watch");
  auto ev = must(xs.next_watch_event(buf, sizeof buf), "first watch event");
  print("xs: watch fired ");
  print_str(ev.path);
  print(" ");
  print_str(ev.token);
  println("");
  must(xs.write("data/x", "1"), "write data/x");
  ev = must(xs.next_watch_event(buf, sizeof buf), "watch event");
  print("xs: watch fired ");
  print_str(ev.path);
  println("");

  must(xs.transact([&](xenabi::u32 tx) -> xenabi::result<void> {
         char v[16];
         XENABI_TRY(xs.read("data/hello", v, sizeof v, tx));
         return xs.write("data/tx", "committed", tx);
       }),
       "transaction");
  n = must(xs.read("data/tx", buf, sizeof buf), "read data/tx");
  print("xs: transaction ");
  print_str(xs_str{buf, n});
  println("");

  // xenbus: find the block device the toolstack created and connect to its backend
  xenabi::u32 ids[4];
  const auto count = must(xenabi::list_devices(xs, "vbd", ids, 4), "list_devices");
  print("xs: vbd devices ");
  kernel::print_dec(count);
  println("");
  if (count == 0) kernel::crash();
  xenabi::xenbus_frontend<guest::xs_client> fe(xs, "vbd", ids[0]);
  must(fe.probe(), "probe");
  print("xs: backend-id ");
  kernel::print_dec(fe.backend_id());
  println("");
  must(fe.watch_backend_state("be"), "watch backend state");
  frontend_ops ops;
  while (fe.state() != abi::XenbusState::Connected) {
    must(fe.step(ops), "xenbus step");
    if (fe.state() != abi::XenbusState::Connected) (void)must(xs.next_watch_event(buf, sizeof buf), "backend event");
  }
  println("xs: xenbus connected");
  guest::wait_for(xenabi::port{device_port});  // the backend notifies once it has read the page
  println("xs: backend notified");
  println("xs: done");
  kernel::flush();
  kernel::shutdown(abi::SHUTDOWN::poweroff);
}
