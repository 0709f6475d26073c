/// \file
/// multicall: each entry (in the caller's layout) dispatched as from the caller, its result
/// written back; a nested multicall is -EINVAL. It calls `dispatch()`, which
/// hv/hypercall/dispatch.hpp (included at the end) defines.
#pragma once

#include <cstdint>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

inline std::int64_t multicall(hcall& c) {
  const auto list = c.a.a[0];
  const auto n = static_cast<std::uint32_t>(c.a.a[1]);  // Xen: unsigned int nr_calls
  c.arg("call_list", hex(list));
  c.arg("nr_calls", std::to_string(n));
  // Entries in the caller's layout (32-bit: 4-byte op, result and arguments); each call is
  // dispatched as from the caller's width.
  return c.by_width([&](auto w) -> std::int64_t {
  using entry_t = abi::tmpl::multicall_entry<decltype(w)>;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto e = c.in<entry_t>(list + i * sizeof(entry_t));
    if (!e) return c.fail(errc::efault, "bad call list at entry " + std::to_string(i));
    hypercall_args inner;
    // The entry's op is a full word: a number beyond 32 bits is no hypercall.
    const std::uint64_t op_word = e.value().op;
    inner.nr = op_word > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(op_word);
    for (std::size_t k = 0; k < 6; ++k) inner.a[k] = e.value().args[k];
    inner.guest64 = c.a.guest64;
    std::int64_t rc;
    if (inner.nr == static_cast<std::uint32_t>(abi::hypercall::multicall)) {
      rc = xenabi::to_hypercall_rc(errc::einval);
    } else {
      rc = dispatch(c.v, inner, c.g, c.policy);
    }
    auto out = e.value();
    out.result = static_cast<decltype(out.result)>(static_cast<std::uint64_t>(rc));
    if (!c.out(list + i * sizeof(entry_t), out))
      return c.fail(errc::efault, "bad call list at entry " + std::to_string(i));
    if (c.d.shutdown() != shutdown_kind::none) break;
  }
  return 0;
  });
}

}  // namespace detail
}  // namespace hv

// dispatch() is defined there (it includes this header too: #pragma once ends the cycle).
#include <hv/hypercall/dispatch.hpp>
