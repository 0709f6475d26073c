/// \file
/// A domain and its vCPUs, independent of how the vCPUs execute (KVM or the in-process sim):
/// guest memory, clock, the shared_info page, per-vCPU vcpu_info / runstate / timer / blocking
/// state, HVM parameters, the console, event channels and shutdown.
///
/// Concurrency: one host thread per vCPU plus the domain's timer thread. `domain::mu` guards
/// the domain's tables (event channels, parameters, shared-page locations); each vCPU's own
/// `mu` guards its blocking and timer state. Bits in guest-shared pages are changed with atomic
/// operations, as the guest changes them concurrently.
#pragma once

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <hv/abi.hpp>

#include <hv/memory.hpp>
#include <hv/time.hpp>
#include <hv/trace.hpp>

namespace hv {

namespace abi = xenabi::abi;
/// The 64-bit guest layouts xenhv serves (PVH x86_64 guests).
namespace gabi = xenabi::abi::x86_64;

class domain;

/// Xen's runstates (`RUNSTATE_*`).
enum class runstate : int {
  running = 0,   ///< Executing.
  runnable = 1,  ///< Ready but not executing.
  blocked = 2,   ///< Blocked (waiting for an event or timer).
  offline = 3,   ///< Not up, or down.
};

/// How a domain ended.
enum class shutdown_kind : std::uint8_t {
  none,      ///< Still running.
  poweroff,  ///< SHUTDOWN_poweroff.
  reboot,    ///< SHUTDOWN_reboot.
  suspend,   ///< SHUTDOWN_suspend.
  crash,     ///< SHUTDOWN_crash, or xenhv stopped it (unhandled exit, triple fault).
  watchdog,  ///< SHUTDOWN_watchdog.
  soft_reset,///< SHUTDOWN_soft_reset.
};

/// A guest structure registered by guest-virtual address (the run-state and secondary time
/// areas), as the guest-physical pieces it was translated to: it may be misaligned and may cross
/// a page, whose second half then lives in another frame.
struct guest_area {
  phys_addr first{};            ///< Where the structure starts.
  std::uint32_t first_len = 0;  ///< Bytes in the first page.
  phys_addr second{};           ///< Where the rest is (when first_len is short of the size).
};

/// One vCPU's platform-independent state.
class vcpu {
 public:
  /// vCPU \p id of \p d.
  vcpu(domain& d, std::uint32_t vcpu_id) : dom(d), id(vcpu_id) {}
  vcpu(const vcpu&) = delete;
  vcpu& operator=(const vcpu&) = delete;

  domain& dom;          ///< Owning domain.
  const std::uint32_t id;  ///< vCPU id.

  std::mutex mu;               ///< Guards the fields below that are not atomics.
  std::condition_variable cv;  ///< Signalled on events, timer changes and shutdown.
  /// The guest-physical address of this vCPU's vcpu_info (a shared_info slot until
  /// VCPUOP_register_vcpu_info moves it; unset for ids >= 32 until registered).
  std::optional<phys_addr> vcpu_info_gpa;
  /// True once vcpu_info was moved by VCPUOP_register_vcpu_info (it can be moved only once).
  bool vcpu_info_registered = false;
  /// The registered runstate area, if any.
  std::optional<guest_area> runstate_area;
  /// True if the runstate area was registered by a 32-bit caller: it is kept in the i386
  /// layout of vcpu_runstate_info (44 bytes, 64-bit fields 4-byte aligned).
  bool runstate_compat = false;
  /// Absolute system time of the single-shot timer, if armed.
  std::optional<std::uint64_t> timer_deadline;
  /// Period of the periodic timer (VCPUOP_set_periodic_timer), 0 if stopped.
  std::uint64_t periodic_period = 0;
  /// Absolute system time of the periodic timer's next tick (when periodic_period != 0).
  std::uint64_t periodic_next = 0;
  /// True while up (running or able to run); false before VCPUOP_up for secondary vCPUs and
  /// after VCPUOP_down.
  bool up = false;
  /// True once the vCPU has a start state (vCPU 0 at boot; others after VCPUOP_initialise).
  bool initialised = false;
  /// The start state given by VCPUOP_initialise, not yet loaded by the platform.
  std::optional<abi::vcpu_hvm_context> pending_context;
  /// Ports this vCPU is polling in SCHEDOP_poll (empty when not polling).
  std::vector<std::uint32_t> poll_ports;
  /// Set when an event (or timer) should wake a blocked/polling vCPU.
  bool wake = false;
  /// Per-vCPU upcall vector (HVMOP_set_evtchn_upcall_vector), 0 if none.
  std::uint8_t upcall_vector = 0;
  /// How the platform raises a vector in this vCPU's local APIC (guarded by mu, called with it
  /// held): on KVM with an in-kernel LAPIC an MSI to the vCPU's APIC id; empty where the
  /// platform has no LAPIC and injects upcall vectors itself (KVM without it, the sim).
  std::function<void(std::uint8_t)> lapic_irq;
  /// The secondary vcpu_time_info copy (VCPUOP_register_vcpu_time_memory_area), if any.
  std::optional<guest_area> time_area;

  /// Runstate bookkeeping (guarded by mu).
  runstate state = runstate::offline;
  /// System time the current state was entered.
  std::uint64_t state_entry = 0;
  /// Accumulated time in each state.
  std::uint64_t state_time[4] = {};

  /// How the platform interrupts this vCPU's guest execution (a signal on KVM; a no-op in the
  /// sim). Called without `mu` held.
  std::function<void()> kick;
  /// True while a platform thread executes this vCPU (its run loop is between start and exit;
  /// false in the sim, where guest code is the caller's thread). `domain::pause()` waits for such
  /// a thread to park (guarded by mu).
  bool has_thread = false;
  /// True while the vCPU's thread is parked by `domain::wait_unpaused()` (guarded by mu).
  bool parked = false;
};

/// Where the domain's console_io output goes and where its input comes from.
struct console_io {
  /// Output sink for guest console writes (stdout by default).
  std::function<void(std::string_view)> write = [](std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  };
  /// Pending input bytes for CONSOLEIO_read.
  std::string input;
};

/// One event channel's binding (Xen's `struct evtchn`, 2-level ABI).
struct evtchn {
  /// Binding state.
  abi::EVTCHNSTAT state = abi::EVTCHNSTAT::closed;
  /// vCPU to notify.
  std::uint32_t vcpu = 0;
  /// Remote domain (unbound: who may bind; interdomain: peer).
  std::uint16_t remote_dom = 0;
  /// Remote port (interdomain).
  std::uint32_t remote_port = 0;
  /// Bound VIRQ.
  std::uint32_t virq = 0;
};

class host;

/// A domain: memory, clock, shared pages, vCPUs, event channels, parameters, console.
class domain {
 public:
  /// Creates domain \p id with \p mem_bytes of RAM and \p nvcpus vCPUs, a clock of \p tsc_khz
  /// kHz whose guest TSC is host TSC + \p tsc_offset, tracing into \p tr.
  domain(host* h, std::uint16_t domid, std::uint64_t mem_bytes, std::uint32_t nvcpus, std::uint32_t tsc_khz,
         std::int64_t tsc_offset, tracer& tr)
      : id(domid), owner(h), mem(mem_bytes), clock(tsc_khz, tsc_offset), trace(tr) {
    void* p = std::aligned_alloc(4096, 4096);
    if (p == nullptr) throw std::bad_alloc();
    std::memset(p, 0, 4096);
    private_shared_info_.reset(static_cast<std::byte*>(p));
    shared_info_host_ = private_shared_info_.get();
    for (std::uint32_t i = 0; i < nvcpus; ++i) {
      vcpus.push_back(std::make_unique<vcpu>(*this, i));
      if (i < abi::XEN::LEGACY_MAX_VCPUS)
        vcpus.back()->vcpu_info_gpa.reset();  // lives in shared_info until registered
    }
    vcpus.front()->up = true;
    vcpus.front()->initialised = true;
    evtchns.resize(evtchn_bucket);  // the first bucket; port 0 is reserved, never allocated
    publish_wallclock();
  }
  domain(const domain&) = delete;
  domain& operator=(const domain&) = delete;

  const std::uint16_t id;  ///< Domain id.
  host* const owner;       ///< The host holding this domain (for interdomain channels); may be null.
  guest_memory mem;        ///< Guest RAM.
  domain_clock clock;      ///< System time and wall clock.
  tracer& trace;           ///< Hypercall trace.
  console_io console;      ///< Console I/O.
  std::vector<std::unique_ptr<vcpu>> vcpus;  ///< vCPUs.

  mutable std::recursive_mutex mu;  ///< Guards the tables below.
  std::vector<evtchn> evtchns;      ///< Event channels by port.
  std::uint64_t hvm_params[64] = {};  ///< HVM parameters by index.
  /// VMASST_TYPE_runstate_update_flag enabled (vm_assist): runstate updates set XEN_RUNSTATE_UPDATE.
  bool runstate_update_flag = false;
  /// Guest frame where the guest mapped shared_info (XENMAPSPACE_shared_info), if it did.
  std::optional<std::uint64_t> shared_info_gfn;
  /// Guest-physical address of the hypercall page, once installed.
  std::optional<phys_addr> hypercall_page;

  /// The code recorded by SCHEDOP_shutdown_code for a later shutdown (the first one wins, as
  /// Xen's `shutdown_code`; call with `mu` held).
  std::optional<std::uint8_t> pending_shutdown_code;

  /// Shuts the domain down on the guest's (or its watchdog's) request with \p reason, or with
  /// the code recorded earlier by SCHEDOP_shutdown_code, which wins as on Xen. A code that is
  /// no `SHUTDOWN_*` ends the domain as a crash (the code is kept).
  void guest_shutdown(std::uint8_t reason) {
    std::uint8_t code = reason;
    {
      std::lock_guard lock(mu);
      if (!pending_shutdown_code) pending_shutdown_code = reason;
      code = *pending_shutdown_code;
    }
    static constexpr shutdown_kind kinds[] = {shutdown_kind::poweroff, shutdown_kind::reboot, shutdown_kind::suspend,
                                              shutdown_kind::crash, shutdown_kind::watchdog, shutdown_kind::soft_reset};
    request_shutdown(code < std::size(kinds) ? kinds[code] : shutdown_kind::crash, code);
  }

  /// Watchdog timers a domain may have (Xen's NR_DOMAIN_WATCHDOG_TIMERS).
  static constexpr std::uint32_t max_watchdogs = 2;
  /// SCHEDOP_watchdog: \p wid 0 creates a watchdog expiring in \p timeout seconds and returns
  /// its id (1-based, `enospc` when all are in use); another id re-arms it, or with timeout 0
  /// destroys it (`einval` for an id not in use). Expiry shuts the domain down (watchdog).
  [[nodiscard]] result<std::uint32_t> watchdog(std::uint32_t wid, std::uint32_t timeout) {
    {
      std::lock_guard lock(timer_mu_);
      const std::uint64_t at = clock.now() + std::uint64_t{timeout} * 1000000000u;
      if (wid == 0) {
        std::uint32_t i = 0;
        while (i < max_watchdogs && watchdogs_[i]) ++i;
        if (i == max_watchdogs) return errc::enospc;
        watchdogs_[i] = at;
        wid = i + 1;
      } else {
        if (wid > max_watchdogs || !watchdogs_[wid - 1]) return errc::einval;
        if (timeout == 0) watchdogs_[wid - 1].reset();
        else watchdogs_[wid - 1] = at;
        wid = 0;
      }
      timer_changed_ = true;
    }
    timer_cv_.notify_all();
    return wid;
  }
  /// Ports in the 2-level ABI for 64-bit guests.
  static constexpr std::uint32_t max_ports = 64 * 64;
  /// Ports are made valid in buckets of this many (as Xen 4.17, whose EVTCHNOP_status,
  /// unmask, send, close and SCHEDOP_poll accept exactly the ports of allocated buckets:
  /// measured 64 on x86_64).
  static constexpr std::uint32_t evtchn_bucket = 64;

  /// The shared_info page (host memory until the guest maps it, then the guest's frame).
  [[nodiscard]] gabi::shared_info& shared() const noexcept {
    return *std::launder(reinterpret_cast<gabi::shared_info*>(shared_info_host_.load(std::memory_order_acquire)));
  }
  /// Moves shared_info to guest frame \p gfn (XENMEM_add_to_physmap, XENMAPSPACE_shared_info):
  /// the current contents are copied there; the frame's previous RAM contents are replaced, as
  /// on Xen. Returns `efault` if the frame is outside RAM.
  [[nodiscard]] result<void> map_shared_info(std::uint64_t gfn) {
    std::lock_guard lock(mu);
    auto a = xenabi::pfn{gfn}.address();
    if (!a) return errc::einval;
    auto dst = mem.translate(a.value(), 4096);
    if (!dst) return dst.error();
    std::byte* old = shared_info_host_.load();
    if (old != dst.value().data()) {
      std::memmove(dst.value().data(), old, sizeof(gabi::shared_info));
      std::memset(dst.value().data() + sizeof(gabi::shared_info), 0, 4096 - sizeof(gabi::shared_info));
      shared_info_host_.store(dst.value().data(), std::memory_order_release);
    }
    shared_info_gfn = gfn;
    return {};
  }

  /// The vcpu_info of \p v (its shared_info slot, or the registered location).
  [[nodiscard]] gabi::vcpu_info* vcpu_info_of(const vcpu& v) const noexcept {
    if (v.vcpu_info_gpa) {
      auto p = mem.object<gabi::vcpu_info>(*v.vcpu_info_gpa);
      return p ? p.value() : nullptr;
    }
    if (v.id < abi::XEN::LEGACY_MAX_VCPUS) return &shared().vcpu_info[v.id];
    return nullptr;
  }

  /// Writes \p v's vcpu_time_info from the clock under the seqlock protocol (version odd while
  /// the fields change).
  void publish_time(vcpu& v) const noexcept {
    if (auto* vi = vcpu_info_of(v)) publish_time_to(vi->time);
    std::optional<guest_area> area;
    {
      std::lock_guard lock(v.mu);
      area = v.time_area;
    }
    if (area) {
      abi::vcpu_time_info t{};
      (void)read_area(*area, &t, sizeof t);
      publish_time_to(t);
      // In pieces, version first and last, so a reader of a split area sees the seqlock too.
      const std::uint32_t odd = t.version - 1;
      write_area(*area, 0, &odd, sizeof odd);
      write_area(*area, sizeof odd, reinterpret_cast<const std::byte*>(&t) + sizeof odd, sizeof t - sizeof odd);
      write_area(*area, 0, &t.version, sizeof t.version);
    }
  }

  /// Copies \p n bytes from \p src to offset \p off of guest area \p a (pieces outside RAM
  /// are skipped, as Xen's failed copies to such areas are).
  void write_area(const guest_area& a, std::size_t off, const void* src, std::size_t n) const noexcept {
    const auto* b = static_cast<const std::byte*>(src);
    for (std::size_t i = 0; i < n;) {
      const std::size_t at = off + i;
      const bool first = at < a.first_len;
      const phys_addr base = first ? phys_addr{a.first.value() + at} : phys_addr{a.second.value() + (at - a.first_len)};
      const std::size_t room = first ? a.first_len - at : n - i;
      const std::size_t len = std::min(room, n - i);
      (void)mem.copy_to_guest(base, b + i, len);
      i += len;
    }
  }
  /// Reads \p n bytes of guest area \p a into \p dst (false if a piece is outside RAM).
  bool read_area(const guest_area& a, void* dst, std::size_t n) const noexcept {
    auto* b = static_cast<std::byte*>(dst);
    const std::size_t n1 = std::min<std::size_t>(a.first_len, n);
    if (!mem.copy_from_guest(b, a.first, n1)) return false;
    return n1 == n || static_cast<bool>(mem.copy_from_guest(b + n1, a.second, n - n1));
  }
  /// Writes the clock into \p t under the seqlock protocol.
  void publish_time_to(abi::vcpu_time_info& t) const noexcept {
    const std::uint64_t tsc = clock.guest_tsc();
    const std::uint32_t ver = __atomic_load_n(&t.version, __ATOMIC_RELAXED);
    __atomic_store_n(&t.version, ver | 1u, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t.tsc_timestamp = tsc;
    t.system_time = clock.system_time_at(tsc);
    t.tsc_to_system_mul = clock.scale().mul;
    t.tsc_shift = clock.scale().shift;
    t.flags = abi::XEN_PVCLOCK::TSC_STABLE_BIT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&t.version, (ver | 1u) + 1u, __ATOMIC_RELAXED);
  }

  /// Writes the wall clock (time at system time zero) under the wc_version seqlock.
  void publish_wallclock() const noexcept {
    auto& s = shared();
    const std::uint32_t ver = __atomic_load_n(&s.wc_version, __ATOMIC_RELAXED);
    __atomic_store_n(&s.wc_version, ver | 1u, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    const std::uint64_t wc = clock.wallclock_at_zero();
    const std::uint64_t sec = wc / 1000000000u;
    s.wc_sec = static_cast<std::uint32_t>(sec);
    s.wc_sec_hi = static_cast<std::uint32_t>(sec >> 32);
    s.wc_nsec = static_cast<std::uint32_t>(wc % 1000000000u);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&s.wc_version, (ver | 1u) + 1u, __ATOMIC_RELAXED);
  }

  /// Switches \p v to runstate \p s at the current system time, and updates the registered
  /// runstate area (with XEN_RUNSTATE_UPDATE set while it changes if the guest enabled
  /// VMASST_TYPE_runstate_update_flag). Call with `v.mu` held.
  void set_runstate(vcpu& v, runstate s) const noexcept {
    const std::uint64_t now = clock.now();
    if (v.state_entry != 0 || v.state != runstate::offline || s != runstate::offline) {
      const auto old = static_cast<std::size_t>(v.state);
      if (now > v.state_entry) v.state_time[old] += now - v.state_entry;
    }
    v.state = s;
    v.state_entry = now;
    write_runstate(v);
  }
  /// Copies \p v's runstate (as accounted at its last state change) into its registered area,
  /// if any. With VMASST_TYPE_runstate_update_flag enabled, XEN_RUNSTATE_UPDATE is set in
  /// state_entry_time while the other fields change, as on Xen. Call with `v.mu` held.
  void write_runstate(vcpu& v) const noexcept {
    if (!v.runstate_area) return;
    if (v.runstate_compat)
      write_runstate_as<abi::x86_32::vcpu_runstate_info>(v);
    else
      write_runstate_as<abi::x86_64::vcpu_runstate_info>(v);
  }
  /// write_runstate in the layout \p R (either width's vcpu_runstate_info). Call with `v.mu` held.
  template <class R>
  void write_runstate_as(const vcpu& v) const noexcept {
    const guest_area& a = *v.runstate_area;
    const int state = static_cast<int>(v.state);
    std::uint64_t time[4];
    for (std::size_t i = 0; i < 4; ++i) time[i] = v.state_time[i];
    constexpr std::size_t entry_at = offsetof(R, state_entry_time);
    // XEN_RUNSTATE_UPDATE only for a guest that asked for it (VMASST_TYPE_runstate_update_flag).
    if (__atomic_load_n(&runstate_update_flag, __ATOMIC_ACQUIRE)) {
      const std::uint64_t upd = v.state_entry | abi::XEN::RUNSTATE_UPDATE;
      write_area(a, entry_at, &upd, sizeof upd);
      __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    write_area(a, offsetof(R, state), &state, sizeof state);
    write_area(a, offsetof(R, time), &time, sizeof time);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    write_area(a, entry_at, &v.state_entry, sizeof v.state_entry);
  }
  /// \p v's runstate as VCPUOP_get_runstate_info reports it: the accounting so far plus the
  /// time spent in the current state up to now (nothing is changed). Call with `v.mu` held.
  [[nodiscard]] gabi::vcpu_runstate_info runstate_now(const vcpu& v) const noexcept {
    gabi::vcpu_runstate_info r{};
    r.state = static_cast<int>(v.state);
    r.state_entry_time = v.state_entry;
    for (std::size_t i = 0; i < 4; ++i) r.time[i] = v.state_time[i];
    const std::uint64_t now = clock.now();
    if (now > v.state_entry) r.time[static_cast<std::size_t>(v.state)] += now - v.state_entry;
    return r;
  }

  /// Largest extent order an unprivileged domain may use in reservation ops (Xen's
  /// CONFIG_DOMU_MAX_ORDER on x86: 2 MiB extents).
  static constexpr std::uint32_t max_extent_order = 9;
  /// The domain's maximum reservation in pages (Xen's `max_pages`; call with `mu` held).
  std::uint64_t max_pages = mem.frames();
  /// Pages allocated by XENMEM_increase_reservation and not placed in the physmap (an
  /// auto-translated guest learns no frame for them; call with `mu` held).
  std::uint64_t unplaced_pages = 0;
  /// The current reservation in pages (Xen's `tot_pages`): present RAM frames plus unplaced
  /// pages (call with `mu` held).
  [[nodiscard]] std::uint64_t current_pages() const noexcept {
    return mem.frames() - mem.absent_frames() + unplaced_pages;
  }

  /// Most grant-table frames a domain may have.
  static constexpr std::uint32_t max_grant_frames = 64;
  /// Current number of grant-table frames (call with `mu` held).
  [[nodiscard]] std::size_t grant_frames() const noexcept { return grant_host_.size(); }
  /// Grows the grant table to \p n frames (call with `mu` held; n <= max_grant_frames).
  void grow_grant_table(std::size_t n) {
    while (grant_host_.size() < n) {
      grant_host_.push_back(std::make_unique<page_buf>());
      grant_gfn_.push_back(std::nullopt);
    }
  }
  /// The guest frame where grant frame \p i is mapped, if it is (call with `mu` held).
  [[nodiscard]] std::optional<std::uint64_t> grant_frame_gfn(std::size_t i) const noexcept {
    return i < grant_gfn_.size() ? grant_gfn_[i] : std::nullopt;
  }
  /// Maps grant frame \p i at guest frame \p gfn, moving its contents there (call with `mu` held).
  [[nodiscard]] result<void> map_grant_frame(std::size_t i, std::uint64_t gfn) {
    auto dst = mem.translate(phys_addr{gfn << 12}, 4096);
    if (!dst || i >= grant_host_.size()) return errc::einval;
    std::byte* src = grant_gfn_[i] ? mem.translate(phys_addr{*grant_gfn_[i] << 12}, 4096).value().data()
                                   : grant_host_[i]->bytes;
    if (src != dst.value().data()) std::memmove(dst.value().data(), src, 4096);
    grant_gfn_[i] = gfn;
    return {};
  }
  /// The bytes of grant frame \p i wherever it lives now (call with `mu` held).
  [[nodiscard]] std::byte* grant_frame(std::size_t i) const noexcept {
    if (i >= grant_host_.size()) return nullptr;
    if (grant_gfn_[i]) return mem.translate(phys_addr{*grant_gfn_[i] << 12}, 4096).value().data();
    return grant_host_[i]->bytes;
  }

  /// One grant this domain mapped with GNTTABOP_map_grant_ref (a maptrack entry).
  struct grant_mapping {
    bool in_use = false;         ///< False for a free handle.
    bool readonly = false;       ///< Mapped with GNTMAP_readonly.
    std::uint16_t granter = 0;   ///< The granting domain.
    std::uint32_t ref = 0;       ///< The grant reference in the granter's table.
    std::uint64_t gfn = 0;       ///< The granter's frame, as read from the entry at map time.
    std::uint64_t host_addr = 0; ///< The host_addr given at map time (unmap must match it).
  };
  /// Most simultaneous grant mappings a domain may hold (handles 0..max_maptrack-1).
  static constexpr std::uint32_t max_maptrack = 1024;
  /// This domain's grant mappings by handle (call with `mu` held).
  std::vector<grant_mapping> maptrack;
  /// How many mappings of this domain's grant references other domains hold, by reference:
  /// readers (all mappings) and writers (writable ones). GTF_reading / GTF_writing in the
  /// entry stay set while the respective count is non-zero (call with `mu` held).
  std::map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> grant_pins;

  /// Wakes \p v if it is blocked, polling or halted, and kicks it out of guest execution so a
  /// pending upcall is injected.
  void notify(vcpu& v) const {
    {
      std::lock_guard lock(v.mu);
      v.wake = true;
    }
    v.cv.notify_all();
    if (v.kick) v.kick();
  }

  /// Tells \p v's platform that its `evtchn_upcall_pending` was just set (Xen's
  /// `hvm_assert_evtchn_irq`): with a local APIC (`vcpu::lapic_irq`) and a per-vCPU upcall
  /// vector, raises that vector in the LAPIC (edge-triggered, like any interrupt: IRR, then ISR
  /// until the guest's EOI); then `notify(v)` wakes and kicks it, so the platform injects the
  /// CALLBACK_IRQ vector (or, without a LAPIC, the per-vCPU one) when the guest can take it.
  void assert_upcall(vcpu& v) const {
    {
      std::lock_guard lock(v.mu);
      if (v.upcall_vector != 0 && v.lapic_irq) v.lapic_irq(v.upcall_vector);
    }
    notify(v);
  }

  /// True if \p v has an event upcall pending.
  [[nodiscard]] bool upcall_pending(const vcpu& v) const noexcept {
    auto* vi = vcpu_info_of(v);
    return vi != nullptr && __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE) != 0;
  }

  /// The vector to inject for \p v's upcall: its per-vCPU upcall vector if set, else the
  /// domain's callback vector; 0 if none.
  [[nodiscard]] std::uint8_t upcall_vector_of(vcpu& v) const noexcept {
    {
      std::lock_guard lock(v.mu);
      if (v.upcall_vector != 0) return v.upcall_vector;
    }
    return callback_vector();
  }
  /// The callback vector (HVM_PARAM_CALLBACK_IRQ type 2), or 0 if none.
  [[nodiscard]] std::uint8_t callback_vector() const noexcept {
    const std::uint64_t v = __atomic_load_n(&hvm_params[0], __ATOMIC_ACQUIRE);
    return (v >> 56) == 2 ? static_cast<std::uint8_t>(v & 0xff) : 0;
  }

  /// The platform's way to start executing this domain's vCPUs (the KVM runner starts its vCPU
  /// threads; the sim marks vCPU 0 running and starts the timer thread). Set by the platform
  /// before `start()`.
  std::function<void()> starter;
  /// Starts the domain through `starter`, once: `einval` if it was started already, `enosys` if
  /// the platform gave no starter.
  [[nodiscard]] result<void> start() {
    std::function<void()> f;
    {
      std::lock_guard lock(mu);
      if (started_) return errc::einval;
      if (!starter) return errc::enosys;
      started_ = true;
      f = starter;
    }
    f();
    return {};
  }
  /// True once `start()` ran (or the platform started the domain itself; see `mark_started`).
  [[nodiscard]] bool started() const {
    std::lock_guard lock(mu);
    return started_;
  }
  /// Records that the platform started the domain without `start()` (the KVM runner's `run()`).
  void mark_started() {
    std::lock_guard lock(mu);
    started_ = true;
  }

  /// Pauses the domain (Xen's domain_pause; nests, like Xen's pause count): its vCPUs stop
  /// executing guest code and its timers stop firing (an expired timer fires at unpause).
  /// Returns once no vCPU thread is executing guest code: each one is parked, blocked or
  /// offline (a blocked vCPU that wakes parks before it re-enters the guest). Events sent to a
  /// paused domain are marked pending in its shared_info as usual and delivered after unpause.
  /// In the sim, where a vCPU has no thread, a paused domain's hypercalls wait for unpause.
  void pause() {
    pause_count_.fetch_add(1, std::memory_order_acq_rel);
    for (auto& vp : vcpus) {
      vcpu& v = *vp;
      for (;;) {
        {
          std::unique_lock lock(v.mu);
          auto quiet = [&] {
            return !v.has_thread || v.parked || v.state == runstate::blocked || v.state == runstate::offline ||
                   shutdown() != shutdown_kind::none;
          };
          if (quiet()) break;
          // Kick it out of the guest and wait for it to park; kick again if it takes long (a
          // kick that raced with the thread entering the guest is not lost then).
          lock.unlock();
          if (v.kick) v.kick();
          lock.lock();
          if (v.cv.wait_for(lock, std::chrono::milliseconds(5), quiet)) break;
        }
      }
    }
  }
  /// Undoes one `pause()` (`einval` if the domain is not paused); at the last one, parked vCPUs
  /// resume and expired timers fire.
  [[nodiscard]] result<void> unpause() {
    int cur = pause_count_.load(std::memory_order_acquire);
    do {
      if (cur <= 0) return errc::einval;
    } while (!pause_count_.compare_exchange_weak(cur, cur - 1, std::memory_order_acq_rel));
    if (cur == 1) {
      for (auto& v : vcpus) {
        {
          std::lock_guard lock(v->mu);
          v->wake = true;
        }
        v->cv.notify_all();
      }
      {
        std::lock_guard lock(timer_mu_);
        timer_changed_ = true;
      }
      timer_cv_.notify_all();
    }
    return {};
  }
  /// True while paused.
  [[nodiscard]] bool paused() const noexcept { return pause_count_.load(std::memory_order_acquire) > 0; }
  /// Called by a platform's vCPU loop before it enters the guest: while the domain is paused
  /// (and not shut down), parks \p v (runstate offline, as Xen reports a paused vCPU) and waits.
  /// Cheap when not paused (one atomic load).
  void wait_unpaused(vcpu& v) {
    if (!paused()) return;
    std::unique_lock lock(v.mu);
    const runstate before = v.state;
    const bool account = v.has_thread;
    if (account) set_runstate(v, runstate::offline);
    v.parked = true;
    v.cv.notify_all();
    while (paused() && shutdown() == shutdown_kind::none) v.cv.wait(lock);
    v.parked = false;
    if (account) set_runstate(v, before);
  }

  /// Requests shutdown with \p k and \p code; wakes every vCPU so its thread stops.
  void request_shutdown(shutdown_kind k, std::uint32_t code = 0) {
    shutdown_kind expected = shutdown_kind::none;
    if (shutdown_.compare_exchange_strong(expected, k)) shutdown_code_ = code;
    for (auto& v : vcpus) notify(*v);
    timer_cv_.notify_all();
  }
  /// How the domain ended (`none` while running).
  [[nodiscard]] shutdown_kind shutdown() const noexcept { return shutdown_.load(); }
  /// The code passed with shutdown (SCHEDOP_shutdown_code / remote shutdown).
  [[nodiscard]] std::uint32_t shutdown_code() const noexcept { return shutdown_code_; }

  /// Arms (or, with nullopt, disarms) \p v's single-shot timer. A deadline already passed
  /// fires before this returns, as on Xen (the guest sees VIRQ_TIMER pending on return).
  void set_timer(vcpu& v, std::optional<std::uint64_t> deadline) {
    // A deadline already passed fires at once, unless the domain is paused: then the timer
    // thread fires it at unpause.
    const bool now_due = deadline && *deadline <= clock.now() && !paused();
    {
      std::lock_guard lock(v.mu);
      v.timer_deadline = now_due ? std::nullopt : deadline;
    }
    if (now_due && on_timer) on_timer(v);
    {
      std::lock_guard lock(timer_mu_);
      timer_changed_ = true;
    }
    timer_cv_.notify_all();
  }

  /// Starts (\p period ns) or, with 0, stops \p v's periodic timer; its first tick is one
  /// period from now. Setting the period it already has changes nothing (as Xen).
  void set_periodic_timer(vcpu& v, std::uint64_t period) {
    {
      std::lock_guard lock(v.mu);
      if (v.periodic_period == period) return;
      v.periodic_period = period;
      v.periodic_next = period != 0 ? clock.now() + period : 0;
    }
    {
      std::lock_guard lock(timer_mu_);
      timer_changed_ = true;
    }
    timer_cv_.notify_all();
  }

  /// Set by the event code: called to raise VIRQ_TIMER on a vCPU when its timer expires.
  std::function<void(vcpu&)> on_timer;

  /// Starts the timer thread (fires expired single-shot timers through `on_timer`).
  void start_timer_thread() {
    timer_thread_ = std::thread([this] { timer_loop(); });
  }
  /// Stops the timer thread (idempotent).
  void stop_timer_thread() {
    {
      std::lock_guard lock(timer_mu_);
      timer_stop_ = true;
    }
    timer_cv_.notify_all();
    if (timer_thread_.joinable()) timer_thread_.join();
  }
  /// Stops the timer thread.
  ~domain() { stop_timer_thread(); }

  /// Fires every expired timer now (used by the timer thread and by the sim): single-shot and
  /// periodic vCPU timers, and watchdogs; nothing while the domain is paused.
  void fire_expired_timers() {
    if (paused()) return;
    const std::uint64_t now = clock.now();
    for (auto& v : vcpus) {
      int fire = 0;
      {
        std::lock_guard lock(v->mu);
        if (v->timer_deadline && *v->timer_deadline <= now) {
          v->timer_deadline.reset();
          ++fire;
        }
        if (v->periodic_period != 0 && v->periodic_next <= now) {
          v->periodic_next = now + v->periodic_period;
          ++fire;
        }
      }
      if (fire != 0 && on_timer) on_timer(*v);
    }
    bool expired = false;
    {
      std::lock_guard lock(timer_mu_);
      for (auto& w : watchdogs_)
        if (w && *w <= now) {
          w.reset();
          expired = true;
        }
    }
    if (expired) guest_shutdown(static_cast<std::uint8_t>(abi::SHUTDOWN::watchdog));
  }

 private:
  void timer_loop() {
    std::unique_lock lock(timer_mu_);
    while (!timer_stop_ && shutdown() == shutdown_kind::none) {
      lock.unlock();
      fire_expired_timers();
      std::optional<std::uint64_t> next;
      for (auto& v : vcpus) {
        std::lock_guard vl(v->mu);
        if (v->timer_deadline && (!next || *v->timer_deadline < *next)) next = v->timer_deadline;
        if (v->periodic_period != 0 && (!next || v->periodic_next < *next)) next = v->periodic_next;
      }
      lock.lock();
      for (auto& w : watchdogs_)
        if (w && (!next || *w < *next)) next = w;
      if (timer_stop_) break;
      if (timer_changed_) {
        timer_changed_ = false;
        continue;
      }
      if (paused()) {  // nothing fires until unpause (which sets timer_changed_)
        timer_cv_.wait(lock, [&] { return timer_stop_ || timer_changed_; });
        continue;
      }
      if (next) {
        const std::uint64_t now = clock.now();
        const std::uint64_t wait = *next > now ? *next - now : 0;
        timer_cv_.wait_for(lock, std::chrono::nanoseconds(wait), [&] { return timer_stop_ || timer_changed_; });
      } else {
        timer_cv_.wait(lock, [&] { return timer_stop_ || timer_changed_ || shutdown() != shutdown_kind::none; });
      }
    }
  }

  struct page_buf {
    alignas(4096) std::byte bytes[4096] = {};
  };
  std::vector<std::unique_ptr<page_buf>> grant_host_;
  std::vector<std::optional<std::uint64_t>> grant_gfn_;
  struct free_deleter {
    void operator()(std::byte* p) const noexcept { std::free(p); }
  };
  std::unique_ptr<std::byte, free_deleter> private_shared_info_;
  std::atomic<std::byte*> shared_info_host_{nullptr};
  std::atomic<shutdown_kind> shutdown_{shutdown_kind::none};
  std::atomic<int> pause_count_{0};
  bool started_ = false;
  std::uint32_t shutdown_code_ = 0;
  std::mutex timer_mu_;
  std::optional<std::uint64_t> watchdogs_[max_watchdogs];  // deadlines, guarded by timer_mu_
  std::condition_variable timer_cv_;
  bool timer_changed_ = false;
  bool timer_stop_ = false;
  std::thread timer_thread_;
};

}  // namespace hv
