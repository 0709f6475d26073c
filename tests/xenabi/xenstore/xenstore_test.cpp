// xenstore.hpp: the client against a fake xenstored on the other side of the byte rings.
// - constexpr: message framing, parsing helpers, a loopback server driven from Env::wait()
//   (replies, XS_ERROR mapping, watch events arriving before the reply, a hostile oversize
//   reply that breaks the connection);
// - threads: a fake xenstored in its own thread with a node tree, permissions, transactions
//   that conflict (EAGAIN and the retry helper), watches firing, payloads up to 4096 bytes
//   crossing the 1024-byte rings, and the client's limits.
#include <xenabi/xenstore.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "xenabi_test.hpp"

namespace {
using namespace xenabi;

// ---- constexpr loopback: a tiny xenstored run inside Env::wait() -----------------------------
constexpr void put32(char* p, u32 v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
constexpr u32 get32(const char* p) {
  u32 v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<u8>(p[i]);
  return v;
}

struct loop_server {
  abi::xenstore_domain_interface* page;
  int mode = 0;           // 0: normal, 1: a watch event before every reply, 2: oversize reply
  unsigned waits = 0;
  unsigned notifies = 0;
  constexpr void reply(u32 type, u32 id, const char* p, u32 len) {
    xenstore_back back(*page);
    char h[16]{};
    put32(h, type);
    put32(h + 4, id);
    put32(h + 8, 0);
    put32(h + 12, len);
    (void)back.rsp.write(h, 16);
    (void)back.rsp.write(p, len);
  }
  constexpr void wait() {
    ++waits;
    xenstore_back back(*page);
    auto avail = back.req.available();
    if (!avail || avail.value() < 16) return;
    char h[16]{};
    (void)back.req.peek(h, 16);
    const u32 len = get32(h + 12);
    if (avail.value() < 16 + len) return;
    char msg[600]{};
    (void)back.req.read(msg, 16 + len);
    const u32 type = get32(msg), id = get32(msg + 4);
    const char* payload = msg + 16;
    if (mode == 1) reply(static_cast<u32>(abi::XS::WATCH_EVENT), 0, "a/b\0tok\0", 8);
    if (mode == 2) {
      reply(type, id, "", 0);
      put32(page->rsp + ((page->rsp_prod - 4) & 1023), 5000);  // claim a 5000-byte payload
      return;
    }
    if (type == static_cast<u32>(abi::XS::READ)) {
      if (xs_str(payload) == xs_str("name")) {
        reply(type, id, "guest-7", 7);
      } else {
        reply(static_cast<u32>(abi::XS::ERROR), id, "ENOENT\0", 7);
      }
    } else if (type == static_cast<u32>(abi::XS::TRANSACTION_START)) {
      reply(type, id, "42\0", 3);
    } else if (type == static_cast<u32>(abi::XS::GET_PERMS)) {
      reply(type, id, "b0\0r5\0n12\0", 10);
    } else if (type == static_cast<u32>(abi::XS::WRITE)) {
      // echo the framing back as an error name if it is wrong: path nul value, no final nul
      const bool ok = len == 7 && xs_str(payload) == xs_str("k") && payload[2] == 'v' &&
                      payload[6] == 'e';
      if (ok) reply(type, id, "OK\0", 3);
      else reply(static_cast<u32>(abi::XS::ERROR), id, "EINVAL\0", 7);
    } else {
      reply(static_cast<u32>(abi::XS::ERROR), id, "ENOSYS\0", 7);
    }
  }
  constexpr void notify() { ++notifies; }
};

constexpr bool loopback_requests() {
  abi::xenstore_domain_interface page{};
  loop_server env{&page};
  xenstore_client<loop_server> xs(page, env);
  char buf[32]{};
  auto n = xs.read("name", buf, sizeof buf);
  if (!n || n.value() != 7 || xs_str(buf, 7) != xs_str("guest-7")) return false;
  if (xs.read("missing", buf, sizeof buf) != errc::enoent) return false;
  if (xs.read("name", buf, 3) != errc::enobufs) return false;        // reply consumed anyway
  if (!xs.read("name", buf, sizeof buf)) return false;               // and the next one works
  if (xs.transaction_start() != result<u32>(42u)) return false;
  if (!xs.write("k", "value", 0)) return false;
  if (xs.mkdir("x") != errc::enosys) return false;
  xs_perm perms[4]{};
  auto p = xs.get_perms("name", perms, 4);
  if (!p || p.value() != 3) return false;
  if (perms[0] != xs_perm{xs_perm_kind::both, 0} || perms[2] != xs_perm{xs_perm_kind::none, 12})
    return false;
  if (xs.get_perms("name", perms, 2) != errc::enobufs) return false;
  return env.waits > 0 && env.notifies > 0 && !xs.broken();
}

constexpr bool watch_events_before_replies_are_queued() {
  abi::xenstore_domain_interface page{};
  loop_server env{&page, 1};
  xenstore_client<loop_server, 2, 64> xs(page, env);
  char buf[32]{};
  for (int i = 0; i < 3; ++i)
    if (!xs.read("name", buf, sizeof buf)) return false;  // 3 events, queue of 2
  if (xs.dropped_watch_events() != 1) return false;
  char ev[64]{};
  for (int i = 0; i < 2; ++i) {
    auto e = xs.next_watch_event(ev, sizeof ev, false);
    if (!e || e.value().path != xs_str("a/b") || e.value().token != xs_str("tok")) return false;
  }
  return xs.next_watch_event(ev, sizeof ev, false) == errc::eagain;
}

constexpr bool oversize_reply_breaks_the_connection() {
  abi::xenstore_domain_interface page{};
  loop_server env{&page, 2};
  xenstore_client<loop_server> xs(page, env);
  char buf[32]{};
  if (xs.read("name", buf, sizeof buf) != errc::ebadmsg) return false;
  return xs.broken() && xs.read("name", buf, sizeof buf) == errc::eio;
}

constexpr bool helpers() {
  auto e = parse_watch_event("backend/vif\0tok-1\0", 18);
  if (!e || e.value().path != xs_str("backend/vif") || e.value().token != xs_str("tok-1")) return false;
  if (parse_watch_event("no-nul", 6) != errc::ebadmsg) return false;
  if (parse_watch_event("path\0tok", 8) != errc::ebadmsg) return false;
  if (parse_xs_u32("4294967295") != result<u32>(0xffffffffu)) return false;
  if (parse_xs_u32("4294967296") != errc::erange || parse_xs_u32("12a") != errc::einval) return false;
  if (parse_xs_u32(xs_str{}) != errc::einval) return false;
  if (parse_xs_u64("18446744073709551615") != result<u64>(~u64{0}) || parse_xs_u64("256") != result<u64>(256))
    return false;
  if (parse_xs_u64("18446744073709551616") != errc::erange || parse_xs_u64("1x") != errc::einval) return false;
  if (parse_xs_u64(xs_str{}) != errc::einval || parse_xs_u32("99999999999999999999") != errc::erange) return false;
  char d[10]{};
  if (format_xs_u32(0, d) != 1 || d[0] != '0') return false;
  if (format_xs_u32(4000000000u, d) != 10 || xs_str(d, 10) != xs_str("4000000000")) return false;
  xs_perm p[2]{};
  if (parse_xs_perms("x1\0", 3, p, 2) != errc::ebadmsg) return false;
  if (parse_xs_perms("r70000\0", 7, p, 2) != errc::ebadmsg) return false;
  std::size_t names = for_each_xs_string("a\0bb\0ccc\0", 9, [](xs_str) {});
  return names == 3 && abi::xsd_error_from_name("EAGAIN", 6) == errc::eagain;
}

}  // namespace

TEST_CASE("xenstore: parsing and formatting helpers") { XENABI_BOTH_REQUIRE(helpers()); }
TEST_CASE("xenstore: requests / replies and XS_ERROR over a loopback server") {
  XENABI_BOTH_REQUIRE(loopback_requests());
}
TEST_CASE("xenstore: watch events that arrive before a reply are queued / overflow counted") {
  XENABI_BOTH_REQUIRE(watch_events_before_replies_are_queued());
}
TEST_CASE("xenstore: a reply claiming more than 4096 bytes breaks the connection") {
  XENABI_BOTH_REQUIRE(oversize_reply_breaks_the_connection());
}

// ---- a fake xenstored in its own thread --------------------------------------------------
namespace {
class fake_xenstored {
 public:
  explicit fake_xenstored(abi::xenstore_domain_interface& page) : back_(page) {
    nodes_[""] = "";
  }
  void run(const std::atomic<bool>& stop) {
    while (!stop.load()) {
      step();
      std::this_thread::yield();
    }
  }
  std::atomic<u64> requests{0};
  std::atomic<u64> conflicts{0};

 private:
  struct tx_state {
    std::map<std::string, std::string> nodes;
    u64 start_gen;
    std::vector<std::string> changed;
  };

  void step() {
    // take what is available of the request ring
    char chunk[1024];
    auto n = back_.req.read(chunk, sizeof chunk);
    if (n && n.value() > 0) in_.append(chunk, n.value());
    while (in_.size() >= 16) {
      const u32 len = get32(in_.data() + 12);
      if (in_.size() < 16 + len) break;
      handle(get32(in_.data()), get32(in_.data() + 4), get32(in_.data() + 8),
             in_.substr(16, len));
      in_.erase(0, 16 + len);
    }
    // push out what fits of the replies
    if (!out_.empty()) {
      auto w = back_.rsp.write(out_.data(), out_.size());
      if (w) out_.erase(0, w.value());
    }
  }

  void send(u32 type, u32 id, u32 tx, const std::string& payload) {
    char h[16];
    put32(h, type);
    put32(h + 4, id);
    put32(h + 8, tx);
    put32(h + 12, static_cast<u32>(payload.size()));
    out_.append(h, 16);
    out_ += payload;
  }
  void error(u32 id, u32 tx, const char* name) {
    send(static_cast<u32>(abi::XS::ERROR), id, tx, std::string(name) + '\0');
  }
  void fire(const std::string& changed) {
    for (auto& [path, token] : watches_) {
      const bool under = changed == path || changed.rfind(path + "/", 0) == 0 ||
                         path.rfind(changed + "/", 0) == 0;
      if (under) send(static_cast<u32>(abi::XS::WATCH_EVENT), 0, 0, changed + '\0' + token + '\0');
    }
  }
  static std::vector<std::string> split(const std::string& p) {
    std::vector<std::string> v;
    std::string cur;
    for (char c : p) {
      if (c == '\0') {
        v.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) v.push_back(cur);
    return v;
  }
  static void make_parents(std::map<std::string, std::string>& nodes, const std::string& path) {
    for (std::size_t i = 0; i < path.size(); ++i)
      if (path[i] == '/' && !nodes.count(path.substr(0, i))) nodes[path.substr(0, i)] = "";
    if (!nodes.count(path)) nodes[path] = "";
  }

  void handle(u32 type, u32 id, u32 tx, const std::string& payload) {
    ++requests;
    auto* nodes = &nodes_;
    tx_state* t = nullptr;
    if (tx != 0) {
      auto it = txs_.find(tx);
      if (it == txs_.end()) return error(id, tx, "ENOENT");
      t = &it->second;
      nodes = &t->nodes;
    }
    const auto args = split(payload);
    const std::string path = args.empty() ? std::string() : args[0];
    auto changed = [&](const std::string& p) {
      if (t != nullptr) {
        t->changed.push_back(p);
      } else {
        ++gen_;
        fire(p);
      }
    };
    switch (static_cast<abi::XS>(type)) {
      case abi::XS::READ: {
        auto it = nodes->find(path);
        if (it == nodes->end()) return error(id, tx, "ENOENT");
        return send(type, id, tx, it->second);
      }
      case abi::XS::WRITE: {
        const auto nul = payload.find('\0');
        if (nul == std::string::npos) return error(id, tx, "EINVAL");
        const std::string p = payload.substr(0, nul);
        make_parents(*nodes, p);
        (*nodes)[p] = payload.substr(nul + 1);
        send(type, id, tx, std::string("OK") + '\0');
        return changed(p);
      }
      case abi::XS::MKDIR:
        make_parents(*nodes, path);
        send(type, id, tx, std::string("OK") + '\0');
        return changed(path);
      case abi::XS::RM: {
        if (!nodes->count(path)) return error(id, tx, "ENOENT");
        for (auto it = nodes->begin(); it != nodes->end();)
          it = (it->first == path || it->first.rfind(path + "/", 0) == 0) ? nodes->erase(it) : std::next(it);
        send(type, id, tx, std::string("OK") + '\0');
        return changed(path);
      }
      case abi::XS::DIRECTORY: {
        if (!nodes->count(path)) return error(id, tx, "ENOENT");
        std::string out;
        const std::string prefix = path.empty() ? "" : path + "/";
        for (auto& [k, v] : *nodes)
          if (k.size() > prefix.size() && k.rfind(prefix, 0) == 0 &&
              k.find('/', prefix.size()) == std::string::npos)
            out += k.substr(prefix.size()) + '\0';
        return send(type, id, tx, out);
      }
      case abi::XS::GET_PERMS: {
        if (!nodes->count(path)) return error(id, tx, "ENOENT");
        auto it = perms_.find(path);
        return send(type, id, tx, it == perms_.end() ? std::string("n0") + '\0' : it->second);
      }
      case abi::XS::SET_PERMS: {
        if (!nodes->count(path)) return error(id, tx, "ENOENT");
        perms_[path] = payload.substr(payload.find('\0') + 1);
        send(type, id, tx, std::string("OK") + '\0');
        return changed(path);
      }
      case abi::XS::TRANSACTION_START: {
        const u32 nid = next_tx_++;
        txs_[nid] = tx_state{nodes_, gen_, {}};
        return send(type, id, 0, std::to_string(nid) + '\0');
      }
      case abi::XS::TRANSACTION_END: {
        if (t == nullptr) return error(id, tx, "EINVAL");
        const bool commit = path == "T";
        if (commit && t->start_gen != gen_) {
          ++conflicts;
          txs_.erase(tx);
          return error(id, tx, "EAGAIN");
        }
        if (commit) {
          nodes_ = t->nodes;
          auto ch = t->changed;
          txs_.erase(tx);
          send(type, id, tx, std::string("OK") + '\0');
          ++gen_;
          for (auto& p : ch) fire(p);
          return;
        }
        txs_.erase(tx);
        return send(type, id, tx, std::string("OK") + '\0');
      }
      case abi::XS::WATCH:
        if (args.size() != 2) return error(id, tx, "EINVAL");
        watches_.emplace_back(args[0], args[1]);
        send(type, id, tx, std::string("OK") + '\0');
        return send(static_cast<u32>(abi::XS::WATCH_EVENT), 0, 0, args[0] + '\0' + args[1] + '\0');
      case abi::XS::UNWATCH:
        for (auto it = watches_.begin(); it != watches_.end(); ++it)
          if (args.size() == 2 && it->first == args[0] && it->second == args[1]) {
            watches_.erase(it);
            return send(type, id, tx, std::string("OK") + '\0');
          }
        return error(id, tx, "ENOENT");
      default:
        return error(id, tx, "ENOSYS");
    }
  }

  xenstore_back back_;
  std::string in_, out_;
  std::map<std::string, std::string> nodes_, perms_;
  std::map<u32, tx_state> txs_;
  std::vector<std::pair<std::string, std::string>> watches_;
  u64 gen_ = 0;
  u32 next_tx_ = 1;
};

struct thread_env {
  std::atomic<u64> notifies{0};
  void notify() { ++notifies; }
  void wait() { std::this_thread::yield(); }
};

struct live {
  abi::xenstore_domain_interface page{};
  fake_xenstored server{page};
  std::atomic<bool> stop{false};
  std::thread th;
  thread_env env;
  live() : th([this] { server.run(stop); }) {}
  ~live() {
    stop = true;
    th.join();
  }
};
}  // namespace

TEST_CASE("xenstore client against a fake xenstored thread: nodes / directories / permissions") {
  auto l = std::make_unique<live>();
  xenstore_client<thread_env> xs(l->page, l->env);
  char buf[4096];
  REQUIRE(xs.write("device/vif/0/mac", "00:16:3e:00:00:01"));
  REQUIRE(xs.write("device/vif/0/state", "1"));
  REQUIRE(xs.mkdir("device/vbd"));
  auto n = xs.read("device/vif/0/mac", buf, sizeof buf);
  REQUIRE(n);
  REQUIRE(std::string(buf, n.value()) == "00:16:3e:00:00:01");
  REQUIRE(xs.read("device/nothing", buf, sizeof buf) == errc::enoent);
  auto d = xs.directory("device/vif/0", buf, sizeof buf);
  REQUIRE(d);
  std::vector<std::string> kids;
  for_each_xs_string(buf, d.value(), [&](xs_str s) { kids.emplace_back(s.data, s.size); });
  REQUIRE(kids == std::vector<std::string>{"mac", "state"});
  const xs_perm perms[] = {{xs_perm_kind::none, 7}, {xs_perm_kind::read, 0}};
  REQUIRE(xs.set_perms("device/vif/0", perms, 2));
  xs_perm got[4]{};
  auto p = xs.get_perms("device/vif/0", got, 4);
  REQUIRE(p);
  REQUIRE(p.value() == 2);
  REQUIRE(got[0] == perms[0]);
  REQUIRE(got[1] == perms[1]);
  REQUIRE(xs.rm("device/vif"));
  REQUIRE(xs.read("device/vif/0/mac", buf, sizeof buf) == errc::enoent);
  REQUIRE(xs.rm("device/vif") == errc::enoent);
  REQUIRE(l->env.notifies > 0);
}

TEST_CASE("xenstore client: 4096-byte payloads cross the 1024-byte rings / 4097 is refused") {
  auto l = std::make_unique<live>();
  xenstore_client<thread_env> xs(l->page, l->env);
  std::string big(4096 - 4, 'x');  // path "big" + nul + value = 4096 bytes
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  REQUIRE(xs.write("big", xs_str(big.data(), big.size())));
  std::vector<char> buf(8192);
  auto n = xs.read("big", buf.data(), buf.size());
  REQUIRE(n);
  REQUIRE(std::string(buf.data(), n.value()) == big);
  big += 'y';
  REQUIRE(xs.write("big", xs_str(big.data(), big.size())) == errc::e2big);
  REQUIRE(xs.read("big", buf.data(), 100) == errc::enobufs);  // consumed, connection intact
  REQUIRE(xs.read("big", buf.data(), buf.size()));
  REQUIRE(!xs.broken());
}

TEST_CASE("xenstore client: transactions commit / abort / and retry on EAGAIN") {
  auto l = std::make_unique<live>();
  xenstore_client<thread_env> xs(l->page, l->env);
  char buf[64];
  REQUIRE(xs.write("counter", "1"));
  // a plain transaction
  auto tx = xs.transaction_start();
  REQUIRE(tx);
  REQUIRE(xs.write("counter", "2", tx.value()));
  REQUIRE(xs.read("counter", buf, sizeof buf) == result<std::size_t>(std::size_t{1}));
  REQUIRE(buf[0] == '1');  // not visible outside before the commit
  REQUIRE(xs.transaction_end(tx.value(), true));
  REQUIRE(xs.read("counter", buf, sizeof buf));
  REQUIRE(buf[0] == '2');
  // aborted
  tx = xs.transaction_start();
  REQUIRE(xs.write("counter", "9", tx.value()));
  REQUIRE(xs.transaction_end(tx.value(), false));
  REQUIRE(xs.read("counter", buf, sizeof buf));
  REQUIRE(buf[0] == '2');
  // a conflicting write during the first attempt: EAGAIN, then the retry commits
  int runs = 0;
  auto r = xs.transact([&](u32 t) -> result<void> {
    ++runs;
    char v[8]{};
    XENABI_TRY(xs.read("counter", v, sizeof v, t));
    if (runs == 1) XENABI_TRY(xs.write("counter", "5"));  // someone else, outside the transaction
    const char next[2] = {static_cast<char>(v[0] + 1), 0};
    return xs.write("counter", next, t);
  });
  REQUIRE(r);
  REQUIRE(runs == 2);
  REQUIRE(l->server.conflicts.load() == 1);
  REQUIRE(xs.transaction_attempts() == 2);
  REQUIRE(xs.read("counter", buf, sizeof buf));
  REQUIRE(buf[0] == '6');
  // a body error aborts and is returned
  REQUIRE(xs.transact([&](u32 t) -> result<void> {
            char v[8];
            XENABI_TRY(xs.read("absent", v, sizeof v, t));
            return ok();
          }) == errc::enoent);
  // retries are bounded
  int forever = 0;
  REQUIRE(xs.transact([&](u32 t) -> result<void> {
            ++forever;
            XENABI_TRY(xs.write("counter", "7"));
            return xs.write("counter", "8", t);
          }, 3) == errc::eagain);
  REQUIRE(forever == 3);
}

TEST_CASE("xenstore client: watches fire with path and token / unwatch stops them") {
  auto l = std::make_unique<live>();
  xenstore_client<thread_env, 8> xs(l->page, l->env);
  char ev[256];
  REQUIRE(xs.watch("backend/vbd", "tok-A"));
  auto first = xs.next_watch_event(ev, sizeof ev);  // the initial event
  REQUIRE(first);
  REQUIRE(first.value().path == xs_str("backend/vbd"));
  REQUIRE(first.value().token == xs_str("tok-A"));
  REQUIRE(xs.write("backend/vbd/51712/state", "4"));
  REQUIRE(xs.write("elsewhere", "x"));
  auto e = xs.next_watch_event(ev, sizeof ev);
  REQUIRE(e);
  REQUIRE(e.value().path == xs_str("backend/vbd/51712/state"));
  REQUIRE(e.value().token == xs_str("tok-A"));
  REQUIRE(xs.unwatch("backend/vbd", "tok-A"));
  REQUIRE(xs.unwatch("backend/vbd", "tok-A") == errc::enoent);
  REQUIRE(xs.write("backend/vbd/51712/state", "5"));
  REQUIRE(xs.read("elsewhere", ev, sizeof ev));  // a round trip: any event would be queued now
  REQUIRE(xs.next_watch_event(ev, sizeof ev, false) == errc::eagain);
  REQUIRE(xs.dropped_watch_events() == 0);
}
