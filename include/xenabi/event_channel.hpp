/// \file
/// Event channels, 2-level ABI: the upcall demultiplexer, a handler table with a compile-time
/// capacity, and local masking of ports in `shared_info`.
///
/// \code
/// xenabi::event_handler_table<64> handlers;
/// handlers.bind(xenabi::port{3}, [](void* ctx, xenabi::port p) { ... }, nullptr);
/// xenabi::event_demux demux(*shared, shared->vcpu_info[0], handlers);   // one per vCPU
/// // in the upcall (callback vector) handler:
/// demux.upcall();
/// \endcode
///
/// **The upcall.** `event_demux::upcall()` runs Xen's 2-level protocol: clear
/// `evtchn_upcall_pending`, atomically exchange `evtchn_pending_sel` with 0, and for each word
/// whose selector bit was set, take the bits that are pending and not masked; for each one,
/// atomically clear its pending bit *before* calling the handler (so a new event raised while the
/// handler runs is delivered again, and an event is delivered once per raise), then repeat until
/// no upcall is pending any more.
///
/// **Fairness.** The scan resumes just after the last port handled, going round the whole port
/// space: words in increasing order from the last word, and in that word first the bits above
/// the last bit, then (after every other word) the bits up to it. A port that is raised again and
/// again (by its own handler or by a busy peer) is therefore handled at most once per round, and
/// cannot starve any other pending port: between a port becoming pending and its delivery, any
/// other port is delivered at most once (plus once if it was already being handled).
///
/// **Masking.** `mask()` sets a port's mask bit. Unmasking must not lose an event that arrived
/// while the port was masked (Xen sets the pending bit but does not raise the upcall for a
/// masked port): `unmask()` clears the mask bit, then re-checks the pending bit, and only if it is
/// set asks Xen to re-deliver with `EVTCHNOP_unmask` (`evtchn::unmask()`; evtchn_bitmaps does the
/// local part alone).
///
/// **Typed operations.** `evtchn::alloc_unbound`, `bind_interdomain`, `bind_virq`, `bind_ipi`,
/// `bind_vcpu`, `send`, `close`, `status`, `unmask` wrap `EVTCHNOP_*` (hypercall.hpp's
/// `event_channel_op`) with strong types: `evtchn::bind_virq(abi::VIRQ::TIMER)` returns a
/// `result<port>`.
///
/// Every shared-memory access is an atomic builtin (`__atomic_*`), except in constant
/// evaluation, where plain accesses are used so the algorithm can be tested at compile time.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xenabi/abi/event_channel.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/core/atomic.hpp>
#include <xenabi/core/barrier.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>
#include <xenabi/hypercall.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// An event handler: called with its context and the port that fired.
template <class Ctx = void>
using basic_event_handler_fn = void (*)(Ctx* ctx, port p);
/// The usual handler type, with an untyped context.
using event_handler_fn = basic_event_handler_fn<void>;

/// A table of handlers for ports `0 .. Capacity-1` (no heap; the table is the caller's object).
/// \p Ctx is the handlers' context type (`void` by default; a concrete type lets the table be
/// used in constant expressions, where a `void*` cannot be cast back).
template <std::size_t Capacity, class Ctx = void>
class event_handler_table {
  static_assert(Capacity > 0 && Capacity <= abi::x86_64::EVTCHN_2L::NR_CHANNELS,
                "the 2-level ABI has at most 4096 ports");

 public:
  /// The number of ports the table can hold handlers for.
  static constexpr std::size_t capacity = Capacity;
  /// The handler type.
  using handler_fn = basic_event_handler_fn<Ctx>;

  /// Installs \p fn with \p ctx for \p p: `errc::erange` if \p p is beyond the capacity,
  /// `errc::ebusy` if the port already has a handler, `errc::einval` if \p fn is null.
  constexpr result<void> bind(port p, handler_fn fn, Ctx* ctx) noexcept {
    if (p.value() >= Capacity) return errc::erange;
    if (fn == nullptr) return errc::einval;
    entry& e = entries_[p.value()];
    if (e.fn != nullptr) return errc::ebusy;
    e.fn = fn;
    e.ctx = ctx;
    return {};
  }
  /// Removes \p p's handler (no-op if none).
  constexpr void unbind(port p) noexcept {
    if (p.value() < Capacity) entries_[p.value()] = entry{};
  }
  /// True if \p p has a handler.
  [[nodiscard]] constexpr bool bound(port p) const noexcept {
    return p.value() < Capacity && entries_[p.value()].fn != nullptr;
  }
  /// Calls \p p's handler; false if it has none.
  constexpr bool dispatch(port p) const noexcept {
    if (p.value() >= Capacity) return false;
    const entry& e = entries_[p.value()];
    if (e.fn == nullptr) return false;
    e.fn(e.ctx, p);
    return true;
  }

 private:
  struct entry {
    handler_fn fn = nullptr;
    Ctx* ctx = nullptr;
  };
  entry entries_[Capacity]{};
};

/// \cond XENABI_INTERNAL
namespace detail::evt {
template <std::size_t Bytes>
struct uint_of_size;
template <>
struct uint_of_size<4> {
  using type = u32;
};
template <>
struct uint_of_size<8> {
  using type = u64;
};
}  // namespace detail::evt
/// \endcond

/// The bit word of the 2-level bitmaps of \p SharedInfo (u64 on x86_64, u32 on i386).
template <class SharedInfo>
using evtchn_word_t =
    typename detail::evt::uint_of_size<sizeof(std::declval<SharedInfo&>().evtchn_pending[0])>::type;
/// The selector word of \p VcpuInfo (`evtchn_pending_sel`: u64 on x86_64, u32 on i386).
template <class VcpuInfo>
using evtchn_sel_t =
    typename detail::evt::uint_of_size<sizeof(std::declval<VcpuInfo&>().evtchn_pending_sel)>::type;

/// Local operations on the 2-level bitmaps of a `shared_info` (either width).
template <class SharedInfo = abi::shared_info>
class evtchn_bitmaps {
 public:
  /// The bitmap word type.
  using word = evtchn_word_t<SharedInfo>;
  /// Bits per word.
  static constexpr unsigned bits_per_word = sizeof(word) * 8;
  /// Words per bitmap.
  static constexpr unsigned words = sizeof(SharedInfo::evtchn_pending) / sizeof(word);
  /// Ports of the 2-level ABI for this width (Xen's EVTCHN_2L_NR_CHANNELS).
  static constexpr unsigned nr_ports = bits_per_word * words;

  /// The bitmaps of \p s.
  constexpr explicit evtchn_bitmaps(SharedInfo& s) noexcept : s_(&s) {}

  /// Sets \p p's mask bit: Xen keeps setting its pending bit but raises no upcall for it.
  constexpr void mask(port p) noexcept {
    XENABI_EXPECTS(p.value() < nr_ports);
    atomic_fetch_or(s_->evtchn_mask[p.value() / bits_per_word], bit(p));
  }
  /// Clears \p p's mask bit and returns true if the port is pending (then the caller must have
  /// Xen re-deliver it with EVTCHNOP_unmask).
  [[nodiscard]] constexpr bool clear_mask_and_check_pending(port p) noexcept {
    XENABI_EXPECTS(p.value() < nr_ports);
    atomic_fetch_and(s_->evtchn_mask[p.value() / bits_per_word], static_cast<word>(~bit(p)));
    return is_pending(p);
  }
  /// True if \p p's mask bit is set.
  [[nodiscard]] constexpr bool is_masked(port p) const noexcept {
    XENABI_EXPECTS(p.value() < nr_ports);
    return (load_acquire(s_->evtchn_mask[p.value() / bits_per_word]) & bit(p)) != 0;
  }
  /// True if \p p's pending bit is set.
  [[nodiscard]] constexpr bool is_pending(port p) const noexcept {
    XENABI_EXPECTS(p.value() < nr_ports);
    return (load_acquire(s_->evtchn_pending[p.value() / bits_per_word]) & bit(p)) != 0;
  }
  /// Clears \p p's pending bit; true if it was set.
  constexpr bool clear_pending(port p) noexcept {
    XENABI_EXPECTS(p.value() < nr_ports);
    return (atomic_fetch_and(s_->evtchn_pending[p.value() / bits_per_word],
                                   static_cast<word>(~bit(p))) &
            bit(p)) != 0;
  }
  /// The shared_info.
  [[nodiscard]] constexpr SharedInfo& shared() const noexcept { return *s_; }

 private:
  static constexpr word bit(port p) noexcept {
    return static_cast<word>(word{1} << (p.value() % bits_per_word));
  }
  SharedInfo* s_;
};

/// Counters kept by an event_demux.
struct event_demux_stats {
  u64 upcalls = 0;      ///< Calls of upcall().
  u64 passes = 0;       ///< Selector exchanges that found something (outer-loop rounds).
  u64 delivered = 0;    ///< Events delivered to a handler.
  u64 unhandled = 0;    ///< Events on ports without a handler (cleared and dropped).
};

/// The upcall demultiplexer of one vCPU (see the file comment for the algorithm). \p Table is
/// an event_handler_table (shared by all vCPUs' demultiplexers); \p SharedInfo and \p VcpuInfo
/// default to the compiling target's `abi::shared_info` / `abi::vcpu_info`.
template <class Table, class SharedInfo = abi::shared_info, class VcpuInfo = abi::vcpu_info>
class event_demux {
  using bitmaps = evtchn_bitmaps<SharedInfo>;
  using word = typename bitmaps::word;
  using sel_word = evtchn_sel_t<VcpuInfo>;
  static constexpr unsigned bits = bitmaps::bits_per_word;
  static constexpr unsigned nwords = bitmaps::words;
  static_assert(nwords <= sizeof(sel_word) * 8, "one selector bit per bitmap word");

 public:
  /// The demultiplexer of vCPU area \p v over the bitmaps of \p s, dispatching through \p t.
  constexpr event_demux(SharedInfo& s, VcpuInfo& v, const Table& t) noexcept
      : s_(&s), v_(&v), t_(&t) {}

  /// Handles every pending, unmasked event of this vCPU; returns how many were delivered to
  /// handlers. Loops until `evtchn_upcall_pending` stays clear.
  constexpr std::size_t upcall() noexcept {
    ++stats_.upcalls;
    std::size_t n = 0;
    for (;;) {
      atomic_store(v_->evtchn_upcall_pending, u8{0});
      const sel_word sel = atomic_exchange(v_->evtchn_pending_sel, sel_word{0});
      if (sel == 0) {
        if (load_acquire(v_->evtchn_upcall_pending) == 0) break;
        continue;
      }
      ++stats_.passes;
      n += scan(sel);
    }
    return n;
  }

  /// The port handled last (where the next scan resumes from, exclusive).
  [[nodiscard]] constexpr port last_port() const noexcept {
    return port{last_word_ * bits + last_bit_};
  }
  /// Counters.
  [[nodiscard]] constexpr const event_demux_stats& stats() const noexcept { return stats_; }

 private:
  constexpr std::size_t scan(sel_word sel) noexcept {
    std::size_t n = 0;
    const unsigned w0 = last_word_;
    const unsigned b0 = last_bit_ + 1;  // may equal `bits`: start with the next word
    const word all = static_cast<word>(~word{0});
    const word from_b0 = b0 >= bits ? word{0} : static_cast<word>(all << b0);
    for (unsigned i = 0; i <= nwords; ++i) {
      const unsigned w = (w0 + i) % nwords;
      if (((sel >> w) & 1u) == 0) continue;
      word range = all;
      if (i == 0) range = from_b0;                           // above the last port
      else if (i == nwords) range = static_cast<word>(~from_b0);  // up to it, last
      word pend = static_cast<word>(load_acquire(s_->evtchn_pending[w]) &
                                    ~load_acquire(s_->evtchn_mask[w]) & range);
      while (pend != 0) {
        const unsigned b = static_cast<unsigned>(std::countr_zero(pend));
        pend = static_cast<word>(pend & (pend - 1));
        const word bit = static_cast<word>(word{1} << b);
        const word old = atomic_fetch_and(s_->evtchn_pending[w], static_cast<word>(~bit));
        if ((old & bit) == 0) continue;  // someone else took it
        last_word_ = w;
        last_bit_ = b;
        if (t_->dispatch(port{w * bits + b})) {
          ++n;
          ++stats_.delivered;
        } else {
          ++stats_.unhandled;
        }
      }
    }
    return n;
  }

  SharedInfo* s_;
  VcpuInfo* v_;
  const Table* t_;
  unsigned last_word_ = nwords - 1;  // so the first scan starts at port 0
  unsigned last_bit_ = bits - 1;
  event_demux_stats stats_{};
};

/// What Xen does when it raises event \p p for a vCPU (`evtchn_set_pending`): set the pending
/// bit; if it was clear and the port is not masked, set the word's selector bit and, if that
/// was clear, `evtchn_upcall_pending`. Returns true if the pending bit went from 0 to 1 (a new
/// event rather than one merged into a pending one). For hypervisors and tests (a guest never
/// raises its own events this way).
template <class SharedInfo, class VcpuInfo>
constexpr bool evtchn_2l_raise(SharedInfo& s, VcpuInfo& v, port p) noexcept {
  using word = evtchn_word_t<SharedInfo>;
  using sel_word = evtchn_sel_t<VcpuInfo>;
  constexpr unsigned bits = sizeof(word) * 8;
  const unsigned w = p.value() / bits;
  const word bit = static_cast<word>(word{1} << (p.value() % bits));
  if ((atomic_fetch_or(s.evtchn_pending[w], bit) & bit) != 0) return false;
  if ((load_acquire(s.evtchn_mask[w]) & bit) != 0) return true;
  const sel_word sbit = static_cast<sel_word>(sel_word{1} << w);
  if ((atomic_fetch_or(v.evtchn_pending_sel, sbit) & sbit) == 0)
    atomic_store(v.evtchn_upcall_pending, u8{1});
  return true;
}

// ---------------------------------------------------------------------------------------------
// Typed EVTCHNOP wrappers

inline namespace XENABI_GUEST_MODE_NS_ {

/// The `EVTCHNOP_*` operations as functions returning strong types (over
/// `event_channel_op<Op, T>` of hypercall.hpp; \p T is the hypercall transport).
namespace evtchn {

/// EVTCHNOP_alloc_unbound: a new port of this domain that domain \p remote may bind.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<port> alloc_unbound(domain_id remote) noexcept {
  abi::evtchn_alloc_unbound a{abi::DOMID::SELF, remote.value(), 0};
  XENABI_TRY((event_channel_op<abi::EVTCHNOP::alloc_unbound, T>(a)));
  return port{a.port};
}
/// EVTCHNOP_bind_interdomain: connects to \p remote_port of domain \p remote; the local port.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<port> bind_interdomain(domain_id remote, port remote_port) noexcept {
  abi::evtchn_bind_interdomain a{remote.value(), remote_port.value(), 0};
  XENABI_TRY((event_channel_op<abi::EVTCHNOP::bind_interdomain, T>(a)));
  return port{a.local_port};
}
/// EVTCHNOP_bind_virq: a port for virtual IRQ \p virq delivered to vCPU \p vcpu (VIRQ_TIMER
/// for the timer alarm).
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<port> bind_virq(abi::VIRQ virq, u32 vcpu = 0) noexcept {
  abi::evtchn_bind_virq a{static_cast<u32>(virq), vcpu, 0};
  XENABI_TRY((event_channel_op<abi::EVTCHNOP::bind_virq, T>(a)));
  return port{a.port};
}
/// EVTCHNOP_bind_ipi: a port for notifications to vCPU \p vcpu from the other vCPUs.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<port> bind_ipi(u32 vcpu) noexcept {
  abi::evtchn_bind_ipi a{vcpu, 0};
  XENABI_TRY((event_channel_op<abi::EVTCHNOP::bind_ipi, T>(a)));
  return port{a.port};
}
/// EVTCHNOP_bind_vcpu: deliver \p p's events to vCPU \p vcpu.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> bind_vcpu(port p, u32 vcpu) noexcept {
  const abi::evtchn_bind_vcpu a{p.value(), vcpu};
  return event_channel_op<abi::EVTCHNOP::bind_vcpu, T>(a);
}
/// EVTCHNOP_send: signals the other end of \p p.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> send(port p) noexcept {
  const abi::evtchn_send a{p.value()};
  return event_channel_op<abi::EVTCHNOP::send, T>(a);
}
/// EVTCHNOP_close: closes \p p.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> close(port p) noexcept {
  const abi::evtchn_close a{p.value()};
  return event_channel_op<abi::EVTCHNOP::close, T>(a);
}
/// EVTCHNOP_status: the state of this domain's port \p p.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<abi::evtchn_status> status(port p) noexcept {
  abi::evtchn_status a{};
  a.dom = abi::DOMID::SELF;
  a.port = p.value();
  XENABI_TRY((event_channel_op<abi::EVTCHNOP::status, T>(a)));
  return a;
}
/// EVTCHNOP_unmask alone: unmask \p p in Xen and have it re-deliver a pending event.
template <class T = default_hypercall_transport>
[[nodiscard]] inline result<void> unmask_hypercall(port p) noexcept {
  const abi::evtchn_unmask a{p.value()};
  return event_channel_op<abi::EVTCHNOP::unmask, T>(a);
}
/// Unmasks \p p by the rule that loses no event: clear the mask bit locally, then re-check the
/// pending bit, and only if it is set make the EVTCHNOP_unmask hypercall so Xen raises the
/// upcall for it (an event that arrived while masked set the pending bit but raised nothing).
/// Returns whether the hypercall was needed, or its error.
template <class T = default_hypercall_transport, class SharedInfo>
[[nodiscard]] inline result<bool> unmask(evtchn_bitmaps<SharedInfo>& bitmaps, port p) noexcept {
  if (!bitmaps.clear_mask_and_check_pending(p)) return false;
  XENABI_TRY(unmask_hypercall<T>(p));
  return true;
}

}  // namespace evtchn

}  // inline namespace XENABI_GUEST_MODE_NS_

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
