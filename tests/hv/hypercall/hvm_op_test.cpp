// hv/hypercall/hvm_op.hpp, driven through the in-process platform: hvm_op: params a guest may read and set, the callback vector, the other HVMOPs as Xen 4.17.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("hvm_op: set/get CALLBACK_IRQ - guest may not set STORE_PFN - bad index and domain") {
  hv::sim::machine m;
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  p.index = op(abi::HVM_PARAM::CALLBACK_IRQ);
  p.value = (std::uint64_t{2} << 56) | 0xf3;
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::set_param), arg) == 0);
  REQUIRE(m.dom().callback_vector() == 0xf3);
  p.value = 0;
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_param), arg) == 0);
  REQUIRE(m.get<abi::xen_hvm_param>(arg).value == ((std::uint64_t{2} << 56) | 0xf3));
  p.index = op(abi::HVM_PARAM::STORE_PFN);
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::set_param), arg) == rc(errc::eperm));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_param), arg) == 0);
  p.index = 1000;
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_param), arg) == rc(errc::einval));
  p.index = op(abi::HVM_PARAM::CALLBACK_IRQ);
  p.domid = 5;
  m.put(arg, p);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::set_param), arg) == rc(errc::esrch));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::set_param), unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::hvm_op, 12345, arg) == rc(errc::enosys));
}

TEST_CASE("hvm_op: as Xen 4.17 - which params a guest may read and set, deprecated indices, checks order") {
  hv::sim::machine m;
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  auto get = [&](std::uint32_t i) {
    p.index = i;
    p.value = 0x1234;
    m.put(arg, p);
    return m.call(H::hvm_op, op(abi::HVMOP::get_param), arg);
  };
  auto set = [&](std::uint32_t i, std::uint64_t v) {
    p.index = i;
    p.value = v;
    m.put(arg, p);
    return m.call(H::hvm_op, op(abi::HVMOP::set_param), arg);
  };
  for (std::uint32_t i : {0u, 1u, 2u, 15u, 17u, 18u, 19u, 34u, 35u, 36u, 37u}) REQUIRE(get(i) == 0);
  for (std::uint32_t i : {3u, 5u, 6u, 9u, 10u, 12u, 14u, 16u, 27u, 31u, 32u, 33u, 38u}) {
    REQUIRE(get(i) == rc(errc::eperm));
    REQUIRE(m.get<abi::xen_hvm_param>(arg).value == 0x1234);  // nothing written
  }
  for (std::uint32_t i : {4u, 13u, 20u, 23u, 26u, 30u}) {
    REQUIRE(get(i) == rc(errc::einval));
    REQUIRE(set(i, 0) == rc(errc::einval));
  }
  REQUIRE(set(36, 3) == rc(errc::einval));  // X87_FIP_WIDTH: 0, 4 or 8
  REQUIRE(set(36, 8) == 0);
  REQUIRE(get(36) == 0);
  REQUIRE(m.get<abi::xen_hvm_param>(arg).value == 8);
  REQUIRE(set(34, 0) == 0);                  // VM_GENERATION_ID_ADDR
  REQUIRE(set(19, 0) == rc(errc::enodev));   // ACPI_IOPORTS_LOCATION: no emulated PM timer
  REQUIRE(set(1, 0) == rc(errc::eperm));     // STORE_PFN is the toolstack's
  // Index range before the domain: domain 1 with index 1000 is -EINVAL, with index 0 -ESRCH.
  p.domid = 1;
  REQUIRE(get(1000) == rc(errc::einval));
  REQUIRE(get(0) == rc(errc::esrch));
  REQUIRE(m.dom().shutdown() == hv::shutdown_kind::none);
  p.domid = abi::DOMID::SELF;
  REQUIRE(set(37, 0) == rc(errc::einval));  // VM86_TSS_SIZED below a TSS: Xen crashes the caller
  REQUIRE(m.dom().shutdown() == hv::shutdown_kind::crash);
}

TEST_CASE("hvm_op: as Xen 4.17 - get_mem_type, pagetable_dying, get_time, argument-less ops") {
  hv::sim::machine m;
  abi::xen_hvm_get_mem_type t{};
  t.domid = abi::DOMID::SELF;
  t.pfn = 0x10;
  m.put(arg, t);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_mem_type), arg) == 0);
  REQUIRE(m.get<abi::xen_hvm_get_mem_type>(arg).mem_type == op(abi::HVMMEM::ram_rw));
  t.pfn = 0x30000;  // beyond RAM
  m.put(arg, t);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_mem_type), arg) == 0);
  REQUIRE(m.get<abi::xen_hvm_get_mem_type>(arg).mem_type == op(abi::HVMMEM::mmio_dm));
  t.domid = 1;
  m.put(arg, t);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_mem_type), arg) == rc(errc::esrch));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_mem_type), unmapped) == rc(errc::efault));
  abi::xen_hvm_pagetable_dying d{};
  d.domid = abi::DOMID::SELF;
  m.put(arg, d);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::pagetable_dying), arg) == rc(errc::einval));
  d.domid = 1;
  m.put(arg, d);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::pagetable_dying), arg) == rc(errc::esrch));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_time), arg) == 0);
  const auto t1 = m.get<abi::xen_hvm_get_time>(arg).now;
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::get_time), arg) == 0);
  REQUIRE(m.get<abi::xen_hvm_get_time>(arg).now >= t1);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::guest_request_vm_event), 0) == 0);
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::guest_request_vm_event), arg) == rc(errc::einval));
  REQUIRE(m.call(H::hvm_op, op(abi::HVMOP::flush_tlbs), arg) == rc(errc::einval));
  REQUIRE(m.call(H::hvm_op, (std::uint64_t{1} << 8) | op(abi::HVMOP::get_param), arg) == rc(errc::enosys));
}
