// hv/elf_loader.hpp and hv/boot.hpp: PVH kernel loading and start info.
#include <elf.h>

#include <hv/boot.hpp>
#include <hv/elf_loader.hpp>

#include <cstring>
#include <vector>

#include "elf_image.hpp"
#include "xenabi_test.hpp"

namespace {

using xenabi_test::make_elf;
using seg = xenabi_test::elf_segment;

seg code(std::uint64_t at, std::size_t n = 64, std::uint64_t memsz = 0) {
  return {PT_LOAD, at, std::vector<std::uint8_t>(n, 0x90), memsz ? memsz : n};
}
seg pvh_note(std::uint32_t entry) { return xenabi_test::pvh_entry_note(entry); }

bool ram_untouched(const hv::guest_memory& m) {
  auto s = m.translate(xenabi::phys_addr{0}, m.size()).value();
  for (auto b : s)
    if (b != std::byte{0}) return false;
  return true;
}

}  // namespace

TEST_CASE("ELF loader: a valid PVH kernel loads at its physical addresses with bss zeroed") {
  hv::guest_memory mem(4 << 20);
  auto img = make_elf({code(0x100000, 64, 0x2000), pvh_note(0x100010)});
  auto k = hv::load_pvh_elf(img, mem, hv::boot_layout::reserved);
  REQUIRE(k.entry == 0x100010);
  REQUIRE(k.low == 0x100000);
  REQUIRE(k.high == 0x102000);
  REQUIRE(mem.read<std::uint8_t>(xenabi::phys_addr{0x100000}).value() == 0x90);
  REQUIRE(mem.read<std::uint8_t>(xenabi::phys_addr{0x100040}).value() == 0);
}

TEST_CASE("ELF loader: bad images are refused with a reason and nothing is loaded") {
  hv::guest_memory mem(4 << 20);
  auto expect_refused = [&](const std::vector<std::uint8_t>& img, const char* needle) {
    try {
      (void)hv::load_pvh_elf(img, mem, hv::boot_layout::reserved);
      FAIL("loaded a bad image: expected '" << needle << "'");
    } catch (const hv::load_error& e) {
      INFO(e.what());
      REQUIRE(std::string(e.what()).find(needle) != std::string::npos);
    }
    REQUIRE(ram_untouched(mem));
  };
  expect_refused({'n', 'o', 't', ' ', 'e', 'l', 'f', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "not an ELF");
  expect_refused(make_elf({code(0x100000)}), "no Xen PHYS32_ENTRY");
  expect_refused(make_elf({code(0x100000), {PT_NOTE, 0, xenabi_test::xen_note(17, 0x100000), 20}}), "no Xen PHYS32_ENTRY");
  expect_refused(make_elf({code(0x100000, 64, 0x1000), code(0x100800), pvh_note(0x100000)}), "overlap");
  expect_refused(make_elf({code(0x3ff000, 64, 0x2000), pvh_note(0x3ff000)}), "outside guest RAM");
  expect_refused(make_elf({code(~std::uint64_t{0} - 16, 64), pvh_note(0x100000)}), "outside guest RAM");
  expect_refused(make_elf({code(0x6000), pvh_note(0x6000)}), "PVH start info");
  expect_refused(make_elf({code(0x100000), pvh_note(0x200000)}), "not inside any PT_LOAD");
  expect_refused(make_elf({{PT_LOAD, 0x100000, std::vector<std::uint8_t>(64), 16}, pvh_note(0x100000)}),
                 "file size exceeds memory size");
  auto truncated = make_elf({code(0x100000), pvh_note(0x100000)});
  truncated.resize(truncated.size() - 30);
  expect_refused(truncated, "outside the file");
}

TEST_CASE("boot: hvm_start_info v1 with memory map and command line") {
  namespace abi = xenabi::abi;
  hv::guest_memory mem(8 << 20);
  auto map = hv::pvh_memory_map(mem.size());
  const auto at = hv::write_start_info(mem, "console=hvc0", map);
  auto si = mem.read<abi::hvm_start_info>(xenabi::phys_addr{at}).value();
  REQUIRE(si.magic == abi::XEN_HVM_START::MAGIC_VALUE);
  REQUIRE(si.version == 1);
  REQUIRE(si.memmap_entries == map.size());
  char cmd[16] = {};
  REQUIRE(mem.copy_from_guest(cmd, xenabi::phys_addr{si.cmdline_paddr}, 13));
  REQUIRE(std::string(cmd) == "console=hvc0");
  std::uint64_t ram = 0;
  for (std::uint32_t i = 0; i < si.memmap_entries; ++i) {
    auto e = mem.read<abi::hvm_memmap_table_entry>(xenabi::phys_addr{si.memmap_paddr + i * 24}).value();
    if (e.type == static_cast<std::uint32_t>(abi::XEN_HVM_MEMMAP_TYPE::RAM)) ram += e.size;
  }
  REQUIRE(ram == mem.size() - 0x60000);  // all RAM except the legacy VGA/BIOS hole
  REQUIRE_THROWS_AS(hv::write_start_info(mem, std::string(5000, 'x'), map), hv::load_error);
}
