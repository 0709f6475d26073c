/// \file
/// set_timer_op: the single-shot timer by absolute system time (two registers from a 32-bit
/// caller; 0 stops it; a negative or far-future deadline fires 100 ms later, as Xen).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

inline std::int64_t set_timer_op(hcall& c) {
  // A 32-bit caller passes the 64-bit timeout in two registers (low word first), as Xen's
  // compat set_timer_op(lo, hi).
  const std::uint64_t timeout = c.a.guest64 ? c.a.a[0] : (c.a.a[0] & 0xffffffffu) | (c.a.a[1] << 32);
  c.arg("timeout", std::to_string(timeout));
  if (timeout == 0) {
    c.d.set_timer(c.v, std::nullopt);
    return 0;
  }
  // As Xen: a deadline that is negative, or more than 2^50 ns (about 13 days) ahead, is taken
  // for a guest's wrapped jiffies and replaced by one 100 ms from now.
  const std::uint64_t now = c.d.clock.now();
  if ((timeout >> 63) != 0 || (timeout > now && ((timeout - now) >> 50) != 0)) {
    c.rec.note = "huge timeout: fires in 100 ms";
    c.d.set_timer(c.v, now + 100000000u);
    return 0;
  }
  c.d.set_timer(c.v, timeout);
  return 0;
}

}  // namespace detail
}  // namespace hv
