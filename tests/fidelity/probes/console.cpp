// Fidelity probe "console": console_io write and read with good, empty, bad and partly bad
// buffers, counts with high bits set (Xen takes 32-bit cmd and count), unknown sub-ops.
#include <xenabi/abi/xen.hpp>

#include "probe.hpp"

const char* const probe::area = "console";

namespace {
namespace abi = xenabi::abi;
using probe::addr;
using probe::obs;

long cio(std::uint64_t cmd, std::uint64_t count, std::uintptr_t buf) {
  return probe::hcall(abi::hypercall::console_io, cmd, count, buf);
}
constexpr std::uint64_t write = static_cast<std::uint64_t>(abi::CONSOLEIO::write);
constexpr std::uint64_t read = static_cast<std::uint64_t>(abi::CONSOLEIO::read);
constinit char text[] = "~console probe output~\n";
constinit char in[64] = {};

}  // namespace

void probe::run() {
  kernel::flush();
  obs("write", cio(write, sizeof text - 1, addr(text)));
  obs("write_one_byte", cio(write, 1, addr(&text[sizeof text - 2])));
  obs("write_zero", cio(write, 0, addr(text)));
  obs("write_zero_bad_pointer", cio(write, 0, probe::bad_pointer));
  obs("write_bad_pointer", cio(write, 8, probe::bad_pointer));
  obs("write_bad_pointer_huge_count", cio(write, 0x80000000u, probe::bad_pointer));
  obs("write_bad_pointer_max_count", cio(write, 0xffffffffu, probe::bad_pointer));
  // Only the low 32 bits of count and cmd count.
  obs("write_count_high_bits", cio(write, (std::uint64_t{1} << 32) | 1u, addr(&text[sizeof text - 2])));
  obs("write_count_high_bits_only", cio(write, std::uint64_t{1} << 32, probe::bad_pointer));
  obs("write_cmd_high_bits", cio((std::uint64_t{1} << 32) | write, 1, addr(&text[sizeof text - 2])));
  // A buffer that runs from a mapped page into an unmapped one.
  const std::uintptr_t edge = probe::edge_page();
  for (std::uintptr_t i = 0; i < 4096; ++i) reinterpret_cast<volatile char*>(edge)[i] = '\n';
  obs("write_crossing_into_unmapped", cio(write, 16, edge + 4096 - 8));
  obs("write_ending_at_unmapped", cio(write, 8, edge + 4096 - 8));
  obs("write_starting_at_unmapped", cio(write, 8, edge + 4096));
  // read: nothing is typed on either side.
  obs("read", cio(read, sizeof in, addr(in))).kv("first_byte_untouched", in[0] == 0);
  obs("read_zero", cio(read, 0, addr(in)));
  obs("read_bad_pointer", cio(read, 16, probe::bad_pointer));
  obs("read_count_negative", cio(read, 0x80000000u, addr(in)));
  obs("read_count_max", cio(read, 0xffffffffu, addr(in)));
  obs("read_count_high_bits", cio(read, (std::uint64_t{1} << 32) | 16u, addr(in)));
  obs("read_count_high_bits_negative", cio(read, (std::uint64_t{1} << 32) | 0x80000000u, addr(in)));
  obs("read_cmd_high_bits", cio((std::uint64_t{1} << 32) | read, 16, addr(in)));
  // Unknown sub-ops.
  obs("subop_2", cio(2, 1, addr(text)));
  obs("subop_3", cio(3, 1, addr(text)));
  obs("subop_ffffffff", cio(0xffffffffu, 1, addr(text)));
  obs("subop_high_bits_only", cio(std::uint64_t{1} << 32 | 7u, 1, addr(text)));
}
