/// \file
/// `hv::backend::tap_port`: a host tap device (`/dev/net/tun`, `IFF_TAP | IFF_NO_PI`) attached
/// to a `bridge`, so that guests' frames reach the host's network stack and back. Frames the
/// host sends out of the tap interface are read by the port's own thread and switched into the
/// bridge; frames the bridge forwards to the port are written to the device (dropped and
/// counted if the device refuses them, e.g. while the interface is down).
///
/// Needs `/dev/net/tun` and CAP_NET_ADMIN; `tap_usable()` says whether this process has them.
/// \ingroup hypervisor
#pragma once

#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <hv/backend/bridge.hpp>

namespace hv::backend {

/// Counters of a tap port.
struct tap_stats {
  std::uint64_t to_host = 0;    ///< Frames written to the device.
  std::uint64_t from_host = 0;  ///< Frames read from the device and switched.
  std::uint64_t dropped = 0;    ///< Frames the device refused.
};

/// A bridge port backed by a host tap device.
class tap_port final : public bridge_port {
 public:
  /// Creates (or attaches to) tap interface \p name (a `%d` in it is numbered by the kernel),
  /// brings it up if \p bring_up, attaches it to \p br and starts its reader thread. Throws
  /// `std::system_error` if the device cannot be used.
  tap_port(bridge& br, const std::string& name, bool bring_up = true) : br_(br) {
    fd_ = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open /dev/net/tun");
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd_, TUNSETIFF, &ifr) < 0) {
      const int e = errno;
      ::close(fd_);
      throw std::system_error(e, std::generic_category(), "TUNSETIFF " + name);
    }
    name_ = ifr.ifr_name;
    if (bring_up) set_up(true);
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
    if (stop_fd_ < 0) {
      const int e = errno;
      ::close(fd_);
      throw std::system_error(e, std::generic_category(), "eventfd");
    }
    br_.attach(*this);
    thread_ = std::thread([this] { reader(); });
  }
  tap_port(const tap_port&) = delete;
  tap_port& operator=(const tap_port&) = delete;
  /// Detaches from the bridge, stops the reader and closes the device (a non-persistent tap
  /// interface disappears).
  ~tap_port() override {
    br_.detach(*this);
    const std::uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    ::close(stop_fd_);
    ::close(fd_);
  }

  /// The interface's name as the kernel gave it.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// A snapshot of the counters.
  [[nodiscard]] tap_stats stats() const noexcept {
    return {to_host_.load(), from_host_.load(), dropped_.load()};
  }

  /// Writes \p frame to the device (called by the bridge); a blank TCP/UDP checksum is
  /// completed first (the tap is opened without a virtio-net header, so the host kernel could
  /// not be told the checksum is partial).
  void deliver(std::span<const std::byte> frame, frame_offload o) override {
    if (o.csum_blank) {
      std::vector<std::byte> copy(frame.begin(), frame.end());
      if (complete_l4_checksum(copy) == csum_result::malformed) {
        ++dropped_;
        return;
      }
      write_frame(copy);
      return;
    }
    write_frame(frame);
  }

  /// Brings the interface up or down (SIOCSIFFLAGS).
  void set_up(bool up) {
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) throw std::system_error(errno, std::generic_category(), "socket");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
    int rc = ::ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
      if (up)
        ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
      else
        ifr.ifr_flags = static_cast<short>(ifr.ifr_flags & ~IFF_UP);
      rc = ::ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    const int e = errno;
    ::close(s);
    if (rc != 0) throw std::system_error(e, std::generic_category(), "SIOCSIFFLAGS " + name_);
  }

 private:
  void write_frame(std::span<const std::byte> frame) {
    const ssize_t n = ::write(fd_, frame.data(), frame.size());
    if (n == static_cast<ssize_t>(frame.size()))
      ++to_host_;
    else
      ++dropped_;
  }

  void reader() {
    std::vector<std::byte> buf(65536);
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    for (;;) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if ((fds[1].revents & POLLIN) != 0) return;
      if ((fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return;
      for (;;) {
        const ssize_t n = ::read(fd_, buf.data(), buf.size());
        if (n <= 0) break;
        ++from_host_;
        br_.forward(*this, std::span<const std::byte>(buf.data(), static_cast<std::size_t>(n)));
      }
    }
  }

  bridge& br_;
  int fd_ = -1;
  int stop_fd_ = -1;
  std::string name_;
  std::thread thread_;
  std::atomic<std::uint64_t> to_host_{0}, from_host_{0}, dropped_{0};
};

/// True if this process can create tap devices; otherwise false with the reason in \p why.
[[nodiscard]] inline bool tap_usable(std::string* why = nullptr) {
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (why != nullptr) *why = std::string("/dev/net/tun: ") + std::strerror(errno);
    return false;
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, "xnbprobe%d", IFNAMSIZ - 1);
  const bool ok = ::ioctl(fd, TUNSETIFF, &ifr) == 0;
  if (!ok && why != nullptr) *why = std::string("TUNSETIFF: ") + std::strerror(errno);
  ::close(fd);
  return ok;
}

}  // namespace hv::backend
