// libFuzzer target: xenstored's message handler (hv/xenstore/wire.hpp) fed arbitrary byte
// streams from three clients at once (two guests and the toolstack), in chunks the input
// chooses. Checks, besides the sanitizers: every output is a well-formed stream of messages no
// longer than XENSTORE_PAYLOAD_MAX, each a reply type or a watch event; guest 2 never receives
// the value of a node only guest 1 and the toolstack may read (a random secret the input cannot
// contain).
#include <hv/xenstore/wire.hpp>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {
namespace abi = xenabi::abi;

const std::string& secret() {
  static const std::string s = [] {
    std::random_device rd;
    std::string v = "secret-";
    for (int i = 0; i < 4; ++i) v += std::to_string(rd());
    return v;
  }();
  return s;
}

void check_stream(const std::string& out, bool is_guest2) {
  std::string_view b = out;
  while (b.size() >= 16) {
    auto get = [&](std::size_t at) {
      std::uint32_t v = 0;
      for (std::size_t i = 4; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
      return v;
    };
    const std::uint32_t type = get(0), len = get(12);
    if (len > abi::XENSTORE::PAYLOAD_MAX || b.size() < 16 + std::size_t{len}) std::abort();
    if (type >= static_cast<std::uint32_t>(abi::XS::TYPE_COUNT) || type == 20) std::abort();
    b.remove_prefix(16 + len);
  }
  if (!b.empty()) std::abort();
  if (is_guest2 && out.find(secret()) != std::string::npos) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hv::xenstore::quota q;
  q.nodes = 64;  // keep each run small
  q.watches = 16;
  q.transactions = 4;
  hv::xenstore::store s(q);
  s.introduce_domain(1, "one");
  s.introduce_domain(2, "two");
  auto& ts = s.toolstack();
  (void)s.write(ts, 0, "/local/domain/1/private", secret());
  (void)s.set_perms(ts, 0, "/local/domain/1/private",
                    {hv::xenstore::perm{hv::xenstore::toolstack_domid, 'n'}, hv::xenstore::perm{1, 'r'}});
  (void)s.set_special_perms("@releaseDomain", {hv::xenstore::perm{hv::xenstore::toolstack_domid, 'n'},
                                               hv::xenstore::perm{1, 'r'}, hv::xenstore::perm{2, 'r'}});
  auto& c1 = s.connect(1);
  auto& c2 = s.connect(2);
  auto& cp = s.connect(hv::xenstore::toolstack_domid, true);
  hv::xenstore::wire_connection w[3] = {{s, c1}, {s, c2}, {s, cp}};
  std::size_t i = 0;
  while (i < size) {
    const std::uint8_t k = data[i++];
    const std::size_t who = k % 3;
    const std::size_t len = std::min<std::size_t>(size - i, std::size_t{k / 3u % 64u} * 8 + 1);
    if (k == 0xff) s.release_domain(2, false);  // domain life-cycle events in between
    if (k == 0xfe) s.introduce_domain(2, "two");
    w[who].feed(std::string_view(reinterpret_cast<const char*>(data + i), len));
    i += len;
    (void)w[who].process();
    for (std::size_t j = 0; j < 3; ++j) {
      w[j].drain_events();
      check_stream(w[j].output(), j == 1);
      w[j].consume_output(w[j].output().size());
    }
  }
  return 0;
}
