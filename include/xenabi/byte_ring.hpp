/// \file
/// Byte-stream rings: the console page (`abi::xencons_interface`) and the xenstore page
/// (`abi::xenstore_domain_interface`) each carry two of them, a power-of-two byte array with a
/// free-running consumer and producer index.
///
/// `byte_ring_writer<N>` is the producing end of one array, `byte_ring_reader<N>` the consuming
/// end; `console_front`, `console_back`, `xenstore_front` and `xenstore_back` bundle the two
/// directions of each page for each side.
///
/// \code
/// xenabi::console_front con(*console_page);
/// auto n = con.out.write("hello\n", 6);   // bytes written (fewer if the ring is full)
/// if (n && n.value() != 0) notify_console_backend();
/// \endcode
///
/// **Hostile peers.** Both indices are read from the page once per operation; if they claim
/// more than N bytes in flight the operation fails with `errc::eoverflow` and touches nothing
/// (xenstore reports that case as `XENSTORE_ERROR::RINGIDX`). Positions are always masked, so
/// no byte outside the array is read or written, and each byte is read once.
///
/// Barriers follow Xen's console and xenstore drivers: a writer reads the indices, issues a full
/// barrier, copies, issues a write barrier and publishes the new producer; a reader reads the
/// indices, issues a read barrier, copies, issues a full barrier and publishes the new consumer.
/// Notifying the peer (an event channel) is the caller's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/abi/io/console.hpp>
#include <xenabi/abi/io/xs_wire.hpp>
#include <xenabi/core/barrier.hpp>
#include <xenabi/core/errno.hpp>
#include <xenabi/core/result.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// The producing end of a byte ring of \p N bytes (a power of two).
template <std::size_t N>
class byte_ring_writer {
  static_assert(N != 0 && (N & (N - 1)) == 0 && N <= 0x80000000u, "byte ring sizes are powers of two");

 public:
  /// Ring size in bytes.
  static constexpr std::uint32_t size = static_cast<std::uint32_t>(N);

  /// The writer of \p buf, whose consumer index is \p cons and producer index \p prod (all in
  /// the shared page).
  constexpr byte_ring_writer(char (&buf)[N], std::uint32_t& cons, std::uint32_t& prod) noexcept
      : buf_(buf), cons_(&cons), prod_(&prod) {}

  /// Free bytes, or `errc::eoverflow` if the indices claim more than N bytes in flight.
  [[nodiscard]] constexpr result<std::uint32_t> space() const noexcept {
    const std::uint32_t c = read_once(*cons_);
    const std::uint32_t p = read_once(*prod_);
    const std::uint32_t used = p - c;
    if (used > size) return errc::eoverflow;
    return size - used;
  }

  /// Writes up to \p len bytes of \p data and publishes them; returns how many were written
  /// (fewer than \p len if the ring fills, 0 if it is full), or `errc::eoverflow`.
  [[nodiscard]] constexpr result<std::size_t> write(const char* data, std::size_t len) noexcept {
    const std::uint32_t c = read_once(*cons_);
    std::uint32_t p = read_once(*prod_);
    mb();  // read the consumer before overwriting freed bytes
    const std::uint32_t used = p - c;
    if (used > size) return errc::eoverflow;
    const std::uint32_t room = size - used;
    const std::uint32_t n = len < room ? static_cast<std::uint32_t>(len) : room;
    for (std::uint32_t i = 0; i < n; ++i) buf_[(p + i) & (size - 1)] = data[i];
    p += n;
    wmb();  // the bytes before the index
    write_once(*prod_, p);
    return std::size_t{n};
  }
  /// `write` for any bytes.
  [[nodiscard]] result<std::size_t> write(const void* data, std::size_t len) noexcept {
    return write(static_cast<const char*>(data), len);
  }

 private:
  char* buf_;
  std::uint32_t* cons_;
  std::uint32_t* prod_;
};

/// The consuming end of a byte ring of \p N bytes (a power of two).
template <std::size_t N>
class byte_ring_reader {
  static_assert(N != 0 && (N & (N - 1)) == 0 && N <= 0x80000000u, "byte ring sizes are powers of two");

 public:
  /// Ring size in bytes.
  static constexpr std::uint32_t size = static_cast<std::uint32_t>(N);

  /// The reader of \p buf, whose consumer index is \p cons and producer index \p prod.
  constexpr byte_ring_reader(const char (&buf)[N], std::uint32_t& cons,
                             std::uint32_t& prod) noexcept
      : buf_(buf), cons_(&cons), prod_(&prod) {}

  /// Bytes waiting, or `errc::eoverflow` if the indices claim more than N.
  [[nodiscard]] constexpr result<std::uint32_t> available() const noexcept {
    const std::uint32_t c = read_once(*cons_);
    const std::uint32_t p = read_once(*prod_);
    const std::uint32_t used = p - c;
    if (used > size) return errc::eoverflow;
    return used;
  }

  /// Copies up to \p max waiting bytes into \p out without consuming them; returns how many.
  [[nodiscard]] constexpr result<std::size_t> peek(char* out, std::size_t max) const noexcept {
    std::uint32_t c = 0;
    return copy(out, max, c);
  }
  /// Copies up to \p max waiting bytes into \p out and consumes them; returns how many, or
  /// `errc::eoverflow`.
  [[nodiscard]] constexpr result<std::size_t> read(char* out, std::size_t max) noexcept {
    std::uint32_t c = 0;
    auto n = copy(out, max, c);
    if (!n) return n;
    mb();  // finish reading before freeing the bytes
    write_once(*cons_, static_cast<std::uint32_t>(c + n.value()));
    return n;
  }
  /// `read` into any buffer.
  [[nodiscard]] result<std::size_t> read(void* out, std::size_t max) noexcept {
    return read(static_cast<char*>(out), max);
  }
  /// `peek` into any buffer.
  [[nodiscard]] result<std::size_t> peek(void* out, std::size_t max) const noexcept {
    return peek(static_cast<char*>(out), max);
  }

 private:
  constexpr result<std::size_t> copy(char* out, std::size_t max, std::uint32_t& c) const noexcept {
    c = read_once(*cons_);
    const std::uint32_t p = read_once(*prod_);
    rmb();  // the index before the bytes
    const std::uint32_t used = p - c;
    if (used > size) return errc::eoverflow;
    const std::uint32_t n = max < used ? static_cast<std::uint32_t>(max) : used;
    for (std::uint32_t i = 0; i < n; ++i) out[i] = buf_[(c + i) & (size - 1)];
    return std::size_t{n};
  }

  const char* buf_;
  std::uint32_t* cons_;
  std::uint32_t* prod_;
};

/// The guest's side of the console page: writes `out`, reads `in`.
struct console_front {
  byte_ring_writer<sizeof(abi::xencons_interface::out)> out;  ///< Output to the back end.
  byte_ring_reader<sizeof(abi::xencons_interface::in)> in;    ///< Input from the back end.
  /// Both directions of \p page.
  constexpr explicit console_front(abi::xencons_interface& page) noexcept
      : out(page.out, page.out_cons, page.out_prod), in(page.in, page.in_cons, page.in_prod) {}
};

/// The console back end's side of the page: reads `out`, writes `in`.
struct console_back {
  byte_ring_reader<sizeof(abi::xencons_interface::out)> out;  ///< Output from the guest.
  byte_ring_writer<sizeof(abi::xencons_interface::in)> in;    ///< Input to the guest.
  /// Both directions of \p page.
  constexpr explicit console_back(abi::xencons_interface& page) noexcept
      : out(page.out, page.out_cons, page.out_prod), in(page.in, page.in_cons, page.in_prod) {}
};

/// The guest's side of the xenstore page: writes requests, reads replies and watch events.
struct xenstore_front {
  byte_ring_writer<abi::XENSTORE::RING_SIZE> req;  ///< Requests to xenstored.
  byte_ring_reader<abi::XENSTORE::RING_SIZE> rsp;  ///< Replies from xenstored.
  /// Both directions of \p page.
  constexpr explicit xenstore_front(abi::xenstore_domain_interface& page) noexcept
      : req(page.req, page.req_cons, page.req_prod), rsp(page.rsp, page.rsp_cons, page.rsp_prod) {}
};

/// xenstored's side of a guest's xenstore page: reads requests, writes replies.
struct xenstore_back {
  byte_ring_reader<abi::XENSTORE::RING_SIZE> req;  ///< Requests from the guest.
  byte_ring_writer<abi::XENSTORE::RING_SIZE> rsp;  ///< Replies to the guest.
  /// Both directions of \p page.
  constexpr explicit xenstore_back(abi::xenstore_domain_interface& page) noexcept
      : req(page.req, page.req_cons, page.req_prod), rsp(page.rsp, page.rsp_cons, page.rsp_prod) {}
};

static_assert(decltype(console_front::out)::size == 2048 && decltype(console_front::in)::size == 1024);
static_assert(decltype(xenstore_front::req)::size == 1024 && decltype(xenstore_front::rsp)::size == 1024);

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
