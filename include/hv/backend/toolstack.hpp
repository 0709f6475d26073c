/// \file
/// \ingroup drivers
/// xenhv's toolstack services for one host, in the roles dom0 plays on Xen: the xenstore
/// database and xenstored's ring server, the console backend, and the driver domain they run
/// on (id `xenstore::toolstack_domid`). `attach` builds a domain's xenstore and console the way a
/// Xen toolstack does (pages in guest RAM, event channels, HVM params, `/local/domain/<id>`).
///
/// \code
/// hv::backend::toolstack ts(host);
/// ts.start();                                               // the services' thread
/// XENABI_TRY(ts.attach(dom, "guest0", [](std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }));
/// hv::backend::driver_domain blk(host, ts.store(), hv::backend::driver_domain::next_free_id(host), "blkback");
/// \endcode
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <hv/backend/console.hpp>
#include <hv/backend/driver_domain.hpp>
#include <hv/xenstore/ring_server.hpp>

namespace hv::backend {

/// The toolstack's services (see the file comment).
class toolstack {
 public:
  /// Services for the domains of \p h (creates the driver domain `toolstack_domid` in it).
  explicit toolstack(host& h, xenstore::quota q = {})
      : store_(q), dd_(h, store_, xenstore::toolstack_domid, "xenhv-toolstack"), xenstored_(dd_, store_), console_(dd_) {}
  toolstack(const toolstack&) = delete;
  toolstack& operator=(const toolstack&) = delete;
  /// Stops the services' thread before the services go.
  ~toolstack() { dd_.stop(); }

  /// The xenstore database.
  [[nodiscard]] xenstore::store& store() noexcept { return store_; }
  /// The driver domain the services run on.
  [[nodiscard]] driver_domain& dom() noexcept { return dd_; }
  /// xenstored's ring server.
  [[nodiscard]] xenstore::ring_server& xenstored() noexcept { return xenstored_; }
  /// The console backend.
  [[nodiscard]] console_backend& console() noexcept { return console_; }
  /// Starts the services' thread.
  void start() { dd_.start(); }

  /// Gives domain \p d its xenstore page and console page (at `xenstore::special_pages`),
  /// introduces it as \p name, and sends its console-ring output to \p console_sink.
  [[nodiscard]] result<void> attach(domain& d, const std::string& name,
                                    std::function<void(std::string_view)> console_sink) {
    XENABI_TRY(xenstored_.attach(d, xenstore::special_pages::store_gfn, name));
    auto c = console_.attach(d, xenstore::special_pages::console_gfn, std::move(console_sink), &store_);
    if (!c) {
      xenstored_.detach(d.id);
      return c.error();
    }
    return {};
  }
  /// Undoes `attach` for domain \p id (its home is removed, `@releaseDomain` fires).
  void detach(std::uint16_t id) {
    console_.detach(id);
    xenstored_.detach(id);
  }

  /// \p map with the special pages' frames taken out of RAM and marked reserved (what the guest
  /// is told in its memory map, so it never uses them as RAM).
  [[nodiscard]] static std::vector<std::array<std::uint64_t, 3>> reserve_special_pages(
      const std::vector<std::array<std::uint64_t, 3>>& map) {
    constexpr std::uint64_t lo = xenstore::special_pages::store_gfn << 12;
    constexpr std::uint64_t hi = (xenstore::special_pages::console_gfn + 1) << 12;
    constexpr auto reserved = static_cast<std::uint64_t>(abi::XEN_HVM_MEMMAP_TYPE::RESERVED);
    static_assert(xenstore::special_pages::console_gfn == xenstore::special_pages::store_gfn + 1);
    std::vector<std::array<std::uint64_t, 3>> out;
    for (const auto& e : map) {
      const std::uint64_t start = e[0], end = e[0] + e[1];
      if (e[2] == reserved || end <= lo || start >= hi) {
        out.push_back(e);
        continue;
      }
      if (start < lo) out.push_back({start, lo - start, e[2]});
      out.push_back({std::max(start, lo), std::min(end, hi) - std::max(start, lo), reserved});
      if (end > hi) out.push_back({hi, end - hi, e[2]});
    }
    return out;
  }

 private:
  xenstore::store store_;
  driver_domain dd_;
  xenstore::ring_server xenstored_;
  console_backend console_;
};

}  // namespace hv::backend
