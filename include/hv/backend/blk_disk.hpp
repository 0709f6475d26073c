/// \file
/// \ingroup drivers
/// A raw disk image in a host file, as the block back end serves it: sectors of 512 bytes,
/// vectored reads and writes at sector offsets, flush (`fdatasync`) and discard (punching a
/// hole, so the discarded range reads as zeroes).
///
/// Thread-safe: every operation is a positioned system call on one file descriptor, so the
/// back end's workers may use the same disk concurrently.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include <hv/memory.hpp>

namespace hv::blk {

/// Bytes per sector of the block protocol (blkif counts in 512-byte sectors).
inline constexpr std::uint32_t sector_bytes = 512;
/// Sectors per 4 KiB page (a segment's `last_sect` is at most `sectors_per_page - 1`).
inline constexpr std::uint32_t sectors_per_page = 4096 / sector_bytes;

/// A file-backed raw image.
class disk {
 public:
  /// Opens \p path read-write, or read-only if \p readonly (throws `std::runtime_error` with the
  /// reason if it cannot be opened or is not a regular file).
  disk(const std::string& path, bool readonly) : readonly_(readonly), path_(path) {
    fd_ = ::open(path.c_str(), (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("cannot open disk image " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw std::runtime_error("disk image " + path + " is not a regular file");
    }
    sectors_ = static_cast<std::uint64_t>(st.st_size) / sector_bytes;
  }
  disk(const disk&) = delete;
  disk& operator=(const disk&) = delete;
  /// Closes the file.
  ~disk() {
    if (fd_ >= 0) ::close(fd_);
  }

  /// Size in 512-byte sectors (a partial last sector is not part of the disk).
  [[nodiscard]] std::uint64_t sectors() const noexcept { return sectors_; }
  /// True if the image was opened read-only.
  [[nodiscard]] bool readonly() const noexcept { return readonly_; }
  /// The image's path.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  /// True if [\p sector, \p sector + \p count) lies inside the disk (overflow-checked).
  [[nodiscard]] bool in_range(std::uint64_t sector, std::uint64_t count) const noexcept {
    return sector <= sectors_ && count <= sectors_ - sector;
  }

  /// Reads into \p iov (\p n buffers) from sector \p sector; `efault` outside the disk, `eio`
  /// on a host error or short read.
  [[nodiscard]] result<void> readv(std::uint64_t sector, const iovec* iov, int n) const noexcept {
    return transfer(sector, iov, n, false);
  }
  /// Writes \p iov (\p n buffers) at sector \p sector; `erofs` on a read-only disk, `efault`
  /// outside the disk, `eio` on a host error.
  [[nodiscard]] result<void> writev(std::uint64_t sector, const iovec* iov, int n) const noexcept {
    if (readonly_) return errc::erofs;
    return transfer(sector, iov, n, true);
  }
  /// Makes every completed write durable (`fdatasync`); `eio` on failure.
  [[nodiscard]] result<void> flush() const noexcept {
    if (readonly_) return {};
    return ::fdatasync(fd_) == 0 ? result<void>{} : result<void>{errc::eio};
  }
  /// Discards \p count sectors from \p sector: they read as zeroes afterwards (hole punched,
  /// or zeroes written where the file system cannot punch holes).
  [[nodiscard]] result<void> discard(std::uint64_t sector, std::uint64_t count) const noexcept {
    if (readonly_) return errc::erofs;
    if (!in_range(sector, count)) return errc::efault;
    if (count == 0) return {};
    const auto off = static_cast<off_t>(sector * sector_bytes);
    const auto len = static_cast<off_t>(count * sector_bytes);
    if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) == 0) return {};
    static const std::byte zeroes[4096] = {};
    for (off_t at = 0; at < len;) {
      const auto chunk = static_cast<std::size_t>(len - at < 4096 ? len - at : 4096);
      const ssize_t w = ::pwrite(fd_, zeroes, chunk, off + at);
      if (w <= 0) return errc::eio;
      at += w;
    }
    return {};
  }

 private:
  result<void> transfer(std::uint64_t sector, const iovec* iov, int n, bool write) const noexcept {
    std::uint64_t bytes = 0;
    for (int i = 0; i < n; ++i) bytes += iov[i].iov_len;
    if (bytes % sector_bytes != 0 || !in_range(sector, bytes / sector_bytes)) return errc::efault;
    auto off = static_cast<off_t>(sector * sector_bytes);
    // Loop over partial transfers (a signal or a large request may split them).
    iovec local[512];
    if (n > 512 || n < 0) return errc::einval;
    for (int i = 0; i < n; ++i) local[i] = iov[i];
    int first = 0;
    while (first < n) {
      const ssize_t r = write ? ::pwritev(fd_, local + first, n - first, off) : ::preadv(fd_, local + first, n - first, off);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return errc::eio;
      off += r;
      auto left = static_cast<std::size_t>(r);
      while (first < n && left >= local[first].iov_len) left -= local[first++].iov_len;
      if (first < n) {
        local[first].iov_base = static_cast<std::byte*>(local[first].iov_base) + left;
        local[first].iov_len -= left;
      }
    }
    return {};
  }

  int fd_ = -1;
  bool readonly_ = false;
  std::uint64_t sectors_ = 0;
  std::string path_;
};

}  // namespace hv::blk
