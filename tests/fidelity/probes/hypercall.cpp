// Fidelity probe "hypercall": every hypercall number of the 128 hypercall-page entries called
// with an unknown sub-op and bad pointers — which numbers exist for a PVH guest, which are
// -ENOSYS — plus the privileged ones' argument checks that come before privilege (bad pointer,
// wrong interface version). Skipped: 23 (iret: Xen leaves that entry as int3 for HVM guests),
// 15 (set_timer_op takes a time, not a sub-op; the timer probe covers it).
#include "probe.hpp"

const char* const probe::area = "hypercall";

namespace {
using probe::obs;

// "nr_<decimal>".
const char* name_nr(unsigned nr) {
  static char b[16];
  b[0] = 'n';
  b[1] = 'r';
  b[2] = '_';
  b[3] = static_cast<char>('0' + nr / 100);
  b[4] = static_cast<char>('0' + nr / 10 % 10);
  b[5] = static_cast<char>('0' + nr % 10);
  b[6] = '\0';
  return b;
}

struct versioned_op {
  std::uint32_t cmd;
  std::uint32_t interface_version;
  unsigned char rest[256];
};
constinit versioned_op vop{};

}  // namespace

void probe::run() {
  // Sub-op 0x7fffffff is unknown to every multiplexed hypercall; pointers are unmapped.
  constexpr std::uint64_t unknown = 0x7fffffff;
  for (unsigned nr = 0; nr < 128; ++nr) {
    if (nr == 23 || nr == 15) continue;
    obs(name_nr(nr), probe::hcall_nr(nr, unknown, probe::bad_pointer, probe::bad_pointer, probe::bad_pointer,
                                     probe::bad_pointer));
  }
  // Privileged hypercalls read their argument and check its interface version first.
  vop.cmd = 0x7fffffff;
  vop.interface_version = 0;
  obs("platform_op_bad_version", probe::hcall_nr(7, probe::addr(&vop)));
  obs("sysctl_bad_version", probe::hcall_nr(35, probe::addr(&vop)));
  obs("domctl_bad_version", probe::hcall_nr(36, probe::addr(&vop)));
  vop.interface_version = 0x15;  // XEN_DOMCTL_INTERFACE_VERSION of Xen 4.17
  obs("paging_domctl_cont_bad_pointer", probe::hcall_nr(49, probe::bad_pointer));
  vop.rest[0] = 1;  // domain 1: none
  obs("paging_domctl_cont_domid_1", probe::hcall_nr(49, probe::addr(&vop)));
  vop.interface_version = 0;
  obs("paging_domctl_cont_bad_version", probe::hcall_nr(49, probe::addr(&vop)));
  obs("platform_op_bad_pointer", probe::hcall_nr(7, probe::bad_pointer));
  obs("sysctl_bad_pointer", probe::hcall_nr(35, probe::bad_pointer));
  obs("domctl_bad_pointer", probe::hcall_nr(36, probe::bad_pointer));

  // vm_assist: PVH supports VMASST_TYPE_runstate_update_flag (5) only.
  obs("vm_assist_enable_runstate_update_flag", probe::hcall_nr(21, 0, 5));
  obs("vm_assist_disable_runstate_update_flag", probe::hcall_nr(21, 1, 5));
  obs("vm_assist_enable_4gb_segments", probe::hcall_nr(21, 0, 0));
  obs("vm_assist_enable_writable_pagetables", probe::hcall_nr(21, 0, 2));
  obs("vm_assist_enable_type_63", probe::hcall_nr(21, 0, 63));
  obs("vm_assist_enable_type_64", probe::hcall_nr(21, 0, 64));
  obs("vm_assist_cmd_7", probe::hcall_nr(21, 7, 5));
  obs("vm_assist_type_high_bits", probe::hcall_nr(21, 0, (std::uint64_t{1} << 32) | 5u));
  // mmuext_op(ops, count, done, foreigndom) for a PVH caller: only foreign PV domains.
  constexpr std::uint64_t self = 0x7ff0;
  obs("mmuext_op_self_count_0", probe::hcall_nr(26, probe::bad_pointer, 0, 0, self));
  obs("mmuext_op_self_count_1", probe::hcall_nr(26, probe::bad_pointer, 1, 0, self));
  obs("mmuext_op_own_id", probe::hcall_nr(26, probe::bad_pointer, 1, 0, 0));
  obs("mmuext_op_domid_1", probe::hcall_nr(26, probe::bad_pointer, 1, 0, 1));
  obs("mmuext_op_domid_io", probe::hcall_nr(26, probe::bad_pointer, 1, 0, 0x7ff1));
  obs("mmuext_op_preempted_count", probe::hcall_nr(26, probe::bad_pointer, 0x80000001u, 0, self));
  // dm_op(domid, nr_bufs, bufs): device-model operations on another HVM domain.
  static struct {
    std::uint64_t h, size;
  } dmbuf[2] = {{probe::addr(&vop), 64}, {probe::addr(&vop), 64}};
  obs("dm_op_domid_1_no_bufs", probe::hcall_nr(41, 1, 0, probe::bad_pointer));
  obs("dm_op_domid_1", probe::hcall_nr(41, 1, 1, probe::addr(dmbuf)));
  obs("dm_op_own_id", probe::hcall_nr(41, 0, 1, probe::addr(dmbuf)));
  obs("dm_op_self", probe::hcall_nr(41, self, 1, probe::addr(dmbuf)));
  obs("dm_op_many_bufs", probe::hcall_nr(41, 1, 100, probe::addr(dmbuf)));
  obs("dm_op_three_bufs", probe::hcall_nr(41, 1, 3, probe::addr(dmbuf)));
  obs("dm_op_two_bufs_domid_1", probe::hcall_nr(41, 1, 2, probe::addr(dmbuf)));
  obs("dm_op_bad_bufs", probe::hcall_nr(41, 1, 1, probe::bad_pointer));
  // xenpmu_op(op, arg): no virtual PMU by default.
  obs("xenpmu_op_mode_get", probe::hcall_nr(40, 0, probe::addr(&vop)));
  // xsm_op without FLASK.
  obs("xsm_op_bad_pointer", probe::hcall_nr(27, probe::bad_pointer));
}
