/// \file
/// Turning KVM exits that stop a guest into messages a kernel author can act on: exit-reason
/// names, a decoder for `KVM_EXIT_INTERNAL_ERROR` that names the instruction bytes, the guest
/// address and the likely cause (on a software KVM such as kvm_pvm, ring-0 guest code is
/// emulated and the emulator lacks SSE, x87, `int3`, `rdtscp`, `xsave`...; DESIGN.md section 3),
/// and a register dump.
#pragma once

#include <linux/kvm.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace hv::kvm {

/// The name of KVM exit reason \p r ("KVM_EXIT_HLT").
[[nodiscard]] inline const char* exit_reason_name(std::uint32_t r) noexcept {
  switch (r) {
    case KVM_EXIT_UNKNOWN: return "KVM_EXIT_UNKNOWN";
    case KVM_EXIT_EXCEPTION: return "KVM_EXIT_EXCEPTION";
    case KVM_EXIT_IO: return "KVM_EXIT_IO";
    case KVM_EXIT_HYPERCALL: return "KVM_EXIT_HYPERCALL";
    case KVM_EXIT_DEBUG: return "KVM_EXIT_DEBUG";
    case KVM_EXIT_HLT: return "KVM_EXIT_HLT";
    case KVM_EXIT_MMIO: return "KVM_EXIT_MMIO";
    case KVM_EXIT_IRQ_WINDOW_OPEN: return "KVM_EXIT_IRQ_WINDOW_OPEN";
    case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN (triple fault)";
    case KVM_EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY";
    case KVM_EXIT_INTR: return "KVM_EXIT_INTR";
    case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
    case KVM_EXIT_SYSTEM_EVENT: return "KVM_EXIT_SYSTEM_EVENT";
    case KVM_EXIT_X86_RDMSR: return "KVM_EXIT_X86_RDMSR";
    case KVM_EXIT_X86_WRMSR: return "KVM_EXIT_X86_WRMSR";
    default: return "KVM_EXIT_?";
  }
}

/// What an instruction that the emulator refused probably is, and what to do about it.
struct insn_guess {
  std::string name;   ///< Instruction (or class) name; empty if unknown.
  std::string advice; ///< What to change in the guest.
};

/// Guesses the instruction from its first bytes \p b (legacy prefixes and REX skipped).
[[nodiscard]] inline insn_guess guess_instruction(const std::uint8_t* b, std::size_t n) {
  const std::string no_sse =
      "SSE/x87 in ring 0: build guest code with -mgeneral-regs-only -mno-red-zone -march=x86-64";
  std::size_t i = 0;
  bool p66 = false, pf2 = false, pf3 = false;
  while (i < n && (b[i] == 0x66 || b[i] == 0xf2 || b[i] == 0xf3 || b[i] == 0x2e || b[i] == 0x3e ||
                   b[i] == 0x26 || b[i] == 0x36 || b[i] == 0x64 || b[i] == 0x65 || b[i] == 0x67 || b[i] == 0xf0)) {
    p66 |= b[i] == 0x66;
    pf2 |= b[i] == 0xf2;
    pf3 |= b[i] == 0xf3;
    ++i;
  }
  if (i < n && (b[i] & 0xf0) == 0x40) ++i;  // REX
  if (i >= n) return {};
  const std::uint8_t op = b[i];
  const std::uint8_t op2 = i + 1 < n ? b[i + 1] : 0;
  const std::uint8_t op3 = i + 2 < n ? b[i + 2] : 0;
  if (op == 0xcc) return {"int3", "breakpoints cannot be emulated here; remove int3/__builtin_trap"};
  if (op == 0xcd) return {"int n", "software interrupts cannot be emulated in ring 0 here"};
  if (op == 0xf1) return {"icebp", ""};
  if (op >= 0xd8 && op <= 0xdf) return {"x87 instruction", no_sse};
  if (op == 0xc4 || op == 0xc5 || op == 0x62) return {"VEX/EVEX (AVX) instruction", no_sse};
  if (op != 0x0f) return {};
  const std::uint8_t modrm_reg = static_cast<std::uint8_t>((op3 >> 3) & 7);
  switch (op2) {
    case 0x01:
      if (op3 == 0xf9) return {"rdtscp", "use rdtsc"};
      if (op3 == 0xc1 || op3 == 0xd9) return {"vmcall/vmmcall", "call through the hypercall page"};
      if (op3 == 0xd0) return {"xgetbv", "do not probe XCR0 in ring 0 here"};
      if (op3 == 0xca || op3 == 0xcb) return {"clac/stac", "do not enable SMAP (CPUID shows it but it cannot be used)"};
      if (op3 == 0xc8 || op3 == 0xc9) return {"monitor/mwait", "idle with hlt"};
      break;
    case 0x00:
      return {"verr/verw/sldt/str", "avoid verw (MDS mitigation) in ring 0"};
    case 0x02: return {"lar", ""};
    case 0x03: return {"lsl", ""};
    case 0x34: return {"sysenter", ""};
    case 0xae:
      if (((i + 2 < n ? b[i + 2] : 0) >> 3 & 7) == 2 || ((i + 2 < n ? b[i + 2] : 0) >> 3 & 7) == 3)
        return {"ldmxcsr/stmxcsr", no_sse};
      return {"xsave/xrstor/fxsave/clwb family", "do not use extended state in ring 0 here"};
    case 0xc7:
      if (modrm_reg == 1) return {"cmpxchg8b/16b", "avoid 128-bit atomics (-mno-cx16)"};
      break;
    case 0xb8:
      if (pf3) return {"popcnt", "build with -march=x86-64 (no POPCNT)"};
      break;
    case 0x38:
      if (op3 == 0xf0 || op3 == 0xf1) return {pf2 ? "crc32" : "movbe", "build with -march=x86-64"};
      if (op3 == 0x82 && p66) return {"invpcid", "do not use INVPCID (CPUID shows it but it cannot be used)"};
      return {"SSSE3/SSE4 instruction", no_sse};
    case 0x3a: return {"SSE4/AES/PCLMUL instruction", no_sse};
    default:
      if ((op2 >= 0x10 && op2 <= 0x17) || (op2 >= 0x28 && op2 <= 0x2f) || (op2 >= 0x50 && op2 <= 0x7f) ||
          (op2 >= 0xc2 && op2 <= 0xc6) || op2 >= 0xd0)
        return {"SSE instruction", no_sse};
      if (op2 >= 0xbc && op2 <= 0xbd && pf3) return {"tzcnt/lzcnt (BMI)", "build with -march=x86-64"};
      break;
  }
  return {};
}

/// A human-readable report for a `KVM_EXIT_INTERNAL_ERROR`, given `kvm_run` and the guest's
/// linear instruction address \p rip (CS base + RIP).
[[nodiscard]] inline std::string describe_internal_error(const kvm_run& run, std::uint64_t rip) {
  std::string s = "KVM internal error, suberror " + std::to_string(run.internal.suberror);
  if (run.internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
    s += " (instruction emulation failed)";
    char buf[64];
    std::snprintf(buf, sizeof buf, " at guest address %#" PRIx64, rip);
    s += buf;
    const auto& ef = run.emulation_failure;
    if (run.emulation_failure.ndata >= 3 && (ef.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) != 0) {
      const std::size_t len = ef.insn_size <= 15 ? ef.insn_size : 15;
      s += "; instruction bytes:";
      for (std::size_t i = 0; i < len; ++i) {
        std::snprintf(buf, sizeof buf, " %02x", ef.insn_bytes[i]);
        s += buf;
      }
      auto g = guess_instruction(ef.insn_bytes, len);
      if (!g.name.empty()) {
        s += "\n  likely: " + g.name;
        if (!g.advice.empty()) s += " -- " + g.advice;
      } else {
        s += "\n  likely: an instruction this host's KVM cannot emulate in guest ring 0 (see DESIGN.md section 3)";
      }
    } else {
      s += "\n  likely: an instruction this host's KVM cannot emulate in guest ring 0 (SSE, x87, int3, rdtscp, "
           "xsave...); build guest code with -mgeneral-regs-only -mno-red-zone -march=x86-64";
    }
  } else {
    s += " (";
    s += run.internal.suberror == KVM_INTERNAL_ERROR_SIMUL_EX ? "exception while delivering an exception" :
         run.internal.suberror == KVM_INTERNAL_ERROR_DELIVERY_EV ? "event delivery failed (bad IDT or stack?)" :
                                                                   "see the KVM documentation";
    s += ")";
  }
  return s;
}

/// A register dump of \p r and \p sr.
[[nodiscard]] inline std::string describe_registers(const kvm_regs& r, const kvm_sregs& sr) {
  char b[1024];
  std::snprintf(b, sizeof b,
                "  rip %016" PRIx64 "  rsp %016" PRIx64 "  rflags %08" PRIx64 "\n"
                "  rax %016" PRIx64 "  rbx %016" PRIx64 "  rcx %016" PRIx64 "  rdx %016" PRIx64 "\n"
                "  rsi %016" PRIx64 "  rdi %016" PRIx64 "  rbp %016" PRIx64 "  r8  %016" PRIx64 "\n"
                "  r9  %016" PRIx64 "  r10 %016" PRIx64 "  r11 %016" PRIx64 "  r12 %016" PRIx64 "\n"
                "  r13 %016" PRIx64 "  r14 %016" PRIx64 "  r15 %016" PRIx64 "\n"
                "  cs %04x (base %" PRIx64 ", %s)  cr0 %08" PRIx64 "  cr2 %016" PRIx64 "  cr3 %016" PRIx64
                "  cr4 %08" PRIx64 "  efer %" PRIx64 "\n",
                static_cast<std::uint64_t>(r.rip), static_cast<std::uint64_t>(r.rsp),
                static_cast<std::uint64_t>(r.rflags), static_cast<std::uint64_t>(r.rax),
                static_cast<std::uint64_t>(r.rbx), static_cast<std::uint64_t>(r.rcx),
                static_cast<std::uint64_t>(r.rdx), static_cast<std::uint64_t>(r.rsi),
                static_cast<std::uint64_t>(r.rdi), static_cast<std::uint64_t>(r.rbp),
                static_cast<std::uint64_t>(r.r8), static_cast<std::uint64_t>(r.r9),
                static_cast<std::uint64_t>(r.r10), static_cast<std::uint64_t>(r.r11),
                static_cast<std::uint64_t>(r.r12), static_cast<std::uint64_t>(r.r13),
                static_cast<std::uint64_t>(r.r14), static_cast<std::uint64_t>(r.r15),
                static_cast<unsigned>(sr.cs.selector), static_cast<std::uint64_t>(sr.cs.base),
                sr.cs.l ? "64-bit" : (sr.cs.db ? "32-bit" : "16-bit"), static_cast<std::uint64_t>(sr.cr0),
                static_cast<std::uint64_t>(sr.cr2), static_cast<std::uint64_t>(sr.cr3),
                static_cast<std::uint64_t>(sr.cr4), static_cast<std::uint64_t>(sr.efer));
  return b;
}

}  // namespace hv::kvm
