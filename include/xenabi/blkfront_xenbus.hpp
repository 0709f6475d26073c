/// \file
/// \ingroup drivers
/// The block front end's xenbus side: `blkfront_device` drives `xenbus_frontend` (xenbus.hpp)
/// for one virtual block device and connects the `blkfront` engine to whatever back end is
/// there: it reads the back end's features, publishes the ring and the event channel, and
/// reconnects when a back end goes away or a restarted one appears. Freestanding, no heap.
///
/// \code
/// xenabi::blkfront_device<xs_client, kernel, blk_engine> dev(xs, k, engine, 51712);
/// XENABI_TRY(dev.start("vbd-be"));   // probe backend + backend-id, watch the backend's state
/// while (!dev.connected()) {         // on each watch event:
///   XENABI_TRY(dev.step([](xenabi::u64 cookie, xenabi::s16 st) { finish(cookie, st); }));
///   wait_for_watch_event();
/// }
/// \endcode
///
/// **Client** is the xenstore client (`xenstore_client`, or any type with its `read`, `write`, `rm`,
/// `watch` and `transact` members). **Kernel** allocates the device's event channel for the back
/// end (`alloc_unbound(domain_id) -> result<port>`) and closes it (`close(port)`); the engine's
/// `Env::notify()` should send on `event_port()` of this object.
///
/// **Handshake** (xenbus.hpp's `frontend_step`): when the back end is in `InitWait`, `publish`
/// reads the features (`sectors`, `info`, `mode`, `sector-size`, `feature-barrier`,
/// `feature-flush-cache`, `feature-discard`, `feature-persistent`,
/// `feature-max-indirect-segments`, `max-ring-page-order`), attaches the engine (a fresh ring),
/// allocates a new event channel and writes the ring's grant references (`ring-ref` for one
/// page; `ring-page-order` and `ring-ref0`.. for more; a multi-page-capable engine writes
/// `ring-page-order` also when it fell back to one page), `event-channel`, `protocol` (the
/// engine's ABI: "x86_32-abi" for an i386 guest, "x86_64-abi" for an x86_64 one) and
/// `feature-persistent` with `state` = Initialised in one transaction; on the back end's `Connected` the front end says
/// `Connected`. When the back end drops back to `InitWait` (a restarted back end) or goes
/// `Closing`/`Closed`, the old ring is dead: the engine detaches (completing what was answered,
/// keeping the rest) and, once the handshake is done again, re-issues the rest.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/io/blkif.hpp>
#include <xenabi/abi/io/xenbus.hpp>
#include <xenabi/blkfront.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/xenbus.hpp>
#include <xenabi/xenstore.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// The front end of one virtual block device (see the file comment).
template <class Client, class Kernel, class Engine>
class blkfront_device {
 public:
  /// The xenbus front end type.
  using xenbus = xenbus_frontend<Client>;

  /// Device `device/vbd/<devid>`, using client \p xs, kernel services \p k and engine \p e.
  constexpr blkfront_device(Client& xs, Kernel& k, Engine& e, u32 devid) noexcept
      : xs_(xs), k_(k), e_(e), fe_(xs, "vbd", devid) {}

  /// Reads `backend` and `backend-id` and watches the back end's state with \p token (the watch
  /// fires once right away).
  [[nodiscard]] constexpr result<void> start(xs_str token) noexcept {
    XENABI_TRY(fe_.probe());
    return fe_.watch_backend_state(token);
  }

  /// Follows the back end's state (call on each watch event of the token given to `start`),
  /// taking every step the two states call for; \p on_complete receives the completions
  /// collected from a dead ring and the failures of requests that cannot be re-issued.
  template <class F>
  constexpr result<void> step(F&& on_complete) noexcept {
    hooks<F> h{*this, on_complete};
    auto r = fe_.run(h);
    if (!r && e_.attached() && fe_.state() != abi::XenbusState::Initialised && !fe_.connected())
      h.disconnect();  // a publish that failed leaves nothing attached
    return r;
  }

  /// The xenbus front end (paths, the back end's id, the state this end wrote).
  [[nodiscard]] constexpr const xenbus& bus() const noexcept { return fe_; }
  /// The device's event channel (valid while attached).
  [[nodiscard]] constexpr port event_port() const noexcept { return port_; }
  /// True while both ends are Connected.
  [[nodiscard]] constexpr bool connected() const noexcept { return fe_.connected(); }
  /// How many times the device connected (1 after the first handshake, +1 per reconnection).
  [[nodiscard]] constexpr u32 connections() const noexcept { return fe_.connections(); }

 private:
  template <class F>
  struct hooks {
    blkfront_device& d;
    F& on_complete;
    constexpr result<void> publish(Client& xs, const xenbus& fe, u32 tx) noexcept {
      return d.publish(xs, fe, tx, on_complete);
    }
    constexpr void connected() noexcept {}
    constexpr void disconnect() noexcept {
      (void)d.e_.detach(on_complete);
      if (d.port_.value() != 0) d.k_.close(d.port_);
      d.port_ = port{0};
    }
  };

  // "ring-ref<i>" under the front end's directory.
  static constexpr auto ring_ref_key(const xenbus& fe, u32 i) noexcept {
    xs_path<16> name(xs_str{abi::blkif_xenstore::ring_ref});
    name.append(i);
    return fe.key(name.str());
  }
  // Removes \p path; a node that is not there is not an error.
  static constexpr result<void> rm_absent_ok(Client& xs, xs_str path, u32 tx) noexcept {
    auto r = xs.rm(path, tx);
    if (!r && r.error() != errc::enoent) return r.error();
    return {};
  }

  // Attaches the engine (once: the transaction around this may be retried) and writes the keys.
  template <class F>
  constexpr result<void> publish(Client& xs, const xenbus& fe, u32 tx, F& on_complete) noexcept {
    if (!e_.attached()) {
      auto f = features(fe);
      if (!f) return f.error();
      auto p = k_.alloc_unbound(domain_id{fe.backend_id()});
      if (!p) return p.error();
      port_ = p.value();
      auto ref = e_.attach(domain_id{fe.backend_id()}, f.value(), on_complete);
      if (!ref) {
        k_.close(port_);
        port_ = port{0};
        return ref.error();
      }
    }
    namespace k = abi::blkif_xenstore;
    char r[10]{}, c[10]{};
    if (e_.ring_order() == 0) {
      // One page (also after a fallback from more): Linux's and QEMU's back ends read
      // ring-ref<i> whenever ring-page-order exists, so an earlier connection's
      // ring-page-order and ring-ref<i> must go, or they would map a stale grant as the ring.
      if constexpr (Engine::ring_pages > 1) {
        XENABI_TRY(rm_absent_ok(xs, fe.key(k::ring_page_order).str(), tx));
        for (u32 i = 0; i < Engine::ring_pages; ++i) XENABI_TRY(rm_absent_ok(xs, ring_ref_key(fe, i).str(), tx));
      }
      const std::size_t rn = format_xs_u32(e_.ring_ref().value(), r);
      XENABI_TRY(xs.write(fe.key(k::ring_ref).str(), xs_str{r, rn}, tx));
    } else {
      XENABI_TRY(rm_absent_ok(xs, fe.key(k::ring_ref).str(), tx));
      const std::size_t on = format_xs_u32(e_.ring_order(), r);
      XENABI_TRY(xs.write(fe.key(k::ring_page_order).str(), xs_str{r, on}, tx));
      for (u32 i = 0; i < Engine::ring_pages; ++i) {
        if (i >= (1u << e_.ring_order())) {
          XENABI_TRY(rm_absent_ok(xs, ring_ref_key(fe, i).str(), tx));
          continue;
        }
        const std::size_t rn = format_xs_u32(e_.ring_ref(i).value(), r);
        XENABI_TRY(xs.write(ring_ref_key(fe, i).str(), xs_str{r, rn}, tx));
      }
    }
    const std::size_t cn = format_xs_u32(port_.value(), c);
    XENABI_TRY(xs.write(fe.key(k::event_channel).str(), xs_str{c, cn}, tx));
    XENABI_TRY(xs.write(fe.key(k::protocol).str(), xs_str{Engine::abi_type::protocol}, tx));
    return xs.write(fe.key(k::feature_persistent).str(),
                    xs_str{e_.features().persistent ? "1" : "0"}, tx);
  }

  constexpr result<blkfront_features> features(const xenbus& fe) noexcept {
    namespace k = abi::blkif_xenstore;
    blkfront_features f;
    auto number = [&fe](xs_str key) { return fe.read_backend_u64(key); };
    auto sectors = number(k::sectors);
    if (!sectors) return sectors.error();
    f.sectors = sectors.value();
    f.sector_size = static_cast<u32>(number(k::sector_size).value_or(512));
    f.readonly = (number(k::info).value_or(0) & abi::VDISK::READONLY) != 0;
    char mode[4]{};
    if (auto m = xs_.read(fe.backend_key(k::mode).str(), mode, sizeof mode); m && m.value() == 1 && mode[0] == 'r')
      f.readonly = true;
    f.barrier = number(k::feature_barrier).value_or(0) == 1;
    f.flush = number(k::feature_flush_cache).value_or(0) == 1;
    f.discard = number(k::feature_discard).value_or(0) == 1;
    f.persistent = number(k::feature_persistent).value_or(0) == 1;
    const u64 ind = number(k::feature_max_indirect_segments).value_or(0);
    f.max_indirect_segments = ind > 0xffffffffu ? 0xffffffffu : static_cast<u32>(ind);
    const u64 order = number(k::max_ring_page_order).value_or(0);
    f.max_ring_page_order = order > 31 ? 31u : static_cast<u32>(order);
    return f;
  }

  Client& xs_;
  Kernel& k_;
  Engine& e_;
  xenbus fe_;
  port port_{};
};

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
