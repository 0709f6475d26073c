// Freestanding use of xenabi/console.hpp (porting-guide/04-console.md refers to this file):
// hypervisor console output first (console_io), then the console ring once its page and event
// channel are known. Linked -nostdlib.
#include <xenabi/console.hpp>
#include <xenabi/event_channel.hpp>

// [console]
namespace {
struct console_env {
  xenabi::port evtchn;
  void notify() { (void)xenabi::evtchn::send(evtchn); }  // wake the console back end
  void wait() { xenabi::cpu_relax(); }                     // or block on the event channel
};
}  // namespace

extern "C" int console_example(xenabi::abi::xencons_interface* ring, xenabi::u32 port) {
  const xenabi::console_io_writer<> early;
  (void)early.write("early boot: hypervisor console\n");  // EPERM on release Xen: ignore
  xenabi::console<console_env> con(*ring, console_env{xenabi::port{port}});
  static const char msg[] = "hello from the console ring\n";
  if (!con.write_all(msg, sizeof msg - 1)) return -1;
  char line[80];
  auto n = con.read(line, sizeof line);  // whatever the user typed
  return n ? static_cast<int>(n.value()) : -1;
}
// [console]
