/// \file
/// A xenstore client over the shared interface page (`abi::xenstore_domain_interface`): read,
/// write, mkdir, rm, directory, permissions, transactions (with an EAGAIN retry helper), watches
/// and watch events. No heap: replies go into buffers the caller passes; watch events that
/// arrive while a reply is awaited wait in a queue whose size is a template parameter.
///
/// \code
/// struct env {                        // how the client signals and waits (the caller's kernel)
///   xenabi::port store_port;
///   void notify() { xenabi::send(store_port); }  // EVTCHNOP_send
///   void wait() { block_until_event(); }          // or spin with cpu_relax()
/// };
/// env e{...};
/// xenabi::xenstore_client<env> xs(*store_page, e);
/// char name[64];
/// auto n = xs.read("device/vif/0/backend", name, sizeof name);
/// if (!n) log(xenabi::errc_name(n.error()));
/// auto r = xs.transact([&](xenabi::u32 tx) -> xenabi::result<void> {
///   XENABI_TRY(xs.write("device/vif/0/state", "4", tx));
///   return xenabi::ok();
/// });
/// \endcode
///
/// **Protocol.** Every message is a 16-byte `xsd_sockmsg` (type, req_id, tx_id, len) followed
/// by `len` payload bytes, at most `XENSTORE_PAYLOAD_MAX` (4096). Requests are written to the
/// `req` ring, replies and `XS_WATCH_EVENT`s are read from the `rsp` ring; both rings are 1024
/// bytes, so long messages travel in pieces: the client notifies xenstored whenever it has
/// produced or consumed bytes and waits (`Env::wait()`) whenever a ring is full or empty. One
/// request is outstanding at a time; its reply must carry the same `req_id`. An `XS_ERROR`
/// reply's payload is an error name ("ENOENT"), mapped to `errc` with Xen's table
/// (`abi::xsd_error_from_name`).
///
/// **Errors of this client.** `errc::e2big`: a request's payload would exceed 4096 bytes (nothing
/// is sent). `errc::enobufs`: the reply did not fit the caller's buffer (it is consumed and
/// dropped; the call has still been executed by xenstored). `errc::ebadmsg`: xenstored broke
/// the protocol (reply longer than 4096, wrong req_id, unexpected type); `errc::eoverflow`: the
/// ring indices were corrupt. After `ebadmsg`/`eoverflow` the connection is unusable
/// (`broken()`), every later call fails with `errc::eio`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/abi/io/xs_wire.hpp>
#include <xenabi/byte_ring.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// A piece of text: pointer and length (not necessarily nul-terminated).
struct xs_str {
  const char* data = nullptr;  ///< First character.
  std::size_t size = 0;        ///< Number of characters.
  /// Empty.
  constexpr xs_str() noexcept = default;
  /// The nul-terminated string \p s (without its nul).
  constexpr xs_str(const char* s) noexcept : data(s) {  // NOLINT(implicit)
    while (s[size] != '\0') ++size;
  }
  /// \p n characters at \p s.
  constexpr xs_str(const char* s, std::size_t n) noexcept : data(s), size(n) {}
  /// True if both hold the same characters.
  friend constexpr bool operator==(xs_str a, xs_str b) noexcept {
    if (a.size != b.size) return false;
    for (std::size_t i = 0; i < a.size; ++i)
      if (a.data[i] != b.data[i]) return false;
    return true;
  }
};

/// What a client needs from its kernel: `notify()` signals xenstored (EVTCHNOP_send on the
/// store event channel), `wait()` blocks until xenstored may have made progress (an event on
/// that channel, or simply a pause).
template <class E>
concept xenstore_env = requires(E& e) {
  e.notify();
  e.wait();
};

/// A permission kind in a xenstore permission list.
enum class xs_perm_kind : char {
  none = 'n',   ///< No access.
  read = 'r',   ///< Read access.
  write = 'w',  ///< Write access.
  both = 'b',   ///< Read and write access.
};

/// One entry of a node's permission list. The first entry names the owner and the access of
/// every domain not listed.
struct xs_perm {
  xs_perm_kind kind;  ///< The access.
  u16 domid;          ///< The domain.
  /// Equal if kind and domain are equal.
  friend constexpr bool operator==(const xs_perm&, const xs_perm&) noexcept = default;
};

/// A watch event: the path that changed and the token given to `watch()` (both point into the
/// buffer the event was read into).
struct xs_watch_event {
  xs_str path;   ///< The node that changed.
  xs_str token;  ///< The watch's token.
};

/// Parses an `XS_WATCH_EVENT` payload ("path\0token\0"): `errc::ebadmsg` if it does not hold
/// two nul-terminated strings.
[[nodiscard]] constexpr result<xs_watch_event> parse_watch_event(const char* p,
                                                                 std::size_t len) noexcept {
  std::size_t a = 0;
  while (a < len && p[a] != '\0') ++a;
  if (a >= len) return errc::ebadmsg;
  std::size_t b = a + 1;
  while (b < len && p[b] != '\0') ++b;
  if (b >= len) return errc::ebadmsg;
  return xs_watch_event{xs_str{p, a}, xs_str{p + a + 1, b - a - 1}};
}

/// Calls \p f with each nul-terminated string of a reply (`XS_DIRECTORY` children,
/// permission entries); returns how many there were.
template <class F>
constexpr std::size_t for_each_xs_string(const char* p, std::size_t len, F&& f) noexcept {
  std::size_t count = 0, start = 0;
  for (std::size_t i = 0; i < len; ++i)
    if (p[i] == '\0') {
      f(xs_str{p + start, i - start});
      ++count;
      start = i + 1;
    }
  if (start < len) {  // a last string without its nul
    f(xs_str{p + start, len - start});
    ++count;
  }
  return count;
}

/// Parses an unsigned decimal number (a sector count, a feature value): `errc::einval` if \p s
/// is empty or holds a non-digit, `errc::erange` if it exceeds 64 bits.
[[nodiscard]] constexpr result<u64> parse_xs_u64(xs_str s) noexcept {
  if (s.size == 0) return errc::einval;
  u64 v = 0;
  for (std::size_t i = 0; i < s.size; ++i) {
    if (s.data[i] < '0' || s.data[i] > '9') return errc::einval;
    const u64 d = static_cast<u64>(s.data[i] - '0');
    if (v > (~u64{0} - d) / 10) return errc::erange;
    v = v * 10 + d;
  }
  return v;
}

/// Parses an unsigned decimal number (a transaction id, a domain id): `errc::einval` if \p s
/// is empty or holds a non-digit, `errc::erange` if it exceeds 32 bits.
[[nodiscard]] constexpr result<u32> parse_xs_u32(xs_str s) noexcept {
  auto v = parse_xs_u64(s);
  if (!v) return v.error();
  if (v.value() > 0xffffffffu) return errc::erange;
  return static_cast<u32>(v.value());
}

/// Writes \p v in decimal to \p out (at least 10 bytes) and returns the number of digits.
constexpr std::size_t format_xs_u32(u32 v, char* out) noexcept {
  char tmp[10]{};
  std::size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (std::size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  return n;
}

/// Parses a permission list ("n0\0r5\0") into \p out (capacity \p cap): the number of entries,
/// `errc::ebadmsg` for a malformed entry, `errc::enobufs` if there are more than \p cap.
[[nodiscard]] constexpr result<std::size_t> parse_xs_perms(const char* p, std::size_t len,
                                                           xs_perm* out,
                                                           std::size_t cap) noexcept {
  std::size_t n = 0;
  bool bad = false;
  for_each_xs_string(p, len, [&](xs_str s) {
    if (bad) return;
    if (s.size < 2) {
      bad = true;
      return;
    }
    const char k = s.data[0];
    if (k != 'n' && k != 'r' && k != 'w' && k != 'b') {
      bad = true;
      return;
    }
    auto d = parse_xs_u32(xs_str{s.data + 1, s.size - 1});
    if (!d || d.value() > 0xffffu) {
      bad = true;
      return;
    }
    if (n < cap) out[n] = xs_perm{static_cast<xs_perm_kind>(k), static_cast<u16>(d.value())};
    ++n;
  });
  if (bad) return errc::ebadmsg;
  if (n > cap) return errc::enobufs;
  return n;
}

/// A xenstore client over \p page, signalling and waiting through \p Env (xenstore_env).
/// \p WatchQueue watch events of up to \p WatchEventMax payload bytes each can wait while a
/// request is in flight; more are dropped and counted (`dropped_watch_events()`), and a kernel
/// that cares re-reads the watched nodes.
template <class Env, std::size_t WatchQueue = 4, std::size_t WatchEventMax = 256>
  requires xenstore_env<Env>
class xenstore_client {
  static_assert(WatchQueue > 0 && WatchEventMax >= 2, "room for at least one watch event");

 public:
  /// The largest payload of one message (`XENSTORE_PAYLOAD_MAX`).
  static constexpr std::size_t payload_max = abi::XENSTORE::PAYLOAD_MAX;

  /// A client of the interface page \p page.
  constexpr xenstore_client(abi::xenstore_domain_interface& page, Env& env) noexcept
      : ring_(page), env_(&env) {}

  /// Reads node \p path into \p buf (capacity \p cap; the value is not nul-terminated) and
  /// returns its length.
  [[nodiscard]] constexpr result<std::size_t> read(xs_str path, char* buf, std::size_t cap,
                                                   u32 tx = 0) noexcept {
    const xs_str parts[] = {path};
    return request(abi::XS::READ, tx, parts, 1, true, buf, cap);
  }
  /// Writes \p value to node \p path (creating it and its parents).
  [[nodiscard]] constexpr result<void> write(xs_str path, xs_str value, u32 tx = 0) noexcept {
    const xs_str parts[] = {path, value};
    return drop(request(abi::XS::WRITE, tx, parts, 2, false, nullptr, 0));
  }
  /// Creates node \p path (no error if it exists).
  [[nodiscard]] constexpr result<void> mkdir(xs_str path, u32 tx = 0) noexcept {
    const xs_str parts[] = {path};
    return drop(request(abi::XS::MKDIR, tx, parts, 1, true, nullptr, 0));
  }
  /// Removes node \p path and everything below it.
  [[nodiscard]] constexpr result<void> rm(xs_str path, u32 tx = 0) noexcept {
    const xs_str parts[] = {path};
    return drop(request(abi::XS::RM, tx, parts, 1, true, nullptr, 0));
  }
  /// Lists the children of \p path into \p buf as nul-terminated names (iterate with
  /// for_each_xs_string); returns the bytes used.
  [[nodiscard]] constexpr result<std::size_t> directory(xs_str path, char* buf, std::size_t cap,
                                                        u32 tx = 0) noexcept {
    const xs_str parts[] = {path};
    return request(abi::XS::DIRECTORY, tx, parts, 1, true, buf, cap);
  }
  /// Reads the permission list of \p path into \p out (capacity \p cap); returns the count.
  [[nodiscard]] constexpr result<std::size_t> get_perms(xs_str path, xs_perm* out,
                                                        std::size_t cap, u32 tx = 0) noexcept {
    char buf[256]{};
    const xs_str parts[] = {path};
    auto n = request(abi::XS::GET_PERMS, tx, parts, 1, true, buf, sizeof buf);
    if (!n) return n.error();
    return parse_xs_perms(buf, n.value(), out, cap);
  }
  /// Sets the permission list of \p path to the \p n entries of \p perms (at most 32).
  [[nodiscard]] constexpr result<void> set_perms(xs_str path, const xs_perm* perms, std::size_t n,
                                                 u32 tx = 0) noexcept {
    if (n == 0 || n > 32) return errc::einval;
    char text[32][8]{};
    xs_str parts[33]{};
    parts[0] = path;
    for (std::size_t i = 0; i < n; ++i) {
      text[i][0] = static_cast<char>(perms[i].kind);
      const std::size_t d = format_xs_u32(perms[i].domid, text[i] + 1);
      parts[i + 1] = xs_str{text[i], d + 1};
    }
    return drop(request(abi::XS::SET_PERMS, tx, parts, n + 1, true, nullptr, 0));
  }
  /// Starts a transaction and returns its id.
  [[nodiscard]] constexpr result<u32> transaction_start() noexcept {
    char buf[16]{};
    const xs_str parts[] = {xs_str{""}};
    auto n = request(abi::XS::TRANSACTION_START, 0, parts, 1, true, buf, sizeof buf);
    if (!n) return n.error();
    std::size_t len = n.value();
    if (len > 0 && buf[len - 1] == '\0') --len;
    auto id = parse_xs_u32(xs_str{buf, len});
    if (!id) return errc::ebadmsg;
    return id.value();
  }
  /// Commits (\p commit) or aborts transaction \p tx. A commit fails with `errc::eagain` when
  /// another change conflicted: run the transaction again (transact() does).
  [[nodiscard]] constexpr result<void> transaction_end(u32 tx, bool commit) noexcept {
    const xs_str parts[] = {xs_str{commit ? "T" : "F"}};
    return drop(request(abi::XS::TRANSACTION_END, tx, parts, 1, true, nullptr, 0));
  }
  /// Runs \p body (called with the transaction id, returning `result<void>`) in a transaction
  /// and commits it, starting over while the commit fails with `errc::eagain`, at most
  /// \p max_attempts times. If \p body fails the transaction is aborted and its error returned.
  template <class F>
  [[nodiscard]] constexpr result<void> transact(F&& body, unsigned max_attempts = 16) noexcept {
    for (unsigned attempt = 0; attempt < max_attempts; ++attempt) {
      auto tx = transaction_start();
      if (!tx) return tx.error();
      result<void> r = body(tx.value());
      if (!r) {
        (void)transaction_end(tx.value(), false);
        return r;
      }
      result<void> e = transaction_end(tx.value(), true);
      ++transaction_attempts_;
      if (e == errc::eagain) continue;
      return e;
    }
    return errc::eagain;
  }
  /// Watches \p path (and everything below it); events carry \p token. xenstored fires one
  /// event right away.
  [[nodiscard]] constexpr result<void> watch(xs_str path, xs_str token) noexcept {
    const xs_str parts[] = {path, token};
    return drop(request(abi::XS::WATCH, 0, parts, 2, true, nullptr, 0));
  }
  /// Removes the watch (\p path, \p token).
  [[nodiscard]] constexpr result<void> unwatch(xs_str path, xs_str token) noexcept {
    const xs_str parts[] = {path, token};
    return drop(request(abi::XS::UNWATCH, 0, parts, 2, true, nullptr, 0));
  }

  /// Removes every watch of this connection (`XS_RESET_WATCHES`), e.g. after a kexec or resume.
  [[nodiscard]] constexpr result<void> reset_watches() noexcept {
    const xs_str parts[] = {xs_str{""}};
    return drop(request(abi::XS::RESET_WATCHES, 0, parts, 1, true, nullptr, 0));
  }
  /// The home path of domain \p domid (`XS_GET_DOMAIN_PATH`: "/local/domain/<domid>") into \p buf
  /// (capacity \p cap, nul-terminated); returns its length without the nul.
  [[nodiscard]] constexpr result<std::size_t> get_domain_path(u32 domid, char* buf, std::size_t cap) noexcept {
    char d[10]{};
    const std::size_t dn = format_xs_u32(domid, d);
    const xs_str parts[] = {xs_str{d, dn}};
    auto n = request(abi::XS::GET_DOMAIN_PATH, 0, parts, 1, true, buf, cap);
    if (!n) return n.error();
    std::size_t len = n.value();
    if (len > 0 && buf[len - 1] == '\0') return len - 1;
    if (len >= cap) return errc::enobufs;
    buf[len] = '\0';
    return len;
  }
  /// One part of a large directory (`XS_DIRECTORY_PART`): the children of \p path from byte
  /// \p offset of the full list, as nul-terminated names at the start of \p buf (iterate with
  /// for_each_xs_string); returns their byte count. \p generation receives the node's
  /// generation (unchanged between parts if the directory did not change) and \p complete
  /// whether the list ended in this part; the next part starts at \p offset + the returned count.
  [[nodiscard]] constexpr result<std::size_t> directory_part(xs_str path, u32 offset, char* buf, std::size_t cap,
                                                             u64& generation, bool& complete, u32 tx = 0) noexcept {
    char off[10]{};
    const std::size_t on = format_xs_u32(offset, off);
    const xs_str parts[] = {path, xs_str{off, on}};
    auto n = request(abi::XS::DIRECTORY_PART, tx, parts, 2, true, buf, cap);
    if (!n) return n.error();
    const std::size_t len = n.value();
    std::size_t g = 0;
    while (g < len && buf[g] != '\0') ++g;
    if (g >= len) return fail(errc::ebadmsg);
    u64 gen = 0;
    for (std::size_t i = 0; i < g; ++i) {
      if (buf[i] < '0' || buf[i] > '9') return fail(errc::ebadmsg);
      gen = gen * 10 + static_cast<u64>(buf[i] - '0');
    }
    generation = gen;
    std::size_t rest = len - (g + 1);
    for (std::size_t i = 0; i < rest; ++i) buf[i] = buf[g + 1 + i];
    // complete: the names end with an extra empty string ("a\0b\0\0", or just "\0")
    complete = rest > 0 && buf[rest - 1] == '\0' && (rest == 1 || buf[rest - 2] == '\0');
    if (complete) --rest;
    return rest;
  }

  /// The next watch event, copied into \p buf (capacity \p cap) and parsed; waits for one if
  /// none is queued and \p block, else returns `errc::eagain`.
  [[nodiscard]] constexpr result<xs_watch_event> next_watch_event(char* buf, std::size_t cap,
                                                                  bool block = true) noexcept {
    for (;;) {
      if (broken_) return errc::eio;
      if (queued_ > 0) {
        const slot& s = queue_[head_];
        if (s.len > cap) return errc::enobufs;
        for (std::size_t i = 0; i < s.len; ++i) buf[i] = s.data[i];
        const std::size_t len = s.len;
        head_ = (head_ + 1) % WatchQueue;
        --queued_;
        return parse_watch_event(buf, len);
      }
      // nothing queued: read one message (only watch events can come without a request)
      abi::xsd_sockmsg h{};
      auto a = ring_.rsp.available();
      if (!a) return fail(a.error());
      if (a.value() == 0) {
        if (!block) return errc::eagain;
        env_->wait();
        continue;
      }
      auto hr = read_header(h);
      if (!hr) return hr.error();
      if (h.type != static_cast<u32>(abi::XS::WATCH_EVENT)) return fail(errc::ebadmsg);
      auto q = enqueue_watch_event(h.len);
      if (!q) return q.error();
    }
  }

  /// Watch events dropped because the queue was full or they were too long.
  [[nodiscard]] constexpr u64 dropped_watch_events() const noexcept { return dropped_; }
  /// Commit attempts made by transact() (for retry statistics).
  [[nodiscard]] constexpr u64 transaction_attempts() const noexcept { return transaction_attempts_; }
  /// True once xenstored broke the protocol; the client then refuses every call.
  [[nodiscard]] constexpr bool broken() const noexcept { return broken_; }

  /// Sends request \p type with transaction \p tx and the \p n payload pieces \p parts (each
  /// followed by a nul if \p nul_terminate, except that a WRITE's value never is: pass
  /// `nul_terminate = false` and the path's nul is added by write()), then waits for the reply
  /// and copies its payload into \p out (capacity \p cap). Returns the payload length.
  [[nodiscard]] constexpr result<std::size_t> request(abi::XS type, u32 tx, const xs_str* parts,
                                                      std::size_t n, bool nul_terminate,
                                                      char* out, std::size_t cap) noexcept {
    if (broken_) return errc::eio;
    // the payload: each part + nul (WRITE: path + nul + value, no nul)
    std::size_t len = 0;
    for (std::size_t i = 0; i < n; ++i) len += parts[i].size + (nul_after(i, n, nul_terminate) ? 1 : 0);
    if (len > payload_max) return errc::e2big;
    const u32 id = next_req_id_++;
    abi::xsd_sockmsg h{static_cast<u32>(type), id, tx, static_cast<u32>(len)};
    char hb[sizeof h]{};
    encode_header(h, hb);
    XENABI_TRY(send_bytes(hb, sizeof hb));
    for (std::size_t i = 0; i < n; ++i) {
      XENABI_TRY(send_bytes(parts[i].data, parts[i].size));
      if (nul_after(i, n, nul_terminate)) XENABI_TRY(send_bytes("", 1));
    }
    env_->notify();
    // the reply; watch events that come first are queued
    for (;;) {
      abi::xsd_sockmsg r{};
      auto hr = read_header(r);
      if (!hr) return hr.error();
      if (r.type == static_cast<u32>(abi::XS::WATCH_EVENT)) {
        XENABI_TRY(enqueue_watch_event(r.len));
        continue;
      }
      if (r.req_id != id) return fail(errc::ebadmsg);
      if (r.type == static_cast<u32>(abi::XS::ERROR)) {
        char name[32]{};
        auto got = read_payload(r.len, name, sizeof name);
        if (!got && got.error() != errc::enobufs) return got.error();
        return abi::xsd_error_from_name(name, got ? got.value() : sizeof name);
      }
      if (r.type != static_cast<u32>(type)) return fail(errc::ebadmsg);
      return read_payload(r.len, out, cap);
    }
  }

 private:
  struct slot {
    char data[WatchEventMax];
    std::size_t len;
  };

  static constexpr bool nul_after(std::size_t i, std::size_t n, bool nul_terminate) noexcept {
    return nul_terminate || i + 1 < n;
  }

  static constexpr result<void> drop(result<std::size_t> r) noexcept {
    if (!r) return r.error();
    return {};
  }

  constexpr errc fail(errc e) noexcept {
    if (e == errc::ebadmsg || e == errc::eoverflow) broken_ = true;
    return e;
  }

  static constexpr void put32(char* p, u32 v) noexcept {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  static constexpr u32 get32(const char* p) noexcept {
    u32 v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<u8>(p[i]);
    return v;
  }
  static constexpr void encode_header(const abi::xsd_sockmsg& h, char* out) noexcept {
    put32(out, h.type);
    put32(out + 4, h.req_id);
    put32(out + 8, h.tx_id);
    put32(out + 12, h.len);
  }

  constexpr result<void> send_bytes(const char* p, std::size_t len) noexcept {
    while (len > 0) {
      auto w = ring_.req.write(p, len);
      if (!w) return fail(w.error());
      p += w.value();
      len -= w.value();
      if (len > 0) {  // ring full: let xenstored drain it
        env_->notify();
        env_->wait();
      }
    }
    return {};
  }

  // Reads exactly `len` bytes into `out` (or discards them if out is null).
  constexpr result<void> recv_bytes(char* out, std::size_t len) noexcept {
    char sink[64]{};
    while (len > 0) {
      auto a = ring_.rsp.available();
      if (!a) return fail(a.error());
      if (a.value() == 0) {
        env_->wait();
        continue;
      }
      std::size_t want = len;
      if (out == nullptr && want > sizeof sink) want = sizeof sink;
      auto r = ring_.rsp.read(out != nullptr ? out : sink, want);
      if (!r) return fail(r.error());
      if (out != nullptr) out += r.value();
      len -= r.value();
      env_->notify();  // room for xenstored to write more
    }
    return {};
  }

  constexpr result<void> read_header(abi::xsd_sockmsg& h) noexcept {
    char hb[sizeof(abi::xsd_sockmsg)]{};
    XENABI_TRY(recv_bytes(hb, sizeof hb));
    h = abi::xsd_sockmsg{get32(hb), get32(hb + 4), get32(hb + 8), get32(hb + 12)};
    if (h.len > payload_max) return fail(errc::ebadmsg);
    return {};
  }

  // Reads a payload of `len` bytes: up to `cap` into out, the rest is discarded (enobufs).
  constexpr result<std::size_t> read_payload(u32 len, char* out, std::size_t cap) noexcept {
    const std::size_t keep = out == nullptr ? 0 : (len < cap ? len : cap);
    XENABI_TRY(recv_bytes(out, keep));
    XENABI_TRY(recv_bytes(nullptr, len - keep));
    if (keep < len && out != nullptr) return errc::enobufs;
    return std::size_t{len};
  }

  constexpr result<void> enqueue_watch_event(u32 len) noexcept {
    if (queued_ == WatchQueue || len > WatchEventMax) {
      ++dropped_;
      return recv_bytes(nullptr, len);
    }
    slot& s = queue_[(head_ + queued_) % WatchQueue];
    XENABI_TRY(recv_bytes(s.data, len));
    s.len = len;
    ++queued_;
    return {};
  }

  xenstore_front ring_;
  Env* env_;
  u32 next_req_id_ = 1;
  bool broken_ = false;
  u64 dropped_ = 0;
  u64 transaction_attempts_ = 0;
  slot queue_[WatchQueue]{};
  std::size_t head_ = 0;
  std::size_t queued_ = 0;
};

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
