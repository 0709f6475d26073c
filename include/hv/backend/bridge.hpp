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

/// What a frame carries besides its bytes: the checksum-offload state Xen's netif passes along
/// (`NETTXF_csum_blank`/`NETTXF_data_validated` from a sender, `NETRXF_*` to a receiver).
struct frame_offload {
  /// The frame's TCP or UDP checksum is not filled in (the field holds anything, usually the
  /// pseudo-header sum): a receiver that did not accept checksum offload needs it completed
  /// (`complete_l4_checksum`).
  bool csum_blank = false;
  /// The sender's host validated or generated the checksum: a receiver need not check it.
  bool data_validated = false;
};

/// What `complete_l4_checksum` found.
enum class csum_result : std::uint8_t {
  done,         ///< The TCP/UDP checksum was computed and stored.
  unsupported,  ///< Not an IPv4/IPv6 TCP or UDP frame (or an IPv4 fragment): nothing changed.
  malformed,    ///< Headers or lengths beyond the frame: nothing changed.
};

/// Where a frame's TCP or UDP checksum lives (`locate_l4`).
struct l4_checksum_info {
  csum_result result = csum_result::unsupported;  ///< `done`: the fields below are valid.
  std::size_t l4 = 0;         ///< Offset of the TCP/UDP header in the frame.
  std::size_t l4_length = 0;  ///< Bytes of TCP/UDP header and payload (from the IP header).
  std::size_t field = 0;      ///< Offset of the checksum field.
  std::uint32_t protocol = 0; ///< 6 (TCP) or 17 (UDP).
  std::uint32_t pseudo_sum = 0;  ///< Unfolded sum of the pseudo-header's 16-bit words.
};

/// Finds the TCP or UDP header and checksum field of Ethernet frame \p f: IPv4 (with options,
/// not a fragment) or IPv6 whose first next-header is TCP or UDP; no VLAN tag. `malformed` if
/// a header or the IP length runs past the frame, `unsupported` for anything else.
[[nodiscard]] inline l4_checksum_info locate_l4(std::span<const std::byte> f) noexcept {
  auto at = [&](std::size_t i) { return static_cast<std::uint32_t>(f[i]); };
  auto be16 = [&](std::size_t i) { return at(i) << 8 | at(i + 1); };
  l4_checksum_info r;
  r.result = csum_result::malformed;
  if (f.size() < eth_header_bytes) return r;
  const std::uint32_t type = be16(12);
  if (type == 0x0800) {
    if (f.size() < eth_header_bytes + 20 || (at(14) >> 4) != 4) return r;
    const std::size_t ihl = (at(14) & 15u) * 4u;
    const std::size_t total = be16(16);
    if (ihl < 20 || total < ihl || eth_header_bytes + total > f.size()) return r;
    if ((be16(20) & 0x3fffu) != 0) {  // a fragment (MF or an offset)
      r.result = csum_result::unsupported;
      return r;
    }
    r.protocol = at(23);
    for (std::size_t i = 26; i < 34; i += 2) r.pseudo_sum += be16(i);  // source and destination
    r.l4 = eth_header_bytes + ihl;
    r.l4_length = total - ihl;
  } else if (type == 0x86dd) {
    if (f.size() < eth_header_bytes + 40 || (at(14) >> 4) != 6) return r;
    const std::size_t payload = be16(18);
    if (eth_header_bytes + 40 + payload > f.size()) return r;
    r.protocol = at(20);
    for (std::size_t i = 22; i < 54; i += 2) r.pseudo_sum += be16(i);
    r.l4 = eth_header_bytes + 40;
    r.l4_length = payload;
  } else {
    r.result = csum_result::unsupported;
    return r;
  }
  if (r.protocol != 6 && r.protocol != 17) {
    r.result = csum_result::unsupported;
    return r;
  }
  if (r.l4_length < (r.protocol == 6 ? 20u : 8u)) return r;
  r.field = r.l4 + (r.protocol == 6 ? 16 : 6);
  r.pseudo_sum += r.protocol + static_cast<std::uint32_t>(r.l4_length >> 16) +
                  static_cast<std::uint32_t>(r.l4_length & 0xffffu);
  r.result = csum_result::done;
  return r;
}

/// Computes and stores the TCP or UDP checksum of Ethernet frame \p f (see `locate_l4` for the
/// frames handled): RFC 1071 ones'-complement sum over the IP pseudo-header (addresses,
/// protocol, L4 length) and the L4 header and payload, the field taken as zero; a UDP result of
/// 0 is sent as 0xffff. What the field held before (blank, or the pseudo-header sum of a
/// partial checksum) does not matter. Bytes past the IP length (Ethernet padding) are not
/// summed. Returns `locate_l4`'s verdict; the frame changes only on `done`.
inline csum_result complete_l4_checksum(std::span<std::byte> f) noexcept {
  const l4_checksum_info r = locate_l4(f);
  if (r.result != csum_result::done) return r.result;
  auto at = [&](std::size_t i) { return static_cast<std::uint32_t>(f[i]); };
  std::uint32_t sum = r.pseudo_sum;
  f[r.field] = f[r.field + 1] = std::byte{0};
  const std::size_t end = r.l4 + r.l4_length;
  std::size_t i = r.l4;
  for (; i + 1 < end; i += 2) sum += at(i) << 8 | at(i + 1);  // < 2^32: at most 32768 words
  if (i < end) sum += at(i) << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xffffu) + (sum >> 16);
  std::uint32_t c = ~sum & 0xffffu;
  if (r.protocol == 17 && c == 0) c = 0xffff;
  f[r.field] = static_cast<std::byte>(c >> 8);
  f[r.field + 1] = static_cast<std::byte>(c & 0xffu);
  return csum_result::done;
}

/// Something attached to the bridge: receives the frames the bridge forwards to it.
class bridge_port {
 public:
  bridge_port() = default;
  bridge_port(const bridge_port&) = delete;
  bridge_port& operator=(const bridge_port&) = delete;
  /// Ports are owned by their creators.
  virtual ~bridge_port() = default;
  /// Takes a copy of \p frame, with its checksum-offload state \p o, for transmission out of
  /// this port (queue it; do not block, do not call the bridge). A port whose far end cannot
  /// take a blank checksum completes it (`complete_l4_checksum`). Called with the bridge's lock
  /// held.
  virtual void deliver(std::span<const std::byte> frame, frame_offload o) = 0;
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
  /// remembers \p from until the port has room), or floods it to all ports but \p from. The
  /// offload state \p o travels with it.
  forward_result forward(bridge_port& from, std::span<const std::byte> frame, frame_offload o = {}) {
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
          to->deliver(frame, o);
        }
        return forward_result::delivered;
      }
    }
    ++stats_.flooded;
    for (auto* p : ports_) {
      if (p == &from) continue;
      if (p->has_room())
        p->deliver(frame, o);
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
