/// \file
/// `hv::backend::netback_service`: xenhv's network backend as a whole. One driver domain
/// ("netback") serves a virtual interface (`vif`) per guest network device, all switched by one
/// `bridge` (plus, optionally, host tap devices). It plays both the toolstack's part (creating
/// each device's xenstore directories, as libxl does) and the backend's part of the xenbus
/// handshake:
///
/// 1. Toolstack: `backend/vif/<guest>/<devid>` (in the driver domain's home) with `frontend`,
///    `frontend-id`, `online`, `handle`, `mac`, state Initialising; `device/vif/<devid>` (in the
///    guest's home) with `backend`, `backend-id`, `handle`, `mac`, state Initialising.
/// 2. Backend: writes its feature keys (`netback_features`: `feature-rx-copy`, `feature-sg`, ...)
///    and switches to InitWait; watches the frontend's `state`.
/// 3. Frontend (a guest's netfront): grants and publishes `tx-ring-ref`, `rx-ring-ref`,
///    `event-channel`, `request-rx-copy` and switches to Connected (or Initialised).
/// 4. Backend: reads those keys (and the frontend's receive features `feature-sg`,
///    `feature-no-csum-offload`, `feature-ipv6-csum-offload`), refuses a frontend that does not ask for copy-based receive
///    (state Closing, reason in `failure()`), connects the `netif` (maps the rings, binds the
///    port) and switches to Connected.
/// 5. A frontend that switches to Closing or Closed is disconnected (the backend follows to
///    Closed); one that starts again from Initialising finds the backend back in InitWait.
///
/// Everything after construction runs on the driver domain's thread (`start`).
/// \ingroup hypervisor
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <xenabi/abi/io/xenbus.hpp>
#include <xenabi/xenbus.hpp>

#include <hv/backend/bridge.hpp>
#include <hv/backend/driver_domain.hpp>
#include <hv/backend/netback.hpp>
#include <hv/backend/tap.hpp>

namespace hv::backend {

/// The MAC address xenhv gives guest \p domid's interface \p devid when none is configured:
/// Xen's OUI 00:16:3e, then devid and domid.
[[nodiscard]] inline mac_address default_mac(std::uint16_t domid, std::uint32_t devid = 0) {
  return {0x00, 0x16, 0x3e, static_cast<std::uint8_t>(devid), static_cast<std::uint8_t>(domid >> 8),
          static_cast<std::uint8_t>(domid + 1)};
}

/// \p m as xenstore stores it ("00:16:3e:00:00:01").
[[nodiscard]] inline std::string mac_text(const mac_address& m) {
  char b[18];
  std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}

/// The network backend of one xenhv process (see the file comment).
class netback_service {
 public:
  /// One guest interface.
  struct vif {
    device_spec dev;              ///< Its xenstore device.
    mac_address mac;              ///< Its MAC address.
    std::unique_ptr<netif> nif;   ///< The backend end.
    bool connected = false;       ///< Rings connected.
    abi::XenbusState state = abi::XenbusState::Initialising;  ///< The backend's xenbus state.
    std::string failure;          ///< Why the last connection attempt failed (empty if none).
  };

  /// Creates the driver domain "netback" (the next free driver-domain id) in \p h, introduced to
  /// \p xs.
  netback_service(host& h, xenstore::store& xs)
      : xs_(xs), dd_(std::make_unique<driver_domain>(h, xs, driver_domain::next_free_id(h), "netback")) {
    dd_->on_watch([this](const xenstore::watch_event& e) { on_watch(e); });
  }
  /// Stops the driver domain, disconnects every interface and kills the driver domain.
  ~netback_service() {
    dd_->stop();
    for (auto& v : vifs_) v->nif.reset();
    taps_.clear();
    dd_.reset();
  }
  netback_service(const netback_service&) = delete;
  netback_service& operator=(const netback_service&) = delete;

  /// Adds interface \p devid of guest \p frontend with MAC \p mac: creates its xenstore
  /// directories, publishes the backend features, switches to InitWait and watches the
  /// frontend. Call before `start` or on the driver domain's thread.
  [[nodiscard]] result<void> add_vif(std::uint16_t frontend, mac_address mac, std::uint32_t devid = 0) {
    auto v = std::make_unique<vif>();
    v->mac = mac;
    v->dev.backend = dd_->id();
    v->dev.frontend = frontend;
    v->dev.type = "vif";
    v->dev.devid = devid;
    v->dev.backend_keys = {{"handle", std::to_string(devid)}, {"mac", mac_text(mac)}};
    v->dev.frontend_keys = {{"handle", std::to_string(devid)}, {"mac", mac_text(mac)}};
    XENABI_TRY(create_device(xs_, v->dev));
    const std::string be = backend_path(v->dev);
    auto& c = dd_->xs();
    auto features = c.transact([&](std::uint32_t tx) -> result<void> {
      for (const auto& f : netback_features) XENABI_TRY(c.write(be + "/" + f.key, f.value, tx));
      return c.write(be + "/state", state_text(abi::XenbusState::InitWait), tx);
    });
    if (!features) return features.error();
    v->state = abi::XenbusState::InitWait;
    v->nif = std::make_unique<netif>(*dd_, &br_);
    XENABI_TRY(c.watch(frontend_path(v->dev) + "/state", token(vifs_.size())));
    vifs_.push_back(std::move(v));
    return {};
  }

  /// Attaches host tap interface \p name (see `tap_port`; `%d` is numbered by the kernel) to
  /// the bridge. Throws `std::system_error` if the device cannot be used.
  tap_port& add_tap(const std::string& name) {
    taps_.push_back(std::make_unique<tap_port>(br_, name));
    return *taps_.back();
  }

  /// Starts the driver domain's thread.
  void start() { dd_->start(); }
  /// Stops it (interfaces stay connected; their events wait).
  void stop() { dd_->stop(); }

  /// The driver domain.
  [[nodiscard]] driver_domain& dd() noexcept { return *dd_; }
  /// The bridge.
  [[nodiscard]] bridge& switch_() noexcept { return br_; }
  /// The interfaces, in the order they were added.
  [[nodiscard]] const std::vector<std::unique_ptr<vif>>& vifs() const noexcept { return vifs_; }

 private:
  static std::string token(std::size_t i) { return "vif" + std::to_string(i); }
  static std::string state_text(abi::XenbusState s) { return std::to_string(static_cast<unsigned>(s)); }

  void on_watch(const xenstore::watch_event& e) {
    if (e.token.rfind("vif", 0) != 0) return;
    const std::size_t i = std::stoul(e.token.substr(3));
    if (i < vifs_.size()) check_frontend(*vifs_[i]);
  }

  void set_state(vif& v, abi::XenbusState s) {
    v.state = s;
    (void)dd_->xs().write(backend_path(v.dev) + "/state", state_text(s));
  }

  // The backend's half of the handshake (xenabi::backend_step), run whenever the frontend's
  // state changes.
  void check_frontend(vif& v) {
    using S = abi::XenbusState;
    auto& c = dd_->xs();
    const std::string fe = frontend_path(v.dev);
    auto st = c.read(fe + "/state");
    S fs = S::Unknown;
    if (st)
      if (auto p = xenabi::parse_xenbus_state(xenabi::xs_str{st.value().data(), st.value().size()})) fs = p.value();
    auto drop = [&] {
      if (v.connected) v.nif->disconnect();
      v.connected = false;
    };
    switch (xenabi::backend_step(v.state, fs)) {
      case xenabi::xenbus_action::init_wait:
        drop();
        set_state(v, S::InitWait);
        break;
      case xenabi::xenbus_action::connect:
        if (connect(v, fe)) {
          set_state(v, S::Connected);
        } else {
          set_state(v, S::Closing);
        }
        break;
      case xenabi::xenbus_action::close:
        drop();
        set_state(v, S::Closing);
        break;
      case xenabi::xenbus_action::closed:
        drop();
        set_state(v, S::Closed);
        break;
      default:
        break;
    }
  }

  // Reads the frontend's keys and connects the interface; false (reason in v.failure) if not.
  bool connect(vif& v, const std::string& fe) {
    auto& c = dd_->xs();
    auto key = [&](const char* k) -> result<std::uint32_t> {
      auto r = c.read(fe + "/" + k);
      if (!r) return r.error();
      return xenabi::parse_xs_u32(xenabi::xs_str{r.value().data(), r.value().size()});
    };
    auto tx = key(abi::netif_xenstore::tx_ring_ref);
    auto rx = key(abi::netif_xenstore::rx_ring_ref);
    auto port = key(abi::netif_xenstore::event_channel);
    auto copy = key("request-rx-copy");
    auto sg = key("feature-sg");
    if (!tx || !rx || !port) {
      v.failure = "frontend keys tx-ring-ref, rx-ring-ref, event-channel missing or malformed";
      return false;
    }
    if (!copy || copy.value() != 1) {
      v.failure = "frontend does not request copy-based receive (request-rx-copy)";
      return false;
    }
    auto no_csum = key(abi::netif_xenstore::feature_no_csum_offload);
    auto v6_csum = key(abi::netif_xenstore::feature_ipv6_csum_offload);
    netif_connection nc{v.dev.frontend, tx.value(), rx.value(), port.value(), sg && sg.value() == 1};
    nc.rx_csum_offload = !no_csum || no_csum.value() == 0;  // Xen: on unless the key says off
    nc.rx_ipv6_csum_offload = v6_csum && v6_csum.value() == 1;
    if (!v.nif->connect(nc)) {
      v.failure = v.nif->failure();
      return false;
    }
    v.connected = true;
    v.failure.clear();
    return true;
  }

  xenstore::store& xs_;
  bridge br_;
  std::unique_ptr<driver_domain> dd_;
  std::vector<std::unique_ptr<vif>> vifs_;
  std::vector<std::unique_ptr<tap_port>> taps_;
};

}  // namespace hv::backend
