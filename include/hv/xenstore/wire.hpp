/// \file
/// \ingroup xenstore
/// xenstored's message handler: the `xs_wire` protocol (Xen's `io/xs_wire.h`) on top of the
/// `store`. `handle_message` turns one request into its reply; `wire_connection` turns a byte
/// stream (what a guest writes into the `req` ring) into requests, and queues the replies and
/// watch events as a byte stream for the `rsp` ring.
///
/// **Requests and replies** (payloads; `\0` marks a nul):
/// | type | request | reply |
/// |---|---|---|
/// | READ | `path\0` | the value (no nul) |
/// | WRITE | `path\0value` | `OK\0` |
/// | MKDIR, RM | `path\0` | `OK\0` |
/// | DIRECTORY | `path\0` | `child\0child\0...` |
/// | DIRECTORY_PART | `path\0offset\0` | `generation\0` + children from byte `offset` of the DIRECTORY reply that fit, + `\0` once the list is complete |
/// | GET_PERMS | `path\0` | `n0\0r1\0...` |
/// | SET_PERMS | `path\0perm\0perm\0...` | `OK\0` |
/// | WATCH, UNWATCH | `path\0token\0` | `OK\0` (then WATCH_EVENT `path\0token\0`, req_id 0) |
/// | TRANSACTION_START | `\0` | `id\0` |
/// | TRANSACTION_END | `T\0` commit or `F\0` abort (tx_id in the header) | `OK\0` |
/// | GET_DOMAIN_PATH | `domid\0` | `/local/domain/<domid>\0` |
/// | IS_DOMAIN_INTRODUCED | `domid\0` | `T\0` or `F\0` |
/// | RESET_WATCHES | (anything) | `OK\0` |
///
/// A reply echoes the request's type, req_id and tx_id. Failures are an `XS_ERROR` reply whose
/// payload is the error's name with its nul (`ENOENT\0`). Malformed requests: a payload that
/// is not the expected nul-terminated strings, a bad path, a bad permission string, `EINVAL`; an
/// unknown or reply-only type (WATCH_EVENT, ERROR, 20, >= 23), `ENOSYS`; the toolstack's
/// operations (INTRODUCE, RELEASE, RESUME, SET_TARGET, CONTROL) from an unprivileged
/// connection, `EACCES` (xenhv's toolstack uses the in-process API instead: `ENOSYS` for a
/// privileged one); a transaction id that is not open, `ENOENT`; TRANSACTION_START inside a
/// transaction, `EBUSY`; a header announcing more than `XENSTORE_PAYLOAD_MAX` bytes, `E2BIG`,
/// after which exactly that many bytes are skipped so the stream stays in step.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <hv/xenstore/store.hpp>

namespace hv::xenstore {

namespace XS = xenabi::abi;

/// One xenstore message: header fields and payload.
struct message {
  std::uint32_t type = 0;    ///< An `abi::XS` type.
  std::uint32_t req_id = 0;  ///< Request id (echoed in the reply).
  std::uint32_t tx_id = 0;   ///< Transaction id (0: none).
  std::string payload;       ///< Payload bytes.
};

/// The 16-byte header + payload of \p m, as it travels in a ring (little-endian fields).
[[nodiscard]] inline std::string encode(const message& m) {
  std::string out(16, '\0');
  auto put = [&](std::size_t at, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xffu);
  };
  put(0, m.type);
  put(4, m.req_id);
  put(8, m.tx_id);
  put(12, static_cast<std::uint32_t>(m.payload.size()));
  out += m.payload;
  return out;
}

namespace detail {

/// Splits \p p into exactly \p n nul-terminated strings (`false` if it is not exactly that).
inline bool split_exact(std::string_view p, std::size_t n, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i] == '\0') {
      out.push_back(p.substr(start, i - start));
      start = i + 1;
    }
  return start == p.size() && out.size() == n;
}

/// Splits \p p into one or more nul-terminated strings (`false` if the last has no nul).
inline bool split_all(std::string_view p, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i] == '\0') {
      out.push_back(p.substr(start, i - start));
      start = i + 1;
    }
  return start == p.size() && !out.empty();
}

/// Parses a decimal number of at most 10 digits.
inline bool parse_u32(std::string_view s, std::uint32_t& v) {
  if (s.empty() || s.size() > 10) return false;
  std::uint64_t x = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    x = x * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  if (x > 0xffffffffu) return false;
  v = static_cast<std::uint32_t>(x);
  return true;
}

}  // namespace detail

/// The `XS_ERROR` reply to \p req for error \p e (an error xenstore cannot name travels as EIO).
[[nodiscard]] inline message error_reply(const message& req, errc e) {
  const char* name = XS::xsd_error_name(e);
  if (name == nullptr) name = "EIO";
  message r{static_cast<std::uint32_t>(XS::XS::ERROR), req.req_id, req.tx_id, name};
  r.payload.push_back('\0');
  return r;
}

/// Executes request \p req for connection \p c on \p s and returns the reply (see the file
/// comment). Never throws for any request bytes.
[[nodiscard]] inline message handle_message(store& s, connection& c, const message& req) {
  using T = XS::XS;
  message rep{req.type, req.req_id, req.tx_id, {}};
  auto ok = [&] {
    rep.payload = std::string("OK", 3);
    return rep;
  };
  auto fail = [&](errc e) { return error_reply(req, e); };
  std::vector<std::string_view> a;
  const std::string_view p = req.payload;
  if (req.payload.size() > XS::XENSTORE::PAYLOAD_MAX) return fail(errc::e2big);
  switch (static_cast<T>(req.type)) {
    case T::READ: {
      if (!detail::split_exact(p, 1, a)) return fail(errc::einval);
      auto r = s.read(c, req.tx_id, a[0]);
      if (!r) return fail(r.error());
      rep.payload = std::move(r).value();
      return rep;
    }
    case T::WRITE: {
      const auto nul = p.find('\0');
      if (nul == std::string_view::npos) return fail(errc::einval);
      auto r = s.write(c, req.tx_id, p.substr(0, nul), p.substr(nul + 1));
      return r ? ok() : fail(r.error());
    }
    case T::MKDIR: {
      if (!detail::split_exact(p, 1, a)) return fail(errc::einval);
      auto r = s.mkdir(c, req.tx_id, a[0]);
      return r ? ok() : fail(r.error());
    }
    case T::RM: {
      if (!detail::split_exact(p, 1, a)) return fail(errc::einval);
      auto r = s.rm(c, req.tx_id, a[0]);
      return r ? ok() : fail(r.error());
    }
    case T::DIRECTORY: {
      if (!detail::split_exact(p, 1, a)) return fail(errc::einval);
      auto r = s.directory(c, req.tx_id, a[0]);
      if (!r) return fail(r.error());
      for (const auto& n : r.value()) {
        rep.payload += n;
        rep.payload.push_back('\0');
      }
      if (rep.payload.size() > XS::XENSTORE::PAYLOAD_MAX) return fail(errc::e2big);
      return rep;
    }
    case T::DIRECTORY_PART: {
      std::uint32_t off = 0;
      if (!detail::split_exact(p, 2, a) || !detail::parse_u32(a[1], off)) return fail(errc::einval);
      auto r = s.directory_gen(c, req.tx_id, a[0]);
      if (!r) return fail(r.error());
      std::string all;
      for (const auto& n : r.value().second) {
        all += n;
        all.push_back('\0');
      }
      if (off > all.size()) return fail(errc::einval);
      rep.payload = std::to_string(r.value().first);
      rep.payload.push_back('\0');
      std::size_t at = off;
      while (at < all.size()) {
        const std::size_t end = all.find('\0', at) + 1;
        if (rep.payload.size() + (end - at) + 1 > XS::XENSTORE::PAYLOAD_MAX) break;
        rep.payload.append(all, at, end - at);
        at = end;
      }
      if (at == all.size()) rep.payload.push_back('\0');
      return rep;
    }
    case T::GET_PERMS: {
      if (!detail::split_exact(p, 1, a)) return fail(errc::einval);
      auto r = s.get_perms(c, req.tx_id, a[0]);
      if (!r) return fail(r.error());
      for (const auto& x : r.value()) {
        rep.payload += format_perm(x);
        rep.payload.push_back('\0');
      }
      return rep;
    }
    case T::SET_PERMS: {
      if (!detail::split_all(p, a) || a.size() < 2) return fail(errc::einval);
      std::vector<perm> perms;
      for (std::size_t i = 1; i < a.size(); ++i) {
        auto x = parse_perm(a[i]);
        if (!x) return fail(errc::einval);
        perms.push_back(x.value());
      }
      auto r = s.set_perms(c, req.tx_id, a[0], std::move(perms));
      return r ? ok() : fail(r.error());
    }
    case T::WATCH: {
      if (!detail::split_exact(p, 2, a)) return fail(errc::einval);
      // The acknowledgement goes out before the first event: watch() queues the event, and the
      // caller drains events only after sending this reply.
      auto r = s.watch(c, a[0], a[1]);
      return r ? ok() : fail(r.error());
    }
    case T::UNWATCH: {
      if (!detail::split_exact(p, 2, a)) return fail(errc::einval);
      auto r = s.unwatch(c, a[0], a[1]);
      return r ? ok() : fail(r.error());
    }
    case T::TRANSACTION_START: {
      if (req.tx_id != 0) return fail(errc::ebusy);
      if (!detail::split_exact(p, 1, a)) return fail(errc::einval);
      auto r = s.transaction_start(c);
      if (!r) return fail(r.error());
      rep.payload = std::to_string(r.value());
      rep.payload.push_back('\0');
      return rep;
    }
    case T::TRANSACTION_END: {
      if (!detail::split_exact(p, 1, a) || (a[0] != "T" && a[0] != "F")) return fail(errc::einval);
      auto r = s.transaction_end(c, req.tx_id, a[0] == "T");
      return r ? ok() : fail(r.error());
    }
    case T::GET_DOMAIN_PATH: {
      std::uint32_t d = 0;
      if (!detail::split_exact(p, 1, a) || !detail::parse_u32(a[0], d) || d > 0xffff) return fail(errc::einval);
      rep.payload = "/local/domain/" + std::to_string(d);
      rep.payload.push_back('\0');
      return rep;
    }
    case T::IS_DOMAIN_INTRODUCED: {
      std::uint32_t d = 0;
      if (!detail::split_exact(p, 1, a) || !detail::parse_u32(a[0], d) || d > 0xffff) return fail(errc::einval);
      if (!c.privileged()) return fail(errc::eacces);
      rep.payload = s.introduced(static_cast<domid_t>(d)) ? std::string("T", 2) : std::string("F", 2);
      return rep;
    }
    case T::RESET_WATCHES:
      s.reset_watches(c);
      return ok();
    case T::CONTROL:
    case T::INTRODUCE:
    case T::RELEASE:
    case T::RESUME:
    case T::SET_TARGET:
      return fail(c.privileged() ? errc::enosys : errc::eacces);
    default:
      return fail(errc::enosys);
  }
}

/// One client's byte stream: request bytes in (`feed`), reply and watch-event bytes out
/// (`output`). Requests are handled as soon as they are complete; while more than
/// `max_output` bytes wait to go out, no further request is handled (the client must read).
class wire_connection {
 public:
  /// Bytes of pending output above which requests wait.
  static constexpr std::size_t max_output = 64 * 1024;

  /// A stream for connection \p c of \p s.
  wire_connection(store& s, connection& c) : s_(s), c_(c) {}

  /// Appends request bytes from the client.
  void feed(std::string_view bytes) { in_.append(bytes.data(), bytes.size()); }
  /// Handles every complete request that may be handled now, then appends queued watch events.
  /// Returns how many requests were handled.
  std::size_t process() {
    std::size_t n = 0;
    for (;;) {
      if (out_.size() > max_output) break;
      if (skip_ > 0) {  // discarding an oversized payload
        const std::size_t k = std::min<std::size_t>(skip_, in_.size());
        in_.erase(0, k);
        skip_ -= k;
        if (skip_ > 0) break;
      }
      if (in_.size() < 16) break;
      message m;
      auto get = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (std::size_t i = 4; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(in_[at + i]);
        return v;
      };
      m.type = get(0);
      m.req_id = get(4);
      m.tx_id = get(8);
      const std::uint32_t len = get(12);
      if (len > XS::XENSTORE::PAYLOAD_MAX) {
        in_.erase(0, 16);
        skip_ = len;
        out_ += encode(error_reply(m, errc::e2big));
        ++n;
        continue;
      }
      if (in_.size() < 16 + std::size_t{len}) break;
      m.payload = in_.substr(16, len);
      in_.erase(0, 16 + std::size_t{len});
      out_ += encode(handle_message(s_, c_, m));
      ++n;
      drain_events();
    }
    drain_events();
    return n;
  }
  /// Moves queued watch events of the connection to the output.
  void drain_events() {
    for (auto& e : c_.take_events()) {
      message w{static_cast<std::uint32_t>(XS::XS::WATCH_EVENT), 0, 0, e.path};
      w.payload.push_back('\0');
      w.payload += e.token;
      w.payload.push_back('\0');
      out_ += encode(w);
    }
  }
  /// The bytes waiting to go to the client.
  [[nodiscard]] const std::string& output() const noexcept { return out_; }
  /// Drops the first \p n output bytes (they were sent).
  void consume_output(std::size_t n) { out_.erase(0, std::min(n, out_.size())); }
  /// Bytes of request data not yet handled (an incomplete message).
  [[nodiscard]] std::size_t pending_input() const noexcept { return in_.size(); }
  /// The connection.
  [[nodiscard]] connection& conn() noexcept { return c_; }

 private:
  store& s_;
  connection& c_;
  std::string in_;
  std::string out_;
  std::uint64_t skip_ = 0;
};

}  // namespace hv::xenstore
