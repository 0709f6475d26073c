/// \file
/// console_io: CONSOLEIO_write (debug-build behaviour: printed; `hypercall_policy::release_console`
/// makes it -EPERM as a release build) and CONSOLEIO_read, with Xen 4.17's 32-bit cmd and count
/// and chunked writes.
#pragma once

#include <cstdint>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

inline std::int64_t console_io(hcall& c) {
  // Xen's do_console_io takes `unsigned int cmd, unsigned int count`: the upper halves of the
  // registers are ignored.
  const auto cmd = static_cast<std::uint32_t>(c.a.a[0]);
  const auto count = static_cast<std::uint32_t>(c.a.a[1]);
  const auto buf = c.a.a[2];
  c.arg("cmd", sub_name("CONSOLEIO_", cmd, {"write", "read"}));
  c.arg("count", std::to_string(count));
  c.arg("buffer", hex(buf));
  if (c.policy.release_console) return c.fail(errc::eperm, "release-build behaviour: console_io is for dom0 only");
  if (cmd == static_cast<std::uint32_t>(abi::CONSOLEIO::write)) {
    // As Xen: copied and written in chunks of 127 bytes; a chunk that cannot be read ends the
    // call with -EFAULT (the chunks before it are written). A count that is negative as an int
    // fails at once (Xen's chunk size goes negative there).
    if (count > 0x7fffffffu) return c.fail(errc::efault, "count negative as an int");
    constexpr std::uint32_t chunk = 127;
    std::string s;
    bool fault = false;
    for (std::uint32_t off = 0; off < count; off += chunk) {
      const std::uint32_t n = std::min(chunk, count - off);
      std::string part(n, '\0');
      if (!c.g.copy_from_guest(part.data(), virt_addr{buf + off}, n)) {
        fault = true;
        break;
      }
      s += part;
    }
    std::string shown;
    for (char ch : s.size() > 60 ? s.substr(0, 57) : s) {
      if (ch == '\n') shown += "\\n";
      else if (static_cast<unsigned char>(ch) < 0x20 || ch == '"') shown += '?';
      else shown += ch;
    }
    if (s.size() > 60) shown += "...";
    c.arg("text", shown, true);
    if (!s.empty()) c.d.console.write(s);
    if (fault) return c.fail(errc::efault, s.empty() ? "buffer not mapped" : "buffer not mapped after " + std::to_string(s.size()) + " bytes");
    return 0;
  }
  if (cmd == static_cast<std::uint32_t>(abi::CONSOLEIO::read)) {
    // The result is a count or an error, so a count that is negative as an int is -E2BIG.
    if (count > 0x7fffffffu) return c.fail(errc::e2big, "count negative as an int");
    std::string chunk;
    {
      std::lock_guard lock(c.d.mu);
      chunk = c.d.console.input.substr(0, static_cast<std::size_t>(std::min<std::uint32_t>(count, 4096)));
    }
    if (!c.g.copy_to_guest(virt_addr{buf}, chunk.data(), chunk.size())) return c.fail(errc::efault, "buffer not mapped");
    std::lock_guard lock(c.d.mu);
    c.d.console.input.erase(0, chunk.size());
    return static_cast<std::int64_t>(chunk.size());
  }
  return c.fail(errc::enosys, "unknown CONSOLEIO sub-op");
}

}  // namespace detail
}  // namespace hv
