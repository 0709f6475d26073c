/// \file
/// vm_assist: a PVH guest has one assist, VMASST_TYPE_runstate_update_flag.
#pragma once

#include <cstdint>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

/// vm_assist(cmd, type): a PVH guest has one assist, VMASST_TYPE_runstate_update_flag (5).
inline std::int64_t vm_assist(hcall& c) {
  const auto cmd = static_cast<std::uint32_t>(c.a.a[0]);
  const auto type = static_cast<std::uint32_t>(c.a.a[1]);
  c.arg("cmd", cmd == 0 ? "VMASST_CMD_enable" : cmd == 1 ? "VMASST_CMD_disable" : std::to_string(cmd));
  c.arg("type", std::to_string(type));
  constexpr std::uint32_t runstate_update_flag = 5;
  if (type != runstate_update_flag) return c.fail(errc::einval, "not an assist for PVH guests");
  if (cmd > 1) return c.fail(errc::enosys, "unknown VMASST_CMD");
  __atomic_store_n(&c.d.runstate_update_flag, cmd == 0, __ATOMIC_RELEASE);
  return 0;
}

}  // namespace detail
}  // namespace hv
