// The default transport end to end: typed wrapper -> page_transport -> raw call sequence ->
// a hypercall page of real x86 code (tests/support/fake_hypercall_page.*), which records the
// registers it receives.
#include <xenabi/hypercall.hpp>

#include <cstdint>

#include "fake_hypercall_page.hpp"
#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using xenabi::errc;

TEST_CASE("page_transport calls the installed page with the hypercall's registers") {
  xenabi::arch::x86::use_hypercall_page(xenabi_test_fake_page);
  REQUIRE(xenabi::arch::x86::installed_hypercall_page() == &xenabi_test_fake_page);

  fake_page_arm(2, 0);
  abi::evtchn_send s{};
  s.port = 11;
  REQUIRE(xenabi::event_channel_op<abi::EVTCHNOP::send>(s).has_value());
  REQUIRE(xenabi_test_fake_rec.slot == 32);
  REQUIRE(xenabi_test_fake_rec.ax == 32);
  REQUIRE(xenabi_test_fake_rec.a[0] == 4);
  REQUIRE(xenabi_test_fake_rec.a[1] == reinterpret_cast<std::uintptr_t>(&s));

  fake_page_arm(2, static_cast<std::uintptr_t>(-22));
  REQUIRE(xenabi::event_channel_op<abi::EVTCHNOP::send>(s) == errc::einval);

  fake_page_arm(2, 0x00040011);
  REQUIRE(xenabi::xen_version<abi::XENVER::version>().value() == 0x00040011);
  REQUIRE(xenabi_test_fake_rec.slot == 17);
}

TEST_CASE("page_transport: four arguments (mmu_update) and a split 64-bit value") {
  xenabi::arch::x86::use_hypercall_page(xenabi_test_fake_page);
  abi::mmu_update u{};
  xenabi::u32 done = 0;
  fake_page_arm(4, 0);
  REQUIRE(xenabi::mmu_update(&u, 1, &done, abi::DOMID::SELF).has_value());
  REQUIRE(xenabi_test_fake_rec.slot == 1);
  REQUIRE(xenabi_test_fake_rec.a[0] == reinterpret_cast<std::uintptr_t>(&u));
  REQUIRE(xenabi_test_fake_rec.a[1] == 1);
  REQUIRE(xenabi_test_fake_rec.a[2] == reinterpret_cast<std::uintptr_t>(&done));
  REQUIRE(xenabi_test_fake_rec.a[3] == abi::DOMID::SELF);

  fake_page_arm(2, 0);
  REQUIRE(xenabi::set_timer_op(0x0000'0001'8000'0000ull).has_value());
  REQUIRE(xenabi_test_fake_rec.slot == 15);
#if defined(__x86_64__)
  REQUIRE(xenabi_test_fake_rec.a[0] == 0x0000'0001'8000'0000ull);
#else
  REQUIRE(xenabi_test_fake_rec.a[0] == 0x8000'0000u);  // ebx: low half
  REQUIRE(xenabi_test_fake_rec.a[1] == 1u);            // ecx: high half
#endif
}
