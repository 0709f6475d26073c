// Fidelity probe "version": every XENVER_* sub-op a PVH guest may call, get_features submaps,
// bad buffers and unknown sub-ops. Strings that name the build (extraversion, changeset, compile
// info) are reduced to their shape (length bounds, termination); the version number, page size,
// capabilities and feature bits are printed as they are.
#include <xenabi/abi/features.hpp>
#include <xenabi/abi/version.hpp>

#include "probe.hpp"

const char* const probe::area = "version";

namespace {
namespace abi = xenabi::abi;
using probe::addr;
using probe::obs;

long ver(abi::XENVER cmd, std::uintptr_t arg) {
  return probe::hcall(abi::hypercall::xen_version, static_cast<unsigned>(cmd), arg);
}
long ver_nr(unsigned cmd, std::uintptr_t arg) { return probe::hcall(abi::hypercall::xen_version, cmd, arg); }

std::size_t strnlen_(const char* s, std::size_t cap) {
  std::size_t n = 0;
  while (n < cap && s[n] != '\0') ++n;
  return n;
}

union big_buffer {
  char c[4096];
  abi::xen_build_id id;
};
constinit big_buffer buf{};

void fill(unsigned char v) {
  for (auto& ch : buf.c) ch = static_cast<char>(v);
}

}  // namespace

void probe::run() {
  // Version number: (major << 16) | minor.
  {
    const long rc = ver(abi::XENVER::version, 0);
    obs("version", rc).kv("major", static_cast<std::uint64_t>(rc) >> 16).kv("minor", static_cast<std::uint64_t>(rc) & 0xffff);
  }
  {
    const long rc = ver(abi::XENVER::version, probe::bad_pointer);
    obs("version_ignores_arg", rc);
  }
  // extraversion: a short string starting with '.'.
  fill(0xff);
  {
    const long rc = ver(abi::XENVER::extraversion, addr(buf.c));
    const std::size_t n = strnlen_(buf.c, sizeof(abi::xen_extraversion_t));
    obs("extraversion", rc)
        .kv("terminated", n < sizeof(abi::xen_extraversion_t))
        .kv("starts_with_dot", buf.c[0] == '.')
        .kv("tail_written", static_cast<unsigned char>(buf.c[15]) != 0xff)
        .kv("beyond_untouched", static_cast<unsigned char>(buf.c[16]) == 0xff);
  }
  obs("extraversion_bad_pointer", ver(abi::XENVER::extraversion, probe::bad_pointer));
  // compile_info: four NUL-terminated strings.
  fill(0xff);
  {
    const long rc = ver(abi::XENVER::compile_info, addr(buf.c));
    abi::xen_compile_info ci{};
    __builtin_memcpy(&ci, buf.c, sizeof ci);
    obs("compile_info", rc)
        .kv("compiler_terminated", strnlen_(ci.compiler, sizeof ci.compiler) < sizeof ci.compiler)
        .kv("compile_by_terminated", strnlen_(ci.compile_by, sizeof ci.compile_by) < sizeof ci.compile_by)
        .kv("compile_domain_terminated", strnlen_(ci.compile_domain, sizeof ci.compile_domain) < sizeof ci.compile_domain)
        .kv("compile_date_terminated", strnlen_(ci.compile_date, sizeof ci.compile_date) < sizeof ci.compile_date)
        .kv("compiler_nonempty", ci.compiler[0] != '\0')
        .kv("date_nonempty", ci.compile_date[0] != '\0')
        .kv("beyond_untouched", static_cast<unsigned char>(buf.c[sizeof ci]) == 0xff);
  }
  obs("compile_info_bad_pointer", ver(abi::XENVER::compile_info, probe::bad_pointer));
  // capabilities: the list of guest types, printed as it is.
  fill(0xff);
  {
    const long rc = ver(abi::XENVER::capabilities, addr(buf.c));
    // Guest types: the HVM ones (which xenhv runs) and the PV ones (which it does not) apart.
    char hvm[256] = {}, pv[256] = {};
    std::size_t nh = 0, np = 0;
    for (std::size_t i = 0; i < sizeof(abi::xen_capabilities_info_t) - 1 && buf.c[i] != '\0';) {
      std::size_t j = i;
      while (buf.c[j] != '\0' && buf.c[j] != ' ') ++j;
      const bool is_hvm = buf.c[i] == 'h';
      char* dst = is_hvm ? hvm : pv;
      std::size_t& n = is_hvm ? nh : np;
      for (std::size_t k = i; k < j && n + 2 < sizeof hvm; ++k) dst[n++] = buf.c[k];
      if (n + 2 < sizeof hvm) dst[n++] = ' ';
      i = buf.c[j] == ' ' ? j + 1 : j;
    }
    obs("capabilities_hvm", rc).text("caps", hvm, sizeof hvm);
    obs("capabilities_pv", rc).text("caps", pv, sizeof pv);
    std::size_t len = strnlen_(buf.c, sizeof(abi::xen_capabilities_info_t));
    obs("capabilities_shape", rc).kv("trailing_space", len > 0 && buf.c[len - 1] == ' ');
  }
  obs("capabilities_bad_pointer", ver(abi::XENVER::capabilities, probe::bad_pointer));
  // changeset: some NUL-terminated string.
  fill(0xff);
  {
    const long rc = ver(abi::XENVER::changeset, addr(buf.c));
    obs("changeset", rc)
        .kv("terminated", strnlen_(buf.c, sizeof(abi::xen_changeset_info_t)) < sizeof(abi::xen_changeset_info_t));
  }
  obs("changeset_bad_pointer", ver(abi::XENVER::changeset, probe::bad_pointer));
  // platform_parameters: the start of the hypervisor's virtual hole.
  fill(0xff);
  {
    const long rc = ver(abi::XENVER::platform_parameters, addr(buf.c));
    abi::xen_platform_parameters pp{};
    __builtin_memcpy(&pp, buf.c, sizeof pp);
    obs("platform_parameters", rc).hex("virt_start", pp.virt_start);
  }
  obs("platform_parameters_bad_pointer", ver(abi::XENVER::platform_parameters, probe::bad_pointer));
  // get_features: submap 0 (dom0's own bit reported separately), other submaps.
  {
    abi::xen_feature_info fi{0, 0xdeadbeef};
    const long rc = ver(abi::XENVER::get_features, addr(&fi));
    const std::uint32_t dom0_bit = 1u << static_cast<unsigned>(abi::XENFEAT::dom0);
    // One line per known bit (below), and the bits no XENFEAT_* names yet.
    obs("get_features_0", rc).hex("unnamed_bits", fi.submap & ~0x3ffffu);
    obs("get_features_0_dom0", rc).kv("dom0", (fi.submap & dom0_bit) != 0);
    for (unsigned f = 0; f < 18; ++f) {
      static const char* const names[18] = {
          "writable_page_tables", "writable_descriptor_tables", "auto_translated_physmap", "supervisor_mode_kernel",
          "pae_pgdir_above_4gb",  "mmu_pt_update_preserve_ad",   "highmem_assist",          "gnttab_map_avail_bits",
          "hvm_callback_vector",  "hvm_safe_pvclock",            "hvm_pirqs",               "dom0",
          "grant_map_identity",   "memory_op_vnode_supported",   "ARM_SMCCC_supported",     "linux_rsdp_unrestricted",
          "not_direct_mapped",    "direct_mapped"};
      if (f == static_cast<unsigned>(abi::XENFEAT::dom0)) continue;
      char name[48] = "feature_";
      std::size_t n = 8;
      for (const char* s = names[f]; *s != '\0' && n + 1 < sizeof name; ++s) name[n++] = *s;
      name[n] = '\0';
      obs(name, rc).kv("set", (fi.submap >> f) & 1u);
    }
  }
  for (std::uint32_t idx : {1u, 2u, 0x7fffffffu, 0xffffffffu}) {
    abi::xen_feature_info fi{idx, 0xdeadbeef};
    const long rc = ver(abi::XENVER::get_features, addr(&fi));
    char name[32] = "get_features_submap_";
    const char* tag = idx == 1 ? "1" : idx == 2 ? "2" : idx == 0x7fffffffu ? "7fffffff" : "ffffffff";
    std::size_t n = 20;
    for (const char* s = tag; *s != '\0'; ++s) name[n++] = *s;
    name[n] = '\0';
    obs(name, rc).hex("submap", fi.submap);
  }
  obs("get_features_bad_pointer", ver(abi::XENVER::get_features, probe::bad_pointer));
  // pagesize.
  obs("pagesize", ver(abi::XENVER::pagesize, 0));
  obs("pagesize_ignores_arg", ver(abi::XENVER::pagesize, probe::bad_pointer));
  // guest_handle: the domain's 16-byte handle (all zero for dom0 and for xenhv's domains).
  fill(0xff);
  {
    const long rc = ver(abi::XENVER::guest_handle, addr(buf.c));
    bool zero = true;
    for (std::size_t i = 0; i < sizeof(abi::xen_domain_handle_t); ++i) zero = zero && buf.c[i] == 0;
    obs("guest_handle", rc).kv("all_zero", zero).kv("beyond_untouched", static_cast<unsigned char>(buf.c[16]) == 0xff);
  }
  obs("guest_handle_bad_pointer", ver(abi::XENVER::guest_handle, probe::bad_pointer));
  // commandline and build_id: control domain only.
  fill(0xff);
  obs("commandline", ver(abi::XENVER::commandline, addr(buf.c)));
  fill(0);
  buf.id.len = 64;
  obs("build_id", ver(abi::XENVER::build_id, addr(buf.c)));
  // Unknown sub-ops.
  for (unsigned cmd : {11u, 12u, 64u, 0x7fffffffu, 0xffffffffu}) {
    char name[32] = "unknown_subop_";
    char digits[12];
    int i = 11;
    digits[i] = '\0';
    unsigned v = cmd;
    do {
      digits[--i] = "0123456789abcdef"[v & 15];
      v >>= 4;
    } while (v != 0);
    std::size_t n = 14;
    for (const char* s = digits + i; *s != '\0'; ++s) name[n++] = *s;
    name[n] = '\0';
    obs(name, ver_nr(cmd, addr(buf.c)));
  }
}
