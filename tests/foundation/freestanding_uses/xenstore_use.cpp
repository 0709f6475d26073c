// Freestanding use of xenabi/xenstore.hpp (porting-guide/08-xenstore.md refers to this file):
// a front end reads its backend path, publishes its state in a transaction and watches the
// backend. The Env says how to signal xenstored and how to wait. Linked -nostdlib.
#include <xenabi/xenstore.hpp>

namespace {
struct store_env {
  void (*send_event)();  // EVTCHNOP_send on the store event channel, in a real kernel
  void notify() { send_event(); }
  void wait() { xenabi::cpu_relax(); }  // or: block until the store event channel fires
};
void no_event() {}
}  // namespace

// [xenstore]
extern "C" int xenstore_example(xenabi::abi::xenstore_domain_interface* page) {
  store_env env{&no_event};
  xenabi::xenstore_client<store_env> xs(*page, env);
  char backend[128];
  auto n = xs.read("device/vif/0/backend", backend, sizeof backend);
  if (!n) return -static_cast<int>(n.error());
  auto r = xs.transact([&](xenabi::u32 tx) -> xenabi::result<void> {
    XENABI_TRY(xs.write("device/vif/0/event-channel", "5", tx));
    return xs.write("device/vif/0/state", "3", tx);  // XenbusStateInitialised
  });
  if (!r) return -static_cast<int>(r.error());
  if (!xs.watch(xenabi::xs_str(backend, n.value()), "be")) return -1;
  char ev[256];
  auto e = xs.next_watch_event(ev, sizeof ev);
  return e ? static_cast<int>(e.value().path.size) : -1;
}
// [xenstore]
