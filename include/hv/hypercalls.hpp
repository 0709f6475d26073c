/// \file
/// Hypercall dispatch for PVH guests: decode, check, execute, trace.
///
/// `dispatch()` is the single entry for every trapped hypercall (from the KVM hypercall port or
/// the sim). It records one trace line per call — domain, vCPU, name, decoded arguments,
/// result with its errno name, and for refusals the reason — and returns the value for rax.
/// Every guest buffer is read and written through `guest_view` (the checked translation
/// layer), so a bad guest pointer is `-EFAULT`, never a host fault. Hypercalls and sub-ops that
/// Xen does not accept from a PVH guest, or that xenhv does not implement, return `-ENOSYS`
/// with a trace note saying which.
#pragma once

#include <cstdint>
#include <cstring>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>

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

inline std::int64_t xen_version(hcall& c) {
  using abi::XENVER;
  const auto cmd = c.a.a[0];
  c.arg("cmd", sub_name("XENVER_", cmd, {"version", "extraversion", "compile_info", "capabilities", "changeset",
                                         "platform_parameters", "get_features", "pagesize", "guest_handle",
                                         "commandline", "build_id"}));
  const std::uint64_t buf = c.a.a[1];
  if (cmd != 0 && cmd != 7) c.arg("arg", hex(buf));
  auto put_string = [&](const char* s, std::size_t cap) -> std::int64_t {
    std::vector<char> b(cap + 1, '\0');
    std::memcpy(b.data(), s, std::min(std::strlen(s), cap > 0 ? cap - 1 : 0));
    if (!c.g.copy_to_guest(virt_addr{buf}, b.data(), cap)) return c.fail(errc::efault, "bad buffer");
    return 0;
  };
  switch (static_cast<XENVER>(cmd)) {
    case XENVER::version:
      return (4 << 16) | 17;
    case XENVER::extraversion:
      return put_string(".0-xenhv", sizeof(abi::xen_extraversion_t));
    case XENVER::compile_info: {
      abi::xen_compile_info info{};
      std::strncpy(info.compiler, "xenabi xenhv", sizeof info.compiler - 1);
      std::strncpy(info.compile_by, "xenabi", sizeof info.compile_by - 1);
      std::strncpy(info.compile_domain, "xenhv", sizeof info.compile_domain - 1);
      std::strncpy(info.compile_date, __DATE__, sizeof info.compile_date - 1);
      if (!c.out(buf, info)) return c.fail(errc::efault, "bad buffer");
      return 0;
    }
    case XENVER::capabilities:
      // Xen's order and trailing space; without Xen's "xen-3.0-x86_64" (PV guests), which xenhv
      // does not run (tests/fidelity/allowed_differences.txt).
      return put_string("hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ", sizeof(abi::xen_capabilities_info_t));
    case XENVER::changeset:
      return put_string("xenabi xenhv", sizeof(abi::xen_changeset_info_t));
    case XENVER::platform_parameters: {
      // In the caller's layout (4 bytes for a 32-bit caller, with the i386 PAE hole's start).
      const bool ok = c.a.guest64 ? static_cast<bool>(c.out(buf, gabi::xen_platform_parameters{
                                                                      abi::x86_64::HYPERVISOR::VIRT_START}))
                                  : static_cast<bool>(c.out(buf, abi::x86_32::xen_platform_parameters{
                                                                      abi::x86_32::HYPERVISOR::VIRT_START_PAE}));
      if (!ok) return c.fail(errc::efault, "bad buffer");
      return 0;
    }
    case XENVER::get_features: {
      auto fi = c.in<abi::xen_feature_info>(buf);
      if (!fi) return c.fail(errc::efault, "bad buffer");
      auto f = fi.value();
      c.arg("submap_idx", std::to_string(f.submap_idx));
      // Xen has one submap (XENFEAT_NR_SUBMAPS); any other index is -EINVAL, nothing written.
      if (f.submap_idx != 0) return c.fail(errc::einval, "only submap 0 exists");
      f.submap = 0;
      for (auto feat : {abi::XENFEAT::writable_page_tables, abi::XENFEAT::auto_translated_physmap,
                        abi::XENFEAT::hvm_callback_vector, abi::XENFEAT::hvm_safe_pvclock,
                        abi::XENFEAT::memory_op_vnode_supported, abi::XENFEAT::not_direct_mapped})
        f.submap |= 1u << static_cast<std::uint32_t>(feat);
      if (!c.out(buf, f)) return c.fail(errc::efault, "bad buffer");
      return 0;
    }
    case XENVER::pagesize:
      // Xen insists on a null argument here.
      if (buf != 0) return c.fail(errc::einval, "XENVER_pagesize takes no argument");
      return 4096;
    case XENVER::guest_handle: {
      abi::xen_domain_handle_t h{};
      if (!c.g.copy_to_guest(virt_addr{buf}, &h, sizeof h)) return c.fail(errc::efault, "bad buffer");
      return 0;
    }
    case XENVER::commandline:
    case XENVER::build_id:
      return c.fail(errc::eperm, "only the control domain may read this");
    default:
      return c.fail(errc::enosys, "unknown XENVER sub-op");
  }
}

inline std::int64_t console_io(hcall& c) {
  // Xen's do_console_io takes `unsigned int cmd, unsigned int count`: the upper halves of the
  // registers are ignored.
  const auto cmd = static_cast<std::uint32_t>(c.a.a[0]);
  const auto count = static_cast<std::uint32_t>(c.a.a[1]);
  const auto buf = c.a.a[2];
  c.arg("cmd", sub_name("CONSOLEIO_", cmd, {"write", "read"}));
  c.arg("count", std::to_string(count));
  c.arg("buffer", hex(buf));
  if (c.policy.release_console) return c.fail(errc::eperm, "release-build behaviour: console_io is for dom0 only");
  if (cmd == static_cast<std::uint32_t>(abi::CONSOLEIO::write)) {
    // As Xen: copied and written in chunks of 127 bytes; a chunk that cannot be read ends the
    // call with -EFAULT (the chunks before it are written). A count that is negative as an int
    // fails at once (Xen's chunk size goes negative there).
    if (count > 0x7fffffffu) return c.fail(errc::efault, "count negative as an int");
    constexpr std::uint32_t chunk = 127;
    std::string s;
    bool fault = false;
    for (std::uint32_t off = 0; off < count; off += chunk) {
      const std::uint32_t n = std::min(chunk, count - off);
      std::string part(n, '\0');
      if (!c.g.copy_from_guest(part.data(), virt_addr{buf + off}, n)) {
        fault = true;
        break;
      }
      s += part;
    }
    std::string shown;
    for (char ch : s.size() > 60 ? s.substr(0, 57) : s) {
      if (ch == '\n') shown += "\\n";
      else if (static_cast<unsigned char>(ch) < 0x20 || ch == '"') shown += '?';
      else shown += ch;
    }
    if (s.size() > 60) shown += "...";
    c.arg("text", shown, true);
    if (!s.empty()) c.d.console.write(s);
    if (fault) return c.fail(errc::efault, s.empty() ? "buffer not mapped" : "buffer not mapped after " + std::to_string(s.size()) + " bytes");
    return 0;
  }
  if (cmd == static_cast<std::uint32_t>(abi::CONSOLEIO::read)) {
    // The result is a count or an error, so a count that is negative as an int is -E2BIG.
    if (count > 0x7fffffffu) return c.fail(errc::e2big, "count negative as an int");
    std::string chunk;
    {
      std::lock_guard lock(c.d.mu);
      chunk = c.d.console.input.substr(0, static_cast<std::size_t>(std::min<std::uint32_t>(count, 4096)));
    }
    if (!c.g.copy_to_guest(virt_addr{buf}, chunk.data(), chunk.size())) return c.fail(errc::efault, "buffer not mapped");
    std::lock_guard lock(c.d.mu);
    c.d.console.input.erase(0, chunk.size());
    return static_cast<std::int64_t>(chunk.size());
  }
  return c.fail(errc::enosys, "unknown CONSOLEIO sub-op");
}

inline std::string dom_name(std::uint16_t d) { return d == abi::DOMID::SELF ? "DOMID_SELF" : std::to_string(d); }

/// HVM params a guest may read on itself (as Xen 4.17's hvm_allow_get_param; others -EPERM).
inline bool guest_may_get_param(std::uint32_t index) {
  switch (index) {
    case 0: case 1: case 2:     // CALLBACK_IRQ, STORE_PFN, STORE_EVTCHN
    case 15: case 17: case 18:  // VM86_TSS, CONSOLE_PFN, CONSOLE_EVTCHN
    case 19: case 34: case 35:  // ACPI_IOPORTS_LOCATION, VM_GENERATION_ID_ADDR, ALTP2M
    case 36: case 37:           // X87_FIP_WIDTH, VM86_TSS_SIZED
      return true;
    default:
      return false;
  }
}

/// HVM params a guest may set on itself (as Xen 4.17's hvm_allow_set_param; others -EPERM).
inline bool guest_may_set_param(std::uint32_t index) {
  switch (index) {
    case 0: case 2: case 18:   // CALLBACK_IRQ, STORE_EVTCHN, CONSOLE_EVTCHN
    case 15: case 19: case 34: // VM86_TSS, ACPI_IOPORTS_LOCATION, VM_GENERATION_ID_ADDR
    case 36: case 37:          // X87_FIP_WIDTH, VM86_TSS_SIZED
      return true;
    default:
      return false;
  }
}

/// Indices Xen 4.17 no longer defines (PAE_ENABLED, DM_DOMAIN, the MEMORY_EVENT_* ones,
/// BUFIOREQ_EVTCHN): get and set are -EINVAL.
inline bool param_deprecated(std::uint32_t index) {
  return index == 4 || index == 13 || (index >= 20 && index <= 26) || index == 30;
}

inline std::string param_name(std::uint32_t index) {
  return sub_name("HVM_PARAM_", index,
                  {"CALLBACK_IRQ", "STORE_PFN", "STORE_EVTCHN", "", "PAE_ENABLED", "IOREQ_PFN", "BUFIOREQ_PFN", "",
                   "", "VIRIDIAN", "TIMER_MODE", "HPET_ENABLED", "IDENT_PT", "DM_DOMAIN", "ACPI_S_STATE", "VM86_TSS",
                   "VPT_ALIGN", "CONSOLE_PFN", "CONSOLE_EVTCHN", "ACPI_IOPORTS_LOCATION", "", "", "", "", "", "",
                   "BUFIOREQ_EVTCHN", "PAGING_RING_PFN", "MONITOR_RING_PFN", "SHARING_RING_PFN", "",
                   "TRIPLE_FAULT_REASON", "IOREQ_SERVER_PFN", "NR_IOREQ_SERVER_PAGES", "VM_GENERATION_ID_ADDR",
                   "ALTP2M", "X87_FIP_WIDTH", "VM86_TSS_SIZED", "MCA_CAP"});
}

/// The domain \p id names for the caller (DOMID_SELF or its own id: the caller), another
/// domain of the same host, or null.
inline domain* find_domain(hcall& c, std::uint16_t id) {
  if (id == abi::DOMID::SELF || id == c.d.id) return &c.d;
  return c.d.owner != nullptr ? c.d.owner->find(id) : nullptr;
}

inline std::int64_t hvm_op(hcall& c) {
  const auto op = c.a.a[0];
  const auto arg = c.a.a[1];
  c.arg("op", sub_name("HVMOP_", op, {"set_param", "get_param", "", "", "", "flush_tlbs", "", "", "", "pagetable_dying",
                                      "get_time", "xentrace", "", "", "", "get_mem_type", "", "", "", "", "", "", "",
                                      "set_evtchn_upcall_vector", "guest_request_vm_event", "altp2m"}));
  switch (op) {
    case static_cast<std::uint64_t>(abi::HVMOP::set_evtchn_upcall_vector): {
      auto r = c.in<abi::xen_hvm_evtchn_upcall_vector>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("vcpu", std::to_string(r.value().vcpu));
      c.arg("vector", hex(r.value().vector));
      if (r.value().vector < 0x10) return c.fail(errc::einval, "vector below 0x10");
      if (r.value().vcpu >= c.d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");
      vcpu& t = *c.d.vcpus[r.value().vcpu];
      {
        std::lock_guard lock(t.mu);
        t.upcall_vector = r.value().vector;
        c.rec.note = t.lapic_irq ? "delivered through the vCPU's local APIC (the guest enables it and EOIs)"
                                 : "injected by xenhv (no in-kernel local APIC)";
      }
      c.d.assert_upcall(t);  // as Xen: raised at once, whether or not an event is pending
      return 0;
    }
    case static_cast<std::uint64_t>(abi::HVMOP::flush_tlbs):
      if (arg != 0) return c.fail(errc::einval, "HVMOP_flush_tlbs takes no argument");
      return c.fail(errc::enosys, "HVMOP_flush_tlbs is not implemented by xenhv");
    case static_cast<std::uint64_t>(abi::HVMOP::guest_request_vm_event):
      // As Xen without a vm_event monitor attached: nothing to tell.
      if (arg != 0) return c.fail(errc::einval, "HVMOP_guest_request_vm_event takes no argument");
      c.rec.note = "no monitor attached";
      return 0;
    case static_cast<std::uint64_t>(abi::HVMOP::get_time): {
      abi::xen_hvm_get_time t{c.d.clock.now()};
      if (!c.out(arg, t)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "now " + std::to_string(t.now);
      return 0;
    }
    case static_cast<std::uint64_t>(abi::HVMOP::pagetable_dying): {
      auto r = c.in<abi::xen_hvm_pagetable_dying>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("domid", dom_name(r.value().domid));
      domain* t = find_domain(c, r.value().domid);
      if (t == nullptr) return c.fail(errc::esrch, "no such domain");
      if (t != &c.d) return c.fail(errc::eopnotsupp, "only for the caller itself");
      // Xen acts on the hint only under shadow paging; with hardware paging (like xenhv's) -EINVAL.
      return c.fail(errc::einval, "no shadow page tables to drop");
    }
    case static_cast<std::uint64_t>(abi::HVMOP::get_mem_type): {
      auto r = c.in<abi::xen_hvm_get_mem_type>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto m = r.value();
      c.arg("domid", dom_name(m.domid));
      c.arg("pfn", hex(m.pfn));
      domain* t = find_domain(c, m.domid);
      if (t == nullptr) return c.fail(errc::esrch, "no such domain");
      if (t != &c.d) return c.fail(errc::eperm, "another domain's memory types are for its device model");
      {
        std::lock_guard lock(t->mu);
        const bool ram = m.pfn < t->mem.frames() && t->mem.present(m.pfn);
        m.mem_type = static_cast<std::uint16_t>(ram ? abi::HVMMEM::ram_rw : abi::HVMMEM::mmio_dm);
      }
      if (!c.out(arg, m)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = m.mem_type == 0 ? "HVMMEM_ram_rw" : "HVMMEM_mmio_dm";
      return 0;
    }
    case static_cast<std::uint64_t>(abi::HVMOP::set_param):
    case static_cast<std::uint64_t>(abi::HVMOP::get_param):
      break;
    default:
      return c.fail(errc::enosys, "HVMOP sub-op not available to a PVH guest on xenhv");
  }
  auto r = c.in<abi::xen_hvm_param>(arg);
  if (!r) return c.fail(errc::efault, "bad argument pointer");
  auto p = r.value();
  c.arg("domid", dom_name(p.domid));
  c.arg("index", param_name(p.index));
  const bool set = op == static_cast<std::uint64_t>(abi::HVMOP::set_param);
  if (set) c.arg("value", hex(p.value));
  // Xen's order: the index range, the domain, then what the caller may do with the index.
  if (p.index >= abi::HVM::NR_PARAMS || p.index >= 64) return c.fail(errc::einval, "index out of range");
  if (p.domid != abi::DOMID::SELF && p.domid != c.d.id) {
    if (find_domain(c, p.domid) == nullptr) return c.fail(errc::esrch, "no such domain");
    return c.fail(errc::eperm, "another domain's parameters are for the toolstack");
  }
  if (param_deprecated(p.index)) return c.fail(errc::einval, "parameter no longer defined");
  if (set) {
    if (!guest_may_set_param(p.index)) return c.fail(errc::eperm, "a guest may not set this parameter on itself");
    switch (p.index) {
      case 0: {  // CALLBACK_IRQ
        const auto type = p.value >> 56;
        if (p.value != 0 && type != 2) c.rec.note = "accepted, but xenhv delivers events only via a vector (type 2)";
        break;
      }
      case 15:  // VM86_TSS: Xen crashes a guest that passes more than 32 bits
        if (p.value != static_cast<std::uint32_t>(p.value)) {
          c.d.request_shutdown(shutdown_kind::crash, 0);
          return c.fail(errc::einval, "VM86_TSS above 4 GiB: domain crashed, as Xen does");
        }
        break;
      case 19:  // ACPI_IOPORTS_LOCATION: no emulated ACPI PM timer to move
        return c.fail(errc::enodev, "no emulated ACPI PM timer");
      case 36:  // X87_FIP_WIDTH
        if (p.value != 0 && p.value != 4 && p.value != 8) return c.fail(errc::einval, "width must be 0, 4 or 8");
        break;
      case 37:  // VM86_TSS_SIZED: Xen crashes a guest whose size (bits 63:32) is below a 32-bit TSS
        if ((p.value >> 32) < 104) {
          c.d.request_shutdown(shutdown_kind::crash, 0);
          return c.fail(errc::einval, "VM86_TSS_SIZED below a TSS: domain crashed, as Xen does");
        }
        break;
      default:
        break;
    }
    std::lock_guard lock(c.d.mu);
    __atomic_store_n(&c.d.hvm_params[p.index], p.value, __ATOMIC_RELEASE);
    return 0;
  }
  if (!guest_may_get_param(p.index)) return c.fail(errc::eperm, "a guest may not read this parameter on itself");
  {
    std::lock_guard lock(c.d.mu);
    p.value = c.d.hvm_params[p.index];
  }
  if (!c.out(arg, p)) return c.fail(errc::efault, "bad argument pointer");
  c.rec.note = "value " + hex(p.value);
  return 0;
}

result<void> grant_map_frame(domain& d, std::uint64_t idx, std::uint64_t gpfn);



/// XENMEM_increase_reservation (0), decrease_reservation (1) and populate_physmap (6) on the
/// caller's RAM model. As on Xen, the result is the number of extents done (counting from the
/// continuation's start extent in the top bits of `cmd`), and a problem — unreadable argument,
/// unknown domain, extent order above `domain::max_extent_order`, unreadable extent list, a
/// frame outside RAM, already present (populate) or absent (decrease), the maximum
/// reservation reached — stops the work there, with a trace note saying why. A foreign
/// domain that exists is `-EPERM` (xenhv domains are unprivileged).
/// The argument and the extent list are read in the caller's width (\p W).
template <class W>
inline std::int64_t memory_reservation_w(hcall& c, std::uint64_t cmd) {
  using pfn_element = typename W::pfn_element;
  constexpr unsigned extent_shift = 6;  // MEMOP_EXTENT_SHIFT
  const std::uint64_t start = c.a.a[0] >> extent_shift;
  const auto arg = c.a.a[1];
  auto r = c.in<abi::tmpl::xen_memory_reservation<W>>(arg);
  if (start != 0) c.arg("start_extent", std::to_string(start));
  const auto done = [&](std::uint64_t n, std::string why) {
    if (!why.empty()) c.rec.note = std::move(why);
    return static_cast<std::int64_t>(n);
  };
  if (!r) return done(start, "bad argument pointer: nothing done");
  const auto& x = r.value();
  const std::uint64_t list = x.extent_start.address();
  c.arg("extent_start", hex(list));
  c.arg("nr_extents", std::to_string(x.nr_extents));
  c.arg("extent_order", std::to_string(x.extent_order));
  c.arg("domid", dom_name(x.domid));
  if (std::uint64_t{x.nr_extents} > (std::uint64_t{0xffffffffu} >> extent_shift))
    return done(start, "nr_extents too large for a continuation");
  if (start >= x.nr_extents) return done(start, "");
  if (x.domid != abi::DOMID::SELF && x.domid != c.d.id) {
    if (c.d.owner == nullptr || c.d.owner->find(x.domid) == nullptr) return done(start, "no such domain");
    return c.fail(errc::eperm, "foreign domain needs privilege");
  }
  const auto addr_bits = abi::XENMEMF::get_address_bits(x.mem_flags);
  if (addr_bits != 0 && addr_bits <= 12) return done(start, "address_bits below the page size");
  if (cmd == 6 && (x.mem_flags & abi::XENMEMF::populate_on_demand) != 0)
    return done(start, "populate-on-demand needs the hardware domain");
  if (x.extent_order > domain::max_extent_order)
    return done(start, "extent_order above " + std::to_string(domain::max_extent_order));
  const std::uint64_t pages = std::uint64_t{1} << x.extent_order;
  domain& d = c.d;
  std::lock_guard lock(d.mu);
  std::uint64_t i = start;
  for (; i < x.nr_extents; ++i) {
    if (cmd == 0) {  // increase: allocate, unplaced (an auto-translated guest gets no frame numbers)
      if (d.current_pages() + pages > d.max_pages) return done(i, "maximum reservation reached");
      d.unplaced_pages += pages;
      continue;
    }
    auto gfn = c.in<pfn_element>(list + i * sizeof(pfn_element));
    if (!gfn) return done(i, "bad extent_start at extent " + std::to_string(i));
    const std::uint64_t base = gfn.value();
    if (base % pages != 0 || base >= d.mem.frames() || d.mem.frames() - base < pages)
      return done(i, "extent " + std::to_string(i) + " (gfn " + hex(base) + ") outside guest RAM or misaligned");
    if (cmd == 1) {  // decrease: release each frame; an absent one stops the work (Xen: -EINVAL inside)
      for (std::uint64_t j = 0; j < pages; ++j)
        if (!d.mem.release(base + j)) return done(i, "gfn " + hex(base + j) + " is not populated");
      continue;
    }
    // populate: every frame of the extent must be absent, and the reservation must allow it
    for (std::uint64_t j = 0; j < pages; ++j)
      if (d.mem.present(base + j)) return done(i, "gfn " + hex(base + j) + " is already populated");
    if (d.current_pages() + pages > d.max_pages) return done(i, "maximum reservation reached");
    for (std::uint64_t j = 0; j < pages; ++j) d.mem.populate(base + j);
  }
  return done(i, "");
}

/// XENMEM_increase/decrease_reservation and populate_physmap in the caller's width.
inline std::int64_t memory_reservation(hcall& c, std::uint64_t cmd) {
  return c.by_width([&](auto w) { return memory_reservation_w<decltype(w)>(c, cmd); });
}

inline std::int64_t memory_op(hcall& c) {
  const auto cmd = c.a.a[0] & 0x3f;  // the top bits carry continuation state (MEMOP_CMD_MASK)
  const auto arg = c.a.a[1];
  c.arg("cmd", sub_name("XENMEM_", cmd,
                        {"increase_reservation", "decrease_reservation", "maximum_ram_page", "current_reservation",
                         "maximum_reservation", "machphys_mfn_list", "populate_physmap", "add_to_physmap", "",
                         "memory_map", "machine_memory_map"}));
  switch (cmd) {
    case 0:  // increase_reservation
    case 1:  // decrease_reservation
    case 6:  // populate_physmap
      return memory_reservation(c, cmd);
    case 3:    // current_reservation
    case 4: {  // maximum_reservation
      auto dom = c.in<abi::domid_t>(arg);
      if (!dom) return c.fail(errc::efault, "bad domid pointer");
      c.arg("domid", dom.value() == abi::DOMID::SELF ? "DOMID_SELF" : std::to_string(dom.value()));
      if (dom.value() != abi::DOMID::SELF && dom.value() != c.d.id) return c.fail(errc::esrch, "only DOMID_SELF");
      std::lock_guard lock(c.d.mu);
      return static_cast<std::int64_t>(cmd == 3 ? c.d.current_pages() : c.d.max_pages);
    }
    case 2:  // maximum_ram_page (no continuation: a start extent is -EINVAL)
      if ((c.a.a[0] >> 6) != 0) return c.fail(errc::einval, "start extent given");
      return static_cast<std::int64_t>(c.d.mem.size() / 4096);
    case 18:  // get_sharing_freed_pages
    case 19:  // get_sharing_shared_pages
      return 0;  // xenhv never shares pages between domains
    case 7: {  // add_to_physmap
      gabi::xen_add_to_physmap x{};  // widened from the caller's layout
      const bool read = c.by_width([&](auto w) {
        auto r = c.in<abi::tmpl::xen_add_to_physmap<decltype(w)>>(arg);
        if (!r) return false;
        x.domid = r.value().domid;
        x.size = r.value().size;
        x.space = r.value().space;
        x.idx = r.value().idx;
        x.gpfn = r.value().gpfn;
        return true;
      });
      if (!read) return c.fail(errc::efault, "bad argument pointer");
      c.arg("space", sub_name("XENMAPSPACE_", x.space, {"shared_info", "grant_table", "gmfn", "gmfn_range",
                                                        "gmfn_foreign", "dev_mmio"}));
      c.arg("idx", hex(x.idx));
      c.arg("gpfn", hex(x.gpfn));
      // Xen's order: foreign mappings only through add_to_physmap_batch, then the domain, then
      // dev_mmio (hardware domain only), then the space itself.
      if (x.space == static_cast<std::uint32_t>(abi::XENMAPSPACE::gmfn_foreign))
        return c.fail(errc::enosys, "XENMAPSPACE_gmfn_foreign needs add_to_physmap_batch");
      if (x.domid != abi::DOMID::SELF && x.domid != c.d.id) return c.fail(errc::esrch, "only DOMID_SELF");
      if (x.space == static_cast<std::uint32_t>(abi::XENMAPSPACE::dev_mmio))
        return c.fail(errc::eacces, "XENMAPSPACE_dev_mmio is for the hardware domain");
      if (x.space > static_cast<std::uint32_t>(abi::XENMAPSPACE::dev_mmio))
        return c.fail(errc::einval, "unknown map space");
      if (x.space == static_cast<std::uint32_t>(abi::XENMAPSPACE::shared_info)) {
        if (x.idx != 0) return c.fail(errc::einval, "shared_info has only index 0");
        if (!c.d.mem.contains(phys_addr{x.gpfn << 12}, 4096) || x.gpfn > (~std::uint64_t{0} >> 12))
          return c.fail(errc::einval, "gpfn outside guest RAM");
        auto m = c.d.map_shared_info(x.gpfn);
        if (!m) return c.fail(m.error(), "cannot map shared_info there");
        return 0;
      }
      if (x.space == static_cast<std::uint32_t>(abi::XENMAPSPACE::grant_table)) {
        auto m = grant_map_frame(c.d, x.idx, x.gpfn);
        if (!m) return c.fail(m.error(), "grant frame index or gpfn invalid");
        return 0;
      }
      return c.fail(errc::enosys, "map space not supported by xenhv");
    }
    case 9: return c.by_width([&](auto w) -> std::int64_t {  // memory_map
      auto r = c.in<abi::tmpl::xen_memory_map<decltype(w)>>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto m = r.value();
      c.arg("nr_entries", std::to_string(m.nr_entries));
      c.arg("buffer", hex(m.buffer.address()));
      const auto n = std::min<std::size_t>(m.nr_entries, c.policy.e820.size());
      for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t e[20];
        std::memcpy(e, &c.policy.e820[i][0], 8);
        std::memcpy(e + 8, &c.policy.e820[i][1], 8);
        const auto type = static_cast<std::uint32_t>(c.policy.e820[i][2]);
        std::memcpy(e + 16, &type, 4);
        if (!c.g.copy_to_guest(virt_addr{m.buffer.address() + i * 20}, e, 20))
          return c.fail(errc::efault, "bad buffer");
      }
      m.nr_entries = static_cast<std::uint32_t>(n);
      if (!c.out(arg, m)) return c.fail(errc::efault, "bad argument pointer");
      return 0;
    });
    default:
      return c.fail(errc::enosys, "XENMEM sub-op not implemented by xenhv");
  }
}

/// The guest area of \p n bytes at guest-virtual \p va, translated page by page (nullopt for 0
/// or an address that does not translate).
inline std::optional<guest_area> guest_area_at(hcall& c, std::uint64_t va, std::size_t n) {
  if (va == 0) return std::nullopt;
  auto pa = c.g.translate(virt_addr{va});
  if (!pa) return std::nullopt;
  guest_area a;
  a.first = pa.value();
  a.first_len = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, 4096 - (va & 4095)));
  if (a.first_len < n) {
    auto pb = c.g.translate(virt_addr{va + a.first_len});
    if (!pb) return std::nullopt;
    a.second = pb.value();
  }
  return a;
}

inline std::int64_t vcpu_op(hcall& c) {
  // Xen's do_vcpu_op takes `int cmd, unsigned int vcpuid`: the upper register halves are ignored.
  const auto cmd = static_cast<std::uint32_t>(c.a.a[0]);
  const auto id = static_cast<std::uint32_t>(c.a.a[1]);
  const auto arg = c.a.a[2];
  c.arg("cmd", sub_name("VCPUOP_", cmd,
                        {"initialise", "up", "down", "is_up", "get_runstate_info", "register_runstate_memory_area",
                         "set_periodic_timer", "stop_periodic_timer", "set_singleshot_timer", "stop_singleshot_timer",
                         "register_vcpu_info", "send_nmi", "get_physid", "register_vcpu_time_memory_area"}));
  c.arg("vcpu", std::to_string(id));
  if (id >= c.d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");
  vcpu& t = *c.d.vcpus[static_cast<std::size_t>(id)];
  switch (static_cast<abi::VCPUOP>(cmd)) {
    case abi::VCPUOP::is_up: {
      std::lock_guard lock(t.mu);
      return t.up ? 1 : 0;
    }
    case abi::VCPUOP::initialise: {
      // As Xen for HVM vCPUs: copy the context, then refuse an initialised vCPU, then check it.
      auto r = c.in<abi::vcpu_hvm_context>(arg);
      if (!r) return c.fail(errc::efault, "bad context pointer");
      const auto& x = r.value();
      c.arg("mode", x.mode == 1 ? "VCPU_HVM_MODE_64B" : x.mode == 0 ? "VCPU_HVM_MODE_32B" : std::to_string(x.mode));
      if (x.mode == static_cast<std::uint32_t>(abi::VCPU_HVM_MODE::_64B)) c.arg("rip", hex(x.cpu_regs.x86_64.rip));
      if (x.mode == static_cast<std::uint32_t>(abi::VCPU_HVM_MODE::_32B)) c.arg("eip", hex(x.cpu_regs.x86_32.eip));
      {
        std::lock_guard lock(t.mu);
        if (t.initialised) return c.fail(errc::eexist, "vCPU already initialised");
      }
      if (x.mode == static_cast<std::uint32_t>(abi::VCPU_HVM_MODE::_64B)) {
        const auto& g = x.cpu_regs.x86_64;
        if ((g.cr0 & 0x80000001u) != 0x80000001u || (g.cr4 & 0x20u) == 0 || (g.efer & 0x100u) == 0)
          return c.fail(errc::einval, "64-bit mode needs CR0.PG|PE, CR4.PAE and EFER.LME");
      } else if (x.mode == static_cast<std::uint32_t>(abi::VCPU_HVM_MODE::_32B)) {
        const auto& g = x.cpu_regs.x86_32;
        if ((g.cr0 & 1u) == 0 || (g.efer & 0x500u) != 0)
          return c.fail(errc::einval, "32-bit mode needs CR0.PE and EFER.LME/LMA clear");
      } else {
        return c.fail(errc::einval, "unknown VCPU_HVM_MODE");
      }
      std::lock_guard lock(t.mu);
      if (t.initialised) return c.fail(errc::eexist, "vCPU already initialised");
      t.pending_context = x;
      t.initialised = true;
      return 0;
    }
    case abi::VCPUOP::up: {
      {
        std::lock_guard lock(t.mu);
        if (!t.initialised) return c.fail(errc::einval, "vCPU not initialised (VCPUOP_initialise first)");
        t.up = true;
      }
      c.d.notify(t);
      return 0;
    }
    case abi::VCPUOP::down: {
      {
        std::lock_guard lock(t.mu);
        t.up = false;
      }
      c.d.notify(t);
      return 0;
    }
    case abi::VCPUOP::register_vcpu_info: {
      auto r = c.in<abi::vcpu_register_vcpu_info>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto& x = r.value();
      c.arg("mfn", hex(x.mfn));
      c.arg("offset", hex(x.offset));
      // Xen 4.17's order and errnos: the offset (ENXIO), then "already moved", then the frame.
      if (x.offset > 4096 - sizeof(gabi::vcpu_info)) return c.fail(errc::enxio, "vcpu_info would cross the page");
      if (x.offset % 8 != 0) return c.fail(errc::enxio, "offset not 8-byte aligned");
      {
        std::lock_guard lock(t.mu);
        if (t.vcpu_info_registered) return c.fail(errc::einval, "vcpu_info already registered");
      }
      if (x.mfn > (~std::uint64_t{0} >> 12)) return c.fail(errc::einval, "frame out of range");
      const phys_addr gpa{(x.mfn << 12) + x.offset};
      if (!c.d.mem.contains(gpa, sizeof(gabi::vcpu_info)) || !c.d.mem.present(x.mfn))
        return c.fail(errc::einval, "frame outside guest RAM");
      {
        std::lock_guard dl(c.d.mu);
        std::lock_guard lock(t.mu);
        if (t.vcpu_info_registered) return c.fail(errc::einval, "vcpu_info already registered");
        auto* old = c.d.vcpu_info_of(t);
        auto* neu = c.d.mem.object<gabi::vcpu_info>(gpa).value();
        if (old != nullptr && old != neu) std::memmove(static_cast<void*>(neu), old, sizeof(gabi::vcpu_info));
        else if (old == nullptr) std::memset(static_cast<void*>(neu), 0, sizeof(gabi::vcpu_info));
        t.vcpu_info_gpa = gpa;
        t.vcpu_info_registered = true;
        // As Xen: mark everything pending so that nothing is lost in the move.
        __atomic_store_n(&neu->evtchn_pending_sel, ~std::uint64_t{0}, __ATOMIC_SEQ_CST);
        __atomic_store_n(&neu->evtchn_upcall_pending, std::uint8_t{1}, __ATOMIC_SEQ_CST);
      }
      c.d.publish_time(t);
      c.d.assert_upcall(t);
      return 0;
    }
    case abi::VCPUOP::register_runstate_memory_area: {
      // The handle in the caller's width; the area is then kept in that width's layout.
      std::optional<std::uint64_t> handle = c.by_width([&](auto w) -> std::optional<std::uint64_t> {
        auto r = c.in<abi::tmpl::vcpu_register_runstate_memory_area<decltype(w)>>(arg);
        if (!r) return std::nullopt;
        return r.value().addr.h.address();
      });
      if (!handle) return c.fail(errc::efault, "bad argument pointer");
      const std::uint64_t va = *handle;
      const std::size_t size = c.a.guest64 ? sizeof(abi::x86_64::vcpu_runstate_info)
                                           : sizeof(abi::x86_32::vcpu_runstate_info);
      c.arg("addr", hex(va));
      // As Xen for an HVM guest: any address is accepted (misaligned, crossing a page, not
      // mapped: then the updates are lost), and the area gets the runstate as accounted at the
      // last state change.
      auto area = guest_area_at(c, va, size);
      std::lock_guard lock(t.mu);
      t.runstate_area = area;
      t.runstate_compat = !c.a.guest64;
      if (!area && va != 0) c.rec.note = "area not mapped: updates will be lost";
      c.d.write_runstate(t);
      return 0;
    }
    case abi::VCPUOP::get_runstate_info:
      return c.by_width([&](auto w) -> std::int64_t {
        gabi::vcpu_runstate_info now{};
        {
          std::lock_guard lock(t.mu);
          now = c.d.runstate_now(t);
        }
        abi::tmpl::vcpu_runstate_info<decltype(w)> info{};
        info.state = now.state;
        info.state_entry_time = now.state_entry_time;
        for (std::size_t i = 0; i < 4; ++i) info.time[i] = now.time[i];
        if (!c.out(arg, info)) return c.fail(errc::efault, "bad argument pointer");
        return 0;
      });
    case abi::VCPUOP::register_vcpu_time_memory_area: {
      std::optional<std::uint64_t> handle = c.by_width([&](auto w) -> std::optional<std::uint64_t> {
        auto r = c.in<abi::tmpl::vcpu_register_time_memory_area<decltype(w)>>(arg);
        if (!r) return std::nullopt;
        return r.value().addr.h.address();
      });
      if (!handle) return c.fail(errc::efault, "bad argument pointer");
      const std::uint64_t va = *handle;
      c.arg("addr", hex(va));
      // As Xen: any address is accepted, and the area is written at once.
      auto area = guest_area_at(c, va, sizeof(abi::vcpu_time_info));
      {
        std::lock_guard lock(t.mu);
        t.time_area = area;
      }
      if (!area && va != 0) c.rec.note = "area not mapped: updates will be lost";
      c.d.publish_time(t);
      return 0;
    }
    case abi::VCPUOP::set_periodic_timer: {
      auto r = c.in<abi::vcpu_set_periodic_timer>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const std::uint64_t period = r.value().period_ns;
      c.arg("period_ns", std::to_string(period));
      if (period < 1000000) return c.fail(errc::einval, "period below 1 ms");
      if (period > (~std::uint64_t{0} >> 1)) return c.fail(errc::einval, "period beyond STIME_DELTA_MAX");
      c.d.set_periodic_timer(t, period);
      return 0;
    }
    case abi::VCPUOP::stop_periodic_timer:
      c.d.set_periodic_timer(t, 0);
      return 0;
    case abi::VCPUOP::get_physid:
      return c.fail(errc::einval, "only the hardware domain's pinned vCPUs have a physical id");
    case abi::VCPUOP::set_singleshot_timer: {
      if (&t != &c.v) return c.fail(errc::einval, "only the calling vCPU's timer can be set");
      std::optional<std::pair<std::uint64_t, std::uint32_t>> tm =
          c.by_width([&](auto w) -> std::optional<std::pair<std::uint64_t, std::uint32_t>> {
            auto r = c.in<abi::tmpl::vcpu_set_singleshot_timer<decltype(w)>>(arg);
            if (!r) return std::nullopt;
            const std::uint64_t timeout = r.value().timeout_abs_ns;  // copies: i386 aligns it to 4
            const std::uint32_t fl = r.value().flags;
            return std::pair<std::uint64_t, std::uint32_t>{timeout, fl};
          });
      if (!tm) return c.fail(errc::efault, "bad argument pointer");
      const auto [timeout_abs_ns, flags] = *tm;
      c.arg("timeout_abs_ns", std::to_string(timeout_abs_ns));
      c.arg("flags", hex(flags));
      // As Xen 4.17.7 (measured): VCPU_SSHOTTMR_future is ignored (the public header allows
      // it), so a passed deadline fires at once instead of failing with -ETIME.
      if ((flags & abi::VCPU_SSHOTTMR::future) != 0 && timeout_abs_ns < c.d.clock.now())
        c.rec.note = "timeout already passed; VCPU_SSHOTTMR_future is ignored, as Xen";
      c.d.set_timer(t, timeout_abs_ns);
      return 0;
    }
    case abi::VCPUOP::stop_singleshot_timer:
      if (&t != &c.v) return c.fail(errc::einval, "only the calling vCPU's timer can be stopped");
      c.d.set_timer(t, std::nullopt);
      return 0;
    default:
      return c.fail(errc::enosys, "VCPUOP sub-op not implemented by xenhv");
  }
}

inline std::int64_t set_timer_op(hcall& c) {
  // A 32-bit caller passes the 64-bit timeout in two registers (low word first), as Xen's
  // compat set_timer_op(lo, hi).
  const std::uint64_t timeout = c.a.guest64 ? c.a.a[0] : (c.a.a[0] & 0xffffffffu) | (c.a.a[1] << 32);
  c.arg("timeout", std::to_string(timeout));
  if (timeout == 0) {
    c.d.set_timer(c.v, std::nullopt);
    return 0;
  }
  // As Xen: a deadline that is negative, or more than 2^50 ns (about 13 days) ahead, is taken
  // for a guest's wrapped jiffies and replaced by one 100 ms from now.
  const std::uint64_t now = c.d.clock.now();
  if ((timeout >> 63) != 0 || (timeout > now && ((timeout - now) >> 50) != 0)) {
    c.rec.note = "huge timeout: fires in 100 ms";
    c.d.set_timer(c.v, now + 100000000u);
    return 0;
  }
  c.d.set_timer(c.v, timeout);
  return 0;
}

/// Blocks the calling vCPU until \p done() or shutdown or (if non-zero) system time \p deadline.
/// With \p kicked, a wake-up of the vCPU (`domain::notify`) ends the wait too and sets it.
template <class Pred>
inline void block_vcpu(domain& d, vcpu& v, Pred done, std::uint64_t deadline = 0, bool* kicked = nullptr) {
  std::unique_lock lock(v.mu);
  d.set_runstate(v, runstate::blocked);
  while (!done() && d.shutdown() == shutdown_kind::none) {
    if (kicked != nullptr && v.wake) {
      *kicked = true;
      break;
    }
    if (kicked == nullptr) v.wake = false;
    if (deadline != 0) {
      const auto now = d.clock.now();
      if (now >= deadline) break;
      v.cv.wait_for(lock, std::chrono::nanoseconds(deadline - now), [&] { return v.wake; });
    } else {
      v.cv.wait(lock, [&] { return v.wake; });
    }
  }
  d.set_runstate(v, runstate::running);
}

inline std::int64_t sched_op(hcall& c) {
  const auto cmd = c.a.a[0];
  const auto arg = c.a.a[1];
  c.arg("cmd", sub_name("SCHEDOP_", cmd, {"yield", "block", "shutdown", "poll", "remote_shutdown", "shutdown_code",
                                          "watchdog", "pin_override"}));
  switch (static_cast<abi::SCHEDOP>(cmd)) {
    case abi::SCHEDOP::yield:
      std::this_thread::yield();
      return 0;
    case abi::SCHEDOP::block:
      if (auto* vi = c.d.vcpu_info_of(c.v)) __atomic_store_n(&vi->evtchn_upcall_mask, std::uint8_t{0}, __ATOMIC_SEQ_CST);
      block_vcpu(c.d, c.v, [&] { return c.d.upcall_pending(c.v); });
      return 0;
    case abi::SCHEDOP::shutdown:
    case abi::SCHEDOP::shutdown_code: {
      auto r = c.in<abi::sched_shutdown>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      // As Xen: the reason is truncated to 8 bits and never refused; the first code recorded
      // by shutdown_code is the one a later shutdown uses.
      const auto reason = static_cast<std::uint8_t>(r.value().reason);
      c.arg("reason", sub_name("SHUTDOWN_", reason, {"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"}));
      if (static_cast<abi::SCHEDOP>(cmd) == abi::SCHEDOP::shutdown_code) {
        std::lock_guard lock(c.d.mu);
        if (c.d.pending_shutdown_code) c.rec.note = "a code was recorded before: this one is ignored";
        else c.d.pending_shutdown_code = reason;
        return 0;
      }
      if (reason > static_cast<std::uint32_t>(abi::SHUTDOWN::MAX)) c.rec.note = "unknown reason: ends as a crash";
      c.d.guest_shutdown(reason);
      return 0;
    }
    case abi::SCHEDOP::poll: {
      gabi::sched_poll p{};  // widened from the caller's layout
      const bool read = c.by_width([&](auto w) {
        auto r = c.in<abi::tmpl::sched_poll<decltype(w)>>(arg);
        if (!r) return false;
        p.ports = decltype(p.ports)::from_address(r.value().ports.address());
        p.nr_ports = r.value().nr_ports;
        p.timeout = r.value().timeout;
        return true;
      });
      if (!read) return c.fail(errc::efault, "bad argument pointer");
      c.arg("nr_ports", std::to_string(p.nr_ports));
      c.arg("timeout", std::to_string(static_cast<std::uint64_t>(p.timeout)));
      if (p.nr_ports > 128) return c.fail(errc::einval, "more than 128 ports");
      std::vector<std::uint32_t> ports(p.nr_ports);
      if (!c.g.copy_from_guest(ports.data(), virt_addr{p.ports.address()}, ports.size() * 4))
        return c.fail(errc::efault, "bad ports array");
      std::string list;
      for (auto port : ports) list += (list.empty() ? "" : ",") + std::to_string(port);
      c.arg("ports", "[" + list + "]");
      // As Xen: the ports are checked in order; a pending one ends the call before a later
      // invalid one is seen.
      for (auto port : ports) {
        {
          std::lock_guard lock(c.d.mu);
          if (!port_is_valid(c.d, port)) return c.fail(errc::einval, "port " + std::to_string(port) + " not valid");
        }
        if (evtchn_is_pending(c.d, port)) return 0;
      }
      auto any_pending = [&] {
        for (auto port : ports)
          if (evtchn_is_pending(c.d, port)) return true;
        return false;
      };
      {
        std::lock_guard lock(c.v.mu);
        c.v.poll_ports = ports;
        c.v.wake = false;
      }
      // As Xen, the vCPU is woken by one of its ports becoming pending, by the timeout, and by
      // any kick of the vCPU (an event upcall being raised for it).
      bool kicked = false;
      block_vcpu(c.d, c.v, [&] { return kicked || any_pending(); }, p.timeout, &kicked);
      {
        std::lock_guard lock(c.v.mu);
        c.v.poll_ports.clear();
      }
      return 0;
    }
    case abi::SCHEDOP::remote_shutdown: {
      auto r = c.in<abi::sched_remote_shutdown>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("domain_id", std::to_string(r.value().domain_id));
      c.arg("reason", std::to_string(r.value().reason));
      // Looked up by id: DOMID_SELF names no domain here.
      if (r.value().domain_id == abi::DOMID::SELF ||
          (r.value().domain_id != c.d.id && (c.d.owner == nullptr || c.d.owner->find(r.value().domain_id) == nullptr)))
        return c.fail(errc::esrch, "no such domain");
      return c.fail(errc::eperm, "only a device model or the control domain may do this");
    }
    case abi::SCHEDOP::watchdog: {
      auto r = c.in<abi::sched_watchdog>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("id", std::to_string(r.value().id));
      c.arg("timeout", std::to_string(r.value().timeout));
      auto w = c.d.watchdog(r.value().id, r.value().timeout);
      if (!w) return c.fail(w.error(), w.error() == errc::enospc ? "all watchdogs in use" : "no such watchdog");
      return w.value();
    }
    case abi::SCHEDOP::pin_override:
      return c.fail(errc::eperm, "only the hardware domain may do this");
    default:
      return c.fail(errc::enosys, "SCHEDOP sub-op not implemented by xenhv");
  }
}



/// Maps grant-table frame \p idx of \p d at guest frame \p gpfn (XENMAPSPACE_grant_table).
inline result<void> grant_map_frame(domain& d, std::uint64_t idx, std::uint64_t gpfn) {
  std::lock_guard lock(d.mu);
  if ((idx & abi::XENMAPIDX::grant_table_status) != 0) return errc::einval;  // v2 status frames
  if (idx >= domain::max_grant_frames) return errc::einval;
  if (gpfn > (~std::uint64_t{0} >> 12) || !d.mem.contains(phys_addr{gpfn << 12}, 4096)) return errc::einval;
  d.grow_grant_table(static_cast<std::size_t>(idx) + 1);
  return d.map_grant_frame(static_cast<std::size_t>(idx), gpfn);
}

/// Closes \p port of \p d (call with the locks of \p d and of any peer held).
inline void evtchn_close_locked(domain& d, std::uint32_t port) {
  auto& ch = d.evtchns[port];
  if (ch.state == abi::EVTCHNSTAT::interdomain && d.owner != nullptr) {
    if (domain* r = d.owner->find(ch.remote_dom); r != nullptr && ch.remote_port < r->evtchns.size()) {
      auto& rc = r->evtchns[ch.remote_port];
      if (rc.state == abi::EVTCHNSTAT::interdomain && rc.remote_dom == d.id && rc.remote_port == port) {
        rc.state = abi::EVTCHNSTAT::unbound;
        rc.remote_dom = d.id;
        rc.remote_port = 0;
      }
    }
  }
  ch = evtchn{};
  evtchn_clear_pending(d, port);  // as Xen: a closed port is not left pending
}

/// The domain \p domid names for \p d (DOMID_SELF or an id), or null if there is none.
inline domain* lookup_domain(domain& d, std::uint16_t domid) {
  if (domid == abi::DOMID::SELF || domid == d.id) return &d;
  return d.owner != nullptr ? d.owner->find(domid) : nullptr;
}

/// Xen's EVTCHNOP_reset_cont (14): the continuation of an interrupted EVTCHNOP_reset. Xen
/// defines it for itself only (`__XEN__`), but a guest reaches it with that number.
inline constexpr auto evtchnop_reset_cont = static_cast<abi::EVTCHNOP>(14);

/// EVTCHNOP_reset (\p cont false) and EVTCHNOP_reset_cont: closes every port of the caller.
inline std::int64_t evtchn_reset_op(hcall& c, bool cont) {
  using abi::EVTCHNSTAT;
  domain& d = c.d;
  const auto arg = c.a.a[1];
  auto r = c.in<abi::evtchn_reset>(arg);
  if (!r) return c.fail(errc::efault, "bad argument pointer");
  c.arg("dom", dom_name(r.value().dom));
  domain* o = lookup_domain(d, r.value().dom);
  if (o == nullptr) return c.fail(errc::esrch, "no such domain");
  if (o != &d) return c.fail(errc::eperm, "only DOMID_SELF (no privilege)");
  // xenhv closes every port in one go, so no reset is ever in progress to continue.
  if (cont) return c.fail(errc::ebusy, "no reset in progress");
  for (std::uint32_t p = 1;; ++p) {
    std::unique_lock lock(d.mu);
    if (!port_is_valid(d, p)) break;
    const auto& ch = d.evtchns[p];
    if (ch.state == EVTCHNSTAT::closed) continue;
    domain* peer = nullptr;
    if (ch.state == EVTCHNSTAT::interdomain && d.owner != nullptr && ch.remote_dom != d.id)
      peer = d.owner->find(ch.remote_dom);
    lock.unlock();
    if (peer != nullptr) {
      std::scoped_lock both(d.mu, peer->mu);
      evtchn_close_locked(d, p);
    } else {
      std::lock_guard again(d.mu);
      evtchn_close_locked(d, p);
    }
  }
  return 0;
}

inline std::int64_t event_channel_op(hcall& c) {
  using abi::EVTCHNOP;
  using abi::EVTCHNSTAT;
  const auto cmd = c.a.a[0];
  const auto arg = c.a.a[1];
  c.arg("cmd", sub_name("EVTCHNOP_", cmd, {"bind_interdomain", "bind_virq", "bind_pirq", "close", "send", "status",
                                           "alloc_unbound", "bind_ipi", "bind_vcpu", "unmask", "reset",
                                           "init_control", "expand_array", "set_priority", "reset_cont"}));
  domain& d = c.d;
  if (cmd == static_cast<std::uint64_t>(evtchnop_reset_cont)) return evtchn_reset_op(c, true);
  switch (static_cast<EVTCHNOP>(cmd)) {
    case EVTCHNOP::alloc_unbound: {
      auto r = c.in<abi::evtchn_alloc_unbound>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("dom", dom_name(x.dom));
      c.arg("remote_dom", dom_name(x.remote_dom));
      if (domain* o = lookup_domain(d, x.dom); o == nullptr) return c.fail(errc::esrch, "no such domain");
      else if (o != &d) return c.fail(errc::eperm, "may only allocate in DOMID_SELF (no privilege)");
      {
        std::lock_guard lock(d.mu);
        auto p = evtchn_alloc_port(d);
        if (!p) return c.fail(p.error(), "no free port");
        auto& ch = d.evtchns[p.value()];
        ch.state = EVTCHNSTAT::unbound;
        ch.remote_dom = x.remote_dom == abi::DOMID::SELF ? d.id : x.remote_dom;
        ch.vcpu = 0;
        x.port = p.value();
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "port " + std::to_string(x.port);
      return 0;
    }
    case EVTCHNOP::bind_interdomain: {
      auto r = c.in<abi::evtchn_bind_interdomain>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("remote_dom", dom_name(x.remote_dom));
      c.arg("remote_port", std::to_string(x.remote_port));
      const std::uint16_t rid = x.remote_dom == abi::DOMID::SELF ? d.id : x.remote_dom;
      domain* rd = rid == d.id ? &d : (d.owner != nullptr ? d.owner->find(rid) : nullptr);
      if (rd == nullptr) return c.fail(errc::esrch, "no such domain");
      {
        std::scoped_lock lock(d.mu, rd->mu);
        if (!port_is_valid(*rd, x.remote_port)) return c.fail(errc::einval, "remote port out of range");
        auto& rch = rd->evtchns[x.remote_port];
        if (rch.state != EVTCHNSTAT::unbound || rch.remote_dom != d.id)
          return c.fail(errc::einval, "remote port is not unbound for this domain");
        auto p = evtchn_alloc_port(d);
        if (!p) return c.fail(p.error(), "no free port");
        auto& lch = d.evtchns[p.value()];
        auto& rch2 = rd->evtchns[x.remote_port];  // evtchns may have grown if rd == d
        lch.state = EVTCHNSTAT::interdomain;
        lch.remote_dom = rid;
        lch.remote_port = x.remote_port;
        lch.vcpu = 0;
        rch2.state = EVTCHNSTAT::interdomain;
        rch2.remote_dom = d.id;
        rch2.remote_port = p.value();
        x.local_port = p.value();
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      evtchn_set_pending(d, x.local_port);  // as Xen: avoid a lost notification
      c.rec.note = "port " + std::to_string(x.local_port);
      return 0;
    }
    case EVTCHNOP::bind_virq: {
      auto r = c.in<abi::evtchn_bind_virq>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("virq", std::to_string(x.virq));
      c.arg("vcpu", std::to_string(x.vcpu));
      if (x.virq >= abi::NR::VIRQS) return c.fail(errc::einval, "VIRQ out of range");
      const bool per_vcpu = virq_is_per_vcpu(x.virq);
      if (!per_vcpu && x.vcpu != 0) return c.fail(errc::einval, "a global VIRQ must be bound on vCPU 0");
      if (x.vcpu >= d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");
      {
        std::lock_guard lock(d.mu);
        for (std::uint32_t p = 1; p < d.evtchns.size(); ++p) {
          const auto& ch = d.evtchns[p];
          if (ch.state == EVTCHNSTAT::virq && ch.virq == x.virq && (!per_vcpu || ch.vcpu == x.vcpu))
            return c.fail(errc::eexist, "VIRQ already bound (port " + std::to_string(p) + ")");
        }
        auto p = evtchn_alloc_port(d);
        if (!p) return c.fail(p.error(), "no free port");
        auto& ch = d.evtchns[p.value()];
        ch.state = EVTCHNSTAT::virq;
        ch.virq = x.virq;
        ch.vcpu = x.vcpu;
        x.port = p.value();
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "port " + std::to_string(x.port);
      return 0;
    }
    case EVTCHNOP::bind_ipi: {
      auto r = c.in<abi::evtchn_bind_ipi>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("vcpu", std::to_string(x.vcpu));
      if (x.vcpu >= d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");
      {
        std::lock_guard lock(d.mu);
        auto p = evtchn_alloc_port(d);
        if (!p) return c.fail(p.error(), "no free port");
        auto& ch = d.evtchns[p.value()];
        ch.state = EVTCHNSTAT::ipi;
        ch.vcpu = x.vcpu;
        x.port = p.value();
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "port " + std::to_string(x.port);
      return 0;
    }
    case EVTCHNOP::close: {
      auto r = c.in<abi::evtchn_close>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto port = r.value().port;
      c.arg("port", std::to_string(port));
      std::unique_lock lock(d.mu);
      if (!port_is_valid(d, port)) return c.fail(errc::einval, "port out of range");
      const auto& ch = d.evtchns[port];
      if (ch.state == EVTCHNSTAT::closed) return c.fail(errc::einval, port == 0 ? "port 0 is reserved" : "port is not bound");
      domain* peer = nullptr;
      if (ch.state == EVTCHNSTAT::interdomain && d.owner != nullptr && ch.remote_dom != d.id)
        peer = d.owner->find(ch.remote_dom);
      lock.unlock();
      if (peer != nullptr) {
        std::scoped_lock both(d.mu, peer->mu);
        evtchn_close_locked(d, port);
      } else {
        std::lock_guard again(d.mu);
        evtchn_close_locked(d, port);
      }
      return 0;
    }
    case EVTCHNOP::send: {
      auto r = c.in<abi::evtchn_send>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto port = r.value().port;
      c.arg("port", std::to_string(port));
      evtchn ch;
      {
        std::lock_guard lock(d.mu);
        if (!port_is_valid(d, port)) return c.fail(errc::einval, "port out of range");
        ch = d.evtchns[port];
      }
      switch (ch.state) {
        case EVTCHNSTAT::interdomain: {
          domain* rd = ch.remote_dom == d.id ? &d : (d.owner != nullptr ? d.owner->find(ch.remote_dom) : nullptr);
          if (rd != nullptr) evtchn_set_pending(*rd, ch.remote_port);
          return 0;
        }
        case EVTCHNSTAT::ipi:
          evtchn_set_pending(d, port);
          return 0;
        case EVTCHNSTAT::unbound:
          return 0;  // as Xen: silently dropped
        default:
          return c.fail(errc::einval, "port is not interdomain, IPI or unbound");
      }
    }
    case EVTCHNOP::status: {
      auto r = c.in<abi::evtchn_status>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("dom", dom_name(x.dom));
      c.arg("port", std::to_string(x.port));
      if (domain* o = lookup_domain(d, x.dom); o == nullptr) return c.fail(errc::esrch, "no such domain");
      else if (o != &d) return c.fail(errc::eperm, "only DOMID_SELF (no privilege)");
      {
        std::lock_guard lock(d.mu);
        if (!port_is_valid(d, x.port)) return c.fail(errc::einval, "port outside the allocated buckets");
        const evtchn ch = d.evtchns[x.port];
        x.status = static_cast<std::uint32_t>(ch.state);
        x.vcpu = ch.vcpu;
        std::memset(&x.u, 0, sizeof x.u);
        if (ch.state == EVTCHNSTAT::unbound) x.u.unbound.dom = ch.remote_dom;
        if (ch.state == EVTCHNSTAT::interdomain) {
          x.u.interdomain.dom = ch.remote_dom;
          x.u.interdomain.port = ch.remote_port;
        }
        if (ch.state == EVTCHNSTAT::virq) x.u.virq = ch.virq;
      }
      if (!c.out(arg, x)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "status " + std::to_string(x.status);
      return 0;
    }
    case EVTCHNOP::bind_vcpu: {
      auto r = c.in<abi::evtchn_bind_vcpu>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto x = r.value();
      c.arg("port", std::to_string(x.port));
      c.arg("vcpu", std::to_string(x.vcpu));
      if (x.vcpu >= d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");  // checked first, as Xen
      std::lock_guard lock(d.mu);
      if (!port_is_valid(d, x.port)) return c.fail(errc::einval, "port out of range");
      auto& ch = d.evtchns[x.port];
      const bool global_virq = ch.state == EVTCHNSTAT::virq && !virq_is_per_vcpu(ch.virq);
      if (!(global_virq || ch.state == EVTCHNSTAT::unbound || ch.state == EVTCHNSTAT::interdomain))
        return c.fail(errc::einval, "only global VIRQ, unbound and interdomain ports can move");
      ch.vcpu = x.vcpu;
      return 0;
    }
    case EVTCHNOP::unmask: {
      auto r = c.in<abi::evtchn_unmask>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto port = r.value().port;
      c.arg("port", std::to_string(port));
      {
        std::lock_guard lock(d.mu);
        if (!port_is_valid(d, port)) return c.fail(errc::einval, "port out of range");
      }
      evtchn_unmask(d, port);  // any valid port is accepted; a free one is left alone, as Xen
      return 0;
    }
    case EVTCHNOP::bind_pirq: {
      auto r = c.in<abi::evtchn_bind_pirq>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      c.arg("pirq", std::to_string(r.value().pirq));
      return c.fail(errc::enosys, "no physical IRQs on xenhv");
    }
    case EVTCHNOP::reset:
      return evtchn_reset_op(c, false);
    case EVTCHNOP::expand_array:
    case EVTCHNOP::set_priority:
      // As Xen with the 2-level ABI (xenhv has no other): expand_array needs the FIFO ABI,
      // set_priority has no 2-level implementation.
      if (static_cast<EVTCHNOP>(cmd) == EVTCHNOP::expand_array)
        return c.fail(errc::eopnotsupp, "the FIFO ABI is not in use (xenhv has the 2-level ABI only)");
      return c.fail(errc::enosys, "no priorities in the 2-level ABI");
    default:
      return c.fail(errc::enosys, "EVTCHNOP sub-op not implemented by xenhv (2-level ABI only)");
  }
}


/// Locks \p a's and \p b's tables (once if they are the same domain) without lock-order
/// deadlocks.
struct two_domain_lock {
  /// Locks both.
  two_domain_lock(domain& a, domain& b) : la(a.mu, std::defer_lock), lb(b.mu, std::defer_lock) {
    if (&a == &b)
      la.lock();
    else
      std::lock(la, lb);
  }
  std::unique_lock<std::recursive_mutex> la;  ///< The first domain's lock.
  std::unique_lock<std::recursive_mutex> lb;  ///< The second domain's lock (unowned if the same).
};

/// The 32-bit word holding a v1 grant entry's flags (low half) and domid (high half), changed
/// atomically as the guest changes it concurrently. Null if \p ref is beyond \p g's table
/// (call with `g.mu` held).
inline std::uint32_t* grant_entry_word(const domain& g, std::uint32_t ref) noexcept {
  constexpr std::uint32_t per_frame = 4096 / sizeof(abi::grant_entry_v1);
  std::byte* frame = g.grant_frame(ref / per_frame);
  if (frame == nullptr) return nullptr;
  return std::launder(reinterpret_cast<std::uint32_t*>(frame + (ref % per_frame) * sizeof(abi::grant_entry_v1)));
}

/// Drops one mapping's pin of \p g's grant \p ref; clears GTF_writing when no writable mapping
/// remains and GTF_reading when none remains (call with `g.mu` held).
inline void grant_unpin(domain& g, std::uint32_t ref, bool readonly) noexcept {
  auto it = g.grant_pins.find(ref);
  if (it == g.grant_pins.end()) return;
  auto& [readers, writers] = it->second;
  if (readers > 0) --readers;
  if (!readonly && writers > 0) --writers;
  std::uint32_t clear = 0;
  if (writers == 0) clear |= abi::GTF::writing;
  if (readers == 0) clear |= abi::GTF::reading;
  if (readers == 0) g.grant_pins.erase(it);
  if (std::uint32_t* w = grant_entry_word(g, ref)) __atomic_fetch_and(w, ~clear, __ATOMIC_ACQ_REL);
}

}  // namespace detail

/// The outcome of `grant_map`: a GNTST_* status and, when it is okay, the mapping's handle.
struct grant_map_result {
  abi::GNTST status = abi::GNTST::general_error;  ///< GNTST_okay or why the map failed.
  std::uint32_t handle = 0;                       ///< The handle for `grant_unmap` (if okay).
};

/// GNTTABOP_map_grant_ref for backends, in xenhv's model: \p mapper maps grant \p ref of
/// domain \p granter_id (DOMID_SELF: itself). The granter's v1 entry must permit access to
/// \p mapper (GTF_permit_access, no sub-page, its domid) and, unless \p readonly, not be
/// GTF_readonly; the entry then gets GTF_reading (and GTF_writing if writable) until the last
/// such mapping is unmapped, and the mapping gets a handle in \p mapper's maptrack.
///
/// Model: the mapping does not change the mapper's guest-physical address space (\p host_addr
/// is only recorded, and checked again at unmap); what it gives is a checked view of the
/// granted frame for a backend in this process, `granted_frame()`, which translates through
/// the granter's RAM on every use. Statuses as Xen: unknown domain GNTST_bad_domain, reference
/// beyond the table GNTST_bad_gntref, no free handle GNTST_no_space, entry not granting this
/// access GNTST_general_error, granted frame outside the granter's RAM (or absent)
/// GNTST_bad_page.
inline grant_map_result grant_map(domain& mapper, std::uint16_t granter_id, std::uint32_t ref, bool readonly,
                                  std::uint64_t host_addr = 0) {
  using abi::GNTST;
  const std::uint16_t gid = granter_id == abi::DOMID::SELF ? mapper.id : granter_id;
  domain* g = gid == mapper.id ? &mapper : (mapper.owner != nullptr ? mapper.owner->find(gid) : nullptr);
  if (g == nullptr) return {GNTST::bad_domain, 0};
  detail::two_domain_lock lock(mapper, *g);
  std::uint32_t* w = detail::grant_entry_word(*g, ref);
  if (w == nullptr) return {GNTST::bad_gntref, 0};
  std::size_t handle = 0;
  while (handle < mapper.maptrack.size() && mapper.maptrack[handle].in_use) ++handle;
  if (handle >= domain::max_maptrack) return {GNTST::no_space, 0};
  std::uint32_t cur = __atomic_load_n(w, __ATOMIC_ACQUIRE);
  for (;;) {
    const std::uint32_t flags = cur & 0xffffu;
    if ((flags & (abi::GTF::type_mask | abi::GTF::sub_page)) != abi::GTF::permit_access || (cur >> 16) != mapper.id)
      return {GNTST::general_error, 0};
    if (!readonly && (flags & abi::GTF::readonly) != 0) return {GNTST::general_error, 0};
    const std::uint32_t want = cur | abi::GTF::reading | (readonly ? 0u : std::uint32_t{abi::GTF::writing});
    if (__atomic_compare_exchange_n(w, &cur, want, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
  }
  auto& pins = g->grant_pins[ref];
  ++pins.first;
  if (!readonly) ++pins.second;
  const std::uint64_t gfn = __atomic_load_n(w + 1, __ATOMIC_ACQUIRE);  // the entry's frame
  if (!g->mem.present(gfn)) {
    detail::grant_unpin(*g, ref, readonly);
    return {GNTST::bad_page, 0};
  }
  if (handle == mapper.maptrack.size()) mapper.maptrack.emplace_back();
  mapper.maptrack[handle] = domain::grant_mapping{true, readonly, gid, ref, gfn, host_addr};
  return {GNTST::okay, static_cast<std::uint32_t>(handle)};
}

/// GNTTABOP_unmap_grant_ref for backends: ends \p mapper's mapping \p handle, dropping the
/// granter's GTF_reading/GTF_writing as no mapping needs them. GNTST_bad_handle if the handle
/// is not a live mapping; GNTST_general_error if \p host_addr is non-zero and not the address
/// given at map time (the mapping stays).
inline abi::GNTST grant_unmap(domain& mapper, std::uint32_t handle, std::uint64_t host_addr = 0) {
  std::unique_lock mlock(mapper.mu);
  if (handle >= mapper.maptrack.size() || !mapper.maptrack[handle].in_use) return abi::GNTST::bad_handle;
  const domain::grant_mapping m = mapper.maptrack[handle];
  if (host_addr != 0 && host_addr != m.host_addr) return abi::GNTST::general_error;
  mlock.unlock();
  domain* g = m.granter == mapper.id ? &mapper : (mapper.owner != nullptr ? mapper.owner->find(m.granter) : nullptr);
  if (g == nullptr) {  // the granter is gone: only the handle is left to free
    std::lock_guard l(mapper.mu);
    mapper.maptrack[handle].in_use = false;
    return abi::GNTST::okay;
  }
  detail::two_domain_lock lock(mapper, *g);
  if (!mapper.maptrack[handle].in_use) return abi::GNTST::bad_handle;  // unmapped meanwhile
  mapper.maptrack[handle].in_use = false;
  detail::grant_unpin(*g, m.ref, m.readonly);
  return abi::GNTST::okay;
}

/// A backend's view of a mapped grant (see `granted_frame`).
struct granted_view {
  std::span<std::byte> bytes;  ///< The granted frame's 4096 bytes.
  bool readonly = true;        ///< True for a read-only mapping: the backend must not write.
};

/// The granted frame behind \p mapper's mapping \p handle, for a backend: translated through
/// the granter's RAM on each call, so a frame the granter no longer has is `efault`; a handle
/// that is not a live mapping is `einval`. Writable only if the mapping is (the caller must
/// honour `readonly`).
[[nodiscard]] inline result<granted_view> granted_frame(domain& mapper, std::uint32_t handle) {
  domain::grant_mapping m;
  {
    std::lock_guard l(mapper.mu);
    if (handle >= mapper.maptrack.size() || !mapper.maptrack[handle].in_use) return errc::einval;
    m = mapper.maptrack[handle];
  }
  domain* g = m.granter == mapper.id ? &mapper : (mapper.owner != nullptr ? mapper.owner->find(m.granter) : nullptr);
  if (g == nullptr || m.gfn > (~std::uint64_t{0} >> 12)) return errc::efault;
  auto bytes = g->mem.translate(phys_addr{m.gfn << 12}, 4096);
  if (!bytes) return bytes.error();
  return granted_view{bytes.value(), m.readonly};
}

namespace detail {

/// The domain one end of a GNTTABOP_copy names for \p caller (Xen's first step, taken for both
/// ends before either reference or frame is looked at): \p owner, or GNTST_bad_domain for no
/// such domain, then GNTST_permission_denied for a frame (not a reference) named by any domain
/// id but DOMID_SELF, as Xen 4.17 (measured: even the caller's own id may not).
inline abi::GNTST grant_copy_domain(domain& caller, std::uint16_t domid, bool is_gref, domain*& owner) {
  const std::uint16_t id = domid == abi::DOMID::SELF ? caller.id : domid;
  owner = id == caller.id ? &caller : (caller.owner != nullptr ? caller.owner->find(id) : nullptr);
  if (owner == nullptr) return abi::GNTST::bad_domain;
  if (!is_gref && domid != abi::DOMID::SELF) return abi::GNTST::permission_denied;
  return abi::GNTST::okay;
}

/// The page one end of a GNTTABOP_copy names in \p owner (Xen's second step): reference beyond
/// the table GNTST_bad_gntref; an entry not granting \p caller this access (or a write through
/// a read-only grant) GNTST_general_error; a frame outside the owner's RAM GNTST_bad_page.
inline abi::GNTST grant_copy_page(const domain& caller, domain& owner, bool is_gref, std::uint64_t ref_or_gmfn,
                                  bool write, std::byte*& page) {
  using abi::GNTST;
  std::uint64_t gfn = ref_or_gmfn;
  if (is_gref) {
    std::lock_guard lock(owner.mu);
    const std::uint64_t per_frame = 4096 / sizeof(abi::grant_entry_v1);
    std::byte* frame = owner.grant_frame(static_cast<std::size_t>(ref_or_gmfn / per_frame));
    if (frame == nullptr) return GNTST::bad_gntref;
    abi::grant_entry_v1 e;
    std::memcpy(&e, frame + (ref_or_gmfn % per_frame) * sizeof e, sizeof e);
    // Xen: an entry that does not grant the caller access, or a write through a read-only
    // grant, is GNTST_general_error.
    if ((e.flags & abi::GTF::type_mask) != abi::GTF::permit_access || e.domid != caller.id)
      return GNTST::general_error;
    if (write && (e.flags & abi::GTF::readonly) != 0) return GNTST::general_error;
    gfn = e.frame;
  }
  if (gfn > (~std::uint64_t{0} >> 12)) return GNTST::bad_page;
  auto bytes = owner.mem.translate(phys_addr{gfn << 12}, 4096);
  if (!bytes) return GNTST::bad_page;
  page = bytes.value().data();
  return GNTST::okay;
}

/// Resolves one end of a GNTTABOP_copy for \p caller: the host bytes of the page, or a GNTST_*
/// (grant_copy_domain, then grant_copy_page).
inline abi::GNTST grant_copy_end(domain& caller, std::uint16_t domid, bool is_gref, std::uint64_t ref_or_gmfn,
                                 bool write, std::byte*& page) {
  domain* owner = nullptr;
  const abi::GNTST st = grant_copy_domain(caller, domid, is_gref, owner);
  if (st != abi::GNTST::okay) return st;
  return grant_copy_page(caller, *owner, is_gref, ref_or_gmfn, write, page);
}

}  // namespace detail

/// One GNTTABOP_copy element performed by \p caller (a guest's hypercall, or a backend in this
/// process copying through the grants a guest gave it), in either width's layout. The checks
/// come in Xen's order (gnttab_copy_one), so an element with several faults gets Xen's status:
/// first both ends' domains, source then destination (`detail::grant_copy_domain`: unknown
/// domain GNTST_bad_domain; a frame named by any domain id but DOMID_SELF
/// GNTST_permission_denied), then the source's reference or frame and the destination's
/// (`detail::grant_copy_page`: reference beyond the table GNTST_bad_gntref; an entry not
/// granting \p caller this access GNTST_general_error; a frame outside the owner's RAM
/// GNTST_bad_page), and only then the offsets and length (beyond the page: GNTST_bad_copy_arg).
/// Copies, and stores the status in `op.status` as well as returning it.
template <class W>
inline abi::GNTST grant_copy(domain& caller, abi::tmpl::gnttab_copy<W>& op) {
  const bool sg = (op.flags & abi::GNTCOPY::source_gref) != 0;
  const bool dg = (op.flags & abi::GNTCOPY::dest_gref) != 0;
  domain* src_owner = nullptr;
  domain* dst_owner = nullptr;
  std::byte* src = nullptr;
  std::byte* dst = nullptr;
  abi::GNTST st = detail::grant_copy_domain(caller, op.source.domid, sg, src_owner);
  if (st == abi::GNTST::okay) st = detail::grant_copy_domain(caller, op.dest.domid, dg, dst_owner);
  if (st == abi::GNTST::okay)
    st = detail::grant_copy_page(caller, *src_owner, sg, sg ? op.source.u.ref : op.source.u.gmfn, false, src);
  if (st == abi::GNTST::okay)
    st = detail::grant_copy_page(caller, *dst_owner, dg, dg ? op.dest.u.ref : op.dest.u.gmfn, true, dst);
  if (st == abi::GNTST::okay &&
      (std::uint32_t{op.source.offset} + op.len > 4096 || std::uint32_t{op.dest.offset} + op.len > 4096))
    st = abi::GNTST::bad_copy_arg;
  if (st == abi::GNTST::okay) std::memmove(dst + op.dest.offset, src + op.source.offset, op.len);
  op.status = static_cast<std::int16_t>(st);
  return st;
}

/// Which way `grant_copy_host` copies.
enum class grant_copy_dir : std::uint8_t {
  from_guest,  ///< Granted page -> host buffer (the grant may be read-only).
  to_guest,    ///< Host buffer -> granted page (the grant must be writable).
};

/// GNTTABOP_copy with one end in host memory, for a backend running in this process on behalf
/// of \p caller (its driver domain): copies `host.size()` bytes between \p host and offset
/// \p offset of the page domain \p domid granted to \p caller as reference \p ref. The guest end
/// is checked exactly as a GNTTABOP_copy end (see `grant_copy`) and, as there, before the
/// bounds: then a length that crosses the page is GNTST_bad_copy_arg. Nothing is copied unless
/// the result is GNTST_okay.
inline abi::GNTST grant_copy_host(domain& caller, std::uint16_t domid, std::uint32_t ref, std::uint16_t offset,
                                  std::span<std::byte> host, grant_copy_dir dir) {
  std::byte* page = nullptr;
  const abi::GNTST st =
      detail::grant_copy_end(caller, domid, true, ref, dir == grant_copy_dir::to_guest, page);
  if (st != abi::GNTST::okay) return st;
  if (std::uint64_t{offset} + host.size() > 4096) return abi::GNTST::bad_copy_arg;
  if (host.empty()) return st;
  if (dir == grant_copy_dir::to_guest)
    std::memmove(page + offset, host.data(), host.size());
  else
    std::memmove(host.data(), page + offset, host.size());
  return st;
}

namespace detail {

/// The GNTST_* for a grant-table query by the caller about domain \p id: okay for the caller
/// itself, bad_domain for no such domain, permission_denied for another (toolstack only).
inline abi::GNTST grant_query_target(hcall& c, std::uint16_t id) {
  domain* t = find_domain(c, id);
  if (t == nullptr) return abi::GNTST::bad_domain;
  return t == &c.d ? abi::GNTST::okay : abi::GNTST::permission_denied;
}

inline std::int64_t grant_table_op(hcall& c) {
  // Xen's do_grant_table_op takes `unsigned int cmd, ..., unsigned int count`.
  const auto cmd = static_cast<std::uint32_t>(c.a.a[0]);
  const auto uop = c.a.a[1];
  const auto count = static_cast<std::uint32_t>(c.a.a[2]);
  c.arg("cmd", sub_name("GNTTABOP_", cmd, {"map_grant_ref", "unmap_grant_ref", "setup_table", "dump_table", "transfer",
                                           "copy", "query_size", "unmap_and_replace", "set_version",
                                           "get_status_frames", "get_version"}));
  c.arg("count", std::to_string(count));
  domain& d = c.d;
  {
    // A Xen domain starts with one grant-table frame; xenhv allocates it on first use, which
    // the domain cannot tell apart (this keeps idle domains small).
    std::lock_guard lock(d.mu);
    d.grow_grant_table(1);
  }
  switch (static_cast<abi::GNTTABOP>(cmd)) {
    case abi::GNTTABOP::setup_table: return c.by_width([&](auto w) -> std::int64_t {
      using W = decltype(w);
      using pfn_element = typename W::pfn_element;
      if (count != 1) return c.fail(errc::einval, "count must be 1");
      auto r = c.in<abi::tmpl::gnttab_setup_table<W>>(uop);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("dom", dom_name(x.dom));
      c.arg("nr_frames", std::to_string(x.nr_frames));
      if (const auto t = grant_query_target(c, x.dom); t != abi::GNTST::okay) {
        x.status = static_cast<std::int16_t>(t);
      } else if (x.nr_frames > domain::max_grant_frames) {
        x.status = static_cast<std::int16_t>(abi::GNTST::general_error);
      } else {
        std::lock_guard lock(d.mu);
        d.grow_grant_table(x.nr_frames);
        x.status = static_cast<std::int16_t>(abi::GNTST::okay);
        for (std::uint32_t i = 0; i < x.nr_frames; ++i) {
          const auto gfn = static_cast<pfn_element>(d.grant_frame_gfn(i).value_or(~std::uint64_t{0}));
          if (!c.out(x.frame_list.address() + i * sizeof(pfn_element), gfn)) {  // Xen: a status, not -EFAULT
            x.status = static_cast<std::int16_t>(abi::GNTST::bad_virt_addr);
            break;
          }
        }
      }
      if (!c.out(uop, x)) return c.fail(errc::efault, "bad argument pointer");
      if (x.status != 0) c.rec.note = "status " + std::to_string(x.status);
      return 0;
    });
    case abi::GNTTABOP::map_grant_ref: {
      if (count > 0x7fffffffu) return c.fail(errc::einval, "count above INT_MAX");
      int failed = 0;
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t at = uop + i * sizeof(abi::gnttab_map_grant_ref);
        auto r = c.in<abi::gnttab_map_grant_ref>(at);
        if (!r) return c.fail(errc::efault, "bad argument array at element " + std::to_string(i));
        auto x = r.value();
        if (count == 1) {
          c.arg("dom", dom_name(x.dom));
          c.arg("ref", std::to_string(x.ref));
          c.arg("flags", hex(x.flags));
        }
        grant_map_result res;
        if (x.dom == abi::DOMID::SELF)
          res.status = abi::GNTST::bad_domain;  // Xen looks the granter up by id: DOMID_SELF is none
        else if ((x.flags & (abi::GNTMAP::host_map | abi::GNTMAP::device_map)) == 0)
          res.status = abi::GNTST::bad_gntref;  // neither a host nor a device mapping
        else if ((x.flags & (abi::GNTMAP::device_map | abi::GNTMAP::application_map | abi::GNTMAP::contains_pte)) != 0)
          res.status = abi::GNTST::general_error;  // PV-only mapping kinds for an auto-translated guest
        else
          res = grant_map(d, x.dom, x.ref, (x.flags & abi::GNTMAP::readonly) != 0, x.host_addr);
        x.status = static_cast<std::int16_t>(res.status);
        x.handle = res.handle;
        x.dev_bus_addr = 0;
        failed += res.status != abi::GNTST::okay;
        if (!c.out(at, x)) return c.fail(errc::efault, "bad argument array at element " + std::to_string(i));
      }
      if (failed != 0) c.rec.note = std::to_string(failed) + " element(s) failed, see their status";
      return 0;
    }
    case abi::GNTTABOP::unmap_grant_ref: {
      if (count > 0x7fffffffu) return c.fail(errc::einval, "count above INT_MAX");
      int failed = 0;
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t at = uop + i * sizeof(abi::gnttab_unmap_grant_ref);
        auto r = c.in<abi::gnttab_unmap_grant_ref>(at);
        if (!r) return c.fail(errc::efault, "bad argument array at element " + std::to_string(i));
        auto x = r.value();
        if (count == 1) c.arg("handle", std::to_string(x.handle));
        const auto st = grant_unmap(d, x.handle, x.host_addr);
        x.status = static_cast<std::int16_t>(st);
        failed += st != abi::GNTST::okay;
        if (!c.out(at, x)) return c.fail(errc::efault, "bad argument array at element " + std::to_string(i));
      }
      if (failed != 0) c.rec.note = std::to_string(failed) + " element(s) failed, see their status";
      return 0;
    }
    case abi::GNTTABOP::query_size: {
      if (count != 1) return c.fail(errc::einval, "count must be 1");
      auto r = c.in<abi::gnttab_query_size>(uop);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("dom", dom_name(x.dom));
      if (const auto t = grant_query_target(c, x.dom); t != abi::GNTST::okay) {
        x.status = static_cast<std::int16_t>(t);
      } else {
        std::lock_guard lock(d.mu);
        x.nr_frames = static_cast<std::uint32_t>(d.grant_frames());
        x.max_nr_frames = domain::max_grant_frames;
        x.status = static_cast<std::int16_t>(abi::GNTST::okay);
      }
      if (!c.out(uop, x)) return c.fail(errc::efault, "bad argument pointer");
      c.rec.note = "nr_frames " + std::to_string(x.nr_frames) + ", max " + std::to_string(x.max_nr_frames);
      return 0;
    }
    case abi::GNTTABOP::set_version: {
      auto r = c.in<abi::gnttab_set_version>(uop);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto want = r.value().version;
      c.arg("version", std::to_string(want));
      // Xen writes the version in force back in every case. xenhv implements v1 only and answers
      // a request for v2 as Xen booted with gnttab=max-ver:1 does (-ENOSYS).
      abi::gnttab_set_version v{1};
      if (!c.out(uop, v)) return c.fail(errc::efault, "bad argument pointer");
      if (want != 1 && want != 2) return c.fail(errc::einval, "versions are 1 and 2");
      if (want == 2) return c.fail(errc::enosys, "xenhv implements grant table v1 only (as Xen with gnttab=max-ver:1)");
      return 0;
    }
    case abi::GNTTABOP::get_version: {
      auto r = c.in<abi::gnttab_get_version>(uop);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      auto x = r.value();
      c.arg("dom", dom_name(x.dom));
      if (find_domain(c, x.dom) == nullptr) return c.fail(errc::esrch, "no such domain");
      if (x.dom != abi::DOMID::SELF && x.dom != d.id) return c.fail(errc::eperm, "another domain's table is for the toolstack");
      x.version = 1;
      if (!c.out(uop, x)) return c.fail(errc::efault, "bad argument pointer");
      return 0;
    }
    case abi::GNTTABOP::copy: return c.by_width([&](auto w) -> std::int64_t {
      using copy_t = abi::tmpl::gnttab_copy<decltype(w)>;  // the caller's layout
      int failed = 0;
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t at = uop + i * sizeof(copy_t);
        auto r = c.in<copy_t>(at);
        if (!r) return c.fail(errc::efault, "bad argument array at element " + std::to_string(i));
        auto x = r.value();
        const abi::GNTST st = hv::grant_copy(d, x);
        failed += st != abi::GNTST::okay;
        if (!c.out(at, x)) return c.fail(errc::efault, "bad argument array at element " + std::to_string(i));
      }
      if (failed != 0) c.rec.note = std::to_string(failed) + " element(s) failed, see their status";
      return 0;
    });
    default:
      return c.fail(errc::enosys, "GNTTABOP sub-op not implemented by xenhv");
  }
}

}  // namespace detail

/// Why a PVH guest of width \p guest64 gets -ENOSYS for hypercall \p nr: Xen's own refusal
/// (from the mode table: not in Xen's PVH dispatch table) or xenhv's (accepted by Xen, not
/// implemented here).
[[nodiscard]] inline std::string pvh_refusal_reason(std::uint32_t nr, bool guest64) {
  const auto w = guest64 ? xenabi::guest_width::x86_64 : xenabi::guest_width::x86_32;
  const auto* e = xenabi::find_hypercall_mode(nr);
  if (e == nullptr) return "no such hypercall in Xen 4.17";
  if (!xenabi::hypercall_accepted(nr, xenabi::guest_mode::pvh, w)) {
    std::string why = std::string("Xen does not accept ") + e->name + " from a PVH guest";
    if (e->note != nullptr && *e->note != '\0') why += std::string(": ") + e->note;
    return why;
  }
  return std::string(e->name) + " is accepted by Xen for PVH but not implemented by xenhv";
}

/// Executes one hypercall for vCPU \p v and returns the value for rax. Traces it.
std::int64_t dispatch(vcpu& v, const hypercall_args& a, const guest_view& g, const hypercall_policy& policy);

namespace detail {

/// Toolstack hypercalls (platform_op, sysctl, domctl) from a domain that is not the control
/// domain, in Xen's order: the argument structure of \p size bytes is read (-EFAULT), its
/// interface_version checked against \p version (-EACCES), then privilege (-EPERM).
inline std::int64_t privileged_struct_op(hcall& c, std::uint64_t size, std::uint32_t version) {
  const auto arg = c.a.a[0];
  c.arg("op", hex(arg));
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(size));
  if (!c.g.copy_from_guest(buf.data(), virt_addr{arg}, size)) return c.fail(errc::efault, "bad argument pointer");
  std::uint32_t cmd = 0, iv = 0;
  std::memcpy(&cmd, buf.data(), 4);
  std::memcpy(&iv, buf.data() + 4, 4);
  c.arg("cmd", std::to_string(cmd));
  c.arg("interface_version", hex(iv));
  if (iv != version) return c.fail(errc::eacces, "interface_version is not " + hex(version));
  return c.fail(errc::eperm, "privileged: control domain only");
}

/// paging_domctl_cont (Xen-internal number 49): the continuation of a shadow-paging domctl.
inline std::int64_t paging_domctl_cont(hcall& c) {
  const auto arg = c.a.a[0];
  c.arg("op", hex(arg));
  std::uint8_t buf[144];  // struct xen_domctl
  if (!c.g.copy_from_guest(buf, virt_addr{arg}, sizeof buf)) return c.fail(errc::efault, "bad argument pointer");
  std::uint32_t cmd = 0, iv = 0;
  std::uint16_t dom = 0;
  std::memcpy(&cmd, buf, 4);
  std::memcpy(&iv, buf + 4, 4);
  std::memcpy(&dom, buf + 8, 2);
  if (iv != 0x15 || cmd != 10) return c.fail(errc::eopnotsupp, "only a XEN_DOMCTL_shadow_op of interface 0x15 continues");
  if (dom == abi::DOMID::SELF || find_domain(c, dom) == nullptr) return c.fail(errc::esrch, "no such domain");
  return c.fail(errc::eperm, "privileged: control domain only");
}

/// vm_assist(cmd, type): a PVH guest has one assist, VMASST_TYPE_runstate_update_flag (5).
inline std::int64_t vm_assist(hcall& c) {
  const auto cmd = static_cast<std::uint32_t>(c.a.a[0]);
  const auto type = static_cast<std::uint32_t>(c.a.a[1]);
  c.arg("cmd", cmd == 0 ? "VMASST_CMD_enable" : cmd == 1 ? "VMASST_CMD_disable" : std::to_string(cmd));
  c.arg("type", std::to_string(type));
  constexpr std::uint32_t runstate_update_flag = 5;
  if (type != runstate_update_flag) return c.fail(errc::einval, "not an assist for PVH guests");
  if (cmd > 1) return c.fail(errc::enosys, "unknown VMASST_CMD");
  __atomic_store_n(&c.d.runstate_update_flag, cmd == 0, __ATOMIC_RELEASE);
  return 0;
}

/// mmuext_op(ops, count, done, foreigndom) from a PVH guest: Xen lets it act only on a PV
/// domain's pages (a PVH toolstack building PV guests); xenhv has no PV domains, so the owner
/// lookup decides: itself or another (HVM) domain -EINVAL, its own id or no such domain
/// -ESRCH; DOMID_IO/DOMID_XEN get as far as reading the operations.
inline std::int64_t mmuext_op(hcall& c) {
  const auto ops = c.a.a[0];
  const auto count = static_cast<std::uint32_t>(c.a.a[1]);
  const auto fd = static_cast<std::uint16_t>(c.a.a[3]);
  c.arg("ops", hex(ops));
  c.arg("count", std::to_string(count));
  c.arg("foreigndom", dom_name(fd));
  if (fd == abi::DOMID::SELF) return c.fail(errc::einval, "a PVH caller may only act on PV domains");
  if (fd == c.d.id) return c.fail(errc::esrch, "own id as foreign domain");
  if (fd == abi::DOMID::IO || fd == abi::DOMID::XEN) {
    const std::uint32_t n = count & 0x7fffffffu;  // MMU_UPDATE_PREEMPTED is bit 31
    std::uint8_t op[24];                              // struct mmuext_op
    if (n != 0 && !c.g.copy_from_guest(op, virt_addr{ops}, sizeof op)) return c.fail(errc::efault, "bad ops pointer");
    if (n == 0) return 0;
    return c.fail(errc::enosys, "MMUEXT operations on DOMID_IO/DOMID_XEN are not implemented by xenhv");
  }
  if (find_domain(c, fd) == nullptr) return c.fail(errc::esrch, "no such domain");
  return c.fail(errc::einval, "a PVH caller may only act on PV domains");
}

/// dm_op(domid, nr_bufs, bufs): device-model operations on another HVM domain; refused, in
/// Xen's order, for a domain that is not that domain's device model.
inline std::int64_t dm_op(hcall& c) {
  const auto domid = static_cast<std::uint16_t>(c.a.a[0]);
  const auto nr = static_cast<std::uint32_t>(c.a.a[1]);
  const auto bufs = c.a.a[2];
  c.arg("domid", dom_name(domid));
  c.arg("nr_bufs", std::to_string(nr));
  if (nr > 2) return c.fail(errc::e2big, "at most 2 buffers");
  std::uint8_t b[32];
  if (nr != 0 && !c.g.copy_from_guest(b, virt_addr{bufs}, nr * 16u)) return c.fail(errc::efault, "bad buffer array");
  if (nr == 0) return c.fail(errc::enodata, "no buffer");
  if (domid == c.d.id) return c.fail(errc::eperm, "a domain is not its own device model");
  if (domid == abi::DOMID::SELF || find_domain(c, domid) == nullptr) return c.fail(errc::esrch, "no such domain");
  return c.fail(errc::eperm, "not the device model of that domain");
}

inline std::int64_t multicall(hcall& c) {
  const auto list = c.a.a[0];
  const auto n = static_cast<std::uint32_t>(c.a.a[1]);  // Xen: unsigned int nr_calls
  c.arg("call_list", hex(list));
  c.arg("nr_calls", std::to_string(n));
  // Entries in the caller's layout (32-bit: 4-byte op, result and arguments); each call is
  // dispatched as from the caller's width.
  return c.by_width([&](auto w) -> std::int64_t {
  using entry_t = abi::tmpl::multicall_entry<decltype(w)>;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto e = c.in<entry_t>(list + i * sizeof(entry_t));
    if (!e) return c.fail(errc::efault, "bad call list at entry " + std::to_string(i));
    hypercall_args inner;
    // The entry's op is a full word: a number beyond 32 bits is no hypercall.
    const std::uint64_t op_word = e.value().op;
    inner.nr = op_word > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(op_word);
    for (std::size_t k = 0; k < 6; ++k) inner.a[k] = e.value().args[k];
    inner.guest64 = c.a.guest64;
    std::int64_t rc;
    if (inner.nr == static_cast<std::uint32_t>(abi::hypercall::multicall)) {
      rc = xenabi::to_hypercall_rc(errc::einval);
    } else {
      rc = dispatch(c.v, inner, c.g, c.policy);
    }
    auto out = e.value();
    out.result = static_cast<decltype(out.result)>(static_cast<std::uint64_t>(rc));
    if (!c.out(list + i * sizeof(entry_t), out))
      return c.fail(errc::efault, "bad call list at entry " + std::to_string(i));
    if (c.d.shutdown() != shutdown_kind::none) break;
  }
  return 0;
  });
}

}  // namespace detail

inline std::int64_t dispatch(vcpu& v, const hypercall_args& a, const guest_view& g, const hypercall_policy& policy) {
  trace_record rec;
  rec.domain = v.dom.id;
  rec.vcpu = v.id;
  rec.nr = a.nr;
  rec.name = hypercall_name(a.nr);
  hcall c{v.dom, v, g, a, policy, rec};
  std::int64_t rc;
  using H = abi::hypercall;
  switch (static_cast<H>(a.nr)) {
    case H::xen_version: rc = detail::xen_version(c); break;
    case H::console_io: rc = detail::console_io(c); break;
    case H::hvm_op: rc = detail::hvm_op(c); break;
    case H::memory_op: rc = detail::memory_op(c); break;
    case H::vcpu_op: rc = detail::vcpu_op(c); break;
    case H::set_timer_op: rc = detail::set_timer_op(c); break;
    case H::sched_op: rc = detail::sched_op(c); break;
    case H::event_channel_op: rc = detail::event_channel_op(c); break;
    case H::grant_table_op: rc = detail::grant_table_op(c); break;
    case H::multicall: rc = detail::multicall(c); break;
    case H::platform_op: rc = detail::privileged_struct_op(c, 136, 0x03000001); break;  // XENPF_INTERFACE_VERSION
    case H::sysctl: rc = detail::privileged_struct_op(c, 136, 0x15); break;             // XEN_SYSCTL_INTERFACE_VERSION
    case H::domctl: rc = detail::privileged_struct_op(c, 144, 0x15); break;             // XEN_DOMCTL_INTERFACE_VERSION
    case H::arch_1: rc = detail::paging_domctl_cont(c); break;
    case H::vm_assist: rc = detail::vm_assist(c); break;
    case H::mmuext_op: rc = detail::mmuext_op(c); break;
    case H::dm_op: rc = detail::dm_op(c); break;
    case H::xenpmu_op:
      c.arg("op", std::to_string(static_cast<std::uint32_t>(a.a[0])));
      rc = c.fail(errc::eopnotsupp, "no virtual PMU (as Xen with vpmu off, its default)");
      break;
    case H::hypfs_op:
      c.arg("cmd", std::to_string(static_cast<std::uint32_t>(a.a[0])));
      rc = c.fail(errc::eperm, "privileged: hypfs is for the control domain");
      break;
    default: {
      for (std::size_t i = 0; i < 3; ++i) c.arg("a" + std::to_string(i + 1), hex(a.a[i]));
      const auto* e = xenabi::find_hypercall_mode(a.nr);
      const auto w = a.guest64 ? xenabi::guest_width::x86_64 : xenabi::guest_width::x86_32;
      if (e != nullptr && xenabi::hypercall_accepted(a.nr, xenabi::guest_mode::pvh, w) && e->note != nullptr &&
          std::string_view(e->note).starts_with("privileged"))
        rc = c.fail(errc::eperm, e->note);  // as Xen for a domain that is not the control domain
      else
        rc = c.fail(errc::enosys, pvh_refusal_reason(a.nr, a.guest64));
      break;
    }
  }
  rec.result = rc;
  v.dom.trace.emit(std::move(rec));
  return rc;
}

}  // namespace hv

