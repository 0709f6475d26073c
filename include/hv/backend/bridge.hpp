/// \file
/// `hv::backend::bridge`: the Ethernet switch inside xenhv that connects the network backends'
/// virtual interfaces (and, optionally, a host tap device). A learning switch: it remembers on
/// which port each source MAC address was last seen, forwards a frame to the port that owns its
/// destination, and floods broadcast, multicast and unknown destinations to every other port.
///
/// **Flow control.** A port may be full (`has_room()` false). A frame for one learned port that
/// is full is not delivered: `forward` returns `forward_result::blocked` and remembers the sender,
/// which keeps the frame and stops taking more from its guest (backpressure instead of loss);
/// when the full port has room again it calls `room_available()`, and every sender blocked on
/// it gets `bridge_port::unblocked()`. Flooded frames (group or unknown addresses) are dropped
/// for full ports and counted.
///
/// Concurrency: one mutex guards the port list, the MAC table and the blocked senders;
/// `bridge_port::deliver`, `has_room` and `unblocked` are called with it held, so a port that
/// detaches never receives a frame afterwards. They must therefore only queue the frame or
/// wake their own worker (never call back into the bridge).
/// \ingroup hypervisor
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <utility>
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
  /// False while the port cannot take another frame (called with the bridge's lock held).
  [[nodiscard]] virtual bool has_room() const { return true; }
  /// A port this one was blocked on has room again: retry the kept frame (schedule it; called
  /// with the bridge's lock held).
  virtual void unblocked() {}
};

/// What `bridge::forward` did with a frame.
enum class forward_result : std::uint8_t {
  delivered,  ///< Delivered to its port, flooded, filtered or dropped as a runt: done with it.
  blocked,    ///< Its port is full: nothing delivered; keep it and retry after `unblocked()`.
};

/// Counters of a bridge.
struct bridge_stats {
  std::uint64_t forwarded = 0;  ///< Frames sent to exactly one learned port.
  std::uint64_t flooded = 0;    ///< Frames sent to every other port (group or unknown address).
  std::uint64_t filtered = 0;   ///< Frames whose destination lives on the port they came from.
  std::uint64_t runts = 0;      ///< Frames shorter than an Ethernet header (dropped).
  std::uint64_t blocked = 0;    ///< Frames refused because their port was full (kept by the sender).
  std::uint64_t flood_drops = 0;  ///< Flooded copies dropped because a port was full.
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
    std::erase_if(waiting_, [&](const auto& w) { return w.first == &p || w.second == &p; });
  }
  /// Switches \p frame that arrived on \p from: learns its source address on \p from, then
  /// delivers it to the destination's port (or, if that port is full, returns `blocked` and
  /// remembers \p from until the port has room), or floods it to all ports but \p from.
  forward_result forward(bridge_port& from, std::span<const std::byte> frame) {
    std::lock_guard lock(mu_);
    if (frame.size() < eth_header_bytes) {
      ++stats_.runts;
      return forward_result::delivered;
    }
    const mac_address src = eth_source(frame);
    if (!is_group_address(src) && is_attached(from)) table_[src] = &from;
    const mac_address dst = eth_destination(frame);
    if (!is_group_address(dst)) {
      auto it = table_.find(dst);
      if (it != table_.end()) {
        bridge_port* to = it->second;
        if (to == &from) {
          ++stats_.filtered;
        } else if (!to->has_room()) {
          ++stats_.blocked;
          if (is_attached(from)) waiting_.emplace_back(&from, to);
          return forward_result::blocked;
        } else {
          ++stats_.forwarded;
          to->deliver(frame);
        }
        return forward_result::delivered;
      }
    }
    ++stats_.flooded;
    for (auto* p : ports_) {
      if (p == &from) continue;
      if (p->has_room())
        p->deliver(frame);
      else
        ++stats_.flood_drops;
    }
    return forward_result::delivered;
  }
  /// Port \p p has room again: every sender blocked on it is told (`unblocked()`).
  void room_available(bridge_port& p) {
    std::lock_guard lock(mu_);
    std::erase_if(waiting_, [&](const auto& w) {
      if (w.second != &p) return false;
      w.first->unblocked();
      return true;
    });
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
  std::vector<std::pair<bridge_port*, bridge_port*>> waiting_;  // (blocked sender, full port)
  bridge_stats stats_;
};

}  // namespace hv::backend
