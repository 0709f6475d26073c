// Tests for xenabi/core/atomic.hpp: each operation's result and effect, in constant evaluation
// and at run time (XENABI_BOTH_REQUIRE), and the run-time operations are atomic under contention.
#include <xenabi/core/atomic.hpp>
#include <xenabi/core/barrier.hpp>

#include <cstdint>
#include <thread>
#include <vector>

#include "xenabi_test.hpp"

namespace {
constexpr bool exchange_returns_old() {
  std::uint64_t w = 5;
  const std::uint64_t old = xenabi::atomic_exchange(w, std::uint64_t{9});
  return old == 5 && w == 9;
}
constexpr bool fetch_or_and() {
  std::uint32_t w = 0b0101;
  const std::uint32_t a = xenabi::atomic_fetch_or(w, 0b0010u);
  const std::uint32_t b = xenabi::atomic_fetch_and(w, ~0b0001u);
  return a == 0b0101 && b == 0b0111 && w == 0b0110;
}
constexpr bool cas_success_and_failure() {
  std::uint16_t flags = 3;
  std::uint16_t expected = 3;
  const bool ok = xenabi::atomic_compare_exchange(flags, expected, std::uint16_t{0});
  std::uint16_t stale = 7;
  const bool fail = xenabi::atomic_compare_exchange(flags, stale, std::uint16_t{1});
  return ok && flags == 0 && !fail && stale == 0;  // failure reloads the current value
}
constexpr bool store_is_seen() {
  std::uint8_t b = 0;
  xenabi::atomic_store(b, std::uint8_t{1});
  return b == 1;
}
}  // namespace

TEST_CASE("atomic read-modify-write operations return the old value and apply the update", "[core][atomic]") {
  XENABI_BOTH_REQUIRE(exchange_returns_old());
  XENABI_BOTH_REQUIRE(fetch_or_and());
  XENABI_BOTH_REQUIRE(cas_success_and_failure());
  XENABI_BOTH_REQUIRE(store_is_seen());
}

TEST_CASE("atomic_fetch_or from several threads loses no bit", "[core][atomic]") {
  std::uint64_t word = 0;
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 4; ++t) {
    threads.emplace_back([&word, t] {
      for (unsigned i = t; i < 64; i += 4) (void)xenabi::atomic_fetch_or(word, std::uint64_t{1} << i);
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(word == ~std::uint64_t{0});
}

TEST_CASE("atomic_compare_exchange counts exactly under contention", "[core][atomic]") {
  std::uint32_t counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 10000; ++i) {
        std::uint32_t seen = xenabi::read_once(counter);
        while (!xenabi::atomic_compare_exchange(counter, seen, seen + 1)) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(counter == 40000u);
}
