// Fidelity probe "memory": memory_op — memory_map, current/maximum_reservation, maximum_ram_page,
// add_to_physmap for shared_info and grant-table frames (valid, out-of-range index, bad space,
// bad domain), decrease_reservation/populate_physmap on a page of our own and with bad extents,
// unknown sub-ops. Sizes depend on each hypervisor's memory layout and are reduced to
// properties (non-zero, ordered, deltas).
#include <xenabi/abi/memory.hpp>

#include "probe.hpp"

const char* const probe::area = "memory";

namespace {
namespace abi = xenabi::abi;
using probe::addr;
using probe::obs;

long mem(std::uint64_t cmd, std::uintptr_t arg) { return probe::hcall(abi::hypercall::memory_op, cmd, arg); }
constexpr std::uint64_t op(abi::XENMEM c) { return static_cast<std::uint64_t>(c); }

constinit abi::e820entry e820[128]{};
alignas(4096) constinit unsigned char victim[4096]{};
alignas(4096) constinit unsigned char grant_frames[2][4096]{};

long reservation(abi::XENMEM cmd, std::uint64_t* list, std::uint64_t nr, std::uint32_t order,
                 abi::domid_t dom = abi::DOMID::SELF, std::uint32_t flags = 0) {
  abi::xen_memory_reservation r{};
  r.extent_start = decltype(r.extent_start)::from_address(addr(list));
  r.nr_extents = nr;
  r.extent_order = order;
  r.mem_flags = flags;
  r.domid = dom;
  return mem(op(cmd), addr(&r));
}

long current(abi::domid_t dom) { return mem(op(abi::XENMEM::current_reservation), addr(&dom)); }

long physmap(abi::XENMAPSPACE space, std::uint64_t idx, std::uint64_t gpfn, abi::domid_t dom = abi::DOMID::SELF) {
  abi::xen_add_to_physmap x{};
  x.domid = dom;
  x.space = static_cast<std::uint32_t>(space);
  x.idx = idx;
  x.gpfn = gpfn;
  return mem(op(abi::XENMEM::add_to_physmap), addr(&x));
}
long physmap_raw(std::uint32_t space, std::uint64_t idx, std::uint64_t gpfn) {
  abi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = space;
  x.idx = idx;
  x.gpfn = gpfn;
  return mem(op(abi::XENMEM::add_to_physmap), addr(&x));
}

void memory_map() {
  abi::xen_memory_map m{};
  m.nr_entries = 128;
  m.buffer = decltype(m.buffer)::from_address(addr(e820));
  long rc = mem(op(abi::XENMEM::memory_map), addr(&m));
  bool ordered = true, has_kernel = false;
  std::uint64_t prev_end = 0;
  for (std::uint32_t i = 0; i < m.nr_entries && i < 128; ++i) {
    const std::uint64_t a = (std::uint64_t{e820[i].addr_hi} << 32) | e820[i].addr_lo;
    const std::uint64_t s = (std::uint64_t{e820[i].size_hi} << 32) | e820[i].size_lo;
    if (a < prev_end) ordered = false;
    prev_end = a + s;
    if (e820[i].type == 1 && a <= 0x100000 && a + s > 0x100000) has_kernel = true;
  }
  obs("memory_map", rc).kv("nonempty", m.nr_entries > 0).kv("ordered", ordered).kv("ram_at_1m", has_kernel);
  m.nr_entries = 0;
  rc = mem(op(abi::XENMEM::memory_map), addr(&m));
  obs("memory_map_zero_entries", rc).kv("nr_entries", m.nr_entries);
  m.nr_entries = 1;
  rc = mem(op(abi::XENMEM::memory_map), addr(&m));
  obs("memory_map_one_entry", rc).kv("nr_entries", m.nr_entries);
  m.nr_entries = 4;
  m.buffer = decltype(m.buffer)::from_address(probe::bad_pointer);
  obs("memory_map_bad_buffer", mem(op(abi::XENMEM::memory_map), addr(&m)));
  m.nr_entries = 0;
  obs("memory_map_zero_entries_bad_buffer", mem(op(abi::XENMEM::memory_map), addr(&m))).kv("nr_entries", m.nr_entries);
  obs("memory_map_bad_pointer", mem(op(abi::XENMEM::memory_map), probe::bad_pointer));
}

void reservations() {
  const long self = current(abi::DOMID::SELF);
  obs("current_reservation_self", self < 0 ? self : 0).kv("positive", self > 0);
  const long zero = current(0);
  obs("current_reservation_domid_0", zero < 0 ? zero : 0).kv("same_as_self", zero == self);
  obs("current_reservation_domid_1", current(1));
  obs("current_reservation_domid_io", current(abi::DOMID::IO));
  obs("current_reservation_domid_invalid", current(abi::DOMID::INVALID));
  obs("current_reservation_bad_pointer", mem(op(abi::XENMEM::current_reservation), probe::bad_pointer));
  abi::domid_t d = abi::DOMID::SELF;
  const long max = mem(op(abi::XENMEM::maximum_reservation), addr(&d));
  obs("maximum_reservation_self", max < 0 ? max : 0).kv("at_least_current", max >= self);
  d = 1;
  obs("maximum_reservation_domid_1", mem(op(abi::XENMEM::maximum_reservation), addr(&d)));
  obs("maximum_reservation_bad_pointer", mem(op(abi::XENMEM::maximum_reservation), probe::bad_pointer));
  const long top = mem(op(abi::XENMEM::maximum_ram_page), 0);
  obs("maximum_ram_page", top < 0 ? top : 0).kv("positive", top > 0);
  obs("maximum_ram_page_start_extent", mem(op(abi::XENMEM::maximum_ram_page) | (1u << 6), 0));
}

void add_to_physmap() {
  using S = abi::XENMAPSPACE;
  const std::uint64_t gpfn = addr(&probe::shared_frame_) >> 12;
  obs("add_to_physmap_shared_info", physmap(S::shared_info, 0, gpfn));
  obs("add_to_physmap_shared_info_again", physmap(S::shared_info, 0, gpfn));
  obs("add_to_physmap_shared_info_idx_1", physmap(S::shared_info, 1, gpfn));
  obs("add_to_physmap_shared_info_idx_huge", physmap(S::shared_info, ~std::uint64_t{0}, gpfn));
  obs("add_to_physmap_shared_info_domid_1", physmap(S::shared_info, 0, gpfn, 1));
  obs("add_to_physmap_shared_info_domid_invalid", physmap(S::shared_info, 0, gpfn, abi::DOMID::INVALID));
  obs("add_to_physmap_shared_info_bad_pointer", mem(op(abi::XENMEM::add_to_physmap), probe::bad_pointer));
  // The shared page is readable where we put it.
  obs("shared_info_readable", 0).kv("evtchn_mask_word0_all_ones", probe::shared().evtchn_mask[0] == ~0ull ? 1u : 0u);
  const std::uint64_t g0 = addr(&grant_frames[0]) >> 12, g1 = addr(&grant_frames[1]) >> 12;
  obs("add_to_physmap_grant_0", physmap(S::grant_table, 0, g0));
  obs("add_to_physmap_grant_1", physmap(S::grant_table, 1, g1));
  obs("add_to_physmap_grant_0_again", physmap(S::grant_table, 0, g0));
  obs("add_to_physmap_grant_idx_63", physmap(S::grant_table, 63, g1));
  obs("add_to_physmap_grant_idx_64", physmap(S::grant_table, 64, g1));
  obs("add_to_physmap_grant_idx_1000", physmap(S::grant_table, 1000, g1));
  obs("add_to_physmap_grant_status_0", physmap(S::grant_table, abi::XENMAPIDX::grant_table_status, g1));
  obs("add_to_physmap_grant_domid_1", physmap(S::grant_table, 0, g0, 1));
  for (std::uint32_t space : {5u, 6u, 99u, 0xffffffffu}) {
    const long rc = physmap_raw(space, 0, g1);
    switch (space) {
      case 5: obs("add_to_physmap_space_dev_mmio", rc); break;
      case 6: obs("add_to_physmap_space_6", rc); break;
      case 99: obs("add_to_physmap_space_99", rc); break;
      default: obs("add_to_physmap_space_ffffffff", rc); break;
    }
  }
  obs("add_to_physmap_gmfn_foreign", physmap(S::gmfn_foreign, 0, g1));
}

void extents() {
  using M = abi::XENMEM;
  const long cur0 = current(abi::DOMID::SELF);
  std::uint64_t gfn = addr(victim) >> 12;
  victim[0] = 0x5a;
  obs("decrease_own_page", reservation(M::decrease_reservation, &gfn, 1, 0)).kvs("current_delta", current(abi::DOMID::SELF) - cur0);
  obs("decrease_absent_page", reservation(M::decrease_reservation, &gfn, 1, 0)).kvs("current_delta", current(abi::DOMID::SELF) - cur0);
  {
    const long rc = reservation(M::populate_physmap, &gfn, 1, 0);
    victim[1] = 0xa5;
    obs("populate_own_page", rc).kvs("current_delta", current(abi::DOMID::SELF) - cur0).kv("usable", victim[1] == 0xa5);
  }
  std::uint64_t far = 0x30000;  // 768 MiB: neither RAM nor a device on either side
  obs("decrease_unpopulated_gfn", reservation(M::decrease_reservation, &far, 1, 0));
  obs("decrease_bad_extent_list", reservation(M::decrease_reservation, reinterpret_cast<std::uint64_t*>(probe::bad_pointer), 1, 0));
  obs("decrease_zero_extents", reservation(M::decrease_reservation, &gfn, 0, 0));
  obs("decrease_order_huge", reservation(M::decrease_reservation, &gfn, 1, 40));
  obs("decrease_nr_extents_huge", reservation(M::decrease_reservation, &gfn, ~std::uint64_t{0}, 0));
  obs("decrease_domid_1", reservation(M::decrease_reservation, &gfn, 1, 0, 1));
  obs("decrease_bad_pointer", mem(op(M::decrease_reservation), probe::bad_pointer));
  obs("populate_bad_extent_list", reservation(M::populate_physmap, reinterpret_cast<std::uint64_t*>(probe::bad_pointer), 1, 0));
  obs("populate_zero_extents", reservation(M::populate_physmap, &gfn, 0, 0));
  obs("populate_order_huge", reservation(M::populate_physmap, &gfn, 1, 40));
  obs("populate_nr_extents_huge", reservation(M::populate_physmap, &gfn, ~std::uint64_t{0}, 0));
  obs("populate_domid_1", reservation(M::populate_physmap, &gfn, 1, 0, 1));
  obs("populate_bad_pointer", mem(op(M::populate_physmap), probe::bad_pointer));
  {
    abi::xen_memory_reservation r{};
    r.extent_start = decltype(r.extent_start)::from_address(addr(&gfn));
    r.nr_extents = 2;
    r.domid = abi::DOMID::SELF;
    obs("populate_start_extent_past_end", mem(op(M::populate_physmap) | (5u << 6), addr(&r)));
  }
  obs("final_reservation", 0).kvs("current_delta", current(abi::DOMID::SELF) - cur0);
}

}  // namespace

void probe::run() {
  memory_map();
  reservations();
  add_to_physmap();
  extents();
  for (unsigned cmd : {8u, 18u, 19u, 29u, 40u, 63u}) {
    char name[24] = "subop_";
    name[6] = static_cast<char>('0' + cmd / 10);
    name[7] = static_cast<char>('0' + cmd % 10);
    name[8] = '\0';
    obs(name, mem(cmd, 0));
  }
}
