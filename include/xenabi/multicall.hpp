/// \file
/// A typed multicall builder: several hypercalls in one trap (`HYPERVISOR_multicall`), each
/// entry checked at compile time exactly like the single typed hypercall (hypercall.hpp): the
/// sub-operation's argument type, that Xen may write the argument (no `const` for OUT/INOUT),
/// and that the build's guest modes accept the hypercall. Results are per entry.
///
/// \code
/// xenabi::multicall_batch<8> mc;
/// abi::evtchn_send s{.port = 5};
/// mc.add<abi::EVTCHNOP::send>(s);               // like event_channel_op<abi::EVTCHNOP::send>(s)
/// mc.add_update_va_mapping(va, pte, abi::UVMF::INVLPG);
/// mc.add_mmuext_op(ops, 2, &done);
/// if (auto r = mc.run(); !r) return r;          // the multicall itself failed (EFAULT...)
/// if (auto i = mc.first_failure(); i < mc.size()) log("entry ", i, ": ", errc_name(mc.result_of(i).error()));
/// \endcode
///
/// Xen runs the entries in order and does not stop at a failing one: every entry's `result`
/// holds its own return value (a negative Xen errno on failure). The arguments an entry points
/// to (structures, arrays, done counters) must stay alive until run() returns; the builder
/// holds only pointers to them, as Xen's multicall_entry does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/abi/xen.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/hypercall.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

inline namespace XENABI_GUEST_MODE_NS_ {

/// Up to \p Capacity hypercalls issued in one trap through transport \p T (see the file comment).
template <std::size_t Capacity, class T = default_hypercall_transport>
class multicall_batch {
  static_assert(Capacity > 0 && Capacity <= 0xffffffffu, "a multicall holds 1 .. 2^32-1 entries");
  // the entry word: xen_ulong_t (64-bit on x86_64, 32-bit on i386), without its alignment attribute
  using xul = std::conditional_t<sizeof(abi::multicall_entry{}.op) == 8, std::uint64_t, std::uint32_t>;
  using sxul = std::conditional_t<sizeof(abi::multicall_entry{}.op) == 8, std::int64_t, std::int32_t>;

 public:
  /// The most entries one batch holds.
  static constexpr std::size_t capacity = Capacity;

  /// Adds sub-operation \p Op of a `*_op` hypercall with its argument structure \p arg (the
  /// same pairing and direction checks as the single wrappers). `event_channel_op`,
  /// `sched_op`, `memory_op`, `hvm_op`, `xen_version` sub-operations; vCPU operations use
  /// add_vcpu_op. Returns the entry's index, or `errc::enospc` if the batch is full.
  template <auto Op, class Arg>
  constexpr result<std::size_t> add(Arg& arg) noexcept {
    constexpr abi::hypercall h = hypercall_of<decltype(Op)>();
    check<h, Op, Arg&>();
    return push(h, {enum_word(Op), ptr_word(&arg)});
  }
  /// Adds a sub-operation that takes no argument (`SCHEDOP_yield`, `XENVER_version`...).
  template <auto Op>
  constexpr result<std::size_t> add() noexcept {
    constexpr abi::hypercall h = hypercall_of<decltype(Op)>();
    check<h, Op, void>();
    return push(h, {enum_word(Op), 0});
  }
  /// Adds `vcpu_op(Op, vcpu, &arg)`.
  template <abi::VCPUOP Op, class Arg>
  constexpr result<std::size_t> add_vcpu_op(std::uint32_t vcpu, Arg& arg) noexcept {
    check<abi::hypercall::vcpu_op, Op, Arg&>();
    return push(abi::hypercall::vcpu_op, {enum_word(Op), xul{vcpu}, ptr_word(&arg)});
  }
  /// Adds `vcpu_op(Op, vcpu, NULL)`.
  template <abi::VCPUOP Op>
  constexpr result<std::size_t> add_vcpu_op(std::uint32_t vcpu) noexcept {
    check<abi::hypercall::vcpu_op, Op, void>();
    return push(abi::hypercall::vcpu_op, {enum_word(Op), xul{vcpu}, 0});
  }
  /// Adds `mmu_update(req, count, done, foreigndom)` (PV). \p done may be null.
  constexpr result<std::size_t> add_mmu_update(const abi::mmu_update* req, std::uint32_t count,
                                               std::uint32_t* done,
                                               abi::domid_t foreigndom = abi::DOMID::SELF) noexcept {
    check_call<abi::hypercall::mmu_update>();
    return push(abi::hypercall::mmu_update,
                {ptr_word(req), xul{count}, ptr_word(done), xul{foreigndom}});
  }
  /// Adds `mmuext_op(ops, count, done, foreigndom)`. \p done may be null.
  constexpr result<std::size_t> add_mmuext_op(const abi::mmuext_op* ops, std::uint32_t count,
                                              std::uint32_t* done,
                                              abi::domid_t foreigndom = abi::DOMID::SELF) noexcept {
    check_call<abi::hypercall::mmuext_op>();
    return push(abi::hypercall::mmuext_op,
                {ptr_word(ops), xul{count}, ptr_word(done), xul{foreigndom}});
  }
  /// Adds `update_va_mapping(va, val, flags)` (PV; on i386 the 64-bit PTE takes two words).
  constexpr result<std::size_t> add_update_va_mapping(std::uintptr_t va, std::uint64_t val,
                                                      std::uint32_t flags) noexcept {
    check_call<abi::hypercall::update_va_mapping>();
    if constexpr (sizeof(xul) == 8) {
      return push(abi::hypercall::update_va_mapping,
                  {static_cast<xul>(va), static_cast<xul>(val), xul{flags}});
    } else {
      return push(abi::hypercall::update_va_mapping,
                  {static_cast<xul>(va), static_cast<xul>(val & 0xffffffffu), static_cast<xul>(val >> 32),
                   xul{flags}});
    }
  }
  /// Adds `set_timer_op(timeout)` (absolute system time; on i386 two words).
  constexpr result<std::size_t> add_set_timer_op(std::uint64_t timeout) noexcept {
    check_call<abi::hypercall::set_timer_op>();
    if constexpr (sizeof(xul) == 8) {
      return push(abi::hypercall::set_timer_op, {static_cast<xul>(timeout)});
    } else {
      return push(abi::hypercall::set_timer_op,
                  {static_cast<xul>(timeout & 0xffffffffu), static_cast<xul>(timeout >> 32)});
    }
  }

  /// Issues the batch in one HYPERVISOR_multicall. The error is the multicall's own (it could
  /// not read or write the list); each entry's outcome is result_of(i). An empty batch makes
  /// no hypercall.
  [[nodiscard]] result<void> run() noexcept {
    if (n_ == 0) return {};
    return multicall<T>(entries_, static_cast<std::uint32_t>(n_));
  }

  /// Entry \p i's outcome after run(): its non-negative return value or its Xen errno.
  [[nodiscard]] constexpr result<long> result_of(std::size_t i) const noexcept {
    XENABI_EXPECTS(i < n_);
    const long rc = static_cast<long>(static_cast<sxul>(entries_[i].result));
    if (rc < 0) return static_cast<errc>(static_cast<std::int32_t>(-rc));
    return rc;
  }
  /// The index of the first entry that failed, or size() if none did.
  [[nodiscard]] constexpr std::size_t first_failure() const noexcept {
    for (std::size_t i = 0; i < n_; ++i)
      if (!result_of(i)) return i;
    return n_;
  }
  /// The entries (for inspection and tests).
  [[nodiscard]] constexpr const abi::multicall_entry* entries() const noexcept { return entries_; }
  /// Number of entries.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return n_; }
  /// True if no entry was added.
  [[nodiscard]] constexpr bool empty() const noexcept { return n_ == 0; }
  /// True if no entry can be added.
  [[nodiscard]] constexpr bool full() const noexcept { return n_ == Capacity; }
  /// Removes every entry.
  constexpr void clear() noexcept { n_ = 0; }

 private:
  template <class E>
  static constexpr abi::hypercall hypercall_of() noexcept {
    if constexpr (std::is_same_v<E, abi::EVTCHNOP>) return abi::hypercall::event_channel_op;
    else if constexpr (std::is_same_v<E, abi::SCHEDOP>) return abi::hypercall::sched_op;
    else if constexpr (std::is_same_v<E, abi::XENMEM>) return abi::hypercall::memory_op;
    else if constexpr (std::is_same_v<E, abi::HVMOP>) return abi::hypercall::hvm_op;
    else if constexpr (std::is_same_v<E, abi::XENVER>) return abi::hypercall::xen_version;
    else {
      static_assert(std::is_same_v<E, abi::EVTCHNOP>,
                    "xenabi: multicall add<Op>() takes an EVTCHNOP, SCHEDOP, XENMEM, HVMOP or "
                    "XENVER sub-operation (vCPU operations: add_vcpu_op)");
      return abi::hypercall::event_channel_op;
    }
  }
  template <abi::hypercall H>
  static constexpr void check_call() noexcept {
    static_assert(hypercall_transport<T>, "xenabi: T must be a hypercall_transport");
    static_assert(xenabi::detail::dependent_true<T> && hypercall_in_build(static_cast<std::uint32_t>(H)),
                  "xenabi: this hypercall is not accepted by Xen in the guest mode(s) this build "
                  "targets (see xenabi/hypercall_modes.hpp)");
  }
  template <abi::hypercall H, auto Op, class Arg>
  static constexpr void check() noexcept {
    check_call<H>();
    static_assert(known_hypercall_op<Op>, "xenabi: this sub-operation has no typed wrapper");
    if constexpr (known_hypercall_op<Op>) {
      using traits = hypercall_op_traits<Op>;
      static_assert((traits::modes & build_guest_modes) != 0,
                    "xenabi: Xen refuses this sub-operation in this build's guest mode(s)");
      if constexpr (std::is_void_v<Arg>) {
        static_assert(traits::dir == hypercall_arg_dir::none,
                      "xenabi: this sub-operation needs an argument");
      } else {
        using A = std::remove_reference_t<Arg>;
        static_assert(traits::dir != hypercall_arg_dir::none,
                      "xenabi: this sub-operation takes no argument");
        static_assert(traits::dir == hypercall_arg_dir::none ||
                          std::is_same_v<std::remove_cv_t<A>, typename traits::arg_type>,
                      "xenabi: wrong argument type for this sub-operation");
        static_assert(traits::dir == hypercall_arg_dir::none ||
                          traits::dir == hypercall_arg_dir::in || !std::is_const_v<A>,
                      "xenabi: Xen writes this sub-operation's argument: pass a non-const object");
      }
    }
  }
  template <class E>
  static constexpr xul enum_word(E e) noexcept {
    return static_cast<xul>(static_cast<std::underlying_type_t<E>>(e));
  }
  template <class P>
  static xul ptr_word(P* p) noexcept {
    return static_cast<xul>(reinterpret_cast<std::uintptr_t>(p));
  }

  struct words {
    xul w[6];
  };
  constexpr result<std::size_t> push(abi::hypercall h, words args) noexcept {
    if (n_ == Capacity) return errc::enospc;
    abi::multicall_entry& e = entries_[n_];
    e.op = static_cast<xul>(static_cast<std::uint32_t>(h));
    e.result = 0;
    for (int i = 0; i < 6; ++i) e.args[i] = args.w[i];
    return n_++;
  }

  abi::multicall_entry entries_[Capacity]{};
  std::size_t n_ = 0;
};

}  // inline namespace XENABI_GUEST_MODE_NS_

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
