// A translation unit built for PVH only (XENABI_GUEST_MODE_PVH): the wrappers a PVH kernel uses
// compile and work; the PV-only ones are rejected at compile time (see compile_fail/). Linked
// into the same program as the default-mode tests: the mode-named inline namespaces keep the
// two sets of wrappers apart.
#define XENABI_GUEST_MODE_PVH 1
#include <xenabi/hypercall.hpp>

#include "recording_transport.hpp"
#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using rec = recording_transport;

static_assert(xenabi::build_guest_modes == xenabi::hypercall_mode_bit::hvm64 ||
              xenabi::build_guest_modes == xenabi::hypercall_mode_bit::hvm32);

TEST_CASE("PVH-only build: PVH hypercalls compile and reach the transport") {
  rec::reset();
  abi::xen_hvm_param p{};
  REQUIRE(xenabi::hvm_op<abi::HVMOP::get_param, rec>(p).has_value());
  REQUIRE(rec::last.nr == 34);
  REQUIRE(xenabi::event_channel_op<abi::EVTCHNOP::send, rec>(abi::evtchn_send{1}).has_value());
  REQUIRE(rec::last.nr == 32);
  REQUIRE(xenabi::set_timer_op<rec>(1).has_value());
  REQUIRE(rec::last.nr == 15);
  REQUIRE(xenabi::vcpu_op<abi::VCPUOP::up, rec>(1).has_value());
  REQUIRE(rec::last.nr == 24);
  abi::xen_memory_reservation r{};
  REQUIRE(xenabi::memory_op<abi::XENMEM::populate_physmap, rec>(r).has_value());
  REQUIRE(rec::last.nr == 12);
  abi::gnttab_setup_table st{};
  REQUIRE(xenabi::grant_table_op<abi::GNTTABOP::setup_table, rec>(&st, 1).has_value());
  REQUIRE(rec::last.nr == 20);
  abi::vcpu_hvm_context ctx{};
  REQUIRE(xenabi::vcpu_op<abi::VCPUOP::initialise, rec>(1, ctx).has_value());
  REQUIRE(rec::last.a[2] == addr(ctx));
  abi::physdev_map_pirq mp{};
  REQUIRE(xenabi::physdev_op<abi::PHYSDEVOP::map_pirq, rec>(mp).has_value());
}
