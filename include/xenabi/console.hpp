/// \file
/// Console output and input: the paravirtual console ring (`abi::xencons_interface`, shared with
/// the console back end and signalled through an event channel) and, for early boot before the
/// ring is known or when it is absent, the `console_io` hypercall.
///
/// \code
/// struct env { xenabi::port p; void notify() { (void)xenabi::evtchn::send(p); } void wait() {} };
/// xenabi::console<env> con(*console_page, env{console_port});
/// con.write_all("hello\n", 6);
/// char in[64];
/// auto n = con.read(in, sizeof in);
///
/// xenabi::console_io_writer<> early;      // before the ring is mapped: HYPERVISOR_console_io
/// early.write("booting\n", 8);
/// \endcode
///
/// The ring writer notifies the back end after each batch of bytes it publishes, and the
/// reader after it frees space in the input ring (the back end may be waiting for room).
/// `console_io` output is printed by debug builds of Xen (and by xenhv by default); release
/// builds refuse it to unprivileged guests with `errc::eperm`.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/io/console.hpp>
#include <xenabi/byte_ring.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/hypercall.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// What a console needs from its kernel: `notify()` signals the back end (EVTCHNOP_send on the
/// console event channel); `wait()` pauses until the back end may have made progress.
template <class E>
concept console_env = requires(E& e) {
  e.notify();
  e.wait();
};

/// The guest's end of the console ring page, signalling through \p Env.
template <console_env Env>
class console {
 public:
  /// The console of \p page.
  constexpr console(abi::xencons_interface& page, Env env) noexcept : ring_(page), env_(env) {}

  /// Writes as much of \p data as fits now and notifies the back end if anything was written;
  /// returns the number of bytes written (0 if the ring is full), or `errc::eoverflow` if the
  /// ring indices are corrupt.
  constexpr result<std::size_t> write(const char* data, std::size_t len) noexcept {
    auto n = ring_.out.write(data, len);
    if (n && n.value() != 0) env_.notify();
    return n;
  }
  /// Writes all of \p data, waiting (Env::wait) while the ring is full.
  constexpr result<void> write_all(const char* data, std::size_t len) noexcept {
    while (len > 0) {
      auto n = write(data, len);
      if (!n) return n.error();
      data += n.value();
      len -= n.value();
      if (len > 0 && n.value() == 0) env_.wait();
    }
    return {};
  }
  /// Reads up to \p max bytes of input; notifies the back end if any were consumed.
  constexpr result<std::size_t> read(char* out, std::size_t max) noexcept {
    auto n = ring_.in.read(out, max);
    if (n && n.value() != 0) env_.notify();
    return n;
  }
  /// The environment.
  [[nodiscard]] constexpr Env& env() noexcept { return env_; }

 private:
  console_front ring_;
  Env env_;
};

inline namespace XENABI_GUEST_MODE_NS_ {

/// Early-boot console: `HYPERVISOR_console_io(CONSOLEIO_write)` through transport \p T.
template <class T = default_hypercall_transport>
struct console_io_writer {
  /// The largest chunk sent per hypercall.
  static constexpr std::size_t chunk = 4096;
  /// Writes \p len bytes of \p data (in chunks of at most `chunk`); the first hypercall error
  /// (`errc::eperm` from a release build of Xen) stops it.
  result<void> write(const char* data, std::size_t len) const noexcept {
    while (len > 0) {
      const std::size_t n = len < chunk ? len : chunk;
      XENABI_TRY((console_io<abi::CONSOLEIO::write, T>(data, static_cast<std::uint32_t>(n))));
      data += n;
      len -= n;
    }
    return {};
  }
  /// Writes a nul-terminated string.
  result<void> write(const char* s) const noexcept {
    std::size_t n = 0;
    while (s[n] != '\0') ++n;
    return write(s, n);
  }
};

}  // inline namespace XENABI_GUEST_MODE_NS_

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
