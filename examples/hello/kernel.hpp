// Small freestanding support shared by examples/hello and the xenhv test kernels: printing
// through the kernel's console_write, number and time formatting, an IDT with exception
// reporting and one event-upcall vector, and the mem* functions the compiler may call.
// Each kernel defines kernel::console_write and kernel::shutdown.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/sched.hpp>
#include <xenabi/abi/xen.hpp>

namespace kernel {

/// The frame a kernel asks Xen to map shared_info at (XENMEM_add_to_physmap,
/// XENMAPSPACE_shared_info): a whole page, since the mapping replaces it.
union alignas(4096) shared_info_frame {
  xenabi::abi::shared_info info;  ///< The shared_info structure.
  unsigned char bytes[4096];      ///< The whole frame.
};

/// Writes \p n bytes to the console (defined by the kernel: console_io write).
void console_write(const char* s, std::size_t n);
/// Shuts the domain down with \p reason (defined by the kernel: SCHEDOP_shutdown).
[[noreturn]] void shutdown(xenabi::abi::SHUTDOWN reason);

inline std::size_t length(const char* s) {
  std::size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}
/// The current output line: print() appends, a newline (or a full buffer) sends it with one
/// console write, so each console_io call carries a whole line.
struct line_buffer {
  char buf[160];
  std::size_t n;
};
inline constinit line_buffer line{{}, 0};
inline void flush() {
  if (line.n != 0) console_write(line.buf, line.n);
  line.n = 0;
}
inline void print(const char* s) {
  for (; *s != '\0'; ++s) {
    line.buf[line.n++] = *s;
    if (*s == '\n' || line.n == sizeof line.buf) flush();
  }
}
inline void println(const char* s) {
  print(s);
  print("\n");
}
inline void print_dec(std::uint64_t v) {
  char b[24];
  int i = 23;
  b[i] = '\0';
  do {
    b[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  print(b + i);
}
inline void print_dec_signed(long v) {
  if (v < 0) {
    print("-");
    print_dec(static_cast<std::uint64_t>(-v));
  } else {
    print_dec(static_cast<std::uint64_t>(v));
  }
}
inline void print_hex(std::uint64_t v) {
  char b[24];
  int i = 23;
  b[i] = '\0';
  do {
    b[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v != 0);
  b[--i] = 'x';
  b[--i] = '0';
  print(b + i);
}
/// Prints \p digits decimal digits of \p v, zero-padded.
inline void print_padded(std::uint64_t v, int digits) {
  char b[24];
  b[digits] = '\0';
  for (int i = digits - 1; i >= 0; --i) {
    b[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  print(b);
}
/// Prints nanoseconds as milliseconds with three decimals ("12.345 ms").
inline void print_ms(std::uint64_t ns) {
  print_dec(ns / 1000000u);
  print(".");
  print_padded((ns / 1000u) % 1000u, 3);
  print(" ms");
}
/// Prints Unix time \p sec.\p nsec as "YYYY-MM-DD hh:mm:ss.mmm".
inline void print_date(std::uint64_t sec, std::uint32_t nsec) {
  // Days to civil date (proleptic Gregorian), Howard Hinnant's well-known algorithm.
  const std::int64_t z = static_cast<std::int64_t>(sec / 86400) + 719468;
  const std::int64_t era = z / 146097;
  const std::uint64_t doe = static_cast<std::uint64_t>(z - era * 146097);
  const std::uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::uint64_t mp = (5 * doy + 2) / 153;
  const std::uint64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::uint64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::uint64_t y = static_cast<std::uint64_t>(static_cast<std::int64_t>(yoe) + era * 400) + (m <= 2 ? 1 : 0);
  const std::uint64_t s = sec % 86400;
  print_padded(y, 4);
  print("-");
  print_padded(m, 2);
  print("-");
  print_padded(d, 2);
  print(" ");
  print_padded(s / 3600, 2);
  print(":");
  print_padded(s / 60 % 60, 2);
  print(":");
  print_padded(s % 60, 2);
  print(".");
  print_padded(nsec / 1000000u, 3);
}

/// Index of the lowest set bit of \p v (non-zero). A plain loop: no bsf/tzcnt encodings, which
/// a software KVM's emulator may not know.
inline unsigned lowest_bit(std::uint64_t v) {
  unsigned i = 0;
  while ((v & 1u) == 0) {
    v >>= 1;
    ++i;
  }
  return i;
}

/// (a * b) >> 32 without losing the high bits.
inline std::uint64_t mul_shr32(std::uint64_t a, std::uint32_t b) {
  const std::uint64_t lo = (a & 0xffffffffu) * b;
  const std::uint64_t hi = (a >> 32) * b;
  return hi + (lo >> 32);
}

[[noreturn]] inline void halt_forever() {
  for (;;) __asm__ __volatile__("cli; hlt");
}
[[noreturn]] inline void crash() {
  flush();
  shutdown(xenabi::abi::SHUTDOWN::crash);
}

struct idt_entry {
  std::uint16_t off0, sel;
  std::uint8_t ist, type;
  std::uint16_t off1;
  std::uint32_t off2, zero;
};
static_assert(sizeof(idt_entry) == 16);

}  // namespace kernel

extern "C" const std::uint64_t exception_stubs[32];
extern "C" void upcall_entry();

namespace kernel {

inline idt_entry idt[256];

/// Loads an IDT with the exception stubs (0-31) and `upcall_entry` at \p vector.
inline void install_idt(std::uint8_t vector) {
  auto set = [](unsigned v, std::uint64_t h) {
    idt[v].off0 = static_cast<std::uint16_t>(h & 0xffff);
    idt[v].sel = 0x08;
    idt[v].ist = 0;
    idt[v].type = 0x8e;  // present, DPL 0, 64-bit interrupt gate
    idt[v].off1 = static_cast<std::uint16_t>((h >> 16) & 0xffff);
    idt[v].off2 = static_cast<std::uint32_t>(h >> 32);
    idt[v].zero = 0;
  };
  for (unsigned v = 0; v < 32; ++v) set(v, exception_stubs[v]);
  set(vector, reinterpret_cast<std::uintptr_t>(&upcall_entry));
  struct [[gnu::packed]] {
    std::uint16_t limit;
    std::uint64_t base;
  } d{sizeof(idt) - 1, reinterpret_cast<std::uintptr_t>(&idt[0])};
  __asm__ __volatile__("lidt %0" ::"m"(d));
}

}  // namespace kernel

