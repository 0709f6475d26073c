// hv/hypercall/vcpu_op.hpp, driven through the in-process platform: vcpu_op: vcpu_info, run-state and time areas (both widths), timers, secondary vCPUs.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("vcpu_op: register_vcpu_info once, runstate area, singleshot timer, bad vCPU") {
  hv::sim::machine m(4 << 20, 2);
  abi::vcpu_register_vcpu_info r{};
  r.mfn = 0x40;
  r.offset = 0x80;
  m.put(arg, r);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 0, arg) == 0);
  auto vi = m.get<gabi::vcpu_info>(0x40080);
  REQUIRE(vi.evtchn_upcall_pending == 1);  // as Xen: everything marked pending after a move
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 0, arg) == rc(errc::einval));
  r.offset = 4090;
  m.put(arg, r);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 1, arg) == rc(errc::enxio));  // as Xen 4.17
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 7, arg) == rc(errc::enoent));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), 0, 0) == 1);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), 1, 0) == 0);

  gabi::vcpu_register_runstate_memory_area ra{};
  ra.addr.p = 0x3000;
  m.put(arg, ra);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, arg) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  m.put(arg, ra);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, arg) == 0);
  auto rs = m.get<gabi::vcpu_runstate_info>(0x3000);
  REQUIRE(rs.state == static_cast<std::int32_t>(abi::RUNSTATE::running));
  REQUIRE(rs.state_entry_time > 0);  // entered running at start; nothing else folded in yet (as Xen)
  REQUIRE((rs.state_entry_time & abi::XEN::RUNSTATE_UPDATE) == 0);
  ra.addr.p = unmapped;
  m.put(arg, ra);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, arg) == 0);  // as Xen: accepted

  gabi::vcpu_set_singleshot_timer t{};
  t.timeout_abs_ns = 1;  // long past
  t.flags = abi::VCPU_SSHOTTMR::future;
  m.put(arg, t);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 0, arg) == 0);  // flag ignored, as Xen 4.17
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_singleshot_timer), 1, arg) == rc(errc::einval));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::stop_singleshot_timer), 0, 0) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::send_nmi), 1, arg) == rc(errc::enosys));
}

TEST_CASE("vcpu_op: initialise validates the context, once - up needs it - down/is_up") {
  hv::sim::machine m(4 << 20, 2);
  abi::vcpu_hvm_context ctx{};
  ctx.mode = 7;
  m.put(arg, ctx);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::up), 1, 0) == rc(errc::einval));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == rc(errc::einval));
  ctx.mode = op(abi::VCPU_HVM_MODE::_64B);
  ctx.cpu_regs.x86_64.cr0 = 0x80000011;
  ctx.cpu_regs.x86_64.cr4 = 0;  // no PAE
  ctx.cpu_regs.x86_64.efer = 0x500;
  m.put(arg, ctx);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == rc(errc::einval));
  ctx.cpu_regs.x86_64.cr4 = 0x20;
  m.put(arg, ctx);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == rc(errc::eexist));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::up), 1, 0) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), 1, 0) == 1);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::down), 1, 0) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::is_up), 1, 0) == 0);
}

TEST_CASE("timers: VCPUOP periodic timer ticks until stopped - bad periods and pointers") {
  hv::sim::machine m(4 << 20, 2);
  auto& d = m.dom();
  const auto t = bind_timer(m);
  abi::vcpu_set_periodic_timer p{};
  p.period_ns = 999999;
  m.put(arg, p);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 0, arg) == rc(errc::einval));
  p.period_ns = std::uint64_t{1} << 63;
  m.put(arg, p);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 0, arg) == rc(errc::einval));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 0, unmapped) == rc(errc::efault));
  p.period_ns = 2000000;
  m.put(arg, p);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 1, arg) == 0);  // another vCPU: allowed
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::stop_periodic_timer), 1, 0) == 0);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::set_periodic_timer), 0, arg) == 0);
  for (int tick = 0; tick < 2; ++tick) {
    clear(d, t);
    const std::uint64_t start = d.clock.now();
    REQUIRE(m.call(H::sched_op, op(abi::SCHEDOP::block), 0) == 0);
    REQUIRE(hv::evtchn_is_pending(d, t));
    REQUIRE(d.clock.now() > start);
  }
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::stop_periodic_timer), 0, 0) == 0);
  std::lock_guard lock(d.vcpus[0]->mu);
  REQUIRE(d.vcpus[0]->periodic_period == 0);
}

TEST_CASE("vcpu_op: initialise refuses an initialised vCPU before checking the context") {
  hv::sim::machine m(4 << 20, 2);
  abi::vcpu_hvm_context bad{};
  bad.mode = 7;
  m.put(arg, bad);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 0, arg) == rc(errc::eexist));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 0, 0) == rc(errc::eexist));  // address 0 is RAM here
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 0, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::initialise), 1, arg) == rc(errc::einval));  // not initialised: checked
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::get_physid), 0, buf) == rc(errc::einval));
}

TEST_CASE("vcpu_op: register_vcpu_info refuses bad offsets with ENXIO - before already moved") {
  hv::sim::machine m;
  auto reg = [&](std::uint64_t mfn, std::uint32_t offset) {
    abi::vcpu_register_vcpu_info r{};
    r.mfn = mfn;
    r.offset = offset;
    m.put(arg, r);
    return m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_info), 0, arg);
  };
  REQUIRE(reg(0x40, 4096 - 64 + 8) == rc(errc::enxio));
  REQUIRE(reg(0x40, 4) == rc(errc::enxio));
  REQUIRE(reg(0x40, 8192) == rc(errc::enxio));
  REQUIRE(reg(0x7ffffff, 0) == rc(errc::einval));
  REQUIRE(reg(0x40, 4096 - 64) == 0);
  REQUIRE(reg(0x40, 4) == rc(errc::enxio));
  REQUIRE(reg(0x41, 0) == rc(errc::einval));
}

TEST_CASE("vcpu_op: run-state and time areas at any address - contents as of the last state change") {
  hv::sim::machine m;
  auto& d = m.dom();
  auto reg = [&](abi::VCPUOP cmd, std::uint64_t va) {
    m.put(arg, va);
    return m.call(H::vcpu_op, op(cmd), 0, arg);
  };
  REQUIRE(reg(abi::VCPUOP::register_runstate_memory_area, unmapped) == 0);
  REQUIRE(reg(abi::VCPUOP::register_vcpu_time_memory_area, unmapped) == 0);
  // Misaligned and crossing a page: written in full.
  m.put(0x3000 - 20, std::array<std::uint8_t, 64>{});
  for (std::uint64_t a = 0x3000 - 20; a < 0x3000 + 44; ++a) m.put(a, std::uint8_t{0xff});
  REQUIRE(reg(abi::VCPUOP::register_runstate_memory_area, 0x3000 - 20) == 0);
  auto bytes = m.get<std::array<std::uint8_t, sizeof(gabi::vcpu_runstate_info)>>(0x3000 - 20);
  gabi::vcpu_runstate_info r{};
  std::memcpy(&r, bytes.data(), sizeof r);
  REQUIRE(r.state == static_cast<std::int32_t>(abi::RUNSTATE::running));
  REQUIRE((r.state_entry_time & abi::XEN::RUNSTATE_UPDATE) == 0);
  REQUIRE(r.time[0] == 0);  // running since it started: nothing folded in yet
  REQUIRE(m.get<std::uint8_t>(0x3000 + 40) == 0xff);  // nothing written past the 48 bytes
  // get_runstate_info adds the current period without changing the accounting.
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::get_runstate_info), 0, buf) == 0);
  const auto g = m.get<gabi::vcpu_runstate_info>(buf);
  REQUIRE(g.state_entry_time == r.state_entry_time);
  REQUIRE(g.time[0] > 0);
  {
    std::lock_guard lock(d.vcpus[0]->mu);
    REQUIRE(d.vcpus[0]->state_time[0] == 0);
  }
  // The time area is written at registration.
  REQUIRE(reg(abi::VCPUOP::register_vcpu_time_memory_area, 0x5008) == 0);
  const auto t = m.get<abi::vcpu_time_info>(0x5008);
  REQUIRE(t.version != 0);
  REQUIRE((t.version & 1u) == 0);
  REQUIRE(t.tsc_to_system_mul == d.shared().vcpu_info[0].time.tsc_to_system_mul);
}

TEMPLATE_TEST_CASE("width: runstate info and area in the caller's layout", "", abi::width64, abi::width32) {
  using W = TestType;
  hv::sim::machine m;
  with_width<W>(m);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::get_runstate_info), 0, arg) == 0);
  const auto info = m.get<tmpl::vcpu_runstate_info<W>>(arg);
  REQUIRE(info.state == 0);  // running
  REQUIRE(std::uint64_t{info.state_entry_time} > 0);
  // Registration: a 32-bit caller's handle is 4 bytes; what follows it in the union is not read.
  constexpr std::uint64_t area = 0x3000;
  tmpl::vcpu_register_runstate_memory_area<W> reg{};
  reg.addr.p = W::bits == 32 ? 0xdead000000000000ull | area : area;
  m.put(arg, reg);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_runstate_memory_area), 0, arg) == 0);
  const auto a = m.get<tmpl::vcpu_runstate_info<W>>(area);
  REQUIRE(a.state == 0);
  REQUIRE(std::uint64_t{a.state_entry_time} > 0);
  REQUIRE((std::uint64_t{a.state_entry_time} & abi::XEN::RUNSTATE_UPDATE) == 0);
  REQUIRE(std::uint64_t{a.time[0]} + std::uint64_t{a.time[3]} > 0);
  // The time area likewise.
  tmpl::vcpu_register_time_memory_area<W> tr{};
  tr.addr.p = W::bits == 32 ? 0xdead000000000000ull | 0x3100 : 0x3100;
  m.put(arg, tr);
  REQUIRE(m.call(H::vcpu_op, op(abi::VCPUOP::register_vcpu_time_memory_area), 0, arg) == 0);
  {
    std::lock_guard lock(m.dom().vcpus[0]->mu);
    const auto& ta = m.dom().vcpus[0]->time_area;
    REQUIRE(ta.has_value());
    REQUIRE(ta->first == xenabi::phys_addr{0x3100});
  }
}
