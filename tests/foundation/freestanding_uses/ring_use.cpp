// Freestanding use of xenabi/ring.hpp and xenabi/byte_ring.hpp: a block-ring round trip and a
// console write, linked -nostdlib -static against nothing but the memory functions.
#include <xenabi/byte_ring.hpp>
#include <xenabi/ring.hpp>

namespace {
alignas(4096) xenabi::blkif_ring::shared_ring blk_page;
xenabi::abi::xencons_interface console_page;
}  // namespace

extern "C" int xenabi_use_ring() {
  using namespace xenabi;
  auto front = front_ring<blkif_ring>::init(blk_page);
  auto back = back_ring<blkif_ring>::attach(blk_page, 0);
  auto& req = front.claim_request();
  req.operation = static_cast<std::uint8_t>(abi::BLKIF_OP::READ);
  req.id = 42;
  const bool notify_back = front.push_requests();
  abi::blkif_request got{};
  if (!back.consume_request(got).value_or(false) || got.id != 42) return 1;
  abi::blkif_response rsp{};
  rsp.id = got.id;
  rsp.status = static_cast<std::int16_t>(abi::BLKIF_RSP::OKAY);
  back.produce_response(rsp);
  const bool notify_front = back.push_responses();
  abi::blkif_response answer{};
  if (!front.consume_response(answer).value_or(false) || answer.id != 42) return 2;
  if (front.final_check_for_responses().value_or(true)) return 3;

  console_front con(console_page);
  auto n = con.out.write("ring\n", 5);
  if (!n || n.value() != 5) return 4;
  return notify_back && notify_front ? 0 : 5;
}
