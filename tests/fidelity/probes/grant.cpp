// Fidelity probe "grant": grant_table_op — query_size, setup_table, set_version (1, 2, 3, 0),
// get_version, copy (local frames, own grants, bad references, bad domains, bad lengths),
// argument errors (bad pointers, counts, command bits) and unknown sub-ops. Frame numbers are
// reduced to "the frame we mapped the table at" or not.
#include <xenabi/abi/grant_table.hpp>
#include <xenabi/abi/memory.hpp>

#include "probe.hpp"

const char* const probe::area = "grant";

namespace {
namespace abi = xenabi::abi;
using probe::addr;
using probe::obs;
using GOP = abi::GNTTABOP;

long gnt(std::uint64_t cmd, std::uintptr_t arg, std::uint64_t count) {
  return probe::hcall(abi::hypercall::grant_table_op, cmd, arg, count);
}
long gnt(GOP cmd, const void* arg, std::uint64_t count = 1) {
  return gnt(static_cast<std::uint64_t>(cmd), reinterpret_cast<std::uintptr_t>(arg), count);
}

alignas(4096) constinit abi::grant_entry_v1 table[512]{};  // grant frame 0, mapped here
alignas(4096) constinit unsigned char src_page[4096]{};
alignas(4096) constinit unsigned char dst_page[4096]{};

void query(const char* name, abi::domid_t dom) {
  abi::gnttab_query_size q{dom, 0xdead, 0xdead, 77};
  const long rc = gnt(GOP::query_size, &q);
  obs(name, rc).kvs("status", q.status).kv("nr_frames", q.nr_frames).kv("max_nr_frames", q.max_nr_frames);
}

void setup(const char* name, abi::domid_t dom, std::uint32_t nr, std::uintptr_t list, std::uint64_t count = 1) {
  static std::uint64_t frames[80];
  for (auto& f : frames) f = 0x1234;
  abi::gnttab_setup_table s{};
  s.dom = dom;
  s.nr_frames = nr;
  s.status = 77;
  s.frame_list = decltype(s.frame_list)::from_address(list == 0 ? addr(frames) : list);
  const long rc = gnt(GOP::setup_table, &s, count);
  const std::uint64_t mine = addr(table) >> 12;
  const char* first = frames[0] == 0x1234 ? "untouched" : frames[0] == mine ? "mapped_gfn" : "other";
  obs(name, rc).kvs("status", s.status).str("frame0", first);
}

void set_version(const char* name, std::uint32_t v) {
  abi::gnttab_set_version s{v};
  const long rc = gnt(GOP::set_version, &s);
  obs(name, rc).kv("version", s.version);
}

void get_version(const char* name, abi::domid_t dom) {
  abi::gnttab_get_version g{dom, 0, 0xdead};
  const long rc = gnt(GOP::get_version, &g);
  obs(name, rc).kv("version", g.version);
}

abi::gnttab_copy local_copy(std::uint16_t len) {
  abi::gnttab_copy c{};
  c.source.u.gmfn = addr(src_page) >> 12;
  c.source.domid = abi::DOMID::SELF;
  c.source.offset = 16;
  c.dest.u.gmfn = addr(dst_page) >> 12;
  c.dest.domid = abi::DOMID::SELF;
  c.dest.offset = 32;
  c.len = len;
  c.flags = 0;
  c.status = 77;
  return c;
}

void copy(const char* name, abi::gnttab_copy c) {
  for (unsigned i = 0; i < 64; ++i) {
    src_page[i] = static_cast<unsigned char>(i + 1);
    dst_page[i] = 0;
  }
  const long rc = gnt(GOP::copy, &c);
  bool copied = c.len > 0;
  for (unsigned i = 0; i < 8 && i < c.len; ++i) {
    const unsigned s = c.source.offset + i, d = c.dest.offset + i;
    copied = copied && s < 4096 && d < 4096 && dst_page[d] == src_page[s];
  }
  obs(name, rc).kvs("status", c.status).kv("copied", copied);
}

}  // namespace

void probe::run() {
  query("query_size_initial", abi::DOMID::SELF);
  query("query_size_domid_0", 0);
  query("query_size_domid_1", 1);
  query("query_size_domid_invalid", abi::DOMID::INVALID);
  obs("query_size_bad_pointer", gnt(static_cast<std::uint64_t>(GOP::query_size), probe::bad_pointer, 1));
  {
    abi::gnttab_query_size q{abi::DOMID::SELF, 0, 0, 77};
    obs("query_size_count_2", gnt(GOP::query_size, &q, 2)).kvs("status", q.status);
    obs("query_size_count_0", gnt(GOP::query_size, &q, 0)).kvs("status", q.status);
    q.status = 77;
    obs("query_size_count_high_bits", gnt(GOP::query_size, &q, (std::uint64_t{1} << 32) | 1u)).kvs("status", q.status);
    q.status = 77;
    obs("query_size_cmd_high_bits", gnt((std::uint64_t{1} << 32) | 6u, addr(&q), 1)).kvs("status", q.status);
    q.status = 77;
    obs("query_size_cmd_continuation_bits", gnt(0x80u | 6u, addr(&q), 1)).kvs("status", q.status);
    q.status = 77;
    obs("query_size_count_negative", gnt(GOP::query_size, &q, 0x80000000u)).kvs("status", q.status);
  }
  // Map frame 0 of the table at `table`, then ask for the frames.
  {
    abi::xen_add_to_physmap x{};
    x.domid = abi::DOMID::SELF;
    x.space = static_cast<std::uint32_t>(abi::XENMAPSPACE::grant_table);
    x.idx = 0;
    x.gpfn = addr(table) >> 12;
    obs("map_frame_0", probe::hcall(abi::hypercall::memory_op, static_cast<unsigned>(abi::XENMEM::add_to_physmap), addr(&x)));
  }
  setup("setup_table_1", abi::DOMID::SELF, 1, 0);
  setup("setup_table_0", abi::DOMID::SELF, 0, 0);
  setup("setup_table_4", abi::DOMID::SELF, 4, 0);
  query("query_size_after_setup_4", abi::DOMID::SELF);
  setup("setup_table_64", abi::DOMID::SELF, 64, 0);
  setup("setup_table_65", abi::DOMID::SELF, 65, 0);
  query("query_size_after_setup_65", abi::DOMID::SELF);
  setup("setup_table_domid_1", 1, 1, 0);
  setup("setup_table_domid_0", 0, 1, 0);
  setup("setup_table_bad_frame_list", abi::DOMID::SELF, 1, probe::bad_pointer);
  setup("setup_table_count_2", abi::DOMID::SELF, 1, 0, 2);
  setup("setup_table_count_0", abi::DOMID::SELF, 1, 0, 0);
  obs("setup_table_bad_pointer", gnt(static_cast<std::uint64_t>(GOP::setup_table), probe::bad_pointer, 1));

  // Versions.
  get_version("get_version_initial", abi::DOMID::SELF);
  get_version("get_version_domid_0", 0);
  get_version("get_version_domid_1", 1);
  obs("get_version_bad_pointer", gnt(static_cast<std::uint64_t>(GOP::get_version), probe::bad_pointer, 1));
  set_version("set_version_1", 1);
  set_version("set_version_3", 3);
  set_version("set_version_0", 0);
  set_version("set_version_ffffffff", 0xffffffffu);
  obs("set_version_bad_pointer", gnt(static_cast<std::uint64_t>(GOP::set_version), probe::bad_pointer, 1));
  set_version("set_version_2", 2);
  get_version("get_version_after_2", abi::DOMID::SELF);
  query("query_size_v2", abi::DOMID::SELF);
  set_version("set_version_back_to_1", 1);
  get_version("get_version_after_back", abi::DOMID::SELF);

  // Copies between our own frames (no grant references).
  copy("copy_local_8", local_copy(8));
  copy("copy_local_0", local_copy(0));
  {
    auto c = local_copy(8);
    c.source.offset = 4090;
    copy("copy_source_crosses_page", c);
    c = local_copy(8);
    c.dest.offset = 4095;
    copy("copy_dest_crosses_page", c);
    c = local_copy(4096);
    c.source.offset = 0;
    c.dest.offset = 0;
    copy("copy_whole_page", c);
    c = local_copy(8);
    c.source.domid = 1;
    copy("copy_source_domid_1", c);
    c = local_copy(8);
    c.dest.domid = 1;
    copy("copy_dest_domid_1", c);
    c = local_copy(8);
    c.source.domid = 0;
    copy("copy_source_domid_0", c);
    c = local_copy(8);
    c.source.domid = abi::DOMID::IO;
    copy("copy_source_domid_io", c);
    c = local_copy(8);
    c.source.u.gmfn = 0x30000;  // not RAM on either side
    copy("copy_source_unpopulated_gfn", c);
    c = local_copy(8);
    c.dest.u.gmfn = 0x30000;
    copy("copy_dest_unpopulated_gfn", c);
  }
  // Copies through grant references of our own table.
  table[8] = abi::grant_entry_v1{abi::GTF::permit_access, 0, static_cast<std::uint32_t>(addr(src_page) >> 12)};
  table[9] = abi::grant_entry_v1{static_cast<std::uint16_t>(abi::GTF::permit_access | abi::GTF::readonly), 0,
                                 static_cast<std::uint32_t>(addr(dst_page) >> 12)};
  table[10] = abi::grant_entry_v1{abi::GTF::permit_access, 0, static_cast<std::uint32_t>(addr(dst_page) >> 12)};
  {
    auto c = local_copy(8);
    c.flags = abi::GNTCOPY::source_gref;
    c.source.u = {};
    c.source.u.ref = 8;
    copy("copy_own_grant_source", c);
    c.source.u.ref = 5;  // no access granted
    copy("copy_ungranted_ref", c);
    c.source.u.ref = 100000;  // beyond the table
    copy("copy_ref_out_of_range", c);
    c.source.u.ref = 8;
    c.source.domid = 1;
    copy("copy_ref_domid_1", c);
    c = local_copy(8);
    c.flags = abi::GNTCOPY::dest_gref;
    c.dest.u = {};
    c.dest.u.ref = 10;
    copy("copy_own_grant_dest", c);
    c.dest.u.ref = 9;  // read-only grant as destination
    copy("copy_readonly_grant_dest", c);
  }
  table[11] = abi::grant_entry_v1{abi::GTF::permit_access, 7, static_cast<std::uint32_t>(addr(src_page) >> 12)};
  {
    auto c = local_copy(8);
    c.flags = abi::GNTCOPY::source_gref;
    c.source.u = {};
    c.source.u.ref = 11;  // granted to domain 7, not to us
    copy("copy_grant_for_other_domain", c);
  }
  {
    // Several faults in one element: Xen checks both ends' domains, then the source's
    // reference or frame, then the destination's, and the bounds last. Each of these also
    // crosses the page, which alone is GNTST_bad_copy_arg.
    auto c = local_copy(8);
    c.source.offset = 4090;
    c.flags = abi::GNTCOPY::source_gref;
    c.source.u = {};
    c.source.u.ref = 100000;
    copy("copy_ref_out_of_range_and_crossing", c);
    c.source.u.ref = 5;
    copy("copy_ungranted_ref_and_crossing", c);
    c.source.u.ref = 100000;
    c.dest.domid = 1;
    copy("copy_ref_out_of_range_dest_domid_1", c);
    c = local_copy(8);
    c.source.offset = 4090;
    c.flags = abi::GNTCOPY::source_gref | abi::GNTCOPY::dest_gref;
    c.source.u = {};
    c.source.u.ref = 100000;
    c.dest.u = {};
    c.dest.u.ref = 5;
    copy("copy_both_refs_bad_and_crossing", c);
    c.source.u.ref = 8;
    copy("copy_dest_ungranted_and_crossing", c);
    c.dest.u.ref = 9;
    copy("copy_dest_readonly_and_crossing", c);
    c = local_copy(8);
    c.source.offset = 4090;
    c.source.u.gmfn = 0x30000;
    copy("copy_unpopulated_gfn_and_crossing", c);
  }
  {
    // Two copies, the first bad: per-entry status.
    abi::gnttab_copy two[2] = {local_copy(8), local_copy(8)};
    two[0].source.domid = 1;
    const long rc = gnt(GOP::copy, two, 2);
    obs("copy_two_first_bad", rc).kvs("status0", two[0].status).kvs("status1", two[1].status);
  }
  obs("copy_bad_pointer", gnt(static_cast<std::uint64_t>(GOP::copy), probe::bad_pointer, 1));
  obs("copy_count_0", gnt(static_cast<std::uint64_t>(GOP::copy), probe::bad_pointer, 0));
  {
    abi::gnttab_map_grant_ref m{};
    m.ref = 100000;
    m.dom = abi::DOMID::SELF;
    m.flags = abi::GNTMAP::host_map;
    m.host_addr = addr(dst_page);
    m.status = 77;
    obs("map_ref_out_of_range", gnt(GOP::map_grant_ref, &m)).kvs("status", m.status);
    m.ref = 8;
    m.dom = 1;
    m.status = 77;
    obs("map_domid_1", gnt(GOP::map_grant_ref, &m)).kvs("status", m.status);
    obs("map_count_0", gnt(GOP::map_grant_ref, &m, 0));
    abi::gnttab_unmap_grant_ref u{};
    u.host_addr = addr(dst_page);
    u.handle = 12345;
    u.status = 77;
    obs("unmap_bad_handle", gnt(GOP::unmap_grant_ref, &u)).kvs("status", u.status);
  }
  for (unsigned cmd : {13u, 14u, 64u, 127u}) {
    char name[24] = "subop_";
    name[6] = static_cast<char>('0' + cmd / 100);
    name[7] = static_cast<char>('0' + cmd / 10 % 10);
    name[8] = static_cast<char>('0' + cmd % 10);
    name[9] = '\0';
    obs(name, gnt(cmd, addr(dst_page), 1));
  }
}
