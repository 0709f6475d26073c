// Shared test helpers.
#pragma once
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

/// Run-time and compile-time check of a constexpr predicate: the expression is evaluated in a
/// static_assert (compile time) and again with REQUIRE (run time).
#define XENABI_BOTH_REQUIRE(...)   \
  do {                             \
    static_assert(__VA_ARGS__);    \
    REQUIRE((__VA_ARGS__));        \
  } while (false)

namespace xenabi_test {
/// Report a test as skipped (CTest sees "SKIPPED:" and counts it as skipped, never as passed).
inline void skip(const std::string& why) {
  std::printf("SKIPPED: %s\n", why.c_str());
  std::fflush(stdout);
}
}  // namespace xenabi_test

/// Skip the current test case with a reason (reported by CTest as skipped).
#define XENABI_SKIP(why)          \
  do {                            \
    ::xenabi_test::skip(why);     \
    return;                       \
  } while (false)
