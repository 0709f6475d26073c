/// \file
/// The PVH ELF loader: validates a kernel image completely, then copies its PT_LOAD segments
/// into guest RAM at their physical addresses and returns the `XEN_ELFNOTE_PHYS32_ENTRY` point.
///
/// A bad image (not ELF, wrong class or machine, truncated headers, segment outside the file,
/// overlapping segments, segment outside RAM or over a reserved range, no PHYS32_ENTRY note)
/// throws `hv::load_error` with a message naming the problem, before anything is written.
#pragma once

#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <hv/memory.hpp>

namespace hv {

/// A kernel image that cannot be loaded; the message says why.
class load_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Xen's ELF note type for the 32-bit PVH entry point (`XEN_ELFNOTE_PHYS32_ENTRY`).
inline constexpr std::uint32_t xen_elfnote_phys32_entry = 18;

/// What the loader found and loaded.
struct loaded_kernel {
  /// Guest-physical PVH entry point (from the PHYS32_ENTRY note).
  std::uint32_t entry = 0;
  /// Lowest guest-physical byte of the image.
  std::uint64_t low = 0;
  /// One past the highest guest-physical byte of the image (page-rounded up).
  std::uint64_t high = 0;
};

/// One PT_LOAD segment, normalized from ELF32 or ELF64.
struct elf_segment {
  std::uint64_t offset;  ///< File offset of the contents.
  std::uint64_t paddr;   ///< Guest-physical load address.
  std::uint64_t filesz;  ///< Bytes in the file.
  std::uint64_t memsz;   ///< Bytes in memory (the rest is zeroed).
};

namespace detail {
inline std::string hex(std::uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(v));
  return b;
}

template <class T>
T read_at(std::span<const std::uint8_t> img, std::uint64_t off, const char* what) {
  if (off > img.size() || img.size() - off < sizeof(T))
    throw load_error(std::string("truncated ELF: ") + what + " at offset " + hex(off) + " is past the end of the file");
  T v;
  std::memcpy(&v, img.data() + off, sizeof(T));
  return v;
}

// Scans a note area for ("Xen", PHYS32_ENTRY); returns true and sets entry if found.
inline bool find_phys32_note(std::span<const std::uint8_t> img, std::uint64_t off, std::uint64_t size,
                             std::uint32_t& entry) {
  if (off > img.size() || size > img.size() - off) throw load_error("ELF note area lies outside the file");
  std::uint64_t p = off, end = off + size;
  auto align4 = [](std::uint64_t v) { return (v + 3) & ~std::uint64_t{3}; };
  while (end - p >= 12) {
    auto namesz = read_at<std::uint32_t>(img, p, "note");
    auto descsz = read_at<std::uint32_t>(img, p + 4, "note");
    auto type = read_at<std::uint32_t>(img, p + 8, "note");
    std::uint64_t name = p + 12, desc = name + align4(namesz), next = desc + align4(descsz);
    if (next > end) throw load_error("malformed ELF note (size runs past its segment)");
    if (namesz == 4 && std::memcmp(img.data() + name, "Xen", 4) == 0 && type == xen_elfnote_phys32_entry) {
      if (descsz == 4) {
        entry = read_at<std::uint32_t>(img, desc, "note");
      } else if (descsz == 8) {
        auto e = read_at<std::uint64_t>(img, desc, "note");
        if (e > 0xffffffffu) throw load_error("PHYS32_ENTRY note value " + hex(e) + " is above 4 GiB");
        entry = static_cast<std::uint32_t>(e);
      } else {
        throw load_error("PHYS32_ENTRY note has descriptor size " + std::to_string(descsz) + " (want 4 or 8)");
      }
      return true;
    }
    p = next;
  }
  return false;
}
}  // namespace detail

/// A guest-physical range the kernel must not overlap (start info, hypervisor pages).
struct reserved_range {
  std::uint64_t start;  ///< First byte.
  std::uint64_t end;    ///< One past the last byte.
  const char* what;     ///< What lives there, for the error message.
};

/// Validates \p img as a PVH kernel for RAM \p mem (avoiding \p reserved), then loads it.
/// Throws `load_error` (and writes nothing) if anything is wrong.
inline loaded_kernel load_pvh_elf(std::span<const std::uint8_t> img, const guest_memory& mem,
                                  std::span<const reserved_range> reserved = {}) {
  using detail::hex;
  using detail::read_at;
  if (img.size() < EI_NIDENT || std::memcmp(img.data(), ELFMAG, SELFMAG) != 0)
    throw load_error("not an ELF file (bad magic)");
  const std::uint8_t cls = img[EI_CLASS];
  if (cls != ELFCLASS32 && cls != ELFCLASS64) throw load_error("unknown ELF class " + std::to_string(cls));
  if (img[EI_DATA] != ELFDATA2LSB) throw load_error("ELF is not little-endian");
  std::vector<elf_segment> segs;
  std::uint32_t entry = 0;
  bool have_entry = false;
  auto add_phdr = [&](std::uint32_t type, std::uint64_t off, std::uint64_t paddr, std::uint64_t filesz,
                      std::uint64_t memsz) {
    if (type == PT_NOTE && !have_entry) have_entry = detail::find_phys32_note(img, off, filesz, entry);
    if (type != PT_LOAD || memsz == 0) return;
    if (filesz > memsz) throw load_error("PT_LOAD at " + hex(paddr) + ": file size exceeds memory size");
    if (off > img.size() || filesz > img.size() - off)
      throw load_error("PT_LOAD at " + hex(paddr) + ": contents lie outside the file");
    segs.push_back({off, paddr, filesz, memsz});
  };
  if (cls == ELFCLASS64) {
    auto eh = read_at<Elf64_Ehdr>(img, 0, "ELF header");
    if (eh.e_machine != EM_X86_64) throw load_error("ELF machine " + std::to_string(eh.e_machine) + " is not x86-64");
    if (eh.e_phentsize != sizeof(Elf64_Phdr)) throw load_error("bad program header size");
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
      auto ph = read_at<Elf64_Phdr>(img, eh.e_phoff + std::uint64_t{i} * sizeof(Elf64_Phdr), "program header");
      add_phdr(ph.p_type, ph.p_offset, ph.p_paddr, ph.p_filesz, ph.p_memsz);
    }
  } else {
    auto eh = read_at<Elf32_Ehdr>(img, 0, "ELF header");
    if (eh.e_machine != EM_386 && eh.e_machine != EM_X86_64)
      throw load_error("ELF machine " + std::to_string(eh.e_machine) + " is not x86");
    if (eh.e_phentsize != sizeof(Elf32_Phdr)) throw load_error("bad program header size");
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
      auto ph = read_at<Elf32_Phdr>(img, eh.e_phoff + std::uint64_t{i} * sizeof(Elf32_Phdr), "program header");
      add_phdr(ph.p_type, ph.p_offset, ph.p_paddr, ph.p_filesz, ph.p_memsz);
    }
  }
  if (!have_entry)
    throw load_error("no Xen PHYS32_ENTRY ELF note (type 18): not a PVH kernel");
  if (segs.empty()) throw load_error("no PT_LOAD segments");
  loaded_kernel k;
  k.entry = entry;
  k.low = ~std::uint64_t{0};
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto& s = segs[i];
    if (!mem.contains(phys_addr{s.paddr}, s.memsz))
      throw load_error("PT_LOAD " + hex(s.paddr) + "+" + hex(s.memsz) + " lies outside guest RAM (" +
                       hex(mem.size()) + " bytes)");
    for (std::size_t j = 0; j < i; ++j) {
      const auto& o = segs[j];
      if (s.paddr < o.paddr + o.memsz && o.paddr < s.paddr + s.memsz)
        throw load_error("PT_LOAD segments overlap: " + hex(s.paddr) + "+" + hex(s.memsz) + " and " +
                         hex(o.paddr) + "+" + hex(o.memsz));
    }
    for (const auto& r : reserved) {
      if (s.paddr < r.end && r.start < s.paddr + s.memsz)
        throw load_error("PT_LOAD " + hex(s.paddr) + "+" + hex(s.memsz) + " overlaps the " + r.what + " at " +
                         hex(r.start));
    }
    k.low = std::min(k.low, s.paddr);
    k.high = std::max(k.high, s.paddr + s.memsz);
  }
  bool entry_inside = false;
  for (const auto& s : segs) entry_inside |= entry >= s.paddr && entry < s.paddr + s.memsz;
  if (!entry_inside) throw load_error("PHYS32_ENTRY " + hex(entry) + " is not inside any PT_LOAD segment");
  // Everything checked: load.
  for (const auto& s : segs) {
    auto dst = mem.translate(phys_addr{s.paddr}, s.memsz);
    std::memcpy(dst.value().data(), img.data() + s.offset, static_cast<std::size_t>(s.filesz));
    std::memset(dst.value().data() + s.filesz, 0, static_cast<std::size_t>(s.memsz - s.filesz));
  }
  k.high = (k.high + xenabi::page_size - 1) & ~(xenabi::page_size - 1);
  return k;
}

}  // namespace hv
