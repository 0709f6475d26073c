/// \file
/// Guest memory and the one checked translation layer every guest access goes through.
///
/// `guest_memory` owns a domain's RAM (anonymous host memory, guest-physical 0..size). All
/// accesses name guest-physical addresses with the strong `xenabi::phys_addr` type and are
/// bounds-checked with overflow-checked arithmetic: a bad guest address yields `errc::efault`,
/// never a host fault. `guest_view` adds the guest's virtual-address view (what hypercall
/// arguments of a PVH guest are): a software page walk over the guest's own page tables, read
/// through the same checks.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <atomic>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <type_traits>

#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>

#include <hv/platform/kvm/fd.hpp>

namespace hv {

using xenabi::errc;
using xenabi::phys_addr;
using xenabi::result;
using xenabi::u64;
using xenabi::virt_addr;

/// A domain's guest-physical RAM: one contiguous range starting at guest-physical 0.
///
/// Every frame of the range starts present. A frame released by XENMEM_decrease_reservation
/// becomes absent: its host memory is returned (`MADV_DONTNEED`, so it reads as zeroes when
/// populated again) and every checked access touching it fails with `efault` until
/// XENMEM_populate_physmap makes it present again. (On KVM the memory slot stays mapped, so
/// the guest's own loads from an absent frame read zeroes instead of faulting.)
class guest_memory {
 public:
  /// Reserves \p size bytes (rounded up to a page) of zeroed anonymous memory.
  explicit guest_memory(u64 size)
      : size_((size + xenabi::page_size - 1) & ~(xenabi::page_size - 1)),
        absent_(std::make_unique<std::atomic<u64>[]>(static_cast<std::size_t>((size_ / xenabi::page_size + 63) / 64))) {
    void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) kvm::throw_errno("mmap(guest RAM)");
    base_ = static_cast<std::byte*>(p);
  }
  guest_memory(const guest_memory&) = delete;
  guest_memory& operator=(const guest_memory&) = delete;
  /// Releases the RAM.
  ~guest_memory() {
    if (base_ != nullptr) ::munmap(base_, size_);
  }

  /// RAM size in bytes.
  [[nodiscard]] u64 size() const noexcept { return size_; }
  /// Host address of guest-physical 0 (for the platform's memory slot only).
  [[nodiscard]] std::byte* host_base() const noexcept { return base_; }
  /// True if [\p a, \p a + \p len) lies inside RAM (overflow-checked).
  [[nodiscard]] bool contains(phys_addr a, u64 len) const noexcept {
    auto end = xenabi::checked_add(a.value(), len);
    return end && end.value() <= size_;
  }
  /// Number of frames in the RAM range.
  [[nodiscard]] u64 frames() const noexcept { return size_ / xenabi::page_size; }
  /// Number of frames currently absent (released and not populated again).
  [[nodiscard]] u64 absent_frames() const noexcept { return absent_count_.load(std::memory_order_relaxed); }
  /// True if frame \p gfn is inside RAM and present.
  [[nodiscard]] bool present(u64 gfn) const noexcept {
    if (gfn >= frames()) return false;
    return (absent_[gfn / 64].load(std::memory_order_acquire) >> (gfn % 64) & 1u) == 0;
  }
  /// Releases present frame \p gfn: its contents are dropped and it becomes absent. Returns
  /// false (nothing changed) if it is outside RAM or already absent. Callers serialise
  /// populate/release of the same domain (the domain lock).
  bool release(u64 gfn) noexcept {
    if (!present(gfn)) return false;
    absent_[gfn / 64].fetch_or(u64{1} << (gfn % 64), std::memory_order_acq_rel);
    absent_count_.fetch_add(1, std::memory_order_relaxed);
    ::madvise(base_ + gfn * xenabi::page_size, xenabi::page_size, MADV_DONTNEED);
    return true;
  }
  /// Makes frame \p gfn present, zeroed. Returns false if it is outside RAM or already present.
  bool populate(u64 gfn) noexcept {
    if (gfn >= frames() || present(gfn)) return false;
    std::memset(base_ + gfn * xenabi::page_size, 0, xenabi::page_size);
    absent_[gfn / 64].fetch_and(~(u64{1} << (gfn % 64)), std::memory_order_acq_rel);
    absent_count_.fetch_sub(1, std::memory_order_relaxed);
    return true;
  }
  /// The host bytes backing [\p a, \p a + \p len), or `efault` if any byte is outside RAM or
  /// in an absent frame.
  [[nodiscard]] result<std::span<std::byte>> translate(phys_addr a, u64 len) const noexcept {
    if (!contains(a, len)) return errc::efault;
    if (absent_count_.load(std::memory_order_relaxed) != 0 && len != 0) {
      const u64 last = (a.value() + len - 1) / xenabi::page_size;
      for (u64 f = a.value() / xenabi::page_size; f <= last; ++f)
        if (!present(f)) return errc::efault;
    }
    return std::span<std::byte>(base_ + a.value(), static_cast<std::size_t>(len));
  }
  /// Copies \p len bytes from guest-physical \p src to \p dst.
  [[nodiscard]] result<void> copy_from_guest(void* dst, phys_addr src, u64 len) const noexcept {
    auto s = translate(src, len);
    if (!s) return s.error();
    if (len != 0) std::memcpy(dst, s.value().data(), static_cast<std::size_t>(len));
    return {};
  }
  /// Copies \p len bytes from \p src to guest-physical \p dst.
  [[nodiscard]] result<void> copy_to_guest(phys_addr dst, const void* src, u64 len) const noexcept {
    auto s = translate(dst, len);
    if (!s) return s.error();
    if (len != 0) std::memcpy(s.value().data(), src, static_cast<std::size_t>(len));
    return {};
  }
  /// Reads a trivially copyable \p T at guest-physical \p a.
  template <class T>
    requires std::is_trivially_copyable_v<T>
  [[nodiscard]] result<T> read(phys_addr a) const noexcept {
    T v{};
    XENABI_TRY(copy_from_guest(&v, a, sizeof(T)));
    return v;
  }
  /// Writes \p v at guest-physical \p a.
  template <class T>
    requires std::is_trivially_copyable_v<T>
  [[nodiscard]] result<void> write(phys_addr a, const T& v) const noexcept {
    return copy_to_guest(a, &v, sizeof(T));
  }
  /// A live pointer to a \p T shared with the guest (shared_info, vcpu_info, ...) at \p a, which
  /// must lie in RAM and be aligned for \p T; otherwise `efault` (bounds) or `einval` (alignment).
  template <class T>
  [[nodiscard]] result<T*> object(phys_addr a) const noexcept {
    if (!a.is_aligned(alignof(T))) return errc::einval;
    auto s = translate(a, sizeof(T));
    if (!s) return s.error();
    return std::launder(reinterpret_cast<T*>(s.value().data()));
  }

 private:
  std::byte* base_ = nullptr;
  u64 size_;
  std::unique_ptr<std::atomic<u64>[]> absent_;  // one bit per frame: set while absent
  std::atomic<u64> absent_count_{0};
};

/// The paging state of a vCPU, which decides how its virtual addresses translate.
struct paging_mode {
  /// CR0 (PG is bit 31).
  u64 cr0 = 0;
  /// CR3 (page-table root).
  u64 cr3 = 0;
  /// CR4 (PAE is bit 5).
  u64 cr4 = 0;
  /// EFER (LMA is bit 10).
  u64 efer = 0;
};

/// A vCPU's view of guest memory through its page tables: the one place guest-virtual addresses
/// (hypercall arguments) become guest-physical ones. Supports paging off, 32-bit 2-level, PAE
/// and 4-level long-mode paging; a missing mapping or an out-of-RAM table is `efault`.
class guest_view {
 public:
  /// The view of \p mem under paging state \p mode.
  guest_view(const guest_memory& mem, paging_mode mode) noexcept : mem_(&mem), mode_(mode) {}

  /// The guest memory behind the view.
  [[nodiscard]] const guest_memory& memory() const noexcept { return *mem_; }

  /// Translates guest-virtual \p va to guest-physical.
  [[nodiscard]] result<phys_addr> translate(virt_addr va) const noexcept {
    const u64 v = va.value();
    if ((mode_.cr0 & (u64{1} << 31)) == 0) {
      if (v > 0xffffffffu && (mode_.efer & (u64{1} << 10)) == 0) return errc::efault;
      return phys_addr{v};
    }
    const bool lma = (mode_.efer & (u64{1} << 10)) != 0;
    const bool pae = (mode_.cr4 & (u64{1} << 5)) != 0;
    constexpr u64 present = 1, large = u64{1} << 7;
    if (!pae) {  // 32-bit two-level
      if (v > 0xffffffffu) return errc::efault;
      u64 table = mode_.cr3 & 0xfffff000u;
      auto pde = mem_->read<std::uint32_t>(phys_addr{table + ((v >> 22) & 0x3ff) * 4});
      if (!pde || (pde.value() & present) == 0) return errc::efault;
      if ((pde.value() & large) != 0 && (mode_.cr4 & (u64{1} << 4)) != 0)
        return phys_addr{(pde.value() & 0xffc00000u) | (v & 0x3fffff)};
      auto pte = mem_->read<std::uint32_t>(phys_addr{(pde.value() & 0xfffff000u) + ((v >> 12) & 0x3ff) * 4});
      if (!pte || (pte.value() & present) == 0) return errc::efault;
      return phys_addr{(pte.value() & 0xfffff000u) | (v & 0xfff)};
    }
    constexpr u64 addr_mask = 0x000ffffffffff000ull;
    int levels = lma ? 4 : 3;
    u64 table = lma ? (mode_.cr3 & addr_mask) : (mode_.cr3 & 0xffffffe0u);
    if (!lma) {
      if (v > 0xffffffffu) return errc::efault;
      auto pdpte = mem_->read<u64>(phys_addr{table + ((v >> 30) & 3) * 8});
      if (!pdpte || (pdpte.value() & present) == 0) return errc::efault;
      table = pdpte.value() & addr_mask;
      levels = 2;
    } else {
      // canonical check (48-bit)
      const u64 top = v >> 47;
      if (top != 0 && top != 0x1ffff) return errc::efault;
    }
    for (int level = levels; level >= 1; --level) {
      const unsigned shift = 12u + 9u * static_cast<unsigned>(level - 1);
      auto e = mem_->read<u64>(phys_addr{table + ((v >> shift) & 0x1ff) * 8});
      if (!e || (e.value() & present) == 0) return errc::efault;
      if (level == 1 || ((e.value() & large) != 0 && level <= 3)) {
        const u64 page_mask = (u64{1} << shift) - 1;
        return phys_addr{((e.value() & addr_mask) & ~page_mask) | (v & page_mask)};
      }
      table = e.value() & addr_mask;
    }
    return errc::efault;
  }

  /// Copies \p len bytes from guest-virtual \p src (page by page) to \p dst.
  [[nodiscard]] result<void> copy_from_guest(void* dst, virt_addr src, u64 len) const noexcept {
    auto* out = static_cast<std::byte*>(dst);
    return walk(src, len, [&](phys_addr pa, u64 n, u64 done) {
      return mem_->copy_from_guest(out + done, pa, n);
    });
  }
  /// Copies \p len bytes from \p src to guest-virtual \p dst.
  [[nodiscard]] result<void> copy_to_guest(virt_addr dst, const void* src, u64 len) const noexcept {
    const auto* in = static_cast<const std::byte*>(src);
    return walk(dst, len, [&](phys_addr pa, u64 n, u64 done) { return mem_->copy_to_guest(pa, in + done, n); });
  }
  /// Reads a \p T at guest-virtual \p a.
  template <class T>
    requires std::is_trivially_copyable_v<T>
  [[nodiscard]] result<T> read(virt_addr a) const noexcept {
    T v{};
    XENABI_TRY(copy_from_guest(&v, a, sizeof(T)));
    return v;
  }
  /// Writes \p v at guest-virtual \p a.
  template <class T>
    requires std::is_trivially_copyable_v<T>
  [[nodiscard]] result<void> write(virt_addr a, const T& v) const noexcept {
    return copy_to_guest(a, &v, sizeof(T));
  }

 private:
  template <class F>
  [[nodiscard]] result<void> walk(virt_addr va, u64 len, F&& f) const noexcept {
    if (!xenabi::checked_add(va.value(), len)) return errc::efault;
    u64 done = 0;
    while (done < len) {
      const u64 cur = va.value() + done;
      const u64 in_page = xenabi::page_size - (cur & (xenabi::page_size - 1));
      const u64 n = in_page < len - done ? in_page : len - done;
      auto pa = translate(virt_addr{cur});
      if (!pa) return pa.error();
      XENABI_TRY(f(pa.value(), n, done));
      done += n;
    }
    return {};
  }

  const guest_memory* mem_;
  paging_mode mode_;
};

}  // namespace hv
