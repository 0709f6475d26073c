/// \file
/// `hv::backend::bridge`: the Ethernet switch inside xenhv that connects the network backends'
/// virtual interfaces (and, optionally, a host tap device). A learning switch: it remembers on
/// which port each source MAC address was last seen, forwards a frame to the port that owns its
/// destination, and floods broadcast, multicast and unknown destinations to every other port.
///
/// Concurrency: one mutex guards the port list and the MAC table; `bridge_port::deliver` is
/// called with it held, so a port that detaches never receives a frame afterwards. A port's
/// `deliver` must therefore only queue the frame and wake its own worker (never call back into
/// the bridge).
/// \ingroup hypervisor
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <vector>

namespace hv::backend {

/// An Ethernet (MAC) address.
using mac_address = std::array<std::uint8_t, 6>;

/// The smallest frame the bridge forwards: destination, source and type (14 bytes).
inline constexpr std::size_t eth_header_bytes = 14;

/// The destination MAC of \p frame (which holds at least `eth_header_bytes`).
[[nodiscard]] inline mac_address eth_destination(std::span<const std::byte> frame) noexcept {
  mac_address m{};
  for (std::size_t i = 0; i < 6; ++i) m[i] = static_cast<std::uint8_t>(frame[i]);
  return m;
}
/// The source MAC of \p frame (which holds at least `eth_header_bytes`).
[[nodiscard]] inline mac_address eth_source(std::span<const std::byte> frame) noexcept {
  mac_address m{};
  for (std::size_t i = 0; i < 6; ++i) m[i] = static_cast<std::uint8_t>(frame[6 + i]);
  return m;
}
/// True for a group (broadcast or multicast) address: the low bit of the first byte.
[[nodiscard]] constexpr bool is_group_address(const mac_address& m) noexcept { return (m[0] & 1u) != 0; }

/// Something attached to the bridge: receives the frames the bridge forwards to it.
class bridge_port {
 public:
  bridge_port() = default;
  bridge_port(const bridge_port&) = delete;
  bridge_port& operator=(const bridge_port&) = delete;
  /// Ports are owned by their creators.
  virtual ~bridge_port() = default;
  /// Takes a copy of \p frame for transmission out of this port (queue it; do not block, do not
  /// call the bridge). Called with the bridge's lock held.
  virtual void deliver(std::span<const std::byte> frame) = 0;
};

/// Counters of a bridge.
struct bridge_stats {
  std::uint64_t forwarded = 0;  ///< Frames sent to exactly one learned port.
  std::uint64_t flooded = 0;    ///< Frames sent to every other port (group or unknown address).
  std::uint64_t filtered = 0;   ///< Frames whose destination lives on the port they came from.
  std::uint64_t runts = 0;      ///< Frames shorter than an Ethernet header (dropped).
};

/// A learning Ethernet switch.
class bridge {
 public:
  /// Attaches \p p (idempotent).
  void attach(bridge_port& p) {
    std::lock_guard lock(mu_);
    for (auto* q : ports_)
      if (q == &p) return;
    ports_.push_back(&p);
  }
  /// Detaches \p p and forgets the addresses learned on it; it receives nothing afterwards.
  void detach(bridge_port& p) {
    std::lock_guard lock(mu_);
    std::erase(ports_, &p);
    std::erase_if(table_, [&](const auto& e) { return e.second == &p; });
  }
  /// Switches \p frame that arrived on \p from: learns its source address on \p from, then
  /// delivers it to the destination's port, or floods it to all ports but \p from.
  void forward(bridge_port& from, std::span<const std::byte> frame) {
    std::lock_guard lock(mu_);
    if (frame.size() < eth_header_bytes) {
      ++stats_.runts;
      return;
    }
    const mac_address src = eth_source(frame);
    if (!is_group_address(src) && is_attached(from)) table_[src] = &from;
    const mac_address dst = eth_destination(frame);
    if (!is_group_address(dst)) {
      auto it = table_.find(dst);
      if (it != table_.end()) {
        if (it->second == &from) {
          ++stats_.filtered;
        } else {
          ++stats_.forwarded;
          it->second->deliver(frame);
        }
        return;
      }
    }
    ++stats_.flooded;
    for (auto* p : ports_)
      if (p != &from) p->deliver(frame);
  }
  /// The port on which \p m was last seen as a source, or null.
  [[nodiscard]] bridge_port* lookup(const mac_address& m) const {
    std::lock_guard lock(mu_);
    auto it = table_.find(m);
    return it == table_.end() ? nullptr : it->second;
  }
  /// Number of attached ports.
  [[nodiscard]] std::size_t port_count() const {
    std::lock_guard lock(mu_);
    return ports_.size();
  }
  /// A snapshot of the counters.
  [[nodiscard]] bridge_stats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  bool is_attached(const bridge_port& p) const {
    for (auto* q : ports_)
      if (q == &p) return true;
    return false;
  }
  mutable std::mutex mu_;
  std::vector<bridge_port*> ports_;
  std::map<mac_address, bridge_port*> table_;
  bridge_stats stats_;
};

}  // namespace hv::backend
