/// \file
/// memory_op: XENMEM reservations (increase/decrease_reservation, populate_physmap, in the
/// caller's width), current/maximum_reservation, add_to_physmap (shared_info and grant frames),
/// memory_map, maximum_ram_page and the sharing counters.
#pragma once

#include <cstdint>
#include <string>

#include <hv/hypercall/common.hpp>
#include <hv/hypercall/grant_table_op.hpp>

namespace hv {
namespace detail {

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

}  // namespace detail
}  // namespace hv
