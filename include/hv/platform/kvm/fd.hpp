/// \file
/// RAII file descriptor and the errno-to-exception helper used at the KVM platform's edges.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace hv::kvm {

/// Throws `std::system_error` for the current `errno`, naming the operation \p what.
[[noreturn]] inline void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

/// An owned file descriptor, closed on destruction (move-only).
class unique_fd {
 public:
  /// No descriptor.
  unique_fd() noexcept = default;
  /// Takes ownership of \p fd (may be -1).
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  /// Moves ownership out of \p o.
  unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  /// Closes the current descriptor and takes \p o's.
  unique_fd& operator=(unique_fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  /// Closes the descriptor.
  ~unique_fd() { reset(); }
  /// The raw descriptor (-1 if none).
  [[nodiscard]] int get() const noexcept { return fd_; }
  /// True if a descriptor is held.
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Closes the descriptor now.
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace hv::kvm
