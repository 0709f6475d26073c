// Shared support for the fidelity probes (tests/fidelity/probes/<area>.cpp): each probe is a PVH
// kernel that runs on xenhv and on the real Xen 4.17 (PVH dom0 under QEMU) and prints one
// canonical line per observation, which tests/fidelity/run_probe.sh compares side by side.
//
// A probe includes this header and defines
//     const char* const probe::area = "<area>";
//     void probe::run();
// run() makes its observations with probe::obs (below); this header's kmain installs the
// hypercall page, calls run(), prints "<area>: done" and powers the domain off.
//
// Line format (tests/fidelity/README.md):
//     <area>.<case>: rc=<0|positive decimal|ERRNO_NAME> [key=value ...]
// Values that legitimately differ between the two hypervisors (addresses, times, frame numbers
// that depend on memory size) are normalised by the probe before printing, or left out.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/params.hpp>
#include <xenabi/abi/memory.hpp>
#include <xenabi/abi/sched.hpp>
#include <xenabi/abi/xen.hpp>
#include <xenabi/arch/x86/cpuid.hpp>
#include <xenabi/arch/x86/hypercall_page.hpp>
#include <xenabi/arch/x86/hypercall_raw.hpp>
#include <xenabi/core/errno.hpp>

#include "kernel.hpp"
#include "raw_calls.hpp"

namespace probe {

namespace abi = xenabi::abi;
namespace x86 = xenabi::arch::x86;

/// The probe's area name (defined by the probe): the prefix of every line it prints.
extern const char* const area;
/// The probe's observations (defined by the probe).
void run();
/// Guest-physical address of the hvm_start_info the domain was started with.
inline constinit std::uint32_t start_info_pa = 0;
/// Called from the event upcall (vector installed by install_upcall), if set by the probe.
using upcall_fn = void (*)();
/// The hook itself (null: upcalls are ignored).
inline constinit upcall_fn upcall_hook = nullptr;

/// Raw hypercall \p nr through the installed page; returns rax (negative = Xen errno).
using kernel::hcall;
/// Raw hypercall by number (for unknown numbers).
template <class... A>
long hcall_nr(std::uint32_t nr, A... args) {
  return x86::raw_hypercall(*x86::installed_hypercall_page(), nr, static_cast<x86::hypercall_reg>(args)...);
}
/// Address of \p p as a hypercall argument.
using kernel::addr;

/// Prints a hypercall result the canonical way: 0, a positive decimal, or Xen's errno name.
inline void print_rc(long rc) {
  if (rc >= 0) {
    kernel::print_dec(static_cast<std::uint64_t>(rc));
    return;
  }
  const std::int64_t e = -static_cast<std::int64_t>(rc);
  if (xenabi::is_xen_errno(e)) {
    kernel::print(xenabi::errc_name(static_cast<xenabi::errc>(e)));
  } else {
    kernel::print_dec_signed(rc);
  }
}

/// One observation line: `obs(case_name, rc).kv("key", v).hex("key", v);` — the line is
/// printed when the object goes out of scope.
class obs {
 public:
  obs(const char* case_name, long rc) {
    kernel::print(area);
    kernel::print(".");
    kernel::print(case_name);
    kernel::print(": rc=");
    print_rc(rc);
  }
  obs(const obs&) = delete;
  obs& operator=(const obs&) = delete;
  ~obs() { kernel::print("\n"); }
  /// Appends ` key=<decimal>`.
  obs& kv(const char* key, std::uint64_t v) {
    key_(key);
    kernel::print_dec(v);
    return *this;
  }
  /// Appends ` key=<signed decimal>`.
  obs& kvs(const char* key, long v) {
    key_(key);
    kernel::print_dec_signed(v);
    return *this;
  }
  /// Appends ` key=0x<hex>`.
  obs& hex(const char* key, std::uint64_t v) {
    key_(key);
    kernel::print_hex(v);
    return *this;
  }
  /// Appends ` key=<text>` (text without spaces).
  obs& str(const char* key, const char* v) {
    key_(key);
    kernel::print(v);
    return *this;
  }
  /// Appends ` key=<text>` for a string of at most \p cap bytes: spaces become ',', other
  /// unprintable bytes '?'; "(unterminated)" when no NUL is found within \p cap.
  obs& text(const char* key, const char* v, std::size_t cap) {
    key_(key);
    std::size_t n = 0;
    while (n < cap && v[n] != '\0') ++n;
    if (n == cap) {
      kernel::print("(unterminated)");
      return *this;
    }
    char b[2] = {0, 0};
    for (std::size_t i = 0; i < n; ++i) {
      const char ch = v[i];
      b[0] = ch == ' ' ? ',' : (ch < 0x21 || ch > 0x7e) ? '?' : ch;
      kernel::print(b);
    }
    return *this;
  }
  /// Appends ` key=<rc>` printed like a result (0, decimal or errno name).
  obs& rc(const char* key, long v) {
    key_(key);
    print_rc(v);
    return *this;
  }

 private:
  static void key_(const char* key) {
    kernel::print(" ");
    kernel::print(key);
    kernel::print("=");
  }
};

/// A canonical guest-virtual address that no probe maps (outside the boot page tables'
/// first GiB): a bad pointer on either hypervisor.
inline constexpr std::uintptr_t bad_pointer = 0x0000700000000000ull;

/// A guest-virtual page whose successor is unmapped, for buffers that cross from good memory
/// into bad: edge_page() maps one RAM page at virtual 1 GiB (the boot page tables map only the
/// first GiB) and leaves 1 GiB + 4 KiB unmapped. Returns the page's virtual address.
inline std::uintptr_t edge_page() {
  alignas(4096) static std::uint64_t pd[512];
  alignas(4096) static std::uint64_t pt[512];
  alignas(4096) static unsigned char backing[4096];
  constexpr std::uintptr_t va = 0x40000000u;
  std::uint64_t cr3 = 0;
  __asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
  auto* pml4 = reinterpret_cast<std::uint64_t*>(static_cast<std::uintptr_t>(cr3 & ~std::uint64_t{0xfff}));
  auto* pdpt = reinterpret_cast<std::uint64_t*>(static_cast<std::uintptr_t>(pml4[0] & ~std::uint64_t{0xfff}));
  for (auto& e : pt) e = 0;
  for (auto& e : pd) e = 0;
  pt[0] = addr(&backing[0]) | 3u;  // present, writable (identity: virtual == physical below 1 GiB)
  pd[0] = addr(&pt[0]) | 3u;
  pdpt[1] = addr(&pd[0]) | 3u;
  __asm__ __volatile__("mov %0, %%cr3" ::"r"(cr3) : "memory");  // flush the TLB
  return va;
}

/// The whole-page frame shared_info is mapped at by map_shared_info().
inline constinit kernel::shared_info_frame shared_frame_{.bytes = {}};

/// Maps shared_info (XENMEM_add_to_physmap, XENMAPSPACE_shared_info) at shared_frame_;
/// returns the hypercall result.
inline long map_shared_info() {
  abi::xen_add_to_physmap xatp{};
  xatp.domid = abi::DOMID::SELF;
  xatp.space = static_cast<std::uint32_t>(abi::XENMAPSPACE::shared_info);
  xatp.idx = 0;
  xatp.gpfn = addr(&shared_frame_) >> 12;
  return hcall(abi::hypercall::memory_op, static_cast<unsigned>(abi::XENMEM::add_to_physmap), addr(&xatp));
}
/// The mapped shared_info (after map_shared_info()).
inline abi::shared_info& shared() { return shared_frame_.info; }

/// Loads the IDT with upcall_entry at \p vector and registers it as HVM_PARAM_CALLBACK_IRQ
/// (type 2, vector); upcalls then call upcall_hook. Returns the set_param result.
inline long install_upcall(std::uint8_t vector) {
  kernel::install_idt(vector);
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  p.index = static_cast<std::uint32_t>(abi::HVM_PARAM::CALLBACK_IRQ);
  p.value = (std::uint64_t{2} << 56) | vector;
  return hcall(abi::hypercall::hvm_op, static_cast<unsigned>(abi::HVMOP::set_param), addr(&p));
}

}  // namespace probe

namespace kernel {
void console_write(const char* s, std::size_t n) {
  if (xenabi::arch::x86::installed_hypercall_page() == nullptr) return;
  (void)probe::hcall(xenabi::abi::hypercall::console_io, static_cast<unsigned>(xenabi::abi::CONSOLEIO::write), n,
                     probe::addr(s));
}
[[noreturn]] void shutdown(xenabi::abi::SHUTDOWN reason) {
  xenabi::abi::sched_shutdown s{static_cast<std::uint32_t>(reason)};
  if (xenabi::arch::x86::installed_hypercall_page() != nullptr)
    (void)probe::hcall(xenabi::abi::hypercall::sched_op, static_cast<unsigned>(xenabi::abi::SCHEDOP::shutdown),
                       probe::addr(&s));
  for (;;) __asm__ __volatile__("cli; hlt");
}
}  // namespace kernel

extern "C" void hello_upcall() {
  if (probe::upcall_hook != nullptr) probe::upcall_hook();
}

extern "C" [[noreturn]] void kmain(std::uint32_t start_info) {
  probe::start_info_pa = start_info;
  auto xen = xenabi::arch::x86::detect_xen();
  if (!xen) kernel::halt_forever();
  alignas(4096) static xenabi::arch::x86::hypercall_page page;
  if (!xenabi::arch::x86::install_hypercall_page(page, xenabi::phys_addr{reinterpret_cast<std::uintptr_t>(&page)},
                                                 xen.value()))
    kernel::halt_forever();
  probe::run();
  kernel::print(probe::area);
  kernel::println(": done");
  kernel::flush();
  kernel::shutdown(xenabi::abi::SHUTDOWN::poweroff);
}
