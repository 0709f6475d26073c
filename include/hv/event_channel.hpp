/// \file
/// Event channels (2-level ABI): port allocation, delivery into the guest's shared_info and
/// vcpu_info exactly as Xen does it, VIRQs, unmasking, and the wake-ups of blocked and polling
/// vCPUs.
///
/// Delivery of port p to vCPU v: set bit p of `evtchn_pending`; if it was already set, stop;
/// wake vCPUs polling p; if bit p of `evtchn_mask` is set, stop; set bit p/64 of v's
/// `evtchn_pending_sel`; if it was clear, set `evtchn_upcall_pending` and, if that was clear,
/// assert v's upcall (`domain::assert_upcall`: its per-vCPU vector into its local APIC, if the
/// platform has one; then the platform injects the callback vector).
#pragma once

#include <algorithm>
#include <cstdint>
#include <mutex>

#include <hv/abi.hpp>

#include <hv/domain.hpp>
#include <hv/host.hpp>

namespace hv {

/// True if \p port is inside \p d's valid range (Xen's `port_is_valid`): the ports of the
/// buckets allocated so far, port 0 included (it is reserved: status reports it closed, unmask
/// accepts it, nothing binds it). Call with `d.mu` held.
[[nodiscard]] inline bool port_is_valid(const domain& d, std::uint32_t port) noexcept {
  return port < d.evtchns.size();
}

/// Allocates the lowest free port of \p d (call with `d.mu` held), growing the table by one
/// bucket of `domain::evtchn_bucket` ports when all are in use, or `enospc`.
[[nodiscard]] inline result<std::uint32_t> evtchn_alloc_port(domain& d) {
  for (std::uint32_t p = 1; p < d.evtchns.size(); ++p)
    if (d.evtchns[p].state == abi::EVTCHNSTAT::closed) return p;
  if (d.evtchns.size() >= domain::max_ports) return errc::enospc;
  const auto first = static_cast<std::uint32_t>(d.evtchns.size());
  d.evtchns.resize(first + domain::evtchn_bucket);
  return first;
}

/// True for the VIRQs Xen binds per vCPU (VIRQ_TIMER, VIRQ_DEBUG, VIRQ_XENOPROF, VIRQ_XENPMU);
/// every other VIRQ is global (bound on vCPU 0, movable with EVTCHNOP_bind_vcpu).
[[nodiscard]] constexpr bool virq_is_per_vcpu(std::uint32_t virq) noexcept {
  using abi::VIRQ;
  return virq == static_cast<std::uint32_t>(VIRQ::TIMER) || virq == static_cast<std::uint32_t>(VIRQ::DEBUG) ||
         virq == static_cast<std::uint32_t>(VIRQ::XENOPROF) || virq == static_cast<std::uint32_t>(VIRQ::XENPMU);
}

/// Marks \p port of \p d pending and delivers it to its vCPU (see the file comment).
inline void evtchn_set_pending(domain& d, std::uint32_t port) {
  std::uint32_t target = 0;
  {
    std::lock_guard lock(d.mu);
    if (port == 0 || !port_is_valid(d, port)) return;
    target = d.evtchns[port].vcpu;
  }
  auto& s = d.shared();
  const std::size_t w = port / 64;
  const std::uint64_t bit = std::uint64_t{1} << (port % 64);
  if ((__atomic_fetch_or(&s.evtchn_pending[w], bit, __ATOMIC_SEQ_CST) & bit) != 0) return;
  for (auto& v : d.vcpus) {
    bool polling = false;
    {
      std::lock_guard lock(v->mu);
      polling = std::find(v->poll_ports.begin(), v->poll_ports.end(), port) != v->poll_ports.end();
    }
    if (polling) d.notify(*v);
  }
  if ((__atomic_load_n(&s.evtchn_mask[w], __ATOMIC_SEQ_CST) & bit) != 0) return;
  if (target >= d.vcpus.size()) return;
  vcpu& v = *d.vcpus[target];
  auto* vi = d.vcpu_info_of(v);
  if (vi == nullptr) return;
  const std::uint64_t sel = std::uint64_t{1} << w;
  if ((__atomic_fetch_or(&vi->evtchn_pending_sel, sel, __ATOMIC_SEQ_CST) & sel) != 0) return;
  if (__atomic_exchange_n(&vi->evtchn_upcall_pending, std::uint8_t{1}, __ATOMIC_SEQ_CST) != 0) return;
  d.assert_upcall(v);
}

/// Raises VIRQ \p virq on vCPU \p v if a port is bound to it.
inline void evtchn_send_virq(domain& d, vcpu& v, std::uint32_t virq) {
  std::uint32_t port = 0;
  {
    std::lock_guard lock(d.mu);
    for (std::uint32_t p = 1; p < d.evtchns.size(); ++p) {
      const auto& c = d.evtchns[p];
      if (c.state == abi::EVTCHNSTAT::virq && c.virq == virq && c.vcpu == v.id) {
        port = p;
        break;
      }
    }
  }
  if (port != 0) evtchn_set_pending(d, port);
}

/// Clears the mask bit of \p port (a valid port) and re-delivers it if it is pending
/// (EVTCHNOP_unmask).
inline void evtchn_unmask(domain& d, std::uint32_t port) {
  std::uint32_t target = 0;
  {
    std::lock_guard lock(d.mu);
    // As Xen: a free (or the reserved) port is left as it is.
    if (!port_is_valid(d, port) || d.evtchns[port].state == abi::EVTCHNSTAT::closed) return;
    target = d.evtchns[port].vcpu;
  }
  auto& s = d.shared();
  const std::size_t w = port / 64;
  const std::uint64_t bit = std::uint64_t{1} << (port % 64);
  __atomic_fetch_and(&s.evtchn_mask[w], ~bit, __ATOMIC_SEQ_CST);
  if ((__atomic_load_n(&s.evtchn_pending[w], __ATOMIC_SEQ_CST) & bit) == 0) return;
  if (target >= d.vcpus.size()) return;
  vcpu& v = *d.vcpus[target];
  auto* vi = d.vcpu_info_of(v);
  if (vi == nullptr) return;
  const std::uint64_t sel = std::uint64_t{1} << w;
  if ((__atomic_fetch_or(&vi->evtchn_pending_sel, sel, __ATOMIC_SEQ_CST) & sel) != 0) return;
  if (__atomic_exchange_n(&vi->evtchn_upcall_pending, std::uint8_t{1}, __ATOMIC_SEQ_CST) != 0) return;
  d.assert_upcall(v);
}

/// Clears \p port's pending bit (as Xen does when a port is closed).
inline void evtchn_clear_pending(domain& d, std::uint32_t port) noexcept {
  auto& s = d.shared();
  __atomic_fetch_and(&s.evtchn_pending[port / 64], ~(std::uint64_t{1} << (port % 64)), __ATOMIC_SEQ_CST);
}

/// True if \p port of \p d is pending.
[[nodiscard]] inline bool evtchn_is_pending(const domain& d, std::uint32_t port) noexcept {
  const auto& s = d.shared();
  return (__atomic_load_n(&s.evtchn_pending[port / 64], __ATOMIC_SEQ_CST) & (std::uint64_t{1} << (port % 64))) != 0;
}

/// The two ends of a channel made by `evtchn_connect`.
struct port_pair {
  std::uint32_t a = 0;  ///< The port in the first domain.
  std::uint32_t b = 0;  ///< The port in the second domain.
};

/// Binds ports between two domains of \p h, as a toolstack does for a split driver: a new
/// interdomain channel between domain \p a and domain \p b (the same domain for a loopback),
/// each end on vCPU 0, nothing marked pending. Returns the port in a and the port in b; `esrch` if a
/// domain does not exist, `enospc` if one has no free port (then nothing is bound).
[[nodiscard]] inline result<port_pair> evtchn_connect(host& h, std::uint16_t a, std::uint16_t b) {
  domain* da = h.find(a);
  domain* db = h.find(b);
  if (da == nullptr || db == nullptr) return errc::esrch;
  std::scoped_lock lock(da->mu, db->mu);
  auto pa = evtchn_alloc_port(*da);
  if (!pa) return pa.error();
  da->evtchns[pa.value()].state = abi::EVTCHNSTAT::unbound;  // reserve it while b allocates
  auto pb = evtchn_alloc_port(*db);
  if (!pb) {
    da->evtchns[pa.value()] = evtchn{};
    return pb.error();
  }
  auto& ea = da->evtchns[pa.value()];
  ea.state = abi::EVTCHNSTAT::interdomain;
  ea.remote_dom = b;
  ea.remote_port = pb.value();
  ea.vcpu = 0;
  auto& eb = db->evtchns[pb.value()];
  eb.state = abi::EVTCHNSTAT::interdomain;
  eb.remote_dom = a;
  eb.remote_port = pa.value();
  eb.vcpu = 0;
  return port_pair{pa.value(), pb.value()};
}

/// Connects the timer of every vCPU of \p d to VIRQ_TIMER delivery.
inline void evtchn_wire_timer(domain& d) {
  d.on_timer = [&d](vcpu& v) { evtchn_send_virq(d, v, static_cast<std::uint32_t>(abi::VIRQ::TIMER)); };
}

}  // namespace hv
