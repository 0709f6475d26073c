// Link proof for the typed hypercalls: a freestanding kernel that detects Xen, installs the
// hypercall page and makes calls of every argument shape links with -nostdlib -static against
// nothing but the mem* stubs (tests/foundation). Never executed.
#include <xenabi/hypercall.hpp>

#include <cstdint>

namespace x86 = xenabi::arch::x86;
namespace abi = xenabi::abi;

namespace {
x86::hypercall_page hypercall_use_page;
}

extern "C" long hypercall_use(xenabi::u64 deadline) {
  auto xen = x86::detect_xen();
  if (!xen) return -1;
  if (!x86::install_hypercall_page(hypercall_use_page,
                                   xenabi::phys_addr{reinterpret_cast<std::uintptr_t>(&hypercall_use_page)},
                                   xen.value()))
    return -2;
  abi::evtchn_send s{};
  s.port = 1;
  long bad = 0;
  if (!xenabi::event_channel_op<abi::EVTCHNOP::send>(s)) ++bad;
  if (!xenabi::set_timer_op(deadline)) ++bad;
  if (!xenabi::vcpu_op<abi::VCPUOP::stop_singleshot_timer>(0)) ++bad;
  abi::mmu_update u{};
  if (!xenabi::mmu_update(&u, 1)) ++bad;
  if (!xenabi::update_va_mapping(0x1000, 0, abi::UVMF::INVLPG)) ++bad;
  abi::multicall_entry batch[2]{};
  if (!xenabi::multicall(batch)) ++bad;
  static const char msg[] = "x";
  if (!xenabi::console_io<abi::CONSOLEIO::write>(msg, 1)) ++bad;
  auto v = xenabi::xen_version<abi::XENVER::version>();
  return v ? v.value() + bad : -3;
}
