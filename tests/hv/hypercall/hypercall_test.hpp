// Shared by the hypercall tests (tests/hv/hypercall/, one file per header of
// include/hv/hypercall/): each drives xenhv's handlers through the in-process platform
// (hv/platform/sim), where the guest's memory is host memory and a hypercall is a call.
#pragma once

#include <hv/platform/sim/sim.hpp>

#include <array>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
namespace gabi = xenabi::abi::x86_64;
namespace tmpl = xenabi::abi::tmpl;
using H = abi::hypercall;
using xenabi::errc;

namespace hcall_test {

/// The hypercall return value for error \p e (-e).
constexpr std::int64_t rc(errc e) { return xenabi::to_hypercall_rc(e); }
inline constexpr std::uint64_t arg = 0x1000;            ///< Where tests put argument structures.
inline constexpr std::uint64_t buf = 0x2000;            ///< And buffers.
inline constexpr std::uint64_t unmapped = 0x40000000;  ///< Beyond the 4 MiB of sim RAM.
inline constexpr std::uint64_t ram = 4 << 20;           ///< The sim machine's default RAM.

/// An enumerator as a hypercall argument word.
template <class E>
constexpr std::uint64_t op(E e) {
  return static_cast<std::uint64_t>(e);
}

/// Makes \p m's hypercalls come from a vCPU of width \p W (abi::width32: 32-bit protected mode).
template <class W>
hv::sim::machine& with_width(hv::sim::machine& m) {
  m.guest32 = W::bits == 32;
  return m;
}

/// XENMEM_add_to_physmap(DOMID_SELF, \p space, \p idx, \p gpfn) in width \p W's layout: the
/// return value.
template <class W = abi::width64>
std::int64_t add_to_physmap(hv::sim::machine& m, abi::XENMAPSPACE space, std::uint64_t idx, std::uint64_t gpfn) {
  tmpl::xen_add_to_physmap<W> x{};
  x.domid = abi::DOMID::SELF;
  x.space = static_cast<std::uint32_t>(space);
  x.idx = static_cast<decltype(x.idx)>(idx);
  x.gpfn = static_cast<decltype(x.gpfn)>(gpfn);
  m.put(arg, x);
  return m.call(H::memory_op, op(abi::XENMEM::add_to_physmap), arg);
}

/// event_channel_op \p cmd with \p x as its argument (at `arg`).
inline std::int64_t evtchn(hv::sim::machine& m, abi::EVTCHNOP cmd, const auto& x) {
  m.put(arg, x);
  return m.call(H::event_channel_op, op(cmd), arg);
}
/// A new IPI port of vCPU 0.
inline std::uint32_t bind_ipi(hv::sim::machine& m) {
  abi::evtchn_bind_ipi b{};
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_ipi, b) == 0);
  return m.get<abi::evtchn_bind_ipi>(arg).port;
}
/// EVTCHNOP_status of \p port of \p dom.
inline std::int64_t status(hv::sim::machine& m, std::uint32_t port, std::uint16_t dom = abi::DOMID::SELF) {
  abi::evtchn_status s{};
  s.dom = dom;
  s.port = port;
  return evtchn(m, abi::EVTCHNOP::status, s);
}
/// The EVTCHNSTAT_* of \p port.
inline std::uint32_t status_of(hv::sim::machine& m, std::uint32_t port) {
  REQUIRE(status(m, port) == 0);
  return m.get<abi::evtchn_status>(arg).status;
}
/// \p port's bit in the shared_info mask.
inline bool mask_bit(hv::domain& d, std::uint32_t port) {
  return (d.shared().evtchn_mask[port / 64] >> (port % 64)) & 1u;
}
/// VIRQ_TIMER bound to a new port of vCPU 0.
inline std::uint32_t bind_timer(hv::sim::machine& m) {
  abi::evtchn_bind_virq v{};
  v.virq = op(abi::VIRQ::TIMER);
  REQUIRE(evtchn(m, abi::EVTCHNOP::bind_virq, v) == 0);
  return m.get<abi::evtchn_bind_virq>(arg).port;
}
/// Clears \p port's pending bit and vCPU 0's selector and upcall flag.
inline void clear(hv::domain& d, std::uint32_t port) {
  d.shared().evtchn_pending[port / 64] &= ~(std::uint64_t{1} << (port % 64));
  d.shared().vcpu_info[0].evtchn_upcall_pending = 0;
  d.shared().vcpu_info[0].evtchn_pending_sel = 0;
}

}  // namespace hcall_test

using namespace hcall_test;  // NOLINT(google-build-using-namespace): test helpers
