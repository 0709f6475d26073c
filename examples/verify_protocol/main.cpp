// Proving a ring protocol with xenabi::verify: a "one request at a time" protocol whose front
// end always notifies (no event-index check) and waits for each response with the final-check
// dance, against the standard Xen back end. See porting-guide/13-verify-ring-protocol.md.
#include <xenabi/verify/checker.hpp>
#include <xenabi/verify/messages.hpp>
#include <xenabi/verify/standard_ring.hpp>

#include <hv/verify/trace_print.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>

namespace vf = xenabi::verify;

// [protocol]
// 1. The messages, described with Boost.Hana: both carry the same `id`.
struct echo_request {
  BOOST_HANA_DEFINE_STRUCT(echo_request, (std::uint32_t, id), (std::uint32_t, payload));
};
struct echo_response {
  BOOST_HANA_DEFINE_STRUCT(echo_response, (std::uint32_t, id), (std::int32_t, status));
};

// 2. The protocol: slot count, requests per checked run, and one step of each end. A step does
//    at most one shared action (load, store, mb, notify, sleep, finish) and sets the next pc.
template <bool WithBarrier>
struct echo_protocol {
  using request = echo_request;
  using response = echo_response;
  static constexpr std::uint32_t slots = 2;
  static constexpr std::uint32_t requests = 3;

  static constexpr void front(vf::step_ctx& c) noexcept {
    switch (c.pc) {
      case 0: c.write_request(c.prod++); c.pc = 1; return;           // fill the slot
      case 1: c.store(vf::loc::req_prod, c.prod); c.pc = 2; return;  // publish (after wmb)
      case 2: c.notify(); c.pc = 3; return;                          // always kick the back end
      case 3: c.store(vf::loc::rsp_event, c.cons + 1); c.pc = WithBarrier ? 4 : 5; return;
      case 4: c.mb(); c.pc = 5; return;                              // final check: mb, re-check
      case 5:
        c.a = c.load(vf::loc::rsp_prod);
        c.pc = c.a != c.cons ? 7 : 6;
        return;
      case 6: c.sleep(); c.pc = 5; return;
      case 7:
        c.read_response(c.cons++);
        c.pc = c.requests_left() != 0 ? 0 : 8;
        return;
      default: c.finish(); return;
    }
  }
  // The back end is Xen's standard one.
  static constexpr void back(vf::step_ctx& c) noexcept { vf::standard_ring<2, 3>::back(c); }
};

// 3. The proof: runs inside the compiler.
static_assert(vf::messages_consistent<echo_protocol<true>>());
static_assert(vf::check<echo_protocol<true>>().ok());
// Without the barrier the response can slip past the front end's final check under x86-TSO.
static_assert(vf::check<echo_protocol<false>>().outcome == vf::verdict::lost_wakeup);
// [protocol]

int main() {
  // [run]
  // The same checks at run time, with statistics and the counter-example printed.
  auto good = std::make_unique<vf::checker<echo_protocol<true>>>();
  auto bad = std::make_unique<vf::checker<echo_protocol<false>>>();
  const vf::result ok = good->run();
  const vf::result broken = bad->run();
  hv::verify::print(stdout, ok);
  hv::verify::print(stdout, broken);
  // [run]
  return ok.ok() && broken.outcome == vf::verdict::lost_wakeup ? 0 : 1;
}
