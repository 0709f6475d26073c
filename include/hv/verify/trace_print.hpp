/// \file
/// Hosted rendering of a model-checker result (xenabi/verify/checker.hpp): the verdict, the
/// statistics and the counter-example as a readable table, one transition per line with the
/// shared ring state after it. The checker itself is freestanding and produces the trace as a
/// constexpr data structure; only the printing lives here.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <xenabi/verify/model.hpp>

namespace hv::verify {

/// Renders a slot value: `-` (empty), `req#k`, `rsp#k`, or the raw number.
[[nodiscard]] inline std::string slot_value(std::uint32_t v) {
  const std::uint32_t id = v & xenabi::verify::msg_id_mask;
  if (v == 0) return "-";
  if ((v & ~xenabi::verify::msg_id_mask) == xenabi::verify::msg_request) {
    return "req#" + std::to_string(id);
  }
  if ((v & ~xenabi::verify::msg_id_mask) == xenabi::verify::msg_response) {
    return "rsp#" + std::to_string(id);
  }
  return std::to_string(v);
}

/// Renders the location \p where, e.g. `req_event`, `slot[1]`.
[[nodiscard]] inline std::string location(std::uint32_t where) {
  if (where >= static_cast<std::uint32_t>(xenabi::verify::loc::slot0)) {
    return "slot[" + std::to_string(where - static_cast<std::uint32_t>(xenabi::verify::loc::slot0)) +
           "]";
  }
  return xenabi::verify::location_name(where);
}

/// Renders what one trace step did, e.g. `store req_prod <- 2 (buffered)`.
[[nodiscard]] inline std::string describe(const xenabi::verify::trace_step& s,
                                          xenabi::verify::memory_model model) {
  using xenabi::verify::action;
  const bool is_slot = s.where >= static_cast<std::uint8_t>(xenabi::verify::loc::slot0);
  const std::string value = is_slot ? slot_value(s.value) : std::to_string(s.value);
  switch (s.what) {
    case action::load:
      return "load  " + location(s.where) + " -> " + value +
             (s.forwarded ? " (own store buffer)" : "");
    case action::store:
      return "store " + location(s.where) + " <- " + value +
             (model == xenabi::verify::memory_model::tso ? " (buffered)" : "");
    case action::drain: return "drain " + location(s.where) + " <- " + value + " reaches memory";
    case action::mb: return "mb (store buffer drained)";
    case action::notify: return "notify peer";
    case action::sleep:
      return s.status[s.who == xenabi::verify::actor::front ? 0 : 1] == 0
                 ? "sleep: an event is pending, returns at once"
                 : "sleep";
    case action::finish: return "finish";
    case action::deliver: return "event delivered, wakes up";
    case action::local: return "local step";
  }
  return "?";
}

/// Renders a whole result: verdict line, statistics line and, on failure, the trace table.
[[nodiscard]] inline std::string format(const xenabi::verify::result& r) {
  using namespace xenabi::verify;
  std::string out;
  out += "verdict: ";
  out += to_string(r.outcome);
  if (!r.ok()) {
    out += " -- ";
    out += r.message;
  }
  out += "\nmodel: " + std::string(to_string(r.model)) + ", " + std::to_string(r.slots) +
         " slot(s), " + std::to_string(r.requests) + " request(s); " +
         std::to_string(r.stat.states) + " states, " + std::to_string(r.stat.transitions) +
         " transitions, max depth " + std::to_string(r.stat.max_depth) + "\n";
  if (r.ok()) return out;
  out += "counter-example (" + std::to_string(r.trace_length) + " steps" +
         (r.trace_truncated ? ", oldest steps cut" : "") + "):\n";
  char line[256];
  std::snprintf(line, sizeof line, "%4s  %-5s %-5s  %-44s %-8s %-6s %-6s %-6s  %-23s %-5s %-5s %s\n",
                "#", "end", "pc", "action", "req_prod", "req_ev", "rsp_pr", "rsp_ev", "slots",
                "sbuf", "event", "state");
  out += line;
  static constexpr const char* status_name[] = {"run", "sleep", "done"};
  for (std::uint32_t i = 0; i < r.trace_length; ++i) {
    const trace_step& s = r.trace[i];
    std::string slots;
    for (std::uint32_t j = 0; j < r.slots; ++j) {
      if (j != 0) slots += ' ';
      slots += slot_value(s.mem[static_cast<std::uint32_t>(loc::slot0) + j]);
    }
    const std::string pc = std::to_string(s.pc_before) + ">" + std::to_string(s.pc_after);
    std::snprintf(line, sizeof line,
                  "%4u  %-5s %-5s  %-44s %-8u %-6u %-6u %-6u  %-23s %u/%-3u %u/%-3u %s/%s\n",
                  i + 1, to_string(s.who), pc.c_str(), describe(s, r.model).c_str(), s.mem[0],
                  s.mem[1], s.mem[2], s.mem[3], slots.c_str(), s.buffered[0], s.buffered[1],
                  s.pending[0], s.pending[1], status_name[s.status[0] % 3],
                  status_name[s.status[1] % 3]);
    out += line;
  }
  return out;
}

/// Prints format(\p r) to \p f.
inline void print(std::FILE* f, const xenabi::verify::result& r) {
  const std::string text = format(r);
  std::fputs(text.c_str(), f);
}

}  // namespace hv::verify
