/// \file
/// \ingroup xenstore
/// xenstored's ring side: each guest's xenstore page (`abi::xenstore_domain_interface`) served
/// with the `xs_wire` handler (hv/xenstore/wire.hpp), on the thread of a host-side domain that
/// holds xenstored's ends of the store event channels (the toolstack's driver domain, id
/// `toolstack_domid`).
///
/// `attach` does what a Xen toolstack does when it builds a domain: it clears a page of the
/// guest's RAM for the rings, allocates the guest's store event channel (unbound for xenstored,
/// which binds it), sets `HVM_PARAM_STORE_PFN` and `HVM_PARAM_STORE_EVTCHN`, and introduces the
/// domain (`/local/domain/<id>`, `@introduceDomain`). Like xenstored in dom0, the server reads
/// and writes that page directly (the toolstack maps it with its privilege; it is not a grant).
///
/// **Hostile rings.** Indices are read once per pass and checked (`xenabi::byte_ring_*`): if the
/// guest claims more than 1024 bytes in flight, the page's `error` word is set to
/// `XENSTORE_ERROR_RINGIDX` and the connection is no longer served (nothing outside the page is
/// touched). Malformed messages get `XS_ERROR` replies (wire.hpp). A guest that does not read
/// its replies stops being served once 64 KiB of output wait (its own ring fills; other guests
/// are unaffected).
#pragma once

#include <cstdint>
#include <cstring>
#include <new>
#include <vector>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <hv/backend/driver_domain.hpp>
#include <hv/xenstore/wire.hpp>
#include <xenabi/byte_ring.hpp>

namespace hv::xenstore {

/// The guest frames xenhv gives the xenstore and console pages (below 640 KiB, right after the
/// PVH start info; `boot_layout::reserved` keeps kernels off them and the memory map marks them
/// reserved).
namespace special_pages {
inline constexpr std::uint64_t store_gfn = 0x8;    ///< The xenstore page (HVM_PARAM_STORE_PFN).
inline constexpr std::uint64_t console_gfn = 0x9;  ///< The console page (HVM_PARAM_CONSOLE_PFN).
}  // namespace special_pages

/// xenstored serving guests' rings (see the file comment).
class ring_server {
 public:
  /// A server on driver domain \p dd (whose thread runs it; call `dd.start()`) for store \p s.
  ring_server(backend::driver_domain& dd, store& s) : dd_(dd), s_(s) {}
  ring_server(const ring_server&) = delete;
  ring_server& operator=(const ring_server&) = delete;
  /// Detaches every domain.
  ~ring_server() {
    std::vector<domid_t> ids;
    {
      std::lock_guard lock(mu_);
      for (auto& [id, r] : rings_) ids.push_back(id);
    }
    for (auto id : ids) detach(id, false);
  }

  /// The store.
  [[nodiscard]] store& db() noexcept { return s_; }

  /// Sets up guest \p d's xenstore page at frame \p gfn and introduces it as \p name (see the
  /// file comment). `efault` if the frame is not guest RAM; `eexist` if already attached.
  [[nodiscard]] result<void> attach(domain& d, std::uint64_t gfn, const std::string& name) {
    if (gfn > (~std::uint64_t{0} >> 12)) return errc::efault;
    auto bytes = d.mem.translate(xenabi::phys_addr{gfn << 12}, 4096);
    if (!bytes) return bytes.error();
    {
      std::lock_guard lock(mu_);
      if (rings_.count(d.id) != 0) return errc::eexist;
    }
    std::memset(bytes.value().data(), 0, 4096);
    auto* page = std::launder(reinterpret_cast<xenabi::abi::xenstore_domain_interface*>(bytes.value().data()));
    page->server_features = 0;
    page->connection = xenabi::abi::XENSTORE::CONNECTED;
    auto gport = backend::evtchn_alloc_unbound(d, dd_.id());
    if (!gport) return gport.error();
    auto lport = dd_.bind_interdomain(d.id, gport.value());
    if (!lport) return lport.error();
    {
      std::lock_guard lock(d.mu);
      d.hvm_params[static_cast<std::size_t>(xenabi::abi::HVM_PARAM::STORE_PFN)] = gfn;
      d.hvm_params[static_cast<std::size_t>(xenabi::abi::HVM_PARAM::STORE_EVTCHN)] = gport.value();
    }
    s_.introduce_domain(d.id, name);
    auto r = std::make_unique<ring>();
    r->d = &d;
    r->page = page;
    r->port = lport.value();
    r->conn = &s_.connect(d.id);
    r->wire = std::make_unique<wire_connection>(s_, *r->conn);
    const domid_t id = d.id;
    r->conn->wake = [this, id] { dd_.post([this, id] { service(id); }); };
    {
      std::lock_guard lock(mu_);
      rings_[id] = std::move(r);
    }
    dd_.on_port(lport.value(), [this, id] { service(id); });
    return {};
  }

  /// Stops serving domain \p id: closes the channel, drops the connection and, if \p release,
  /// releases the domain (its home is removed, `@releaseDomain` fires).
  void detach(domid_t id, bool release = true) {
    std::unique_ptr<ring> r;
    {
      std::lock_guard lock(mu_);
      auto it = rings_.find(id);
      if (it == rings_.end()) return;
      r = std::move(it->second);
      rings_.erase(it);
    }
    dd_.close(r->port);
    s_.disconnect(*r->conn);
    if (release) s_.release_domain(id);
  }

  /// Serves domain \p id's ring once now (the event handler; also for tests).
  void service(domid_t id) {
    std::lock_guard lock(mu_);
    auto it = rings_.find(id);
    if (it == rings_.end()) return;
    ring& r = *it->second;
    if (r.dead) return;
    xenabi::xenstore_back b(*r.page);
    bool progress = false;
    for (int pass = 0; pass < 64; ++pass) {
      bool moved = false;
      // requests in (bounded: at most one message's worth waits unprocessed)
      if (r.wire->output().size() <= wire_connection::max_output && r.wire->pending_input() < 16 + 4096) {
        char buf[1024];
        auto got = b.req.read(buf, sizeof buf);
        if (!got) return kill(r);
        if (got.value() > 0) {
          r.wire->feed(std::string_view(buf, got.value()));
          moved = true;
        }
      }
      r.wire->process();
      // replies out
      const std::string& out = r.wire->output();
      if (!out.empty()) {
        auto put = b.rsp.write(out.data(), out.size());
        if (!put) return kill(r);
        if (put.value() > 0) {
          r.wire->consume_output(put.value());
          moved = true;
        }
      }
      progress = progress || moved;
      if (!moved) break;
    }
    if (progress) (void)dd_.notify(r.port);
  }

  /// True if domain \p id's ring was abandoned for corrupt indices.
  [[nodiscard]] bool abandoned(domid_t id) {
    std::lock_guard lock(mu_);
    auto it = rings_.find(id);
    return it != rings_.end() && it->second->dead;
  }

 private:
  struct ring {
    domain* d = nullptr;
    xenabi::abi::xenstore_domain_interface* page = nullptr;
    std::uint32_t port = 0;
    connection* conn = nullptr;
    std::unique_ptr<wire_connection> wire;
    bool dead = false;
  };
  void kill(ring& r) {
    r.dead = true;
    __atomic_store_n(&r.page->error, static_cast<std::uint32_t>(xenabi::abi::XENSTORE_ERROR::RINGIDX), __ATOMIC_SEQ_CST);
    (void)dd_.notify(r.port);
  }

  backend::driver_domain& dd_;
  store& s_;
  std::mutex mu_;
  std::map<domid_t, std::unique_ptr<ring>> rings_;
};

}  // namespace hv::xenstore
