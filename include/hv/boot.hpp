/// \file
/// PVH boot: the guest-physical layout xenhv uses (start info page, command line, memory map)
/// and writing `hvm_start_info` (version 1, with the memory map) into guest RAM.
///
/// Layout: `hvm_start_info` at 0x6000 followed by the memory map; the command line at 0x7000
/// (up to 4095 bytes). The kernel's PT_LOAD segments must not overlap 0x6000..0x8000.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <hv/abi.hpp>

#include <hv/elf_loader.hpp>
#include <hv/memory.hpp>

namespace hv {

/// Where xenhv puts the PVH boot information in guest RAM.
namespace boot_layout {
inline constexpr std::uint64_t start_info = 0x6000;  ///< hvm_start_info (then the memory map).
inline constexpr std::uint64_t memmap = 0x6040;      ///< hvm_memmap_table_entry array.
inline constexpr std::uint64_t cmdline = 0x7000;     ///< NUL-terminated command line.
inline constexpr std::uint64_t end = 0x8000;         ///< End of the boot information.
/// The xenstore and console pages the toolstack puts in guest RAM (frames 8 and 9; see
/// hv/backend/toolstack.hpp), up to `special_end`.
inline constexpr std::uint64_t special = 0x8000;
inline constexpr std::uint64_t special_end = 0xa000;  ///< End of the special pages.
/// The ranges the kernel image must avoid.
inline constexpr reserved_range reserved[] = {{start_info, end, "PVH start info"},
                                              {special, special_end, "xenstore and console pages"}};
}  // namespace boot_layout

/// The memory map xenhv presents for \p ram_bytes of RAM: (addr, size, type) triples.
[[nodiscard]] inline std::vector<std::array<std::uint64_t, 3>> pvh_memory_map(std::uint64_t ram_bytes) {
  constexpr auto ram = static_cast<std::uint64_t>(xenabi::abi::XEN_HVM_MEMMAP_TYPE::RAM);
  constexpr auto reserved = static_cast<std::uint64_t>(xenabi::abi::XEN_HVM_MEMMAP_TYPE::RESERVED);
  std::vector<std::array<std::uint64_t, 3>> m;
  m.push_back({0, 0xa0000, ram});
  m.push_back({0xa0000, 0x60000, reserved});
  if (ram_bytes > 0x100000) m.push_back({0x100000, ram_bytes - 0x100000, ram});
  return m;
}

/// Writes `hvm_start_info` (version 1), the memory map \p map and the command line \p cmdline
/// into \p mem; returns the start info's guest-physical address. Throws `load_error` if the
/// command line does not fit.
inline std::uint32_t write_start_info(const guest_memory& mem, const std::string& cmdline,
                                      const std::vector<std::array<std::uint64_t, 3>>& map) {
  namespace abi = xenabi::abi;
  if (cmdline.size() >= boot_layout::end - boot_layout::cmdline)
    throw load_error("command line longer than " + std::to_string(boot_layout::end - boot_layout::cmdline - 1) +
                     " bytes");
  if (map.size() * sizeof(abi::hvm_memmap_table_entry) > boot_layout::cmdline - boot_layout::memmap)
    throw load_error("memory map too large");
  abi::hvm_start_info si{};
  si.magic = abi::XEN_HVM_START::MAGIC_VALUE;
  si.version = 1;
  si.cmdline_paddr = cmdline.empty() ? 0 : boot_layout::cmdline;
  si.memmap_paddr = boot_layout::memmap;
  si.memmap_entries = static_cast<std::uint32_t>(map.size());
  auto check = [](result<void> r) {
    if (!r) throw load_error("guest RAM too small for the PVH start info");
  };
  check(mem.write(phys_addr{boot_layout::start_info}, si));
  for (std::size_t i = 0; i < map.size(); ++i) {
    abi::hvm_memmap_table_entry e{};
    e.addr = map[i][0];
    e.size = map[i][1];
    e.type = static_cast<std::uint32_t>(map[i][2]);
    check(mem.write(phys_addr{boot_layout::memmap + i * sizeof e}, e));
  }
  check(mem.copy_to_guest(phys_addr{boot_layout::cmdline}, cmdline.c_str(), cmdline.size() + 1));
  return static_cast<std::uint32_t>(boot_layout::start_info);
}

}  // namespace hv
