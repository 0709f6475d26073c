// xenbus.hpp: the state tables (at compile time and run time), state parsing, paths, device
// discovery and the frontend driver over a constexpr in-memory xenstore (a fake client with the
// xenstore_client calls), including a backend restart that makes the frontend reconnect.
#include <xenabi/xenbus.hpp>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;
using S = abi::XenbusState;
using A = xenbus_action;

// A tiny xenstore: 32 nodes of 64-byte paths and 64-byte values; transactions commit at once
// (conflicts are the real store's business, tested in tests/hv/xenstore).
struct fake_store {
  struct node {
    char path[64]{};
    std::size_t plen = 0;
    char value[64]{};
    std::size_t vlen = 0;
    bool used = false;
  };
  node nodes[32]{};
  unsigned writes = 0;
  unsigned tx_started = 0;
  unsigned watches = 0;

  constexpr node* find(xs_str p) {
    for (auto& n : nodes)
      if (n.used && xs_str{n.path, n.plen} == p) return &n;
    return nullptr;
  }
  constexpr result<std::size_t> read(xs_str p, char* buf, std::size_t cap, u32 = 0) {
    node* n = find(p);
    if (n == nullptr) return errc::enoent;
    if (n->vlen > cap) return errc::enobufs;
    for (std::size_t i = 0; i < n->vlen; ++i) buf[i] = n->value[i];
    return n->vlen;
  }
  constexpr result<void> write(xs_str p, xs_str v, u32 = 0) {
    node* n = find(p);
    if (n == nullptr)
      for (auto& x : nodes)
        if (!x.used) {
          n = &x;
          break;
        }
    if (n == nullptr || p.size > 64 || v.size > 64) return errc::enospc;
    n->used = true;
    n->plen = p.size;
    for (std::size_t i = 0; i < p.size; ++i) n->path[i] = p.data[i];
    n->vlen = v.size;
    for (std::size_t i = 0; i < v.size; ++i) n->value[i] = v.data[i];
    ++writes;
    return {};
  }
  constexpr result<void> rm(xs_str p, u32 = 0) {
    node* n = find(p);
    if (n != nullptr) n->used = false;
    return {};
  }
  // Children of `p`: names of nodes whose path is p + "/" + name (no further '/').
  constexpr result<std::size_t> directory(xs_str p, char* buf, std::size_t cap, u32 = 0) {
    std::size_t used = 0;
    bool any = false;
    for (auto& n : nodes) {
      if (!n.used || n.plen <= p.size + 1 || !(xs_str{n.path, p.size} == p) || n.path[p.size] != '/') continue;
      any = true;
      std::size_t start = p.size + 1, end = start;
      while (end < n.plen && n.path[end] != '/') ++end;
      // skip duplicates
      const xs_str name{n.path + start, end - start};
      bool dup = false;
      for_each_xs_string(buf, used, [&](xs_str s) { dup = dup || s == name; });
      if (dup) continue;
      if (used + name.size + 1 > cap) return errc::enobufs;
      for (std::size_t i = 0; i < name.size; ++i) buf[used++] = name.data[i];
      buf[used++] = '\0';
    }
    if (!any) return errc::enoent;
    return used;
  }
  constexpr result<void> watch(xs_str, xs_str) {
    ++watches;
    return {};
  }
  template <class F>
  constexpr result<void> transact(F&& body, unsigned = 16) {
    ++tx_started;
    return body(u32{1});
  }
};

struct ops {
  unsigned published = 0, connected_count = 0, disconnects = 0;
  u32 ring_ref = 8;
  constexpr result<void> publish(fake_store& xs, const xenbus_frontend<fake_store>& fe, u32 tx) {
    ++published;
    char d[10]{};
    const std::size_t n = format_xs_u32(ring_ref++, d);
    return xs.write(fe.key("ring-ref").str(), xs_str{d, n}, tx);
  }
  constexpr void connected() { ++connected_count; }
  constexpr void disconnect() { ++disconnects; }
};

constexpr void set(fake_store& s, const char* p, const char* v) { (void)s.write(xs_str{p}, xs_str{v}); }
constexpr bool value_is(fake_store& s, const char* p, const char* v) {
  char b[64]{};
  auto n = s.read(xs_str{p}, b, sizeof b);
  return n && xs_str{b, n.value()} == xs_str{v};
}

constexpr fake_store with_device() {
  fake_store s;
  set(s, "device/vbd/51712/backend", "/local/domain/32513/backend/vbd/0/51712");
  set(s, "device/vbd/51712/backend-id", "32513");
  set(s, "device/vbd/51712/state", "1");
  set(s, "device/vbd/51760/backend", "/local/domain/32513/backend/vbd/0/51760");
  set(s, "device/vif/0/backend", "/local/domain/32514/backend/vif/0/0");
  set(s, "/local/domain/32513/backend/vbd/0/51712/state", "1");
  return s;
}
}  // namespace

TEST_CASE("xenbus: frontend and backend tables") {
  XENABI_BOTH_REQUIRE(frontend_step(S::Initialising, S::Initialising) == A::none);
  XENABI_BOTH_REQUIRE(frontend_step(S::Initialising, S::InitWait) == A::publish);
  XENABI_BOTH_REQUIRE(frontend_step(S::Initialised, S::InitWait) == A::none);
  XENABI_BOTH_REQUIRE(frontend_step(S::Initialised, S::Connected) == A::connect);
  XENABI_BOTH_REQUIRE(frontend_step(S::Connected, S::Connected) == A::none);
  XENABI_BOTH_REQUIRE(frontend_step(S::Connected, S::InitWait) == A::reconnect);
  XENABI_BOTH_REQUIRE(frontend_step(S::Connected, S::Closing) == A::close);
  XENABI_BOTH_REQUIRE(frontend_step(S::Connected, S::Unknown) == A::close);
  XENABI_BOTH_REQUIRE(frontend_step(S::Closing, S::Closing) == A::none);
  XENABI_BOTH_REQUIRE(frontend_step(S::Closing, S::Closed) == A::closed);
  XENABI_BOTH_REQUIRE(frontend_step(S::Closed, S::Closed) == A::none);
  XENABI_BOTH_REQUIRE(frontend_step(S::Closed, S::InitWait) == A::reset);
  XENABI_BOTH_REQUIRE(backend_step(S::Initialising, S::Initialising) == A::init_wait);
  XENABI_BOTH_REQUIRE(backend_step(S::InitWait, S::Initialising) == A::none);
  XENABI_BOTH_REQUIRE(backend_step(S::InitWait, S::Initialised) == A::connect);
  XENABI_BOTH_REQUIRE(backend_step(S::InitWait, S::Connected) == A::connect);
  XENABI_BOTH_REQUIRE(backend_step(S::Connected, S::Connected) == A::none);
  XENABI_BOTH_REQUIRE(backend_step(S::Connected, S::Closing) == A::close);
  XENABI_BOTH_REQUIRE(backend_step(S::Connected, S::Closed) == A::closed);
  XENABI_BOTH_REQUIRE(backend_step(S::Closing, S::Closed) == A::closed);
  XENABI_BOTH_REQUIRE(backend_step(S::Closed, S::Initialising) == A::init_wait);
  XENABI_BOTH_REQUIRE(backend_step(S::Connected, S::Initialising) == A::init_wait);
}

TEST_CASE("xenbus: every pair of states converges to Connected when both ends follow the tables") {
  // Simulate both ends from every start pair (backend restarting from Initialising each time the
  // frontend is not Closing): within a few steps each, both are Connected.
  constexpr auto converges = [] {
    for (u32 f = 1; f <= 6; ++f) {
      S fe = static_cast<S>(f), be = S::Initialising;
      for (int i = 0; i < 12; ++i) {
        switch (frontend_step(fe, be)) {
          case A::publish: fe = S::Initialised; break;
          case A::connect: fe = S::Connected; break;
          case A::reconnect: case A::reset: fe = S::Initialising; break;
          case A::close: fe = S::Closing; break;
          case A::closed: fe = S::Closed; break;
          default: break;
        }
        switch (backend_step(be, fe)) {
          case A::init_wait: be = S::InitWait; break;
          case A::connect: be = S::Connected; break;
          case A::close: be = S::Closing; break;
          case A::closed: be = S::Closed; break;
          default: break;
        }
      }
      if (f <= 4 && !(fe == S::Connected && be == S::Connected)) return false;
    }
    return true;
  };
  XENABI_BOTH_REQUIRE(converges());
}

TEST_CASE("xenbus: state values and paths") {
  XENABI_BOTH_REQUIRE(parse_xenbus_state("4").value() == S::Connected);
  XENABI_BOTH_REQUIRE(parse_xenbus_state(xs_str{"6\0", 2}).value() == S::Closed);
  XENABI_BOTH_REQUIRE(parse_xenbus_state("9").error() == errc::einval);
  XENABI_BOTH_REQUIRE(parse_xenbus_state("").error() == errc::einval);
  XENABI_BOTH_REQUIRE(parse_xenbus_state("x").error() == errc::einval);
  XENABI_BOTH_REQUIRE(xs_path<32>(xs_str{"device"}).child("vbd").child(51712u).str() == xs_str{"device/vbd/51712"});
  XENABI_BOTH_REQUIRE(xs_path<8>(xs_str{"device/vbd"}).overflow());
  XENABI_BOTH_REQUIRE(!xs_path<8>(xs_str{"device"}).overflow());
}

TEST_CASE("xenbus: discovery lists device/<type> ids - probe reads backend and backend-id") {
  constexpr auto listed = [] {
    fake_store s = with_device();
    u32 ids[4]{};
    auto n = list_devices(s, "vbd", ids, 4);
    auto none = list_devices(s, "vkbd", ids + 2, 2);
    return n && n.value() == 2 && ids[0] == 51712 && ids[1] == 51760 && none && none.value() == 0;
  };
  XENABI_BOTH_REQUIRE(listed());
  constexpr auto probed = [] {
    fake_store s = with_device();
    xenbus_frontend<fake_store> fe(s, "vbd", 51712);
    if (!fe.probe()) return false;
    xenbus_frontend<fake_store> missing(s, "vbd", 1);
    xenbus_frontend<fake_store> no_id(s, "vbd", 51760);
    return fe.backend_id() == 32513 && fe.backend_path() == xs_str{"/local/domain/32513/backend/vbd/0/51712"} &&
           fe.path() == xs_str{"device/vbd/51712"} && missing.probe() == errc::enoent &&
           no_id.probe() == errc::enoent && fe.backend_state().value() == S::Initialising;
  };
  XENABI_BOTH_REQUIRE(probed());
  constexpr auto bad_id = [] {
    fake_store s = with_device();
    set(s, "device/vbd/51712/backend-id", "32752");  // DOMID_SELF: not a backend
    xenbus_frontend<fake_store> fe(s, "vbd", 51712);
    return fe.probe() == errc::einval;
  };
  XENABI_BOTH_REQUIRE(bad_id());
}

TEST_CASE("xenbus: the frontend connects, reconnects after a backend restart, and closes") {
  constexpr auto run = [] {
    fake_store s = with_device();
    ops o;
    xenbus_frontend<fake_store> fe(s, "vbd", 51712);
    if (!fe.probe() || !fe.watch_backend_state("be")) return false;
    const char* be_state = "/local/domain/32513/backend/vbd/0/51712/state";
    bool ok = fe.step(o).value() == A::none;  // backend still Initialising
    set(s, be_state, "2");                    // InitWait
    ok = ok && fe.step(o).value() == A::publish && fe.state() == S::Initialised;
    ok = ok && value_is(s, "device/vbd/51712/state", "3") && value_is(s, "device/vbd/51712/ring-ref", "8");
    ok = ok && fe.step(o).value() == A::none;  // published once
    set(s, be_state, "4");
    ok = ok && fe.step(o).value() == A::connect && fe.state() == S::Connected && o.connected_count == 1;
    // the backend is killed and restarted: its new instance goes InitWait
    set(s, be_state, "2");
    ok = ok && fe.step(o).value() == A::reconnect && o.disconnects == 1 && fe.state() == S::Initialising;
    ok = ok && fe.step(o).value() == A::publish && value_is(s, "device/vbd/51712/ring-ref", "9");
    set(s, be_state, "4");
    ok = ok && fe.step(o).value() == A::connect && o.connected_count == 2;
    // orderly close
    set(s, be_state, "5");
    ok = ok && fe.step(o).value() == A::close && fe.state() == S::Closing;
    set(s, be_state, "6");
    ok = ok && fe.step(o).value() == A::closed && value_is(s, "device/vbd/51712/state", "6");
    return ok && o.published == 2 && s.watches == 1;
  };
  XENABI_BOTH_REQUIRE(run());
}

TEST_CASE("xenbus: run takes every step the states call for, counts connections and reads backend numbers") {
  constexpr auto runs = [] {
    fake_store s = with_device();
    ops o;
    xenbus_frontend<fake_store> fe(s, "vbd", 51712);
    if (!fe.probe() || !fe.run(o)) return false;
    const char* be_state = "/local/domain/32513/backend/vbd/0/51712/state";
    bool ok = fe.state() == S::Initialising && fe.connections() == 0 && !fe.connected();
    set(s, be_state, "4");  // a backend already Connected: publish, then connect, in one run
    ok = ok && fe.run(o) && fe.connected() && fe.connections() == 1 && o.published == 1;
    set(s, be_state, "2");  // restarted: reconnect and publish again in one run
    ok = ok && fe.run(o) && fe.state() == S::Initialised && o.disconnects == 1 && o.published == 2;
    set(s, be_state, "4");
    ok = ok && fe.run(o) && fe.connected() && fe.connections() == 2;
    set(s, "/local/domain/32513/backend/vbd/0/51712/sectors", "4294967296");
    set(s, "/local/domain/32513/backend/vbd/0/51712/feature-x", "yes");
    ok = ok && fe.read_backend_u64("sectors") == result<u64>(u64{1} << 32);
    ok = ok && fe.read_backend_u64("feature-x") == errc::einval && fe.read_backend_u64("nothing") == errc::enoent;
    return ok;
  };
  XENABI_BOTH_REQUIRE(runs());
}
