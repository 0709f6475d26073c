/// \file
/// CPUID, and finding Xen through it (Xen's public `arch-x86/cpuid.h`).
///
/// Xen reports itself in the hypervisor CPUID range: at the first 0x100-aligned leaf from
/// `0x40000000` whose EBX:ECX:EDX spell `XenVMMXenVMM` (another hypervisor interface, such as
/// Viridian, may occupy `0x40000000` and push Xen to `0x40000100`). Relative to that base:
///
/// | leaf     | what it says                                                                 |
/// |----------|------------------------------------------------------------------------------|
/// | base + 0 | EAX: largest Xen leaf; EBX:ECX:EDX: the signature                           |
/// | base + 1 | EAX: Xen version, major in 31:16, minor in 15:0                              |
/// | base + 2 | EAX: number of hypercall pages; EBX: MSR to install them; ECX/EDX: features |
/// | base + 3 | TSC: sub-leaf 0 EAX flags, EBX tsc_mode, ECX guest TSC kHz, EDX incarnation |
/// | base + 4 | HVM features (EAX), vCPU id (EBX) and domain id (ECX) when flagged present  |
/// | base + 5 | PV: EAX max sub-leaf, EBX bits 7:0 machine address width                     |
///
/// `detect_xen()` runs the scan with the real instruction; `detect_xen(fake)` takes any
/// `constexpr`-capable callable `(leaf, subleaf) -> cpuid_regs`, so the logic is testable on a
/// host without Xen, at compile time too.
#pragma once

#if !defined(__x86_64__) && !defined(__i386__)
#error "xenabi/arch/x86/cpuid.hpp is for x86 only"
#endif

#include <concepts>
#include <cstdint>

#include <xenabi/core/result.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::arch::x86 {

/// The four registers CPUID returns.
struct cpuid_regs {
  std::uint32_t eax;  ///< EAX output.
  std::uint32_t ebx;  ///< EBX output.
  std::uint32_t ecx;  ///< ECX output.
  std::uint32_t edx;  ///< EDX output.
  /// Field-wise equality.
  friend constexpr bool operator==(const cpuid_regs&, const cpuid_regs&) noexcept = default;
};

/// Executes CPUID for \p leaf and \p subleaf (ECX).
inline cpuid_regs cpuid(std::uint32_t leaf, std::uint32_t subleaf = 0) noexcept {
  cpuid_regs r{};
  __asm__ __volatile__("cpuid"
                       : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                       : "a"(leaf), "c"(subleaf));
  return r;
}

/// A source of CPUID results: the real instruction or a test fake.
template <class F>
concept cpuid_source = requires(const F& f, std::uint32_t leaf, std::uint32_t sub) {
  { f(leaf, sub) } -> std::convertible_to<cpuid_regs>;
};

/// The real CPUID instruction as a cpuid_source.
struct hardware_cpuid {
  /// Executes CPUID.
  cpuid_regs operator()(std::uint32_t leaf, std::uint32_t subleaf) const noexcept {
    return cpuid(leaf, subleaf);
  }
};

/// Xen's CPUID constants (`XEN_CPUID_*` in arch-x86/cpuid.h).
namespace XEN_CPUID {
/// First leaf of the hypervisor range where the scan starts (`XEN_CPUID_FIRST_LEAF`).
inline constexpr std::uint32_t FIRST_LEAF = 0x40000000u;
/// Last base the scan tries (`0x4000FF00`): bases are 0x100 apart.
inline constexpr std::uint32_t LAST_BASE = 0x4000FF00u;
/// Distance between candidate bases.
inline constexpr std::uint32_t BASE_STEP = 0x100u;
/// "XenV" (`XEN_CPUID_SIGNATURE_EBX`).
inline constexpr std::uint32_t SIGNATURE_EBX = 0x566e6558u;
/// "MMXe" (`XEN_CPUID_SIGNATURE_ECX`).
inline constexpr std::uint32_t SIGNATURE_ECX = 0x65584d4du;
/// "nVMM" (`XEN_CPUID_SIGNATURE_EDX`).
inline constexpr std::uint32_t SIGNATURE_EDX = 0x4d4d566eu;
/// Base+2 ECX: the host supports `MMU_PT_UPDATE_PRESERVE_AD` (`XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD`).
inline constexpr std::uint32_t FEAT1_MMU_PT_UPDATE_PRESERVE_AD = 1u << 0;
/// Base+5 EBX mask: machine address width (`XEN_CPUID_MACHINE_ADDRESS_WIDTH_MASK`).
inline constexpr std::uint32_t MACHINE_ADDRESS_WIDTH_MASK = 0xffu;
/// Number of Xen leaves Xen 4.17 defines beyond the base (`XEN_CPUID_MAX_NUM_LEAVES`).
inline constexpr std::uint32_t MAX_NUM_LEAVES = 5;
}  // namespace XEN_CPUID

/// Base+4 (HVM) feature flags in EAX (`XEN_HVM_CPUID_*` in arch-x86/cpuid.h).
namespace XEN_HVM_CPUID {
/// Virtualized APIC registers (`XEN_HVM_CPUID_APIC_ACCESS_VIRT`).
inline constexpr std::uint32_t APIC_ACCESS_VIRT = 1u << 0;
/// Virtualized x2APIC accesses (`XEN_HVM_CPUID_X2APIC_VIRT`).
inline constexpr std::uint32_t X2APIC_VIRT = 1u << 1;
/// Memory mapped from other domains has valid IOMMU entries (`XEN_HVM_CPUID_IOMMU_MAPPINGS`).
inline constexpr std::uint32_t IOMMU_MAPPINGS = 1u << 2;
/// EBX holds the vCPU id (`XEN_HVM_CPUID_VCPU_ID_PRESENT`).
inline constexpr std::uint32_t VCPU_ID_PRESENT = 1u << 3;
/// ECX holds the domain id (`XEN_HVM_CPUID_DOMID_PRESENT`).
inline constexpr std::uint32_t DOMID_PRESENT = 1u << 4;
/// Extended (15-bit) destination ids in IO-APIC RTEs and MSI addresses (`XEN_HVM_CPUID_EXT_DEST_ID`).
inline constexpr std::uint32_t EXT_DEST_ID = 1u << 5;
/// Per-vCPU upcall vectors work with physical IRQs bound to event channels (`XEN_HVM_CPUID_UPCALL_VECTOR`).
inline constexpr std::uint32_t UPCALL_VECTOR = 1u << 6;
}  // namespace XEN_HVM_CPUID

/// What the Xen CPUID leaves say about this guest's hypervisor.
struct xen_cpuid_info {
  std::uint32_t base;             ///< The leaf carrying the signature (0x40000000 + k*0x100).
  std::uint32_t max_leaf;         ///< Largest Xen leaf (base+0 EAX); every leaf up to it exists.
  std::uint16_t version_major;    ///< Xen major version (base+1 EAX 31:16).
  std::uint16_t version_minor;    ///< Xen minor version (base+1 EAX 15:0).
  std::uint32_t hypercall_pages;  ///< Number of hypercall pages (base+2 EAX, at least 1).
  std::uint32_t hypercall_msr;    ///< MSR that installs a hypercall page (base+2 EBX).
  std::uint32_t features1;        ///< Base+2 ECX (`XEN_CPUID::FEAT1_*`).
  std::uint32_t features2;        ///< Base+2 EDX (none defined by Xen 4.17).
  bool has_tsc_leaf;              ///< Base+3 exists; the tsc_* fields are valid.
  std::uint32_t tsc_flags;        ///< Base+3.0 EAX: bit 0 emulated, 1 reliable, 2 RDTSCP available.
  std::uint32_t tsc_mode;         ///< Base+3.0 EBX: 0 default, 1 emulate, 2 native, 3 native + TSC_AUX.
  std::uint32_t tsc_khz;          ///< Base+3.0 ECX: guest TSC frequency in kHz.
  std::uint32_t tsc_incarnation;  ///< Base+3.0 EDX: migration count.
  bool has_hvm_leaf;              ///< Base+4 exists; hvm_features is valid.
  std::uint32_t hvm_features;     ///< Base+4 EAX (`XEN_HVM_CPUID::*`).
  bool has_vcpu_id;               ///< vcpu_id is valid (`XEN_HVM_CPUID::VCPU_ID_PRESENT`).
  std::uint32_t vcpu_id;          ///< This vCPU's id (base+4 EBX).
  bool has_domid;                 ///< domid is valid (`XEN_HVM_CPUID::DOMID_PRESENT`).
  std::uint16_t domid;            ///< This domain's id (base+4 ECX).
  bool has_pv_leaf;               ///< Base+5 exists; machine_address_width is valid.
  std::uint8_t machine_address_width;  ///< Base+5 EBX 7:0: max machine address width in bits.

  /// The version as Xen's `xen_version(XENVER_version)` returns it: major << 16 | minor.
  [[nodiscard]] constexpr std::uint32_t version() const noexcept {
    return (std::uint32_t{version_major} << 16) | version_minor;
  }
};

/// True if \p r (the output of a candidate base leaf) carries the `XenVMMXenVMM` signature.
[[nodiscard]] constexpr bool is_xen_signature(const cpuid_regs& r) noexcept {
  return r.ebx == XEN_CPUID::SIGNATURE_EBX && r.ecx == XEN_CPUID::SIGNATURE_ECX &&
         r.edx == XEN_CPUID::SIGNATURE_EDX;
}

/// Scans for Xen with \p cpuid and reads its leaves.
///
/// Errors: `errc::enodev` if no base from 0x40000000 to 0x4000FF00 carries the signature;
/// `errc::enodata` if the signature is there but base+2 (hypercall page and MSR) is not, or it
/// reports zero hypercall pages (Xen guarantees at least one).
template <cpuid_source F>
[[nodiscard]] constexpr result<xen_cpuid_info> detect_xen(const F& cpuid) noexcept {
  for (std::uint32_t base = XEN_CPUID::FIRST_LEAF;; base += XEN_CPUID::BASE_STEP) {
    const cpuid_regs sig = cpuid(base, 0);
    if (is_xen_signature(sig)) {
      // The largest leaf must lie in this base's block and reach base+2.
      if (sig.eax < base + 2 || sig.eax - base >= XEN_CPUID::BASE_STEP) return errc::enodata;
      xen_cpuid_info info{};
      info.base = base;
      info.max_leaf = sig.eax;
      const cpuid_regs ver = cpuid(base + 1, 0);
      info.version_major = static_cast<std::uint16_t>(ver.eax >> 16);
      info.version_minor = static_cast<std::uint16_t>(ver.eax & 0xffffu);
      const cpuid_regs hc = cpuid(base + 2, 0);
      if (hc.eax == 0) return errc::enodata;
      info.hypercall_pages = hc.eax;
      info.hypercall_msr = hc.ebx;
      info.features1 = hc.ecx;
      info.features2 = hc.edx;
      if (sig.eax >= base + 3) {
        const cpuid_regs t = cpuid(base + 3, 0);
        info.has_tsc_leaf = true;
        info.tsc_flags = t.eax;
        info.tsc_mode = t.ebx;
        info.tsc_khz = t.ecx;
        info.tsc_incarnation = t.edx;
      }
      if (sig.eax >= base + 4) {
        const cpuid_regs h = cpuid(base + 4, 0);
        info.has_hvm_leaf = true;
        info.hvm_features = h.eax;
        info.has_vcpu_id = (h.eax & XEN_HVM_CPUID::VCPU_ID_PRESENT) != 0;
        if (info.has_vcpu_id) info.vcpu_id = h.ebx;
        info.has_domid = (h.eax & XEN_HVM_CPUID::DOMID_PRESENT) != 0;
        if (info.has_domid) info.domid = static_cast<std::uint16_t>(h.ecx & 0xffffu);
      }
      if (sig.eax >= base + 5) {
        const cpuid_regs p = cpuid(base + 5, 0);
        info.has_pv_leaf = true;
        info.machine_address_width =
            static_cast<std::uint8_t>(p.ebx & XEN_CPUID::MACHINE_ADDRESS_WIDTH_MASK);
      }
      return info;
    }
    if (base == XEN_CPUID::LAST_BASE) break;
  }
  return errc::enodev;
}

/// Scans for Xen with the real CPUID instruction.
[[nodiscard]] inline result<xen_cpuid_info> detect_xen() noexcept {
  return detect_xen(hardware_cpuid{});
}

}  // namespace xenabi::arch::x86

#include <xenabi/core/macro_shield_end.inc>
