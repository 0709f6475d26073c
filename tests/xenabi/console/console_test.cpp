// console.hpp: ring writes and reads notify the back end only when bytes moved; write_all
// waits while the ring is full and a back-end thread drains it (every byte arrives, in
// order); the console_io writer sends CONSOLEIO_write in chunks and stops at the first error.
#include <xenabi/console.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;

struct count_env {
  unsigned* notifies;
  unsigned* waits;
  constexpr void notify() { ++*notifies; }
  constexpr void wait() { ++*waits; }
};

constexpr bool ring_notifies_only_on_progress() {
  abi::xencons_interface page{};
  unsigned notifies = 0, waits = 0;
  console<count_env> con(page, count_env{&notifies, &waits});
  auto n = con.write("hello\n", 6);
  if (!n || n.value() != 6 || notifies != 1) return false;
  char buf[8]{};
  auto r = con.read(buf, sizeof buf);  // no input: no notification
  if (!r || r.value() != 0 || notifies != 1) return false;
  console_back back(page);
  char got[8]{};
  if (back.out.read(got, 8).value_or(0) != 6 || got[0] != 'h' || got[5] != '\n') return false;
  (void)back.in.write("ok", 2);
  r = con.read(buf, sizeof buf);
  if (!r || r.value() != 2 || buf[0] != 'o' || notifies != 2) return false;
  // a full ring: write returns 0 and does not notify
  char big[2048]{};
  if (con.write(big, sizeof big).value_or(0) != 2048 || notifies != 3) return false;
  return con.write("x", 1).value_or(99) == 0 && notifies == 3 && waits == 0;
}

struct thread_env {
  std::atomic<unsigned>* notifies;
  void notify() { ++*notifies; }
  void wait() { std::this_thread::yield(); }
};

struct rec_xen {
  static inline std::vector<std::string> writes;
  static inline long rc = 0;
  template <class... A>
  static long call(std::uint32_t nr, A... args) noexcept {
    const hypercall_arg a[] = {args..., 0};
    if (nr != static_cast<std::uint32_t>(abi::hypercall::console_io) ||
        a[0] != static_cast<hypercall_arg>(abi::CONSOLEIO::write))
      return -38;
    if (rc != 0) return rc;
    writes.emplace_back(reinterpret_cast<const char*>(a[2]), a[1]);
    return 0;
  }
};
}  // namespace

TEST_CASE("console ring: notifies only when bytes moved / refuses nothing silently") {
  XENABI_BOTH_REQUIRE(ring_notifies_only_on_progress());
}

TEST_CASE("console ring: write_all waits for a draining back end / every byte arrives in order") {
  static abi::xencons_interface page{};
  std::atomic<unsigned> notifies{0};
  console<thread_env> con(page, thread_env{&notifies});
  std::string text;
  for (int i = 0; i < 20000; ++i) text += static_cast<char>('a' + i % 26);
  std::string received;
  std::thread back_end([&] {
    console_back back(page);
    char buf[512];
    while (received.size() < text.size()) {
      auto n = back.out.read(buf, sizeof buf);
      if (n && n.value() > 0) received.append(buf, n.value());
      else std::this_thread::yield();
    }
  });
  REQUIRE(con.write_all(text.data(), text.size()));
  back_end.join();
  REQUIRE(received == text);
  REQUIRE(notifies.load() >= text.size() / 2048);
}

TEST_CASE("console_io writer: CONSOLEIO_write in chunks of at most 4096 / errors stop it") {
  rec_xen::writes.clear();
  console_io_writer<rec_xen> early;
  REQUIRE(early.write("boot\n"));
  std::string big(10000, 'z');
  REQUIRE(early.write(big.data(), big.size()));
  REQUIRE(rec_xen::writes.size() == 4);
  REQUIRE(rec_xen::writes[0] == "boot\n");
  REQUIRE(rec_xen::writes[1].size() == 4096);
  REQUIRE(rec_xen::writes[3].size() == 10000 - 2 * 4096);
  rec_xen::rc = -static_cast<long>(errc::eperm);  // a release build of Xen
  REQUIRE(early.write("x") == errc::eperm);
  rec_xen::rc = 0;
}
