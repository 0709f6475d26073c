// Freestanding use of xenabi/event_channel.hpp (porting-guide/06-event-channels.md refers to
// this file): a handler table, one demultiplexer per vCPU, and the upcall entry that the
// callback vector's interrupt handler calls. Linked -nostdlib.
#include <xenabi/event_channel.hpp>

// [events]
namespace {
xenabi::event_handler_table<256> handlers;  // ports 0..255
unsigned console_events;

void on_console(void*, xenabi::port) { ++console_events; }
}  // namespace

extern "C" unsigned event_channel_example(xenabi::abi::shared_info* shared, unsigned console_port) {
  if (!handlers.bind(xenabi::port{console_port}, &on_console, nullptr)) return 0;
  xenabi::event_demux demux(*shared, shared->vcpu_info[0], handlers);
  // the callback vector's interrupt handler does just this:
  const auto delivered = demux.upcall();
  // keep a port quiet, then let it through again
  xenabi::evtchn_bitmaps<> bitmaps(*shared);
  bitmaps.mask(xenabi::port{console_port});
  if (bitmaps.clear_mask_and_check_pending(xenabi::port{console_port})) {
    // pending while masked: have Xen re-deliver it (EVTCHNOP_unmask)
  }
  return static_cast<unsigned>(delivered) + console_events;
}
// [events]
