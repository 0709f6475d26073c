// Tests for xenabi/abi: the structures and constants are usable at compile time, both widths
// coexist in one compilation, and the few helpers (guest handles, e820 halves, XENMEMF
// encodings) compute what Xen's macros compute. Layout equality with Xen itself is checked by
// tests/xenabi/abi/conformance (against libxen-dev).
#include <xenabi/abi.hpp>

#include <cstddef>
#include <type_traits>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using xenabi::u32;
using xenabi::u64;

namespace {

// Bits in a 2-level pending bitmap of width W's shared_info.
template <class SharedInfo>
constexpr u64 pending_bits() {
  return sizeof(SharedInfo{}.evtchn_pending) * 8;
}

constexpr bool event_bitmaps_cover_the_2l_port_space() {
  return pending_bits<abi::x86_64::shared_info>() == abi::x86_64::EVTCHN_2L::NR_CHANNELS &&
         pending_bits<abi::x86_32::shared_info>() == abi::x86_32::EVTCHN_2L::NR_CHANNELS &&
         sizeof(abi::x86_64::shared_info{}.evtchn_mask) ==
             sizeof(abi::x86_64::shared_info{}.evtchn_pending) &&
         sizeof(abi::x86_32::shared_info{}.evtchn_mask) ==
             sizeof(abi::x86_32::shared_info{}.evtchn_pending);
}

// The per-vCPU selector has one bit per word of the pending bitmap.
template <class SharedInfo, class VcpuInfo>
constexpr bool selector_covers_words() {
  constexpr u64 words = sizeof(SharedInfo{}.evtchn_pending) / sizeof(SharedInfo{}.evtchn_pending[0]);
  return words == sizeof(VcpuInfo{}.evtchn_pending_sel) * 8;
}

constexpr bool e820_halves_recombine() {
  abi::e820entry e{};
  e.addr_lo = 0x0010'0000u;
  e.addr_hi = 0x1u;
  e.size_lo = 0xffff'f000u;
  e.size_hi = 0u;
  return e.addr() == ((u64{1} << 32) | 0x0010'0000u) && e.size() == 0xffff'f000u;
}

constexpr bool xenmemf_node_round_trips() {
  for (u32 n = 0; n < 255; ++n) {
    if (abi::XENMEMF::get_node(abi::XENMEMF::node(n)) != n) return false;
    if (abi::XENMEMF::get_node(abi::XENMEMF::exact_node(n)) != n) return false;
    if ((abi::XENMEMF::exact_node(n) & abi::XENMEMF::exact_node_request) == 0) return false;
  }
  return abi::XENMEMF::get_address_bits(abi::XENMEMF::address_bits(32) | abi::XENMEMF::node(3)) == 32;
}

constexpr bool guest_handles_keep_guest_addresses() {
  auto h64 = abi::x86_64::guest_handle<u64>::from_address(0xffff'8000'0000'1000u);
  auto h32 = abi::x86_32::guest_handle<u32>::from_address(0xc000'1000u);
  abi::guest_handle<void> null{};
  return h64.address() == 0xffff'8000'0000'1000u && h32.address() == 0xc000'1000u &&
         null.is_null() && !h64.is_null();
}

constexpr bool callback_vector_encoding_fits_mask() {
  // HVM_PARAM_CALLBACK_IRQ with type VECTOR: the type sits under the type mask, the vector
  // below it.
  constexpr u64 type = static_cast<u64>(abi::HVM_PARAM_CALLBACK_TYPE::VECTOR) << 56;
  constexpr u64 value = type | 0xf3u;
  return (value & abi::HVM_PARAM_CALLBACK_IRQ_TYPE::MASK) == type &&
         (value & ~abi::HVM_PARAM_CALLBACK_IRQ_TYPE::MASK) == 0xf3u;
}

constexpr bool hypervisor_holes_are_ordered() {
  return abi::x86_64::HYPERVISOR::VIRT_START < abi::x86_64::HYPERVISOR::VIRT_END &&
         abi::x86_64::MACH2PHYS::VIRT_START >= abi::x86_64::HYPERVISOR::VIRT_START &&
         abi::x86_64::MACH2PHYS::VIRT_END <= abi::x86_64::HYPERVISOR::VIRT_END &&
         abi::x86_32::MACH2PHYS::VIRT_START >= abi::x86_32::HYPERVISOR::VIRT_START &&
         abi::x86_64::MACH2PHYS::NR_ENTRIES * 8 ==
             abi::x86_64::MACH2PHYS::VIRT_END - abi::x86_64::MACH2PHYS::VIRT_START &&
         abi::x86_32::MACH2PHYS::NR_ENTRIES * 4 ==
             abi::x86_32::MACH2PHYS::VIRT_END - abi::x86_32::MACH2PHYS::VIRT_START;
}

}  // namespace

TEST_CASE("both widths coexist and the native names follow the target", "[abi][width]") {
#if defined(__x86_64__)
  STATIC_REQUIRE(std::is_same_v<abi::shared_info, abi::x86_64::shared_info>);
  STATIC_REQUIRE(std::is_same_v<abi::native_width, abi::width64>);
#else
  STATIC_REQUIRE(std::is_same_v<abi::shared_info, abi::x86_32::shared_info>);
  STATIC_REQUIRE(std::is_same_v<abi::native_width, abi::width32>);
#endif
  // The two instances differ where the widths differ, and agree where they do not.
  STATIC_REQUIRE(sizeof(abi::x86_64::start_info) != sizeof(abi::x86_32::start_info));
  STATIC_REQUIRE(sizeof(abi::x86_64::vcpu_info) == sizeof(abi::x86_32::vcpu_info));
  STATIC_REQUIRE(sizeof(abi::x86_64::guest_handle<void>) == 2 * sizeof(abi::x86_32::guest_handle<void>));
  STATIC_REQUIRE(alignof(abi::x86_32::vcpu_runstate_info) == 4);
  XENABI_BOTH_REQUIRE(event_bitmaps_cover_the_2l_port_space());
  XENABI_BOTH_REQUIRE(selector_covers_words<abi::x86_64::shared_info, abi::x86_64::vcpu_info>());
  XENABI_BOTH_REQUIRE(selector_covers_words<abi::x86_32::shared_info, abi::x86_32::vcpu_info>());
}

TEST_CASE("shared_info holds XEN_LEGACY_MAX_VCPUS vcpu_info slots back to back", "[abi][xen]") {
  XENABI_BOTH_REQUIRE(sizeof(abi::shared_info{}.vcpu_info) / sizeof(abi::vcpu_info) ==
                      abi::XEN::LEGACY_MAX_VCPUS);
  XENABI_BOTH_REQUIRE(offsetof(abi::x86_64::shared_info, evtchn_pending) ==
                      abi::XEN::LEGACY_MAX_VCPUS * sizeof(abi::x86_64::vcpu_info));
  XENABI_BOTH_REQUIRE(offsetof(abi::x86_32::shared_info, evtchn_pending) ==
                      abi::XEN::LEGACY_MAX_VCPUS * sizeof(abi::x86_32::vcpu_info));
  XENABI_BOTH_REQUIRE(sizeof(abi::start_info{}.cmd_line) == abi::MAX::GUEST_CMDLINE);
}

TEST_CASE("constants are usable in constant expressions", "[abi][constants]") {
  // Switch over the enum classes: each is a distinct, fixed-width type.
  constexpr auto name_of = [](abi::EVTCHNOP op) {
    switch (op) {
      case abi::EVTCHNOP::send: return 's';
      case abi::EVTCHNOP::bind_virq: return 'v';
      default: return '?';
    }
  };
  XENABI_BOTH_REQUIRE(name_of(abi::EVTCHNOP::send) == 's');
  XENABI_BOTH_REQUIRE(name_of(abi::EVTCHNOP::bind_virq) == 'v');
  STATIC_REQUIRE(std::is_same_v<std::underlying_type_t<abi::hypercall>, u32>);
  STATIC_REQUIRE(std::is_same_v<std::underlying_type_t<abi::RUNSTATE>, xenabi::s32>);
  // Argument structures are aggregates that can be built in constant expressions.
  constexpr abi::evtchn_bind_virq bind{static_cast<u32>(abi::VIRQ::TIMER), 0, 0};
  XENABI_BOTH_REQUIRE(bind.virq == static_cast<u32>(abi::VIRQ::TIMER));
  constexpr abi::xen_hvm_param p{abi::DOMID::SELF, 0, static_cast<u32>(abi::HVM_PARAM::STORE_PFN), 0};
  XENABI_BOTH_REQUIRE(p.domid == abi::DOMID::SELF && p.index == 1u);
  XENABI_BOTH_REQUIRE(abi::EVTCHN_FIFO::LINK_MASK + 1 == abi::EVTCHN_FIFO::NR_CHANNELS);
  XENABI_BOTH_REQUIRE(abi::FIRST_RESERVED_GDT::ENTRY * 8 == abi::FIRST_RESERVED_GDT::BYTE);
}

TEST_CASE("hypervisor holes and machine-to-phys tables are consistent", "[abi][arch]") {
  XENABI_BOTH_REQUIRE(hypervisor_holes_are_ordered());
}

TEST_CASE("helpers compute what Xen's macros compute", "[abi][helpers]") {
  XENABI_BOTH_REQUIRE(e820_halves_recombine());
  XENABI_BOTH_REQUIRE(xenmemf_node_round_trips());
  XENABI_BOTH_REQUIRE(guest_handles_keep_guest_addresses());
  XENABI_BOTH_REQUIRE(callback_vector_encoding_fits_mask());
  XENABI_BOTH_REQUIRE(abi::XENMEM_resource_ioreq_server_frame::ioreq(0) == 1u);
}

TEST_CASE("a native guest handle round-trips a pointer", "[abi][width]") {
  u64 frames[4] = {1, 2, 3, 4};
  auto h = abi::guest_handle<u64>::from(frames);
  REQUIRE(h.get() == frames);
  REQUIRE(h.get()[2] == 3u);
  REQUIRE(!h.is_null());
}

TEST_CASE("the layout check rejects an incomplete field list", "[abi][layout]") {
  struct two {
    u32 a;
    u32 b;
    u64 c;
  };
  constexpr xenabi::detail::field_span all[] = {{0, 4, 4}, {4, 4, 4}, {8, 8, alignof(u64)}};
  constexpr xenabi::detail::field_span missing_b[] = {{0, 4, 4}, {8, 8, 4}};
  constexpr xenabi::detail::field_span out_of_order[] = {{4, 4, 4}, {0, 4, 4}, {8, 8, 8}};
  XENABI_BOTH_REQUIRE(xenabi::detail::layout_complete(sizeof(two), alignof(two), all));
  XENABI_BOTH_REQUIRE(!xenabi::detail::layout_complete(sizeof(two), alignof(two), missing_b));
  XENABI_BOTH_REQUIRE(!xenabi::detail::layout_complete(sizeof(two), alignof(two), out_of_order));
  XENABI_BOTH_REQUIRE(!xenabi::detail::layout_complete(sizeof(two) + 8, alignof(two), all));
}

TEST_CASE("i386 extended cr3 keeps frames above 4 GB", "[abi][arch]") {
  // Xen's i386 PAE "extended cr3" rotates the frame number so that all 32 bits of it fit.
  constexpr auto round_trips = [] {
    for (u32 pfn : {0u, 1u, 0xfffffu, 0x100000u, 0xabcdef1u, 0xffffffffu}) {
      if (abi::x86_32::xen_cr3_to_pfn(abi::x86_32::xen_pfn_to_cr3(pfn)) != pfn) return false;
    }
    for (u64 pfn : {u64{0}, u64{1}, u64{0xfffffffff}}) {
      if (abi::x86_64::xen_cr3_to_pfn(abi::x86_64::xen_pfn_to_cr3(pfn)) != pfn) return false;
    }
    return true;
  };
  XENABI_BOTH_REQUIRE(round_trips());
  XENABI_BOTH_REQUIRE((abi::x86_32::xen_pfn_to_cr3(0x100000u) & 0xfffu) == 1u);
}

TEST_CASE("grant status messages follow the GNTST codes", "[abi][grant_table]") {
  constexpr auto same = [](const char* a, const char* b) {
    while (*a != 0 && *a == *b) {
      ++a;
      ++b;
    }
    return *a == *b;
  };
  XENABI_BOTH_REQUIRE(same(abi::gnttabop_error_msg(abi::GNTST::okay), "okay"));
  XENABI_BOTH_REQUIRE(same(abi::gnttabop_error_msg(abi::GNTST::no_space), "out of space"));
  XENABI_BOTH_REQUIRE(same(abi::gnttabop_error_msg(static_cast<abi::GNTST>(-14)), "unknown status"));
  XENABI_BOTH_REQUIRE(same(abi::gnttabop_error_msg(static_cast<abi::GNTST>(1)), "unknown status"));
}

TEST_CASE("an ELF note for the PVH entry point has ELF's note layout", "[abi][elfnote]") {
  constexpr abi::xen_elfnote<u32> note{.type = abi::XEN_ELFNOTE::PHYS32_ENTRY, .desc = 0x100000u};
  XENABI_BOTH_REQUIRE(note.namesz == 4 && note.descsz == 4);
  XENABI_BOTH_REQUIRE(note.name[0] == 'X' && note.name[1] == 'e' && note.name[2] == 'n' &&
                      note.name[3] == '\0');
  XENABI_BOTH_REQUIRE(static_cast<u32>(note.type) == 18u && note.desc == 0x100000u);
  STATIC_REQUIRE(sizeof(abi::xen_elfnote<u64>) == 12 + 4 + 8);
}
