// A hypercall transport for host tests: records each call (number and register arguments) and
// returns a programmed value; optionally runs a hook that plays the hypervisor's part (writes
// OUT arguments through the pointer it was given).
#pragma once

#include <xenabi/hypercall.hpp>

#include <cstdint>

struct recording_transport {
  struct call_record {
    std::uint32_t nr;
    unsigned nargs;
    xenabi::hypercall_arg a[5];
  };
  static inline call_record last{};
  static inline unsigned calls = 0;
  static inline long next_rc = 0;
  static inline void (*hook)(const call_record&) = nullptr;

  static void reset(long rc = 0) {
    last = {};
    calls = 0;
    next_rc = rc;
    hook = nullptr;
  }

  template <class... A>
  static long call(std::uint32_t nr, A... args) noexcept {
    last = call_record{nr, sizeof...(A), {args...}};
    ++calls;
    if (hook != nullptr) hook(last);
    return next_rc;
  }
};
static_assert(xenabi::hypercall_transport<recording_transport>);

template <class T>
inline xenabi::hypercall_arg addr(const T& x) {
  return reinterpret_cast<xenabi::hypercall_arg>(&x);
}
