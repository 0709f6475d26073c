/// \file
/// \ingroup xenstore
/// Xenbus: how a split device's frontend and backend find each other and connect through
/// xenstore, over `xenabi::xenstore_client` (any client with its read/write/directory/watch/
/// transact calls). Freestanding, no heap: paths live in fixed buffers.
///
/// **Discovery.** A guest's devices of one type are the children of `device/<type>` in its home
/// (`list_devices`); device `<id>` has `backend` (the backend directory's absolute path) and
/// `backend-id` (the driver domain's id), both written by the toolstack (`xenbus_frontend::probe`).
/// The backend directory holds the backend's `state` and the features it advertises.
///
/// **States** (`abi::XenbusState`, written to `state` as decimal): each end moves through
/// Initialising → (backend: InitWait) → (frontend: Initialised) → Connected → Closing → Closed.
/// The decisions are pure functions of the two states, `frontend_step` and `backend_step`
/// (tables below), so they are tested at compile time; `xenbus_frontend::step` applies one for
/// a guest driver, calling its `publish` / `connected` / `disconnect` hooks.
///
/// | frontend | backend | frontend action |
/// |---|---|---|
/// | Initialising | InitWait or Connected | `publish`: write ring-ref, event-channel..., and state Initialised in one transaction |
/// | Initialised | Connected | `connect`: state Connected |
/// | Connected | InitWait | `reconnect`: the backend restarted: drop the ring, go Initialising (then publish again) |
/// | Initialised or Connected | Closing, Closed or Unknown | `close`: drop the ring, state Closing |
/// | Closing | Closed or Unknown | `closed`: state Closed |
/// | Closed | InitWait | `reset`: state Initialising (a new backend came up) |
///
/// | backend | frontend | backend action |
/// |---|---|---|
/// | Initialising | any | `init_wait`: advertise features, state InitWait |
/// | InitWait | Initialised or Connected | `connect`: read the frontend's keys, map the ring, state Connected |
/// | Connected | Closing | `close`: unmap, state Closing |
/// | Connected or Closing | Closed or Unknown | `closed`: unmap, state Closed |
/// | Closing or Closed | Initialising | `init_wait`: the frontend reconnects: state InitWait |
///
/// \code
/// struct ops {                                       // a block frontend's hooks
///   xenabi::result<void> publish(Client& xs, const char* dir, xenabi::u32 tx) { ... write ring-ref ... }
///   void connected() {}
///   void disconnect() {}
/// };
/// xenabi::xenbus_frontend<Client> fe(xs, "vbd", 51712);
/// XENABI_TRY(fe.probe());                                   // backend, backend-id
/// XENABI_TRY(fe.watch_backend_state("vbd-be"));              // events when the backend moves
/// while (fe.state() != xenabi::abi::XenbusState::Connected) { XENABI_TRY(fe.step(my_ops)); wait_for_watch(); }
/// \endcode
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/io/xenbus.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/xenstore.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// What one end should do next (see the tables in the file comment).
enum class xenbus_action : std::uint8_t {
  none,       ///< Nothing: wait for the peer.
  publish,    ///< Frontend: write the ring keys and state Initialised (one transaction).
  connect,    ///< Go Connected (backend: after mapping the frontend's ring).
  reconnect,  ///< Frontend: the backend restarted; drop the ring and go Initialising.
  close,      ///< Drop the ring, state Closing.
  closed,     ///< State Closed.
  reset,      ///< Frontend: state Initialising (start over).
  init_wait,  ///< Backend: advertise features, state InitWait.
};

/// The frontend's next action given its own state \p self and the backend's \p backend.
[[nodiscard]] constexpr xenbus_action frontend_step(abi::XenbusState self, abi::XenbusState backend) noexcept {
  using S = abi::XenbusState;
  using A = xenbus_action;
  const bool gone = backend == S::Closing || backend == S::Closed || backend == S::Unknown;
  switch (self) {
    case S::Unknown:
    case S::Initialising:
      return backend == S::InitWait || backend == S::Connected ? A::publish : A::none;
    case S::InitWait:
      return backend == S::InitWait || backend == S::Connected ? A::publish : A::none;
    case S::Initialised:
      if (backend == S::Connected) return A::connect;
      return gone ? A::close : A::none;
    case S::Connected:
      if (backend == S::InitWait || backend == S::Initialising) return A::reconnect;
      return gone ? A::close : A::none;
    case S::Closing:
      return backend == S::Closed || backend == S::Unknown ? A::closed : A::none;
    case S::Closed:
      return backend == S::InitWait ? A::reset : A::none;
    default:
      return A::none;
  }
}

/// The backend's next action given its own state \p self and the frontend's \p frontend.
[[nodiscard]] constexpr xenbus_action backend_step(abi::XenbusState self, abi::XenbusState frontend) noexcept {
  using S = abi::XenbusState;
  using A = xenbus_action;
  switch (self) {
    case S::Unknown:
    case S::Initialising:
      return A::init_wait;
    case S::InitWait:
      return frontend == S::Initialised || frontend == S::Connected ? A::connect : A::none;
    case S::Connected:
      if (frontend == S::Closing) return A::close;
      if (frontend == S::Closed || frontend == S::Unknown) return A::closed;
      return frontend == S::Initialising ? A::init_wait : A::none;
    case S::Closing:
      if (frontend == S::Closed || frontend == S::Unknown) return A::closed;
      return frontend == S::Initialising ? A::init_wait : A::none;
    case S::Closed:
      return frontend == S::Initialising ? A::init_wait : A::none;
    default:
      return A::none;
  }
}

/// Parses a `state` value ("4", possibly with a trailing nul): `errc::einval` if it is not a
/// decimal XenbusState (0..8).
[[nodiscard]] constexpr result<abi::XenbusState> parse_xenbus_state(xs_str s) noexcept {
  if (s.size > 0 && s.data[s.size - 1] == '\0') --s.size;
  auto v = parse_xs_u32(s);
  if (!v || v.value() > static_cast<u32>(abi::XenbusState::Reconfigured)) return errc::einval;
  return static_cast<abi::XenbusState>(v.value());
}

/// A xenstore path in a fixed buffer of \p N bytes (nul-terminated). Appending past the end
/// sets `overflow()` and keeps what fitted; callers check it before use.
template <std::size_t N>
class xs_path {
  static_assert(N >= 2);

 public:
  /// An empty path.
  constexpr xs_path() noexcept = default;
  /// The path \p s.
  constexpr explicit xs_path(xs_str s) noexcept { append(s); }
  /// Appends \p s.
  constexpr xs_path& append(xs_str s) noexcept {
    for (std::size_t i = 0; i < s.size; ++i) {
      if (len_ + 1 >= N) {
        overflow_ = true;
        break;
      }
      buf_[len_++] = s.data[i];
    }
    buf_[len_] = '\0';
    return *this;
  }
  /// Appends \p v in decimal.
  constexpr xs_path& append(u32 v) noexcept {
    char d[10]{};
    const std::size_t n = format_xs_u32(v, d);
    return append(xs_str{d, n});
  }
  /// Appends '/' and \p s.
  constexpr xs_path& child(xs_str s) noexcept { return append(xs_str{"/", 1}).append(s); }
  /// Appends '/' and \p v in decimal.
  constexpr xs_path& child(u32 v) noexcept { return append(xs_str{"/", 1}).append(v); }
  /// The path.
  [[nodiscard]] constexpr xs_str str() const noexcept { return xs_str{buf_, len_}; }
  /// The nul-terminated path.
  [[nodiscard]] constexpr const char* c_str() const noexcept { return buf_; }
  /// Its length.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return len_; }
  /// True if something did not fit.
  [[nodiscard]] constexpr bool overflow() const noexcept { return overflow_; }

 private:
  char buf_[N]{};
  std::size_t len_ = 0;
  bool overflow_ = false;
};

/// Lists the ids of the guest's devices of type \p type (the numeric children of
/// `device/<type>`) into \p ids (capacity \p cap); returns how many there are (more than \p cap
/// means some were not stored). A missing `device/<type>` is zero devices.
template <class Client>
[[nodiscard]] constexpr result<std::size_t> list_devices(Client& xs, xs_str type, u32* ids, std::size_t cap) noexcept {
  xs_path<64> dir(xs_str{"device"});
  dir.child(type);
  if (dir.overflow()) return errc::enametoolong;
  char buf[1024]{};
  auto n = xs.directory(dir.str(), buf, sizeof buf);
  if (!n) return n.error() == errc::enoent ? result<std::size_t>{std::size_t{0}} : result<std::size_t>{n.error()};
  std::size_t count = 0;
  for_each_xs_string(buf, n.value(), [&](xs_str s) {
    auto id = parse_xs_u32(s);
    if (!id) return;
    if (count < cap) ids[count] = id.value();
    ++count;
  });
  return count;
}

/// Reads the XenbusState in node \p path; a missing node is `Unknown` (the peer is gone).
template <class Client>
[[nodiscard]] constexpr result<abi::XenbusState> read_xenbus_state(Client& xs, xs_str path, u32 tx = 0) noexcept {
  char buf[16]{};
  auto n = xs.read(path, buf, sizeof buf, tx);
  if (!n) return n.error() == errc::enoent ? result<abi::XenbusState>{abi::XenbusState::Unknown}
                                           : result<abi::XenbusState>{n.error()};
  return parse_xenbus_state(xs_str{buf, n.value()});
}

/// Writes XenbusState \p s to node \p path.
template <class Client>
[[nodiscard]] constexpr result<void> write_xenbus_state(Client& xs, xs_str path, abi::XenbusState s,
                                                        u32 tx = 0) noexcept {
  char d[10]{};
  const std::size_t n = format_xs_u32(static_cast<u32>(s), d);
  return xs.write(path, xs_str{d, n}, tx);
}

/// A guest's end of one split device `device/<type>/<id>` (see the file comment).
template <class Client>
class xenbus_frontend {
 public:
  /// Longest path handled (the backend's directory and its keys must fit).
  static constexpr std::size_t path_max = 128;

  /// Device \p devid of type \p type ("vbd", "vif"), through client \p xs.
  constexpr xenbus_frontend(Client& xs, xs_str type, u32 devid) noexcept : xs_(&xs), devid_(devid) {
    dir_.append(xs_str{"device"}).child(type).child(devid);
  }

  /// Reads `backend` and `backend-id`: `errc::enoent` if the device is not there,
  /// `errc::einval` for a malformed `backend-id`, `errc::enametoolong` for too long a path.
  [[nodiscard]] constexpr result<void> probe() noexcept {
    if (dir_.overflow()) return errc::enametoolong;
    char buf[path_max]{};
    auto n = xs_->read(key("backend").str(), buf, sizeof buf - 1);
    if (!n) return n.error() == errc::enobufs ? errc::enametoolong : n.error();
    backend_ = xs_path<path_max>(xs_str{buf, n.value()});
    char id[16]{};
    auto m = xs_->read(key("backend-id").str(), id, sizeof id);
    if (!m) return m.error();
    auto v = parse_xs_u32(xs_str{id, m.value()});
    if (!v || v.value() >= 0x7ff0) return errc::einval;
    backend_id_ = static_cast<u16>(v.value());
    probed_ = true;
    return {};
  }

  /// The device's directory, relative to the guest's home ("device/vbd/51712").
  [[nodiscard]] constexpr xs_str path() const noexcept { return dir_.str(); }
  /// The backend's directory (after probe()).
  [[nodiscard]] constexpr xs_str backend_path() const noexcept { return backend_.str(); }
  /// The driver domain's id (after probe()).
  [[nodiscard]] constexpr u16 backend_id() const noexcept { return backend_id_; }
  /// The device id.
  [[nodiscard]] constexpr u32 devid() const noexcept { return devid_; }
  /// The state this end last wrote.
  [[nodiscard]] constexpr abi::XenbusState state() const noexcept { return state_; }
  /// True while this end says Connected.
  [[nodiscard]] constexpr bool connected() const noexcept { return state_ == abi::XenbusState::Connected; }
  /// How many times this end went Connected (1 after the first handshake, +1 per reconnection).
  [[nodiscard]] constexpr u32 connections() const noexcept { return connections_; }

  /// `<device dir>/<name>`.
  [[nodiscard]] constexpr xs_path<path_max> key(xs_str name) const noexcept {
    xs_path<path_max> p(dir_.str());
    p.child(name);
    return p;
  }
  /// `<backend dir>/<name>` (a backend feature key, or its `state`).
  [[nodiscard]] constexpr xs_path<path_max> backend_key(xs_str name) const noexcept {
    xs_path<path_max> p(backend_.str());
    p.child(name);
    return p;
  }

  /// The backend's state (Unknown if its key is missing).
  [[nodiscard]] constexpr result<abi::XenbusState> backend_state() noexcept {
    if (!probed_) return errc::enodev;
    return read_xenbus_state(*xs_, backend_key("state").str());
  }
  /// Reads the backend's key \p name as an unsigned decimal number (a feature or a size):
  /// `errc::enoent` if it is missing, `errc::einval`/`errc::erange` if it is not such a number.
  [[nodiscard]] constexpr result<u64> read_backend_u64(xs_str name) const noexcept {
    char v[24]{};
    auto n = xs_->read(backend_key(name).str(), v, sizeof v);
    if (!n) return n.error();
    return parse_xs_u64(xs_str{v, n.value()});
  }
  /// Writes this end's state.
  [[nodiscard]] constexpr result<void> set_state(abi::XenbusState s, u32 tx = 0) noexcept {
    XENABI_TRY(write_xenbus_state(*xs_, key("state").str(), s, tx));
    if (tx == 0) state_ = s;
    return {};
  }
  /// Watches the backend's `state` with \p token (the watch fires once right away).
  [[nodiscard]] constexpr result<void> watch_backend_state(xs_str token) noexcept {
    if (!probed_) return errc::enodev;
    return xs_->watch(backend_key("state").str(), token);
  }

  /// Reads the backend's state and applies `frontend_step` (see the file comment). \p ops has
  /// `result<void> publish(Client&, const xenbus_frontend&, u32 tx)` (write the ring keys inside
  /// transaction tx), `void connected()` and `void disconnect()`. Returns the action taken.
  template <class Ops>
  [[nodiscard]] constexpr result<xenbus_action> step(Ops& ops) noexcept {
    auto be = backend_state();
    if (!be) return be.error();
    const xenbus_action a = frontend_step(state_, be.value());
    switch (a) {
      case xenbus_action::publish: {
        auto r = xs_->transact([&](u32 tx) -> result<void> {
          XENABI_TRY(ops.publish(*xs_, *this, tx));
          return set_state(abi::XenbusState::Initialised, tx);
        });
        if (!r) return r.error();
        state_ = abi::XenbusState::Initialised;
        break;
      }
      case xenbus_action::connect:
        XENABI_TRY(set_state(abi::XenbusState::Connected));
        ++connections_;
        ops.connected();
        break;
      case xenbus_action::reconnect:
        ops.disconnect();
        XENABI_TRY(set_state(abi::XenbusState::Initialising));
        break;
      case xenbus_action::close:
        ops.disconnect();
        XENABI_TRY(set_state(abi::XenbusState::Closing));
        break;
      case xenbus_action::closed:
        XENABI_TRY(set_state(abi::XenbusState::Closed));
        break;
      case xenbus_action::reset:
        XENABI_TRY(set_state(abi::XenbusState::Initialising));
        break;
      default:
        break;
    }
    return a;
  }

  /// Takes `step`s until one has nothing left to do (a reconnect is followed by a publish, a
  /// reset by a publish: a few steps at most); returns the first error.
  template <class Ops>
  [[nodiscard]] constexpr result<void> run(Ops& ops) noexcept {
    for (int i = 0; i < 4; ++i) {
      auto a = step(ops);
      if (!a) return a.error();
      if (a.value() == xenbus_action::none) break;
    }
    return {};
  }

 private:
  Client* xs_;
  u32 devid_;
  xs_path<path_max> dir_;
  xs_path<path_max> backend_;
  u16 backend_id_ = 0;
  bool probed_ = false;
  abi::XenbusState state_ = abi::XenbusState::Initialising;
  u32 connections_ = 0;
};

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
