/// \file
/// \ingroup drivers
/// The block front end's half of the xenbus handshake, around the `blkfront` engine: reading the
/// back end's features, publishing the ring and event channel, following the back end's state,
/// and reconnecting when a back end goes away or a restarted one appears. Freestanding, no heap.
///
/// \code
/// xenabi::blkfront_device<store, kernel, blk_engine> dev(xs, k, engine, "device/vbd/51712");
/// XENABI_TRY(dev.start());           // reads backend + backend-id, watches the backend's state
/// for (;;) {                         // on each watch event for the back end's state:
///   auto r = dev.backend_changed([](xenabi::u64 cookie, xenabi::s16 st) { finish(cookie, st); });
///   if (dev.connected()) break;
/// }
/// \endcode
///
/// **Store** is the xenstore client (`xenstore_client`, or any type with its `read`, `write` and
/// `transact` members). **Kernel** allocates the device's event channel for the back end
/// (`alloc_unbound(domain_id) -> result<port>`) and closes it (`close(port)`); the engine's own
/// `Env::notify()` sends on `port()` of this object.
///
/// **Handshake** (front end side, see porting-guide chapter 9): on the back end's `InitWait`
/// the features are read (`sectors`, `info`, `mode`, `sector-size`, `feature-*`), the engine
/// attached (a fresh ring), a new event channel allocated, and `ring-ref`, `event-channel`,
/// `protocol`, `feature-persistent` and `state` = Initialised written in one transaction; on the
/// back end's `Connected` the front end says `Connected`. If the back end's state drops back
/// to `InitWait` (a restarted back end) or to `Closing`/`Closed` while the front end is attached,
/// the old ring is dead: the engine detaches (completing what was answered, keeping the rest)
/// and, at the next `InitWait`, reattaches and re-issues.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/io/blkif.hpp>
#include <xenabi/abi/io/xenbus.hpp>
#include <xenabi/blkfront.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/xenstore.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// A fixed-capacity path builder for xenstore keys ("<dir>/<key>").
class blkfront_path {
 public:
  /// "<dir>/<key>"; `ok()` is false if it does not fit.
  constexpr blkfront_path(xs_str dir, xs_str key) noexcept {
    append(dir);
    append(xs_str("/", 1));
    append(key);
  }
  /// The path.
  [[nodiscard]] constexpr xs_str str() const noexcept { return xs_str(buf_, n_); }
  /// True if it fit.
  [[nodiscard]] constexpr bool ok() const noexcept { return ok_; }

 private:
  constexpr void append(xs_str s) noexcept {
    for (std::size_t i = 0; i < s.size; ++i) {
      if (n_ + 1 >= sizeof buf_) {
        ok_ = false;
        return;
      }
      buf_[n_++] = s.data[i];
    }
  }
  char buf_[160]{};
  std::size_t n_ = 0;
  bool ok_ = true;
};

/// Formats \p v in decimal into \p out (at least 21 bytes); returns the length.
constexpr std::size_t blkfront_format_u64(u64 v, char* out) noexcept {
  char tmp[21]{};
  std::size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (std::size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  return n;
}

/// The front end of one virtual block device (see the file comment).
template <class Store, class Kernel, class Engine>
class blkfront_device {
 public:
  /// The device whose front-end directory is \p dir (e.g. "device/vbd/51712", relative to the
  /// domain's home), using client \p xs, kernel services \p k and engine \p e.
  constexpr blkfront_device(Store& xs, Kernel& k, Engine& e, xs_str dir) noexcept
      : xs_(xs), k_(k), e_(e), dir_(dir) {}

  /// Reads `backend` and `backend-id`; call before the first `backend_changed` (and watch
  /// `backend_dir()/state`).
  constexpr result<void> start() noexcept {
    auto n = read_key(dir_, "backend", be_dir_, sizeof be_dir_);
    if (!n) return n.error();
    be_dir_len_ = n.value();
    auto id = read_number(dir_, "backend-id");
    if (!id) return id.error();
    if (id.value() >= 0x7ff0) return errc::einval;  // DOMID_FIRST_RESERVED and above
    be_id_ = domain_id{static_cast<u16>(id.value())};
    return {};
  }

  /// The back end's directory (absolute path read from `backend`).
  [[nodiscard]] constexpr xs_str backend_dir() const noexcept { return xs_str(be_dir_, be_dir_len_); }
  /// The back end's domain id.
  [[nodiscard]] constexpr domain_id backend_id() const noexcept { return be_id_; }
  /// The device's event channel (valid while attached).
  [[nodiscard]] constexpr port event_port() const noexcept { return port_; }
  /// True once both ends are Connected.
  [[nodiscard]] constexpr bool connected() const noexcept { return connected_; }
  /// How many times the device connected (1 after the first handshake; more after back-end
  /// restarts).
  [[nodiscard]] constexpr u32 connections() const noexcept { return connections_; }

  /// Follows the back end's state (call on each watch event on `backend_dir()/state`);
  /// \p on_complete receives the completions collected from a dead ring or failed re-issues.
  template <class F>
  constexpr result<void> backend_changed(F&& on_complete) noexcept {
    auto st = read_number(backend_dir(), "state");
    if (!st) return st.error();
    using S = abi::XenbusState;
    const auto s = static_cast<S>(st.value());
    switch (s) {
      case S::InitWait:
        if (e_.attached()) down(on_complete);  // a new back end instance: the old ring is dead
        return up(on_complete);
      case S::Connected:
        if (e_.attached() && !connected_) {
          XENABI_TRY(write_state(S::Connected));
          connected_ = true;
          ++connections_;
        }
        return {};
      case S::Closing:
      case S::Closed:
        if (e_.attached()) {
          down(on_complete);
          return write_state(s == S::Closing ? S::Closing : S::Closed);
        }
        return {};
      default:
        return {};
    }
  }

 private:
  template <class F>
  constexpr void down(F& on_complete) noexcept {
    (void)e_.detach(on_complete);
    connected_ = false;
    if (port_.value() != 0) k_.close(port_);
    port_ = port{0};
  }

  template <class F>
  constexpr result<void> up(F& on_complete) noexcept {
    auto f = features();
    if (!f) return f.error();
    auto p = k_.alloc_unbound(be_id_);
    if (!p) return p.error();
    port_ = p.value();
    auto ref = e_.attach(be_id_, f.value(), on_complete);
    if (!ref) {
      k_.close(port_);
      port_ = port{0};
      return ref.error();
    }
    char r[21]{}, c[21]{};
    const std::size_t rn = blkfront_format_u64(ref.value().value(), r);
    const std::size_t cn = blkfront_format_u64(port_.value(), c);
    const bool persistent = f.value().persistent;
    return xs_.transact([&](u32 tx) -> result<void> {
      XENABI_TRY(write_key(abi::blkif_xenstore::ring_ref, xs_str(r, rn), tx));
      XENABI_TRY(write_key(abi::blkif_xenstore::event_channel, xs_str(c, cn), tx));
      XENABI_TRY(write_key(abi::blkif_xenstore::protocol, xs_str("x86_64-abi"), tx));
      XENABI_TRY(write_key(abi::blkif_xenstore::feature_persistent, xs_str(persistent ? "1" : "0"), tx));
      return write_state(abi::XenbusState::Initialised, tx);
    });
  }

  constexpr result<blkfront_features> features() noexcept {
    namespace k = abi::blkif_xenstore;
    blkfront_features f;
    auto sectors = read_number(backend_dir(), k::sectors);
    if (!sectors) return sectors.error();
    f.sectors = sectors.value();
    f.sector_size = static_cast<u32>(read_number(backend_dir(), k::sector_size).value_or(512));
    f.readonly = (read_number(backend_dir(), k::info).value_or(0) & abi::VDISK::READONLY) != 0;
    char mode[4]{};
    if (auto m = read_key(backend_dir(), k::mode, mode, sizeof mode); m && m.value() == 1 && mode[0] == 'r')
      f.readonly = true;
    f.barrier = read_number(backend_dir(), k::feature_barrier).value_or(0) == 1;
    f.flush = read_number(backend_dir(), k::feature_flush_cache).value_or(0) == 1;
    f.discard = read_number(backend_dir(), k::feature_discard).value_or(0) == 1;
    f.persistent = read_number(backend_dir(), k::feature_persistent).value_or(0) == 1;
    const u64 ind = read_number(backend_dir(), k::feature_max_indirect_segments).value_or(0);
    f.max_indirect_segments = ind > 0xffffffffu ? 0xffffffffu : static_cast<u32>(ind);
    return f;
  }

  constexpr result<std::size_t> read_key(xs_str dir, xs_str key, char* buf, std::size_t cap) noexcept {
    blkfront_path p(dir, key);
    if (!p.ok()) return errc::enametoolong;
    return xs_.read(p.str(), buf, cap);
  }
  constexpr result<u64> read_number(xs_str dir, xs_str key) noexcept {
    char v[24]{};
    auto n = read_key(dir, key, v, sizeof v);
    if (!n) return n.error();
    return blkfront_parse_u64(v, n.value());
  }
  constexpr result<void> write_key(xs_str key, xs_str value, u32 tx = 0) noexcept {
    blkfront_path p(dir_, key);
    if (!p.ok()) return errc::enametoolong;
    return xs_.write(p.str(), value, tx);
  }
  constexpr result<void> write_state(abi::XenbusState s, u32 tx = 0) noexcept {
    char v[21]{};
    const std::size_t n = blkfront_format_u64(static_cast<u64>(s), v);
    return write_key("state", xs_str(v, n), tx);
  }

  Store& xs_;
  Kernel& k_;
  Engine& e_;
  xs_str dir_;
  char be_dir_[128]{};
  std::size_t be_dir_len_ = 0;
  domain_id be_id_{};
  port port_{};
  bool connected_ = false;
  u32 connections_ = 0;
};

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
