// The whole block path on the sim platform: xenstore, a blkback driver domain serving a vbd
// through the xenbus handshake (hv::blk::vbd), and guest 0's front end (xenabi::blkfront_device
// over an in-process xenstore client acting for domain 0) — plus killing the driver domain and
// starting a new one. Used by the restart tests and bench/blk.
#pragma once

#include <optional>
#include <string>

#include <hv/backend/blk_vbd.hpp>
#include <hv/backend/driver_domain.hpp>
#include <hv/xenstore/client.hpp>
#include <xenabi/blkfront_xenbus.hpp>

#include "blk_pair.hpp"

namespace blktest {

/// xenabi::blkfront_device's Store over an in-process client (what the guest's ring client does).
struct hv_store {
  hv::xenstore::client* c = nullptr;
  xenabi::result<std::size_t> read(xenabi::xs_str p, char* buf, std::size_t cap, xenabi::u32 tx = 0) {
    auto v = c->read(std::string_view(p.data, p.size), tx);
    if (!v) return v.error();
    if (v.value().size() > cap) return xenabi::errc::enobufs;
    std::memcpy(buf, v.value().data(), v.value().size());
    return v.value().size();
  }
  xenabi::result<void> write(xenabi::xs_str p, xenabi::xs_str v, xenabi::u32 tx = 0) {
    return c->write(std::string_view(p.data, p.size), std::string_view(v.data, v.size), tx);
  }
  xenabi::result<void> rm(xenabi::xs_str p, xenabi::u32 tx = 0) { return c->rm(std::string_view(p.data, p.size), tx); }
  xenabi::result<void> watch(xenabi::xs_str p, xenabi::xs_str token) {
    return c->watch(std::string_view(p.data, p.size), std::string_view(token.data, token.size));
  }
  template <class F>
  xenabi::result<void> transact(F&& body) {
    return c->transact([&](std::uint32_t tx) { return body(tx); });
  }
};

/// The guest's event channels (EVTCHNOP_alloc_unbound / close for domain 0).
struct sim_kernel {
  hv::domain* fe = nullptr;
  xenabi::result<xenabi::port> alloc_unbound(xenabi::domain_id be) {
    auto p = hv::backend::evtchn_alloc_unbound(*fe, be.value());
    if (!p) return p.error();
    return xenabi::port{p.value()};
  }
  void close(xenabi::port p) { hv::backend::evtchn_close(*fe, p.value()); }
};

constexpr std::uint32_t devid = 51712;

/// Guest 0 (front end engine \p Front) with a vbd served by a restartable driver domain.
template <class Front = front_type>
struct blk_system : guest_side<Front> {
  hv::xenstore::store xs;
  std::optional<hv::xenstore::client> guest_xs;
  hv_store store;
  sim_kernel kernel;
  using device_type = xenabi::blkfront_device<hv_store, sim_kernel, Front>;
  std::unique_ptr<device_type> dev;
  std::uint16_t dd_id = 0;
  std::unique_ptr<hv::backend::driver_domain> dd;
  std::unique_ptr<hv::blk::vbd> vbd;
  const hv::blk::disk* disk = nullptr;
  hv::blk::config cfg;

  blk_system() {
    xs.introduce_domain(fe_id, "guest0");
    guest_xs.emplace(xs, fe_id);
    store.c = &*guest_xs;
    kernel.fe = &this->fe;
    dev = std::make_unique<device_type>(store, kernel, *this->front, devid);
    this->env.kick = [this] { (void)hv::backend::evtchn_send(this->fe, dev->event_port().value()); };
  }
  ~blk_system() { kill_backend(); }

  /// The back end's directory as the front end found it.
  [[nodiscard]] std::string backend_dir() const {
    return std::string(dev->bus().backend_path().data, dev->bus().backend_path().size);
  }
  /// Creates the driver domain and the device (the toolstack's part) and the back end.
  void create(const hv::blk::disk& d, hv::blk::config c = {}) {
    disk = &d;
    cfg = std::move(c);
    dd_id = hv::backend::driver_domain::next_free_id(this->m.hosts());
    start_backend(true);
    if (!dev->start("be")) throw std::runtime_error("blkfront_device::start");
  }
  /// Starts a driver domain with a vbd (after a kill: the same id, as a restart).
  void start_backend(bool create_device = false) {
    dd = std::make_unique<hv::backend::driver_domain>(this->m.hosts(), xs, dd_id, "blkback");
    if (create_device &&
        !hv::backend::create_device(xs, {.backend = dd_id, .frontend = fe_id, .type = "vbd", .devid = devid,
                                         .backend_keys = {{"mode", disk->readonly() ? "r" : "w"}}}))
      throw std::runtime_error("create_device");
    vbd = std::make_unique<hv::blk::vbd>(*dd, *disk, cfg, fe_id, devid);
    dd->on_watch([this](const hv::xenstore::watch_event& e) { vbd->handle(e); });
    dd->start();
  }
  /// Kills the driver domain mid-whatever (its threads stop, its mappings and channels go).
  void kill_backend() {
    if (dd) dd->stop();
    vbd.reset();
    dd.reset();
  }
  /// The guest's event loop step: handles back-end state changes (waiting up to \p wait for
  /// one); true if any.
  bool guest_step(std::chrono::nanoseconds wait = {}) {
    bool any = false;
    for (auto& e : wait.count() == 0 ? guest_xs->take_events() : guest_xs->wait_events(wait)) {
      (void)e;
      any = true;
      if (!dev->step(this->recorder())) throw std::runtime_error("blkfront_device::step failed");
    }
    return any;
  }
  /// Runs the guest until the device is connected for the \p n-th time (20 s hang guard).
  void wait_connected(std::uint32_t n = 1) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!(dev->connected() && dev->connections() >= n)) {
      if (!guest_step(std::chrono::milliseconds(5)) && std::chrono::steady_clock::now() > until)
        throw std::runtime_error("never connected");
    }
  }
  /// Waits for \p n completions, following back-end state changes meanwhile.
  void run_until_done(std::size_t n) {
    this->wait_done(n, [this] {
      if (!guest_step()) std::this_thread::sleep_for(std::chrono::microseconds(50));
    });
  }
};

}  // namespace blktest
