// hv/hypercall/vm_assist.hpp, driven through the in-process platform: vm_assist: runstate_update_flag only, and honoured.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("vm_assist: only runstate_update_flag for a PVH guest - the flag is honoured") {
  hv::sim::machine m;
  REQUIRE(m.call(H::vm_assist, op(abi::VMASST_CMD::enable), op(abi::VMASST::TYPE_writable_pagetables)) ==
          rc(errc::einval));
  REQUIRE(m.call(H::vm_assist, op(abi::VMASST_CMD::enable), 31) == rc(errc::einval));
  REQUIRE(m.call(H::vm_assist, 7, op(abi::VMASST::TYPE_runstate_update_flag)) == rc(errc::enosys));
  REQUIRE(m.call(H::vm_assist, op(abi::VMASST_CMD::enable), op(abi::VMASST::TYPE_runstate_update_flag)) == 0);
  REQUIRE(m.dom().runstate_update_flag);
  REQUIRE(m.call(H::vm_assist, op(abi::VMASST_CMD::disable), op(abi::VMASST::TYPE_runstate_update_flag)) == 0);
  REQUIRE_FALSE(m.dom().runstate_update_flag);
}
