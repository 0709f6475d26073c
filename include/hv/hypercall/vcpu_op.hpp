/// \file
/// vcpu_op: register_vcpu_info, the run-state and time areas (`register_guest_area`: any
/// address, in the caller's width), get_runstate_info, single-shot and periodic timers,
/// initialise/up/down/is_up for secondary vCPUs, get_physid; with Xen 4.17's checks and errors.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

/// The guest area of \p n bytes at guest-virtual \p va, translated page by page (nullopt for 0
/// or an address that does not translate).
inline std::optional<guest_area> guest_area_at(hcall& c, std::uint64_t va, std::size_t n) {
  if (va == 0) return std::nullopt;
  auto pa = c.g.translate(virt_addr{va});
  if (!pa) return std::nullopt;
  guest_area a;
  a.first = pa.value();
  a.first_len = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, 4096 - (va & 4095)));
  if (a.first_len < n) {
    auto pb = c.g.translate(virt_addr{va + a.first_len});
    if (!pb) return std::nullopt;
    a.second = pb.value();
  }
  return a;
}

/// VCPUOP_register_runstate_memory_area and VCPUOP_register_vcpu_time_memory_area: reads the
/// argument \p Arg (a guest handle, in the caller's width: `abi::tmpl::Arg<W>`) at \p arg, traces
/// the address, and translates the \p size bytes there. As Xen for an HVM guest, any address is
/// accepted: misaligned, crossing a page, or not mapped (then the updates are lost; nullopt,
/// with a trace note); 0 unregisters (nullopt). An unreadable argument is `errc::efault`.
template <template <class> class Arg>
[[nodiscard]] inline result<std::optional<guest_area>> register_guest_area(hcall& c, std::uint64_t arg,
                                                                           std::size_t size) {
  const std::optional<std::uint64_t> handle = c.by_width([&](auto w) -> std::optional<std::uint64_t> {
    auto r = c.in<Arg<decltype(w)>>(arg);
    if (!r) return std::nullopt;
    return r.value().addr.h.address();
  });
  if (!handle) return errc::efault;
  c.arg("addr", hex(*handle));
  auto area = guest_area_at(c, *handle, size);
  if (!area && *handle != 0) c.rec.note = "area not mapped: updates will be lost";
  return area;
}

inline std::int64_t vcpu_op(hcall& c) {
  // Xen's do_vcpu_op takes `int cmd, unsigned int vcpuid`: the upper register halves are ignored.
  const auto cmd = static_cast<std::uint32_t>(c.a.a[0]);
  const auto id = static_cast<std::uint32_t>(c.a.a[1]);
  const auto arg = c.a.a[2];
  c.arg("cmd", sub_name("VCPUOP_", cmd,
                        {"initialise", "up", "down", "is_up", "get_runstate_info", "register_runstate_memory_area",
                         "set_periodic_timer", "stop_periodic_timer", "set_singleshot_timer", "stop_singleshot_timer",
                         "register_vcpu_info", "send_nmi", "get_physid", "register_vcpu_time_memory_area"}));
  c.arg("vcpu", std::to_string(id));
  if (id >= c.d.vcpus.size()) return c.fail(errc::enoent, "no such vCPU");
  vcpu& t = *c.d.vcpus[static_cast<std::size_t>(id)];
  switch (static_cast<abi::VCPUOP>(cmd)) {
    case abi::VCPUOP::is_up: {
      std::lock_guard lock(t.mu);
      return t.up ? 1 : 0;
    }
    case abi::VCPUOP::initialise: {
      // As Xen for HVM vCPUs: copy the context, then refuse an initialised vCPU, then check it.
      auto r = c.in<abi::vcpu_hvm_context>(arg);
      if (!r) return c.fail(errc::efault, "bad context pointer");
      const auto& x = r.value();
      c.arg("mode", x.mode == 1 ? "VCPU_HVM_MODE_64B" : x.mode == 0 ? "VCPU_HVM_MODE_32B" : std::to_string(x.mode));
      if (x.mode == static_cast<std::uint32_t>(abi::VCPU_HVM_MODE::_64B)) c.arg("rip", hex(x.cpu_regs.x86_64.rip));
      if (x.mode == static_cast<std::uint32_t>(abi::VCPU_HVM_MODE::_32B)) c.arg("eip", hex(x.cpu_regs.x86_32.eip));
      {
        std::lock_guard lock(t.mu);
        if (t.initialised) return c.fail(errc::eexist, "vCPU already initialised");
      }
      if (x.mode == static_cast<std::uint32_t>(abi::VCPU_HVM_MODE::_64B)) {
        const auto& g = x.cpu_regs.x86_64;
        if ((g.cr0 & 0x80000001u) != 0x80000001u || (g.cr4 & 0x20u) == 0 || (g.efer & 0x100u) == 0)
          return c.fail(errc::einval, "64-bit mode needs CR0.PG|PE, CR4.PAE and EFER.LME");
      } else if (x.mode == static_cast<std::uint32_t>(abi::VCPU_HVM_MODE::_32B)) {
        const auto& g = x.cpu_regs.x86_32;
        if ((g.cr0 & 1u) == 0 || (g.efer & 0x500u) != 0)
          return c.fail(errc::einval, "32-bit mode needs CR0.PE and EFER.LME/LMA clear");
      } else {
        return c.fail(errc::einval, "unknown VCPU_HVM_MODE");
      }
      std::lock_guard lock(t.mu);
      if (t.initialised) return c.fail(errc::eexist, "vCPU already initialised");
      t.pending_context = x;
      t.initialised = true;
      return 0;
    }
    case abi::VCPUOP::up: {
      {
        std::lock_guard lock(t.mu);
        if (!t.initialised) return c.fail(errc::einval, "vCPU not initialised (VCPUOP_initialise first)");
        t.up = true;
      }
      c.d.notify(t);
      return 0;
    }
    case abi::VCPUOP::down: {
      {
        std::lock_guard lock(t.mu);
        t.up = false;
      }
      c.d.notify(t);
      return 0;
    }
    case abi::VCPUOP::register_vcpu_info: {
      auto r = c.in<abi::vcpu_register_vcpu_info>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const auto& x = r.value();
      c.arg("mfn", hex(x.mfn));
      c.arg("offset", hex(x.offset));
      // Xen 4.17's order and errnos: the offset (ENXIO), then "already moved", then the frame.
      if (x.offset > 4096 - sizeof(gabi::vcpu_info)) return c.fail(errc::enxio, "vcpu_info would cross the page");
      if (x.offset % 8 != 0) return c.fail(errc::enxio, "offset not 8-byte aligned");
      {
        std::lock_guard lock(t.mu);
        if (t.vcpu_info_registered) return c.fail(errc::einval, "vcpu_info already registered");
      }
      if (x.mfn > (~std::uint64_t{0} >> 12)) return c.fail(errc::einval, "frame out of range");
      const phys_addr gpa{(x.mfn << 12) + x.offset};
      if (!c.d.mem.contains(gpa, sizeof(gabi::vcpu_info)) || !c.d.mem.present(x.mfn))
        return c.fail(errc::einval, "frame outside guest RAM");
      {
        std::lock_guard dl(c.d.mu);
        std::lock_guard lock(t.mu);
        if (t.vcpu_info_registered) return c.fail(errc::einval, "vcpu_info already registered");
        auto* old = c.d.vcpu_info_of(t);
        auto* neu = c.d.mem.object<gabi::vcpu_info>(gpa).value();
        if (old != nullptr && old != neu) std::memmove(static_cast<void*>(neu), old, sizeof(gabi::vcpu_info));
        else if (old == nullptr) std::memset(static_cast<void*>(neu), 0, sizeof(gabi::vcpu_info));
        t.vcpu_info_gpa = gpa;
        t.vcpu_info_registered = true;
        // As Xen: mark everything pending so that nothing is lost in the move.
        __atomic_store_n(&neu->evtchn_pending_sel, ~std::uint64_t{0}, __ATOMIC_SEQ_CST);
        __atomic_store_n(&neu->evtchn_upcall_pending, std::uint8_t{1}, __ATOMIC_SEQ_CST);
      }
      c.d.publish_time(t);
      c.d.assert_upcall(t);
      return 0;
    }
    case abi::VCPUOP::register_runstate_memory_area: {
      // The area is kept in the caller's width's layout, and gets the runstate as accounted at
      // the last state change.
      const std::size_t size = c.a.guest64 ? sizeof(abi::x86_64::vcpu_runstate_info)
                                           : sizeof(abi::x86_32::vcpu_runstate_info);
      auto area = register_guest_area<abi::tmpl::vcpu_register_runstate_memory_area>(c, arg, size);
      if (!area) return c.fail(area.error(), "bad argument pointer");
      std::lock_guard lock(t.mu);
      t.runstate_area = area.value();
      t.runstate_compat = !c.a.guest64;
      c.d.write_runstate(t);
      return 0;
    }
    case abi::VCPUOP::get_runstate_info:
      return c.by_width([&](auto w) -> std::int64_t {
        gabi::vcpu_runstate_info now{};
        {
          std::lock_guard lock(t.mu);
          now = c.d.runstate_now(t);
        }
        abi::tmpl::vcpu_runstate_info<decltype(w)> info{};
        info.state = now.state;
        info.state_entry_time = now.state_entry_time;
        for (std::size_t i = 0; i < 4; ++i) info.time[i] = now.time[i];
        if (!c.out(arg, info)) return c.fail(errc::efault, "bad argument pointer");
        return 0;
      });
    case abi::VCPUOP::register_vcpu_time_memory_area: {
      // The area is written at once, as on Xen.
      auto area = register_guest_area<abi::tmpl::vcpu_register_time_memory_area>(c, arg, sizeof(abi::vcpu_time_info));
      if (!area) return c.fail(area.error(), "bad argument pointer");
      {
        std::lock_guard lock(t.mu);
        t.time_area = area.value();
      }
      c.d.publish_time(t);
      return 0;
    }
    case abi::VCPUOP::set_periodic_timer: {
      auto r = c.in<abi::vcpu_set_periodic_timer>(arg);
      if (!r) return c.fail(errc::efault, "bad argument pointer");
      const std::uint64_t period = r.value().period_ns;
      c.arg("period_ns", std::to_string(period));
      if (period < 1000000) return c.fail(errc::einval, "period below 1 ms");
      if (period > (~std::uint64_t{0} >> 1)) return c.fail(errc::einval, "period beyond STIME_DELTA_MAX");
      c.d.set_periodic_timer(t, period);
      return 0;
    }
    case abi::VCPUOP::stop_periodic_timer:
      c.d.set_periodic_timer(t, 0);
      return 0;
    case abi::VCPUOP::get_physid:
      return c.fail(errc::einval, "only the hardware domain's pinned vCPUs have a physical id");
    case abi::VCPUOP::set_singleshot_timer: {
      if (&t != &c.v) return c.fail(errc::einval, "only the calling vCPU's timer can be set");
      std::optional<std::pair<std::uint64_t, std::uint32_t>> tm =
          c.by_width([&](auto w) -> std::optional<std::pair<std::uint64_t, std::uint32_t>> {
            auto r = c.in<abi::tmpl::vcpu_set_singleshot_timer<decltype(w)>>(arg);
            if (!r) return std::nullopt;
            const std::uint64_t timeout = r.value().timeout_abs_ns;  // copies: i386 aligns it to 4
            const std::uint32_t fl = r.value().flags;
            return std::pair<std::uint64_t, std::uint32_t>{timeout, fl};
          });
      if (!tm) return c.fail(errc::efault, "bad argument pointer");
      const auto [timeout_abs_ns, flags] = *tm;
      c.arg("timeout_abs_ns", std::to_string(timeout_abs_ns));
      c.arg("flags", hex(flags));
      // As Xen 4.17.7 (measured): VCPU_SSHOTTMR_future is ignored (the public header allows
      // it), so a passed deadline fires at once instead of failing with -ETIME.
      if ((flags & abi::VCPU_SSHOTTMR::future) != 0 && timeout_abs_ns < c.d.clock.now())
        c.rec.note = "timeout already passed; VCPU_SSHOTTMR_future is ignored, as Xen";
      c.d.set_timer(t, timeout_abs_ns);
      return 0;
    }
    case abi::VCPUOP::stop_singleshot_timer:
      if (&t != &c.v) return c.fail(errc::einval, "only the calling vCPU's timer can be stopped");
      c.d.set_timer(t, std::nullopt);
      return 0;
    default:
      return c.fail(errc::enosys, "VCPUOP sub-op not implemented by xenhv");
  }
}

}  // namespace detail
}  // namespace hv
