// timer.hpp's alarms: set_timer_op and the VCPUOP single-shot timer make the right hypercalls
// with the right arguments (recording transport), and a timer_mux drives one of them.
#include <xenabi/timer.hpp>

#include <cstdint>
#include <vector>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;

struct rec_xen {
  struct call_t {
    std::uint32_t nr;
    hypercall_arg a[5];
    std::uint64_t timeout;  // decoded singleshot argument
  };
  static inline std::vector<call_t> calls;
  template <class... A>
  static long call(std::uint32_t nr, A... args) noexcept {
    call_t c{nr, {args...}, 0};
    if (nr == static_cast<std::uint32_t>(abi::hypercall::vcpu_op) &&
        c.a[0] == static_cast<hypercall_arg>(abi::VCPUOP::set_singleshot_timer))
      c.timeout = reinterpret_cast<const abi::vcpu_set_singleshot_timer*>(c.a[2])->timeout_abs_ns;
    calls.push_back(c);
    return 0;
  }
};
static_assert(hypercall_transport<rec_xen>);

unsigned fired = 0;
void on_fire(void*, timer_id, system_time) { ++fired; }
}  // namespace

TEST_CASE("set_timer_op alarm: absolute deadline / 0 cancels / deadline 0 sent as 1") {
  rec_xen::calls.clear();
  set_timer_op_alarm<rec_xen> a;
  REQUIRE(a.set(system_time{123456789}));
  REQUIRE(a.set(system_time{0}));
  REQUIRE(a.stop());
  REQUIRE(rec_xen::calls.size() == 3);
  for (auto& c : rec_xen::calls) REQUIRE(c.nr == static_cast<std::uint32_t>(abi::hypercall::set_timer_op));
  REQUIRE(rec_xen::calls[0].a[0] == 123456789u);
  REQUIRE(rec_xen::calls[1].a[0] == 1u);
  REQUIRE(rec_xen::calls[2].a[0] == 0u);
}

TEST_CASE("singleshot alarm: VCPUOP_set_singleshot_timer / stop_singleshot_timer for its vCPU") {
  rec_xen::calls.clear();
  timer_mux<4, singleshot_alarm<rec_xen>> m(singleshot_alarm<rec_xen>{3});
  auto id = m.arm(system_time{5000}, &on_fire, nullptr);
  REQUIRE(id);
  REQUIRE(rec_xen::calls.size() == 1);
  REQUIRE(rec_xen::calls[0].nr == static_cast<std::uint32_t>(abi::hypercall::vcpu_op));
  REQUIRE(rec_xen::calls[0].a[0] == static_cast<hypercall_arg>(abi::VCPUOP::set_singleshot_timer));
  REQUIRE(rec_xen::calls[0].a[1] == 3u);
  REQUIRE(rec_xen::calls[0].timeout == 5000u);
  REQUIRE(m.cancel(id.value()));
  REQUIRE(rec_xen::calls.size() == 2);
  REQUIRE(rec_xen::calls[1].a[0] == static_cast<hypercall_arg>(abi::VCPUOP::stop_singleshot_timer));
  REQUIRE(rec_xen::calls[1].a[1] == 3u);
  fired = 0;
  REQUIRE(m.arm(system_time{10}, &on_fire, nullptr));
  auto n = m.on_alarm(system_time{10});
  REQUIRE(n);
  REQUIRE(n.value() == 1);
  REQUIRE(fired == 1);
}
