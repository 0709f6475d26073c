/* A freestanding C "kernel" that consumes include/xenabi/c/xenabi.h the way a BSD or Plan 9 port
 * would: its own hypercall page and entry, no libc. The tests compile it with gcc and clang,
 * -m64 and -m32, -std=c11 -ffreestanding -Wpedantic -Werror, and link it -nostdlib -static: the
 * header needs nothing beyond the compiler's freestanding headers. (It is not booted here; the
 * C++ examples boot on xenhv.) */
#include <xenabi/c/xenabi.h>

__attribute__((aligned(4096))) unsigned char xenabi_hypercall_page[4096];
static struct xenabi_shared_info shared __attribute__((aligned(4096)));
static char boot_stack[4096] __attribute__((aligned(16)));

void kmain(const struct xenabi_hvm_start_info *si);
void _start(void);

XENABI_PVH_ENTRY_NOTE(_start);

static void print(const char *s) {
  unsigned int n = 0;
  while (s[n] != '\0') ++n;
  (void)xenabi_hypervisor_console_io(XENABI_CONSOLEIO_write, n, s);
}

/* [kmain] */
void kmain(const struct xenabi_hvm_start_info *si) {
  uint32_t base = xenabi_xen_cpuid_base();
  uint64_t console_pfn = 0;
  struct xenabi_vcpu_set_singleshot_timer t;
  if (si->magic != XENABI_XEN_HVM_START_MAGIC_VALUE || base == 0) return;
  if (xenabi_init_hypercall_page(base, (uint64_t)(uintptr_t)xenabi_hypercall_page) != 0) return;
  print("hello from C\n");
  (void)xenabi_map_shared_info((xenabi_xen_pfn_t)((uintptr_t)&shared >> 12));
  (void)xenabi_hvm_get_param(XENABI_HVM_PARAM_CONSOLE_PFN, &console_pfn);
  t.timeout_abs_ns = xenabi_pvclock_ns(&shared.vcpu_info[0].time, 0) + 1000000u;
  t.flags = 0;
  (void)xenabi_hypervisor_vcpu_op(XENABI_VCPUOP_set_singleshot_timer, 0, &t);
  (void)xenabi_hypervisor_set_timer_op(0);
  (void)xenabi_hypercall5(XENABI_HYPERVISOR_arch_0, 1, 2, 3, 4, 5);
  (void)xenabi_evtchn_notify(0);
  (void)xenabi_shutdown(XENABI_SHUTDOWN_poweroff);
}
/* [kmain] */

/* A real PVH kernel enters in 32-bit mode with ebx = start info; this placeholder only gives the
 * linker an entry and uses the stack. */
void _start(void) {
  static struct xenabi_hvm_start_info none;
  (void)boot_stack;
  kmain(&none);
  for (;;) {
  }
}
