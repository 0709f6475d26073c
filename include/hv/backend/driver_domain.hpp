/// \file
/// \ingroup drivers
/// Driver domains: where xenhv's backends (console, xenstored's ring server, blkback, netback)
/// run. A driver domain is a domain of the `hv::host` with its own id, its own event-channel
/// table and shared_info, and its own thread, but no vCPU that executes guest code: its "kernel"
/// is host code in this process. It reaches a guest only the way a Xen driver domain does:
/// through grants the guest gave it (`map`, `frame`, `unmap`, `copy_from_grant`,
/// `copy_to_grant` — the host's grant_map / grant_unmap / granted_frame / grant copy, which
/// check the guest's grant entries against the driver domain's id), interdomain event
/// channels, and xenstore (an unprivileged `xenstore::client` acting for its id).
///
/// ## Interface (what blk and net build on)
///
/// **Domain ids.** Guests: 0..n-1 in command-line order. `hv::xenstore::toolstack_domid`
/// (0x7f00): the toolstack and xenstored (owner of `/`, `/local/domain`, holder of xenstored's
/// and the console backend's event-channel ends). Driver domains: `first_driver_domid`
/// (0x7f01) upwards, one id per backend kind, `driver_domain::next_free_id(host)` picks the next
/// free one. Frontends never hard-code these: they read `backend-id` from xenstore.
///
/// **Creating a backend.**
/// \code
/// hv::xenstore::store& xs = ...;                         // the host's store (ring_server::db())
/// hv::backend::driver_domain dd(host, xs, hv::backend::driver_domain::next_free_id(host), "blkback");
/// // Toolstack: create the device's two directories (as libxl does), state Initialising.
/// hv::backend::create_device(xs, {.backend = dd.id(), .frontend = 0, .type = "vbd", .devid = 51712,
///                                 .backend_keys = {{"mode", "w"}}});
/// dd.on_watch([&](const hv::xenstore::watch_event& e) { ... });   // runs on dd's thread
/// XENABI_TRY(dd.xs().watch("backend/vbd", "be"));      // /local/domain/<dd>/backend/vbd
/// dd.start();                                            // the driver domain's event loop
/// // When the frontend publishes ring-ref and event-channel:
/// auto port = dd.bind_interdomain(0, remote_port);       // local port, interdomain with guest 0
/// dd.on_port(port.value(), [&] { service_ring(); });     // runs on dd's thread
/// auto m = dd.map(0, ring_ref, /*readonly=*/false);      // checked against guest 0's grant entry
/// auto page = dd.frame(m.value());                       // std::span<std::byte> of the granted page
/// dd.notify(port.value());                               // EVTCHNOP_send to the guest
/// \endcode
///
/// **Threads.** `start()` runs the event loop on the driver domain's own thread: it waits for
/// events on the domain's ports and for xenstore watch events, and calls the handlers
/// registered with `on_port` / `on_watch` (and functions queued with `post`) one at a time on
/// that thread. A backend may start more threads of its own; they may call every method here.
///
/// **Stop and restart.** `stop()` stops the loop (handlers no longer run; the ports, mappings
/// and xenstore state stay). Destroying the `driver_domain` kills it as a crashed driver domain
/// dies on Xen: the loop stops, its grant mappings are unmapped (the guests' GTF_reading/writing
/// clear), its event channels close (the guests' ends become unbound, so their notifications
/// are dropped), its xenstore connection goes (watches, transactions) and the toolstack
/// releases it (`@releaseDomain` fires). Its home `/local/domain/<id>` with the device
/// directories the toolstack created there stays, so a new `driver_domain` with the same id (a restart)
/// finds the frontends' directories and re-attaches to them.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <hv/event_channel.hpp>
#include <hv/host.hpp>
#include <hv/hypercalls.hpp>
#include <hv/xenstore/client.hpp>

namespace hv::backend {

/// The first id given to driver domains (ids below 0x7f00 are guests').
inline constexpr std::uint16_t first_driver_domid = 0x7f01;

// ---------------------------------------------------------------------------------------------
// Event channels operated by host code (what EVTCHNOP_* do for a guest, for a host-side domain)

/// EVTCHNOP_alloc_unbound in \p d: a new port that domain \p remote may bind (what a toolstack
/// does for a guest's store and console channels). `enospc` when the table is full.
[[nodiscard]] inline result<std::uint32_t> evtchn_alloc_unbound(domain& d, std::uint16_t remote) {
  std::lock_guard lock(d.mu);
  auto p = evtchn_alloc_port(d);
  if (!p) return p.error();
  auto& ch = d.evtchns[p.value()];
  ch.state = abi::EVTCHNSTAT::unbound;
  ch.remote_dom = remote;
  ch.vcpu = 0;
  return p.value();
}

/// EVTCHNOP_bind_interdomain for \p local: binds a new port of \p local to port \p remote_port of
/// domain \p remote_id, which must be unbound for \p local (`einval` otherwise, `esrch` for an
/// unknown domain). Like Xen, the new local port is made pending once.
[[nodiscard]] inline result<std::uint32_t> evtchn_bind_interdomain(domain& local, std::uint16_t remote_id,
                                                                   std::uint32_t remote_port) {
  domain* rd = remote_id == local.id ? &local : (local.owner != nullptr ? local.owner->find(remote_id) : nullptr);
  if (rd == nullptr) return errc::esrch;
  std::uint32_t lp = 0;
  {
    detail::two_domain_lock lock(local, *rd);
    if (!port_is_valid(*rd, remote_port)) return errc::einval;
    const auto& rch = rd->evtchns[remote_port];
    if (rch.state != abi::EVTCHNSTAT::unbound || rch.remote_dom != local.id) return errc::einval;
    auto p = evtchn_alloc_port(local);
    if (!p) return p.error();
    lp = p.value();
    auto& l = local.evtchns[lp];
    l.state = abi::EVTCHNSTAT::interdomain;
    l.remote_dom = remote_id;
    l.remote_port = remote_port;
    auto& r = rd->evtchns[remote_port];
    r.state = abi::EVTCHNSTAT::interdomain;
    r.remote_dom = local.id;
    r.remote_port = lp;
  }
  evtchn_set_pending(local, lp);
  return lp;
}

/// EVTCHNOP_close for \p d's \p port (an interdomain peer's end becomes unbound again).
inline void evtchn_close(domain& d, std::uint32_t port) {
  domain* peer = nullptr;
  {
    std::lock_guard lock(d.mu);
    if (!port_is_valid(d, port) || d.evtchns[port].state == abi::EVTCHNSTAT::closed) return;
    const auto& ch = d.evtchns[port];
    if (ch.state == abi::EVTCHNSTAT::interdomain && d.owner != nullptr && ch.remote_dom != d.id)
      peer = d.owner->find(ch.remote_dom);
  }
  if (peer != nullptr) {
    detail::two_domain_lock both(d, *peer);
    detail::evtchn_close_locked(d, port);
  } else {
    std::lock_guard again(d.mu);
    detail::evtchn_close_locked(d, port);
  }
}

/// EVTCHNOP_send from \p d's \p port: raises the peer's end of an interdomain channel (`einval`
/// for a port that is not interdomain; an unbound port is silently dropped, as on Xen).
inline result<void> evtchn_send(domain& d, std::uint32_t port) {
  evtchn ch;
  {
    std::lock_guard lock(d.mu);
    if (!port_is_valid(d, port)) return errc::einval;
    ch = d.evtchns[port];
  }
  if (ch.state == abi::EVTCHNSTAT::unbound) return {};
  if (ch.state != abi::EVTCHNSTAT::interdomain) return errc::einval;
  domain* rd = ch.remote_dom == d.id ? &d : (d.owner != nullptr ? d.owner->find(ch.remote_dom) : nullptr);
  if (rd != nullptr) evtchn_set_pending(*rd, ch.remote_port);
  return {};
}

// ---------------------------------------------------------------------------------------------

/// A host-side driver domain (see the file comment).
class driver_domain {
 public:
  /// Creates driver domain \p id named \p name in \p h (throws `std::invalid_argument` if the id is
  /// taken) and introduces it to \p xs (with a `backend` directory, and read access to
  /// `@introduceDomain` / `@releaseDomain`).
  driver_domain(host& h, xenstore::store& xs, std::uint16_t id, std::string name)
      : host_(h), store_(xs), d_(&h.create_domain(id, 64 * 1024, 1, 1000000, 0)), name_(std::move(name)) {
    xs.introduce_domain(id, name_, true);
    for (const char* special : {"@introduceDomain", "@releaseDomain"}) {
      auto p = xs.get_perms(xs.toolstack(), 0, special);
      if (p) {
        auto perms = p.value();
        perms.push_back(xenstore::perm{id, 'r'});
        (void)xs.set_special_perms(special, perms);
      }
    }
    client_ = std::make_unique<xenstore::client>(xs, id);
    client_->on_events([this] { wake(); });
  }
  driver_domain(const driver_domain&) = delete;
  driver_domain& operator=(const driver_domain&) = delete;
  /// Kills the driver domain (see "Stop and restart" in the file comment).
  ~driver_domain() {
    stop();
    {
      std::vector<std::uint32_t> handles;
      {
        std::lock_guard lock(d_->mu);
        for (std::uint32_t h = 0; h < d_->maptrack.size(); ++h)
          if (d_->maptrack[h].in_use) handles.push_back(h);
      }
      for (auto h : handles) (void)grant_unmap(*d_, h);
    }
    std::uint32_t nports = 0;
    {
      std::lock_guard lock(d_->mu);
      nports = static_cast<std::uint32_t>(d_->evtchns.size());
    }
    for (std::uint32_t p = 1; p < nports; ++p) evtchn_close(*d_, p);
    client_.reset();
    store_.release_domain(d_->id, false);
    for (const char* special : {"@introduceDomain", "@releaseDomain"}) {
      auto p = store_.get_perms(store_.toolstack(), 0, special);
      if (p) {
        auto perms = p.value();
        for (std::size_t i = perms.size(); i-- > 1;)
          if (perms[i].id == d_->id) perms.erase(perms.begin() + static_cast<std::ptrdiff_t>(i));
        (void)store_.set_special_perms(special, perms);
      }
    }
    host_.destroy(d_->id);
  }

  /// The lowest free driver-domain id of \p h (from `first_driver_domid`).
  [[nodiscard]] static std::uint16_t next_free_id(const host& h) {
    std::uint16_t id = first_driver_domid;
    while (h.find(id) != nullptr) ++id;
    return id;
  }

  /// This driver domain's id (what frontends find in `backend-id`).
  [[nodiscard]] std::uint16_t id() const noexcept { return d_->id; }
  /// Its name.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// The underlying domain (its event-channel table, maptrack).
  [[nodiscard]] domain& dom() noexcept { return *d_; }
  /// Its xenstore client (unprivileged; relative paths are below `/local/domain/<id>`).
  [[nodiscard]] xenstore::client& xs() noexcept { return *client_; }
  /// The host.
  [[nodiscard]] host& hosts() noexcept { return host_; }

  // -- event channels ---------------------------------------------------------------------------
  /// A new port that domain \p remote may bind.
  [[nodiscard]] result<std::uint32_t> alloc_unbound(std::uint16_t remote) { return evtchn_alloc_unbound(*d_, remote); }
  /// Binds a new local port to \p remote's unbound port \p remote_port.
  [[nodiscard]] result<std::uint32_t> bind_interdomain(std::uint16_t remote, std::uint32_t remote_port) {
    return evtchn_bind_interdomain(*d_, remote, remote_port);
  }
  /// Closes local \p port and forgets its handler.
  void close(std::uint32_t port) {
    {
      std::lock_guard lock(mu_);
      handlers_.erase(port);
    }
    evtchn_close(*d_, port);
  }
  /// Notifies the peer of local \p port (EVTCHNOP_send).
  result<void> notify(std::uint32_t port) { return evtchn_send(*d_, port); }
  /// Calls \p h on the driver domain's thread whenever local \p port is raised.
  void on_port(std::uint32_t port, std::function<void()> h) {
    {
      std::lock_guard lock(mu_);
      handlers_[port] = std::move(h);
    }
    wake();  // the port may already be pending
  }
  /// Calls \p h on the driver domain's thread for each xenstore watch event of `xs()`.
  void on_watch(std::function<void(const xenstore::watch_event&)> h) {
    std::lock_guard lock(mu_);
    watch_handler_ = std::move(h);
  }
  /// Runs \p f once on the driver domain's thread.
  void post(std::function<void()> f) {
    {
      std::lock_guard lock(mu_);
      posted_.push_back(std::move(f));
    }
    wake();
  }

  // -- grants -----------------------------------------------------------------------------------
  /// Maps grant \p ref of domain \p granter (GNTTABOP_map_grant_ref): the mapping's handle, or
  /// `eacces` carrying the refusal (the GNTST status is in `last_gntst()`).
  [[nodiscard]] result<std::uint32_t> map(std::uint16_t granter, std::uint32_t ref, bool readonly) {
    auto r = grant_map(*d_, granter, ref, readonly);
    last_gntst_.store(static_cast<std::int16_t>(r.status));
    if (r.status != abi::GNTST::okay) return errc::eacces;
    return r.handle;
  }
  /// Unmaps handle \p h.
  result<void> unmap(std::uint32_t h) {
    const auto st = grant_unmap(*d_, h);
    last_gntst_.store(static_cast<std::int16_t>(st));
    return st == abi::GNTST::okay ? result<void>{} : result<void>{errc::einval};
  }
  /// The granted frame behind handle \p h (re-translated on every call; honour `readonly`).
  [[nodiscard]] result<granted_view> frame(std::uint32_t h) { return granted_frame(*d_, h); }
  /// The GNTST status of the last map/unmap.
  [[nodiscard]] std::int16_t last_gntst() const noexcept { return last_gntst_.load(); }
  /// GNTTABOP_copy from grant \p ref of \p granter at \p offset into \p dst; `eacces` if the
  /// grant does not permit it, `einval` if the range leaves the page.
  [[nodiscard]] result<void> copy_from_grant(std::uint16_t granter, std::uint32_t ref, std::uint32_t offset,
                                             std::span<std::byte> dst) {
    if (offset > 4096 || dst.size() > 4096 - offset) return errc::einval;
    std::byte* page = nullptr;
    if (detail::grant_copy_end(*d_, granter, true, ref, false, page) != abi::GNTST::okay) return errc::eacces;
    std::memmove(dst.data(), page + offset, dst.size());
    return {};
  }
  /// GNTTABOP_copy from \p src into grant \p ref of \p granter at \p offset (the grant must be
  /// writable).
  [[nodiscard]] result<void> copy_to_grant(std::uint16_t granter, std::uint32_t ref, std::uint32_t offset,
                                           std::span<const std::byte> src) {
    if (offset > 4096 || src.size() > 4096 - offset) return errc::einval;
    std::byte* page = nullptr;
    if (detail::grant_copy_end(*d_, granter, true, ref, true, page) != abi::GNTST::okay) return errc::eacces;
    std::memmove(page + offset, src.data(), src.size());
    return {};
  }

  // -- the thread -------------------------------------------------------------------------------
  /// Starts the event loop on the driver domain's own thread (idempotent).
  void start() {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { loop(); });
  }
  /// Stops the event loop and joins its thread (idempotent; not from a handler).
  void stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }
  /// True while the loop runs.
  [[nodiscard]] bool running() const {
    std::lock_guard lock(mu_);
    return thread_.joinable() && !stop_;
  }
  /// Runs the handlers of everything pending now, on the calling thread (for tests and for
  /// backends that drive the domain without `start()`).
  void poll() { dispatch(); }

 private:
  void wake() {
    vcpu& v = *d_->vcpus.front();
    d_->notify(v);
  }

  void loop() {
    vcpu& v = *d_->vcpus.front();
    for (;;) {
      {
        std::unique_lock lock(v.mu);
        v.cv.wait(lock, [&] { return v.wake; });
        v.wake = false;
      }
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      dispatch();
    }
  }

  void dispatch() {
    auto& s = d_->shared();
    auto* vi = d_->vcpu_info_of(*d_->vcpus.front());
    if (vi != nullptr) {
      __atomic_store_n(&vi->evtchn_upcall_pending, std::uint8_t{0}, __ATOMIC_SEQ_CST);
      __atomic_exchange_n(&vi->evtchn_pending_sel, std::uint64_t{0}, __ATOMIC_SEQ_CST);
    }
    std::uint32_t nports = 0;
    {
      std::lock_guard lock(d_->mu);
      nports = static_cast<std::uint32_t>(d_->evtchns.size());
    }
    for (std::uint32_t w = 0; w * 64 < nports; ++w) {
      const std::uint64_t bits = __atomic_exchange_n(&s.evtchn_pending[w], std::uint64_t{0}, __ATOMIC_SEQ_CST);
      for (std::uint32_t b = 0; b < 64; ++b) {
        if ((bits >> b & 1u) == 0) continue;
        std::function<void()> h;
        {
          std::lock_guard lock(mu_);
          auto it = handlers_.find(w * 64 + b);
          if (it != handlers_.end()) h = it->second;
        }
        if (h) h();
      }
    }
    std::function<void(const xenstore::watch_event&)> wh;
    std::deque<std::function<void()>> posted;
    {
      std::lock_guard lock(mu_);
      wh = watch_handler_;
      posted.swap(posted_);
    }
    if (wh)
      for (auto& e : client_->take_events()) wh(e);
    for (auto& f : posted) f();
  }

  host& host_;
  xenstore::store& store_;
  domain* d_;
  std::string name_;
  std::unique_ptr<xenstore::client> client_;
  mutable std::mutex mu_;
  std::map<std::uint32_t, std::function<void()>> handlers_;
  std::function<void(const xenstore::watch_event&)> watch_handler_;
  std::deque<std::function<void()>> posted_;
  bool stop_ = false;
  std::thread thread_;
  std::atomic<std::int16_t> last_gntst_{0};
};

// ---------------------------------------------------------------------------------------------
// The toolstack's device directories (what libxl writes when a device is attached)

/// A split device to create in xenstore.
struct device_spec {
  std::uint16_t backend = 0;   ///< The driver domain's id.
  std::uint16_t frontend = 0;  ///< The guest's id.
  std::string type;            ///< "vbd", "vif", "console", ...
  std::uint32_t devid = 0;     ///< The device number (for vbd, the virtual device number).
  /// Extra backend keys (e.g. {"mode", "w"}), written before the backend sees the device.
  std::vector<std::pair<std::string, std::string>> backend_keys = {};
  /// Extra frontend keys.
  std::vector<std::pair<std::string, std::string>> frontend_keys = {};
};

/// The backend directory of \p d: `/local/domain/<backend>/backend/<type>/<frontend>/<devid>`.
[[nodiscard]] inline std::string backend_path(const device_spec& d) {
  return "/local/domain/" + std::to_string(d.backend) + "/backend/" + d.type + "/" + std::to_string(d.frontend) + "/" +
         std::to_string(d.devid);
}
/// The frontend directory of \p d: `/local/domain/<frontend>/device/<type>/<devid>`.
[[nodiscard]] inline std::string frontend_path(const device_spec& d) {
  return "/local/domain/" + std::to_string(d.frontend) + "/device/" + d.type + "/" + std::to_string(d.devid);
}

/// Creates \p d's two directories in one transaction, as libxl does: the backend directory owned
/// by the driver domain and readable by the guest (`frontend`, `frontend-id`, `online` 1,
/// `state` 1 + `backend_keys`), the frontend directory owned by the guest and readable by the
/// driver domain (`backend`, `backend-id`, `state` 1 + `frontend_keys`).
[[nodiscard]] inline result<void> create_device(xenstore::store& xs, const device_spec& d) {
  auto& ts = xs.toolstack();
  const std::string be = backend_path(d), fe = frontend_path(d);
  for (unsigned attempt = 0; attempt < 16; ++attempt) {
    auto tx = xs.transaction_start(ts);
    if (!tx) return tx.error();
    const std::uint32_t t = tx.value();
    auto step = [&]() -> result<void> {
      (void)xs.rm(ts, t, be);
      (void)xs.rm(ts, t, fe);
      // The directories above the device's belong to their domains, even if the domain was
      // not introduced yet (they would otherwise be the toolstack's, unreadable to the guest).
      const std::string fe_home = "/local/domain/" + std::to_string(d.frontend);
      const std::string be_home = "/local/domain/" + std::to_string(d.backend);
      for (const auto& [dir, owner] : {std::pair{fe_home + "/device", d.frontend},
                                       std::pair{fe_home + "/device/" + d.type, d.frontend},
                                       std::pair{be_home + "/backend", d.backend},
                                       std::pair{be_home + "/backend/" + d.type, d.backend},
                                       std::pair{be_home + "/backend/" + d.type + "/" + std::to_string(d.frontend),
                                                 d.backend}}) {
        XENABI_TRY(xs.mkdir(ts, t, dir));
        XENABI_TRY(xs.set_perms(ts, t, dir, {xenstore::perm{owner, 'n'}}));
      }
      XENABI_TRY(xs.mkdir(ts, t, be));
      XENABI_TRY(xs.set_perms(ts, t, be, {xenstore::perm{d.backend, 'n'}, xenstore::perm{d.frontend, 'r'}}));
      XENABI_TRY(xs.write(ts, t, be + "/frontend", fe));
      XENABI_TRY(xs.write(ts, t, be + "/frontend-id", std::to_string(d.frontend)));
      XENABI_TRY(xs.write(ts, t, be + "/online", "1"));
      XENABI_TRY(xs.write(ts, t, be + "/state", "1"));
      for (const auto& [k, v] : d.backend_keys) XENABI_TRY(xs.write(ts, t, be + "/" + k, v));
      XENABI_TRY(xs.mkdir(ts, t, fe));
      XENABI_TRY(xs.set_perms(ts, t, fe, {xenstore::perm{d.frontend, 'n'}, xenstore::perm{d.backend, 'r'}}));
      XENABI_TRY(xs.write(ts, t, fe + "/backend", be));
      XENABI_TRY(xs.write(ts, t, fe + "/backend-id", std::to_string(d.backend)));
      XENABI_TRY(xs.write(ts, t, fe + "/state", "1"));
      for (const auto& [k, v] : d.frontend_keys) XENABI_TRY(xs.write(ts, t, fe + "/" + k, v));
      return {};
    };
    auto r = step();
    if (!r) {
      (void)xs.transaction_end(ts, t, false);
      return r;
    }
    auto e = xs.transaction_end(ts, t, true);
    if (!e && e.error() == errc::eagain) continue;
    return e;
  }
  return errc::eagain;
}

/// Removes \p d's two directories (device detached).
inline void remove_device(xenstore::store& xs, const device_spec& d) {
  (void)xs.rm(xs.toolstack(), 0, backend_path(d));
  (void)xs.rm(xs.toolstack(), 0, frontend_path(d));
}

}  // namespace hv::backend
