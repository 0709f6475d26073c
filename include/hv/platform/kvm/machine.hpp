/// \file
/// A domain running on KVM: the VM with the domain's RAM, one vCPU per domain vCPU with the
/// Xen CPUID leaves and the hypercall-page MSR trapped, one host thread per vCPU, and the exit
/// loop (hypercall port, MSRs, interrupt windows for the event upcall, hlt when KVM hands it
/// over, diagnostics for exits that stop the guest).
///
/// Event delivery (`upcall_delivery`). Xen delivers the two kinds of upcall vector differently,
/// and so does xenhv:
/// - The per-vCPU upcall vector (HVMOP_set_evtchn_upcall_vector) goes through the vCPU's local
///   APIC like any interrupt: the guest must software-enable its LAPIC, the vector sits in IRR
///   then ISR, and the guest EOIs it.
/// - The domain's CALLBACK_IRQ vector (HVM_PARAM_CALLBACK_IRQ type 2) is injected directly,
///   bypassing the LAPIC: it works if the guest never enables its LAPIC, sets no ISR bit and
///   needs no EOI, is injected again while `evtchn_upcall_pending` stays set and the guest's IF
///   allows, and wakes a halted vCPU.
///
/// Decision: by default (`local_apic`, when KVM offers `KVM_CAP_SPLIT_IRQCHIP`) each VM gets a
/// *split* irqchip: an in-kernel local APIC per vCPU, no in-kernel PIC or IOAPIC (a PVH guest
/// has neither). xenhv's "firmware" leaves every vCPU's LINT0 in virtual-wire mode (ExtINT,
/// unmasked, set with `KVM_SET_LAPIC` at vCPU creation, as PC firmware does), which keeps
/// `KVM_INTERRUPT` usable from userspace. Then:
/// - the per-vCPU vector is sent with `KVM_SIGNAL_MSI` to the vCPU's APIC id (= vCPU id) at
///   the moment its `evtchn_upcall_pending` goes from 0 to 1 (`domain::assert_upcall`, any
///   thread), and at HVMOP_set_evtchn_upcall_vector as Xen does; the kernel's LAPIC does the
///   rest (IRR/ISR/EOI, priorities, waking a halted vCPU), exactly as for Xen's vLAPIC;
/// - the CALLBACK_IRQ vector is injected by the vCPU's own thread with `KVM_INTERRUPT`, which
///   with a split irqchip enters the guest as an ExtINT through LINT0: no IRR/ISR, no EOI,
///   independent of the LAPIC's software enable. An event kicks the thread out of `KVM_RUN`
///   (SIGUSR1 + `immediate_exit`) to inject, and an interrupt window is requested while the
///   guest cannot take it, and again after each injection while the event stays pending;
/// - `hlt` is handled by KVM (a halted vCPU wakes on an MSI, a pending ExtINT or its LAPIC
///   timer); guests may use the LAPIC timer, as they may on Xen.
///
/// Measured on this machine's software KVM (kvm_pvm) before building on it: the split irqchip,
/// `KVM_SIGNAL_MSI` into a halted x2APIC guest, `KVM_INTERRUPT` at an interrupt window and into
/// a halted vCPU after a kick, with the LAPIC's ISR left empty. A 32-bit protected-mode guest's
/// `iret` from an interrupt handler fails in this KVM's emulator (`KVM_EXIT_INTERNAL_ERROR`)
/// on both paths alike: it is not caused by the irqchip.
///
/// Limits of the `local_apic` path: a guest that masks LINT0 (or software-disables its LAPIC,
/// which masks every LVT) no longer receives the CALLBACK_IRQ vector, because KVM accepts a
/// userspace ExtINT only through an unmasked ExtINT LINT0 (on Xen the vector bypasses the LAPIC
/// entirely); guests that use the LAPIC use the per-vCPU vector. And time a vCPU spends halted
/// in `hlt` inside KVM is accounted as running in its runstate (KVM does not report it);
/// SCHEDOP_block and SCHEDOP_poll are accounted as blocked.
///
/// Fallback (`injected`, when the capability is absent or asked for): no in-kernel irqchip.
/// xenhv injects whichever vector applies (the per-vCPU one if set, else CALLBACK_IRQ) with
/// `KVM_INTERRUPT` at an interrupt window, and `hlt` exits here and blocks until an event is
/// pending (runstate blocked). The guest then has no local APIC: the per-vCPU vector arrives
/// without IRR/ISR (an EOI write is ignored) and there is no LAPIC timer.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
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

/// How a machine delivers event upcall vectors (see the file comment).
enum class upcall_delivery : std::uint8_t {
  automatic,   ///< `local_apic` if KVM offers the split irqchip, else `injected`.
  injected,    ///< No in-kernel LAPIC: xenhv injects every vector, `hlt` exits to xenhv.
  local_apic,  ///< In-kernel LAPIC: per-vCPU vectors by MSI, CALLBACK_IRQ as an ExtINT.
};

/// The name of \p u ("automatic", "injected", "local_apic").
[[nodiscard]] inline const char* upcall_delivery_name(upcall_delivery u) noexcept {
  switch (u) {
    case upcall_delivery::injected: return "injected";
    case upcall_delivery::local_apic: return "local_apic";
    default: return "automatic";
  }
}

/// A domain on KVM.
class machine {
 public:
  /// Creates the VM for \p d, maps its RAM, creates its vCPUs with CPUID (host leaves plus the
  /// Xen leaves) and the PVH entry state (\p entry, \p start_info) on vCPU 0, with upcall
  /// delivery \p how (`local_apic` throws `std::runtime_error` if KVM lacks the split irqchip).
  machine(const system& sys, domain& d, dispatch_fn dispatch, std::uint32_t entry, std::uint32_t start_info,
          upcall_delivery how = upcall_delivery::automatic)
      : d_(d), vm_(sys), dispatch_(std::move(dispatch)) {
    // The MSR filter first: setting it waits for an SRCU grace period of the VM, which is
    // immediate on a fresh VM but ~14 ms here once enabling the split irqchip has run one.
    const std::uint32_t msrs[] = {xen_hypercall_msr};
    vm_.trap_msrs(msrs);
    if (how != upcall_delivery::injected) {
      if (d.vcpus.size() <= 255 && vm_.enable_split_irqchip(sys)) {
        delivery_ = upcall_delivery::local_apic;
      } else if (how == upcall_delivery::local_apic) {
        throw std::runtime_error("KVM lacks KVM_CAP_SPLIT_IRQCHIP (in-kernel local APIC) for upcall_delivery::local_apic");
      }
    }
    vm_.map_memory(0, 0, d.mem.size(), d.mem.host_base());
    auto cpuid = host_cpuid();
    for (auto& e : xen_cpuid_leaves(0x00040011)) cpuid.push_back(e);
    for (auto& v : d.vcpus) {
      auto kv = std::make_unique<kvm::vcpu>(sys, vm_, v->id);
      kv->set_cpuid(cpuid);
      if (delivery_ == upcall_delivery::local_apic) kv->set_lint0_extint();
      if (v->id == 0) {
        kv->set_pvh_entry(entry, start_info);
        // The domain's clock: this vCPU's TSC rate and its offset from the host TSC.
        d.clock = domain_clock(kv->tsc_khz(), measure_tsc_offset(*kv));
        d.publish_wallclock();
      }
      vcpus_.push_back(std::move(kv));
    }
    d.trace.note(d.id, 0, delivery_ == upcall_delivery::local_apic
                              ? "upcall delivery: local_apic (in-kernel LAPIC: per-vCPU vectors by MSI, "
                                "CALLBACK_IRQ as ExtINT through LINT0, hlt in KVM)"
                              : "upcall delivery: injected (no in-kernel LAPIC: xenhv injects the vectors, "
                                "hlt exits to xenhv)");
    // Last, as nothing below throws: the destructor, which detaches them, then runs for sure.
    if (delivery_ == upcall_delivery::local_apic) {
      for (auto& v : d.vcpus) {
        const auto apic_id = static_cast<std::uint8_t>(v->id);  // KVM's default APIC id
        std::lock_guard lock(v->mu);
        v->lapic_irq = [this, apic_id](std::uint8_t vector) { (void)vm_.signal_msi(vector, apic_id); };
      }
    }
  }

  machine(const machine&) = delete;
  machine& operator=(const machine&) = delete;
  /// Detaches the vCPUs' `lapic_irq` hooks (the domain may outlive the VM).
  ~machine() {
    for (auto& v : d_.vcpus) {
      std::lock_guard lock(v->mu);
      v->lapic_irq = nullptr;
    }
  }

  /// How this machine delivers upcall vectors (`injected` or `local_apic`).
  [[nodiscard]] upcall_delivery delivery() const noexcept { return delivery_; }

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
        if (ctx || delivery_ == upcall_delivery::local_apic) {
          try {
            if (ctx) kv.set_hvm_context(*ctx);
            // Out of the LAPIC's wait-for-SIPI state (and out of a halt it went down in).
            if (delivery_ == upcall_delivery::local_apic) kv.set_runnable();
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
      // Event upcall: inject the vector xenhv injects itself when the guest can take it. With
      // the local APIC that is only the CALLBACK_IRQ vector (per-vCPU vectors went by MSI), as
      // an ExtINT; it is level-like as on Xen: after an injection the window is requested again
      // so it is re-injected if the event is still pending once the guest's IF allows.
      const bool lapic = delivery_ == upcall_delivery::local_apic;
      const std::uint8_t vec = lapic ? d_.callback_vector() : d_.upcall_vector_of(v);
      bool want = vec != 0 && d_.upcall_pending(v);
      if (want && kv.run().ready_for_interrupt_injection && kv.run().if_flag) {
        if (kv.inject_interrupt(vec)) ++stats_.injections;
        want = lapic;
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
      a.interrupts_enabled = (r.rflags & 0x200u) != 0;
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
  upcall_delivery delivery_ = upcall_delivery::injected;
  machine_stats stats_;
  std::mutex crash_mu_;
  std::string crash_;
};

}  // namespace hv::kvm
