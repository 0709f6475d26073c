/// \file
/// xen_version: version, extraversion, compile_info, capabilities, changeset,
/// platform_parameters (in the caller's width), get_features (the PVH feature bits), pagesize,
/// guest_handle, commandline and build_id, with Xen 4.17's answers and errors.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

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
      // In the caller's layout. A 32-bit caller gets 4 bytes: Xen's compat value for a non-PV
      // domain, ~0u (arch_domain_create sets HYPERVISOR_COMPAT_VIRT_START to it unless the
      // domain is PV; the i386 PAE hole's start applies to PV guests only).
      const bool ok = c.a.guest64 ? static_cast<bool>(c.out(buf, gabi::xen_platform_parameters{
                                                                      abi::x86_64::HYPERVISOR::VIRT_START}))
                                  : static_cast<bool>(c.out(buf, abi::x86_32::xen_platform_parameters{~0u}));
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

}  // namespace detail
}  // namespace hv
