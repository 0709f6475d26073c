// hv/time.hpp (Xen's TSC scale), hv/trace.hpp (formatting), hv/hypercall_page.hpp (stubs).
#include <hv/hypercall_page.hpp>
#include <hv/time.hpp>
#include <hv/trace.hpp>

#include <array>
#include <cstddef>

#include "xenabi_test.hpp"

TEST_CASE("tsc_scale: one second of ticks is one second of nanoseconds, mul normalized") {
  for (std::uint32_t khz : {1000000u, 2596128u, 3000000u, 32768u, 100u, 4200000u}) {
    const auto s = hv::tsc_scale::for_khz(khz);
    REQUIRE(s.mul >= (1u << 31));
    const std::uint64_t ns = s.to_ns(std::uint64_t{khz} * 1000u);
    REQUIRE(ns <= 1000000000u);
    REQUIRE(ns >= 1000000000u - 2);
  }
  // compile time too
  XENABI_BOTH_REQUIRE(hv::tsc_scale::for_khz(1000000).to_ns(1000) == 1000);
}

TEST_CASE("trace: text and JSON renderings") {
  hv::trace_record r;
  r.domain = 1;
  r.vcpu = 0;
  r.nr = 32;
  r.name = "event_channel_op";
  r.args = {{"cmd", "EVTCHNOP_send", false}, {"text", "a\"b", true}};
  r.result = -22;
  r.note = "port out of range";
  REQUIRE(hv::format_text(r) ==
          "d1v0 event_channel_op(cmd=EVTCHNOP_send, text=\"a\"b\") = -22 EINVAL (port out of range)");
  REQUIRE(hv::format_json(r) ==
          "{\"domain\":1,\"vcpu\":0,\"nr\":32,\"name\":\"event_channel_op\",\"args\":{\"cmd\":\"EVTCHNOP_send\","
          "\"text\":\"a\\\"b\"},\"result\":-22,\"errno\":\"EINVAL\",\"note\":\"port out of range\"}");
  REQUIRE(hv::render_result(0x40011) == "0x40011");
  REQUIRE(hv::render_result(3) == "3");
}

TEST_CASE("hypercall page: each stub is mov nr to eax, out to port 0xe4, ret, padded with int3") {
  std::array<std::byte, 4096> page{};
  hv::fill_hypercall_page(page);
  for (std::size_t nr = 0; nr < hv::hypercall_stub_count; ++nr) {
    const auto* s = page.data() + nr * hv::hypercall_stub_size;
    REQUIRE(s[0] == std::byte{0xb8});  // mov imm32, %eax (clobbers only rax)
    const auto imm = std::to_integer<std::uint32_t>(s[1]) | std::to_integer<std::uint32_t>(s[2]) << 8 |
                     std::to_integer<std::uint32_t>(s[3]) << 16 | std::to_integer<std::uint32_t>(s[4]) << 24;
    REQUIRE(imm == nr);
    REQUIRE(s[5] == std::byte{0xe6});  // out %al, imm8
    REQUIRE(std::to_integer<std::uint16_t>(s[6]) == hv::hypercall_port);
    REQUIRE(s[7] == std::byte{0xc3});  // ret
    for (std::size_t i = 8; i < hv::hypercall_stub_size; ++i) REQUIRE(s[i] == std::byte{0xcc});
  }
}
