// libFuzzer target: blkback fed a hostile front end. The input supplies the whole shared ring
// (one or two pages: indices and request slots, in the x86_64 or the i386 layout), an indirect
// page, and the front end's grant entries for references 8..47; blkback's ring consumer and
// request handler (in both grant regimes) run over them synchronously. Anything but a clean response or a refused ring is a bug; ASan and
// UBSan watch every access.
#include <cstdint>
#include <cstring>
#include <memory>

#include "blk_fixture.hpp"

namespace {

struct world {
  blktest::fixture f;
  std::string path = "/dev/shm/xenabi-blkif-fuzz-" + std::to_string(::getpid());
  std::unique_ptr<hv::blk::disk> d;
  world() {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ::ftruncate(fd, 256 * 1024) != 0) std::abort();
    ::close(fd);
    d = std::make_unique<hv::blk::disk>(path, false);
    ::unlink(path.c_str());  // the descriptor keeps it alive
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static world w;
  auto& f = w.f;
  // Layout of the input: [flags 1][grant entries 40 * 8][ring page 4096][indirect page 4096]
  // [second ring page 4096], each part zero-filled if the input is short.
  static std::uint8_t buf[1 + 40 * 8 + 4096 + 4096 + 4096];
  std::memset(buf, 0, sizeof buf);
  std::memcpy(buf, data, size < sizeof buf ? size : sizeof buf);
  const std::uint8_t flags = buf[0];
  {
    std::lock_guard lock(f.fe.mu);
    for (std::uint32_t i = 0; i < 40; ++i) {
      xenabi::abi::grant_entry_v1 e;
      std::memcpy(&e, buf + 1 + i * 8, 8);
      // Keep most entries plausible (granted to the back end, frames inside RAM) so the fuzzer
      // reaches the data paths; bit 7 of the flags byte lets them be fully hostile.
      if ((flags & 0x80) == 0) {
        e.domid = blktest::be_id;
        e.frame = static_cast<std::uint32_t>(0x200 + (e.frame % 64));
        e.flags = static_cast<std::uint16_t>(e.flags & (xenabi::abi::GTF::readonly | 3u));
        if ((e.flags & 3u) != 0) e.flags = static_cast<std::uint16_t>((e.flags & ~3u) | xenabi::abi::GTF::permit_access);
      }
      std::memcpy(f.entry(8 + i), &e, sizeof e);
    }
  }
  std::memcpy(f.page(0x300), buf + 1 + 40 * 8, 4096);          // the ring page
  std::memcpy(f.page(0x200 + 5), buf + 1 + 40 * 8 + 4096, 4096);  // a frame indirect grants may name
  std::memcpy(f.page(0x301), buf + 1 + 40 * 8 + 2 * 4096, 4096);   // the ring's second page

  hv::blk::features feat;
  feat.max_indirect_segments = (flags & 1) != 0 ? 1024 : 64;  // 1024 is clamped to 8 pages' worth
  feat.discard = (flags & 2) != 0;
  feat.barrier = (flags & 4) != 0;
  hv::blk::grant_access grants(f.be, blktest::fe_id, (flags & 8) != 0, 64);
  hv::blk::request_handler h(*w.d, grants, feat);
  std::vector<std::byte*> pages{f.page(0x300)};
  if ((flags & 0x20) != 0) pages.push_back(f.page(0x301));
  hv::blk::shared_ring ring(pages, (flags & 0x10) != 0 ? hv::blk::abi_width::x86_32 : hv::blk::abi_width::x86_64);
  for (int round = 0; round < 4; ++round) {
    std::vector<hv::blk::bif::request> batch;
    auto n = ring.consume([&](const hv::blk::bif::request& r) { batch.push_back(r); });
    if (!n) break;  // refused: the connection would be closed
    for (const auto& r : batch) {
      hv::blk::bif::response rsp{};
      rsp.id = r.id;
      rsp.operation = hv::blk::response_operation(r);
      rsp.status = h.serve(r);
      if (rsp.status != 0 && rsp.status != -1 && rsp.status != -2) std::abort();
      ring.produce(rsp);
    }
    (void)ring.push();
    if (batch.empty()) break;
  }
  grants.clear();
  {
    std::lock_guard lock(f.be.mu);
    for (auto& m : f.be.maptrack)
      if (m.in_use) std::abort();  // every mapping is gone after the connection ends
  }
  return 0;
}
