// A translation unit built for PVH only, linked into the same program as the default-mode
// tests (hypercall_modes_test.cpp): build_guest_modes lives in a mode-named inline namespace, so
// both definitions coexist.
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall_modes.hpp>

#include <cstdint>

static_assert(xenabi::build_guest_modes == xenabi::hypercall_mode_bit::hvm64);
static_assert(!xenabi::hypercall_in_build(1));  // mmu_update
static_assert(xenabi::hypercall_in_build(12));  // memory_op

std::uint8_t pvh_build_guest_modes() { return xenabi::build_guest_modes; }
bool pvh_build_has(std::uint32_t nr) { return xenabi::hypercall_in_build(nr); }
