// Freestanding use of xenabi/clock.hpp (porting-guide/05-time.md refers to this file): read
// system time, virtual time and wall-clock time the way a guest kernel does. Linked -nostdlib.
#include <xenabi/clock.hpp>

namespace {
xenabi::u64 clock_last_seen;  // shared by every vCPU's clock: the unstable-TSC fallback
}  // namespace

// [clock]
// `shared` is the shared_info page, `runstate` this vCPU's registered run-state area.
extern "C" xenabi::u64 clock_example(const xenabi::abi::shared_info* shared,
                                     const xenabi::abi::vcpu_runstate_info* runstate) {
  using namespace xenabi::literals;
  xenabi::system_clock clk(shared->vcpu_info[0].time, clock_last_seen);
  const xenabi::system_time t0 = clk.now();                        // ns since host boot
  const xenabi::virtual_time v = xenabi::virtual_time_at(*runstate, t0);  // ns this vCPU ran
  const xenabi::wall_time wall = xenabi::wall_clock_at(*shared, t0);      // since 1970
  const xenabi::duration elapsed = clk.now() - t0;
  return wall.sec + v.ns_since_epoch() + (elapsed > 1_ms ? 1u : 0u);
}
// [clock]
