/// \file
/// `result<T>`: a value or a Xen error number, `[[nodiscard]]`, no exceptions, usable in
/// constant expressions.
///
/// \code
/// xenabi::result<std::uint32_t> r = bind_timer();
/// if (!r) return r.error();            // propagate the Xen errno
/// use(r.value());
/// \endcode
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include <xenabi/core/contract.hpp>
#include <xenabi/core/errno.hpp>

namespace xenabi {

/// A value of type \p T or a Xen error number (`errc`).
///
/// \p T must be trivially copyable and trivially destructible (integers, pointers, ABI
/// structures): `result` is meant for freestanding code and constant expressions, where a
/// kernel does not want hidden constructors. Accessing the wrong alternative is a contract
/// violation (see contract.hpp).
template <class T>
class [[nodiscard]] result {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "xenabi::result<T> holds trivially copyable, trivially destructible T");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, errc>, "result<errc> is ambiguous");

 public:
  /// The value type.
  using value_type = T;

  /// A successful result holding \p v.
  constexpr result(const T& v) noexcept : value_(v), ok_(true) {}  // NOLINT(implicit)
  /// A failed result holding Xen error \p e.
  constexpr result(errc e) noexcept : error_(e), ok_(false) {}  // NOLINT(implicit)

  /// True if a value is held.
  [[nodiscard]] constexpr bool has_value() const noexcept { return ok_; }
  /// True if a value is held.
  constexpr explicit operator bool() const noexcept { return ok_; }

  /// The value; a contract violation if this holds an error.
  [[nodiscard]] constexpr const T& value() const noexcept {
    XENABI_EXPECTS(ok_);
    return value_;
  }
  /// The value; a contract violation if this holds an error.
  [[nodiscard]] constexpr T& value() noexcept {
    XENABI_EXPECTS(ok_);
    return value_;
  }
  /// The value, or \p fallback on error.
  [[nodiscard]] constexpr T value_or(const T& fallback) const noexcept {
    return ok_ ? value_ : fallback;
  }
  /// The Xen error; a contract violation if this holds a value.
  [[nodiscard]] constexpr errc error() const noexcept {
    XENABI_EXPECTS(!ok_);
    return error_;
  }
  /// Calls \p f with the value and returns its result (a `result<U>`), or forwards the error.
  template <class F>
  [[nodiscard]] constexpr auto and_then(F&& f) const noexcept -> decltype(f(std::declval<const T&>())) {
    if (ok_) return f(value_);
    return error_;
  }
  /// Maps the value with \p f (returning `U`) into `result<U>`, or forwards the error.
  template <class F>
  [[nodiscard]] constexpr auto transform(F&& f) const noexcept -> result<decltype(f(std::declval<const T&>()))> {
    if (ok_) return f(value_);
    return error_;
  }

  /// Equal if both hold equal values or equal errors.
  friend constexpr bool operator==(const result& a, const result& b) noexcept {
    if (a.ok_ != b.ok_) return false;
    return a.ok_ ? a.value_ == b.value_ : a.error_ == b.error_;
  }
  /// True if \p r holds error \p e.
  friend constexpr bool operator==(const result& r, errc e) noexcept {
    return !r.ok_ && r.error_ == e;
  }

 private:
  union {
    T value_;
    errc error_;
  };
  bool ok_;
};

/// `result<void>`: success, or a Xen error number.
template <>
class [[nodiscard]] result<void> {
 public:
  /// The value type.
  using value_type = void;
  /// Success.
  constexpr result() noexcept = default;
  /// Failure with Xen error \p e.
  constexpr result(errc e) noexcept : error_(e), ok_(false) {}  // NOLINT(implicit)

  /// True on success.
  [[nodiscard]] constexpr bool has_value() const noexcept { return ok_; }
  /// True on success.
  constexpr explicit operator bool() const noexcept { return ok_; }
  /// The Xen error; a contract violation on success.
  [[nodiscard]] constexpr errc error() const noexcept {
    XENABI_EXPECTS(!ok_);
    return error_;
  }
  /// Equal if both succeeded or both failed with the same error.
  friend constexpr bool operator==(const result& a, const result& b) noexcept {
    return a.ok_ == b.ok_ && (a.ok_ || a.error_ == b.error_);
  }
  /// True if \p r holds error \p e.
  friend constexpr bool operator==(const result& r, errc e) noexcept {
    return !r.ok_ && r.error_ == e;
  }

 private:
  errc error_{};
  bool ok_ = true;
};

/// A successful `result<void>`.
[[nodiscard]] constexpr result<void> ok() noexcept { return {}; }

/// Interprets a raw hypercall return value: negative values are Xen errnos, everything else is
/// the (non-negative) result. A negative value that is not a Xen errno is kept as-is in the enum
/// so callers can still print its number (`errc_name` then says "E?").
[[nodiscard]] constexpr result<std::int64_t> from_hypercall_rc(std::int64_t rc) noexcept {
  if (rc < 0) return static_cast<errc>(static_cast<std::int32_t>(-rc));
  return rc;
}

/// Like from_hypercall_rc, for calls whose success value is meaningless (0).
[[nodiscard]] constexpr result<void> from_hypercall_rc_void(std::int64_t rc) noexcept {
  if (rc < 0) return static_cast<errc>(static_cast<std::int32_t>(-rc));
  return {};
}

}  // namespace xenabi

/// Returns the error of \p expr (any `result`) from the enclosing function, which must return a
/// `result`. Evaluates \p expr exactly once.
#define XENABI_TRY(expr)                                \
  do {                                                  \
    if (auto xenabi_try_r_ = (expr); !xenabi_try_r_)    \
      return xenabi_try_r_.error();                     \
  } while (false)
