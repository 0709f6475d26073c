// event_channel.hpp's typed EVTCHNOP wrappers against a fake Xen transport (arguments in,
// results out, errors), and the unmask rule: clear the mask locally, re-check pending, and make
// the EVTCHNOP_unmask hypercall only when an event is pending.
#include <xenabi/event_channel.hpp>

#include <cstdint>
#include <vector>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;

struct fake_evtchn_xen {
  static inline std::vector<std::uint32_t> ops;  // EVTCHNOP numbers seen
  static inline long fail = 0;                   // next call's return value when non-zero
  template <class... A>
  static long call(std::uint32_t nr, A... args) noexcept {
    const hypercall_arg a[] = {args..., 0};
    if (nr != static_cast<std::uint32_t>(abi::hypercall::event_channel_op)) return -38;
    const auto op = static_cast<abi::EVTCHNOP>(a[0]);
    ops.push_back(static_cast<std::uint32_t>(a[0]));
    if (fail != 0) {
      const long r = fail;
      fail = 0;
      return r;
    }
    switch (op) {
      case abi::EVTCHNOP::alloc_unbound: {
        auto* x = reinterpret_cast<abi::evtchn_alloc_unbound*>(a[1]);
        if (x->dom != abi::DOMID::SELF) return -22;
        x->port = 10u + x->remote_dom;
        return 0;
      }
      case abi::EVTCHNOP::bind_interdomain: {
        auto* x = reinterpret_cast<abi::evtchn_bind_interdomain*>(a[1]);
        x->local_port = x->remote_port + 100;
        return 0;
      }
      case abi::EVTCHNOP::bind_virq: {
        auto* x = reinterpret_cast<abi::evtchn_bind_virq*>(a[1]);
        x->port = 200 + x->virq * 10 + x->vcpu;
        return 0;
      }
      case abi::EVTCHNOP::bind_ipi: {
        auto* x = reinterpret_cast<abi::evtchn_bind_ipi*>(a[1]);
        x->port = 300 + x->vcpu;
        return 0;
      }
      case abi::EVTCHNOP::status: {
        auto* x = reinterpret_cast<abi::evtchn_status*>(a[1]);
        x->status = static_cast<std::uint32_t>(abi::EVTCHNSTAT::virq);
        x->vcpu = 1;
        x->u.virq = x->port;
        return 0;
      }
      case abi::EVTCHNOP::send: {
        auto* x = reinterpret_cast<const abi::evtchn_send*>(a[1]);
        return x->port == 13 ? -22 : 0;
      }
      default:
        return 0;
    }
  }
};
static_assert(hypercall_transport<fake_evtchn_xen>);
using X = fake_evtchn_xen;
}  // namespace

TEST_CASE("evtchn wrappers pass arguments and return strong ports") {
  X::ops.clear();
  REQUIRE(evtchn::alloc_unbound<X>(domain_id{5}) == result<port>(port{15}));
  REQUIRE(evtchn::bind_interdomain<X>(domain_id{0}, port{7}) == result<port>(port{107}));
  REQUIRE(evtchn::bind_virq<X>(abi::VIRQ::TIMER, 2) == result<port>(port{202}));
  REQUIRE(evtchn::bind_virq<X>(abi::VIRQ::DEBUG) == result<port>(port{210}));
  REQUIRE(evtchn::bind_ipi<X>(3) == result<port>(port{303}));
  REQUIRE(evtchn::bind_vcpu<X>(port{4}, 1));
  REQUIRE(evtchn::send<X>(port{4}));
  REQUIRE(evtchn::send<X>(port{13}) == errc::einval);
  REQUIRE(evtchn::close<X>(port{4}));
  auto st = evtchn::status<X>(port{9});
  REQUIRE(st);
  REQUIRE(st.value().status == static_cast<std::uint32_t>(abi::EVTCHNSTAT::virq));
  REQUIRE(st.value().u.virq == 9);
  X::fail = -static_cast<long>(errc::enospc);
  REQUIRE(evtchn::bind_ipi<X>(0) == errc::enospc);
  const std::vector<std::uint32_t> want = {6, 0, 1, 1, 7, 8, 4, 4, 3, 5, 7};
  REQUIRE(X::ops == want);
}

TEST_CASE("evtchn::unmask makes the hypercall only if the port is pending") {
  static abi::shared_info s{};
  evtchn_bitmaps<> b(s);
  X::ops.clear();
  b.mask(port{70});
  auto r = evtchn::unmask<X>(b, port{70});  // nothing pending
  REQUIRE(r);
  REQUIRE(r.value() == false);
  REQUIRE(X::ops.empty());
  REQUIRE(!b.is_masked(port{70}));
  b.mask(port{70});
  REQUIRE(evtchn_2l_raise(s, s.vcpu_info[0], port{70}));  // arrives while masked: no upcall
  REQUIRE(s.vcpu_info[0].evtchn_upcall_pending == 0);
  r = evtchn::unmask<X>(b, port{70});
  REQUIRE(r);
  REQUIRE(r.value() == true);
  REQUIRE(X::ops == std::vector<std::uint32_t>{static_cast<std::uint32_t>(abi::EVTCHNOP::unmask)});
  X::fail = -static_cast<long>(errc::einval);
  b.mask(port{70});
  REQUIRE(evtchn::unmask<X>(b, port{70}) == errc::einval);
}
