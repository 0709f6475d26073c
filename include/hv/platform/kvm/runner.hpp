/// \file
/// Booting a PVH kernel as a domain on KVM in one object: create the domain in a host, load the
/// ELF, write the start info, create the VM, wire timers and the hypercall dispatcher, run.
/// Used by the xenhv command line, the integration tests and the benchmarks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <hv/backend/toolstack.hpp>
#include <hv/boot.hpp>
#include <hv/elf_loader.hpp>
#include <hv/event_channel.hpp>
#include <hv/host.hpp>
#include <hv/hypercalls.hpp>
#include <hv/platform/kvm/machine.hpp>

namespace hv::kvm {

/// How to boot a domain.
struct boot_options {
  std::uint64_t mem = 64ull << 20;  ///< Guest RAM in bytes.
  std::uint32_t vcpus = 1;          ///< vCPUs.
  std::string cmdline;              ///< Command line in hvm_start_info.
  bool release_console = false;     ///< console_io behaves like a release build (-EPERM).
  bool echo_console = true;         ///< Also write console output to stdout.
  /// If set, the toolstack services give the domain its xenstore and console pages (and the
  /// memory map marks them reserved); the console ring's output goes where console_io's does.
  backend::toolstack* services = nullptr;
  /// The domain's name in xenstore (default "dom<id>").
  std::string name;
  /// If not empty, console output (console_io and the ring) is appended to this file instead of
  /// going to stdout.
  std::string console_log;
  /// How upcall vectors reach the guest (machine.hpp): by default through an in-kernel local
  /// APIC when KVM offers one.
  upcall_delivery delivery = upcall_delivery::automatic;
};

/// A PVH kernel set up as domain \p id of a host, ready to run on KVM.
class domain_runner {
 public:
  /// Loads \p image as domain \p id of \p h on \p sys. Throws `load_error` for a bad image (nothing
  /// created in \p h then) and `std::system_error`/`std::runtime_error` for KVM failures.
  domain_runner(const system& sys, host& h, std::uint16_t id, std::span<const std::uint8_t> image,
                const boot_options& opt)
      : host_(h), t0_(std::chrono::steady_clock::now()) {
    // Validate the image in a scratch RAM of the same size first: a bad kernel creates nothing.
    {
      guest_memory scratch(opt.mem);
      (void)load_pvh_elf(image, scratch, boot_layout::reserved);
    }
    d_ = &h.create_domain(id, opt.mem, opt.vcpus, 1000000, 0);
    try {
      auto k = load_pvh_elf(image, d_->mem, boot_layout::reserved);
      policy_.e820 = pvh_memory_map(d_->mem.size());
      if (opt.services != nullptr) policy_.e820 = backend::toolstack::reserve_special_pages(policy_.e820);
      if (!opt.console_log.empty()) log_ = std::make_unique<backend::console_log_file>(opt.console_log);
      policy_.release_console = opt.release_console;
      const std::uint32_t si = write_start_info(d_->mem, opt.cmdline, policy_.e820);
      const bool echo = opt.echo_console;
      d_->console.write = [this, echo](std::string_view text) {
        std::int64_t expected = -1;
        const auto ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0_).count();
        first_console_ns_.compare_exchange_strong(expected, ns);
        {
          std::lock_guard lock(out_mu_);
          console_ += text;
        }
        if (log_) {
          log_->write(text);
        } else if (echo) {
          std::fwrite(text.data(), 1, text.size(), stdout);
          std::fflush(stdout);
        }
      };
      evtchn_wire_timer(*d_);
      if (opt.services != nullptr) {
        auto r = opt.services->attach(*d_, opt.name.empty() ? "dom" + std::to_string(id) : opt.name,
                                      [this](std::string_view text) { d_->console.write(text); });
        if (!r) throw std::runtime_error(std::string("xenstore/console set-up failed: ") + xenabi::errc_name(r.error()));
        services_ = opt.services;
      }
      // host::start(id) runs the domain on a thread of its own (see `wait()`).
      d_->starter = [this] { thread_ = std::thread([this] { run(); }); };
      m_ = std::make_unique<machine>(
          sys, *d_, [this](hv::vcpu& v, const hypercall_args& a, const guest_view& g) { return dispatch(v, a, g, policy_); },
          k.entry, si, opt.delivery);
    } catch (...) {
      if (services_ != nullptr) services_->detach(id);
      h.destroy(id);
      throw;
    }
  }
  domain_runner(const domain_runner&) = delete;
  domain_runner& operator=(const domain_runner&) = delete;
  /// Stops the domain if it was started with `host::start` and still runs (as a crash: it is
  /// destroyed under it), waits for its thread, stops the timer thread and removes the domain
  /// from the host.
  ~domain_runner() {
    if (thread_.joinable()) {
      if (d_->shutdown() == shutdown_kind::none) d_->request_shutdown(shutdown_kind::crash);
      while (d_->paused()) (void)d_->unpause();
      thread_.join();
    }
    if (d_ != nullptr) {
      d_->stop_timer_thread();
      m_.reset();
      if (services_ != nullptr) services_->detach(d_->id);
      host_.destroy(d_->id);
    }
  }

  /// Runs the domain until it shuts down (blocking).
  void run() {
    d_->start_timer_thread();
    m_->run();
    d_->stop_timer_thread();
    if (services_ != nullptr) services_->console().service(d_->id);  // the ring's last output
  }
  /// Waits until a domain started with `host::start` (or `domain::start`) has shut down and its
  /// threads have stopped; returns at once if it was not started that way.
  void wait() {
    if (thread_.joinable()) thread_.join();
  }
  /// The domain.
  [[nodiscard]] domain& dom() noexcept { return *d_; }
  /// The KVM machine.
  [[nodiscard]] machine& vm() noexcept { return *m_; }
  /// Hypercall behaviour switches.
  [[nodiscard]] hypercall_policy& policy() noexcept { return policy_; }
  /// Everything the guest wrote with console_io.
  [[nodiscard]] std::string console() {
    std::lock_guard lock(out_mu_);
    return console_;
  }
  /// Nanoseconds from construction to the first console byte, or -1.
  [[nodiscard]] std::int64_t first_console_ns() const noexcept { return first_console_ns_.load(); }

 private:
  host& host_;
  domain* d_ = nullptr;
  std::unique_ptr<machine> m_;
  hypercall_policy policy_;
  std::chrono::steady_clock::time_point t0_;
  std::atomic<std::int64_t> first_console_ns_{-1};
  std::mutex out_mu_;
  std::string console_;
  std::unique_ptr<backend::console_log_file> log_;
  backend::toolstack* services_ = nullptr;
  std::thread thread_;
};

}  // namespace hv::kvm
