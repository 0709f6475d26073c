// Tests for xenabi/core/result.hpp and errno.hpp: compile time and run time.
#include <xenabi/core/errno.hpp>
#include <xenabi/core/result.hpp>

#include <cstring>

#include "xenabi_test.hpp"

using xenabi::errc;
using xenabi::result;

namespace {
constexpr result<int> half(int v) {
  if (v % 2) return errc::einval;
  return v / 2;
}
constexpr result<void> check_even(int v) {
  XENABI_TRY(half(v));
  return xenabi::ok();
}
}  // namespace

TEST_CASE("result holds a value or a Xen errno", "[core][result]") {
  XENABI_BOTH_REQUIRE(half(4).has_value() && half(4).value() == 2);
  XENABI_BOTH_REQUIRE(!half(3).has_value() && half(3).error() == errc::einval);
  XENABI_BOTH_REQUIRE(half(3) == errc::einval);
  XENABI_BOTH_REQUIRE(half(3).value_or(-1) == -1);
  XENABI_BOTH_REQUIRE(half(8).and_then(half).value() == 2);
  XENABI_BOTH_REQUIRE(half(6).and_then(half) == errc::einval);
  XENABI_BOTH_REQUIRE(half(8).transform([](int v) { return v + 1; }).value() == 5);
  XENABI_BOTH_REQUIRE(check_even(2).has_value());
  XENABI_BOTH_REQUIRE(check_even(3) == errc::einval);
}

TEST_CASE("hypercall return codes map to results", "[core][result]") {
  XENABI_BOTH_REQUIRE(xenabi::from_hypercall_rc(0).value() == 0);
  XENABI_BOTH_REQUIRE(xenabi::from_hypercall_rc(0x40011).value() == 0x40011);
  XENABI_BOTH_REQUIRE(xenabi::from_hypercall_rc(-38) == errc::enosys);
  XENABI_BOTH_REQUIRE(xenabi::from_hypercall_rc_void(-14) == errc::efault);
  XENABI_BOTH_REQUIRE(xenabi::from_hypercall_rc_void(3).has_value());
  XENABI_BOTH_REQUIRE(xenabi::to_hypercall_rc(errc::eperm) == -1);
}

TEST_CASE("Xen errno names and numbers", "[core][errno]") {
  XENABI_BOTH_REQUIRE(static_cast<int>(errc::enosys) == 38);
  XENABI_BOTH_REQUIRE(static_cast<int>(errc::econnrefused) == 111);
  XENABI_BOTH_REQUIRE(xenabi::ewouldblock == errc::eagain);
  XENABI_BOTH_REQUIRE(xenabi::edeadlock == errc::edeadlk);
  XENABI_BOTH_REQUIRE(xenabi::errc_count == 49);
  XENABI_BOTH_REQUIRE(xenabi::is_xen_errno(14) && !xenabi::is_xen_errno(15));
  REQUIRE(std::strcmp(xenabi::errc_name(errc::enosys), "ENOSYS") == 0);
  REQUIRE(std::strcmp(xenabi::errc_name(static_cast<errc>(15)), "E?") == 0);
  REQUIRE(std::strcmp(xenabi::errc_description(errc::efault), "Bad address") == 0);
}
