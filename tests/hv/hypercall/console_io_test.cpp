// hv/hypercall/console_io.hpp, driven through the in-process platform: console_io: write and read, the release-build switch, 32-bit cmd and count, chunked writes.
// Cases named "as Xen 4.17" pin behaviours measured on the real Xen (tests/fidelity); cases named
// "width:" run from a 64-bit and a 32-bit vCPU with that width's argument layouts.
#include "hypercall_test.hpp"

TEST_CASE("console_io: write goes to the console, read returns input - bad buffer - release build") {
  hv::sim::machine m;
  m.put(buf, std::array<char, 6>{'h', 'i', '!', '\n', 0, 0});
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 4, buf) == 0);
  REQUIRE(m.console_output() == "hi!\n");
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 4, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 8, (4u << 20) - 4) == rc(errc::efault));
  m.dom().console.input = "abc";
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), 2, buf) == 2);
  REQUIRE(m.get<char>(buf) == 'a');
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), 16, buf) == 1);
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), 16, buf) == 0);
  REQUIRE(m.call(H::console_io, 7, 0, buf) == rc(errc::enosys));
  m.policy().release_console = true;
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 4, buf) == rc(errc::eperm));
}

TEST_CASE("console_io: as Xen 4.17 - 32-bit cmd and count, chunked writes, E2BIG reads") {
  hv::sim::machine m;
  m.put(buf, std::array<char, 4>{'o', 'k', '\n', 0});
  const std::uint64_t high = std::uint64_t{1} << 32;
  REQUIRE(m.call(H::console_io, high | op(abi::CONSOLEIO::write), high | 3, buf) == 0);  // upper halves ignored
  REQUIRE(m.console_output() == "ok\n");
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), high, unmapped) == 0);  // count 0
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 0x80000000u, unmapped) == rc(errc::efault));
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 0xffffffffu, buf) == rc(errc::efault));
  // 200 bytes ending 50 bytes past the end of RAM: the first 127-byte chunk is written, then -EFAULT.
  const std::uint64_t start = (4u << 20) - 150;
  std::array<char, 150> tail{};
  tail.fill('x');
  m.put(start, tail);
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::write), 200, start) == rc(errc::efault));
  REQUIRE(m.console_output() == "ok\n" + std::string(127, 'x'));
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), 0x80000000u, buf) == rc(errc::e2big));
  REQUIRE(m.call(H::console_io, op(abi::CONSOLEIO::read), high | 0xffffffffu, buf) == rc(errc::e2big));
  REQUIRE(m.call(H::console_io, high | op(abi::CONSOLEIO::read), high | 16u, buf) == 0);
}
