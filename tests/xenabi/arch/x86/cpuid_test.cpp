// Xen detection through CPUID, against fake CPUID sources (compile time and run time), and the
// constants against Xen's own arch-x86/cpuid.h.
#include <xenabi/arch/x86/cpuid.hpp>
#include <xenabi/arch/x86/hypercall_page.hpp>

#include <cstdint>

#include "xenabi_test.hpp"

#if !defined(XENABI_TEST_NO_LIBXEN)
#include <xen/arch-x86/cpuid.h>
#endif

namespace x86 = xenabi::arch::x86;
using xenabi::errc;
using std::uint32_t;

namespace {

/// A fake CPU: a Xen block at `xen_base` (0 = none) with `max_off` leaves after the base, and
/// optionally another hypervisor's signature ("Microsoft Hv") at 0x40000000.
struct fake_cpu {
  uint32_t xen_base = 0x40000000u;
  uint32_t max_off = 5;
  bool viridian_first = false;
  uint32_t hvm_flags = x86::XEN_HVM_CPUID::VCPU_ID_PRESENT | x86::XEN_HVM_CPUID::DOMID_PRESENT;

  constexpr x86::cpuid_regs operator()(uint32_t leaf, uint32_t sub) const noexcept {
    if (viridian_first && leaf == 0x40000000u) {
      return {0x40000006u, 0x7263694du, 0x666f736fu, 0x76482074u};  // "Microsoft Hv"
    }
    if (xen_base != 0 && leaf >= xen_base && leaf <= xen_base + max_off) {
      switch (leaf - xen_base) {
        case 0: return {xen_base + max_off, 0x566e6558u, 0x65584d4du, 0x4d4d566eu};
        case 1: return {(4u << 16) | 17u, 0, 0, 0};
        case 2: return {1u, 0x40000000u, 1u, 0};
        case 3: return sub == 0 ? x86::cpuid_regs{0x2u, 2u, 2300000u, 7u} : x86::cpuid_regs{};
        case 4: return {hvm_flags, 3u, 0x7ff1u, 0};  // vcpu 3, domid 0x7ff1 (low 16 bits)
        case 5: return {0, 0x1234u, 0, 0};           // address width 0x34 = 52
        default: break;
      }
    }
    return {0, 0, 0, 0};
  }
};

constexpr fake_cpu xen_at(uint32_t base, uint32_t max_off = 5) {
  fake_cpu c;
  c.xen_base = base;
  c.max_off = max_off;
  return c;
}

}  // namespace

TEST_CASE("detect_xen reads every Xen leaf at 0x40000000") {
  constexpr auto r = x86::detect_xen(fake_cpu{});
  XENABI_BOTH_REQUIRE(r.has_value());
  XENABI_BOTH_REQUIRE(r.value().base == 0x40000000u);
  XENABI_BOTH_REQUIRE(r.value().max_leaf == 0x40000005u);
  XENABI_BOTH_REQUIRE(r.value().version_major == 4 && r.value().version_minor == 17);
  XENABI_BOTH_REQUIRE(r.value().version() == 0x00040011u);
  XENABI_BOTH_REQUIRE(r.value().hypercall_pages == 1 && r.value().hypercall_msr == 0x40000000u);
  XENABI_BOTH_REQUIRE((r.value().features1 & x86::XEN_CPUID::FEAT1_MMU_PT_UPDATE_PRESERVE_AD) != 0);
  XENABI_BOTH_REQUIRE(r.value().has_tsc_leaf && r.value().tsc_khz == 2300000u &&
                      r.value().tsc_mode == 2u && r.value().tsc_flags == 2u &&
                      r.value().tsc_incarnation == 7u);
  XENABI_BOTH_REQUIRE(r.value().has_hvm_leaf && r.value().has_vcpu_id && r.value().vcpu_id == 3u);
  XENABI_BOTH_REQUIRE(r.value().has_domid && r.value().domid == 0x7ff1u);
  XENABI_BOTH_REQUIRE(r.value().has_pv_leaf && r.value().machine_address_width == 0x34u);
}

TEST_CASE("detect_xen skips another hypervisor's block and finds Xen at 0x40000100") {
  constexpr auto r = [] {
    fake_cpu c = xen_at(0x40000100u);
    c.viridian_first = true;
    return x86::detect_xen(c);
  }();
  XENABI_BOTH_REQUIRE(r.has_value() && r.value().base == 0x40000100u);
  XENABI_BOTH_REQUIRE(r.value().max_leaf == 0x40000105u);
}

TEST_CASE("detect_xen scans up to 0x4000FF00 and no further") {
  XENABI_BOTH_REQUIRE(x86::detect_xen(xen_at(0x4000FF00u)).has_value());
  XENABI_BOTH_REQUIRE(x86::detect_xen(xen_at(0x4000FF00u)).value().base == 0x4000FF00u);
  XENABI_BOTH_REQUIRE(x86::detect_xen(xen_at(0x40010000u)) == errc::enodev);
  // Not on a 0x100 boundary: not a candidate base.
  XENABI_BOTH_REQUIRE(x86::detect_xen(xen_at(0x40000080u)) == errc::enodev);
}

TEST_CASE("detect_xen without Xen is ENODEV") {
  XENABI_BOTH_REQUIRE(x86::detect_xen(xen_at(0)) == errc::enodev);
  constexpr auto only_viridian = [] {
    fake_cpu c = xen_at(0);
    c.viridian_first = true;
    return x86::detect_xen(c);
  }();
  XENABI_BOTH_REQUIRE(only_viridian == errc::enodev);
}

TEST_CASE("detect_xen needs base+2 and at least one hypercall page") {
  XENABI_BOTH_REQUIRE(x86::detect_xen(xen_at(0x40000000u, 1)) == errc::enodata);
  XENABI_BOTH_REQUIRE(x86::detect_xen(xen_at(0x40000000u, 0)) == errc::enodata);
  constexpr auto zero_pages = [] {
    struct : fake_cpu {
      constexpr x86::cpuid_regs operator()(uint32_t leaf, uint32_t sub) const noexcept {
        x86::cpuid_regs r = fake_cpu::operator()(leaf, sub);
        if (leaf == 0x40000002u) r.eax = 0;
        return r;
      }
    } c;
    return x86::detect_xen(c);
  }();
  XENABI_BOTH_REQUIRE(zero_pages == errc::enodata);
}

TEST_CASE("detect_xen reads only the leaves the maximum announces") {
  constexpr auto r = x86::detect_xen(xen_at(0x40000000u, 2));
  XENABI_BOTH_REQUIRE(r.has_value() && r.value().hypercall_msr == 0x40000000u);
  XENABI_BOTH_REQUIRE(!r.value().has_tsc_leaf && !r.value().has_hvm_leaf && !r.value().has_pv_leaf);
  XENABI_BOTH_REQUIRE(r.value().tsc_khz == 0 && !r.value().has_vcpu_id);
  constexpr auto r4 = x86::detect_xen(xen_at(0x40000000u, 4));
  XENABI_BOTH_REQUIRE(r4.value().has_hvm_leaf && !r4.value().has_pv_leaf);
}

TEST_CASE("vCPU and domain ids count only when flagged present") {
  constexpr auto r = [] {
    fake_cpu c;
    c.hvm_flags = x86::XEN_HVM_CPUID::X2APIC_VIRT;
    return x86::detect_xen(c);
  }();
  XENABI_BOTH_REQUIRE(r.value().has_hvm_leaf && r.value().hvm_features == x86::XEN_HVM_CPUID::X2APIC_VIRT);
  XENABI_BOTH_REQUIRE(!r.value().has_vcpu_id && r.value().vcpu_id == 0);
  XENABI_BOTH_REQUIRE(!r.value().has_domid && r.value().domid == 0);
}

TEST_CASE("the signature is XenVMMXenVMM") {
  constexpr char sig[] = "XenVMMXenVMM";
  constexpr auto word = [](const char* p) {
    return uint32_t(static_cast<unsigned char>(p[0])) | uint32_t(static_cast<unsigned char>(p[1])) << 8 |
           uint32_t(static_cast<unsigned char>(p[2])) << 16 | uint32_t(static_cast<unsigned char>(p[3])) << 24;
  };
  XENABI_BOTH_REQUIRE(x86::is_xen_signature({0, word(sig), word(sig + 4), word(sig + 8)}));
  XENABI_BOTH_REQUIRE(!x86::is_xen_signature({0, word(sig), word(sig + 8), word(sig + 4)}));
}

TEST_CASE("the real CPUID instruction runs (host)") {
  const x86::cpuid_regs leaf0 = x86::cpuid(0);
  REQUIRE(leaf0.eax >= 1);  // every x86-64 CPU has at least leaf 1
  // On a host that is not Xen the scan must report ENODEV, on Xen it must find the signature.
  const auto r = x86::detect_xen();
  if (r) {
    REQUIRE(x86::is_xen_signature(x86::cpuid(r.value().base)));
  } else {
    REQUIRE(r.error() == errc::enodev);
  }
}

TEST_CASE("hypercall MSR value: address | page index, validated") {
  constexpr auto info = x86::detect_xen(fake_cpu{}).value();
  XENABI_BOTH_REQUIRE(x86::hypercall_msr_value(xenabi::phys_addr{0x123000}, 0, info).value() ==
                      0x123000u);
  XENABI_BOTH_REQUIRE(x86::hypercall_msr_value(xenabi::phys_addr{0x123800}, 0, info) == errc::einval);
  XENABI_BOTH_REQUIRE(x86::hypercall_msr_value(xenabi::phys_addr{0x123000}, 1, info) == errc::einval);
  constexpr auto two = [] {
    auto i = x86::detect_xen(fake_cpu{}).value();
    i.hypercall_pages = 2;
    return x86::hypercall_msr_value(xenabi::phys_addr{0xfee000}, 1, i);
  }();
  XENABI_BOTH_REQUIRE(two.value() == 0xfee001u);
  // Above 4 GiB (PAE/long mode): the MSR is 64 bits wide.
  XENABI_BOTH_REQUIRE(x86::hypercall_msr_value(xenabi::phys_addr{0x1'0000'0000ull}, 0, info).value() ==
                      0x1'0000'0000ull);
}

TEST_CASE("hypercall page geometry") {
  STATIC_REQUIRE(sizeof(x86::hypercall_page) == 4096 && alignof(x86::hypercall_page) == 4096);
  STATIC_REQUIRE(x86::hypercall_page_slots == 128);
  static x86::hypercall_page page;
  REQUIRE(reinterpret_cast<std::uintptr_t>(&page) % 4096 == 0);
  REQUIRE(static_cast<const unsigned char*>(page.entry(29)) - page.bytes == 29 * 32);
  REQUIRE(static_cast<const unsigned char*>(page.entry(127)) - page.bytes == 4064);
}

#if !defined(XENABI_TEST_NO_LIBXEN)
TEST_CASE("CPUID constants equal Xen's arch-x86/cpuid.h") {
  STATIC_REQUIRE(x86::XEN_CPUID::FIRST_LEAF == XEN_CPUID_FIRST_LEAF);
  STATIC_REQUIRE(x86::XEN_CPUID::SIGNATURE_EBX == XEN_CPUID_SIGNATURE_EBX);
  STATIC_REQUIRE(x86::XEN_CPUID::SIGNATURE_ECX == XEN_CPUID_SIGNATURE_ECX);
  STATIC_REQUIRE(x86::XEN_CPUID::SIGNATURE_EDX == XEN_CPUID_SIGNATURE_EDX);
  STATIC_REQUIRE(x86::XEN_CPUID::FEAT1_MMU_PT_UPDATE_PRESERVE_AD ==
                 XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD);
  STATIC_REQUIRE(x86::XEN_CPUID::MACHINE_ADDRESS_WIDTH_MASK == XEN_CPUID_MACHINE_ADDRESS_WIDTH_MASK);
  STATIC_REQUIRE(x86::XEN_CPUID::MAX_NUM_LEAVES == XEN_CPUID_MAX_NUM_LEAVES);
  STATIC_REQUIRE(x86::XEN_HVM_CPUID::APIC_ACCESS_VIRT == XEN_HVM_CPUID_APIC_ACCESS_VIRT);
  STATIC_REQUIRE(x86::XEN_HVM_CPUID::X2APIC_VIRT == XEN_HVM_CPUID_X2APIC_VIRT);
  STATIC_REQUIRE(x86::XEN_HVM_CPUID::IOMMU_MAPPINGS == XEN_HVM_CPUID_IOMMU_MAPPINGS);
  STATIC_REQUIRE(x86::XEN_HVM_CPUID::VCPU_ID_PRESENT == XEN_HVM_CPUID_VCPU_ID_PRESENT);
  STATIC_REQUIRE(x86::XEN_HVM_CPUID::DOMID_PRESENT == XEN_HVM_CPUID_DOMID_PRESENT);
  STATIC_REQUIRE(x86::XEN_HVM_CPUID::EXT_DEST_ID == XEN_HVM_CPUID_EXT_DEST_ID);
  STATIC_REQUIRE(x86::XEN_HVM_CPUID::UPCALL_VECTOR == XEN_HVM_CPUID_UPCALL_VECTOR);
}
#endif
