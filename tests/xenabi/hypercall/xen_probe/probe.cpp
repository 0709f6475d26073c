// A tiny 32-bit PVH kernel that asks the real Xen which hypercalls a PVH/HVM guest may make, to
// check xenabi/hypercall_modes.hpp (and the typed wrappers' sub-operation limits) against Xen
// itself, through xenabi's own detection, hypercall-page installation and i386 call sequence.
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
  .pushsection .bss.stack, "aw", @nobits
  .balign 16
  .space 16384
xen_probe_stack_top:
  .popsection
)");

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

extern "C" [[noreturn]] void xen_probe_main(std::uint32_t /*start_info*/) {
  const auto xen = x86::detect_xen();
  if (!xen) {
    for (;;) __asm__ __volatile__("hlt");
  }
  // Paging is off: the page's address is its physical address.
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
  put(", 32-bit PVH\n");

  // The iret stub of an HVM hypercall page is ud2 (0f 0b): HYPERVISOR_iret is PV-only.
  const bool iret_ud2 = page.bytes[23 * 32] == 0x0f && page.bytes[23 * 32 + 1] == 0x0b;
  put(iret_ud2 ? "probe ok       iret stub is ud2\n" : "probe MISMATCH iret stub is not ud2\n");
  if (!iret_ud2) ++mismatches;

  for (std::uint32_t nr = 0; nr < 64; ++nr) {
    if (nr == 23) continue;  // iret: the stub faults
    const bool expect = xenabi::hypercall_answered(nr, xenabi::guest_mode::pvh, xenabi::guest_width::x86_32);
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
