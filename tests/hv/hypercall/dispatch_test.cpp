// hv/hypercall/dispatch.hpp, driven through the in-process platform: dispatch: refusals of hypercalls a PVH guest cannot make, with a trace note.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("refusals: PV-only hypercalls are ENOSYS, privileged ones EPERM, each with a trace note") {
  hv::sim::machine m;
  REQUIRE(m.call(H::mmu_update, 0, 0, 0) == rc(errc::enosys));
  auto last = m.trace().last();
  REQUIRE(last.back().find("mmu_update") != std::string::npos);
  REQUIRE(last.back().find("PVH") != std::string::npos);
  REQUIRE(m.call(H::platform_op, 0) == rc(errc::eacces));  // zeroed structure: wrong interface version
  REQUIRE(m.hypercall(200) == rc(errc::enosys));
  REQUIRE(m.trace().last().back().find("ENOSYS") != std::string::npos);
}
