/// \file
/// What every hypercall handler of xenhv shares: the behaviour switches (`hypercall_policy`),
/// the per-call context (`hcall`: calling domain and vCPU, the checked view of its memory,
/// arguments, trace record), hypercall and sub-op names for the trace, domain lookup, and the
/// declaration of `dispatch()` (defined in hv/hypercall/dispatch.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <hv/abi.hpp>
#include <hv/domain.hpp>
#include <hv/event_channel.hpp>
#include <hv/hypercall_page.hpp>
#include <hv/memory.hpp>
#include <hv/trace.hpp>

namespace hv {

/// Options that change how hypercalls behave.
struct hypercall_policy {
  /// Behave like a release build of Xen for console_io from an unprivileged guest (-EPERM)
  /// instead of a debug build (print it). xenhv defaults to the debug behaviour.
  bool release_console = false;
  /// The memory map XENMEM_memory_map returns (e820 entries: addr, size, type).
  std::vector<std::array<std::uint64_t, 3>> e820;
};

/// The per-call context handed to each hypercall handler.
struct hcall {
  domain& d;                  ///< Calling domain.
  vcpu& v;                    ///< Calling vCPU.
  const guest_view& g;        ///< The caller's view of its memory.
  const hypercall_args& a;    ///< Number and arguments.
  const hypercall_policy& policy;  ///< Behaviour switches.
  trace_record& rec;          ///< The trace record being built.

  /// Returns `-e` and records \p why as the trace note.
  std::int64_t fail(errc e, std::string why = {}) {
    if (!why.empty()) rec.note = std::move(why);
    return xenabi::to_hypercall_rc(e);
  }
  /// Adds a decoded argument to the trace.
  void arg(std::string key, std::string value, bool quoted = false) {
    rec.args.push_back({std::move(key), std::move(value), quoted});
  }
  /// Reads a \p T from guest-virtual \p va.
  template <class T>
  [[nodiscard]] result<T> in(std::uint64_t va) const noexcept {
    return g.read<T>(virt_addr{va});
  }
  /// Writes \p v to guest-virtual \p va.
  template <class T>
  [[nodiscard]] result<void> out(std::uint64_t va, const T& val) const noexcept {
    return g.write(virt_addr{va}, val);
  }
  /// Calls \p f with `abi::width64{}` or `abi::width32{}`, the width of the calling vCPU's mode
  /// (`hypercall_args::guest64`), which decides the layout of every width-dependent argument
  /// structure (`abi::tmpl::T<W>`: guest handles, `xen_ulong_t`, `xen_pfn_t`, 4-byte-aligned
  /// 64-bit fields on i386), as Xen reads a 32-bit caller's arguments with its compat layouts.
  template <class F>
  decltype(auto) by_width(F&& f) {
    return a.guest64 ? f(abi::width64{}) : f(abi::width32{});
  }
};

/// The name of hypercall \p nr ("event_channel_op"), or "hypercall_<nr>".
[[nodiscard]] inline std::string hypercall_name(std::uint32_t nr) {
  if (const auto* e = xenabi::find_hypercall_mode(nr)) return e->name;
  return "hypercall_" + std::to_string(nr);
}

namespace detail {

inline std::string sub_name(const char* prefix, std::uint64_t cmd, std::initializer_list<const char*> names) {
  if (cmd < names.size()) {
    const char* n = names.begin()[cmd];
    if (n != nullptr && *n != '\0') return std::string(prefix) + n;
  }
  return std::string(prefix) + std::to_string(cmd);
}

/// "DOMID_SELF" or the decimal id, for the trace.
inline std::string dom_name(std::uint16_t d) { return d == abi::DOMID::SELF ? "DOMID_SELF" : std::to_string(d); }

/// The domain \p domid names for \p d (DOMID_SELF or an id), or null if there is none.
inline domain* lookup_domain(domain& d, std::uint16_t domid) {
  if (domid == abi::DOMID::SELF || domid == d.id) return &d;
  return d.owner != nullptr ? d.owner->find(domid) : nullptr;
}

/// The domain \p id names for the caller (DOMID_SELF or its own id: the caller), another
/// domain of the same host, or null.
inline domain* find_domain(hcall& c, std::uint16_t id) { return lookup_domain(c.d, id); }

}  // namespace detail

/// Executes one hypercall for vCPU \p v and returns the value for rax. Traces it.
std::int64_t dispatch(vcpu& v, const hypercall_args& a, const guest_view& g, const hypercall_policy& policy);

}  // namespace hv
