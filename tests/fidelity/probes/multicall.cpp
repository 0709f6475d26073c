// Fidelity probe "multicall": batches with a failing entry in the middle (per-entry results,
// the batch itself succeeds), unknown hypercalls inside a batch, nested multicall, empty and
// bad call lists, an entry that depends on the one before, argument-width truncation.
#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/params.hpp>
#include <xenabi/abi/memory.hpp>
#include <xenabi/abi/version.hpp>

#include "probe.hpp"

const char* const probe::area = "multicall";

namespace {
namespace abi = xenabi::abi;
using probe::addr;
using probe::obs;
using H = abi::hypercall;

constinit abi::multicall_entry calls[8]{};
constinit char text[] = "~multicall~\n";
constinit char extra[16] = {};

abi::multicall_entry entry(std::uint64_t op, std::uint64_t a0 = 0, std::uint64_t a1 = 0, std::uint64_t a2 = 0) {
  abi::multicall_entry e{};
  e.op = op;
  e.result = 0x5a5a5a5a;
  e.args[0] = a0;
  e.args[1] = a1;
  e.args[2] = a2;
  return e;
}
constexpr std::uint64_t nr(H h) { return static_cast<std::uint64_t>(h); }
long mc(std::uintptr_t list, std::uint64_t n) { return probe::hcall(H::multicall, list, n); }

// Result the canonical way, from the entry's 64-bit result field.
long res(std::size_t i) { return static_cast<long>(calls[i].result); }

}  // namespace

void probe::run() {
  kernel::flush();
  const std::uint64_t ver = static_cast<std::uint64_t>(abi::XENVER::version);
  const std::uint64_t pagesize = static_cast<std::uint64_t>(abi::XENVER::pagesize);
  const std::uint64_t write = static_cast<std::uint64_t>(abi::CONSOLEIO::write);
  // A failing entry in the middle.
  calls[0] = entry(nr(H::xen_version), ver);
  calls[1] = entry(nr(H::console_io), write, 8, probe::bad_pointer);
  calls[2] = entry(nr(H::xen_version), pagesize);
  {
    const long rc = mc(addr(calls), 3);
    obs("failing_middle_entry", rc).rc("r0", res(0)).rc("r1", res(1)).rc("r2", res(2));
  }
  // Unknown and PV-only hypercalls in the middle.
  calls[0] = entry(nr(H::xen_version), pagesize);
  calls[1] = entry(99);
  calls[2] = entry(nr(H::mmu_update), probe::bad_pointer, 1, 0);
  calls[3] = entry(64);
  calls[4] = entry(nr(H::console_io), write, sizeof text - 1, addr(text));
  {
    const long rc = mc(addr(calls), 5);
    obs("unknown_entries", rc).rc("r0", res(0)).rc("r1", res(1)).rc("r2", res(2)).rc("r3", res(3)).rc("r4", res(4));
  }
  // Entries that write guest memory and depend on each other.
  {
    abi::xen_hvm_param set{abi::DOMID::SELF, 0, static_cast<std::uint32_t>(abi::HVM_PARAM::CALLBACK_IRQ), 0};
    abi::xen_hvm_param get{abi::DOMID::SELF, 0, static_cast<std::uint32_t>(abi::HVM_PARAM::CALLBACK_IRQ), 77};
    calls[0] = entry(nr(H::hvm_op), static_cast<std::uint64_t>(abi::HVMOP::set_param), addr(&set));
    calls[1] = entry(nr(H::hvm_op), static_cast<std::uint64_t>(abi::HVMOP::get_param), addr(&get));
    calls[2] = entry(nr(H::xen_version), static_cast<std::uint64_t>(abi::XENVER::extraversion), addr(extra));
    const long rc = mc(addr(calls), 3);
    obs("dependent_entries", rc).rc("r0", res(0)).rc("r1", res(1)).rc("r2", res(2)).kv("get_saw_set", get.value == 0)
        .kv("extraversion_dot", extra[0] == '.');
  }
  {
    abi::domid_t self = abi::DOMID::SELF;
    calls[0] = entry(nr(H::memory_op), static_cast<std::uint64_t>(abi::XENMEM::current_reservation), addr(&self));
    calls[1] = entry(nr(H::memory_op), static_cast<std::uint64_t>(abi::XENMEM::current_reservation), probe::bad_pointer);
    const long rc = mc(addr(calls), 2);
    obs("memory_op_entries", rc).kv("r0_positive", res(0) > 0).rc("r1", res(1));
  }
  // Nested multicall.
  {
    static abi::multicall_entry inner[1]{};
    inner[0] = entry(nr(H::xen_version), pagesize);
    calls[0] = entry(nr(H::multicall), addr(inner), 1);
    calls[1] = entry(nr(H::xen_version), pagesize);
    const long rc = mc(addr(calls), 2);
    obs("nested_multicall", rc).rc("r0", res(0)).rc("r1", res(1)).rc("inner_r0", static_cast<long>(inner[0].result));
  }
  // Argument width: Xen's xen_version takes an int command, console_io unsigned ints.
  calls[0] = entry(nr(H::xen_version), (std::uint64_t{1} << 32) | pagesize);
  calls[1] = entry(nr(H::console_io), (std::uint64_t{1} << 32) | write, (std::uint64_t{1} << 32) | 1u, addr(&text[sizeof text - 2]));
  {
    const long rc = mc(addr(calls), 2);
    obs("argument_high_bits", rc).rc("r0", res(0)).rc("r1", res(1));
  }
  // Hypercall number high bits inside an entry.
  calls[0] = entry((std::uint64_t{1} << 32) | nr(H::xen_version), pagesize);
  {
    const long rc = mc(addr(calls), 1);
    obs("op_high_bits", rc).rc("r0", res(0));
  }
  // Empty and bad lists; counts with high bits (nr_calls is an unsigned int).
  obs("zero_calls", mc(addr(calls), 0));
  obs("zero_calls_bad_pointer", mc(probe::bad_pointer, 0));
  obs("bad_pointer", mc(probe::bad_pointer, 1));
  obs("bad_pointer_3", mc(probe::bad_pointer, 3));
  calls[0] = entry(nr(H::xen_version), pagesize);
  calls[0].result = 0x5a5a5a5a;
  obs("count_high_bits_only", mc(addr(calls), std::uint64_t{1} << 32)).kv("r0_untouched", calls[0].result == 0x5a5a5a5a);
  obs("count_high_bits", mc(addr(calls), (std::uint64_t{1} << 32) | 1u)).rc("r0", res(0));
  // A list that runs into unmapped memory: the entries before the fault are done.
  {
    const std::uintptr_t edge = probe::edge_page();
    auto* e = reinterpret_cast<abi::multicall_entry*>(edge + 4096 - sizeof(abi::multicall_entry));
    *e = entry(nr(H::xen_version), pagesize);
    const long rc = mc(addr(e), 2);
    obs("list_runs_into_unmapped", rc).rc("r0", static_cast<long>(e->result));
  }
}
