// hv/hypercall/xen_version.hpp, driven through the in-process platform: xen_version: version, strings, features, pagesize, platform_parameters in either width.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("xen_version: version, strings, features - bad buffer and sub-op") {
  hv::sim::machine m;
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::version), 0) == 0x00040011);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::extraversion), buf) == 0);
  REQUIRE(std::string(m.get<std::array<char, 16>>(buf).data()).rfind(".", 0) == 0);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::capabilities), buf) == 0);
  REQUIRE(std::string(m.get<std::array<char, 64>>(buf).data()).find("hvm-3.0-x86_64") != std::string::npos);
  abi::xen_feature_info fi{};
  fi.submap_idx = 0;
  m.put(arg, fi);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::get_features), arg) == 0);
  const auto sub = m.get<abi::xen_feature_info>(arg).submap;
  REQUIRE((sub >> static_cast<unsigned>(abi::XENFEAT::hvm_callback_vector) & 1u) == 1u);
  REQUIRE((sub >> static_cast<unsigned>(abi::XENFEAT::auto_translated_physmap) & 1u) == 1u);
  REQUIRE((sub >> static_cast<unsigned>(abi::XENFEAT::not_direct_mapped) & 1u) == 1u);
  REQUIRE((sub >> static_cast<unsigned>(abi::XENFEAT::dom0) & 1u) == 0u);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::pagesize), 0) == 4096);
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::extraversion), unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::commandline), buf) == rc(errc::eperm));
  REQUIRE(m.call(H::xen_version, 99, buf) == rc(errc::enosys));
}

TEST_CASE("xen_version: as Xen 4.17 - one feature submap, pagesize wants a null argument, capabilities order") {
  hv::sim::machine m;
  for (std::uint32_t idx : {1u, 2u, 0xffffffffu}) {
    m.put(arg, abi::xen_feature_info{idx, 0xdeadbeef});
    REQUIRE(m.call(H::xen_version, op(abi::XENVER::get_features), arg) == rc(errc::einval));
    REQUIRE(m.get<abi::xen_feature_info>(arg).submap == 0xdeadbeef);  // nothing written
  }
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::pagesize), buf) == rc(errc::einval));
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::capabilities), buf) == 0);
  REQUIRE(std::string(m.get<std::array<char, 64>>(buf).data()) == "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ");
}

TEMPLATE_TEST_CASE("width: XENVER_platform_parameters is written in the caller's layout", "", abi::width64,
                   abi::width32) {
  using W = TestType;
  hv::sim::machine m;
  with_width<W>(m);
  const std::uint64_t at = ram - sizeof(tmpl::xen_platform_parameters<W>);  // 8 bytes would not fit for i386
  REQUIRE(m.call(H::xen_version, op(abi::XENVER::platform_parameters), at) == 0);
  // 64-bit: HYPERVISOR_VIRT_START; 32-bit HVM: Xen's compat value for a non-PV domain, ~0u.
  const std::uint64_t expected = std::is_same_v<W, abi::width64> ? 0xffff800000000000 : 0xffffffff;
  REQUIRE(std::uint64_t{m.get<tmpl::xen_platform_parameters<W>>(at).virt_start} == expected);
}
