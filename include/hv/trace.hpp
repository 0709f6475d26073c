/// \file
/// The hypercall trace: one record per hypercall (domain, vCPU, name, decoded arguments,
/// result with its errno name, and why it was refused when it was), printed as text lines
/// (`--trace`) or JSON lines (`--trace=json`). The last records are kept for crash reports.
#pragma once

#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <xenabi/core/errno.hpp>

namespace hv {

/// How hypercalls are traced.
enum class trace_mode : std::uint8_t {
  off,   ///< No output (records are still kept for crash reports).
  text,  ///< One human-readable line per hypercall.
  json,  ///< One JSON object per line.
};

/// One decoded argument: a name and its rendering.
struct trace_arg {
  std::string key;      ///< Argument name ("cmd", "port", ...).
  std::string value;    ///< Rendered value.
  bool quoted = false;  ///< True if the value is a string (JSON quotes it).
};

/// One hypercall as the trace shows it.
struct trace_record {
  std::uint16_t domain = 0;     ///< Calling domain.
  std::uint32_t vcpu = 0;       ///< Calling vCPU.
  std::uint32_t nr = 0;         ///< Hypercall number.
  std::string name;             ///< Hypercall name ("event_channel_op").
  std::vector<trace_arg> args;  ///< Decoded arguments (sub-op first).
  std::int64_t result = 0;      ///< Return value (negative Xen errno on failure).
  std::string note;             ///< Why it failed or was refused, if xenhv knows.
  bool is_note = false;         ///< A hypervisor event (note) rather than a hypercall.
};

/// Formats a value as hex ("0x1f").
[[nodiscard]] inline std::string hex(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%#" PRIx64, v);
  return b;
}

/// Renders a hypercall result: "0", "0x40011", or "-38 ENOSYS".
[[nodiscard]] inline std::string render_result(std::int64_t rc) {
  if (rc >= 0) return rc < 10 ? std::to_string(rc) : hex(static_cast<std::uint64_t>(rc));
  const auto e = static_cast<xenabi::errc>(static_cast<std::int32_t>(-rc));
  return std::to_string(rc) + " " + xenabi::errc_name(e);
}

/// Escapes \p s for a JSON string.
[[nodiscard]] inline std::string json_escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o;
}

/// Text rendering of a record: `d0v0 event_channel_op(cmd=EVTCHNOP_send, port=3) = 0`.
[[nodiscard]] inline std::string format_text(const trace_record& r) {
  std::string s = "d" + std::to_string(r.domain) + "v" + std::to_string(r.vcpu) + " " + r.name + "(";
  for (std::size_t i = 0; i < r.args.size(); ++i) {
    if (i) s += ", ";
    s += r.args[i].key + "=" + (r.args[i].quoted ? "\"" + r.args[i].value + "\"" : r.args[i].value);
  }
  s += ") = " + render_result(r.result);
  if (!r.note.empty()) s += " (" + r.note + ")";
  return s;
}

/// JSON rendering of a record (one object, no newline).
[[nodiscard]] inline std::string format_json(const trace_record& r) {
  std::string s = "{\"domain\":" + std::to_string(r.domain) + ",\"vcpu\":" + std::to_string(r.vcpu) +
                  ",\"nr\":" + std::to_string(r.nr) + ",\"name\":\"" + json_escape(r.name) + "\",\"args\":{";
  for (std::size_t i = 0; i < r.args.size(); ++i) {
    if (i) s += ",";
    s += "\"" + json_escape(r.args[i].key) + "\":\"" + json_escape(r.args[i].value) + "\"";
  }
  s += "},\"result\":" + std::to_string(r.result);
  if (r.result < 0)
    s += ",\"errno\":\"" +
         std::string(xenabi::errc_name(static_cast<xenabi::errc>(static_cast<std::int32_t>(-r.result)))) + "\"";
  if (!r.note.empty()) s += ",\"note\":\"" + json_escape(r.note) + "\"";
  s += "}";
  return s;
}

/// The trace sink: prints records per the mode and keeps the last few for crash reports.
/// With tracing off a record is only moved into a small ring (no formatting, no allocation
/// beyond the record's own strings), so an untraced hypercall stays cheap.
class tracer {
 public:
  /// A tracer writing to \p out (stderr by default) in \p mode.
  explicit tracer(trace_mode mode = trace_mode::off, std::FILE* out = stderr) : mode_(mode), out_(out) {}
  /// The mode.
  [[nodiscard]] trace_mode mode() const noexcept { return mode_; }
  /// Records \p r (thread-safe).
  void emit(trace_record r) {
    if (mode_ != trace_mode::off) {
      const std::string line = mode_ == trace_mode::text ? "[xenhv] " + format_text(r) : format_json(r);
      std::lock_guard lock(mu_);
      std::fprintf(out_, "%s\n", line.c_str());
      std::fflush(out_);
    }
    std::lock_guard lock(mu_);
    keep_record(std::move(r));
  }
  /// Records a hypervisor event that is not a hypercall (hypercall page installed, a refused
  /// MSR write...), in the trace's format.
  void note(std::uint16_t domain, std::uint32_t vcpu, const std::string& text) {
    std::lock_guard lock(mu_);
    if (mode_ == trace_mode::text)
      std::fprintf(out_, "[xenhv] d%uv%u %s\n", unsigned{domain}, vcpu, text.c_str());
    if (mode_ == trace_mode::json)
      std::fprintf(out_, "{\"domain\":%u,\"vcpu\":%u,\"note\":\"%s\"}\n", unsigned{domain}, vcpu,
                   json_escape(text).c_str());
    if (mode_ != trace_mode::off) std::fflush(out_);
    trace_record r;
    r.domain = domain;
    r.vcpu = vcpu;
    r.note = text;
    r.is_note = true;
    keep_record(std::move(r));
  }
  /// The last records, oldest first, as text.
  [[nodiscard]] std::vector<std::string> last() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count_; ++i) {
      const trace_record& r = ring_[(next_ + keep - count_ + i) % keep];
      out.push_back(r.is_note ? "d" + std::to_string(r.domain) + "v" + std::to_string(r.vcpu) + " " + r.note
                              : format_text(r));
    }
    return out;
  }
  /// How many records are kept for crash reports.
  static constexpr std::size_t keep = 16;

 private:
  void keep_record(trace_record&& r) {
    ring_[next_] = std::move(r);
    next_ = (next_ + 1) % keep;
    if (count_ < keep) ++count_;
  }
  trace_mode mode_;
  std::FILE* out_;
  mutable std::mutex mu_;
  std::array<trace_record, keep> ring_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

}  // namespace hv
