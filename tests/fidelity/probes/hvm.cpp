// Fidelity probe "hvm": hvm_op — get_param on every index (readable, toolstack-only, out of
// range), set_param on writable, read-only and out-of-range indices, bad domains and pointers,
// set_evtchn_upcall_vector with good and bad vectors and vCPUs, the other guest-callable
// HVMOPs, operation bits and unknown operations. Parameter values are reduced to zero/non-zero.
#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/params.hpp>

#include "probe.hpp"

const char* const probe::area = "hvm";

namespace {
namespace abi = xenabi::abi;
using probe::addr;
using probe::obs;

long hvm(std::uint64_t op, std::uintptr_t arg) { return probe::hcall(abi::hypercall::hvm_op, op, arg); }
constexpr std::uint64_t op(abi::HVMOP o) { return static_cast<std::uint64_t>(o); }

const char* const param_names[39] = {
    "CALLBACK_IRQ", "STORE_PFN", "STORE_EVTCHN", "3", "4", "IOREQ_PFN", "BUFIOREQ_PFN", "7", "8",
    "VIRIDIAN", "TIMER_MODE", "HPET_ENABLED", "IDENT_PT", "13", "ACPI_S_STATE", "VM86_TSS",
    "VPT_ALIGN", "CONSOLE_PFN", "CONSOLE_EVTCHN", "ACPI_IOPORTS_LOCATION", "20", "21", "22", "23",
    "24", "25", "26", "PAGING_RING_PFN", "MONITOR_RING_PFN", "SHARING_RING_PFN", "30",
    "TRIPLE_FAULT_REASON", "IOREQ_SERVER_PFN", "NR_IOREQ_SERVER_PAGES", "VM_GENERATION_ID_ADDR",
    "ALTP2M", "X87_FIP_WIDTH", "VM86_TSS_SIZED", "MCA_CAP"};

// "<prefix><name>" in a static buffer (one observation at a time).
const char* name2(const char* prefix, const char* name) {
  static char b[64];
  std::size_t n = 0;
  for (const char* s = prefix; *s != '\0' && n + 1 < sizeof b; ++s) b[n++] = *s;
  for (const char* s = name; *s != '\0' && n + 1 < sizeof b; ++s) b[n++] = *s;
  b[n] = '\0';
  return b;
}

long get_param(std::uint32_t index, std::uint64_t& value, abi::domid_t dom = abi::DOMID::SELF) {
  abi::xen_hvm_param p{};
  p.domid = dom;
  p.index = index;
  p.value = 0xdeadbeefcafe;
  const long rc = hvm(op(abi::HVMOP::get_param), addr(&p));
  value = p.value;
  return rc;
}
long set_param(std::uint32_t index, std::uint64_t value, abi::domid_t dom = abi::DOMID::SELF) {
  abi::xen_hvm_param p{};
  p.domid = dom;
  p.index = index;
  p.value = value;
  return hvm(op(abi::HVMOP::set_param), addr(&p));
}
const char* shape(std::uint64_t v) { return v == 0xdeadbeefcafe ? "untouched" : v == 0 ? "zero" : "nonzero"; }

long upcall_vector(std::uint32_t vcpu, std::uint8_t vector) {
  abi::xen_hvm_evtchn_upcall_vector u{};
  u.vcpu = vcpu;
  u.vector = vector;
  return hvm(op(abi::HVMOP::set_evtchn_upcall_vector), addr(&u));
}

}  // namespace

void probe::run() {
  constexpr std::uint8_t vector = 0xf3;
  obs("install_callback_vector", probe::install_upcall(vector));
  // get_param on every index.
  for (std::uint32_t i = 0; i < abi::HVM::NR_PARAMS; ++i) {
    std::uint64_t v = 0;
    const long rc = get_param(i, v);
    obs(name2("get_", param_names[i]), rc).str("value", shape(v));
  }
  for (std::uint32_t i : {abi::HVM::NR_PARAMS, 64u, 1000u, 0xffffffffu}) {
    std::uint64_t v = 0;
    const long rc = get_param(i, v);
    obs(i == abi::HVM::NR_PARAMS ? "get_NR_PARAMS" : i == 64 ? "get_64" : i == 1000 ? "get_1000" : "get_ffffffff", rc)
        .str("value", shape(v));
  }
  {
    std::uint64_t v = 0;
    long rc = get_param(0, v, 1);
    obs("get_domid_1", rc).str("value", shape(v));
    rc = get_param(0, v, abi::DOMID::INVALID);
    obs("get_domid_invalid", rc).str("value", shape(v));
    rc = get_param(0, v, 0);
    obs("get_domid_0", rc).str("value", shape(v));
    obs("get_bad_pointer", hvm(op(abi::HVMOP::get_param), probe::bad_pointer));
  }
  // CALLBACK_IRQ round trip, and other types.
  const std::uint64_t cb = (std::uint64_t{2} << 56) | vector;
  {
    obs("set_CALLBACK_IRQ_vector", set_param(0, cb));
    std::uint64_t v = 0;
    const long rc = get_param(0, v);
    obs("get_CALLBACK_IRQ_after_set", rc).kv("same", v == cb);
    obs("set_CALLBACK_IRQ_none", set_param(0, 0));
    obs("get_CALLBACK_IRQ_after_none", get_param(0, v)).str("value", shape(v));
    obs("set_CALLBACK_IRQ_type_7", set_param(0, (std::uint64_t{7} << 56) | vector));
    obs("set_CALLBACK_IRQ_vector_again", set_param(0, cb));
  }
  // Writable by the guest: the event channel numbers (written back unchanged).
  for (std::uint32_t i : {2u, 18u}) {
    std::uint64_t v = 0;
    (void)get_param(i, v);
    obs(name2("set_same_", param_names[i]), set_param(i, v));
  }
  // Not writable by the guest.
  for (std::uint32_t i : {1u, 5u, 6u, 9u, 10u, 11u, 12u, 14u, 16u, 17u, 27u, 31u, 32u, 33u, 35u, 38u}) {
    std::uint64_t v = 0;
    (void)get_param(i, v);
    obs(name2("set_", param_names[i]), set_param(i, v));
  }
  // Deprecated indices.
  for (std::uint32_t i : {4u, 13u, 20u, 25u, 26u, 30u}) obs(name2("set_", param_names[i]), set_param(i, 0));
  // Writable by the guest, with their own checks (values that change nothing for a PVH guest).
  obs("set_X87_FIP_WIDTH_0", set_param(36, 0));
  obs("set_X87_FIP_WIDTH_3", set_param(36, 3));
  obs("set_X87_FIP_WIDTH_8", set_param(36, 8));
  {
    std::uint64_t v = 0;
    const long rc = get_param(36, v);
    obs("get_X87_FIP_WIDTH_after_set", rc).kv("value", v);
    obs("set_X87_FIP_WIDTH_back_to_0", set_param(36, 0));
    obs("set_VM_GENERATION_ID_ADDR_0", set_param(34, 0));
    obs("set_VM86_TSS_0", set_param(15, 0));
    // (Not VM86_TSS_SIZED: Xen crashes a guest that sets a size below a TSS on itself.)
    obs("set_ACPI_IOPORTS_LOCATION_0", set_param(19, 0));
  }
  {
    abi::xen_hvm_param p{1, 0, 1000, 0};
    obs("set_domid_1_index_1000", hvm(op(abi::HVMOP::set_param), addr(&p)));
    obs("get_domid_1_index_1000", hvm(op(abi::HVMOP::get_param), addr(&p)));
  }
  for (std::uint32_t i : {abi::HVM::NR_PARAMS, 1000u, 0xffffffffu})
    obs(i == abi::HVM::NR_PARAMS ? "set_NR_PARAMS" : i == 1000 ? "set_1000" : "set_ffffffff", set_param(i, 0));
  obs("set_domid_1", set_param(0, cb, 1));
  obs("set_domid_invalid", set_param(0, cb, abi::DOMID::INVALID));
  obs("set_bad_pointer", hvm(op(abi::HVMOP::set_param), probe::bad_pointer));
  // Operation bits: Xen keeps the low 8 bits (HVMOP_op_mask).
  {
    abi::xen_hvm_param p{abi::DOMID::SELF, 0, 0, 0};
    obs("get_param_op_bit_8", hvm(0x100u | op(abi::HVMOP::get_param), addr(&p))).kv("same", p.value == cb);
    p.value = 0;
    obs("get_param_op_bit_32", hvm((std::uint64_t{1} << 32) | op(abi::HVMOP::get_param), addr(&p))).kv("same", p.value == cb);
  }
  // Per-vCPU upcall vector.
  obs("upcall_vector_f3", upcall_vector(0, vector));
  obs("upcall_vector_10", upcall_vector(0, 0x10));
  obs("upcall_vector_0f", upcall_vector(0, 0x0f));
  obs("upcall_vector_00", upcall_vector(0, 0));
  obs("upcall_vector_vcpu_1", upcall_vector(1, vector));
  obs("upcall_vector_vcpu_ffffffff", upcall_vector(0xffffffffu, vector));
  obs("upcall_vector_bad_vector_and_vcpu", upcall_vector(1, 0x0f));
  obs("upcall_vector_bad_pointer", hvm(op(abi::HVMOP::set_evtchn_upcall_vector), probe::bad_pointer));
  obs("upcall_vector_back", upcall_vector(0, vector));
  // Other operations a guest may call.
  obs("guest_request_vm_event_bad_arg", hvm(op(abi::HVMOP::guest_request_vm_event), addr(&probe::shared_frame_)));
  {
    abi::xen_hvm_get_mem_type m{};
    m.domid = abi::DOMID::SELF;
    m.pfn = addr(&probe::shared_frame_) >> 12;
    m.mem_type = 0xffff;
    obs("get_mem_type_ram", hvm(op(abi::HVMOP::get_mem_type), addr(&m))).kv("type", m.mem_type);
    m.pfn = 0x30000;
    m.mem_type = 0xffff;
    obs("get_mem_type_unpopulated", hvm(op(abi::HVMOP::get_mem_type), addr(&m))).kv("type", m.mem_type);
    m.domid = 0;
    m.pfn = addr(&probe::shared_frame_) >> 12;
    obs("get_mem_type_domid_0", hvm(op(abi::HVMOP::get_mem_type), addr(&m))).kv("type", m.mem_type);
    m.pfn = 0x7ffffffffffffull;
    obs("get_mem_type_huge_pfn", hvm(op(abi::HVMOP::get_mem_type), addr(&m))).kv("type", m.mem_type);
    m.domid = 1;
    obs("get_mem_type_domid_1", hvm(op(abi::HVMOP::get_mem_type), addr(&m)));
    obs("get_mem_type_bad_pointer", hvm(op(abi::HVMOP::get_mem_type), probe::bad_pointer));
  }
  {
    abi::xen_hvm_pagetable_dying d{};
    d.domid = abi::DOMID::SELF;
    d.gpa = 0x1000000;
    obs("pagetable_dying", hvm(op(abi::HVMOP::pagetable_dying), addr(&d)));
    d.domid = 0;
    obs("pagetable_dying_domid_0", hvm(op(abi::HVMOP::pagetable_dying), addr(&d)));
    d.domid = 1;
    obs("pagetable_dying_domid_1", hvm(op(abi::HVMOP::pagetable_dying), addr(&d)));
    obs("pagetable_dying_bad_pointer", hvm(op(abi::HVMOP::pagetable_dying), probe::bad_pointer));
  }
  obs("flush_tlbs_bad_arg", hvm(op(abi::HVMOP::flush_tlbs), addr(&probe::shared_frame_)));
  obs("guest_request_vm_event", hvm(op(abi::HVMOP::guest_request_vm_event), 0));
  {
    abi::xen_hvm_get_time t{};
    obs("get_time", hvm(op(abi::HVMOP::get_time), addr(&t)));
  }
  for (unsigned o : {2u, 3u, 4u, 6u, 7u, 8u, 12u, 13u, 14u, 16u, 20u, 26u, 100u, 255u}) {
    char name[16] = "op_";
    name[3] = static_cast<char>('0' + o / 100);
    name[4] = static_cast<char>('0' + o / 10 % 10);
    name[5] = static_cast<char>('0' + o % 10);
    name[6] = '\0';
    obs(name, hvm(o, addr(&probe::shared_frame_)));
  }
}
