// A fake PV hypervisor as a hypercall transport: applies mmu_update / mmuext_op /
// update_va_mapping entries to a log, runs multicalls entry by entry (carrying on after a
// failing entry, as Xen does), refuses the entries at chosen positions (counted over every
// entry presented to it) with Xen's success_count semantics, and counts traps.
#pragma once

#include <xenabi/hypercall.hpp>

#include <cstdint>
#include <set>
#include <vector>

struct fake_pv {
  struct applied {
    unsigned kind;  // 0 mmu_update, 1 mmuext_op, 2 update_va_mapping
    std::uint64_t a, b;
    bool operator==(const applied&) const = default;
  };
  static inline std::vector<applied> log;
  static inline std::set<std::size_t> refuse;  // positions among presented entries
  static inline std::size_t presented = 0;
  static inline unsigned traps = 0;
  static inline unsigned multicalls = 0;
  static inline long multicall_rc = 0;
  static inline std::vector<std::uint32_t> other_calls;  // non-MMU hypercall numbers seen

  static void reset() {
    log.clear();
    refuse.clear();
    presented = 0;
    traps = 0;
    multicalls = 0;
    multicall_rc = 0;
    other_calls.clear();
  }

  template <class... A>
  static long call(std::uint32_t nr, A... args) noexcept {
    ++traps;
    const xenabi::hypercall_arg a[6] = {args..., 0};
    return dispatch(nr, a);
  }

  static bool take_refusal() { return refuse.count(presented++) != 0; }

  static long dispatch(std::uint32_t nr, const xenabi::hypercall_arg* a) {
    namespace abi = xenabi::abi;
    switch (static_cast<abi::hypercall>(nr)) {
      case abi::hypercall::mmu_update: {
        const auto* req = reinterpret_cast<const abi::mmu_update*>(a[0]);
        auto* done = reinterpret_cast<std::uint32_t*>(a[2]);
        for (std::uint32_t i = 0; i < a[1]; ++i) {
          if (take_refusal()) {
            if (done) *done = i;
            return -static_cast<long>(xenabi::errc::einval);
          }
          log.push_back({0, req[i].ptr, req[i].val});
        }
        if (done) *done = static_cast<std::uint32_t>(a[1]);
        return 0;
      }
      case abi::hypercall::mmuext_op: {
        const auto* op = reinterpret_cast<const abi::mmuext_op*>(a[0]);
        auto* done = reinterpret_cast<std::uint32_t*>(a[2]);
        for (std::uint32_t i = 0; i < a[1]; ++i) {
          if (take_refusal()) {
            if (done) *done = i;
            return -static_cast<long>(xenabi::errc::eperm);
          }
          log.push_back({1, op[i].cmd, op[i].arg1.mfn});
        }
        if (done) *done = static_cast<std::uint32_t>(a[1]);
        return 0;
      }
      case abi::hypercall::update_va_mapping:
        if (take_refusal()) return -static_cast<long>(xenabi::errc::efault);
        log.push_back({2, a[0], a[1]});
        return 0;
      case abi::hypercall::multicall: {
        ++multicalls;
        if (multicall_rc != 0) return multicall_rc;
        auto* e = reinterpret_cast<abi::multicall_entry*>(a[0]);
        for (std::uint32_t i = 0; i < a[1]; ++i) {
          xenabi::hypercall_arg ea[6];
          for (int k = 0; k < 6; ++k) ea[k] = static_cast<xenabi::hypercall_arg>(e[i].args[k]);
          e[i].result = static_cast<decltype(e[i].result)>(dispatch(static_cast<std::uint32_t>(e[i].op), ea));
        }
        return 0;
      }
      default:
        other_calls.push_back(nr);
        if (static_cast<abi::hypercall>(nr) == abi::hypercall::event_channel_op &&
            a[0] == static_cast<xenabi::hypercall_arg>(abi::EVTCHNOP::close))
          return -static_cast<long>(xenabi::errc::einval);
        return 7;
    }
  }
};
static_assert(xenabi::hypercall_transport<fake_pv>);
