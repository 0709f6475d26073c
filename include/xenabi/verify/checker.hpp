/// \file
/// A `constexpr` explicit-state model checker for request/response ring protocols.
///
/// A protocol is a type `P` with
/// - `static constexpr std::uint32_t slots` (1, 2 or 4) and `requests` (how many requests the
///   front end submits in one run, at most `max_requests`),
/// - `static constexpr void front(step_ctx&)` and `static constexpr void back(step_ctx&)`: one
///   step of each end. A step looks at `c.pc`, performs **at most one** shared action (a load,
///   a store, `mb()`, `notify()`, `sleep()` or `finish()`), updates its private registers and
///   sets the next `c.pc`. Private computation is free; anything more than one shared action in
///   a step is reported as a modelling error (it would hide interleavings).
///
/// The checker explores every interleaving of the two ends, of the store buffers draining
/// (under x86-TSO) and of event delivery, with a depth-first search over a fixed-capacity
/// visited set (no heap: it runs inside `static_assert`). It proves, for the bounded run:
/// - no slot is overwritten in memory before its peer read it;
/// - the back end consumes exactly the published requests, in order (no stale or unpublished
///   slot is consumed), and the front end likewise for responses;
/// - every response answers an outstanding request id that the back end consumed;
/// - no lost wake-up: no reachable state where an end sleeps with work pending for it and no
///   event on its way (nothing else can move);
/// - progress: every terminal state has every request answered and the front end finished,
///   and there is no fair cycle (every cycle is a livelock unless an end that stays enabled
///   throughout never moves in it).
///
/// Partial-order reduction: a step that only touches its end's private state, reads its own
/// store buffer, or appends to a non-full store buffer commutes with every other transition, so
/// when an end's next step is such a step it is explored alone; a state whose reduced
/// transition closes a cycle on the search stack is then expanded fully (the cycle proviso).
///
/// Usage, at compile time (see porting-guide/13-verify-ring-protocol.md):
/// \code
/// static_assert(xenabi::verify::check<my_protocol>().ok());
/// \endcode
/// At run time construct `checker<P>` in static or heap storage (it holds the state table) and
/// call `run()`; a failed result carries a counter-example trace.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include <xenabi/verify/model.hpp>

namespace xenabi::verify {

namespace detail {

/// Private state of one end.
struct end_state {
  std::uint8_t pc = 0;
  std::uint8_t prod = 0;
  std::uint8_t cons = 0;
  std::uint8_t a = 0;
  std::uint8_t b = 0;
  std::uint8_t status = 0;  // 0 running, 1 sleeping, 2 finished
  std::uint8_t buf_len = 0;
  std::uint8_t buf_loc[store_buffer_capacity]{};
  std::uint8_t buf_val[store_buffer_capacity]{};
};

/// One global state: shared memory, both ends, event flags and the ghost state of the checks.
struct world {
  std::uint8_t mem[max_locations]{};
  end_state e[2]{};
  std::uint8_t pending[2]{};            // event pending for front / back
  std::uint8_t unread[max_slots]{};     // slot holds a message its peer has not read yet
  std::uint8_t writer[max_slots]{};     // which end wrote the message in the slot
  std::uint8_t submitted = 0;           // requests written by the front end (ids 1..submitted)
  std::uint8_t served = 0;              // requests consumed by the back end (in order)
  std::uint8_t responded = 0;           // bit id-1: a response for id was written
  std::uint8_t completed = 0;           // bit id-1: the front end consumed the response for id
};

inline constexpr std::uint32_t key_words = 4;

/// Writes fixed-width fields into a 256-bit key.
struct bit_writer {
  std::uint64_t w[key_words]{};
  std::uint32_t pos = 0;
  constexpr void put(std::uint32_t v, std::uint32_t bits) noexcept {
    const std::uint32_t word = pos / 64;
    const std::uint32_t off = pos % 64;
    w[word] |= static_cast<std::uint64_t>(v) << off;
    if (off + bits > 64) {
      w[word + 1] |= static_cast<std::uint64_t>(v) >> (64 - off);
    }
    pos += bits;
  }
};

/// Reads the fields back.
struct bit_reader {
  const std::uint64_t* w;
  std::uint32_t pos = 0;
  constexpr std::uint8_t get(std::uint32_t bits) noexcept {
    const std::uint32_t word = pos / 64;
    const std::uint32_t off = pos % 64;
    std::uint64_t v = w[word] >> off;
    if (off + bits > 64) {
      v |= w[word + 1] << (64 - off);
    }
    pos += bits;
    return static_cast<std::uint8_t>(v & ((std::uint64_t{1} << bits) - 1));
  }
};

constexpr void pack(const world& s, std::uint64_t* out) noexcept {
  bit_writer b;
  for (std::uint32_t i = 0; i < max_locations; ++i) b.put(s.mem[i], 6);
  for (const end_state& e : s.e) {
    b.put(e.pc, 6);
    b.put(e.prod, 6);
    b.put(e.cons, 6);
    b.put(e.a, 6);
    b.put(e.b, 6);
    b.put(e.status, 2);
    b.put(e.buf_len, 3);
    for (std::uint32_t i = 0; i < e.buf_len; ++i) {
      b.put(e.buf_loc[i], 3);
      b.put(e.buf_val[i], 6);
    }
  }
  b.put(s.pending[0], 1);
  b.put(s.pending[1], 1);
  for (std::uint32_t i = 0; i < max_slots; ++i) {
    b.put(s.unread[i], 1);
    b.put(s.writer[i], 1);
  }
  b.put(s.submitted, 4);
  b.put(s.served, 4);
  b.put(s.responded, 7);
  b.put(s.completed, 7);
  for (std::uint32_t i = 0; i < key_words; ++i) out[i] = b.w[i];
}

constexpr world unpack(const std::uint64_t* in) noexcept {
  world s{};
  bit_reader b{in};
  for (std::uint32_t i = 0; i < max_locations; ++i) s.mem[i] = b.get(6);
  for (end_state& e : s.e) {
    e.pc = b.get(6);
    e.prod = b.get(6);
    e.cons = b.get(6);
    e.a = b.get(6);
    e.b = b.get(6);
    e.status = b.get(2);
    e.buf_len = b.get(3);
    for (std::uint32_t i = 0; i < e.buf_len; ++i) {
      e.buf_loc[i] = b.get(3);
      e.buf_val[i] = b.get(6);
    }
  }
  s.pending[0] = b.get(1);
  s.pending[1] = b.get(1);
  for (std::uint32_t i = 0; i < max_slots; ++i) {
    s.unread[i] = b.get(1);
    s.writer[i] = b.get(1);
  }
  s.submitted = b.get(4);
  s.served = b.get(4);
  s.responded = b.get(7);
  s.completed = b.get(7);
  return s;
}

/// What one transition did (for the trace, the reduction and the verdict).
struct record {
  std::uint32_t actions = 0;
  action what = action::local;
  std::uint8_t where = 0;
  std::uint8_t value = 0;
  bool forwarded = false;
  bool independent = true;  // commutes with every other transition (see the file comment)
  verdict bad = verdict::ok;
  const char* message = "";
  constexpr void fail(verdict v, const char* m) noexcept {
    if (bad == verdict::ok) {
      bad = v;
      message = m;
    }
  }
};

}  // namespace detail

/// What a step function sees: its end's private registers and the shared-memory operations.
///
/// Registers (`pc`, `prod`, `cons`, `a`, `b`) persist between steps and are part of the state;
/// like every modelled value they must stay within 0..`max_value` (indices of a bounded run
/// never come near it). Use `prod`/`cons` for the end's private producer and consumer indices
/// and `a`/`b` as scratch (e.g. the producer index last read, or an id in flight).
class step_ctx {
 public:
  /// Program counter of this end; the step sets the next one.
  std::uint32_t pc = 0;
  /// Private producer index (front: `req_prod_pvt`, back: `rsp_prod_pvt`).
  std::uint32_t prod = 0;
  /// Private consumer index (front: `rsp_cons`, back: `req_cons`).
  std::uint32_t cons = 0;
  /// Scratch register.
  std::uint32_t a = 0;
  /// Scratch register.
  std::uint32_t b = 0;

  /// Which end is stepping.
  [[nodiscard]] constexpr actor self() const noexcept { return who_; }
  /// Slot count of the ring.
  [[nodiscard]] constexpr std::uint32_t slots() const noexcept { return slots_; }
  /// Requests the front end has yet to submit in this run.
  [[nodiscard]] constexpr std::uint32_t requests_left() const noexcept {
    return requests_ - w_->submitted;
  }
  /// The shared location of ring index \p idx (masked to the slot count).
  [[nodiscard]] constexpr loc slot(std::uint32_t idx) const noexcept {
    return static_cast<loc>(static_cast<std::uint32_t>(loc::slot0) + (idx & (slots_ - 1)));
  }

  /// Loads a shared location: the newest own buffered store to it if any (TSO store
  /// forwarding), else memory.
  constexpr std::uint32_t load(loc l) noexcept {
    const auto where = static_cast<std::uint32_t>(l);
    begin(action::load, where);
    detail::end_state& me = w_->e[index()];
    for (std::uint32_t i = me.buf_len; i > 0; --i) {
      if (me.buf_loc[i - 1] == where) {
        rec_->forwarded = true;
        rec_->value = me.buf_val[i - 1];
        return me.buf_val[i - 1];
      }
    }
    rec_->independent = false;
    if (where >= static_cast<std::uint32_t>(loc::slot0)) {
      const std::uint32_t s = where - static_cast<std::uint32_t>(loc::slot0);
      if (w_->writer[s] != index()) w_->unread[s] = 0;
    }
    rec_->value = w_->mem[where];
    return w_->mem[where];
  }

  /// Stores to a shared location (into the store buffer under TSO; a full buffer first drains
  /// its oldest entry to memory).
  constexpr void store(loc l, std::uint32_t v) noexcept {
    const auto where = static_cast<std::uint32_t>(l);
    begin(action::store, where);
    if (v > max_value) {
      rec_->fail(verdict::model_error, "stored value exceeds the model's 6-bit range");
      v &= max_value;
    }
    rec_->value = static_cast<std::uint8_t>(v);
    if (model_ == memory_model::sc) {
      rec_->independent = false;
      commit(where, v);
      return;
    }
    detail::end_state& me = w_->e[index()];
    if (me.buf_len == store_buffer_capacity) {
      rec_->independent = false;
      drain_one(*w_, index(), *rec_);
    }
    me.buf_loc[me.buf_len] = static_cast<std::uint8_t>(where);
    me.buf_val[me.buf_len] = static_cast<std::uint8_t>(v);
    ++me.buf_len;
  }

  /// Full barrier (`xen_mb()`, `mfence`/locked instruction): drains the own store buffer.
  constexpr void mb() noexcept {
    begin(action::mb, 0);
    if (w_->e[index()].buf_len != 0) rec_->independent = false;
    drain_all();
  }
  /// Write barrier (`xen_wmb()`): TSO keeps stores in order, so this is only a compiler
  /// barrier; not a shared action.
  constexpr void wmb() const noexcept {}
  /// Read barrier (`xen_rmb()`): TSO keeps loads in order; not a shared action.
  constexpr void rmb() const noexcept {}

  /// Sends an event to the peer (sets its pending flag; a sleeping peer is woken by a later
  /// delivery transition). It is a hypercall, which serializes on x86: the end's buffered
  /// stores reach memory first.
  constexpr void notify() noexcept {
    begin(action::notify, 0);
    rec_->independent = false;
    drain_all();
    w_->pending[1 - index()] = 1;
  }
  /// Blocks until an event arrives; returns at once (consuming it) if one is pending, like
  /// `SCHEDOP_block` (a hypercall: serializing, so buffered stores reach memory first). Set `pc`
  /// to where the end resumes.
  constexpr void sleep() noexcept {
    begin(action::sleep, 0);
    rec_->independent = false;
    drain_all();
    if (w_->pending[index()] != 0) {
      w_->pending[index()] = 0;
    } else {
      w_->e[index()].status = 1;
    }
  }
  /// The end is done (the front end, once every response is in).
  constexpr void finish() noexcept {
    begin(action::finish, 0);
    rec_->independent = false;
    w_->e[index()].status = 2;
  }

  /// Front end: writes the next request (fresh id) into ring index \p idx; returns the id.
  constexpr std::uint32_t write_request(std::uint32_t idx) noexcept {
    if (who_ != actor::front || w_->submitted >= requests_) {
      rec_->fail(verdict::model_error, "write_request: not the front end, or no requests left");
      return 0;
    }
    const std::uint32_t id = ++w_->submitted;
    store(slot(idx), msg_request | id);
    return id;
  }
  /// Back end: consumes the request at ring index \p idx; returns its id. Checks that it is the
  /// next published request (anything else means a stale or unpublished slot was read).
  constexpr std::uint32_t read_request(std::uint32_t idx) noexcept {
    const std::uint32_t v = load(slot(idx));
    const std::uint32_t expect = w_->served + 1u;
    if (who_ != actor::back) {
      rec_->fail(verdict::model_error, "read_request called by the front end");
    } else if (v != (msg_request | expect)) {
      rec_->fail(verdict::stale_request,
                 "back end consumed a slot that does not hold the next published request "
                 "(read past the producer index, or the request was not yet written)");
    }
    if (expect <= max_requests) w_->served = static_cast<std::uint8_t>(expect);
    return v & msg_id_mask;
  }
  /// Back end: writes a response for request \p id into ring index \p idx. Checks that \p id is
  /// a request the back end consumed and has not answered yet.
  constexpr void write_response(std::uint32_t idx, std::uint32_t id) noexcept {
    if (who_ != actor::back) {
      rec_->fail(verdict::model_error, "write_response called by the front end");
    } else if (id == 0 || id > w_->served || (w_->responded & bit(id)) != 0) {
      rec_->fail(verdict::wrong_response_id,
                 "response id does not answer an outstanding request the back end consumed");
    } else {
      w_->responded = static_cast<std::uint8_t>(w_->responded | bit(id));
    }
    store(slot(idx), msg_response | (id & msg_id_mask));
  }
  /// Front end: consumes the response at ring index \p idx; returns its id. Checks that the
  /// slot holds a response that was written and not consumed before.
  constexpr std::uint32_t read_response(std::uint32_t idx) noexcept {
    const std::uint32_t v = load(slot(idx));
    const std::uint32_t id = v & msg_id_mask;
    if (who_ != actor::front) {
      rec_->fail(verdict::model_error, "read_response called by the back end");
    } else if ((v & ~msg_id_mask) != msg_response || id == 0 || id > max_requests ||
               (w_->responded & bit(id)) == 0 || (w_->completed & bit(id)) != 0) {
      rec_->fail(verdict::stale_response,
                 "front end consumed a slot that does not hold a new response "
                 "(read past the producer index, or the response was not yet written)");
    } else {
      w_->completed = static_cast<std::uint8_t>(w_->completed | bit(id));
    }
    return id;
  }

  /// Constructed by the checker only.
  constexpr step_ctx(detail::world& w, detail::record& rec, actor who, memory_model model,
                     std::uint32_t slots, std::uint32_t requests) noexcept
      : w_(&w), rec_(&rec), who_(who), model_(model), slots_(slots), requests_(requests) {}

  /// Moves the oldest buffered store of end \p e to memory (a drain transition).
  static constexpr void drain_one(detail::world& w, std::uint32_t e, detail::record& rec) noexcept {
    detail::end_state& me = w.e[e];
    const std::uint32_t where = me.buf_loc[0];
    const std::uint32_t v = me.buf_val[0];
    for (std::uint32_t i = 1; i < me.buf_len; ++i) {
      me.buf_loc[i - 1] = me.buf_loc[i];
      me.buf_val[i - 1] = me.buf_val[i];
    }
    --me.buf_len;
    me.buf_loc[me.buf_len] = 0;
    me.buf_val[me.buf_len] = 0;
    commit_to(w, e, where, v, rec);
  }

 private:
  static constexpr std::uint8_t bit(std::uint32_t id) noexcept {
    return static_cast<std::uint8_t>(1u << ((id - 1) & 7u));
  }
  [[nodiscard]] constexpr std::uint32_t index() const noexcept {
    return who_ == actor::front ? 0u : 1u;
  }
  constexpr void begin(action what, std::uint32_t where) noexcept {
    if (++rec_->actions > 1) {
      rec_->fail(verdict::model_error,
                 "a step performed more than one shared action; split it into several steps");
    }
    rec_->what = what;
    rec_->where = static_cast<std::uint8_t>(where);
  }
  constexpr void drain_all() noexcept {
    while (w_->e[index()].buf_len != 0) drain_one(*w_, index(), *rec_);
  }
  constexpr void commit(std::uint32_t where, std::uint32_t v) noexcept {
    commit_to(*w_, index(), where, v, *rec_);
  }
  static constexpr void commit_to(detail::world& w, std::uint32_t e, std::uint32_t where,
                                  std::uint32_t v, detail::record& rec) noexcept {
    if (where >= static_cast<std::uint32_t>(loc::slot0)) {
      const std::uint32_t s = where - static_cast<std::uint32_t>(loc::slot0);
      if (w.unread[s] != 0) {
        rec.fail(verdict::slot_overwritten,
                 "a slot was overwritten in memory before its peer consumed the message in it");
      }
      w.unread[s] = 1;
      w.writer[s] = static_cast<std::uint8_t>(e);
    }
    w.mem[where] = static_cast<std::uint8_t>(v);
  }

  detail::world* w_;
  detail::record* rec_;
  actor who_;
  memory_model model_;
  std::uint32_t slots_;
  std::uint32_t requests_;
};

/// A ring protocol the checker accepts (see the file comment).
template <class P>
concept ring_protocol = requires(step_ctx& c) {
  { P::slots } -> std::convertible_to<std::uint32_t>;
  { P::requests } -> std::convertible_to<std::uint32_t>;
  P::front(c);
  P::back(c);
};

/// Whether the checker applies its partial-order reduction (off: plain exhaustive search, for
/// cross-checking the reduction).
enum class reduction : std::uint8_t {
  on,   ///< Explore a private step or buffered store alone when an end has one (default).
  off,  ///< Explore every enabled transition in every state.
};

/// Default capacity of the state table (distinct states) of a checker.
inline constexpr std::uint32_t default_state_capacity = 1u << 15;
/// Default bound on the search depth.
inline constexpr std::uint32_t default_depth_capacity = 512;

/// The model checker for protocol \p P under memory model \p Model, holding up to
/// \p StateCap distinct states (a power of two) and search paths of up to \p DepthCap
/// transitions. Large: at run time keep it in static or heap storage.
template <class P, memory_model Model = memory_model::tso,
          std::uint32_t StateCap = default_state_capacity,
          std::uint32_t DepthCap = default_depth_capacity, reduction Reduce = reduction::on>
  requires ring_protocol<P>
class checker {
  static_assert((StateCap & (StateCap - 1)) == 0, "StateCap must be a power of two");
  static_assert(P::slots == 1 || P::slots == 2 || P::slots == 4, "1, 2 or 4 slots");
  static_assert(P::requests >= 1 && P::requests <= max_requests, "1..max_requests requests");

  static constexpr std::uint32_t table_size = 2 * StateCap;
  static constexpr std::uint32_t transition_kinds = 6;  // front, back, drain f/b, deliver f/b

 public:
  /// Sets up empty tables (sequentially, which is what compile-time evaluation is fastest at).
  constexpr checker() noexcept {
    for (std::uint32_t i = 0; i < StateCap * detail::key_words; ++i) keys_[i] = 0;
    for (std::uint32_t i = 0; i < table_size; ++i) table_[i] = 0;
    for (std::uint32_t i = 0; i < StateCap; ++i) stack_pos_[i] = 0;
  }

  /// Explores every reachable state; returns the verdict, statistics and, on failure, a trace.
  constexpr result run() noexcept {
    result r{};
    r.slots = P::slots;
    r.requests = P::requests;
    r.model = Model;
    detail::world init{};
    init.mem[static_cast<std::uint32_t>(loc::req_event)] = 1;  // SHARED_RING_INIT
    init.mem[static_cast<std::uint32_t>(loc::rsp_event)] = 1;
    std::uint32_t idx = 0;
    insert(init, idx);
    if (!push(idx, init, r)) return r;
    while (sp_ != 0) {
      frame& top = stack_[sp_ - 1];
      std::uint32_t t = top.next;
      while (t < transition_kinds && (top.todo & (1u << t)) == 0) ++t;
      if (t == transition_kinds) {
        stack_pos_[top.state] = 0;
        --sp_;
        continue;
      }
      top.next = static_cast<std::uint8_t>(t + 1);
      top.taken = static_cast<std::uint8_t>(t);
      detail::world w = detail::unpack(&keys_[top.state * detail::key_words]);
      detail::record rec{};
      apply(w, t, rec);
      ++r.stat.transitions;
      if (rec.bad != verdict::ok) {
        fail(r, rec.bad, rec.message);
        return r;
      }
      std::uint32_t child = 0;
      const int found = insert(w, child);
      if (found < 0) {
        fail(r, verdict::state_limit, "state table full: raise the checker's StateCap");
        return r;
      }
      if (found == 0) {
        if (stack_pos_[child] != 0) {
          if (fair_cycle(stack_pos_[child] - 1)) {
            fail(r, verdict::livelock,
                 "a fair cycle without progress: an end loops forever although every "
                 "continuously enabled transition is taken");
            return r;
          }
          // Cycle proviso of the reduction: a reduced state that closes a cycle is expanded
          // fully, so no transition is postponed forever around the cycle.
          if (top.todo != top.enabled) {
            top.todo = static_cast<std::uint8_t>(top.enabled & ~(1u << t));
            top.next = 0;
          }
        }
        continue;
      }
      if (!push(child, w, r)) return r;
    }
    r.stat.states = count_;
    return r;
  }

 private:
  struct frame {
    std::uint32_t state;
    std::uint8_t next;
    std::uint8_t todo;
    std::uint8_t enabled;
    std::uint8_t taken;
  };

  static constexpr std::uint32_t hash(const std::uint64_t* k) noexcept {
    std::uint64_t h = 0x9e3779b97f4a7c15ull;
    for (std::uint32_t i = 0; i < detail::key_words; ++i) {
      h ^= k[i];
      h *= 0xff51afd7ed558ccdull;
      h ^= h >> 33;
    }
    return static_cast<std::uint32_t>(h) & (table_size - 1);
  }

  // Returns 1 and the new index if inserted, 0 and the existing index if known, -1 if full.
  constexpr int insert(const detail::world& w, std::uint32_t& idx) noexcept {
    std::uint64_t k[detail::key_words]{};
    detail::pack(w, k);
    std::uint32_t h = hash(k);
    while (table_[h] != 0) {
      const std::uint32_t cand = table_[h] - 1;
      const std::uint64_t* ck = &keys_[cand * detail::key_words];
      bool same = true;
      for (std::uint32_t i = 0; i < detail::key_words; ++i) same = same && ck[i] == k[i];
      if (same) {
        idx = cand;
        return 0;
      }
      h = (h + 1) & (table_size - 1);
    }
    if (count_ == StateCap) return -1;
    idx = count_++;
    for (std::uint32_t i = 0; i < detail::key_words; ++i) keys_[idx * detail::key_words + i] = k[i];
    table_[h] = idx + 1;
    return 1;
  }

  // Executes transition t (0 front step, 1 back step, 2/3 drain front/back, 4/5 deliver).
  static constexpr void apply(detail::world& w, std::uint32_t t, detail::record& rec) noexcept {
    if (t < 2) {
      const actor who = t == 0 ? actor::front : actor::back;
      detail::end_state& me = w.e[t];
      step_ctx c(w, rec, who, Model, P::slots, P::requests);
      c.pc = me.pc;
      c.prod = me.prod;
      c.cons = me.cons;
      c.a = me.a;
      c.b = me.b;
      if (who == actor::front) {
        P::front(c);
      } else {
        P::back(c);
      }
      if (c.pc > max_value || c.prod > max_value || c.cons > max_value || c.a > max_value ||
          c.b > max_value) {
        rec.fail(verdict::model_error, "a register left the model's 6-bit range");
      }
      me.pc = static_cast<std::uint8_t>(c.pc & max_value);
      me.prod = static_cast<std::uint8_t>(c.prod & max_value);
      me.cons = static_cast<std::uint8_t>(c.cons & max_value);
      me.a = static_cast<std::uint8_t>(c.a & max_value);
      me.b = static_cast<std::uint8_t>(c.b & max_value);
      return;
    }
    rec.independent = false;
    rec.actions = 1;
    if (t < 4) {
      const std::uint32_t e = t - 2;
      rec.what = action::drain;
      rec.where = w.e[e].buf_loc[0];
      rec.value = w.e[e].buf_val[0];
      step_ctx::drain_one(w, e, rec);
      return;
    }
    const std::uint32_t e = t - 4;
    rec.what = action::deliver;
    w.pending[e] = 0;
    w.e[e].status = 0;
  }

  static constexpr std::uint8_t enabled_set(const detail::world& w) noexcept {
    std::uint32_t m = 0;
    if (w.e[0].status == 0) m |= 1u;
    if (w.e[1].status == 0) m |= 2u;
    if (w.e[0].buf_len != 0) m |= 4u;
    if (w.e[1].buf_len != 0) m |= 8u;
    if (w.pending[0] != 0 && w.e[0].status == 1) m |= 16u;
    if (w.pending[1] != 0 && w.e[1].status == 1) m |= 32u;
    return static_cast<std::uint8_t>(m);
  }

  // Pushes a newly discovered state; checks terminal states. False when a verdict is final.
  constexpr bool push(std::uint32_t idx, const detail::world& w, result& r) noexcept {
    const std::uint8_t en = enabled_set(w);
    std::uint8_t todo = en;
    for (std::uint32_t t = 0; t < 2 && Reduce == reduction::on; ++t) {
      if ((en & (1u << t)) == 0) continue;
      detail::world scratch = w;
      detail::record rec{};
      apply(scratch, t, rec);
      if (rec.independent && rec.bad == verdict::ok) {
        todo = static_cast<std::uint8_t>(1u << t);
        break;
      }
    }
    if (en == 0 && !terminal_ok(w, r)) return false;
    if (sp_ == DepthCap) {
      fail(r, verdict::depth_limit, "search depth limit reached: raise the checker's DepthCap");
      return false;
    }
    stack_[sp_] = frame{idx, 0, todo, en, 0};
    ++sp_;
    stack_pos_[idx] = sp_;
    if (sp_ - 1 > r.stat.max_depth) r.stat.max_depth = sp_ - 1;
    return true;
  }

  constexpr bool terminal_ok(const detail::world& w, result& r) noexcept {
    const std::uint32_t all = (1u << P::requests) - 1u;
    if (w.e[0].status == 2 && w.completed == all && w.submitted == P::requests) return true;
    const auto req_prod = w.mem[static_cast<std::uint32_t>(loc::req_prod)];
    const auto rsp_prod = w.mem[static_cast<std::uint32_t>(loc::rsp_prod)];
    if (w.e[1].status == 1 && req_prod != w.e[1].cons) {
      fail_at_end(r, verdict::lost_wakeup,
                  "the back end sleeps with unconsumed requests and no event on its way");
    } else if (w.e[0].status == 1 && rsp_prod != w.e[0].cons) {
      fail_at_end(r, verdict::lost_wakeup,
                  "the front end sleeps with unconsumed responses and no event on its way");
    } else if (w.e[0].status == 2) {
      fail_at_end(r, verdict::deadlock, "the front end finished with requests unanswered");
    } else {
      fail_at_end(r, verdict::deadlock,
                  "both ends are blocked and requests are unanswered (nothing published)");
    }
    return false;
  }

  // Weak fairness on the cycle stack_[from..sp_-1] + the closing edge: a transition kind enabled
  // in every state of the cycle must be taken in it.
  constexpr bool fair_cycle(std::uint32_t from) const noexcept {
    std::uint32_t always = 0x3f;
    std::uint32_t taken = 0;
    for (std::uint32_t i = from; i < sp_; ++i) {
      always &= stack_[i].enabled;
      taken |= 1u << stack_[i].taken;
    }
    return (always & ~taken) == 0;
  }

  constexpr void fail_at_end(result& r, verdict v, const char* m) noexcept { fail(r, v, m); }

  // Records the verdict and replays the path on the stack into the trace.
  constexpr void fail(result& r, verdict v, const char* m) noexcept {
    r.outcome = v;
    r.message = m;
    r.stat.states = count_;
    const std::uint32_t first = sp_ > max_trace ? sp_ - max_trace : 0;
    r.trace_truncated = first != 0;
    r.trace_length = 0;
    for (std::uint32_t i = first; i < sp_; ++i) {
      const frame& f = stack_[i];
      // The top frame's transition was only taken if the verdict came from a transition.
      if (i + 1 == sp_ && f.next == 0) break;
      detail::world w = detail::unpack(&keys_[f.state * detail::key_words]);
      const std::uint32_t who = f.taken < 2u ? f.taken : (f.taken - 2u) % 2u;
      const std::uint8_t pc_before = w.e[who].pc;
      detail::record rec{};
      apply(w, f.taken, rec);
      trace_step& s = r.trace[r.trace_length++];
      s.who = who == 0 ? actor::front : actor::back;
      s.what = rec.what;
      s.where = rec.where;
      s.value = rec.value;
      s.forwarded = rec.forwarded;
      s.pc_before = pc_before;
      s.pc_after = w.e[who].pc;
      for (std::uint32_t j = 0; j < max_locations; ++j) s.mem[j] = w.mem[j];
      for (std::uint32_t j = 0; j < 2; ++j) {
        s.buffered[j] = w.e[j].buf_len;
        s.pending[j] = w.pending[j];
        s.status[j] = w.e[j].status;
      }
    }
  }

  std::uint64_t keys_[StateCap * detail::key_words];
  std::uint32_t table_[table_size];
  std::uint32_t stack_pos_[StateCap];  // 1 + position on the search stack, 0 if not on it
  frame stack_[DepthCap]{};
  std::uint32_t sp_ = 0;
  std::uint32_t count_ = 0;
};

/// Runs the checker for \p P and returns its result. Meant for constant evaluation
/// (`static_assert(check<P>().ok())`); at run time the checker's tables live on the stack, so
/// prefer a static or heap-allocated `checker` there.
template <class P, memory_model Model = memory_model::tso,
          std::uint32_t StateCap = default_state_capacity,
          std::uint32_t DepthCap = default_depth_capacity, reduction Reduce = reduction::on>
  requires ring_protocol<P>
[[nodiscard]] constexpr result check() noexcept {
  checker<P, Model, StateCap, DepthCap, Reduce> c;
  return c.run();
}

}  // namespace xenabi::verify
