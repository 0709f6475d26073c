/// \file
/// event_channel_op: the 2-level ABI — alloc_unbound, bind_interdomain, bind_virq, bind_ipi,
/// bind_vcpu, send, close, status, unmask, reset/reset_cont — with Xen 4.17's port buckets and
/// errors; FIFO-only and pirq ops refused as Xen refuses them.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

/// Closes \p port of \p d (call with the locks of \p d and of any peer held).
inline void evtchn_close_locked(domain& d, std::uint32_t port) {
  auto& ch = d.evtchns[port];
  if (ch.state == abi::EVTCHNSTAT::interdomain && d.owner != nullptr) {
    if (domain* r = d.owner->find(ch.remote_dom); r != nullptr && ch.remote_port < r->evtchns.size()) {
      auto& rc = r->evtchns[ch.remote_port];
      if (rc.state == abi::EVTCHNSTAT::interdomain && rc.remote_dom == d.id && rc.remote_port == port) {
        rc.state = abi::EVTCHNSTAT::unbound;
        rc.remote_dom = d.id;
        rc.remote_port = 0;
      }
    }
  }
  ch = evtchn{};
  evtchn_clear_pending(d, port);  // as Xen: a closed port is not left pending
}

/// Closes bound \p port of \p d: \p lock holds `d.mu` on entry and is released, then the locks
/// of \p d and of an interdomain peer are taken together (no lock-order deadlock) to close it.
template <class Lock>
inline void evtchn_close_bound(domain& d, std::uint32_t port, Lock& lock) {
  const auto& ch = d.evtchns[port];
  domain* peer = nullptr;
  if (ch.state == abi::EVTCHNSTAT::interdomain && d.owner != nullptr && ch.remote_dom != d.id)
    peer = d.owner->find(ch.remote_dom);
  lock.unlock();
  if (peer != nullptr) {
    std::scoped_lock both(d.mu, peer->mu);
    evtchn_close_locked(d, port);
  } else {
    std::lock_guard again(d.mu);
    evtchn_close_locked(d, port);
  }
}

/// Xen's EVTCHNOP_reset_cont (14): the continuation of an interrupted EVTCHNOP_reset. Xen
/// defines it for itself only (`__XEN__`), but a guest reaches it with that number.
inline constexpr auto evtchnop_reset_cont = static_cast<abi::EVTCHNOP>(14);

/// EVTCHNOP_reset (\p cont false) and EVTCHNOP_reset_cont: closes every port of the caller.
inline std::int64_t evtchn_reset_op(hcall& c, bool cont) {
  using abi::EVTCHNSTAT;
  domain& d = c.d;
  const auto arg = c.a.a[1];
  auto r = c.in<abi::evtchn_reset>(arg);
  if (!r) return c.fail(errc::efault, "bad argument pointer");
  c.arg("dom", dom_name(r.value().dom));
  domain* o = lookup_domain(d, r.value().dom);
  if (o == nullptr) return c.fail(errc::esrch, "no such domain");
  if (o != &d) return c.fail(errc::eperm, "only DOMID_SELF (no privilege)");
  // xenhv closes every port in one go, so no reset is ever in progress to continue.
  if (cont) return c.fail(errc::ebusy, "no reset in progress");
  for (std::uint32_t p = 1;; ++p) {
    std::unique_lock lock(d.mu);
    if (!port_is_valid(d, p)) break;
    const auto& ch = d.evtchns[p];
    if (ch.state == EVTCHNSTAT::closed) continue;
    evtchn_close_bound(d, p, lock);
  }
  return 0;
}

inline std::int64_t event_channel_op(hcall& c) {
  using abi::EVTCHNOP;
  using abi::EVTCHNSTAT;
  const auto cmd = c.a.a[0];
  const auto arg = c.a.a[1];
  c.arg("cmd", sub_name("EVTCHNOP_", cmd, {"bind_interdomain", "bind_virq", "bind_pirq", "close", "send", "status",
                                           "alloc_unbound", "bind_ipi", "bind_vcpu", "unmask", "reset",
                                           "init_control", "expand_array", "set_priority", "reset_cont"}));
  domain& d = c.d;
  if (cmd == static_cast<std::uint64_t>(evtchnop_reset_cont)) return evtchn_reset_op(c, true);
  switch (static_cast<EVTCHNOP>(cmd)) {
    case EVTCHNOP::alloc_unbound: {
      auto r = c.in<abi::evtchn_alloc_unbound>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("dom", dom_name(x.dom));
      c.arg("remote_dom", dom_name(x.remote_dom));
      if (domain* o = lookup_domain(d, x.dom); o == nullptr) return c.fail(errc::esrch, "no such domain");
      else if (o != &d) return c.fail(errc::eperm, "may only allocate in DOMID_SELF (no privilege)");
      {
        std::lock_guard lock(d.mu);
        auto p = evtchn_alloc_port(d);
        if (!p) return c.fail(p.error(), "no free port");
        auto& ch = d.evtchns[p.value()];
        ch.state = EVTCHNSTAT::unbound;
        ch.remote_dom = x.remote_dom == abi::DOMID::SELF ? d.id : x.remote_dom;
        ch.vcpu = 0;
        x.port = p.value();
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "port " + std::to_string(x.port);
      return 0;
    }
    case EVTCHNOP::bind_interdomain: {
      auto r = c.in<abi::evtchn_bind_interdomain>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("remote_dom", dom_name(x.remote_dom));
      c.arg("remote_port", std::to_string(x.remote_port));
      const std::uint16_t rid = x.remote_dom == abi::DOMID::SELF ? d.id : x.remote_dom;
      domain* rd = rid == d.id ? &d : (d.owner != nullptr ? d.owner->find(rid) : nullptr);
      if (rd == nullptr) return c.fail(errc::esrch, "no such domain");
      {
        std::scoped_lock lock(d.mu, rd->mu);
        if (!port_is_valid(*rd, x.remote_port)) return c.fail(errc::einval, "remote port out of range");
        auto& rch = rd->evtchns[x.remote_port];
        if (rch.state != EVTCHNSTAT::unbound || rch.remote_dom != d.id)
          return c.fail(errc::einval, "remote port is not unbound for this domain");
        auto p = evtchn_alloc_port(d);
        if (!p) return c.fail(p.error(), "no free port");
        auto& lch = d.evtchns[p.value()];
        auto& rch2 = rd->evtchns[x.remote_port];  // evtchns may have grown if rd == d
        lch.state = EVTCHNSTAT::interdomain;
        lch.remote_dom = rid;
        lch.remote_port = x.remote_port;
        lch.vcpu = 0;
        rch2.state = EVTCHNSTAT::interdomain;
        rch2.remote_dom = d.id;
        rch2.remote_port = p.value();
        x.local_port = p.value();
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      evtchn_set_pending(d, x.local_port);  // as Xen: avoid a lost notification
      c.rec.note = "port " + std::to_string(x.local_port);
      return 0;
    }
    case EVTCHNOP::bind_virq: {
      auto r = c.in<abi::evtchn_bind_virq>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("virq", std::to_string(x.virq));
      c.arg("vcpu", std::to_string(x.vcpu));
      if (x.virq >= abi::NR::VIRQS) return c.fail(errc::einval, "VIRQ out of range");
      const bool per_vcpu = virq_is_per_vcpu(x.virq);
      if (!per_vcpu && x.vcpu != 0) return c.fail(errc::einval, "a global VIRQ must be bound on vCPU 0");
      if (x.vcpu >= d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");
      {
        std::lock_guard lock(d.mu);
        for (std::uint32_t p = 1; p < d.evtchns.size(); ++p) {
          const auto& ch = d.evtchns[p];
          if (ch.state == EVTCHNSTAT::virq && ch.virq == x.virq && (!per_vcpu || ch.vcpu == x.vcpu))
            return c.fail(errc::eexist, "VIRQ already bound (port " + std::to_string(p) + ")");
        }
        auto p = evtchn_alloc_port(d);
        if (!p) return c.fail(p.error(), "no free port");
        auto& ch = d.evtchns[p.value()];
        ch.state = EVTCHNSTAT::virq;
        ch.virq = x.virq;
        ch.vcpu = x.vcpu;
        x.port = p.value();
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "port " + std::to_string(x.port);
      return 0;
    }
    case EVTCHNOP::bind_ipi: {
      auto r = c.in<abi::evtchn_bind_ipi>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("vcpu", std::to_string(x.vcpu));
      if (x.vcpu >= d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");
      {
        std::lock_guard lock(d.mu);
        auto p = evtchn_alloc_port(d);
        if (!p) return c.fail(p.error(), "no free port");
        auto& ch = d.evtchns[p.value()];
        ch.state = EVTCHNSTAT::ipi;
        ch.vcpu = x.vcpu;
        x.port = p.value();
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "port " + std::to_string(x.port);
      return 0;
    }
    case EVTCHNOP::close: {
      auto r = c.in<abi::evtchn_close>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto port = r.value().port;
      c.arg("port", std::to_string(port));
      std::unique_lock lock(d.mu);
      if (!port_is_valid(d, port)) return c.fail(errc::einval, "port out of range");
      const auto& ch = d.evtchns[port];
      if (ch.state == EVTCHNSTAT::closed) return c.fail(errc::einval, port == 0 ? "port 0 is reserved" : "port is not bound");
      evtchn_close_bound(d, port, lock);
      return 0;
    }
    case EVTCHNOP::send: {
      auto r = c.in<abi::evtchn_send>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto port = r.value().port;
      c.arg("port", std::to_string(port));
      evtchn ch;
      {
        std::lock_guard lock(d.mu);
        if (!port_is_valid(d, port)) return c.fail(errc::einval, "port out of range");
        ch = d.evtchns[port];
      }
      switch (ch.state) {
        case EVTCHNSTAT::interdomain: {
          domain* rd = ch.remote_dom == d.id ? &d : (d.owner != nullptr ? d.owner->find(ch.remote_dom) : nullptr);
          if (rd != nullptr) evtchn_set_pending(*rd, ch.remote_port);
          return 0;
        }
        case EVTCHNSTAT::ipi:
          evtchn_set_pending(d, port);
          return 0;
        case EVTCHNSTAT::unbound:
          return 0;  // as Xen: silently dropped
        default:
          return c.fail(errc::einval, "port is not interdomain, IPI or unbound");
      }
    }
    case EVTCHNOP::status: {
      auto r = c.in<abi::evtchn_status>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("dom", dom_name(x.dom));
      c.arg("port", std::to_string(x.port));
      if (domain* o = lookup_domain(d, x.dom); o == nullptr) return c.fail(errc::esrch, "no such domain");
      else if (o != &d) return c.fail(errc::eperm, "only DOMID_SELF (no privilege)");
      {
        std::lock_guard lock(d.mu);
        if (!port_is_valid(d, x.port)) return c.fail(errc::einval, "port outside the allocated buckets");
        const evtchn ch = d.evtchns[x.port];
        x.status = static_cast<std::uint32_t>(ch.state);
        x.vcpu = ch.vcpu;
        std::memset(&x.u, 0, sizeof x.u);
        if (ch.state == EVTCHNSTAT::unbound) x.u.unbound.dom = ch.remote_dom;
        if (ch.state == EVTCHNSTAT::interdomain) {
          x.u.interdomain.dom = ch.remote_dom;
          x.u.interdomain.port = ch.remote_port;
        }
        if (ch.state == EVTCHNSTAT::virq) x.u.virq = ch.virq;
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "status " + std::to_string(x.status);
      return 0;
    }
    case EVTCHNOP::bind_vcpu: {
      auto r = c.in<abi::evtchn_bind_vcpu>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto x = r.value();
      c.arg("port", std::to_string(x.port));
      c.arg("vcpu", std::to_string(x.vcpu));
      if (x.vcpu >= d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");  // checked first, as Xen
      std::lock_guard lock(d.mu);
      if (!port_is_valid(d, x.port)) return c.fail(errc::einval, "port out of range");
      auto& ch = d.evtchns[x.port];
      const bool global_virq = ch.state == EVTCHNSTAT::virq && !virq_is_per_vcpu(ch.virq);
      if (!(global_virq || ch.state == EVTCHNSTAT::unbound || ch.state == EVTCHNSTAT::interdomain))
        return c.fail(errc::einval, "only global VIRQ, unbound and interdomain ports can move");
      ch.vcpu = x.vcpu;
      return 0;
    }
    case EVTCHNOP::unmask: {
      auto r = c.in<abi::evtchn_unmask>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto port = r.value().port;
      c.arg("port", std::to_string(port));
      {
        std::lock_guard lock(d.mu);
        if (!port_is_valid(d, port)) return c.fail(errc::einval, "port out of range");
      }
      evtchn_unmask(d, port);  // any valid port is accepted; a free one is left alone, as Xen
      return 0;
    }
    case EVTCHNOP::bind_pirq: {
      auto r = c.in<abi::evtchn_bind_pirq>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("pirq", std::to_string(r.value().pirq));
      return c.fail(errc::enosys, "no physical IRQs on xenhv");
    }
    case EVTCHNOP::reset:
      return evtchn_reset_op(c, false);
    case EVTCHNOP::expand_array:
    case EVTCHNOP::set_priority:
      // As Xen with the 2-level ABI (xenhv has no other): expand_array needs the FIFO ABI,
      // set_priority has no 2-level implementation.
      if (static_cast<EVTCHNOP>(cmd) == EVTCHNOP::expand_array)
        return c.fail(errc::eopnotsupp, "the FIFO ABI is not in use (xenhv has the 2-level ABI only)");
      return c.fail(errc::enosys, "no priorities in the 2-level ABI");
    default:
      return c.fail(errc::enosys, "EVTCHNOP sub-op not implemented by xenhv (2-level ABI only)");
  }
}

}  // namespace detail
}  // namespace hv
