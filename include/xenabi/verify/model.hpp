/// \file
/// Vocabulary of the ring-protocol model checker: shared locations, memory models, actions,
/// verdicts, statistics and the counter-example trace (a constexpr data structure).
///
/// The model is the abstract shape of Xen's `io/ring.h`: a shared page with four indices
/// (`req_prod`, `req_event`, `rsp_prod`, `rsp_event`) and a small power-of-two array of slots,
/// a front end that produces requests and consumes responses, a back end that does the reverse,
/// and an event channel in each direction. See xenabi/verify/checker.hpp for the checker and
/// xenabi/verify/standard_ring.hpp for the standard protocol written against it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace xenabi::verify {

/// Memory model the checker explores.
enum class memory_model : std::uint8_t {
  /// x86-TSO: each end has a FIFO store buffer; loads see the end's own buffered stores first;
  /// buffered stores reach memory one at a time, in order, at any moment; `mb()` drains the buffer.
  tso,
  /// Sequential consistency: every store reaches memory at once (no store buffers). Weaker than
  /// the hardware; kept to show which bugs only TSO exposes.
  sc,
};

/// The two ends of a ring.
enum class actor : std::uint8_t {
  front,  ///< The front end (guest driver): produces requests, consumes responses.
  back,   ///< The back end (driver domain): consumes requests, produces responses.
};

/// Shared locations of the modelled ring page. Slot `i` is `loc::slot0 + i`.
enum class loc : std::uint8_t {
  req_prod = 0,   ///< Request producer index (written by the front end).
  req_event = 1,  ///< Request event index (written by the back end).
  rsp_prod = 2,   ///< Response producer index (written by the back end).
  rsp_event = 3,  ///< Response event index (written by the front end).
  slot0 = 4,      ///< First slot of the ring; slot `i` is location `4 + i`.
};

/// Largest slot count the checker models (the state encoding is sized for it).
inline constexpr std::uint32_t max_slots = 4;
/// Largest bound on the number of requests one run submits (ids are 4-bit).
inline constexpr std::uint32_t max_requests = 7;
/// Number of shared locations: four indices and up to `max_slots` slots.
inline constexpr std::uint32_t max_locations = 4 + max_slots;
/// Largest value a shared location, register or buffered store may hold (6-bit fields).
inline constexpr std::uint32_t max_value = 63;
/// Capacity of each end's store buffer (a store into a full buffer first drains the oldest).
inline constexpr std::uint32_t store_buffer_capacity = 4;
/// Longest counter-example trace kept in a result.
inline constexpr std::uint32_t max_trace = 160;

/// Slot contents: a request message is `msg_request | id`, a response `msg_response | id`.
inline constexpr std::uint32_t msg_request = 0x10;
/// Tag of a response message in a slot (see msg_request).
inline constexpr std::uint32_t msg_response = 0x20;
/// Mask of the message id inside a slot value.
inline constexpr std::uint32_t msg_id_mask = 0x0f;

/// Kind of one transition of the model (one entry of a trace).
enum class action : std::uint8_t {
  local,     ///< A step that touched no shared state (private computation only).
  load,      ///< A load of a shared location (from memory, or forwarded from the own buffer).
  store,     ///< A store (into the store buffer under TSO, into memory under SC).
  mb,        ///< A full barrier: the end's buffered stores reach memory.
  notify,    ///< The end sends an event to its peer (sets the peer's pending flag).
  sleep,     ///< The end blocks until an event arrives (returns at once if one is pending).
  finish,    ///< The end is done (front end only: every response received).
  drain,     ///< The oldest buffered store of an end reaches memory.
  deliver,   ///< A pending event wakes its sleeping end.
};

/// Outcome of a check. Everything but `ok` is a counter-example (or a modelling error).
enum class verdict : std::uint8_t {
  ok,                 ///< Every reachable state satisfies every property.
  slot_overwritten,   ///< A slot was overwritten in memory before its peer read it.
  stale_request,      ///< The back end consumed a slot that holds no published, unconsumed request.
  stale_response,     ///< The front end consumed a slot that holds no published, new response.
  wrong_response_id,  ///< A response answers an id that is not an outstanding, consumed request.
  lost_wakeup,        ///< An end sleeps forever although work for it is pending.
  deadlock,           ///< No end can move and requests are unanswered (no work visibly pending).
  livelock,           ///< A fair cycle without progress (an end spins without ever finishing).
  model_error,        ///< The protocol broke a modelling rule (see the message).
  state_limit,        ///< The state table is full: raise the capacity.
  depth_limit,        ///< The search stack is full: raise the depth bound.
};

/// Search statistics.
struct stats {
  std::uint32_t states = 0;       ///< Distinct states visited.
  std::uint32_t transitions = 0;  ///< Transitions executed (edges explored, including to known states).
  std::uint32_t max_depth = 0;    ///< Deepest search path (transitions from the initial state).
};

/// One transition of a counter-example, with the shared state after it.
struct trace_step {
  actor who = actor::front;           ///< Which end moved (or whose buffer drained / who was woken).
  action what = action::local;        ///< What happened.
  std::uint8_t where = 0;             ///< Location of a load/store/drain (a `loc` value).
  std::uint8_t value = 0;             ///< Value loaded/stored/drained.
  bool forwarded = false;             ///< A load served from the end's own store buffer.
  std::uint8_t pc_before = 0;         ///< Program counter of the moving end before the step.
  std::uint8_t pc_after = 0;          ///< Program counter of the moving end after the step.
  std::uint8_t mem[max_locations]{};  ///< Shared memory after the step.
  std::uint8_t buffered[2]{};         ///< Store-buffer occupancy of front and back after the step.
  std::uint8_t pending[2]{};          ///< Event pending for front / back after the step.
  std::uint8_t status[2]{};           ///< 0 running, 1 sleeping, 2 finished (front, back).
};

/// Result of a check: verdict, statistics, and for a failure a trace from the initial state.
struct result {
  verdict outcome = verdict::ok;  ///< The verdict.
  const char* message = "";       ///< Human-readable explanation of the verdict.
  stats stat{};                   ///< Search statistics.
  std::uint32_t slots = 0;        ///< Slot count of the checked protocol.
  std::uint32_t requests = 0;     ///< Requests the front end submitted in every run.
  memory_model model = memory_model::tso;  ///< Memory model explored.
  std::uint32_t trace_length = 0;           ///< Entries used in `trace`.
  bool trace_truncated = false;             ///< The path was longer than `max_trace` (kept its tail).
  trace_step trace[max_trace]{};            ///< The counter-example, oldest first.
  /// True when every property holds.
  [[nodiscard]] constexpr bool ok() const noexcept { return outcome == verdict::ok; }
};

/// Name of a verdict.
[[nodiscard]] constexpr const char* to_string(verdict v) noexcept {
  switch (v) {
    case verdict::ok: return "ok";
    case verdict::slot_overwritten: return "slot overwritten before it was consumed";
    case verdict::stale_request: return "back end consumed a stale or unpublished slot";
    case verdict::stale_response: return "front end consumed a stale or unpublished slot";
    case verdict::wrong_response_id: return "response answers no outstanding request";
    case verdict::lost_wakeup: return "lost wake-up";
    case verdict::deadlock: return "deadlock";
    case verdict::livelock: return "livelock";
    case verdict::model_error: return "modelling error";
    case verdict::state_limit: return "state table full";
    case verdict::depth_limit: return "search depth limit reached";
  }
  return "?";
}

/// Name of an action.
[[nodiscard]] constexpr const char* to_string(action a) noexcept {
  switch (a) {
    case action::local: return "local";
    case action::load: return "load";
    case action::store: return "store";
    case action::mb: return "mb";
    case action::notify: return "notify";
    case action::sleep: return "sleep";
    case action::finish: return "finish";
    case action::drain: return "drain";
    case action::deliver: return "deliver";
  }
  return "?";
}

/// Name of an end.
[[nodiscard]] constexpr const char* to_string(actor a) noexcept {
  return a == actor::front ? "front" : "back";
}

/// Name of a memory model.
[[nodiscard]] constexpr const char* to_string(memory_model m) noexcept {
  return m == memory_model::tso ? "x86-TSO" : "SC";
}

/// Name of a shared location (slots are "slot").
[[nodiscard]] constexpr const char* location_name(std::uint32_t l) noexcept {
  switch (l) {
    case 0: return "req_prod";
    case 1: return "req_event";
    case 2: return "rsp_prod";
    case 3: return "rsp_event";
    default: return "slot";
  }
}

}  // namespace xenabi::verify
