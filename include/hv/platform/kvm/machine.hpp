/// \file
/// A domain running on KVM: the VM with the domain's RAM, one vCPU per domain vCPU with the
/// Xen CPUID leaves and the hypercall-page MSR trapped, one host thread per vCPU, and the exit
/// loop (hypercall port, hlt, MSRs, interrupt windows for the event upcall, diagnostics for
/// exits that stop the guest).
///
/// Event delivery: no in-kernel irqchip is created. The CALLBACK_IRQ vector is injected by
/// xenhv with `KVM_INTERRUPT` when the guest can take it (or an interrupt window is requested),
/// as Xen injects it directly without the local APIC; `hlt` exits here and blocks until an
/// event is pending. A consequence: the guest has no local APIC (PVH guests on xenhv use Xen
/// timers and event channels, not the LAPIC timer).
#pragma once

#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <hv/domain.hpp>
#include <hv/hypercall_page.hpp>
#include <hv/platform/kvm/diagnose.hpp>
#include <hv/platform/kvm/kvm.hpp>

namespace hv::kvm {

/// Handles one trapped hypercall: returns the value for rax.
using dispatch_fn = std::function<std::int64_t(hv::vcpu&, const hypercall_args&, const guest_view&)>;

namespace detail {
/// The kvm_run of the vCPU running on this thread (for the kick signal handler).
inline thread_local kvm_run* current_run = nullptr;
}  // namespace detail

/// Counters a machine keeps (read after it stops, or racily while it runs).
struct machine_stats {
  std::atomic<std::uint64_t> exits{0};        ///< All exits.
  std::atomic<std::uint64_t> hypercalls{0};   ///< Hypercall-port exits.
  std::atomic<std::uint64_t> bare_exits{0};   ///< Writes to bare_exit_port.
  std::atomic<std::uint64_t> injections{0};   ///< Upcall vectors injected.
  std::atomic<std::uint64_t> first_exit_tsc{0};  ///< Host TSC at the first exit of vCPU 0.
};

/// A domain on KVM.
class machine {
 public:
  /// Creates the VM for \p d, maps its RAM, creates its vCPUs with CPUID (host leaves plus the
  /// Xen leaves) and the PVH entry state (\p entry, \p start_info) on vCPU 0.
  machine(const system& sys, domain& d, dispatch_fn dispatch, std::uint32_t entry, std::uint32_t start_info)
      : d_(d), vm_(sys), dispatch_(std::move(dispatch)) {
    vm_.map_memory(0, 0, d.mem.size(), d.mem.host_base());
    const std::uint32_t msrs[] = {xen_hypercall_msr};
    vm_.trap_msrs(msrs);
    auto cpuid = host_cpuid();
    for (auto& e : xen_cpuid_leaves(0x00040011)) cpuid.push_back(e);
    for (auto& v : d.vcpus) {
      auto kv = std::make_unique<kvm::vcpu>(sys, vm_, v->id);
      kv->set_cpuid(cpuid);
      if (v->id == 0) {
        kv->set_pvh_entry(entry, start_info);
        // The domain's clock: this vCPU's TSC rate and its offset from the host TSC.
        d.clock = domain_clock(kv->tsc_khz(), measure_tsc_offset(*kv));
        d.publish_wallclock();
      }
      vcpus_.push_back(std::move(kv));
    }
  }

  /// The guest TSC offset relative to the host TSC (measured on vCPU 0 with `KVM_GET_MSRS`).
  [[nodiscard]] static std::int64_t measure_tsc_offset(kvm::vcpu& v) {
    const std::uint64_t h0 = host_tsc();
    const std::uint64_t g = v.get_msr(msr_ia32_tsc);
    const std::uint64_t h1 = host_tsc();
    return static_cast<std::int64_t>(g - (h0 + (h1 - h0) / 2));
  }

  /// Runs every vCPU on its own thread until the domain shuts down; returns when all stopped.
  /// While the domain is paused (`domain::pause`) the threads park before entering the guest.
  void run() {
    d_.mark_started();
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < vcpus_.size(); ++i) threads.emplace_back([this, i] { vcpu_loop(i); });
    for (auto& t : threads) t.join();
  }

  /// Statistics.
  [[nodiscard]] machine_stats& stats() noexcept { return stats_; }
  /// The KVM vCPU \p i.
  [[nodiscard]] kvm::vcpu& kvm_vcpu(std::size_t i) noexcept { return *vcpus_[i]; }
  /// The crash report, if the domain was stopped by xenhv (empty otherwise).
  [[nodiscard]] const std::string& crash_report() const noexcept { return crash_; }
  /// Called on each write to bare_exit_port with the byte written (benchmarks, test markers).
  std::function<void(std::uint8_t)> on_bare_exit;

 private:
  [[nodiscard]] paging_mode mode(kvm::vcpu& kv) const noexcept {
    const auto& s = kv.sregs();
    return paging_mode{s.cr0, s.cr3, s.cr4, s.efer};
  }

  void crash(kvm::vcpu& kv, hv::vcpu& v, const std::string& why) {
    std::string r = "xenhv: domain " + std::to_string(d_.id) + " vCPU " + std::to_string(v.id) + " stopped: " + why + "\n";
    r += describe_registers(kv.regs(), kv.sregs());
    auto last = d_.trace.last();
    if (!last.empty()) {
      r += "  last hypercalls:\n";
      for (auto& l : last) r += "    " + l + "\n";
    }
    {
      std::lock_guard lock(crash_mu_);
      if (crash_.empty()) crash_ = r;
    }
    d_.request_shutdown(shutdown_kind::crash);
  }

  void vcpu_loop(std::size_t idx) {
    kvm::vcpu& kv = *vcpus_[idx];
    hv::vcpu& v = *d_.vcpus[idx];
    // Block the kick signal except while in KVM_RUN... simpler: keep it unblocked; the handler
    // sets immediate_exit so a kick between the event check and KVM_RUN is not lost.
    detail::current_run = &kv.run();
    const pthread_t self = pthread_self();
    v.kick = [self] { ::pthread_kill(self, SIGUSR1); };
    struct sigaction sa {};
    sa.sa_handler = [](int) {
      if (detail::current_run != nullptr) detail::current_run->immediate_exit = 1;
    };
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGUSR1, &sa, nullptr);

    {
      std::lock_guard lock(v.mu);
      v.has_thread = true;
    }
    bool first = true;
    bool running = false;
    while (d_.shutdown() == shutdown_kind::none) {
      bool up_now = false;
      {
        std::lock_guard lock(v.mu);
        up_now = v.up;
      }
      if (!running || !up_now) {
        // Offline (secondary vCPU before VCPUOP_up, or after VCPUOP_down): wait to be brought up,
        // then load the start state VCPUOP_initialise gave, if any.
        std::optional<abi::vcpu_hvm_context> ctx;
        {
          std::unique_lock lock(v.mu);
          if (running) d_.set_runstate(v, runstate::offline);
          while (!v.up && d_.shutdown() == shutdown_kind::none) v.cv.wait(lock);
          if (d_.shutdown() != shutdown_kind::none) break;
          ctx = std::exchange(v.pending_context, std::nullopt);
          d_.set_runstate(v, runstate::running);
        }
        if (ctx) {
          try {
            kv.set_hvm_context(*ctx);
          } catch (const std::exception& e) {
            crash(kv, v, std::string("cannot load the VCPUOP_initialise state: ") + e.what());
            break;
          }
        }
        running = true;
        d_.publish_time(v);
      }
      // A paused domain's vCPUs park here, outside the guest.
      d_.wait_unpaused(v);
      if (d_.shutdown() != shutdown_kind::none) break;
      // Event upcall: inject the callback vector when the guest can take it.
      const std::uint8_t vec = d_.upcall_vector_of(v);
      bool want = vec != 0 && d_.upcall_pending(v);
      if (want && kv.run().ready_for_interrupt_injection && kv.run().if_flag) {
        if (kv.inject_interrupt(vec)) ++stats_.injections;
        want = false;
      }
      kv.request_interrupt_window(want);
      const int err = kv.enter();
      if (err == EINTR) {
        kv.set_immediate_exit(false);
        continue;
      }
      if (err != 0) {
        crash(kv, v, std::string("KVM_RUN failed: ") + std::strerror(err));
        break;
      }
      ++stats_.exits;
      if (first && idx == 0) {
        stats_.first_exit_tsc = host_tsc();
        first = false;
      }
      kvm_run& run = kv.run();
      switch (run.exit_reason) {
        case KVM_EXIT_IO:
          handle_io(kv, v);
          break;
        case KVM_EXIT_HLT: {
          std::unique_lock lock(v.mu);
          d_.set_runstate(v, runstate::blocked);
          while (!d_.upcall_pending(v) && d_.shutdown() == shutdown_kind::none) {
            v.wake = false;
            v.cv.wait(lock, [&] { return v.wake; });
          }
          d_.set_runstate(v, runstate::running);
          break;
        }
        case KVM_EXIT_IRQ_WINDOW_OPEN:
        case KVM_EXIT_INTR:
          break;
        case KVM_EXIT_X86_WRMSR:
          handle_wrmsr(kv, v);
          break;
        case KVM_EXIT_X86_RDMSR:
          // The hypercall MSR reads as 0; unknown MSRs raise #GP as on hardware.
          run.msr.data = 0;
          run.msr.error = run.msr.index == xen_hypercall_msr ? 0 : 1;
          break;
        case KVM_EXIT_MMIO:
          // PVH has no emulated devices: reads see all ones, writes are dropped.
          if (!run.mmio.is_write) std::memset(run.mmio.data, 0xff, sizeof run.mmio.data);
          break;
        case KVM_EXIT_INTERNAL_ERROR:
          crash(kv, v, describe_internal_error(run, kv.sregs().cs.base + kv.regs().rip));
          break;
        case KVM_EXIT_SHUTDOWN:
          crash(kv, v, "triple fault (KVM_EXIT_SHUTDOWN): an exception with no usable handler");
          break;
        case KVM_EXIT_FAIL_ENTRY:
          crash(kv, v, "VM entry failed (hardware reason " +
                           hex(run.fail_entry.hardware_entry_failure_reason) + ")");
          break;
        default:
          crash(kv, v, std::string("unhandled exit ") + exit_reason_name(run.exit_reason));
          break;
      }
    }
    {
      std::lock_guard lock(v.mu);
      d_.set_runstate(v, runstate::offline);
      v.has_thread = false;
    }
    v.cv.notify_all();
    v.kick = nullptr;
    detail::current_run = nullptr;
  }

  void handle_io(kvm::vcpu& kv, hv::vcpu& v) {
    kvm_run& run = kv.run();
    if (run.io.port == hypercall_port && run.io.direction == KVM_EXIT_IO_OUT) {
      ++stats_.hypercalls;
      kvm_regs& r = kv.regs();
      const auto& s = kv.sregs();
      hypercall_args a;
      a.guest64 = (s.efer & (1u << 10)) != 0 && s.cs.l != 0;
      a.nr = static_cast<std::uint32_t>(r.rax);
      if (a.guest64) {
        a.a[0] = r.rdi; a.a[1] = r.rsi; a.a[2] = r.rdx; a.a[3] = r.r10; a.a[4] = r.r8; a.a[5] = r.r9;
      } else {
        a.a[0] = r.rbx & 0xffffffffu; a.a[1] = r.rcx & 0xffffffffu; a.a[2] = r.rdx & 0xffffffffu;
        a.a[3] = r.rsi & 0xffffffffu; a.a[4] = r.rdi & 0xffffffffu; a.a[5] = r.rbp & 0xffffffffu;
      }
      guest_view view(d_.mem, mode(kv));
      const std::int64_t rc = dispatch_(v, a, view);
      r.rax = a.guest64 ? static_cast<std::uint64_t>(rc) : (static_cast<std::uint64_t>(rc) & 0xffffffffu);
      kv.regs_dirty();
      return;
    }
    if (run.io.port == bare_exit_port) {
      ++stats_.bare_exits;
      if (on_bare_exit && run.io.direction == KVM_EXIT_IO_OUT) {
        const auto* data = reinterpret_cast<const std::uint8_t*>(&run) + run.io.data_offset;
        on_bare_exit(data[0]);
      }
      return;
    }
    // No devices: port reads see all ones, writes are dropped.
    if (run.io.direction == KVM_EXIT_IO_IN) {
      auto* data = reinterpret_cast<std::uint8_t*>(&run) + run.io.data_offset;
      std::memset(data, 0xff, std::size_t{run.io.size} * run.io.count);
    }
  }

  void handle_wrmsr(kvm::vcpu& kv, hv::vcpu& v) {
    kvm_run& run = kv.run();
    if (run.msr.index != xen_hypercall_msr) {
      run.msr.error = 1;  // #GP, as for an MSR that does not exist
      return;
    }
    const std::uint64_t val = run.msr.data;
    const std::uint64_t index = val & 0xfff;
    const phys_addr gpa{val & ~std::uint64_t{0xfff}};
    auto page = d_.mem.translate(gpa, 4096);
    if (index != 0 || !page) {
      run.msr.error = 1;
      d_.trace.note(d_.id, v.id, "hypercall page MSR write " + hex(val) + " refused (#GP): " +
                                     (index != 0 ? "page index must be 0" : "address outside RAM"));
      return;
    }
    fill_hypercall_page(std::span<std::byte, 4096>(page.value().data(), 4096));
    d_.hypercall_page = gpa;
    run.msr.error = 0;
    d_.trace.note(d_.id, v.id, "hypercall page installed at " + hex(gpa.value()));
  }

  domain& d_;
  vm vm_;
  dispatch_fn dispatch_;
  std::vector<std::unique_ptr<kvm::vcpu>> vcpus_;
  machine_stats stats_;
  std::mutex crash_mu_;
  std::string crash_;
};

}  // namespace hv::kvm
