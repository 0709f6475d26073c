/// \file
/// The hypercall page xenhv writes when the guest stores its address in MSR 0x40000000.
///
/// Real Xen's stubs execute `vmcall`, which KVM does not hand to userspace (and which livelocks
/// on a software KVM). xenhv's stub for hypercall `nr`, at offset `nr * 32`, is
/// \code
///   b8 nr nr nr nr    mov  $nr, %eax
///   e6 e4             out  %al, $0xe4      ; exits to xenhv (port hypercall_port)
///   c3                ret
/// \endcode
/// followed by `int3` padding. It clobbers only `rax` (the result register), so `rcx`, `r11` and
/// every argument register survive, and the same bytes work in 32-bit and 64-bit mode. xenhv
/// reads the number from `rax` and the arguments from `rdi rsi rdx r10 r8` (64-bit) or
/// `ebx ecx edx esi edi` (32-bit), and writes the result to `rax` before resuming the guest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hv {

/// The I/O port a hypercall stub writes to (one byte, `out %al, $0xe4`).
inline constexpr std::uint16_t hypercall_port = 0xe4;
/// A port with no meaning to xenhv except "exit and come back" (benchmarks' bare exit baseline,
/// test kernels' markers). Writes are counted and otherwise ignored.
inline constexpr std::uint16_t bare_exit_port = 0xe5;
/// Bytes per stub.
inline constexpr std::size_t hypercall_stub_size = 32;
/// Stubs per page.
inline constexpr std::size_t hypercall_stub_count = 4096 / hypercall_stub_size;

/// One trapped hypercall: its number, its six argument registers and the guest's width.
struct hypercall_args {
  std::uint32_t nr = 0;            ///< Hypercall number (from rax/eax).
  std::uint64_t a[6] = {};         ///< Arguments (64-bit: rdi rsi rdx r10 r8 r9; 32-bit: ebx ecx edx esi edi ebp).
  bool guest64 = true;             ///< True if the caller runs in 64-bit mode.
  /// The caller's EFLAGS.IF at the call: with interrupts off a pending upcall cannot be
  /// delivered, so SCHEDOP_block sleeps through it (Xen's hvm_local_events_need_delivery).
  bool interrupts_enabled = true;
};

/// Fills \p page with one stub per hypercall number (0..127).
inline void fill_hypercall_page(std::span<std::byte, 4096> page) noexcept {
  for (std::size_t nr = 0; nr < hypercall_stub_count; ++nr) {
    std::byte* s = page.data() + nr * hypercall_stub_size;
    const std::uint8_t code[8] = {0xb8,
                                  static_cast<std::uint8_t>(nr & 0xff),
                                  static_cast<std::uint8_t>((nr >> 8) & 0xff),
                                  0,
                                  0,
                                  0xe6,
                                  static_cast<std::uint8_t>(hypercall_port),
                                  0xc3};
    for (std::size_t i = 0; i < hypercall_stub_size; ++i)
      s[i] = std::byte{i < sizeof code ? code[i] : std::uint8_t{0xcc}};
  }
}

}  // namespace hv
