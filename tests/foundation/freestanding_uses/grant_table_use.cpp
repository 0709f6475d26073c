// Freestanding use of xenabi/grant_table.hpp (porting-guide/07-memory.md refers to this file):
// share a ring page with a back end and take it back safely. Linked -nostdlib.
#include <xenabi/grant_table.hpp>

namespace {
alignas(4096) xenabi::abi::grant_entry_v1 grant_entries[512];  // one frame of v1 entries
}  // namespace

// [grants]
extern "C" int grant_table_example(xenabi::u64 ring_frame, xenabi::u16 backend) {
  auto size = xenabi::grant_query_size();   // how many frames Xen allows
  if (!size) return -1;
  static xenabi::grant_table<512> gt(grant_entries);  // PVH: map the frame with add_to_physmap
  auto ref = gt.grant_access(xenabi::domain_id{backend}, xenabi::gfn{ring_frame}, false);
  if (!ref) return -2;
  // ... write ref.value() to xenstore, run the device, disconnect ...
  auto e = gt.end_access(ref.value());
  if (e == xenabi::errc::ebusy) return 1;  // the back end still maps the page: try later
  return e ? 0 : -3;
}
// [grants]
