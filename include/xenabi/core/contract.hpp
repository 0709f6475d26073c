/// \file
/// The contracts hook: one place where precondition failures go, which a kernel routes to its
/// own panic.
///
/// By default a violated contract executes `__builtin_trap()` (freestanding-safe). A kernel
/// defines `XENABI_CONTRACT_VIOLATION(msg, file, line)` before including any xenabi header to
/// call its panic instead, e.g.
/// \code
/// #define XENABI_CONTRACT_VIOLATION(msg, file, line) my_panic(msg, file, line)
/// \endcode
/// Define `XENABI_CONTRACTS_OFF` to compile checks out entirely. In a constant expression a
/// violated contract is a compile error (the violation handler is not constexpr).
#pragma once

#ifndef XENABI_CONTRACT_VIOLATION
/// Called when a contract is violated; the default traps. Must not return.
#define XENABI_CONTRACT_VIOLATION(msg, file, line) __builtin_trap()
#endif

namespace xenabi::detail {
/// Out-of-line so it is never a constant expression: a violated contract in constexpr evaluation
/// becomes a compile error.
[[noreturn]] inline void contract_violation(const char* msg, const char* file, int line) noexcept {
  (void)msg;
  (void)file;
  (void)line;
  XENABI_CONTRACT_VIOLATION(msg, file, line);
  __builtin_unreachable();
}
}  // namespace xenabi::detail

#ifdef XENABI_CONTRACTS_OFF
/// Precondition check (compiled out under XENABI_CONTRACTS_OFF).
#define XENABI_EXPECTS(cond) ((void)0)
/// Postcondition/invariant check (compiled out under XENABI_CONTRACTS_OFF).
#define XENABI_ENSURES(cond) ((void)0)
#else
/// Precondition check: routes a violation to XENABI_CONTRACT_VIOLATION.
#define XENABI_EXPECTS(cond)                                                                \
  ((cond) ? (void)0                                                                         \
          : ::xenabi::detail::contract_violation("precondition failed: " #cond, __FILE__, __LINE__))
/// Postcondition/invariant check: routes a violation to XENABI_CONTRACT_VIOLATION.
#define XENABI_ENSURES(cond)                                                                \
  ((cond) ? (void)0                                                                         \
          : ::xenabi::detail::contract_violation("postcondition failed: " #cond, __FILE__, __LINE__))
#endif
