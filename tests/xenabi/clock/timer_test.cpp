// timer.hpp: the deadline queue against a brute-force reference over long random sequences of
// arm / cancel / expire (constexpr and run time), ordering of equal deadlines, stale ids,
// callbacks that re-arm, capacity; the multiplexer reprograms its alarm only when the earliest
// deadline changes.
#include <xenabi/timer.hpp>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;
using namespace xenabi::literals;

struct recorder {
  u32 fired[512]{};
  u64 when[512]{};
  unsigned n = 0;
  static constexpr void on(recorder* r, timer_id id, system_time now) {
    if (r->n < 512) {
      r->fired[r->n] = id.slot;
      r->when[r->n] = now.ns_since_epoch();
    }
    ++r->n;
  }
};

struct rng {
  u64 s;
  constexpr u64 next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

// Reference: an unsorted array of (deadline, seq, id), expiry by linear search for the minimum.
template <std::size_t N>
struct reference {
  struct e {
    u64 deadline, seq;
    timer_id id;
    bool live;
  };
  e items[N * 8]{};
  std::size_t n = 0;
  u64 seq = 0;
  constexpr void arm(u64 d, timer_id id) { items[n++] = e{d, seq++, id, true}; }
  constexpr bool cancel(timer_id id) {
    for (std::size_t i = 0; i < n; ++i)
      if (items[i].live && items[i].id == id) {
        items[i].live = false;
        return true;
      }
    return false;
  }
  // pops the next due entry; false if none
  constexpr bool pop(u64 now, timer_id& out) {
    std::size_t best = n;
    for (std::size_t i = 0; i < n; ++i)
      if (items[i].live && items[i].deadline <= now &&
          (best == n || items[i].deadline < items[best].deadline ||
           (items[i].deadline == items[best].deadline && items[i].seq < items[best].seq)))
        best = i;
    if (best == n) return false;
    items[best].live = false;
    out = items[best].id;
    return true;
  }
};

template <std::size_t N>
constexpr bool matches_reference(u64 seed, int ops) {
  deadline_queue<N, recorder> q;
  recorder rec;
  reference<N> ref;
  timer_id ids[N * 8]{};
  std::size_t nids = 0;
  rng r{seed};
  u64 now = 0;
  for (int op = 0; op < ops; ++op) {
    const u64 k = r.next() % 10;
    if (k < 5) {
      const u64 d = now + r.next() % 50;  // many equal deadlines
      auto id = q.arm(system_time{d}, &recorder::on, &rec);
      if (q.size() > N) return false;
      if (!id) {
        if (id.error() != errc::enospc || q.size() != N) return false;
        continue;
      }
      ref.arm(d, id.value());
      if (nids < N * 8) ids[nids++] = id.value();
      if (ref.n >= N * 8 - 1) return true;  // reference full: stop here
    } else if (k < 7 && nids > 0) {
      const timer_id id = ids[r.next() % nids];
      if (q.cancel(id) != ref.cancel(id)) return false;
    } else {
      now += r.next() % 20;
      const unsigned before = rec.n;
      q.expire(system_time{now});
      for (unsigned i = before; i < rec.n; ++i) {
        timer_id want{};
        if (!ref.pop(now, want) || want.slot != rec.fired[i]) return false;
      }
      timer_id extra{};
      if (ref.pop(now, extra)) return false;  // the queue left a due timer behind
    }
  }
  return true;
}

constexpr bool equal_deadlines_fifo_and_stale_ids() {
  deadline_queue<4, recorder> q;
  recorder rec;
  auto a = q.arm(system_time{100}, &recorder::on, &rec);
  auto b = q.arm(system_time{100}, &recorder::on, &rec);
  auto c = q.arm(system_time{50}, &recorder::on, &rec);
  if (!a || !b || !c || q.next_deadline() != system_time{50}) return false;
  if (q.expire(system_time{99}) != 1 || rec.fired[0] != c.value().slot) return false;
  if (q.cancel(c.value())) return false;  // already ran
  auto d = q.arm(system_time{100}, &recorder::on, &rec);  // reuses c's slot, new generation
  if (!d || d.value().slot != c.value().slot || q.cancel(c.value()) || !q.armed(d.value())) return false;
  if (q.expire(system_time{100}) != 3) return false;
  // a, b, d in arming order
  return rec.fired[1] == a.value().slot && rec.fired[2] == b.value().slot &&
         rec.fired[3] == d.value().slot && q.empty() && q.next_deadline() == system_time::max();
}

constexpr bool capacity_enforced() {
  deadline_queue<3, recorder> q;
  recorder rec;
  for (int i = 0; i < 3; ++i)
    if (!q.arm(system_time{1}, &recorder::on, &rec)) return false;
  return q.arm(system_time{1}, &recorder::on, &rec) == errc::enospc &&
         q.arm(system_time{1}, nullptr, &rec) == errc::einval;
}

// A periodic timer: the callback re-arms itself one period later.
struct periodic {
  deadline_queue<2, periodic>* q;
  unsigned runs = 0;
  static constexpr void on(periodic* p, timer_id, system_time now) {
    ++p->runs;
    (void)p->q->arm(now + 10_ns, &periodic::on, p);
  }
};
constexpr bool callbacks_rearm() {
  deadline_queue<2, periodic> q;
  periodic p{&q};
  (void)q.arm(system_time{10}, &periodic::on, &p);
  q.expire(system_time{35});  // runs at 10 (now=35 re-arms at 45)
  if (p.runs != 1 || q.next_deadline() != system_time{45}) return false;
  q.expire(system_time{45});
  return p.runs == 2 && q.size() == 1;
}

struct fake_alarm {
  u64 set_to = 0;
  unsigned sets = 0, stops = 0;
  constexpr result<void> set(system_time t) {
    set_to = t.ns_since_epoch();
    ++sets;
    return {};
  }
  constexpr result<void> stop() {
    ++stops;
    set_to = 0;
    return {};
  }
};

constexpr bool mux_reprograms_only_on_change() {
  timer_mux<8, fake_alarm, recorder> m(fake_alarm{});
  recorder rec;
  auto a = m.arm(system_time{500}, &recorder::on, &rec);
  if (m.hardware_alarm().sets != 1 || m.hardware_alarm().set_to != 500) return false;
  (void)m.arm(system_time{900}, &recorder::on, &rec);  // later: no reprogramming
  if (m.hardware_alarm().sets != 1) return false;
  auto c = m.arm(system_time{200}, &recorder::on, &rec);  // earlier: reprogram
  if (m.hardware_alarm().sets != 2 || m.hardware_alarm().set_to != 200) return false;
  if (!m.cancel(a.value()).value() || m.hardware_alarm().sets != 2) return false;  // not earliest
  if (!m.cancel(c.value()).value() || m.hardware_alarm().set_to != 900) return false;
  auto ran = m.on_alarm(system_time{900});
  if (!ran || ran.value() != 1) return false;
  // the alarm fired and nothing is left: nothing to stop
  if (m.hardware_alarm().stops != 0 || m.programmed() != system_time::max() || m.alarm_writes() != 3)
    return false;
  auto d = m.arm(system_time{1000}, &recorder::on, &rec);  // set
  if (!m.cancel(d.value()).value()) return false;           // the only timer: stop
  return m.hardware_alarm().stops == 1 && m.alarm_writes() == 5 && rec.n == 1;
}

}  // namespace

TEST_CASE("deadline queue matches a brute-force reference") {
  XENABI_BOTH_REQUIRE(matches_reference<16>(0x1234567u, 600));
  REQUIRE(matches_reference<64>(0xabcdefu, 40000));
  REQUIRE(matches_reference<5>(0x5555u, 40000));
}
TEST_CASE("deadline queue: equal deadlines run in arming order / stale ids do nothing") {
  XENABI_BOTH_REQUIRE(equal_deadlines_fifo_and_stale_ids());
}
TEST_CASE("deadline queue: capacity and null callbacks") { XENABI_BOTH_REQUIRE(capacity_enforced()); }
TEST_CASE("deadline queue: callbacks may re-arm (periodic timers)") { XENABI_BOTH_REQUIRE(callbacks_rearm()); }
TEST_CASE("timer mux: the alarm is reprogrammed only when the earliest deadline changes") {
  XENABI_BOTH_REQUIRE(mux_reprograms_only_on_change());
}
