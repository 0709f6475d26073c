// hv/hypercall/toolstack.hpp, driven through the in-process platform: toolstack and device-model hypercalls refused in Xen 4.17's order.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("refusals: as Xen 4.17 - toolstack, device-model, MMU, PMU and hypfs hypercalls check in Xen's order") {
  hv::sim::machine m;
  struct {
    std::uint32_t cmd, interface_version;
    std::uint8_t rest[136];
  } op_buf{};
  op_buf.interface_version = 0x15;
  m.put(arg, op_buf);
  REQUIRE(m.call(H::sysctl, arg) == rc(errc::eperm));
  REQUIRE(m.call(H::domctl, arg) == rc(errc::eperm));
  REQUIRE(m.call(H::platform_op, arg) == rc(errc::eacces));
  REQUIRE(m.call(H::sysctl, unmapped) == rc(errc::efault));
  op_buf.interface_version = 0x03000001;
  m.put(arg, op_buf);
  REQUIRE(m.call(H::platform_op, arg) == rc(errc::eperm));
  REQUIRE(m.call(H::arch_1, arg) == rc(errc::eopnotsupp));  // paging_domctl_cont: not a shadow_op
  REQUIRE(m.call(H::arch_1, unmapped) == rc(errc::efault));

  REQUIRE(m.call(H::vm_assist, 0, 5) == 0);  // enable runstate_update_flag
  REQUIRE(m.dom().runstate_update_flag);
  REQUIRE(m.call(H::vm_assist, 1, (std::uint64_t{1} << 32) | 5) == 0);  // 32-bit type
  REQUIRE_FALSE(m.dom().runstate_update_flag);
  REQUIRE(m.call(H::vm_assist, 0, 2) == rc(errc::einval));
  REQUIRE(m.call(H::vm_assist, 7, 5) == rc(errc::enosys));

  REQUIRE(m.call(H::mmuext_op, unmapped, 1, 0, abi::DOMID::SELF) == rc(errc::einval));
  REQUIRE(m.call(H::mmuext_op, unmapped, 1, 0, 0) == rc(errc::esrch));   // own id
  REQUIRE(m.call(H::mmuext_op, unmapped, 1, 0, 7) == rc(errc::esrch));   // no such domain
  REQUIRE(m.call(H::mmuext_op, unmapped, 1, 0, abi::DOMID::IO) == rc(errc::efault));

  REQUIRE(m.call(H::dm_op, 1, 3, arg) == rc(errc::e2big));
  REQUIRE(m.call(H::dm_op, 1, 1, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::dm_op, 1, 0, unmapped) == rc(errc::enodata));
  REQUIRE(m.call(H::dm_op, 1, 1, arg) == rc(errc::esrch));
  REQUIRE(m.call(H::dm_op, 0, 1, arg) == rc(errc::eperm));
  REQUIRE(m.call(H::xenpmu_op, 0, arg) == rc(errc::eopnotsupp));
  REQUIRE(m.call(H::hypfs_op, 0, 0, 0, 0, 0) == rc(errc::eperm));
}
