// The hypercall mode table: well-formed, numbers and names equal Xen's public headers, and the
// facts of Xen 4.17's dispatch tables (xen/include/hypercall-defs.c) for PV and PVH/HVM.
#include <xenabi/hypercall_modes.hpp>

// Xen interface version 0x00040e00 (4.14+, the latest of Xen 4.17): the current hypercall numbers,
// not the pre-3.1 compatibility aliases that interface version 0 maps sched_op etc. to.
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <xen/xen.h>
#include <xen/arch-x86/xen-mca.h>

#include <cstdint>

#include "xenabi_test.hpp"

using namespace xenabi;
namespace bit = xenabi::hypercall_mode_bit;

namespace {
constexpr bool str_eq(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

constexpr bool table_sorted_and_unique() {
  for (std::uint32_t i = 1; i < hypercall_mode_count; ++i) {
    if (hypercall_modes[i - 1].nr >= hypercall_modes[i].nr) return false;
    for (std::uint32_t j = 0; j < i; ++j) {
      if (str_eq(hypercall_modes[i].name, hypercall_modes[j].name)) return false;
    }
  }
  return true;
}

constexpr bool accepts(std::uint32_t nr, std::uint8_t mask) {
  const hypercall_mode_info* e = find_hypercall_mode(nr);
  return e != nullptr && e->accepts == mask;
}

// Every __HYPERVISOR_* that Xen 4.17's public x86 headers define, with its name.
#define XENABI_XEN_HYPERCALLS(X)                                                               \
  X(set_trap_table) X(mmu_update) X(set_gdt) X(stack_switch) X(set_callbacks) X(fpu_taskswitch) \
  X(sched_op_compat) X(platform_op) X(set_debugreg) X(get_debugreg) X(update_descriptor)        \
  X(memory_op) X(multicall) X(update_va_mapping) X(set_timer_op) X(event_channel_op_compat)     \
  X(xen_version) X(console_io) X(physdev_op_compat) X(grant_table_op) X(vm_assist)              \
  X(update_va_mapping_otherdomain) X(iret) X(vcpu_op) X(set_segment_base) X(mmuext_op)          \
  X(xsm_op) X(nmi_op) X(sched_op) X(callback_op) X(xenoprof_op) X(event_channel_op)            \
  X(physdev_op) X(hvm_op) X(sysctl) X(domctl) X(kexec_op) X(tmem_op) X(argo_op) X(xenpmu_op)   \
  X(dm_op) X(hypfs_op) X(mca)
}  // namespace

TEST_CASE("mode table: sorted by number, names unique") {
  XENABI_BOTH_REQUIRE(table_sorted_and_unique());
}

TEST_CASE("mode table: numbers and names are Xen's, and it has every one of them") {
#define XENABI_X(n)                                                          \
  STATIC_REQUIRE(find_hypercall_mode(__HYPERVISOR_##n) != nullptr);          \
  STATIC_REQUIRE(hypercall_name(abi::hypercall{__HYPERVISOR_##n}) == hypercall_name(__HYPERVISOR_##n)); \
  STATIC_REQUIRE(str_eq(find_hypercall_mode(__HYPERVISOR_##n)->name, #n));   \
  STATIC_REQUIRE(str_eq(hypercall_name(__HYPERVISOR_##n), #n));
  XENABI_XEN_HYPERCALLS(XENABI_X)
#undef XENABI_X
  constexpr std::uint32_t xen_count = 0
#define XENABI_X(n) +1
      XENABI_XEN_HYPERCALLS(XENABI_X)
#undef XENABI_X
      ;
  // ... plus paging_domctl_cont (arch_1), which only Xen's internal headers name.
  STATIC_REQUIRE(xen_count + 1 == hypercall_mode_count);
  STATIC_REQUIRE(str_eq(hypercall_name(__HYPERVISOR_arch_1), "paging_domctl_cont"));
  // The abi::hypercall overloads agree (arch_0 is x86's mca).
  XENABI_BOTH_REQUIRE(str_eq(hypercall_name(abi::hypercall::arch_0), "mca"));
  XENABI_BOTH_REQUIRE(find_hypercall_mode(abi::hypercall::arch_2) == nullptr);
  XENABI_BOTH_REQUIRE(hypercall_accepted(abi::hypercall::memory_op, guest_mode::pvh, guest_width::x86_64));
  XENABI_BOTH_REQUIRE(!hypercall_accepted(abi::hypercall::mmu_update, guest_mode::pvh, guest_width::x86_64));
  XENABI_BOTH_REQUIRE(find_hypercall_mode(11) == nullptr);
  XENABI_BOTH_REQUIRE(str_eq(hypercall_name(11), "?"));
  XENABI_BOTH_REQUIRE(find_hypercall_mode(__HYPERVISOR_arch_2) == nullptr);
}

TEST_CASE("mode table: PV-only hypercalls (hypercall-defs.c: '-' in both hvm columns)") {
  for (std::uint32_t nr : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 8u, 9u, 10u, 14u, 16u, 19u, 22u, 23u, 25u,
                           28u, 30u, 31u, 37u, 48u}) {
    CAPTURE(nr);
    REQUIRE(accepts(nr, bit::pv));
    REQUIRE(hypercall_accepted(nr, guest_mode::pv, guest_width::x86_64));
    REQUIRE(hypercall_accepted(nr, guest_mode::pv, guest_width::x86_32));
    REQUIRE_FALSE(hypercall_accepted(nr, guest_mode::pvh, guest_width::x86_64));
    REQUIRE_FALSE(hypercall_accepted(nr, guest_mode::pvh, guest_width::x86_32));
  }
  XENABI_BOTH_REQUIRE(!hypercall_accepted(__HYPERVISOR_mmu_update, guest_mode::pvh, guest_width::x86_64));
  XENABI_BOTH_REQUIRE(!hypercall_accepted(__HYPERVISOR_iret, guest_mode::pvh, guest_width::x86_64));
}

TEST_CASE("mode table: hypercalls every mode accepts") {
  for (std::uint32_t nr : {7u, 12u, 13u, 15u, 17u, 18u, 20u, 21u, 24u, 26u, 27u, 29u, 32u, 33u,
                           34u, 35u, 36u, 39u, 40u, 41u, 42u, 49u}) {
    CAPTURE(nr);
    REQUIRE(accepts(nr, bit::all));
  }
  XENABI_BOTH_REQUIRE(hypercall_accepted(__HYPERVISOR_hvm_op, guest_mode::pvh, guest_width::x86_64));
  XENABI_BOTH_REQUIRE(hypercall_accepted(__HYPERVISOR_event_channel_op, guest_mode::pvh, guest_width::x86_32));
  XENABI_BOTH_REQUIRE(hypercall_accepted(__HYPERVISOR_vm_assist, guest_mode::pvh, guest_width::x86_64));
}

TEST_CASE("mode table: removed and unknown numbers are accepted by nobody") {
  XENABI_BOTH_REQUIRE(accepts(__HYPERVISOR_tmem_op, 0));
  for (std::uint32_t nr : {11u, 38u, 43u, 47u, 50u, 55u, 64u, 127u, 4096u}) {
    CAPTURE(nr);
    for (auto m : {guest_mode::pv, guest_mode::pvh}) {
      for (auto w : {guest_width::x86_32, guest_width::x86_64}) {
        REQUIRE_FALSE(hypercall_accepted(nr, m, w));
      }
    }
  }
}

TEST_CASE("what a default Xen 4.17 build answers (checked on Xen 4.17.7 by xen_probe)") {
  XENABI_BOTH_REQUIRE(!hypercall_answered(__HYPERVISOR_argo_op, guest_mode::pvh, guest_width::x86_64));
  XENABI_BOTH_REQUIRE(!hypercall_answered(__HYPERVISOR_xsm_op, guest_mode::pvh, guest_width::x86_32));
  XENABI_BOTH_REQUIRE(hypercall_accepted(__HYPERVISOR_xsm_op, guest_mode::pvh, guest_width::x86_32));
  XENABI_BOTH_REQUIRE(hypercall_answered(__HYPERVISOR_hypfs_op, guest_mode::pvh, guest_width::x86_32));
  XENABI_BOTH_REQUIRE(!hypercall_answered(__HYPERVISOR_mmu_update, guest_mode::pvh, guest_width::x86_64));
  XENABI_BOTH_REQUIRE(hypercall_answered(__HYPERVISOR_mmu_update, guest_mode::pv, guest_width::x86_64));
  for (const auto& e : hypercall_modes) {
    CAPTURE(e.nr);
    for (auto m : {guest_mode::pv, guest_mode::pvh}) {
      for (auto w : {guest_width::x86_32, guest_width::x86_64}) {
        // answered implies accepted
        REQUIRE((!hypercall_answered(e.nr, m, w) || hypercall_accepted(e.nr, m, w)));
      }
    }
  }
}

TEST_CASE("mode bits and the default build (no XENABI_GUEST_MODE_*) targets both modes") {
  XENABI_BOTH_REQUIRE(mode_bit(guest_mode::pv, guest_width::x86_32) == bit::pv32);
  XENABI_BOTH_REQUIRE(mode_bit(guest_mode::pv, guest_width::x86_64) == bit::pv64);
  XENABI_BOTH_REQUIRE(mode_bit(guest_mode::pvh, guest_width::x86_32) == bit::hvm32);
  XENABI_BOTH_REQUIRE(mode_bit(guest_mode::pvh, guest_width::x86_64) == bit::hvm64);
  XENABI_BOTH_REQUIRE(build_width == guest_width::x86_64);
  XENABI_BOTH_REQUIRE(build_guest_modes == (bit::pv64 | bit::hvm64));
  XENABI_BOTH_REQUIRE(hypercall_in_build(__HYPERVISOR_mmu_update));
  XENABI_BOTH_REQUIRE(hypercall_in_build(__HYPERVISOR_hvm_op));
  XENABI_BOTH_REQUIRE(!hypercall_in_build(__HYPERVISOR_tmem_op));
}

// Defined in hypercall_modes_pvh_test.cpp, a translation unit built with XENABI_GUEST_MODE_PVH.
std::uint8_t pvh_build_guest_modes();
bool pvh_build_has(std::uint32_t nr);

TEST_CASE("XENABI_GUEST_MODE_PVH restricts the build to PVH, in the same program") {
  REQUIRE(pvh_build_guest_modes() == bit::hvm64);
  REQUIRE_FALSE(pvh_build_has(__HYPERVISOR_mmu_update));
  REQUIRE_FALSE(pvh_build_has(__HYPERVISOR_set_trap_table));
  REQUIRE(pvh_build_has(__HYPERVISOR_memory_op));
  // This TU (no macro) still sees both modes: the two definitions do not collide.
  REQUIRE(build_guest_modes == (bit::pv64 | bit::hvm64));
}
