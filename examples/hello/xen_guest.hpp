// Guest-side set-up shared by examples/hello, the xenhv test kernels and the split-driver
// examples (blk, net): the console ring, and what a frontend needs — shared_info with the event
// upcall demultiplexed per port, the grant table, and the xenstore client on the store ring.
// Everything uses the xenabi headers; this file only wires them to one simple kernel
// (identity-mapped, one vCPU, interrupts enabled only while waiting).
//
//   guest::console_ring_init();              // after the hypercall page: CONSOLE_PFN set? use the ring
//   guest::init_events(0xf3);                // shared_info, IDT, HVM_PARAM_CALLBACK_IRQ
//   guest::start_frontend("blk");            // all of the above and below, "blk: FAIL ..." on error
//   extern "C" void hello_upcall() { guest::upcall(); }   // the kernel's upcall (start.S calls it;
//                                            // xen_guest_hooks.cpp defines it and the console hooks)
//   guest::init_grants();                    // grant frame 0 -> guest::grants()
//   guest::init_xenstore();                  // STORE_PFN/EVTCHN -> guest::xenstore()
//   xenabi::xenbus_frontend<guest::xs_client> fe(guest::xenstore(), "vbd", 51712);
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include <xenabi/abi/hvm/hvm_op.hpp>
#include <xenabi/abi/hvm/params.hpp>
#include <xenabi/abi/memory.hpp>
#include <xenabi/abi/sched.hpp>
#include <xenabi/arch/x86/cpuid.hpp>
#include <xenabi/arch/x86/hypercall_page.hpp>
#include <xenabi/console.hpp>
#include <xenabi/event_channel.hpp>
#include <xenabi/grant_table.hpp>
#include <xenabi/hypercall.hpp>
#include <xenabi/xenstore.hpp>

#include "kernel.hpp"
#include "raw_calls.hpp"

namespace guest {

namespace abi = xenabi::abi;

/// HVMOP_get_param on this domain: the parameter's value (0 if unset), or the error.
inline xenabi::result<std::uint64_t> get_param(abi::HVM_PARAM p) {
  abi::xen_hvm_param x{};
  x.domid = abi::DOMID::SELF;
  x.index = static_cast<std::uint32_t>(p);
  auto r = xenabi::hvm_op<abi::HVMOP::get_param>(x);
  if (!r) return r.error();
  return x.value;
}

// ---- console ring ------------------------------------------------------------------------------

/// The console's environment: notify the backend; while the ring is full, yield the vCPU (no
/// events needed, so the console works before init_events and inside the upcall).
struct console_env {
  xenabi::port p;  ///< The console event channel.
  void notify() { (void)xenabi::evtchn::send(p); }
  void wait() { (void)xenabi::sched_op<abi::SCHEDOP::yield>(); }
};
/// The console ring type.
using console_ring = xenabi::console<console_env>;
alignas(console_ring) inline unsigned char console_storage[sizeof(console_ring)];
inline console_ring* con_ring = nullptr;

/// Switches console output to the ring if the toolstack gave this domain one
/// (HVM_PARAM_CONSOLE_PFN non-zero); otherwise (e.g. dom0 on Xen) console_io stays in use.
/// Returns true if the ring is now used.
inline bool console_ring_init() {
  auto pfn = get_param(abi::HVM_PARAM::CONSOLE_PFN);
  auto port = get_param(abi::HVM_PARAM::CONSOLE_EVTCHN);
  if (!pfn || !port || pfn.value() == 0 || port.value() == 0) return false;
  auto* page = reinterpret_cast<abi::xencons_interface*>(static_cast<std::uintptr_t>(pfn.value() << 12));
  con_ring = new (console_storage) console_ring(*page, console_env{xenabi::port{static_cast<std::uint32_t>(port.value())}});
  return true;
}
/// Writes to the console ring (all of it; false if the ring is corrupt or not up).
inline bool console_ring_write(const char* s, std::size_t n) {
  return con_ring != nullptr && con_ring->write_all(s, n).has_value();
}

// ---- events ------------------------------------------------------------------------------------

/// Ports a kernel may handle (a small kernel needs few).
inline constexpr std::size_t max_ports = 256;

/// The page shared_info is mapped at (the mapping replaces the frame).
using shared_frame = kernel::shared_info_frame;
inline constinit shared_frame shared_page{.bytes = {}};
/// The per-port handlers.
inline constinit xenabi::event_handler_table<max_ports> handlers{};
/// Ports that fired and were not taken yet (one bit per port), set by `flag_port`'s handler.
inline constinit volatile std::uint64_t fired[max_ports / 64] = {};
alignas(xenabi::event_demux<xenabi::event_handler_table<max_ports>>) inline unsigned char demux_storage[sizeof(
    xenabi::event_demux<xenabi::event_handler_table<max_ports>>)];
inline xenabi::event_demux<xenabi::event_handler_table<max_ports>>* demux = nullptr;

/// The shared_info structure (after init_events).
inline abi::shared_info& shared() { return shared_page.info; }

/// Maps shared_info and sets up vCPU 0's upcall demultiplexer: the part of `init_events` that
/// does not choose how the upcall arrives (a kernel using HVMOP_set_evtchn_upcall_vector calls
/// this, installs its IDT and registers its vector itself).
inline xenabi::result<void> map_shared_info() {
  abi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = static_cast<std::uint32_t>(abi::XENMAPSPACE::shared_info);
  x.idx = 0;
  x.gpfn = reinterpret_cast<std::uintptr_t>(&shared_page) >> 12;
  XENABI_TRY(xenabi::memory_op<abi::XENMEM::add_to_physmap>(x));
  demux = new (demux_storage) xenabi::event_demux<xenabi::event_handler_table<max_ports>>(
      shared_page.info, shared_page.info.vcpu_info[0], handlers);
  return {};
}
/// Maps shared_info, installs the IDT with the upcall at \p vector and registers the vector with
/// HVM_PARAM_CALLBACK_IRQ (type 2). Interrupts stay disabled until a wait.
inline xenabi::result<void> init_events(std::uint8_t vector) {
  XENABI_TRY(map_shared_info());
  kernel::install_idt(vector);
  abi::xen_hvm_param p{};
  p.domid = abi::DOMID::SELF;
  p.index = static_cast<std::uint32_t>(abi::HVM_PARAM::CALLBACK_IRQ);
  p.value = (std::uint64_t{2} << 56) | vector;
  return xenabi::hvm_op<abi::HVMOP::set_param>(p);
}
/// The upcall: the kernel's `hello_upcall` calls this.
inline void upcall() {
  if (demux != nullptr) (void)demux->upcall();
}
/// Makes \p p's events set its `fired` bit (for `take` / `wait_for`); `erange` beyond max_ports.
inline xenabi::result<void> flag_port(xenabi::port p) {
  return handlers.bind(
      p,
      [](void*, xenabi::port q) {
        __atomic_fetch_or(&fired[q.value() / 64], std::uint64_t{1} << (q.value() % 64), __ATOMIC_SEQ_CST);
      },
      nullptr);
}
/// Takes \p p's `fired` bit: true if it had fired since the last take.
inline bool take(xenabi::port p) {
  const std::uint64_t bit = std::uint64_t{1} << (p.value() % 64);
  return (__atomic_fetch_and(&fired[p.value() / 64], ~bit, __ATOMIC_SEQ_CST) & bit) != 0;
}
/// Waits (sti; hlt) until \p p fires, then takes it. `sti` holds interrupts off for one more
/// instruction, so an event arriving between the check and `hlt` still wakes the `hlt`.
inline void wait_for(xenabi::port p) {
  while (!take(p)) __asm__ __volatile__("sti; hlt; cli" ::: "memory");
}

// ---- grant table -------------------------------------------------------------------------------

/// Entries in the one grant frame mapped.
inline constexpr std::size_t grant_entries = 4096 / sizeof(abi::grant_entry_v1);
/// The frame the grant table's frame 0 is mapped at.
alignas(4096) inline constinit abi::grant_entry_v1 grant_frame[grant_entries] = {};
alignas(xenabi::grant_table<grant_entries>) inline unsigned char grants_storage[sizeof(
    xenabi::grant_table<grant_entries>)];
inline xenabi::grant_table<grant_entries>* grant_tab = nullptr;

/// Maps grant-table frame 0 (XENMAPSPACE_grant_table) and sets up the reference allocator.
inline xenabi::result<void> init_grants() {
  abi::xen_add_to_physmap x{};
  x.domid = abi::DOMID::SELF;
  x.space = static_cast<std::uint32_t>(abi::XENMAPSPACE::grant_table);
  x.idx = 0;
  x.gpfn = reinterpret_cast<std::uintptr_t>(&grant_frame[0]) >> 12;
  XENABI_TRY(xenabi::memory_op<abi::XENMEM::add_to_physmap>(x));
  grant_tab = new (grants_storage) xenabi::grant_table<grant_entries>(grant_frame);
  return {};
}
/// The grant table (after init_grants).
inline xenabi::grant_table<grant_entries>& grants() { return *grant_tab; }
/// The guest frame number of the page at \p p (identity-mapped kernel).
inline xenabi::gfn frame_of(const void* p) { return xenabi::gfn{reinterpret_cast<std::uintptr_t>(p) >> 12}; }

// ---- xenstore ----------------------------------------------------------------------------------

/// The xenstore client's environment: EVTCHNOP_send on the store port; wait for its event.
struct store_env {
  xenabi::port p;  ///< The store event channel.
  void notify() { (void)xenabi::evtchn::send(p); }
  void wait() { wait_for(p); }
};
/// The xenstore client type used by the kernels.
using xs_client = xenabi::xenstore_client<store_env, 8, 256>;
inline store_env store_env_{};
alignas(xs_client) inline unsigned char xs_storage[sizeof(xs_client)];
inline xs_client* xs = nullptr;

/// Connects to xenstored through the page and port in HVM_PARAM_STORE_PFN / STORE_EVTCHN
/// (after init_events): `enoent` if the toolstack gave none.
inline xenabi::result<void> init_xenstore() {
  auto pfn = get_param(abi::HVM_PARAM::STORE_PFN);
  if (!pfn) return pfn.error();
  auto port = get_param(abi::HVM_PARAM::STORE_EVTCHN);
  if (!port) return port.error();
  if (pfn.value() == 0 || port.value() == 0) return xenabi::errc::enoent;
  store_env_.p = xenabi::port{static_cast<std::uint32_t>(port.value())};
  XENABI_TRY(flag_port(store_env_.p));
  auto* page = reinterpret_cast<abi::xenstore_domain_interface*>(static_cast<std::uintptr_t>(pfn.value() << 12));
  xs = new (xs_storage) xs_client(*page, store_env_);
  return {};
}
/// The xenstore client (after init_xenstore).
inline xs_client& xenstore() { return *xs; }

// ---- a front-end kernel's start and its failure path --------------------------------------

/// The prefix of failure lines ("blk" -> "blk: FAIL ..."), set by `start_frontend`.
inline const char* fail_tag = "guest";
/// Prints "<fail_tag>: FAIL <what>: <errno name>" and crashes the domain.
[[noreturn]] inline void fail(const char* what, xenabi::errc e) {
  kernel::print(fail_tag);
  kernel::print(": FAIL ");
  kernel::print(what);
  kernel::print(": ");
  kernel::println(xenabi::errc_name(e));
  kernel::crash();
}
/// The value of \p r, or `fail(what, error)`.
template <class R>
auto must(R r, const char* what) {
  if (!r) fail(what, r.error());
  if constexpr (!std::is_same_v<R, xenabi::result<void>>) return r.value();
}

/// A kernel's console output (its `kernel::console_write`): the ring once `console_ring_init`
/// found one, console_io before that or without one.
inline void console_write(const char* s, std::size_t n) {
  if (!console_ring_write(s, n)) kernel::console_io_write(s, n);
}
/// A kernel's `kernel::shutdown`: SCHEDOP_shutdown once the hypercall page is there; halts.
[[noreturn]] inline void shutdown(abi::SHUTDOWN reason) {
  if (xenabi::arch::x86::installed_hypercall_page() != nullptr) kernel::sched_shutdown(reason);
  kernel::halt_forever();
}

/// The start of a front-end kernel: finds Xen and installs the hypercall page (halts without
/// them: nothing can be printed yet), moves the console to the ring if the toolstack gave one,
/// then sets up events (upcall vector 0xf3), the grant table and the xenstore client; a step
/// that fails prints "<tag>: FAIL <step>: <errno>" and crashes. True if the console ring is used.
inline bool start_frontend(const char* tag) {
  fail_tag = tag;
  namespace x86 = xenabi::arch::x86;
  auto xen = x86::detect_xen();
  if (!xen) kernel::halt_forever();
  alignas(4096) static x86::hypercall_page page;
  if (!x86::install_hypercall_page(page, xenabi::phys_addr{reinterpret_cast<std::uintptr_t>(&page)}, xen.value()))
    kernel::halt_forever();
  const bool ring = console_ring_init();
  must(init_events(0xf3), "init_events");
  must(init_grants(), "init_grants");
  must(init_xenstore(), "init_xenstore");
  return ring;
}

}  // namespace guest
