/// \file
/// \ingroup drivers
/// A virtual block device (`vbd`) served by a driver domain: the back end's half of the xenbus
/// handshake around `blkback`.
///
/// \code
/// hv::backend::driver_domain dd(host, store, hv::backend::driver_domain::next_free_id(host), "blkback");
/// (void)hv::backend::create_device(store, {.backend = dd.id(), .frontend = 0, .type = "vbd",
///                                          .devid = 51712, .backend_keys = {{"mode", "w"}}});
/// hv::blk::vbd dev(dd, image, {}, /*frontend=*/0, 51712);   // features + InitWait
/// dd.on_watch([&](const hv::xenstore::watch_event& e) { dev.handle(e); });
/// dd.start();
/// \endcode
///
/// **Keys written** (backend directory, before InitWait): `sectors`, `sector-size` (512),
/// `physical-sector-size`, `info` (`VDISK_READONLY` for a read-only image), `mode`,
/// `feature-barrier`, `feature-flush-cache`, `feature-discard` (+ `discard-granularity`,
/// `discard-alignment`), `feature-persistent`, `feature-max-indirect-segments`,
/// `max-ring-page-order`.
///
/// **States.** On the front end's `Initialised` the device reads `ring-page-order` (absent: 0; at
/// most the advertised `max-ring-page-order`), the ring's grant references (`ring-ref` for one
/// page, or `ring-ref0`; `ring-ref0` .. `ring-ref<2^order - 1>` for more), `event-channel`, `protocol` (absent or "x86_64-abi": x86_64 layout;
/// "x86_32-abi": i386 layout; anything else is refused) and `feature-persistent`,
/// binds the event channel, connects a `blkback` and switches to `Connected`. It connects only
/// on `Initialised`, never on a front end already `Connected`: that front end's ring belongs to a
/// previous back end instance and its indices are not at zero; the front end first sees this
/// instance's `InitWait`, sets up a fresh ring and says `Initialised` again. On the front end's
/// `Closing` it disconnects and goes `Closing` then `Closed`; on `Closed` or `Initialising`
/// afterwards it offers itself again (`InitWait`). A setup failure writes the reason to the
/// backend directory's `error` key and goes `Closing`.
///
/// **Crash.** Destroying a `vbd` kills its `blkback` (no further response is written) without
/// touching xenstore, as a crashed driver domain would; destroying the `driver_domain` then drops
/// its grant mappings and event channels. A new `driver_domain` and `vbd` for the same device
/// (a restart) writes `InitWait` and the front end reconnects.
#pragma once

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hv/backend/blkback.hpp>
#include <hv/backend/driver_domain.hpp>
#include <xenabi/abi/io/xenbus.hpp>

namespace hv::blk {

/// One virtual block device of one guest, served by a driver domain.
class vbd {
 public:
  /// Serves device \p devid of domain \p frontend from \p dd, backed by \p d with \p c. The
  /// toolstack has created the device directories (`hv::backend::create_device`). Writes the
  /// backend keys and `InitWait`, and watches the front end's state (route `dd`'s watch events
  /// to `handle`). Throws `std::runtime_error` if the backend directory is unusable.
  vbd(backend::driver_domain& dd, const disk& d, config c, std::uint16_t frontend, std::uint32_t devid)
      : dd_(dd), disk_(d), cfg_(std::move(c)), fe_id_(frontend),
        be_dir_("backend/vbd/" + std::to_string(frontend) + "/" + std::to_string(devid)),
        token_("vbd/" + std::to_string(frontend) + "/" + std::to_string(devid)) {
    auto fe = dd_.xs().read(be_dir_ + "/frontend");
    if (!fe) throw std::runtime_error("vbd: no " + be_dir_ + "/frontend in xenstore");
    fe_dir_ = fe.value();
    if (d.readonly()) cfg_.offer.discard = false;
    const auto& o = cfg_.offer;
    auto w = [&](const char* k, const std::string& v) { (void)dd_.xs().write(be_dir_ + "/" + k, v); };
    namespace keys = xenabi::abi::blkif_xenstore;
    w(keys::sectors, std::to_string(d.sectors()));
    w(keys::sector_size, "512");
    w(keys::physical_sector_size, "512");
    w(keys::info, std::to_string(d.readonly() ? xenabi::abi::VDISK::READONLY : 0u));
    w(keys::mode, d.readonly() ? "r" : "w");
    w(keys::feature_barrier, o.barrier ? "1" : "0");
    w(keys::feature_flush_cache, o.flush ? "1" : "0");
    w(keys::feature_discard, o.discard ? "1" : "0");
    if (o.discard) {
      w(keys::discard_granularity, "4096");
      w(keys::discard_alignment, "0");
    }
    w(keys::feature_persistent, cfg_.persistent ? "1" : "0");
    w(keys::feature_max_indirect_segments, std::to_string(o.max_indirect_segments));
    if (cfg_.max_ring_page_order > max_ring_page_order) cfg_.max_ring_page_order = max_ring_page_order;
    w(keys::max_ring_page_order, std::to_string(cfg_.max_ring_page_order));
    set_state(xenabi::abi::XenbusState::InitWait);
    (void)dd_.xs().watch(fe_dir_ + "/state", token_);
  }
  vbd(const vbd&) = delete;
  vbd& operator=(const vbd&) = delete;
  /// Kills the back end (as a crash: see the file comment).
  ~vbd() {
    (void)dd_.xs().unwatch(fe_dir_ + "/state", token_);
    drop();
  }

  /// Handles watch event \p e (ignores events of other devices).
  void handle(const xenstore::watch_event& e) {
    if (e.token != token_) return;
    auto s = dd_.xs().read(fe_dir_ + "/state");
    const auto fs = static_cast<xenabi::abi::XenbusState>(s ? std::strtoul(s.value().c_str(), nullptr, 10) : 0);
    using S = xenabi::abi::XenbusState;
    switch (fs) {
      case S::Initialised:
        if (!be_ && state_ == S::InitWait) connect();
        break;
      case S::Closing:
        drop();
        set_state(S::Closing);
        set_state(S::Closed);
        break;
      case S::Closed:
      case S::Initialising:
        drop();
        if (state_ == S::Closed || state_ == S::Closing || state_ == S::Connected) set_state(S::InitWait);
        break;
      default:
        break;
    }
  }

  /// The connected back end, or null.
  [[nodiscard]] blkback* backend() const noexcept { return be_.get(); }
  /// The state this device last wrote.
  [[nodiscard]] xenabi::abi::XenbusState state() const noexcept { return state_; }
  /// The backend directory (relative to the driver domain's home).
  [[nodiscard]] const std::string& dir() const noexcept { return be_dir_; }

 private:
  void set_state(xenabi::abi::XenbusState s) {
    state_ = s;
    (void)dd_.xs().write(be_dir_ + "/state", std::to_string(static_cast<unsigned>(s)));
  }
  void fail(const std::string& why) {
    (void)dd_.xs().write(be_dir_ + "/error", why);
    set_state(xenabi::abi::XenbusState::Closing);
  }
  [[nodiscard]] std::optional<std::uint64_t> number(const char* key) {
    auto v = dd_.xs().read(fe_dir_ + "/" + key);
    if (!v || v.value().empty()) return std::nullopt;
    char* end = nullptr;
    const auto n = std::strtoull(v.value().c_str(), &end, 10);
    if (*end != '\0') return std::nullopt;
    return n;
  }
  void connect() {
    namespace keys = xenabi::abi::blkif_xenstore;
    const auto port = number(keys::event_channel);
    if (!port || *port > 0xffffffffu) return fail("missing or bad event-channel");
    // As Linux's blkback: a ring-page-order key (0 included) means the pages are ring-ref<i>.
    const auto order_key = number(keys::ring_page_order);
    const auto order = order_key.value_or(0);
    if (order > cfg_.max_ring_page_order)
      return fail("ring-page-order " + std::to_string(order) + " is above max-ring-page-order");
    std::vector<std::uint32_t> refs;
    for (std::uint64_t i = 0; i < (std::uint64_t{1} << order); ++i) {
      // Without ring-page-order: "ring-ref"; with it: "ring-ref<i>" (order 0: "ring-ref0").
      const std::string key = order_key ? std::string(keys::ring_ref) + std::to_string(i) : std::string(keys::ring_ref);
      const auto ref = number(key.c_str());
      if (!ref || *ref > 0xffffffffu) return fail("missing or bad " + key);
      refs.push_back(static_cast<std::uint32_t>(*ref));
    }
    std::optional<std::string> proto;
    if (auto v = dd_.xs().read(fe_dir_ + "/" + keys::protocol)) proto = v.value();
    const auto width = protocol_width(proto ? std::optional<std::string_view>(*proto) : std::nullopt);
    if (!width) return fail("protocol " + *proto + " is not supported (x86_64-abi or x86_32-abi)");
    const auto persistent = number(keys::feature_persistent);
    auto local = dd_.bind_interdomain(fe_id_, static_cast<std::uint32_t>(*port));
    if (!local) return fail("cannot bind event channel " + std::to_string(*port));
    port_ = local.value();
    const std::uint32_t lp = port_;
    blkback::params p{fe_id_, refs, cfg_.persistent && persistent.value_or(0) == 1,
                      [this, lp] { (void)dd_.notify(lp); }, *width};
    be_ = blkback::connect(dd_.dom(), disk_, cfg_, std::move(p));
    if (!be_) {
      dd_.close(port_);
      port_ = 0;
      return fail("cannot map the ring's " + std::to_string(refs.size()) + " page(s)");
    }
    dd_.on_port(port_, [this] {
      if (be_) be_->kick();
    });
    set_state(xenabi::abi::XenbusState::Connected);
  }
  void drop() {
    if (be_) be_->kill();
    be_.reset();
    if (port_ != 0) dd_.close(port_);
    port_ = 0;
  }

  backend::driver_domain& dd_;
  const disk& disk_;
  config cfg_;
  std::uint16_t fe_id_;
  std::string be_dir_, fe_dir_, token_;
  std::unique_ptr<blkback> be_;
  std::uint32_t port_ = 0;
  xenabi::abi::XenbusState state_ = xenabi::abi::XenbusState::Initialising;
};

}  // namespace hv::blk
