// xenstored's wire protocol (hv/xenstore/wire.hpp) and ring server (ring_server.hpp): message by
// message, malformed requests, and the guest-side client (xenabi/xenstore.hpp) talking to the
// server through a sim guest's ring page and store event channel.
#include <hv/platform/sim/sim.hpp>
#include <hv/xenstore/ring_server.hpp>
#include <xenabi/xenstore.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "xenabi_test.hpp"

namespace abi = xenabi::abi;
using H = abi::hypercall;
using hv::xenstore::message;
using xenabi::errc;

namespace {
message req(abi::XS t, std::string payload, std::uint32_t tx = 0, std::uint32_t id = 7) {
  return message{static_cast<std::uint32_t>(t), id, tx, std::move(payload)};
}
std::string S(const char* s, std::size_t n) { return std::string(s, n); }
bool is_error(const message& m, const char* name) {
  return m.type == static_cast<std::uint32_t>(abi::XS::ERROR) && m.payload == std::string(name) + '\0';
}
// Parses a byte stream of messages.
std::vector<message> parse(std::string_view bytes) {
  std::vector<message> out;
  while (bytes.size() >= 16) {
    auto get = [&](std::size_t at) {
      std::uint32_t v = 0;
      for (std::size_t i = 4; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
      return v;
    };
    message m{get(0), get(4), get(8), {}};
    const std::uint32_t len = get(12);
    REQUIRE(len <= abi::XENSTORE::PAYLOAD_MAX);
    REQUIRE(bytes.size() >= 16 + len);
    m.payload = std::string(bytes.substr(16, len));
    out.push_back(m);
    bytes.remove_prefix(16 + len);
  }
  REQUIRE(bytes.empty());
  return out;
}
}  // namespace

TEST_CASE("xenstore wire: every request type, replies echo type/req_id/tx_id, errors by name") {
  hv::xenstore::store s;
  s.introduce_domain(1, "g");
  auto& c = s.connect(1);
  using T = abi::XS;
  auto r = hv::xenstore::handle_message(s, c, req(T::WRITE, S("a/b\0val", 7)));
  REQUIRE(r.type == static_cast<std::uint32_t>(T::WRITE));
  REQUIRE(r.req_id == 7);
  REQUIRE(r.payload == S("OK\0", 3));
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::READ, S("a/b\0", 4))).payload == "val");
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::MKDIR, S("a/c\0", 4))).payload == S("OK\0", 3));
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::DIRECTORY, S("a\0", 2))).payload == S("b\0c\0", 4));
  auto part = hv::xenstore::handle_message(s, c, req(T::DIRECTORY_PART, S("a\0" "2\0", 4))).payload;
  REQUIRE(part.substr(part.find('\0') + 1) == S("c\0\0", 3));  // from byte 2: "c", then the end mark
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::GET_PERMS, S("a/b\0", 4))).payload == S("n1\0", 3));
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::SET_PERMS, S("a/b\0n1\0r2\0", 10))).payload == S("OK\0", 3));
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::GET_PERMS, S("a/b\0", 4))).payload == S("n1\0r2\0", 6));
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::GET_DOMAIN_PATH, S("4\0", 2))).payload ==
          S("/local/domain/4\0", 16));
  auto t = hv::xenstore::handle_message(s, c, req(T::TRANSACTION_START, S("\0", 1)));
  const std::uint32_t tx = static_cast<std::uint32_t>(std::stoul(t.payload));
  REQUIRE(tx != 0);
  REQUIRE(is_error(hv::xenstore::handle_message(s, c, req(T::TRANSACTION_START, S("\0", 1), tx)), "EBUSY"));
  auto w = hv::xenstore::handle_message(s, c, req(T::WRITE, S("a/t\0x", 5), tx));
  REQUIRE(w.tx_id == tx);
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::TRANSACTION_END, S("T\0", 2), tx)).payload == S("OK\0", 3));
  REQUIRE(is_error(hv::xenstore::handle_message(s, c, req(T::TRANSACTION_END, S("T\0", 2), tx)), "ENOENT"));
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::WATCH, S("a\0tok\0", 6))).payload == S("OK\0", 3));
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::UNWATCH, S("a\0tok\0", 6))).payload == S("OK\0", 3));
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::RESET_WATCHES, "")).payload == S("OK\0", 3));
  REQUIRE(hv::xenstore::handle_message(s, c, req(T::RM, S("a\0", 2))).payload == S("OK\0", 3));
  REQUIRE(is_error(hv::xenstore::handle_message(s, c, req(T::READ, S("a/b\0", 4))), "ENOENT"));
  REQUIRE(is_error(hv::xenstore::handle_message(s, c, req(T::READ, S("/local/domain\0", 14))), "EACCES"));
  REQUIRE(is_error(hv::xenstore::handle_message(s, c, req(T::IS_DOMAIN_INTRODUCED, S("1\0", 2))), "EACCES"));
  REQUIRE(is_error(hv::xenstore::handle_message(s, c, req(T::INTRODUCE, S("1\0" "2\0" "3\0", 6))), "EACCES"));
}

TEST_CASE("xenstore wire: malformed requests get XS_ERROR") {
  hv::xenstore::store s;
  s.introduce_domain(1, "g");
  auto& c = s.connect(1);
  using T = abi::XS;
  auto h = [&](message m) { return hv::xenstore::handle_message(s, c, m); };
  REQUIRE(is_error(h(req(T::READ, "a")), "EINVAL"));              // missing nul
  REQUIRE(is_error(h(req(T::READ, S("a\0b\0", 4))), "EINVAL"));   // two strings
  REQUIRE(is_error(h(req(T::READ, "")), "EINVAL"));              // nothing
  REQUIRE(is_error(h(req(T::WRITE, "nonul")), "EINVAL"));
  REQUIRE(is_error(h(req(T::WATCH, S("a\0", 2))), "EINVAL"));
  REQUIRE(is_error(h(req(T::SET_PERMS, S("a\0x1\0", 5))), "EINVAL"));
  REQUIRE(is_error(h(req(T::SET_PERMS, S("a\0", 2))), "EINVAL"));
  REQUIRE(is_error(h(req(T::TRANSACTION_END, S("X\0", 2), 1)), "EINVAL"));
  REQUIRE(is_error(h(req(T::DIRECTORY_PART, S("a\0zz\0", 5))), "EINVAL"));
  REQUIRE(is_error(h(req(T::GET_DOMAIN_PATH, S("99999\0", 6))), "EINVAL"));
  REQUIRE(is_error(h(req(T::READ, S("a\x01\0", 3))), "EINVAL"));
  REQUIRE(is_error(h(req(T::WATCH_EVENT, S("a\0b\0", 4))), "ENOSYS"));
  REQUIRE(is_error(h(req(T::ERROR, "")), "ENOSYS"));
  REQUIRE(is_error(h(message{20, 1, 0, ""}), "ENOSYS"));
  REQUIRE(is_error(h(message{0xffffffffu, 1, 0, ""}), "ENOSYS"));
  REQUIRE(is_error(h(req(T::READ, S("a\0", 2), 424242)), "ENOENT"));  // no such transaction
}

TEST_CASE("xenstore wire_connection: framing across chunks, oversized headers skipped in step, events after acks") {
  hv::xenstore::store s;
  s.introduce_domain(1, "g");
  auto& c = s.connect(1);
  hv::xenstore::wire_connection w(s, c);
  const std::string a = hv::xenstore::encode(req(abi::XS::WRITE, S("k\0v", 3), 0, 1));
  const std::string watch = hv::xenstore::encode(req(abi::XS::WATCH, S("k\0tk\0", 5), 0, 2));
  message big = req(abi::XS::WRITE, std::string(5000, 'x'), 0, 3);
  std::string oversized = hv::xenstore::encode(big);  // header says 5000 > 4096
  const std::string b = hv::xenstore::encode(req(abi::XS::READ, S("k\0", 2), 0, 4));
  const std::string all = a + watch + oversized + b;
  for (std::size_t i = 0; i < all.size(); i += 7) {  // dribble it in
    w.feed(std::string_view(all).substr(i, 7));
    (void)w.process();
  }
  auto out = parse(w.output());
  REQUIRE(out.size() == 5);
  REQUIRE(out[0].req_id == 1);
  REQUIRE(out[1].req_id == 2);  // the WATCH ack...
  REQUIRE(out[2].type == static_cast<std::uint32_t>(abi::XS::WATCH_EVENT));  // ...then its first event
  REQUIRE(out[2].payload == S("k\0tk\0", 5));
  REQUIRE(is_error(out[3], "E2BIG"));
  REQUIRE(out[3].req_id == 3);
  REQUIRE(out[4].req_id == 4);  // still in step after 5000 skipped bytes
  REQUIRE(out[4].payload == "v");
}

namespace {
// The guest side of the sim: the xenabi client's environment notifies through EVTCHNOP_send and
// waits by sleeping briefly (the server runs on the driver domain's thread).
struct sim_env {
  hv::sim::machine* m;
  std::uint32_t port;
  void notify() {
    abi::evtchn_send s{port};
    m->put(0x1000, s);
    (void)m->call(H::event_channel_op, static_cast<std::uint64_t>(abi::EVTCHNOP::send), 0x1000);
  }
  void wait() { std::this_thread::sleep_for(std::chrono::microseconds(200)); }
};
}  // namespace

TEST_CASE("xenstore ring server: the guest client reads, writes, watches and transacts through its ring page") {
  hv::sim::machine m;
  hv::xenstore::store s;
  hv::backend::driver_domain ts(m.hosts(), s, hv::xenstore::toolstack_domid, "xenstored");
  hv::xenstore::ring_server srv(ts, s);
  ts.start();
  REQUIRE(srv.attach(m.dom(0), hv::xenstore::special_pages::store_gfn, "guest0"));
  REQUIRE(srv.attach(m.dom(0), hv::xenstore::special_pages::store_gfn, "guest0") == errc::eexist);
  // the guest learns the page and port from its HVM params, as a PVH guest does
  const auto pfn = m.dom(0).hvm_params[static_cast<std::size_t>(abi::HVM_PARAM::STORE_PFN)];
  const auto port = m.dom(0).hvm_params[static_cast<std::size_t>(abi::HVM_PARAM::STORE_EVTCHN)];
  REQUIRE(pfn == hv::xenstore::special_pages::store_gfn);
  REQUIRE(port != 0);
  auto* page = reinterpret_cast<abi::xenstore_domain_interface*>(
      m.dom(0).mem.translate(xenabi::phys_addr{pfn << 12}, 4096).value().data());
  sim_env env{&m, static_cast<std::uint32_t>(port)};
  xenabi::xenstore_client<sim_env> xs(*page, env);
  char buf[4096];
  auto n = xs.read("name", buf, sizeof buf);
  REQUIRE(n);
  REQUIRE(std::string(buf, n.value()) == "guest0");
  REQUIRE(xs.read("/local/domain/0/domid", buf, sizeof buf));
  REQUIRE(xs.write("data/big", xenabi::xs_str(std::string(2000, 'q').c_str())));  // crosses the 1 KiB ring
  n = xs.read("data/big", buf, sizeof buf);
  REQUIRE(n.value() == 2000);
  REQUIRE(xs.read("nothing", buf, sizeof buf) == errc::enoent);
  REQUIRE(xs.read("/tool", buf, sizeof buf) == errc::eacces);
  REQUIRE(xs.watch("data", "tok"));
  auto ev = xs.next_watch_event(buf, sizeof buf);  // the initial firing
  REQUIRE(ev);
  REQUIRE(ev.value().path == xenabi::xs_str("data"));
  REQUIRE(ev.value().token == xenabi::xs_str("tok"));
  // a change made by the toolstack reaches the guest as a watch event
  REQUIRE(s.write(s.toolstack(), 0, "/local/domain/0/data/x", "1"));
  ev = xs.next_watch_event(buf, sizeof buf);
  REQUIRE(ev);
  REQUIRE(ev.value().path == xenabi::xs_str("data/x"));
  // a transaction that conflicts with the toolstack is retried by transact()
  int runs = 0;
  REQUIRE(xs.transact([&](xenabi::u32 tx) -> xenabi::result<void> {
    char v[16];
    XENABI_TRY(xs.read("data/x", v, sizeof v, tx));
    if (++runs == 1) (void)s.write(s.toolstack(), 0, "/local/domain/0/data/x", "2");
    return xs.write("data/y", "done", tx);
  }));
  REQUIRE(runs == 2);
  REQUIRE(s.read(s.toolstack(), 0, "/local/domain/0/data/y").value() == "done");
  // the calls added for xenbus: domain path, directory in parts, reset of watches
  n = xs.get_domain_path(0, buf, sizeof buf);
  REQUIRE(std::string(buf, n.value()) == "/local/domain/0");
  for (int i = 0; i < 40; ++i) REQUIRE(xs.write(xenabi::xs_str(("many/child" + std::to_string(i)).c_str()), "v"));
  std::string all;
  xenabi::u32 off = 0;
  xenabi::u64 gen = 0, gen0 = 0;
  bool complete = false;
  for (int part = 0; !complete && part < 100; ++part) {
    char small[4096];
    auto got = xs.directory_part("many", off, small, sizeof small, gen, complete);
    REQUIRE(got);
    if (part == 0) gen0 = gen;
    REQUIRE(gen == gen0);
    all.append(small, got.value());
    off += static_cast<xenabi::u32>(got.value());
  }
  REQUIRE(complete);
  std::size_t names = 0;
  xenabi::for_each_xs_string(all.data(), all.size(), [&](xenabi::xs_str) { ++names; });
  REQUIRE(names == 40);
  REQUIRE(xs.reset_watches());
  while (xs.next_watch_event(buf, sizeof buf, false)) {
  }  // events of the changes above: all arrived before the reset's reply
  REQUIRE(s.write(s.toolstack(), 0, "/local/domain/0/data/z", "1"));
  REQUIRE(xs.next_watch_event(buf, sizeof buf, false) == errc::eagain);  // no watch any more
  REQUIRE_FALSE(xs.broken());
  ts.stop();
}

TEST_CASE("xenstore ring server: corrupt ring indices abandon that ring only, with XENSTORE_ERROR_RINGIDX") {
  hv::sim::machine m;
  m.add_domain(1);
  hv::xenstore::store s;
  hv::backend::driver_domain ts(m.hosts(), s, hv::xenstore::toolstack_domid, "xenstored");
  hv::xenstore::ring_server srv(ts, s);
  REQUIRE(srv.attach(m.dom(0), 8, "a"));
  REQUIRE(srv.attach(m.dom(1), 8, "b"));
  REQUIRE(srv.attach(m.dom(1), 1u << 30, "c") == errc::efault);
  auto page = [&](std::uint16_t d) {
    return reinterpret_cast<abi::xenstore_domain_interface*>(m.dom(d).mem.translate(xenabi::phys_addr{8 << 12}, 4096).value().data());
  };
  page(0)->req_prod = 5000;  // claims 5000 bytes in a 1024-byte ring
  srv.service(0);
  REQUIRE(srv.abandoned(0));
  REQUIRE(page(0)->error == static_cast<std::uint32_t>(abi::XENSTORE_ERROR::RINGIDX));
  // domain 1 is still served (driven by hand here: no thread)
  xenabi::xenstore_back guest_side(*page(1));
  (void)guest_side;
  auto* p1 = page(1);
  const std::string msg = hv::xenstore::encode(req(abi::XS::READ, S("name\0", 5), 0, 9));
  std::memcpy(p1->req, msg.data(), msg.size());
  p1->req_prod = static_cast<std::uint32_t>(msg.size());
  srv.service(1);
  REQUIRE_FALSE(srv.abandoned(1));
  REQUIRE(p1->req_cons == msg.size());
  auto out = parse(std::string_view(p1->rsp, p1->rsp_prod));
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].payload == "b");
}
