// Test kernel for the frontend path on KVM: the console ring, events, grants and the xenstore
// client against xenhv's xenstored, then a xenbus frontend that connects to a backend in a
// driver domain of the test (frontend_test.cpp). Prints "xs: ..." lines the test checks.
#include <cstddef>
#include <cstdint>

#include <xenabi/arch/x86/cpuid.hpp>
#include <xenabi/arch/x86/hypercall_page.hpp>
#include <xenabi/arch/x86/hypercall_raw.hpp>
#include <xenabi/xenbus.hpp>

#include "kernel.hpp"
#include "xen_guest.hpp"

namespace abi = xenabi::abi;
namespace x86 = xenabi::arch::x86;
using kernel::print;
using kernel::println;
using xenabi::xs_str;

namespace kernel {
void console_write(const char* s, std::size_t n) {
  if (guest::console_ring_write(s, n)) return;
  if (x86::installed_hypercall_page() == nullptr) return;
  (void)x86::raw_hypercall(*x86::installed_hypercall_page(), static_cast<std::uint32_t>(abi::hypercall::console_io),
                           x86::hypercall_reg{static_cast<unsigned>(abi::CONSOLEIO::write)}, x86::hypercall_reg{n},
                           x86::hypercall_reg{reinterpret_cast<std::uintptr_t>(s)});
}
[[noreturn]] void shutdown(abi::SHUTDOWN reason) {
  abi::sched_shutdown s{static_cast<std::uint32_t>(reason)};
  if (x86::installed_hypercall_page() != nullptr) (void)xenabi::sched_op<abi::SCHEDOP::shutdown>(s);
  for (;;) __asm__ __volatile__("cli; hlt");
}
}  // namespace kernel

extern "C" void hello_upcall() { guest::upcall(); }

namespace {

void fail(const char* what, xenabi::errc e) {
  print("xs: FAIL ");
  print(what);
  print(": ");
  println(xenabi::errc_name(e));
  kernel::crash();
}
template <class R>
auto must(R r, const char* what) {
  if (!r) fail(what, r.error());
  if constexpr (!std::is_same_v<R, xenabi::result<void>>) return r.value();
}
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
  auto xen = x86::detect_xen();
  if (!xen) kernel::halt_forever();
  alignas(4096) static x86::hypercall_page page;
  if (!x86::install_hypercall_page(page, xenabi::phys_addr{reinterpret_cast<std::uintptr_t>(&page)}, xen.value()))
    kernel::halt_forever();
  if (!guest::console_ring_init()) println("xs: FAIL no console ring");
  println("xs: console ring up");
  must(guest::init_events(0xf3), "init_events");
  must(guest::init_grants(), "init_grants");
  must(guest::init_xenstore(), "init_xenstore");
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
