// The comparisons every conformance test makes between one of our ABI entities and its
// counterpart (Xen's C header from libxen-dev, or our own C header): integer values across
// types and enums, and the "same kind of field" rule for integers.
#pragma once

#include <type_traits>
#include <utility>

namespace xenabi_conformance {

/// An enum's underlying value, or the value itself.
template <class T>
constexpr auto integral_value(T v) {
  if constexpr (std::is_enum_v<T>) {
    return static_cast<std::underlying_type_t<T>>(v);
  } else {
    return v;
  }
}

/// Equal as mathematical integers, whatever the two types.
template <class A, class B>
constexpr bool same_value(A ours, B theirs) {
  return std::cmp_equal(integral_value(ours), integral_value(theirs));
}

/// Same kind of field: for integers (and arrays of them), the same signedness.
template <class X, class O>
constexpr bool same_kind() {
  using XR = std::remove_all_extents_t<X>;
  using OR = std::remove_all_extents_t<O>;
  if constexpr (std::is_integral_v<XR> && std::is_integral_v<OR>) {
    return std::is_signed_v<XR> == std::is_signed_v<OR>;
  } else {
    return true;
  }
}

}  // namespace xenabi_conformance
