// Freestanding use of xenabi/timer.hpp (porting-guide/05-time.md refers to this file): many
// software timers multiplexed onto one hardware alarm. The alarm here is the kernel's own type
// (any type with set(system_time) and stop()); xenabi's singleshot and set_timer_op alarms
// make the hypercalls. Linked -nostdlib.
#include <xenabi/timer.hpp>

namespace {
struct kernel_alarm {
  xenabi::u64* programmed;
  xenabi::result<void> set(xenabi::system_time t) {
    *programmed = t.ns_since_epoch();
    return xenabi::ok();
  }
  xenabi::result<void> stop() {
    *programmed = 0;
    return xenabi::ok();
  }
};
xenabi::u64 alarm_at;
unsigned timeouts;
void on_timeout(void*, xenabi::timer_id, xenabi::system_time) { ++timeouts; }
}  // namespace

// [timer]
extern "C" unsigned timer_example(xenabi::u64 now_ns) {
  using namespace xenabi::literals;
  static xenabi::timer_mux<16, kernel_alarm> timers(kernel_alarm{&alarm_at});
  const xenabi::system_time now{now_ns};
  auto retransmit = timers.arm(now + 200_ms, &on_timeout, nullptr);
  auto watchdog = timers.arm(now + 5_s, &on_timeout, nullptr);
  if (!retransmit || !watchdog) return 0;
  (void)timers.cancel(retransmit.value());      // the alarm moves to the watchdog's deadline
  auto ran = timers.on_alarm(now + 6_s);        // what the VIRQ_TIMER handler does
  return (ran ? static_cast<unsigned>(ran.value()) : 0u) + timeouts;
}
// [timer]
