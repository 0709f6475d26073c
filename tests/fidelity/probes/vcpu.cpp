// Fidelity probe "vcpu": vcpu_op on a PVH guest, compared line by line between xenhv and
// Xen 4.17 (tests/fidelity/README.md): is_up, up/down/initialise on vCPUs that exist or not,
// the run-state area (registration of good and odd addresses, its contents after running and
// blocking, normalised to relations: state, monotonic times, sum consistency), get_runstate_info,
// the secondary time area, register_vcpu_info (bad frames, misaligned, crossing a page, good,
// twice; what the move leaves in the new area), unknown sub-ops. Interrupts stay disabled except
// in the explicit event windows.
#include "guest_support.hpp"

namespace {

using namespace probe;
using abi::VCPUOP;

constexpr std::uint64_t ms = 1000000;
constexpr std::uint64_t unmapped = bad_pointer;

union alignas(4096) page_t {
  unsigned char bytes[4096];
  abi::vcpu_runstate_info runstate;
  abi::vcpu_time_info time;
};
constinit page_t runstate_page{.bytes = {}};
constinit page_t odd_page[2]{{.bytes = {}}, {.bytes = {}}};
constinit page_t time_page{.bytes = {}};
constinit page_t vcpu_info_page{.bytes = {}};

long vop(VCPUOP cmd, std::uint64_t vcpu, std::uint64_t arg) { return hcall(H::vcpu_op, op(cmd), vcpu, arg); }

long register_runstate(std::uint64_t va) {
  abi::vcpu_register_runstate_memory_area a{};
  a.addr.p = va;
  return vop(VCPUOP::register_runstate_memory_area, 0, addr(&a));
}
long register_time(std::uint32_t vcpu, std::uint64_t va) {
  abi::vcpu_register_time_memory_area a{};
  a.addr.p = va;
  return vop(VCPUOP::register_vcpu_time_memory_area, vcpu, addr(&a));
}
long register_vcpu_info(std::uint32_t vcpu, std::uint64_t gfn, std::uint32_t offset) {
  abi::vcpu_register_vcpu_info r{};
  r.mfn = gfn;
  r.offset = offset;
  r.rsvd = 0;
  return vop(VCPUOP::register_vcpu_info, vcpu, addr(&r));
}

// A consistent snapshot of a run-state area (retries while XEN_RUNSTATE_UPDATE is set or the
// entry time moves).
abi::vcpu_runstate_info snapshot(const abi::vcpu_runstate_info& r) {
  for (;;) {
    const std::uint64_t e = __atomic_load_n(&r.state_entry_time, __ATOMIC_ACQUIRE);
    abi::vcpu_runstate_info s{};
    s.state = __atomic_load_n(&r.state, __ATOMIC_ACQUIRE);
    for (int i = 0; i < 4; ++i) s.time[i] = __atomic_load_n(&r.time[i], __ATOMIC_ACQUIRE);
    s.state_entry_time = e;
    if ((e & abi::XEN::RUNSTATE_UPDATE) == 0 && __atomic_load_n(&r.state_entry_time, __ATOMIC_ACQUIRE) == e) return s;
  }
}
std::uint64_t sum(const abi::vcpu_runstate_info& r) { return r.time[0] + r.time[1] + r.time[2] + r.time[3]; }
constexpr int running = static_cast<int>(abi::RUNSTATE::running);
constexpr int blocked = static_cast<int>(abi::RUNSTATE::blocked);

// Sleeps \p ns in SCHEDOP_poll on a port that never becomes pending.
void sleep_blocked(std::uint32_t port, std::uint64_t ns) {
  abi::sched_poll p{};
  p.ports = decltype(p.ports)::from(&port);
  p.nr_ports = 1;
  p.timeout = now() + ns;
  (void)hcall(H::sched_op, op(abi::SCHEDOP::poll), addr(&p));
}
// Runs (spins) for \p ns of system time.
void spin(std::uint64_t ns) {
  const std::uint64_t end = now() + ns;
  while (now() < end) {
  }
}

void status_lines() {
  obs("is_up_vcpu0", vop(VCPUOP::is_up, 0, 0));
  obs("is_up_vcpu1", vop(VCPUOP::is_up, 1, 0));
  obs("is_up_vcpu_huge", vop(VCPUOP::is_up, 0xffffffffu, 0));
  obs("up_vcpu0", vop(VCPUOP::up, 0, 0));
  obs("up_vcpu1", vop(VCPUOP::up, 1, 0));
  obs("down_vcpu1", vop(VCPUOP::down, 1, 0));
  obs("initialise_vcpu1_null", vop(VCPUOP::initialise, 1, 0));
  obs("initialise_vcpu0_null", vop(VCPUOP::initialise, 0, 0));
  abi::vcpu_hvm_context ctx{};
  ctx.mode = op(abi::VCPU_HVM_MODE::_64B);
  obs("initialise_vcpu0_context", vop(VCPUOP::initialise, 0, addr(&ctx)));
  obs("initialise_vcpu0_bad_pointer", vop(VCPUOP::initialise, 0, unmapped));
  obs("unknown_subop_vcpu0", vop(static_cast<VCPUOP>(99), 0, 0));
  obs("unknown_subop_vcpu1", vop(static_cast<VCPUOP>(99), 1, 0));
  obs("send_nmi_vcpu1", vop(VCPUOP::send_nmi, 1, 0));
  abi::vcpu_get_physid id{};
  obs("get_physid_vcpu0", vop(VCPUOP::get_physid, 0, addr(&id)));
}

void runstate_lines(std::uint32_t idle_port) {
  obs("runstate_bad_pointer", vop(VCPUOP::register_runstate_memory_area, 0, unmapped));
  obs("runstate_vcpu1", hcall(H::vcpu_op, op(VCPUOP::register_runstate_memory_area), 1, addr(&runstate_page)));
  obs("runstate_unmapped_area", register_runstate(unmapped));
  // A misaligned area and one crossing a page: accepted; is it written?
  for (auto& b : odd_page[0].bytes) b = 0xff;
  long rc = register_runstate(addr(&odd_page[0].bytes[4]));
  obs("runstate_misaligned", rc).str("written", yn(odd_page[0].bytes[4] == 0 && odd_page[0].bytes[5] == 0));
  for (auto& b : odd_page[0].bytes) b = 0xff;
  for (auto& b : odd_page[1].bytes) b = 0xff;
  rc = register_runstate(addr(&odd_page[0].bytes[4096 - 24]));
  obs("runstate_crossing_page", rc).str("written", yn(odd_page[0].bytes[4096 - 24] == 0))
      .str("tail_written", yn(odd_page[1].bytes[23] != 0xff));
  obs("runstate_null", register_runstate(0));

  // A good area: its contents right after registration.
  for (auto& b : runstate_page.bytes) b = 0xff;
  rc = register_runstate(addr(&runstate_page));
  const std::uint64_t t0 = now();
  const auto a = snapshot(runstate_page.runstate);
  obs("runstate_register", rc).kv("state", static_cast<std::uint64_t>(a.state))
      .str("entry_not_future", yn(a.state_entry_time <= t0)).str("ran", yn(a.time[running] > 0))
      .str("sum_le_entry", yn(sum(a) <= a.state_entry_time));

  // After running for a while: accounting of the current state is not folded in until a
  // state change, so the area may stay as it was; times never go back.
  spin(5 * ms);
  const auto b = snapshot(runstate_page.runstate);
  obs("runstate_after_running", 0).kv("state", static_cast<std::uint64_t>(b.state))
      .str("entry_monotonic", yn(b.state_entry_time >= a.state_entry_time)).str("running_monotonic", yn(b.time[running] >= a.time[running]));

  // After blocking: time was spent blocked, and the area says so once we run again.
  sleep_blocked(idle_port, 50 * ms);
  const auto c = snapshot(runstate_page.runstate);
  obs("runstate_after_blocking", 0).kv("state", static_cast<std::uint64_t>(c.state))
      .str("blocked_grew", yn(c.time[blocked] > b.time[blocked])).str("running_monotonic", yn(c.time[running] >= b.time[running]))
      .str("entry_advanced", yn(c.state_entry_time > b.state_entry_time)).str("sum_le_entry", yn(sum(c) <= c.state_entry_time))
      .str("update_flag_clear", yn((c.state_entry_time & abi::XEN::RUNSTATE_UPDATE) == 0));

  // get_runstate_info agrees with the area.
  abi::vcpu_runstate_info g{};
  rc = vop(VCPUOP::get_runstate_info, 0, addr(&g));
  obs("get_runstate_info", rc).kv("state", static_cast<std::uint64_t>(g.state))
      .str("blocked_ge_area", yn(g.time[blocked] >= c.time[blocked])).str("running_ge_area", yn(g.time[running] >= c.time[running]))
      .str("entry_ge_area", yn(g.state_entry_time >= c.state_entry_time))
      .str("only_current_state_grew", yn(g.time[1] == c.time[1] && g.time[2] == c.time[2] && g.time[3] == c.time[3]));
  obs("get_runstate_info_vcpu1", vop(VCPUOP::get_runstate_info, 1, addr(&g)));
  obs("get_runstate_info_bad_pointer", vop(VCPUOP::get_runstate_info, 0, unmapped));

  // The XEN_RUNSTATE_UPDATE protocol is an assist an HVM guest may enable.
  obs("vm_assist_runstate_update_flag",
       hcall(H::vm_assist, op(abi::VMASST_CMD::enable), op(abi::VMASST::TYPE_runstate_update_flag)));
  obs("vm_assist_writable_pagetables",
       hcall(H::vm_assist, op(abi::VMASST_CMD::enable), op(abi::VMASST::TYPE_writable_pagetables)));
  obs("vm_assist_unknown_type", hcall(H::vm_assist, op(abi::VMASST_CMD::enable), 31u));
  obs("vm_assist_unknown_cmd", hcall(H::vm_assist, 7u, op(abi::VMASST::TYPE_runstate_update_flag)));
  sleep_blocked(idle_port, 50 * ms);
  const auto d = snapshot(runstate_page.runstate);
  obs("runstate_with_update_flag", 0).kv("state", static_cast<std::uint64_t>(d.state))
      .str("blocked_grew", yn(d.time[blocked] > c.time[blocked])).str("update_flag_clear", yn((d.state_entry_time & abi::XEN::RUNSTATE_UPDATE) == 0));
  obs("runstate_unregister", register_runstate(0));
}

void time_area_lines() {
  obs("time_area_bad_pointer", vop(VCPUOP::register_vcpu_time_memory_area, 0, unmapped));
  obs("time_area_vcpu1", register_time(1, addr(&time_page)));
  obs("time_area_unmapped", register_time(0, unmapped));
  for (auto& b : time_page.bytes) b = 0;
  const long rc = register_time(0, addr(&time_page));
  const abi::vcpu_time_info& t = time_page.time;
  const abi::vcpu_time_info& v = vinfo->time;
  obs("time_area_register", rc).str("version_even_nonzero", yn(t.version != 0 && (t.version & 1u) == 0))
      .str("scale_matches_vcpu_info", yn(t.tsc_to_system_mul == v.tsc_to_system_mul && t.tsc_shift == v.tsc_shift))
      .str("system_time_set", yn(t.system_time != 0)).str("flags_match_vcpu_info", yn(t.flags == v.flags));
  obs("time_area_unregister", register_time(0, 0));
}

void vcpu_info_lines() {
  const std::uint64_t gfn = addr(&vcpu_info_page) >> 12;
  obs("vcpu_info_vcpu1", register_vcpu_info(1, gfn, 0));
  obs("vcpu_info_bad_pointer", vop(VCPUOP::register_vcpu_info, 0, unmapped));
  obs("vcpu_info_crossing_page", register_vcpu_info(0, gfn, 4096 - 64 + 8));
  obs("vcpu_info_offset_beyond_page", register_vcpu_info(0, gfn, 8192));
  obs("vcpu_info_misaligned", register_vcpu_info(0, gfn, 4));
  obs("vcpu_info_gfn_beyond_ram", register_vcpu_info(0, 0x7ffffff, 0));
  obs("vcpu_info_gfn_huge", register_vcpu_info(0, ~std::uint64_t{0}, 0));

  // The good one: the last 64 bytes of a page.
  quiesce();
  for (auto& b : vcpu_info_page.bytes) b = 0;
  const long rc = register_vcpu_info(0, gfn, 4096 - 64);
  auto* neu = reinterpret_cast<abi::vcpu_info*>(&vcpu_info_page.bytes[4096 - 64]);
  obs("vcpu_info_register", rc).str("upcall_flag", yn(neu->evtchn_upcall_pending != 0))
      .str("selector_all_ones", yn(neu->evtchn_pending_sel == ~std::uint64_t{0}))
      .str("time_version_even_nonzero", yn(neu->time.version != 0 && (neu->time.version & 1u) == 0))
      .str("time_set", yn(neu->time.system_time != 0));
  if (rc == 0) vinfo = neu;
  const unsigned before = upcalls;
  events_window();
  obs("vcpu_info_upcall_after_move", 0).str("upcall", yn(upcalls != before)).str("upcall_flag", yn(upcall_flag()));
  obs("vcpu_info_twice", register_vcpu_info(0, gfn, 4096 - 64));
  obs("vcpu_info_twice_elsewhere", register_vcpu_info(0, gfn, 0));

  // Events and time keep working through the new location.
  std::uint32_t p = 0;
  (void)bind_ipi(0, p);
  quiesce();
  (void)send(p);
  const bool flagged = upcall_flag();
  const bool got = wait_until([&] { return was_delivered(p); });
  obs("vcpu_info_moved_ipi", 0).str("upcall_flag", yn(flagged)).str("delivered", yn(got));
  const std::uint64_t t0 = now();
  sleep_blocked(p, 5 * ms);
  obs("vcpu_info_moved_time", 0).str("advances", yn(now() > t0));
}

void run_all() {
  quiesce();
  std::uint32_t idle = 0;
  (void)bind_ipi(0, idle);
  status_lines();
  runstate_lines(idle);
  time_area_lines();
  vcpu_info_lines();
}

}  // namespace

const char* const probe::area = "vcpu";

void probe::run() {
  init_events();
  run_all();
}
