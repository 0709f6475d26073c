// Fidelity probe "evtchn": event_channel_op on a PVH guest, compared line by line between xenhv
// and Xen 4.17 (tests/fidelity/README.md). Covers alloc_unbound and bind_interdomain to the
// domain itself (loopback), bind_virq (per-vCPU and global VIRQs, bad VIRQs and vCPUs, double
// binding), bind_ipi, send on every kind of port, status of a port in every state, close (twice,
// of a pending port, of one end of a loopback), unmask of a masked pending port (the upcall must
// arrive), operations on free and out-of-range ports, bind_vcpu, reset, unknown sub-ops.
// Port numbers are printed: both hypervisors hand out the lowest free port from 1.
#include "guest_support.hpp"

namespace {

using namespace probe;
using abi::EVTCHNOP;

constexpr std::uint16_t no_such_domain = 77;  // never created in these runs
constexpr std::uint64_t unmapped = bad_pointer;

const char* state_name(std::uint32_t s) {
  switch (static_cast<abi::EVTCHNSTAT>(s)) {
    case abi::EVTCHNSTAT::closed: return "closed";
    case abi::EVTCHNSTAT::unbound: return "unbound";
    case abi::EVTCHNSTAT::interdomain: return "interdomain";
    case abi::EVTCHNSTAT::pirq: return "pirq";
    case abi::EVTCHNSTAT::virq: return "virq";
    case abi::EVTCHNSTAT::ipi: return "ipi";
  }
  return "?";
}

// Port numbers are printed from the first port the probe allocated (`first_free`): a domU gets
// ports 1 and 2 bound by its toolstack (xenstore and console; xenhv does the same), Xen's domain 0
// has neither, so absolute numbers differ by that much while the allocation order (lowest free
// port first) is what both must agree on. Only after EVTCHNOP_reset, which frees every port,
// are numbers absolute again.
std::uint32_t first_free = 0;
std::uint64_t from_first(std::uint32_t port) { return std::uint64_t{port} - first_free; }

// EVTCHNOP_status of \p port, printed with the fields that mean something in its state. Remote
// domain ids are printed relative to \p self_dom ("self" or "other").
std::uint16_t self_dom = 0;
void status(const char* c, std::uint32_t port, std::uint16_t dom = abi::DOMID::SELF) {
  abi::evtchn_status s{};
  s.dom = dom;
  s.port = port;
  const long rc = raw(xenabi::event_channel_op<EVTCHNOP::status>(s));
  obs l(c, rc);
  if (rc != 0) return;
  l.str("status", state_name(s.status)).kv("vcpu", s.vcpu);
  switch (static_cast<abi::EVTCHNSTAT>(s.status)) {
    case abi::EVTCHNSTAT::unbound: l.str("remote", s.u.unbound.dom == self_dom ? "self" : "other"); break;
    case abi::EVTCHNSTAT::interdomain:
      l.str("remote", s.u.interdomain.dom == self_dom ? "self" : "other").kv("remote_port_from_first_free", from_first(s.u.interdomain.port));
      break;
    case abi::EVTCHNSTAT::virq: l.kv("virq", s.u.virq); break;
    default: break;
  }
}

long alloc_unbound(std::uint16_t dom, std::uint16_t remote, std::uint32_t& port) {
  abi::evtchn_alloc_unbound a{};
  a.dom = dom;
  a.remote_dom = remote;
  const long rc = raw(xenabi::event_channel_op<EVTCHNOP::alloc_unbound>(a));
  port = a.port;
  return rc;
}
long bind_interdomain(std::uint16_t remote, std::uint32_t rport, std::uint32_t& port) {
  abi::evtchn_bind_interdomain b{};
  b.remote_dom = remote;
  b.remote_port = rport;
  const long rc = raw(xenabi::event_channel_op<EVTCHNOP::bind_interdomain>(b));
  port = b.local_port;
  return rc;
}
long bind_vcpu(std::uint32_t port, std::uint32_t vcpu) {
  abi::evtchn_bind_vcpu b{};
  b.port = port;
  b.vcpu = vcpu;
  return raw(xenabi::event_channel_op<EVTCHNOP::bind_vcpu>(b));
}

void run_all() {
  quiesce();
  std::uint32_t a = 0, b = 0, other = 0, p = 0;

  // alloc_unbound
  long rc = alloc_unbound(abi::DOMID::SELF, abi::DOMID::SELF, a);
  first_free = a;
  obs("alloc_unbound_self", rc).kv("port_from_first_free", from_first(a));
  {  // learn our own domain id from the unbound port's remote (DOMID_SELF is stored resolved)
    abi::evtchn_status s{};
    s.dom = abi::DOMID::SELF;
    s.port = a;
    (void)xenabi::event_channel_op<EVTCHNOP::status>(s);
    self_dom = s.u.unbound.dom;
    obs("alloc_unbound_self_resolved", 0).str("remote_is_domid_self", yn(s.u.unbound.dom == abi::DOMID::SELF));
  }
  status("status_unbound", a);
  rc = alloc_unbound(abi::DOMID::SELF, no_such_domain, other);
  obs("alloc_unbound_remote_absent", rc).kv("port_from_first_free", from_first(other));
  status("status_unbound_other", other);
  rc = alloc_unbound(no_such_domain, abi::DOMID::SELF, p);
  obs("alloc_unbound_dom_absent", rc);
  rc = alloc_unbound(self_dom, self_dom, p);
  obs("alloc_unbound_own_id", rc).kv("port_from_first_free", from_first(p));
  obs("close_own_id_port", close(p));

  // bind_interdomain to ourselves (loopback); Xen marks the new local port pending
  rc = bind_interdomain(abi::DOMID::SELF, a, b);
  obs("bind_interdomain_self", rc).kv("port_from_first_free", from_first(b)).str("local_pending", yn(is_pending(b))).str("remote_pending", yn(is_pending(a)));
  status("status_interdomain_local", b);
  status("status_interdomain_remote", a);
  rc = bind_interdomain(abi::DOMID::SELF, a, p);
  obs("bind_interdomain_already_bound", rc);
  rc = bind_interdomain(abi::DOMID::SELF, other, p);
  obs("bind_interdomain_not_for_us", rc);
  rc = bind_interdomain(abi::DOMID::SELF, 0, p);
  obs("bind_interdomain_port0", rc);
  rc = bind_interdomain(abi::DOMID::SELF, 60, p);
  obs("bind_interdomain_free_port", rc);
  rc = bind_interdomain(abi::DOMID::SELF, 5000, p);
  obs("bind_interdomain_out_of_range", rc);
  rc = bind_interdomain(no_such_domain, a, p);
  obs("bind_interdomain_dom_absent", rc);

  // send on each kind of port (interrupts off: nothing is delivered, bits are observed)
  quiesce();
  rc = send(a);
  obs("send_interdomain", rc).str("peer_pending", yn(is_pending(b))).str("own_pending", yn(is_pending(a))).str("upcall_flag", yn(upcall_flag()));
  quiesce();
  rc = send(b);
  obs("send_interdomain_reverse", rc).str("peer_pending", yn(is_pending(a))).str("own_pending", yn(is_pending(b)));
  quiesce();
  rc = send(other);
  obs("send_unbound", rc).str("pending", yn(is_pending(other))).str("upcall_flag", yn(upcall_flag()));

  // bind_virq
  std::uint32_t t = 0, dbg = 0, prof = 0, glob = 0;
  rc = bind_virq(op(abi::VIRQ::TIMER), 0, t);
  obs("bind_virq_timer", rc).kv("port_from_first_free", from_first(t));
  rc = bind_virq(op(abi::VIRQ::TIMER), 0, p);
  obs("bind_virq_timer_again", rc);
  rc = bind_virq(op(abi::VIRQ::TIMER), 1, p);
  obs("bind_virq_timer_vcpu1", rc);
  rc = bind_virq(op(abi::VIRQ::TIMER), 0xffffffffu, p);
  obs("bind_virq_timer_vcpu_huge", rc);
  rc = bind_virq(abi::NR::VIRQS, 0, p);
  obs("bind_virq_nr_virqs", rc);
  rc = bind_virq(1000, 0, p);
  obs("bind_virq_1000", rc);
  rc = bind_virq(op(abi::VIRQ::DEBUG), 0, dbg);
  obs("bind_virq_debug", rc).kv("port_from_first_free", from_first(dbg));
  rc = bind_virq(op(abi::VIRQ::XENOPROF), 0, prof);
  obs("bind_virq_xenoprof", rc).kv("port_from_first_free", from_first(prof));
  rc = bind_virq(op(abi::VIRQ::ENOMEM), 1, p);
  obs("bind_virq_global_vcpu1", rc);
  rc = bind_virq(op(abi::VIRQ::ENOMEM), 0, glob);
  obs("bind_virq_global", rc).kv("port_from_first_free", from_first(glob));
  rc = bind_virq(op(abi::VIRQ::ENOMEM), 0, p);
  obs("bind_virq_global_again", rc);
  rc = bind_virq(op(abi::VIRQ::ARCH_7), 1, p);
  obs("bind_virq_arch7_vcpu1", rc);
  status("status_virq_timer", t);
  status("status_virq_global", glob);
  quiesce();
  rc = send(t);
  obs("send_virq", rc).str("pending", yn(is_pending(t)));

  // bind_ipi, send, delivery
  std::uint32_t i = 0;
  rc = bind_ipi(0, i);
  obs("bind_ipi", rc).kv("port_from_first_free", from_first(i));
  rc = bind_ipi(1, p);
  obs("bind_ipi_vcpu1", rc);
  status("status_ipi", i);
  quiesce();
  rc = send(i);
  obs("send_ipi", rc).str("pending", yn(is_pending(i))).str("upcall_flag", yn(upcall_flag()))
      .str("selector", yn(selector(i)));
  const bool got = wait_until([&] { return was_delivered(i); });
  obs("send_ipi_upcall", 0).str("delivered", yn(got)).str("pending_after", yn(is_pending(i)));

  // status of free, reserved and out-of-range ports; of another domain
  {  // the valid port range: the first port whose status is refused (validity is monotonic)
    std::uint32_t lo = 1, hi = abi::x86_64::EVTCHN_2L::NR_CHANNELS;  // lo valid, hi invalid
    while (hi - lo > 1) {
      abi::evtchn_status s{};
      s.dom = abi::DOMID::SELF;
      s.port = lo + (hi - lo) / 2;
      if (raw(xenabi::event_channel_op<EVTCHNOP::status>(s)) == 0) lo = s.port; else hi = s.port;
    }
    obs("valid_port_range", 0).kv("first_invalid", hi);
  }
  status("status_free_port", 60);
  status("status_port0", 0);
  status("status_port63", 63);
  status("status_port4095", 4095);
  status("status_port4096", 4096);
  status("status_dom_absent", a, no_such_domain);
  status("status_own_id", a, self_dom);

  // unmask of a masked pending port: the upcall must arrive
  std::uint32_t m = 0;
  rc = bind_ipi(0, m);
  obs("bind_ipi_second", rc).kv("port_from_first_free", from_first(m));
  quiesce();
  set_mask(m);
  rc = send(m);
  obs("send_masked", rc).str("pending", yn(is_pending(m))).str("upcall_flag", yn(upcall_flag()))
      .str("selector", yn(selector(m)));
  events_window();
  obs("masked_not_delivered", 0).str("delivered", yn(was_delivered(m))).str("pending", yn(is_pending(m)));
  rc = unmask(m);
  obs("unmask_pending", rc).str("masked", yn(is_masked(m))).str("upcall_flag", yn(upcall_flag()))
      .str("selector", yn(selector(m)));
  const bool got_m = wait_until([&] { return was_delivered(m); });
  obs("unmask_upcall", 0).str("delivered", yn(got_m)).str("pending_after", yn(is_pending(m)));
  quiesce();
  set_mask(m);
  rc = unmask(m);
  obs("unmask_not_pending", rc).str("masked", yn(is_masked(m))).str("upcall_flag", yn(upcall_flag()));
  set_mask(60);
  rc = unmask(60);
  obs("unmask_free_port", rc).str("masked", yn(is_masked(60)));
  rc = unmask(0);
  obs("unmask_port0", rc);
  rc = unmask(4095);
  obs("unmask_port4095", rc);
  rc = unmask(4096);
  obs("unmask_port4096", rc);

  // send on free and out-of-range ports
  obs("send_free_port", send(60));
  obs("send_port0", send(0));
  obs("send_port4095", send(4095));
  obs("send_port4096", send(4096));

  // bind_vcpu
  obs("bind_vcpu_unbound", bind_vcpu(other, 0));
  obs("bind_vcpu_unbound_vcpu1", bind_vcpu(other, 1));
  obs("bind_vcpu_interdomain", bind_vcpu(b, 0));
  obs("bind_vcpu_ipi", bind_vcpu(i, 0));
  obs("bind_vcpu_virq_timer", bind_vcpu(t, 0));
  obs("bind_vcpu_virq_debug", bind_vcpu(dbg, 0));
  obs("bind_vcpu_virq_xenoprof", bind_vcpu(prof, 0));
  obs("bind_vcpu_virq_global", bind_vcpu(glob, 0));
  obs("bind_vcpu_free_port", bind_vcpu(60, 0));
  obs("bind_vcpu_port4096", bind_vcpu(4096, 0));
  obs("bind_vcpu_bad_port_bad_vcpu", bind_vcpu(4096, 1));

  // close: pending port, one end of the loopback, twice, free and out-of-range ports
  quiesce();
  rc = send(i);
  rc = close(i);
  obs("close_pending_ipi", rc).str("pending_after", yn(is_pending(i)));
  status("status_closed", i);
  obs("close_again", close(i));
  rc = close(b);
  obs("close_interdomain_local", rc);
  status("status_peer_after_close", a);
  obs("close_interdomain_local_again", close(b));
  obs("close_unbound", close(a));
  obs("close_virq", close(t));
  obs("close_free_port", close(60));
  obs("close_port0", close(0));
  obs("close_port4096", close(4096));
  rc = bind_ipi(0, p);
  obs("realloc_lowest_port", rc).kv("port_from_first_free", from_first(p));

  // bad argument pointers
  obs("send_bad_pointer", hcall(H::event_channel_op, op(EVTCHNOP::send), unmapped));
  obs("status_bad_pointer", hcall(H::event_channel_op, op(EVTCHNOP::status), unmapped));
  obs("alloc_unbound_bad_pointer", hcall(H::event_channel_op, op(EVTCHNOP::alloc_unbound), unmapped));

  // FIFO-only and unknown sub-ops (2-level ABI: no init_control was made)
  {
    abi::evtchn_set_priority sp{};
    sp.port = m;
    sp.priority = 3;
    obs("set_priority_2level", hcall(H::event_channel_op, op(EVTCHNOP::set_priority), addr(&sp)));
    abi::evtchn_expand_array ea{};
    ea.array_gfn = 0;
    obs("expand_array_2level", hcall(H::event_channel_op, op(EVTCHNOP::expand_array), addr(&ea)));
  }
  obs("unknown_subop_14", hcall(H::event_channel_op, 14u, addr(&p)));
  obs("unknown_subop_99", hcall(H::event_channel_op, 99u, addr(&p)));
  obs("bind_pirq", hcall(H::event_channel_op, op(EVTCHNOP::bind_pirq), unmapped));

  // reset: closes every port of the domain
  {
    abi::evtchn_reset r{};
    r.dom = no_such_domain;
    obs("reset_dom_absent", hcall(H::event_channel_op, op(EVTCHNOP::reset), addr(&r)));
    r.dom = abi::DOMID::SELF;
    obs("reset_self", hcall(H::event_channel_op, op(EVTCHNOP::reset), addr(&r)));
    status("status_after_reset_ipi", m);
    status("status_after_reset_unbound", other);
    status("status_after_reset_virq", glob);
    rc = bind_ipi(0, p);
    obs("alloc_after_reset", rc).kv("port", p);
  }
}

}  // namespace

const char* const probe::area = "evtchn";

void probe::run() {
  init_events();
  run_all();
}
