/// \file
/// \ingroup console
/// The console backend (xenconsoled's job): one console ring page per domain
/// (`abi::xencons_interface`, Xen's `io/console.h`), output copied to a sink (stdout, or a log
/// file per domain), input queued for a domain and written into its `in` ring as room appears.
/// Runs on a driver domain's thread (xenhv uses the toolstack's, id `toolstack_domid`).
///
/// `attach` does what a Xen toolstack does at domain build: clears the page in the guest's RAM,
/// allocates the guest's console event channel (unbound for the backend, which binds it), sets
/// `HVM_PARAM_CONSOLE_PFN` / `HVM_PARAM_CONSOLE_EVTCHN`, and, if a store is given, writes
/// `/local/domain/<id>/console/{ring-ref,port,type}` as libxl does. A guest reads the two
/// parameters and switches from `console_io` to the ring (examples/hello does); one that never
/// does keeps using `console_io`.
///
/// **Hostile rings.** The indices are checked on every pass (`xenabi::console_back`): a guest
/// that claims more bytes in flight than the ring holds has its console abandoned (nothing
/// outside the page is read or written); other domains are unaffected.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>
#include <string>
#include <string_view>

#include <hv/backend/driver_domain.hpp>
#include <xenabi/byte_ring.hpp>

namespace hv::backend {

/// Writes a domain's console output to a file (appending), flushing at each write.
class console_log_file {
 public:
  /// Opens (creates) \p path; throws `std::runtime_error` if it cannot.
  explicit console_log_file(const std::string& path) : f_(std::fopen(path.c_str(), "ab")) {
    if (f_ == nullptr) throw std::runtime_error("cannot open console log " + path);
  }
  console_log_file(const console_log_file&) = delete;
  console_log_file& operator=(const console_log_file&) = delete;
  /// Closes the file.
  ~console_log_file() { std::fclose(f_); }
  /// Appends \p s.
  void write(std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), f_);
    std::fflush(f_);
  }

 private:
  std::FILE* f_;
};

/// The console backend (see the file comment).
class console_backend {
 public:
  /// A backend on driver domain \p dd (its thread runs the rings; call `dd.start()`).
  explicit console_backend(driver_domain& dd) : dd_(dd) {}
  console_backend(const console_backend&) = delete;
  console_backend& operator=(const console_backend&) = delete;
  /// Detaches every domain.
  ~console_backend() {
    std::vector<std::uint16_t> ids;
    {
      std::lock_guard lock(mu_);
      for (auto& [id, c] : cons_) ids.push_back(id);
    }
    for (auto id : ids) detach(id);
  }

  /// Gives domain \p d a console page at frame \p gfn whose output goes to \p sink (see the file
  /// comment); if \p xs is given, the console's keys are written there. `efault` if the frame is
  /// not RAM, `eexist` if \p d already has one.
  [[nodiscard]] result<void> attach(domain& d, std::uint64_t gfn, std::function<void(std::string_view)> sink,
                                    xenstore::store* xs = nullptr) {
    if (gfn > (~std::uint64_t{0} >> 12)) return errc::efault;
    auto bytes = d.mem.translate(xenabi::phys_addr{gfn << 12}, 4096);
    if (!bytes) return bytes.error();
    {
      std::lock_guard lock(mu_);
      if (cons_.count(d.id) != 0) return errc::eexist;
    }
    std::memset(bytes.value().data(), 0, 4096);
    auto gport = evtchn_alloc_unbound(d, dd_.id());
    if (!gport) return gport.error();
    auto lport = dd_.bind_interdomain(d.id, gport.value());
    if (!lport) return lport.error();
    {
      std::lock_guard lock(d.mu);
      d.hvm_params[static_cast<std::size_t>(abi::HVM_PARAM::CONSOLE_PFN)] = gfn;
      d.hvm_params[static_cast<std::size_t>(abi::HVM_PARAM::CONSOLE_EVTCHN)] = gport.value();
    }
    if (xs != nullptr) {
      auto& ts = xs->toolstack();
      const std::string base = "/local/domain/" + std::to_string(d.id) + "/console";
      (void)xs->write(ts, 0, base + "/ring-ref", std::to_string(gfn));
      (void)xs->write(ts, 0, base + "/port", std::to_string(gport.value()));
      (void)xs->write(ts, 0, base + "/type", "xenconsoled");
    }
    auto c = std::make_unique<console>();
    c->page = std::launder(reinterpret_cast<abi::xencons_interface*>(bytes.value().data()));
    c->port = lport.value();
    c->sink = std::move(sink);
    const std::uint16_t id = d.id;
    {
      std::lock_guard lock(mu_);
      cons_[id] = std::move(c);
    }
    dd_.on_port(lport.value(), [this, id] { service(id); });
    return {};
  }

  /// Stops serving domain \p id's console (its last output is delivered first; closes its channel).
  void detach(std::uint16_t id) {
    service(id);
    std::unique_ptr<console> c;
    {
      std::lock_guard lock(mu_);
      auto it = cons_.find(id);
      if (it == cons_.end()) return;
      c = std::move(it->second);
      cons_.erase(it);
    }
    dd_.close(c->port);
  }

  /// Queues \p bytes as keyboard input for domain \p id (written into its ring as room appears).
  void input(std::uint16_t id, std::string_view bytes) {
    {
      std::lock_guard lock(mu_);
      auto it = cons_.find(id);
      if (it == cons_.end()) return;
      it->second->pending_in.append(bytes.data(), bytes.size());
    }
    dd_.post([this, id] { service(id); });
  }

  /// Serves domain \p id's ring once now: output to the sink, pending input into the ring (the
  /// event handler; also called when the domain stops, so its last output is not lost). The sink
  /// runs under the backend's lock, so output keeps its order whichever thread serves it.
  void service(std::uint16_t id) {
    std::uint32_t port = 0;
    bool notify = false;
    {
      std::lock_guard lock(mu_);
      auto it = cons_.find(id);
      if (it == cons_.end() || it->second->dead) return;
      console& c = *it->second;
      xenabi::console_back b(*c.page);
      for (;;) {
        char buf[2048];
        auto got = b.out.read(buf, sizeof buf);
        if (!got) {
          c.dead = true;
          return;
        }
        if (got.value() == 0) break;
        c.bytes_out += got.value();
        if (c.sink) c.sink(std::string_view(buf, got.value()));
        notify = true;
      }
      if (!c.pending_in.empty()) {
        auto put = b.in.write(c.pending_in.data(), c.pending_in.size());
        if (!put) {
          c.dead = true;
          return;
        }
        if (put.value() > 0) {
          c.pending_in.erase(0, put.value());
          notify = true;
        }
      }
      port = c.port;
    }
    if (notify) (void)dd_.notify(port);
  }

  /// True if domain \p id's console was abandoned for corrupt indices.
  [[nodiscard]] bool abandoned(std::uint16_t id) {
    std::lock_guard lock(mu_);
    auto it = cons_.find(id);
    return it != cons_.end() && it->second->dead;
  }
  /// Bytes of output domain \p id wrote through its ring so far.
  [[nodiscard]] std::uint64_t bytes_out(std::uint16_t id) {
    std::lock_guard lock(mu_);
    auto it = cons_.find(id);
    return it == cons_.end() ? 0 : it->second->bytes_out;
  }

 private:
  struct console {
    abi::xencons_interface* page = nullptr;
    std::uint32_t port = 0;
    std::function<void(std::string_view)> sink;
    std::string pending_in;
    std::uint64_t bytes_out = 0;
    bool dead = false;
  };
  driver_domain& dd_;
  std::mutex mu_;
  std::map<std::uint16_t, std::unique_ptr<console>> cons_;
};

}  // namespace hv::backend
