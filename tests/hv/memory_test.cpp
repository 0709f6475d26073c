// hv/memory.hpp: the checked translation layer (guest-physical bounds, guest-virtual walks).
#include <hv/memory.hpp>

#include <cstring>

#include "xenabi_test.hpp"

using hv::guest_memory;
using hv::guest_view;
using hv::paging_mode;
using xenabi::errc;
using xenabi::phys_addr;
using xenabi::virt_addr;

TEST_CASE("guest_memory: accesses inside RAM work, anything outside is EFAULT") {
  guest_memory mem(1 << 20);
  REQUIRE(mem.size() == (1u << 20));
  REQUIRE(mem.write(phys_addr{0x1000}, std::uint64_t{0x1122334455667788}));
  REQUIRE(mem.read<std::uint64_t>(phys_addr{0x1000}).value() == 0x1122334455667788u);
  // Last byte is fine, one past is not; a range that wraps the address space is not.
  REQUIRE(mem.write(phys_addr{(1u << 20) - 1}, std::uint8_t{7}));
  REQUIRE(mem.write(phys_addr{(1u << 20) - 1}, std::uint16_t{7}) == errc::efault);
  REQUIRE(mem.read<std::uint8_t>(phys_addr{1u << 20}) == errc::efault);
  REQUIRE(mem.translate(phys_addr{~std::uint64_t{0} - 3}, 8) == errc::efault);
  REQUIRE(mem.translate(phys_addr{0x10}, ~std::uint64_t{0}) == errc::efault);
  char buf[16] = {};
  REQUIRE(mem.copy_from_guest(buf, phys_addr{(1u << 20) - 8}, 16) == errc::efault);
  REQUIRE(mem.copy_to_guest(phys_addr{0x2000}, "hello", 6));
  REQUIRE(mem.copy_from_guest(buf, phys_addr{0x2000}, 6));
  REQUIRE(std::strcmp(buf, "hello") == 0);
}

TEST_CASE("guest_memory: shared objects must be in RAM and aligned") {
  guest_memory mem(64 << 10);
  REQUIRE(mem.object<std::uint64_t>(phys_addr{0x100}));
  REQUIRE(mem.object<std::uint64_t>(phys_addr{0x104}) == errc::einval);
  REQUIRE(mem.object<std::uint64_t>(phys_addr{64 << 10}) == errc::efault);
}

namespace {
// Builds 4-level page tables at 0x10000.. mapping va -> pa (4 KiB), and a 2 MiB page.
struct tables {
  guest_memory mem{4 << 20};
  static constexpr std::uint64_t pml4 = 0x10000, pdpt = 0x11000, pd = 0x12000, pt = 0x13000;
  static constexpr std::uint64_t P = 1, W = 2, PS = 0x80;
  tables() {
    // va 0x0000_7f00_0020_3000 -> pa 0x5000 ; va 0x0000_7f00_0040_0000 (2M) -> pa 0x200000
    const std::uint64_t va = 0x00007f0000203000;
    REQUIRE(mem.write(phys_addr{pml4 + ((va >> 39) & 511) * 8}, pdpt | P | W));
    REQUIRE(mem.write(phys_addr{pdpt + ((va >> 30) & 511) * 8}, pd | P | W));
    REQUIRE(mem.write(phys_addr{pd + ((va >> 21) & 511) * 8}, pt | P | W));
    REQUIRE(mem.write(phys_addr{pt + ((va >> 12) & 511) * 8}, std::uint64_t{0x5000} | P | W));
    REQUIRE(mem.write(phys_addr{pd + 2 * 8}, std::uint64_t{0x200000} | P | W | PS));
  }
  paging_mode mode() const { return paging_mode{0x80000011, pml4, 0x20, 0x500}; }
};
}  // namespace

TEST_CASE("guest_view: 4-level walk, large pages, holes and non-canonical addresses") {
  tables t;
  guest_view g(t.mem, t.mode());
  REQUIRE(g.translate(virt_addr{0x00007f0000203abc}).value() == phys_addr{0x5abc});
  REQUIRE(g.translate(virt_addr{0x00007f0000412345}).value() == phys_addr{0x212345});
  REQUIRE(g.translate(virt_addr{0x00007f0000204000}) == errc::efault);  // no PTE
  REQUIRE(g.translate(virt_addr{0x0000100000000000}) == errc::efault);  // no PML4E
  REQUIRE(g.translate(virt_addr{0x0000800000000000}) == errc::efault);  // non-canonical
  // Copies follow the walk page by page; one unmapped page fails the whole copy.
  REQUIRE(t.mem.copy_to_guest(phys_addr{0x5ff8}, "ABCDEFGH", 8));
  char out[8];
  REQUIRE(g.copy_from_guest(out, virt_addr{0x00007f0000203ff8}, 8));
  REQUIRE(std::memcmp(out, "ABCDEFGH", 8) == 0);
  REQUIRE(g.copy_from_guest(out, virt_addr{0x00007f0000203ffc}, 8) == errc::efault);
  REQUIRE(g.write(virt_addr{0x00007f0000204000}, 1) == errc::efault);
}

TEST_CASE("guest_view: paging off is identity within RAM - a page table outside RAM is EFAULT") {
  guest_memory mem(1 << 20);
  guest_view off(mem, paging_mode{0x11, 0, 0, 0});
  REQUIRE(off.translate(virt_addr{0x1234}).value() == phys_addr{0x1234});
  REQUIRE(off.translate(virt_addr{0x100000000}) == errc::efault);  // 32-bit, paging off
  REQUIRE(off.read<std::uint32_t>(virt_addr{(1u << 20) - 2}) == errc::efault);
  guest_view bad(mem, paging_mode{0x80000011, 0x40000000, 0x20, 0x500});  // CR3 beyond RAM
  REQUIRE(bad.translate(virt_addr{0x1000}) == errc::efault);
}

TEST_CASE("guest_view: 32-bit two-level and PAE walks") {
  guest_memory mem(4 << 20);
  // two-level: PD at 0x1000, PT at 0x2000: va 0x00403000 -> 0x7000
  REQUIRE(mem.write(phys_addr{0x1000 + 1 * 4}, std::uint32_t{0x2000 | 3}));
  REQUIRE(mem.write(phys_addr{0x2000 + 3 * 4}, std::uint32_t{0x7000 | 3}));
  guest_view two(mem, paging_mode{0x80000011, 0x1000, 0, 0});
  REQUIRE(two.translate(virt_addr{0x00403010}).value() == phys_addr{0x7010});
  REQUIRE(two.translate(virt_addr{0x00404000}) == errc::efault);
  // PAE: PDPT at 0x3000, PD at 0x4000, PT at 0x5000: va 0x40201000 -> 0x9000
  REQUIRE(mem.write(phys_addr{0x3000 + 1 * 8}, std::uint64_t{0x4000 | 1}));
  REQUIRE(mem.write(phys_addr{0x4000 + 1 * 8}, std::uint64_t{0x5000 | 3}));
  REQUIRE(mem.write(phys_addr{0x5000 + 1 * 8}, std::uint64_t{0x9000 | 3}));
  guest_view pae(mem, paging_mode{0x80000011, 0x3000, 0x20, 0});
  REQUIRE(pae.translate(virt_addr{0x40201004}).value() == phys_addr{0x9004});
  REQUIRE(pae.translate(virt_addr{0x80000000}) == errc::efault);
}
