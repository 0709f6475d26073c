// A tiny PVH kernel (32-bit, or 64-bit after its own switch to long mode) that asks the real Xen which hypercalls a PVH/HVM guest may make, to
// check xenabi/hypercall_modes.hpp (and the typed wrappers' sub-operation limits) against Xen
// itself, through xenabi's own detection, hypercall-page installation and call sequences (i386
// or x86_64).
// Boots as PVH dom0 under ../shared/xen-oracle/run-on-xen (see CMakeLists.txt); prints one line
// per probe and a verdict, then powers off.
#include <xenabi/xenabi.hpp>

#include <cstdint>

namespace x86 = xenabi::arch::x86;
namespace abi = xenabi::abi;
using x86::hypercall_reg;

// PVH entry: the ELF note XEN_ELFNOTE_PHYS32_ENTRY (18) names the 32-bit entry point, entered
// in protected mode with paging off and %ebx = physical address of hvm_start_info.
__asm__(R"(
  .pushsection .note.Xen, "a", @note
  .balign 4
  .long 4, 4, 18
  .asciz "Xen"
  .balign 4
  .long xen_probe_entry32
  .popsection
  .pushsection .bss.stack, "aw", @nobits
  .balign 16
  .space 16384
xen_probe_stack_top:
  .popsection
)");

#if defined(__i386__)
// i386: stay in 32-bit protected mode, paging off.
__asm__(R"(
  .pushsection .text.boot, "ax", @progbits
  .globl xen_probe_entry32
xen_probe_entry32:
  cli
  movl $xen_probe_stack_top, %esp
  pushl %ebx
  call xen_probe_main
1:hlt
  jmp 1b
  .popsection
)");
#else
// x86_64: identity-map the first 1 GiB with 2 MiB pages, enable PAE, EFER.LME and paging, and
// jump to 64-bit code through a minimal GDT.
__asm__(R"(
  .pushsection .text.boot, "ax", @progbits
  .code32
  .globl xen_probe_entry32
xen_probe_entry32:
  cli
  movl %ebx, %edi
  movl $xen_probe_pdpt, %eax
  orl $3, %eax
  movl %eax, xen_probe_pml4
  movl $xen_probe_pd, %eax
  orl $3, %eax
  movl %eax, xen_probe_pdpt
  xorl %ecx, %ecx
1:movl %ecx, %eax
  shll $21, %eax
  orl $0x83, %eax
  movl %eax, xen_probe_pd(,%ecx,8)
  incl %ecx
  cmpl $512, %ecx
  jb 1b
  movl %cr4, %eax
  orl $0x20, %eax
  movl %eax, %cr4
  movl $xen_probe_pml4, %eax
  movl %eax, %cr3
  movl $0xc0000080, %ecx
  rdmsr
  orl $0x100, %eax
  wrmsr
  movl %cr0, %eax
  orl $0x80000001, %eax
  movl %eax, %cr0
  lgdt xen_probe_gdt_desc
  ljmp $0x08, $xen_probe_entry64
  .code64
xen_probe_entry64:
  movl $0x10, %eax
  movl %eax, %ds
  movl %eax, %es
  movl %eax, %ss
  movl $xen_probe_stack_top, %esp
  call xen_probe_main
2:hlt
  jmp 2b
  .popsection
  .pushsection .rodata.gdt, "a", @progbits
  .balign 8
xen_probe_gdt:
  .quad 0
  .quad 0x00af9a000000ffff
  .quad 0x00cf92000000ffff
xen_probe_gdt_desc:
  .word 23
  .long xen_probe_gdt
  .popsection
  .pushsection .bss.pagetables, "aw", @nobits
  .balign 4096
xen_probe_pml4: .space 4096
xen_probe_pdpt: .space 4096
xen_probe_pd: .space 4096
  .popsection
)");
#endif

namespace {

x86::hypercall_page page;

void put(const char* s) {
  std::uint32_t n = 0;
  while (s[n] != '\0') ++n;
  (void)xenabi::console_io<abi::CONSOLEIO::write>(s, n);
}

void put_num(long v) {
  char buf[24];
  int i = 23;
  buf[i] = '\0';
  const bool neg = v < 0;
  unsigned long u = neg ? static_cast<unsigned long>(-v) : static_cast<unsigned long>(v);
  do {
    buf[--i] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0 && i > 1);
  if (neg) buf[--i] = '-';
  put(buf + i);
}

long call(std::uint32_t nr, hypercall_reg a1 = 0, hypercall_reg a2 = 0, hypercall_reg a3 = 0,
          hypercall_reg a4 = 0, hypercall_reg a5 = 0) {
  return static_cast<long>(x86::raw_hypercall(page, nr, a1, a2, a3, a4, a5));
}

constexpr long enosys = -38;
int mismatches = 0;

// Reports one probe: `expect_dispatch` is what xenabi's tables say.
void report(const char* what, std::uint32_t nr, long rc, bool expect_dispatch) {
  const bool dispatched = rc != enosys;
  put(dispatched == expect_dispatch ? "probe ok       " : "probe MISMATCH ");
  put(what);
  put(" nr=");
  put_num(static_cast<long>(nr));
  put(" rc=");
  put_num(rc);
  put(expect_dispatch ? " (xenabi: accepted)\n" : " (xenabi: -ENOSYS)\n");
  if (dispatched != expect_dispatch) ++mismatches;
}

// Arguments that pass Xen's sub-operation filters and are harmless, for the hypercalls a
// PVH/HVM guest may make (a NULL guest pointer gives -EFAULT, which still proves dispatch).
long accepted_probe(std::uint32_t nr) {
  switch (static_cast<abi::hypercall>(nr)) {
    case abi::hypercall::memory_op: return call(nr, 2);                  // maximum_ram_page
    case abi::hypercall::multicall: return call(nr, 0, 0);              // empty batch
    case abi::hypercall::set_timer_op: return call(nr, 0, 0);           // cancel
    case abi::hypercall::xen_version: return call(nr, 0, 0);            // XENVER_version
    case abi::hypercall::console_io: return call(nr, 0, 0, 0);          // write 0 bytes
    case abi::hypercall::grant_table_op: return call(nr, 0, 0, 0);      // map, count 0
    case abi::hypercall::vm_assist: return call(nr, 0, 5);              // runstate_update_flag
    case abi::hypercall::vcpu_op: return call(nr, 3, 0, 0);             // is_up(0)
    case abi::hypercall::mmuext_op: return call(nr, 0, 0, 0, 0x7ff0);   // empty, DOMID_SELF
    case abi::hypercall::sched_op: return call(nr, 0, 0);               // yield
    case abi::hypercall::event_channel_op: return call(nr, 5, 0);       // status(NULL)
    case abi::hypercall::physdev_op: return call(nr, 24, 0);            // pci_mmcfg_reserved(NULL), dom0
    case abi::hypercall::hvm_op: return call(nr, 1, 0);                 // get_param(NULL)
    default: return call(nr);                                           // NULL arguments
  }
}

}  // namespace

extern "C" [[noreturn]] void xen_probe_main(std::uintptr_t /*start_info*/) {
  const auto xen = x86::detect_xen();
  if (!xen) {
    for (;;) __asm__ __volatile__("hlt");
  }
  // Paging is off (i386) or identity (x86_64): the page's address is its physical address.
  if (!x86::install_hypercall_page(page, xenabi::phys_addr{reinterpret_cast<std::uintptr_t>(&page)},
                                   xen.value())) {
    for (;;) __asm__ __volatile__("hlt");
  }
  put("xenabi probe: Xen ");
  put_num(xen.value().version_major);
  put(".");
  put_num(xen.value().version_minor);
  put(", hypercall MSR ");
  put_num(static_cast<long>(xen.value().hypercall_msr));
  put(xenabi::build_width == xenabi::guest_width::x86_64 ? ", 64-bit PVH\n" : ", 32-bit PVH\n");

  // The iret stub of an HVM hypercall page is ud2 (0f 0b): HYPERVISOR_iret is PV-only.
  const bool iret_ud2 = page.bytes[23 * 32] == 0x0f && page.bytes[23 * 32 + 1] == 0x0b;
  put(iret_ud2 ? "probe ok       iret stub is ud2\n" : "probe MISMATCH iret stub is not ud2\n");
  if (!iret_ud2) ++mismatches;

  for (std::uint32_t nr = 0; nr < 64; ++nr) {
    if (nr == 23) continue;  // iret: the stub faults
    const bool expect = xenabi::hypercall_answered(nr, xenabi::guest_mode::pvh, xenabi::build_width);
    const long rc = expect ? accepted_probe(nr) : call(nr);
    report(xenabi::hypercall_name(nr), nr, rc, expect);
  }

  // Sub-operation limits the typed wrappers enforce for PVH builds.
  report("memory_op(XENMEM_machphys_mapping)", 12, call(12, 12, 0), false);
  report("grant_table_op(GNTTABOP_transfer)", 20, call(20, 4, 0, 0), false);
  report("grant_table_op(GNTTABOP_get_status_frames)", 20, call(20, 9, 0, 0), false);
  report("grant_table_op(GNTTABOP_setup_table)", 20, call(20, 2, 0, 0), true);
  report("vcpu_op(VCPUOP_initialise, vcpu 0, NULL)", 24, call(24, 0, 0, 0), true);
  report("physdev_op(PHYSDEVOP_set_iopl)", 33, call(33, 6, 0), false);
  // Without PIRQs (PVH) the PIRQ operations are -ENOSYS; the hardware domain (this dom0) may
  // use the PCI ones; setup_gsi is not in Xen 4.17's list.
  report("physdev_op(PHYSDEVOP_unmap_pirq), no PIRQs", 33, call(33, 14, 0), false);
  report("physdev_op(PHYSDEVOP_eoi), no PIRQs", 33, call(33, 12, 0), false);
  report("physdev_op(PHYSDEVOP_setup_gsi)", 33, call(33, 21, 0), false);
  report("physdev_op(PHYSDEVOP_pci_mmcfg_reserved), hardware domain", 33, call(33, 24, 0), true);
  report("physdev_op(PHYSDEVOP_pci_device_add), hardware domain", 33, call(33, 25, 0), true);
  report("physdev_op(PHYSDEVOP_dbgp_op), hardware domain", 33, call(33, 29, 0), true);
  // The typed wrappers' limits match: setup_gsi is PV-only, pci_mmcfg_reserved is not.
  static_assert(xenabi::hypercall_op_traits<abi::PHYSDEVOP::setup_gsi>::modes == xenabi::hypercall_mode_bit::pv);
  static_assert(xenabi::hypercall_op_traits<abi::PHYSDEVOP::pci_mmcfg_reserved>::modes == xenabi::hypercall_mode_bit::all);

  put("xenabi probe done: ");
  put_num(mismatches);
  put(" mismatch(es)\n");
  abi::sched_shutdown sd{};
  sd.reason = static_cast<xenabi::u32>(abi::SHUTDOWN::poweroff);
  (void)xenabi::sched_op<abi::SCHEDOP::shutdown>(sd);
  for (;;) __asm__ __volatile__("hlt");
}
