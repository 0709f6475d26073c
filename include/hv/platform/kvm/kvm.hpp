/// \file
/// VM and vCPU lifecycle on `/dev/kvm`: the system handle, a VM with guest RAM slots and an MSR
/// filter, and vCPUs with `KVM_CAP_SYNC_REGS`, CPUID and the PVH entry state.
///
/// Every object owns its file descriptors and mappings and releases them on destruction.
/// Failures at set-up throw `std::system_error` naming the ioctl (the outer edge of xenhv);
/// nothing in the run loop throws.
///
/// C++ note: the kernel's uapi structures that end in `__DECLARE_FLEX_ARRAY` (`kvm_cpuid2`,
/// `kvm_msrs`) have a different size in C++ (the empty struct inside takes a byte), so the
/// `_IOC` numbers computed from them in C++ are wrong and the array offset moves. This header
/// defines those ioctls with the C sizes and lays out the arrays itself.
#pragma once

#include <cpuid.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include <hv/abi.hpp>
#include <hv/platform/kvm/fd.hpp>

namespace hv::kvm {

/// ioctl numbers whose uapi structure has a C++-incompatible flexible array (see file comment).
namespace ioc {
/// `KVM_SET_CPUID2` with the C size of `struct kvm_cpuid2` (8 bytes).
inline constexpr unsigned long set_cpuid2 = _IOC(_IOC_WRITE, KVMIO, 0x90, 8);
/// `KVM_GET_MSRS` with the C size of `struct kvm_msrs` (8 bytes).
inline constexpr unsigned long get_msrs = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x88, 8);
/// `KVM_SET_MSRS` with the C size of `struct kvm_msrs` (8 bytes).
inline constexpr unsigned long set_msrs = _IOC(_IOC_WRITE, KVMIO, 0x89, 8);
}  // namespace ioc

/// The Xen hypercall-page MSR (CPUID leaf base+2 EBX).
inline constexpr std::uint32_t xen_hypercall_msr = 0x40000000;
/// `IA32_TSC`.
inline constexpr std::uint32_t msr_ia32_tsc = 0x10;

/// The host's CPUID leaves as KVM entries, read with the `cpuid` instruction (this machine's
/// `KVM_GET_SUPPORTED_CPUID` is unusable from C++ for the reason in the file comment, and the
/// host leaves are what the guest sees for leaves 1 and 7 anyway). Hypervisor leaves
/// (0x40000000..0x4fffffff) are not included.
inline std::vector<kvm_cpuid_entry2> host_cpuid() {
  // The host's leaves do not change while the process runs: read them once (in a VM each
  // cpuid instruction is an exit to the outer hypervisor).
  static const std::vector<kvm_cpuid_entry2> cached = [] {
  std::vector<kvm_cpuid_entry2> out;
  auto add = [&](std::uint32_t leaf, std::uint32_t sub, bool indexed) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    __cpuid_count(leaf, sub, a, b, c, d);
    kvm_cpuid_entry2 e{};
    e.function = leaf;
    e.index = sub;
    e.flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0u;
    e.eax = a;
    e.ebx = b;
    e.ecx = c;
    e.edx = d;
    out.push_back(e);
  };
  for (std::uint32_t base : {0x0u, 0x80000000u}) {
    unsigned maxl = 0, b = 0, c = 0, d = 0;
    __cpuid(base, maxl, b, c, d);
    if (maxl < base || maxl > base + 0x40) maxl = base;
    for (std::uint32_t leaf = base; leaf <= maxl; ++leaf) {
      std::uint32_t subs = 1;
      bool indexed = false;
      switch (leaf) {
        case 0x4: case 0x7: case 0xb: case 0xf: case 0x10: case 0x12: case 0x14: case 0x17:
        case 0x18: case 0x1d: case 0x1e: case 0x1f: case 0x20: case 0x24:
          subs = 8;
          indexed = true;
          break;
        case 0xd:
          subs = 64;
          indexed = true;
          break;
        default:
          break;
      }
      for (std::uint32_t s = 0; s < subs && out.size() < 200; ++s) add(leaf, s, indexed);
    }
  }
  return out;
  }();
  return cached;
}

/// The Xen CPUID leaves at 0x40000000: signature `XenVMMXenVMM`, version \p version
/// (major << 16 | minor), one hypercall page at MSR 0x40000000.
inline std::vector<kvm_cpuid_entry2> xen_cpuid_leaves(std::uint32_t version) {
  std::vector<kvm_cpuid_entry2> out(3);
  out[0].function = 0x40000000;
  out[0].eax = 0x40000002;  // highest Xen leaf reported
  std::memcpy(&out[0].ebx, "XenV", 4);
  std::memcpy(&out[0].ecx, "MMXe", 4);
  std::memcpy(&out[0].edx, "nVMM", 4);
  out[1].function = 0x40000001;
  out[1].eax = version;
  out[2].function = 0x40000002;
  out[2].eax = 1;                  // number of hypercall pages
  out[2].ebx = xen_hypercall_msr;  // MSR base
  return out;
}

/// `/dev/kvm`: the system handle.
class system {
 public:
  /// Opens \p path and checks the API version and the capabilities xenhv relies on.
  explicit system(const char* path = "/dev/kvm") : fd_(::open(path, O_RDWR | O_CLOEXEC)) {
    if (!fd_) throw_errno(std::string("open ") + path);
    if (::ioctl(fd_.get(), KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
      throw std::runtime_error("KVM API version mismatch");
    for (auto [cap, name] : {std::pair{KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS"},
                             std::pair{KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR"},
                             std::pair{KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"}}) {
      if (check(cap) <= 0) throw std::runtime_error(std::string("KVM lacks ") + name);
    }
    int sz = ::ioctl(fd_.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz < static_cast<int>(sizeof(kvm_run))) throw_errno("KVM_GET_VCPU_MMAP_SIZE");
    run_size_ = static_cast<std::size_t>(sz);
  }
  /// True if `/dev/kvm` can be opened read-write.
  [[nodiscard]] static bool available(const char* path = "/dev/kvm") noexcept {
    unique_fd f(::open(path, O_RDWR | O_CLOEXEC));
    return static_cast<bool>(f);
  }
  /// `KVM_CHECK_EXTENSION`.
  [[nodiscard]] int check(int cap) const noexcept { return ::ioctl(fd_.get(), KVM_CHECK_EXTENSION, cap); }
  /// The raw descriptor.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  /// Size of the per-vCPU `kvm_run` mapping.
  [[nodiscard]] std::size_t run_size() const noexcept { return run_size_; }

 private:
  unique_fd fd_;
  std::size_t run_size_ = 0;
};

/// A VM: memory slots, the MSR filter and, optionally, in-kernel interrupt controllers.
/// Without them (the default) `hlt` exits to userspace and interrupts are injected with
/// `KVM_INTERRUPT`; with `enable_split_irqchip()` each vCPU has an in-kernel local APIC
/// (`signal_msi` reaches it, `hlt` is handled in the kernel, the LAPIC timer works) and
/// userspace can still inject ExtINT vectors through LINT0 (see `vcpu::set_lint0_extint`).
/// How xenhv uses them: hv/platform/kvm/machine.hpp.
class vm {
 public:
  /// Creates the VM and enables userspace MSR exits for filtered and unknown MSRs.
  explicit vm(const system& sys) : fd_(::ioctl(sys.fd(), KVM_CREATE_VM, 0)) {
    if (!fd_) throw_errno("KVM_CREATE_VM");
    kvm_enable_cap cap{};
    cap.cap = KVM_CAP_X86_USER_SPACE_MSR;
    cap.args[0] = KVM_MSR_EXIT_REASON_FILTER | KVM_MSR_EXIT_REASON_UNKNOWN;
    if (::ioctl(fd_.get(), KVM_ENABLE_CAP, &cap) < 0) throw_errno("KVM_ENABLE_CAP(USER_SPACE_MSR)");
  }
  /// Maps \p size bytes of host memory at \p host as guest-physical \p gpa in \p slot.
  void map_memory(std::uint32_t slot, std::uint64_t gpa, std::uint64_t size, void* host) {
    kvm_userspace_memory_region r{};
    r.slot = slot;
    r.guest_phys_addr = gpa;
    r.memory_size = size;
    r.userspace_addr = reinterpret_cast<std::uintptr_t>(host);
    if (::ioctl(fd_.get(), KVM_SET_USER_MEMORY_REGION, &r) < 0) throw_errno("KVM_SET_USER_MEMORY_REGION");
  }
  /// Makes reads and writes of each MSR in \p msrs exit to userspace (`KVM_X86_SET_MSR_FILTER`);
  /// all other MSRs keep KVM's handling.
  void trap_msrs(std::span<const std::uint32_t> msrs) {
    static const std::uint8_t deny = 0;  // one bit per MSR: 0 = deny (exit to userspace)
    kvm_msr_filter f{};
    f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
    std::size_t i = 0;
    for (std::uint32_t m : msrs) {
      if (i >= KVM_MSR_FILTER_MAX_RANGES) break;
      f.ranges[i].flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE;
      f.ranges[i].nmsrs = 1;
      f.ranges[i].base = m;
      f.ranges[i].bitmap = const_cast<std::uint8_t*>(&deny);
      ++i;
    }
    if (::ioctl(fd_.get(), KVM_X86_SET_MSR_FILTER, &f) < 0) throw_errno("KVM_X86_SET_MSR_FILTER");
  }
  /// Creates the in-kernel interrupt controllers (`KVM_CREATE_IRQCHIP`: local APICs, IOAPIC,
  /// PIC); must precede vCPU creation. With it `hlt` is handled in the kernel and interrupts
  /// reach the guest through its local APIC (`signal_msi`), not `KVM_INTERRUPT`. xenhv's
  /// domains use the split variant instead (`enable_split_irqchip`); the bare-interrupt
  /// benchmark baseline uses this one.
  void create_irqchip() {
    if (::ioctl(fd_.get(), KVM_CREATE_IRQCHIP, 0) < 0) throw_errno("KVM_CREATE_IRQCHIP");
  }
  /// Enables the split irqchip (`KVM_CAP_SPLIT_IRQCHIP`): a local APIC per vCPU in the kernel,
  /// no in-kernel PIC or IOAPIC. Must precede vCPU creation. Unlike `create_irqchip()` it keeps
  /// `KVM_INTERRUPT` usable: userspace plays the PIC, and the vector it injects reaches the
  /// vCPU as an ExtINT through LINT0 (accepted while LVT0 is unmasked in ExtINT mode or the
  /// LAPIC is hardware-disabled), bypassing the LAPIC's IRR/ISR. Returns false, changing
  /// nothing, if \p sys lacks the capability or enabling it fails.
  [[nodiscard]] bool enable_split_irqchip(const system& sys) noexcept {
    if (sys.check(KVM_CAP_SPLIT_IRQCHIP) <= 0) return false;
    kvm_enable_cap cap{};
    cap.cap = KVM_CAP_SPLIT_IRQCHIP;
    cap.args[0] = 0;  // no IOAPIC routes: xenhv emulates no IOAPIC
    return ::ioctl(fd_.get(), KVM_ENABLE_CAP, &cap) == 0;
  }
  /// Delivers a message-signalled interrupt (`KVM_SIGNAL_MSI`): fixed delivery mode, edge,
  /// \p vector to the local APIC with physical id \p apic_id. Needs `create_irqchip()` or
  /// `enable_split_irqchip()`. Thread-safe; wakes the target vCPU if it is halted. Returns
  /// the ioctl's result: > 0 delivered, 0 blocked by the guest, < 0 failure (errno set).
  int signal_msi(std::uint8_t vector, std::uint8_t apic_id = 0) noexcept {
    kvm_msi m{};
    m.address_lo = 0xfee00000u | (std::uint32_t{apic_id} << 12);
    m.data = vector;
    return ::ioctl(fd_.get(), KVM_SIGNAL_MSI, &m);
  }
  /// The raw descriptor.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }

 private:
  unique_fd fd_;
};

/// Installs (once per process) a no-op `SIGUSR1` handler without `SA_RESTART`, so a signal sent
/// to a vCPU thread makes `KVM_RUN` return `EINTR` (the kick used to deliver events).
inline void install_kick_handler() {
  static const bool done = [] {
    struct sigaction sa {};
    sa.sa_handler = [](int) {};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    ::sigaction(SIGUSR1, &sa, nullptr);
    return true;
  }();
  (void)done;
}

/// A vCPU with its `kvm_run` mapping and synchronized registers.
class vcpu {
 public:
  /// Creates vCPU \p id in \p v and maps its `kvm_run`; enables `KVM_CAP_SYNC_REGS` for the
  /// general-purpose and special registers.
  vcpu(const system& sys, const vm& v, std::uint32_t id)
      : fd_(::ioctl(v.fd(), KVM_CREATE_VCPU, static_cast<unsigned long>(id))), size_(sys.run_size()) {
    if (!fd_) throw_errno("KVM_CREATE_VCPU");
    void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
    if (p == MAP_FAILED) throw_errno("mmap(kvm_run)");
    run_ = static_cast<kvm_run*>(p);
    install_kick_handler();
  }
  vcpu(const vcpu&) = delete;
  vcpu& operator=(const vcpu&) = delete;
  /// Unmaps `kvm_run` and closes the vCPU.
  ~vcpu() {
    if (run_ != nullptr) ::munmap(run_, size_);
  }

  /// Sets the guest's CPUID table (`KVM_SET_CPUID2`; required on this host before long mode).
  void set_cpuid(std::span<const kvm_cpuid_entry2> entries) {
    struct header {
      std::uint32_t nent;
      std::uint32_t padding;
    };
    std::vector<std::uint8_t> buf(sizeof(header) + entries.size_bytes());
    std::uint8_t* raw = buf.data();
    if (raw == nullptr) throw std::bad_alloc();
    header h{static_cast<std::uint32_t>(entries.size()), 0};
    std::memcpy(raw, &h, sizeof h);
    if (!entries.empty()) std::memcpy(raw + sizeof h, entries.data(), entries.size_bytes());
    if (::ioctl(fd_.get(), ioc::set_cpuid2, raw) < 0) throw_errno("KVM_SET_CPUID2");
  }
  /// Reads MSR \p index with `KVM_GET_MSRS`.
  [[nodiscard]] std::uint64_t get_msr(std::uint32_t index) const {
    struct {
      std::uint32_t nmsrs, pad;
      kvm_msr_entry e;
    } m{1, 0, {}};
    m.e.index = index;
    if (::ioctl(fd_.get(), ioc::get_msrs, &m) != 1) throw_errno("KVM_GET_MSRS");
    return m.e.data;
  }
  /// The guest TSC frequency in kHz (`KVM_GET_TSC_KHZ`).
  [[nodiscard]] std::uint32_t tsc_khz() const {
    int r = ::ioctl(fd_.get(), KVM_GET_TSC_KHZ, 0);
    if (r <= 0) throw_errno("KVM_GET_TSC_KHZ");
    return static_cast<std::uint32_t>(r);
  }

  /// Puts the vCPU in the PVH entry state: 32-bit flat protected mode, paging off, interrupts
  /// off, `eip` = \p entry, `ebx` = \p start_info (guest-physical). Enables register syncing.
  void set_pvh_entry(std::uint32_t entry, std::uint32_t start_info) {
    kvm_sregs s{};
    if (::ioctl(fd_.get(), KVM_GET_SREGS, &s) < 0) throw_errno("KVM_GET_SREGS");
    kvm_segment code{};
    code.base = 0;
    code.limit = 0xffffffff;
    code.selector = 0x08;
    code.type = 0xb;  // execute/read, accessed
    code.present = 1;
    code.s = 1;
    code.db = 1;
    code.g = 1;
    kvm_segment data = code;
    data.selector = 0x10;
    data.type = 0x3;  // read/write, accessed
    kvm_segment tr = code;
    tr.selector = 0x18;
    tr.limit = 0x67;
    tr.g = 0;
    tr.s = 0;
    tr.type = 0xb;  // 32-bit busy TSS
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.tr = tr;
    s.cr0 = 0x11;  // PE | ET
    s.cr3 = 0;
    s.cr4 = 0;
    s.efer = 0;
    if (::ioctl(fd_.get(), KVM_SET_SREGS, &s) < 0) throw_errno("KVM_SET_SREGS");
    kvm_regs r{};
    r.rip = entry;
    r.rbx = start_info;
    r.rflags = 0x2;
    if (::ioctl(fd_.get(), KVM_SET_REGS, &r) < 0) throw_errno("KVM_SET_REGS");
    run_->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    run_->kvm_dirty_regs = 0;
  }

  /// Loads a start state in Xen's `vcpu_hvm_context` form (VCPUOP_initialise): 32-bit protected
  /// mode with the given segments, or 64-bit long mode with flat segments.
  void set_hvm_context(const xenabi::abi::vcpu_hvm_context& ctx) {
    kvm_sregs s{};
    if (::ioctl(fd_.get(), KVM_GET_SREGS, &s) < 0) throw_errno("KVM_GET_SREGS");
    kvm_regs r{};
    auto seg = [](std::uint64_t base, std::uint32_t limit, std::uint16_t ar, std::uint16_t sel) {
      kvm_segment g{};
      g.base = base;
      g.limit = limit;
      g.selector = sel;
      g.type = static_cast<std::uint8_t>(ar & 0xf);
      g.s = static_cast<std::uint8_t>((ar >> 4) & 1);
      g.dpl = static_cast<std::uint8_t>((ar >> 5) & 3);
      g.present = static_cast<std::uint8_t>((ar >> 7) & 1);
      g.avl = static_cast<std::uint8_t>((ar >> 12) & 1);
      g.l = static_cast<std::uint8_t>((ar >> 13) & 1);
      g.db = static_cast<std::uint8_t>((ar >> 14) & 1);
      g.g = static_cast<std::uint8_t>((ar >> 15) & 1);
      return g;
    };
    if (ctx.mode == static_cast<std::uint32_t>(xenabi::abi::VCPU_HVM_MODE::_64B)) {
      const auto& x = ctx.cpu_regs.x86_64;
      s.cs = seg(0, 0xffffffff, 0xa09b, 0x08);  // 64-bit code
      s.ds = s.es = s.fs = s.gs = s.ss = seg(0, 0xffffffff, 0xc093, 0x10);
      s.tr = seg(0, 0x67, 0x008b, 0x18);
      s.cr0 = x.cr0;
      s.cr3 = x.cr3;
      s.cr4 = x.cr4;
      s.efer = x.efer | 0x500;  // LME | LMA
      r = kvm_regs{x.rax, x.rbx, x.rcx, x.rdx, x.rsi, x.rdi, x.rsp, x.rbp, 0, 0, 0, 0, 0, 0, 0, 0,
                   x.rip, x.rflags | 2};
    } else {
      const auto& x = ctx.cpu_regs.x86_32;
      s.cs = seg(x.cs_base, x.cs_limit, x.cs_ar, 0x08);
      s.ds = s.es = s.fs = s.gs = seg(x.ds_base, x.ds_limit, x.ds_ar, 0x10);
      s.es = seg(x.es_base, x.es_limit, x.es_ar, 0x10);
      s.ss = seg(x.ss_base, x.ss_limit, x.ss_ar, 0x10);
      s.tr = seg(x.tr_base, x.tr_limit, x.tr_ar != 0 ? x.tr_ar : 0x8b, 0x18);
      s.cr0 = x.cr0;
      s.cr3 = x.cr3;
      s.cr4 = x.cr4;
      s.efer = x.efer;
      r = kvm_regs{x.eax, x.ebx, x.ecx, x.edx, x.esi, x.edi, x.esp, x.ebp, 0, 0, 0, 0, 0, 0, 0, 0,
                   x.eip, std::uint64_t{x.eflags} | 2};
    }
    if (::ioctl(fd_.get(), KVM_SET_SREGS, &s) < 0) throw_errno("KVM_SET_SREGS");
    if (::ioctl(fd_.get(), KVM_SET_REGS, &r) < 0) throw_errno("KVM_SET_REGS");
    run_->kvm_dirty_regs = 0;
  }

  /// Local APIC register at byte offset \p offset of the xAPIC register page (`KVM_GET_LAPIC`;
  /// needs an in-kernel LAPIC).
  [[nodiscard]] std::uint32_t lapic_reg(std::uint32_t offset) const {
    kvm_lapic_state s{};
    if (::ioctl(fd_.get(), KVM_GET_LAPIC, &s) < 0) throw_errno("KVM_GET_LAPIC");
    std::uint32_t v = 0;
    std::memcpy(&v, s.regs + (offset & 0x3fcu), sizeof v);
    return v;
  }
  /// Sets local APIC register \p offset to \p value directly (`KVM_GET_LAPIC`, `KVM_SET_LAPIC`:
  /// the state as firmware would leave it, not a guest write with its side effects).
  void set_lapic_reg(std::uint32_t offset, std::uint32_t value) {
    kvm_lapic_state s{};
    if (::ioctl(fd_.get(), KVM_GET_LAPIC, &s) < 0) throw_errno("KVM_GET_LAPIC");
    std::memcpy(s.regs + (offset & 0x3fcu), &value, sizeof value);
    if (::ioctl(fd_.get(), KVM_SET_LAPIC, &s) < 0) throw_errno("KVM_SET_LAPIC");
  }
  /// xAPIC offset of the LVT LINT0 register.
  static constexpr std::uint32_t apic_lvt0 = 0x350;
  /// LVT delivery mode ExtINT, unmasked (the virtual-wire mode PC firmware leaves LINT0 in).
  static constexpr std::uint32_t lvt_extint = 0x700;
  /// Puts LINT0 in virtual-wire mode (ExtINT, unmasked) as PC firmware does, so vectors
  /// injected with `KVM_INTERRUPT` reach the vCPU through its in-kernel LAPIC without entering
  /// its IRR/ISR. KVM leaves LINT0 so on vCPU 0 at reset but masked on the others.
  void set_lint0_extint() { set_lapic_reg(apic_lvt0, lvt_extint); }

  /// Makes the vCPU runnable (`KVM_SET_MP_STATE` RUNNABLE). With an in-kernel LAPIC every vCPU
  /// but the first starts waiting for INIT/SIPI and `KVM_RUN` blocks in the kernel until then;
  /// a Xen guest starts secondary vCPUs with VCPUOP_up instead, so xenhv makes them runnable.
  void set_runnable() {
    kvm_mp_state m{};
    m.mp_state = KVM_MP_STATE_RUNNABLE;
    if (::ioctl(fd_.get(), KVM_SET_MP_STATE, &m) < 0) throw_errno("KVM_SET_MP_STATE");
  }

  /// Enters the guest (`KVM_RUN`). Returns 0 on an exit (see `run().exit_reason`) or the errno
  /// (`EINTR` after a kick).
  [[nodiscard]] int enter() noexcept {
    run_->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    int r = ::ioctl(fd_.get(), KVM_RUN, 0);
    run_->kvm_dirty_regs = 0;
    return r < 0 ? errno : 0;
  }
  /// The shared `kvm_run` structure.
  [[nodiscard]] kvm_run& run() noexcept { return *run_; }
  /// The synchronized general-purpose registers (valid after an exit; call `regs_dirty()` after
  /// changing them).
  [[nodiscard]] kvm_regs& regs() noexcept { return run_->s.regs.regs; }
  /// The synchronized special registers (valid after an exit).
  [[nodiscard]] const kvm_sregs& sregs() const noexcept { return run_->s.regs.sregs; }
  /// Marks the synchronized general-purpose registers as changed for the next entry.
  void regs_dirty() noexcept { run_->kvm_dirty_regs |= KVM_SYNC_X86_REGS; }
  /// Injects external interrupt \p vector (`KVM_INTERRUPT`; only when
  /// `run().ready_for_interrupt_injection`). With a split irqchip the vector is held as the
  /// pending ExtINT and delivered (waking a halted vCPU) once the guest's IF allows. Returns
  /// false on failure.
  bool inject_interrupt(std::uint32_t vector) noexcept {
    kvm_interrupt irq{};
    irq.irq = vector;
    return ::ioctl(fd_.get(), KVM_INTERRUPT, &irq) == 0;
  }
  /// Asks KVM to exit as soon as the guest can take an interrupt (or not).
  void request_interrupt_window(bool on) noexcept { run_->request_interrupt_window = on ? 1 : 0; }
  /// Makes the next (or current, after a signal) `KVM_RUN` return `EINTR` immediately.
  void set_immediate_exit(bool on) noexcept { run_->immediate_exit = on ? 1 : 0; }
  /// The raw descriptor.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }

 private:
  unique_fd fd_;
  std::size_t size_;
  kvm_run* run_ = nullptr;
};

}  // namespace hv::kvm
