// Hand-made ELF64 x86-64 images for tests and benchmarks of xenhv's PVH loader: a list of
// segments (PT_LOAD with contents, PT_NOTE with a Xen note), headers first, contents after them.
#pragma once

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace xenabi_test {

/// One program header and its contents.
struct elf_segment {
  std::uint32_t type;               ///< PT_LOAD, PT_NOTE, ...
  std::uint64_t paddr;              ///< Physical (= virtual) address.
  std::vector<std::uint8_t> data;   ///< File contents (p_filesz bytes).
  std::uint64_t memsz;              ///< p_memsz (may exceed the contents: bss).
};

/// An ELF64 x86-64 executable with \p segs, in order, contents placed after the headers.
inline std::vector<std::uint8_t> make_elf(const std::vector<elf_segment>& segs) {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_phoff = sizeof eh;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = static_cast<Elf64_Half>(segs.size());
  std::vector<std::uint8_t> img(sizeof eh + segs.size() * sizeof(Elf64_Phdr));
  std::memcpy(img.data(), &eh, sizeof eh);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    Elf64_Phdr ph{};
    ph.p_type = segs[i].type;
    ph.p_offset = img.size();
    ph.p_paddr = ph.p_vaddr = segs[i].paddr;
    ph.p_filesz = segs[i].data.size();
    ph.p_memsz = segs[i].memsz;
    img.insert(img.end(), segs[i].data.begin(), segs[i].data.end());
    std::memcpy(img.data() + sizeof eh + i * sizeof ph, &ph, sizeof ph);
  }
  return img;
}

/// The contents of a "Xen" ELF note of \p type with a 4-byte \p value.
inline std::vector<std::uint8_t> xen_note(std::uint32_t type, std::uint32_t value) {
  std::vector<std::uint8_t> n(20);
  const std::uint32_t hdr[3] = {4, 4, type};
  std::memcpy(n.data(), hdr, 12);
  std::memcpy(n.data() + 12, "Xen", 4);
  std::memcpy(n.data() + 16, &value, 4);
  return n;
}

/// A PT_NOTE segment holding XEN_ELFNOTE_PHYS32_ENTRY (18) = \p entry.
inline elf_segment pvh_entry_note(std::uint32_t entry) { return {PT_NOTE, 0, xen_note(18, entry), 20}; }

}  // namespace xenabi_test
