/// \file
/// The in-process platform: the hypervisor core (domains, hypercall dispatch, event channels,
/// timers) driven without a VM. "Guest code" is host code that calls `hypercall()`; guest
/// memory is the domain's RAM, with guest-virtual == guest-physical (paging off, 64-bit).
/// Used by unit tests, which run under ASan/UBSan, and by anyone who wants to exercise the
/// hypercall logic without /dev/kvm.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>

#include <hv/boot.hpp>
#include <hv/event_channel.hpp>
#include <hv/host.hpp>
#include <hv/hypercalls.hpp>
#include <hv/time.hpp>

namespace hv::sim {

/// The host TSC frequency in kHz, measured once against steady_clock (about 20 ms).
[[nodiscard]] inline std::uint32_t calibrated_tsc_khz() {
  static const std::uint32_t khz = [] {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t c0 = host_tsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto t1 = std::chrono::steady_clock::now();
    const std::uint64_t c1 = host_tsc();
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    return static_cast<std::uint32_t>((c1 - c0) * 1000000u / static_cast<std::uint64_t>(ns));
  }();
  return khz;
}

/// A simulated machine: one host with domains whose vCPUs are host threads calling in.
class machine {
 public:
  /// A machine with domain 0 of \p mem_bytes and \p nvcpus vCPUs; console output collected in
  /// `console_output()`; trace in \p mode to stderr.
  explicit machine(std::uint64_t mem_bytes = 4 << 20, std::uint32_t nvcpus = 1, trace_mode mode = trace_mode::off)
      : tracer_(mode), host_(tracer_) {
    policy_.e820 = pvh_memory_map(mem_bytes);
    add_domain(0, mem_bytes, nvcpus);
  }
  ~machine() {
    for (std::uint16_t id : ids_)
      if (auto* d = host_.find(id)) d->stop_timer_thread();
  }

  /// Adds domain \p id, started (its timer thread running, VIRQ_TIMER wired).
  domain& add_domain(std::uint16_t id, std::uint64_t mem_bytes = 4 << 20, std::uint32_t nvcpus = 1) {
    auto& d = create_domain(id, mem_bytes, nvcpus);
    if (!d.start()) throw std::logic_error("sim domain did not start");
    return d;
  }
  /// Creates domain \p id without starting it: `host::start(id)` (or `domain::start`) marks its
  /// up vCPUs running and starts its timer thread.
  domain& create_domain(std::uint16_t id, std::uint64_t mem_bytes = 4 << 20, std::uint32_t nvcpus = 1) {
    auto& d = host_.create_domain(id, mem_bytes, nvcpus, calibrated_tsc_khz(), 0);
    d.console.write = [this](std::string_view s) {
      std::lock_guard lock(out_mu_);
      out_ += s;
    };
    evtchn_wire_timer(d);
    d.starter = [&d] {
      for (auto& v : d.vcpus) {
        std::lock_guard lock(v->mu);
        if (v->up) d.set_runstate(*v, runstate::running);
      }
      d.start_timer_thread();
    };
    ids_.push_back(id);
    return d;
  }
  /// Domain \p id (0 by default).
  [[nodiscard]] domain& dom(std::uint16_t id = 0) {
    domain* d = host_.find(id);
    if (d == nullptr) throw std::out_of_range("no domain " + std::to_string(id));
    return *d;
  }
  /// The host.
  [[nodiscard]] host& hosts() noexcept { return host_; }
  /// Policy switches (release-build console, memory map).
  [[nodiscard]] hypercall_policy& policy() noexcept { return policy_; }
  /// The trace (for its last records).
  [[nodiscard]] tracer& trace() noexcept { return tracer_; }

  /// Makes hypercall \p nr with arguments \p a1.. from vCPU \p vcpu of domain \p dom.
  std::int64_t hypercall(std::uint32_t nr, std::uint64_t a1 = 0, std::uint64_t a2 = 0, std::uint64_t a3 = 0,
                         std::uint64_t a4 = 0, std::uint64_t a5 = 0, std::uint16_t dom_id = 0, std::uint32_t vcpu = 0) {
    domain& d = dom(dom_id);
    if (!d.started()) throw std::logic_error("sim hypercall from a domain that was not started");
    hv::vcpu& v = *d.vcpus.at(vcpu);
    d.wait_unpaused(v);  // a paused domain's vCPUs do not run
    hypercall_args a;
    a.nr = nr;
    a.a[0] = a1;
    a.a[1] = a2;
    a.a[2] = a3;
    a.a[3] = a4;
    a.a[4] = a5;
    a.guest64 = !guest32;
    a.interrupts_enabled = interrupts_enabled;
    if (guest32)
      for (auto& x : a.a) x &= 0xffffffffu;  // 32-bit registers
    // Paging off (identity); 64-bit long mode or 32-bit protected mode.
    guest_view g(d.mem, guest32 ? paging_mode{0x11, 0, 0, 0} : paging_mode{0x11, 0, 0, 0x500});
    return dispatch(v, a, g, policy_);
  }
  /// True to make `hypercall()` come from a vCPU in 32-bit protected mode (arguments are then
  /// 32-bit registers and argument structures use the i386 layouts); 64-bit long mode otherwise.
  bool guest32 = false;
  /// The calling vCPU's EFLAGS.IF as `hypercall()` reports it (true: interrupts on).
  bool interrupts_enabled = true;
  /// Typed-number convenience: `hypercall(abi::hypercall::xen_version, ...)`.
  template <class... A>
  std::int64_t call(xenabi::abi::hypercall nr, A... args) {
    return hypercall(static_cast<std::uint32_t>(nr), static_cast<std::uint64_t>(args)...);
  }

  /// Writes \p v at guest-physical \p gpa of domain \p dom_id (throws if outside RAM).
  template <class T>
  void put(std::uint64_t gpa, const T& v, std::uint16_t dom_id = 0) {
    if (!dom(dom_id).mem.write(phys_addr{gpa}, v)) throw std::out_of_range("sim put outside guest RAM");
  }
  /// Reads a \p T at guest-physical \p gpa of domain \p dom_id (throws if outside RAM).
  template <class T>
  [[nodiscard]] T get(std::uint64_t gpa, std::uint16_t dom_id = 0) {
    auto r = dom(dom_id).mem.read<T>(phys_addr{gpa});
    if (!r) throw std::out_of_range("sim get outside guest RAM");
    return r.value();
  }
  /// Everything the guests wrote with console_io.
  [[nodiscard]] std::string console_output() {
    std::lock_guard lock(out_mu_);
    return out_;
  }

 private:
  tracer tracer_;
  host host_;
  hypercall_policy policy_;
  std::vector<std::uint16_t> ids_;
  std::mutex out_mu_;
  std::string out_;
};

}  // namespace hv::sim
