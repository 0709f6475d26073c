// hv/hypercall/multicall.hpp, driven through the in-process platform: multicall: entries dispatched and written back in the caller's layout (both widths).
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("multicall: each entry dispatched, results written back - bad list is EFAULT") {
  hv::sim::machine m;
  gabi::multicall_entry e[2]{};
  e[0].op = op(H::xen_version);
  e[0].args[0] = op(abi::XENVER::version);
  e[1].op = op(H::mmu_update);
  m.put(buf, e);
  REQUIRE(m.call(H::multicall, buf, 2) == 0);
  auto out = m.get<std::array<gabi::multicall_entry, 2>>(buf);
  REQUIRE(out[0].result == 0x00040011);
  REQUIRE(static_cast<std::int64_t>(out[1].result) == rc(errc::enosys));
  REQUIRE(m.call(H::multicall, unmapped, 1) == rc(errc::efault));
}

TEST_CASE("multicall and vcpu_op: as Xen 4.17 - 32-bit counts and vCPU ids, full-width entry numbers") {
  hv::sim::machine m;
  gabi::multicall_entry e[1]{};
  e[0].op = op(H::xen_version);
  e[0].args[0] = op(abi::XENVER::pagesize);
  e[0].result = 77;
  m.put(buf, e);
  REQUIRE(m.call(H::multicall, buf, std::uint64_t{1} << 32) == 0);  // nr_calls 0
  REQUIRE(m.get<gabi::multicall_entry>(buf).result == 77);
  REQUIRE(m.call(H::multicall, buf, (std::uint64_t{1} << 32) | 1) == 0);
  REQUIRE(m.get<gabi::multicall_entry>(buf).result == 4096);
  e[0].op = (std::uint64_t{1} << 32) | op(H::xen_version);
  m.put(buf, e);
  REQUIRE(m.call(H::multicall, buf, 1) == 0);
  REQUIRE(static_cast<std::int64_t>(m.get<gabi::multicall_entry>(buf).result) == rc(errc::enosys));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), std::uint64_t{1} << 32, 0) == 1);  // vCPU 0
}

TEMPLATE_TEST_CASE("width: multicall entries and results in the caller's layout", "", abi::width64, abi::width32) {
  using W = TestType;
  hv::sim::machine m;
  with_width<W>(m);
  tmpl::multicall_entry<W> mc[2]{};
  mc[0].op = op(H::xen_version);
  mc[0].args[0] = op(abi::XENVER::version);
  mc[1].op = op(H::xen_version);
  mc[1].args[0] = 77;  // unknown sub-op
  m.put(arg, mc);
  REQUIRE(m.call(H::multicall, arg, 2) == 0);
  const auto back = m.get<std::array<tmpl::multicall_entry<W>, 2>>(arg);
  REQUIRE(std::uint64_t{back[0].result} == 0x00040011);
  // -ENOSYS as the caller's unsigned long.
  using word = typename W::xen_ulong_t;
  REQUIRE(std::uint64_t{back[1].result} == static_cast<word>(xenabi::to_hypercall_rc(errc::enosys)));
}
