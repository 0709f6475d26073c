/// \file
/// The hypercall page: a 4 KiB page of 32-byte call stubs that the hypervisor writes for the
/// guest, one per hypercall number, and how a guest asks for it.
///
/// The guest declares the page (page-aligned, executable, in memory it owns) and writes the
/// page's guest-physical address, ORed with the page's index in the hypercall area (0 for the
/// first and usually only page), to the MSR that CPUID leaf base+2 names (`0x40000000` on
/// Xen and `xenhv`). The hypervisor fills the page; from then on hypercall `nr` is
/// `call page + nr * 32` (hypercall_raw.hpp). Real Xen's stubs execute `vmcall`/`vmmcall`
/// (HVM/PVH) or `syscall` (64-bit PV); `xenhv`'s stubs do something else that exits to it.
/// A guest that calls through the page cannot tell, which is why the Xen ABI asks for it.
///
/// \code
/// xenabi::arch::x86::hypercall_page hcall_page;   // 4 KiB-aligned by its type; map it executable
/// auto xen = xenabi::arch::x86::detect_xen();
/// if (!xen) panic("not on Xen");
/// auto r = xenabi::arch::x86::install_hypercall_page(hcall_page, kernel_phys(&hcall_page),
///                                                     xen.value());
/// \endcode
#pragma once

#if !defined(__x86_64__) && !defined(__i386__)
#error "xenabi/arch/x86/hypercall_page.hpp is for x86 only"
#endif

#include <cstddef>
#include <cstdint>

#include <xenabi/arch/x86/cpuid.hpp>
#include <xenabi/arch/x86/msr.hpp>
#include <xenabi/core/contract.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::arch::x86 {

/// Size of one hypercall stub in the page: hypercall `nr` starts at byte `nr * 32`.
inline constexpr std::size_t hypercall_stub_size = 32;
/// Size of the hypercall page (one x86 page).
inline constexpr std::size_t hypercall_page_size = 4096;
/// Number of stub slots in a page (128; Xen numbers hypercalls below 64).
inline constexpr std::uint32_t hypercall_page_slots =
    static_cast<std::uint32_t>(hypercall_page_size / hypercall_stub_size);

/// The hypercall page as the guest declares it: 4096 bytes, 4096-aligned, filled by the
/// hypervisor once installed. It must be mapped executable in the guest.
struct alignas(hypercall_page_size) hypercall_page {
  /// The stubs, written by the hypervisor.
  unsigned char bytes[hypercall_page_size];

  /// Address of the stub for hypercall \p nr (contract: `nr < hypercall_page_slots`).
  [[nodiscard]] const void* entry(std::uint32_t nr) const noexcept {
    XENABI_EXPECTS(nr < hypercall_page_slots);
    return bytes + std::size_t{nr} * hypercall_stub_size;
  }
};
static_assert(sizeof(hypercall_page) == hypercall_page_size);
static_assert(alignof(hypercall_page) == hypercall_page_size);

/// The value to write to the hypercall MSR to install the page at guest-physical \p gpa as page
/// \p index of the hypercall area that \p xen describes.
///
/// Errors: `errc::einval` if \p gpa is not page-aligned or \p index is not below
/// `xen.hypercall_pages`.
[[nodiscard]] constexpr result<std::uint64_t> hypercall_msr_value(
    phys_addr gpa, std::uint32_t index, const xen_cpuid_info& xen) noexcept {
  if (!gpa.is_aligned(hypercall_page_size)) return errc::einval;
  if (index >= xen.hypercall_pages) return errc::einval;
  return gpa.value() | index;
}

namespace detail {
/// The page installed last by install_hypercall_page (one per guest; null before).
inline constinit const hypercall_page* installed_hypercall_page = nullptr;
}  // namespace detail

/// The hypercall page installed by install_hypercall_page, or null if none yet.
[[nodiscard]] inline const hypercall_page* installed_hypercall_page() noexcept {
  return __atomic_load_n(&detail::installed_hypercall_page, __ATOMIC_ACQUIRE);
}

/// Records \p page as the page that page_transport calls through, without writing the MSR
/// (for a page that is already installed, or a test's fake page).
inline void use_hypercall_page(const hypercall_page& page) noexcept {
  __atomic_store_n(&detail::installed_hypercall_page, &page, __ATOMIC_RELEASE);
}

/// Asks the hypervisor to fill \p page, which lives at guest-physical \p gpa, as hypercall page
/// \p index: writes `gpa | index` to the MSR that \p xen names, then records \p page as the
/// installed page (installed_hypercall_page(), used by the default hypercall transport).
/// Ring 0 only. Errors as hypercall_msr_value.
[[nodiscard]] inline result<void> install_hypercall_page(hypercall_page& page, phys_addr gpa,
                                                         const xen_cpuid_info& xen,
                                                         std::uint32_t index = 0) noexcept {
  const result<std::uint64_t> v = hypercall_msr_value(gpa, index, xen);
  if (!v) return v.error();
  wrmsr(xen.hypercall_msr, v.value());
  use_hypercall_page(page);
  return {};
}

}  // namespace xenabi::arch::x86

#include <xenabi/core/macro_shield_end.inc>
