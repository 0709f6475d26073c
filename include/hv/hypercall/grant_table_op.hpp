/// \file
/// Grant tables: grant_table_op (setup_table, query_size, set_version/get_version, copy in the
/// caller's width, map/unmap_grant_ref), grant frames mapped by XENMEM_add_to_physmap
/// (`detail::grant_map_frame`), and the same operations for backends running in this process
/// (`grant_map`, `grant_unmap`, `granted_frame`, `grant_copy`, `grant_copy_host`), with Xen's
/// GNTST_* statuses in Xen's order.
#pragma once

#include <cstdint>
#include <cstring>
#include <mutex>
#include <span>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {

namespace detail {

/// Maps grant-table frame \p idx of \p d at guest frame \p gpfn (XENMAPSPACE_grant_table).
inline result<void> grant_map_frame(domain& d, std::uint64_t idx, std::uint64_t gpfn) {
  std::lock_guard lock(d.mu);
  if ((idx & abi::XENMAPIDX::grant_table_status) != 0) return errc::einval;  // v2 status frames
  if (idx >= domain::max_grant_frames) return errc::einval;
  if (gpfn > (~std::uint64_t{0} >> 12) || !d.mem.contains(phys_addr{gpfn << 12}, 4096)) return errc::einval;
  d.grow_grant_table(static_cast<std::size_t>(idx) + 1);
  return d.map_grant_frame(static_cast<std::size_t>(idx), gpfn);
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
  // Xen's do_grant_table_op refuses a negative (int)count before it looks at the command.
  if (count > 0x7fffffffu) return c.fail(errc::einval, "count above INT_MAX");
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

}  // namespace hv
