// Freestanding use of xenabi/xenbus.hpp (porting-guide/08-xenstore.md refers to this file): a
// block frontend finds its device, grants its ring page and publishes ring-ref and
// event-channel when the backend is ready, then follows the backend's state to Connected.
// Linked -nostdlib.
#include <xenabi/xenbus.hpp>

namespace {
struct store_env {
  void (*send_event)();  // EVTCHNOP_send on the store event channel, in a real kernel
  void notify() { send_event(); }
  void wait() { xenabi::cpu_relax(); }  // or: block until the store event channel fires
};
void no_event() {}
using client = xenabi::xenstore_client<store_env>;
}  // namespace

// [xenbus]
struct blk_ops {
  xenabi::u32 ring_ref;  // granted to fe.backend_id() by the kernel's grant table
  xenabi::u32 port;      // EVTCHNOP_alloc_unbound for fe.backend_id()
  xenabi::result<void> publish(client& xs, const xenabi::xenbus_frontend<client>& fe, xenabi::u32 tx) {
    char d[10];
    XENABI_TRY(xs.write(fe.key("ring-ref").str(), xenabi::xs_str{d, xenabi::format_xs_u32(ring_ref, d)}, tx));
    return xs.write(fe.key("event-channel").str(), xenabi::xs_str{d, xenabi::format_xs_u32(port, d)}, tx);
  }
  void connected() {}   // start issuing requests
  void disconnect() {}  // backend gone: forget the ring, keep requests for re-issue
};

extern "C" int xenbus_example(xenabi::abi::xenstore_domain_interface* page) {
  store_env env{&no_event};
  client xs(*page, env);
  xenabi::u32 ids[4];
  auto n = xenabi::list_devices(xs, "vbd", ids, 4);  // device/vbd/<id>...
  if (!n || n.value() == 0) return -1;
  xenabi::xenbus_frontend<client> fe(xs, "vbd", ids[0]);
  if (!fe.probe()) return -2;  // reads backend and backend-id
  if (!fe.watch_backend_state("be")) return -3;
  blk_ops ops{8, 5};
  char ev[256];
  while (fe.state() != xenabi::abi::XenbusState::Connected) {
    if (!fe.step(ops)) return -4;  // publish / connect / reconnect / close, by the state table
    if (fe.state() != xenabi::abi::XenbusState::Connected && !xs.next_watch_event(ev, sizeof ev)) return -5;
  }
  return static_cast<int>(fe.backend_id());
}
// [xenbus]
