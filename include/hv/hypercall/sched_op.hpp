/// \file
/// sched_op: yield, block (until an event), shutdown and shutdown_code, poll (a port set with a
/// timeout, in the caller's width), remote_shutdown, watchdog and pin_override; and
/// `block_vcpu`, the wait they share.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

/// Blocks the calling vCPU until \p done() or shutdown or (if non-zero) system time \p deadline.
/// With \p kicked, a wake-up of the vCPU (`domain::notify`) ends the wait too and sets it.
template <class Pred>
inline void block_vcpu(domain& d, vcpu& v, Pred done, std::uint64_t deadline = 0, bool* kicked = nullptr) {
  std::unique_lock lock(v.mu);
  d.set_runstate(v, runstate::blocked);
  while (!done() && d.shutdown() == shutdown_kind::none) {
    if (kicked != nullptr && v.wake) {
      *kicked = true;
      break;
    }
    if (kicked == nullptr) v.wake = false;
    if (deadline != 0) {
      const auto now = d.clock.now();
      if (now >= deadline) break;
      v.cv.wait_for(lock, std::chrono::nanoseconds(deadline - now), [&] { return v.wake; });
    } else {
      v.cv.wait(lock, [&] { return v.wake; });
    }
  }
  d.set_runstate(v, runstate::running);
}

inline std::int64_t sched_op(hcall& c) {
  const auto cmd = c.a.a[0];
  const auto arg = c.a.a[1];
  c.arg("cmd", sub_name("SCHEDOP_", cmd, {"yield", "block", "shutdown", "poll", "remote_shutdown", "shutdown_code",
                                          "watchdog", "pin_override"}));
  switch (static_cast<abi::SCHEDOP>(cmd)) {
    case abi::SCHEDOP::yield:
      std::this_thread::yield();
      return 0;
    case abi::SCHEDOP::block:
      if (auto* vi = c.d.vcpu_info_of(c.v)) __atomic_store_n(&vi->evtchn_upcall_mask, std::uint8_t{0}, __ATOMIC_SEQ_CST);
      if (!c.a.interrupts_enabled) {
        // As Xen: with IF clear a pending upcall cannot be delivered, so it does not end the
        // block; only a new wake-up (an event's 0->1 upcall edge, VCPUOP_up...) or shutdown does.
        c.rec.note = "interrupts disabled: pending events do not wake it";
        bool woken = false;
        {
          std::lock_guard lock(c.v.mu);
          c.v.wake = false;
        }
        block_vcpu(c.d, c.v, [] { return false; }, 0, &woken);
        return 0;
      }
      block_vcpu(c.d, c.v, [&] { return c.d.upcall_pending(c.v); });
      return 0;
    case abi::SCHEDOP::shutdown:
    case abi::SCHEDOP::shutdown_code: {
      auto r = c.in<abi::sched_shutdown>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      // As Xen: the reason is truncated to 8 bits and never refused; the first code recorded
      // by shutdown_code is the one a later shutdown uses.
      const auto reason = static_cast<std::uint8_t>(r.value().reason);
      c.arg("reason", sub_name("SHUTDOWN_", reason, {"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"}));
      if (static_cast<abi::SCHEDOP>(cmd) == abi::SCHEDOP::shutdown_code) {
        std::lock_guard lock(c.d.mu);
        if (c.d.pending_shutdown_code) c.rec.note = "a code was recorded before: this one is ignored";
        else c.d.pending_shutdown_code = reason;
        return 0;
      }
      if (reason > static_cast<std::uint32_t>(abi::SHUTDOWN::MAX)) c.rec.note = "unknown reason: ends as a crash";
      c.d.guest_shutdown(reason);
      return 0;
    }
    case abi::SCHEDOP::poll: {
      gabi::sched_poll p{};  // widened from the caller's layout
      const bool read = c.by_width([&](auto w) {
        auto r = c.in<abi::tmpl::sched_poll<decltype(w)>>(arg);
        if (!r) return false;
        p.ports = decltype(p.ports)::from_address(r.value().ports.address());
        p.nr_ports = r.value().nr_ports;
        p.timeout = r.value().timeout;
        return true;
      });
      if (!read) return c.fail(errc::efault, "bad argument pointer");
      c.arg("nr_ports", std::to_string(p.nr_ports));
      c.arg("timeout", std::to_string(static_cast<std::uint64_t>(p.timeout)));
      if (p.nr_ports > 128) return c.fail(errc::einval, "more than 128 ports");
      std::vector<std::uint32_t> ports(p.nr_ports);
      if (!c.g.copy_from_guest(ports.data(), virt_addr{p.ports.address()}, ports.size() * 4))
        return c.fail(errc::efault, "bad ports array");
      std::string list;
      for (auto port : ports) list += (list.empty() ? "" : ",") + std::to_string(port);
      c.arg("ports", "[" + list + "]");
      // As Xen: the ports are checked in order; a pending one ends the call before a later
      // invalid one is seen.
      for (auto port : ports) {
        {
          std::lock_guard lock(c.d.mu);
          if (!port_is_valid(c.d, port)) return c.fail(errc::einval, "port " + std::to_string(port) + " not valid");
        }
        if (evtchn_is_pending(c.d, port)) return 0;
      }
      auto any_pending = [&] {
        for (auto port : ports)
          if (evtchn_is_pending(c.d, port)) return true;
        return false;
      };
      {
        std::lock_guard lock(c.v.mu);
        c.v.poll_ports = ports;
        c.v.wake = false;
      }
      // As Xen, the vCPU is woken by one of its ports becoming pending, by the timeout, and by
      // any kick of the vCPU (an event upcall being raised for it).
      bool kicked = false;
      block_vcpu(c.d, c.v, [&] { return kicked || any_pending(); }, p.timeout, &kicked);
      {
        std::lock_guard lock(c.v.mu);
        c.v.poll_ports.clear();
      }
      return 0;
    }
    case abi::SCHEDOP::remote_shutdown: {
      auto r = c.in<abi::sched_remote_shutdown>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("domain_id", std::to_string(r.value().domain_id));
      c.arg("reason", std::to_string(r.value().reason));
      // Looked up by id: DOMID_SELF names no domain here.
      if (r.value().domain_id == abi::DOMID::SELF ||
          (r.value().domain_id != c.d.id && (c.d.owner == nullptr || c.d.owner->find(r.value().domain_id) == nullptr)))
        return c.fail(errc::esrch, "no such domain");
      return c.fail(errc::eperm, "only a device model or the control domain may do this");
    }
    case abi::SCHEDOP::watchdog: {
      auto r = c.in<abi::sched_watchdog>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("id", std::to_string(r.value().id));
      c.arg("timeout", std::to_string(r.value().timeout));
      auto w = c.d.watchdog(r.value().id, r.value().timeout);
      if (!w) return c.fail(w.error(), w.error() == errc::enospc ? "all watchdogs in use" : "no such watchdog");
      return w.value();
    }
    case abi::SCHEDOP::pin_override:
      return c.fail(errc::eperm, "only the hardware domain may do this");
    default:
      return c.fail(errc::enosys, "SCHEDOP sub-op not implemented by xenhv");
  }
}

}  // namespace detail
}  // namespace hv
