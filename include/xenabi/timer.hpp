/// \file
/// Timers: a fixed-capacity deadline queue that multiplexes many software timers onto the one
/// hardware alarm a vCPU has, and the alarms Xen offers (`set_timer_op`, and
/// `VCPUOP_set_singleshot_timer` / `VCPUOP_stop_singleshot_timer`); expiry raises `VIRQ_TIMER`,
/// which the kernel binds to an event channel (`bind_virq` in event_channel.hpp) whose handler
/// calls `timer_mux::on_alarm(now)`.
///
/// \code
/// xenabi::timer_mux<32, xenabi::singleshot_alarm<>> timers(xenabi::singleshot_alarm<>{vcpu});
/// auto virq = xenabi::evtchn::bind_virq(xenabi::abi::VIRQ::TIMER, vcpu);  // then bind a handler
/// auto id = timers.arm(clk.now() + 10_ms, &on_timeout, ctx);   // programs the alarm if earliest
/// timers.cancel(id.value());                                    // reprograms if it was earliest
/// // in the VIRQ_TIMER handler:
/// timers.on_alarm(clk.now());                                   // runs what is due, re-arms
/// \endcode
///
/// The queue is a binary min-heap ordered by (deadline, arming order), so timers with equal
/// deadlines run in the order they were armed; arm, cancel and each expiry are O(log n). A
/// `timer_id` carries a generation, so cancelling a timer that already ran (or whose slot was
/// reused) is a harmless no-op. Callbacks may arm and cancel timers, including themselves.
/// No heap allocation: the capacity is a template parameter and the queue is the caller's object.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include <xenabi/clock.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>
#include <xenabi/hypercall.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// Names a timer in a deadline_queue: its slot and the slot's generation when it was armed.
struct timer_id {
  u32 slot = ~u32{0};  ///< Slot index.
  u32 gen = 0;         ///< Generation of the slot at arming time.
  /// Equal if slot and generation are equal.
  friend constexpr bool operator==(const timer_id&, const timer_id&) noexcept = default;
};

/// A timer callback: context, the timer that expired, and the time the expiry is processed.
template <class Ctx = void>
using timer_fn = void (*)(Ctx* ctx, timer_id id, system_time now);

/// A min-heap of up to \p Capacity deadlines with callbacks (see the file comment). \p Ctx is
/// the callbacks' context type (`void` by default; a concrete type allows constant evaluation).
template <std::size_t Capacity, class Ctx = void>
class deadline_queue {
  static_assert(Capacity > 0 && Capacity < 0xffffffffu, "capacity between 1 and 2^32-2");

 public:
  /// The callback type.
  using callback = timer_fn<Ctx>;
  /// The most timers that can be armed at once.
  static constexpr std::size_t capacity = Capacity;

  /// An empty queue.
  constexpr deadline_queue() noexcept {
    for (std::size_t i = 0; i < Capacity; ++i) slots_[i].next_free = static_cast<u32>(i + 1);
  }

  /// Arms a timer that calls \p fn(\p ctx, id, now) once at or after \p deadline:
  /// `errc::enospc` if all \p Capacity timers are armed, `errc::einval` if \p fn is null.
  constexpr result<timer_id> arm(system_time deadline, callback fn, Ctx* ctx) noexcept {
    if (fn == nullptr) return errc::einval;
    if (free_ == Capacity) return errc::enospc;
    const u32 s = free_;
    slot& sl = slots_[s];
    free_ = sl.next_free;
    sl.deadline = deadline;
    sl.seq = next_seq_++;
    sl.fn = fn;
    sl.ctx = ctx;
    sl.armed = true;
    heap_[size_] = s;
    sl.pos = static_cast<u32>(size_);
    ++size_;
    sift_up(sl.pos);
    return timer_id{s, sl.gen};
  }

  /// Cancels timer \p id; false if it is not armed (already ran, cancelled, or stale).
  constexpr bool cancel(timer_id id) noexcept {
    if (!armed(id)) return false;
    remove_at(slots_[id.slot].pos);
    release(id.slot);
    return true;
  }

  /// True if \p id is armed.
  [[nodiscard]] constexpr bool armed(timer_id id) const noexcept {
    return id.slot < Capacity && slots_[id.slot].armed && slots_[id.slot].gen == id.gen;
  }

  /// The earliest deadline, or `system_time::max()` if no timer is armed.
  [[nodiscard]] constexpr system_time next_deadline() const noexcept {
    return size_ == 0 ? system_time::max() : slots_[heap_[0]].deadline;
  }

  /// Runs, in deadline order, every timer whose deadline is at or before \p now (including
  /// timers that callbacks arm for a time at or before \p now); returns how many ran.
  constexpr std::size_t expire(system_time now) noexcept {
    std::size_t ran = 0;
    while (size_ != 0 && slots_[heap_[0]].deadline <= now) {
      const u32 s = heap_[0];
      const timer_id id{s, slots_[s].gen};
      const callback fn = slots_[s].fn;
      Ctx* const ctx = slots_[s].ctx;
      remove_at(0);
      release(s);  // before the call: the callback may re-arm into this slot
      fn(ctx, id, now);
      ++ran;
    }
    return ran;
  }

  /// Number of armed timers.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  /// True if no timer is armed.
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }

 private:
  struct slot {
    system_time deadline{};
    u64 seq = 0;
    callback fn = nullptr;
    Ctx* ctx = nullptr;
    u32 gen = 0;
    u32 pos = 0;
    u32 next_free = 0;
    bool armed = false;
  };

  constexpr bool before(u32 a, u32 b) const noexcept {
    const slot& x = slots_[a];
    const slot& y = slots_[b];
    return x.deadline < y.deadline || (x.deadline == y.deadline && x.seq < y.seq);
  }
  constexpr void place(std::size_t pos, u32 s) noexcept {
    heap_[pos] = s;
    slots_[s].pos = static_cast<u32>(pos);
  }
  constexpr void sift_up(std::size_t pos) noexcept {
    const u32 s = heap_[pos];
    while (pos > 0) {
      const std::size_t parent = (pos - 1) / 2;
      if (!before(s, heap_[parent])) break;
      place(pos, heap_[parent]);
      pos = parent;
    }
    place(pos, s);
  }
  constexpr void sift_down(std::size_t pos) noexcept {
    const u32 s = heap_[pos];
    for (;;) {
      std::size_t child = 2 * pos + 1;
      if (child >= size_) break;
      if (child + 1 < size_ && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], s)) break;
      place(pos, heap_[child]);
      pos = child;
    }
    place(pos, s);
  }
  constexpr void remove_at(std::size_t pos) noexcept {
    --size_;
    if (pos == size_) return;
    const u32 moved = heap_[size_];
    place(pos, moved);
    sift_down(pos);
    sift_up(slots_[moved].pos);
  }
  constexpr void release(u32 s) noexcept {
    slot& sl = slots_[s];
    sl.armed = false;
    ++sl.gen;
    sl.fn = nullptr;
    sl.ctx = nullptr;
    sl.next_free = free_;
    free_ = s;
  }

  slot slots_[Capacity]{};
  u32 heap_[Capacity]{};
  std::size_t size_ = 0;
  u32 free_ = 0;
  u64 next_seq_ = 0;
};

/// A one-shot hardware alarm: `set(t)` makes Xen raise VIRQ_TIMER at system time \p t,
/// replacing any earlier setting; `stop()` cancels it.
template <class A>
concept alarm = requires(A& a, system_time t) {
  { a.set(t) } -> std::same_as<result<void>>;
  { a.stop() } -> std::same_as<result<void>>;
};

/// Many software timers on one alarm: a deadline_queue that keeps \p Alarm programmed for its
/// earliest deadline, reprogramming only when that deadline changes.
template <std::size_t Capacity, alarm Alarm, class Ctx = void>
class timer_mux {
 public:
  /// The callback type.
  using callback = timer_fn<Ctx>;

  /// A multiplexer over \p a.
  constexpr explicit timer_mux(Alarm a) noexcept : alarm_(a) {}

  /// Arms a timer (deadline_queue::arm) and reprograms the alarm if it is the new earliest.
  /// An alarm error is returned after the timer was armed (it stays armed).
  constexpr result<timer_id> arm(system_time deadline, callback fn, Ctx* ctx) noexcept {
    auto id = q_.arm(deadline, fn, ctx);
    if (!id) return id;
    XENABI_TRY(sync());
    return id;
  }
  /// Cancels a timer and reprograms (or stops) the alarm if the earliest deadline changed.
  constexpr result<bool> cancel(timer_id id) noexcept {
    const bool was = q_.cancel(id);
    XENABI_TRY(sync());
    return was;
  }
  /// The VIRQ_TIMER handler's work: runs every timer due at \p now, then programs the alarm
  /// for the next deadline (or stops it). Returns how many timers ran.
  constexpr result<std::size_t> on_alarm(system_time now) noexcept {
    programmed_ = system_time::max();  // the alarm fired: nothing is programmed any more
    const std::size_t n = q_.expire(now);
    XENABI_TRY(sync());
    return n;
  }

  /// The queue.
  [[nodiscard]] constexpr const deadline_queue<Capacity, Ctx>& queue() const noexcept { return q_; }
  /// The alarm.
  [[nodiscard]] constexpr Alarm& hardware_alarm() noexcept { return alarm_; }
  /// The deadline the alarm is programmed for (`system_time::max()`: none).
  [[nodiscard]] constexpr system_time programmed() const noexcept { return programmed_; }
  /// How many times the alarm was set or stopped.
  [[nodiscard]] constexpr u64 alarm_writes() const noexcept { return alarm_writes_; }

 private:
  constexpr result<void> sync() noexcept {
    const system_time next = q_.next_deadline();
    if (next == programmed_) return {};
    ++alarm_writes_;
    programmed_ = next;
    if (next == system_time::max()) return alarm_.stop();
    return alarm_.set(next);
  }

  deadline_queue<Capacity, Ctx> q_{};
  Alarm alarm_;
  system_time programmed_ = system_time::max();
  u64 alarm_writes_ = 0;
};

inline namespace XENABI_GUEST_MODE_NS_ {

/// An alarm through `HYPERVISOR_set_timer_op` (absolute system time; 0 cancels, so a
/// deadline of 0 is sent as 1 ns). Works in every guest mode.
template <class T = default_hypercall_transport>
struct set_timer_op_alarm {
  /// Raise VIRQ_TIMER at \p t.
  result<void> set(system_time t) noexcept {
    const u64 ns = t.ns_since_epoch();
    return set_timer_op<T>(ns == 0 ? 1 : ns);
  }
  /// Cancel.
  result<void> stop() noexcept { return set_timer_op<T>(0); }
};

/// An alarm through `VCPUOP_set_singleshot_timer` / `VCPUOP_stop_singleshot_timer` for vCPU
/// `vcpu` (without VCPU_SSHOTTMR_future: a deadline already past fires at once).
template <class T = default_hypercall_transport>
struct singleshot_alarm {
  u32 vcpu = 0;  ///< The vCPU whose timer this is (the calling vCPU, for Xen).
  /// Raise VIRQ_TIMER at \p t.
  result<void> set(system_time t) noexcept {
    abi::vcpu_set_singleshot_timer a{};
    a.timeout_abs_ns = t.ns_since_epoch();
    a.flags = 0;
    return vcpu_op<abi::VCPUOP::set_singleshot_timer, T>(vcpu, a);
  }
  /// Cancel.
  result<void> stop() noexcept { return vcpu_op<abi::VCPUOP::stop_singleshot_timer, T>(vcpu); }
};

}  // inline namespace XENABI_GUEST_MODE_NS_

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
