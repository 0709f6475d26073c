// The xenstore database (hv/xenstore/store.hpp) through the in-process client: tree operations,
// permissions between domains, transactions and their conflicts, watches, quotas, and the
// toolstack's domain introduction.
#include <hv/xenstore/client.hpp>

#include <algorithm>
#include <string>

#include "xenabi_test.hpp"

using hv::xenstore::client;
using hv::xenstore::perm;
using hv::xenstore::store;
using xenabi::errc;

namespace {
template <class R>
errc err(const R& r) {
  return r ? errc{} : r.error();
}
std::vector<std::string> paths(const std::deque<hv::xenstore::watch_event>& ev) {
  std::vector<std::string> out;
  for (const auto& e : ev) out.push_back(e.path + "|" + e.token);
  return out;
}
}  // namespace

TEST_CASE("xenstore store: write, read, mkdir, directory, rm - missing nodes and bad paths") {
  store s;
  client ts(s, hv::xenstore::toolstack_domid, true);
  REQUIRE(ts.write("/a/b/c", "hello"));
  REQUIRE(ts.read("/a/b/c").value() == "hello");
  REQUIRE(ts.read("/a/b").value().empty());  // parents were created empty
  REQUIRE(ts.directory("/a").value() == std::vector<std::string>{"b"});
  REQUIRE(ts.mkdir("/a/d"));
  REQUIRE(ts.mkdir("/a/d"));  // exists: fine
  REQUIRE(ts.directory("/a").value() == std::vector<std::string>{"b", "d"});
  REQUIRE(ts.write("/a/b/c", std::string("x\0y", 3)));
  REQUIRE(ts.read("/a/b/c").value() == std::string("x\0y", 3));  // values are bytes
  REQUIRE(err(ts.read("/nope")) == errc::enoent);
  REQUIRE(ts.rm("/a/b"));
  REQUIRE(err(ts.read("/a/b/c")) == errc::enoent);
  REQUIRE(ts.rm("/a/b"));                          // missing, parent exists: fine
  REQUIRE(err(ts.rm("/zz/b")) == errc::enoent);    // missing parent too
  REQUIRE(err(ts.rm("/")) == errc::einval);
  for (const char* bad : {"", "/a//b", "/a/", "/a b", "/a/\x01", "/x@y"}) REQUIRE(err(ts.read(bad)) == errc::einval);
  REQUIRE(err(ts.write(std::string(3100, 'a').insert(0, "/"), "v")) == errc::einval);
}

TEST_CASE("xenstore store: introduced domains get their home - relative paths resolve there") {
  store s;
  s.introduce_domain(3, "guest3");
  REQUIRE(s.introduced(3));
  client g(s, 3);
  REQUIRE(g.read("domid").value() == "3");
  REQUIRE(g.read("name").value() == "guest3");
  REQUIRE(err(g.write("domid", "7")) == errc::eacces);  // read-only for the guest
  REQUIRE(g.write("control/shutdown", "poweroff"));
  REQUIRE(g.write("data/x", "1"));
  client ts(s, hv::xenstore::toolstack_domid, true);
  REQUIRE(ts.read("/local/domain/3/data/x").value() == "1");
  REQUIRE(g.get_perms("data/x").value() == std::vector<perm>{{3, 'n'}});
  s.release_domain(3);
  REQUIRE_FALSE(s.introduced(3));
  REQUIRE(err(ts.read("/local/domain/3")) == errc::enoent);
}

TEST_CASE("xenstore store: a guest cannot read or write another guest's nodes unless granted") {
  store s;
  s.introduce_domain(1, "a");
  s.introduce_domain(2, "b");
  client a(s, 1), b(s, 2);
  REQUIRE(a.write("secret", "s"));
  REQUIRE(err(b.read("/local/domain/1/secret")) == errc::eacces);
  REQUIRE(err(b.write("/local/domain/1/secret", "x")) == errc::eacces);
  REQUIRE(err(b.write("/local/domain/1/new", "x")) == errc::eacces);  // no write on the parent
  REQUIRE(err(b.rm("/local/domain/1/secret")) == errc::eacces);
  REQUIRE(err(b.directory("/local/domain/1")) == errc::eacces);
  REQUIRE(err(b.write("/toplevel", "x")) == errc::eacces);
  REQUIRE(err(b.set_perms("/local/domain/1/secret", {{2, 'b'}})) == errc::eacces);
  // grant read to 2
  REQUIRE(a.set_perms("secret", {{1, 'n'}, {2, 'r'}}));
  REQUIRE(b.read("/local/domain/1/secret").value() == "s");
  REQUIRE(err(b.write("/local/domain/1/secret", "x")) == errc::eacces);
  // grant write (not read) to 2
  REQUIRE(a.set_perms("secret", {{1, 'n'}, {2, 'w'}}));
  REQUIRE(b.write("/local/domain/1/secret", "y"));
  REQUIRE(err(b.read("/local/domain/1/secret")) == errc::eacces);
  // default for others in the first entry
  REQUIRE(a.set_perms("secret", {{1, 'b'}}));
  REQUIRE(b.read("/local/domain/1/secret").value() == "y");
  // an unprivileged domain may not give its node away
  REQUIRE(err(a.set_perms("secret", {{2, 'n'}})) == errc::eperm);
  // a node created by 2 under a directory 1 lets it write is owned by 2
  REQUIRE(a.set_perms("/local/domain/1", {{1, 'n'}, {2, 'b'}}));
  REQUIRE(b.write("/local/domain/1/fromb", "z"));
  REQUIRE(b.get_perms("/local/domain/1/fromb").value().front() == perm{2, 'n'});  // inherited, owner replaced
}

TEST_CASE("xenstore store: transactions see a snapshot - a conflicting commit fails with EAGAIN") {
  store s;
  s.introduce_domain(1, "a");
  client a(s, 1), b(s, 1);
  REQUIRE(a.write("x", "0"));
  auto tx = a.transaction_start();
  REQUIRE(tx);
  REQUIRE(a.read("x", tx.value()).value() == "0");
  REQUIRE(a.write("y", "in-tx", tx.value()));
  REQUIRE(err(b.read("y")) == errc::enoent);  // not visible before commit
  REQUIRE(b.write("x", "1"));                 // conflicts with what tx read
  REQUIRE(a.read("x", tx.value()).value() == "0");
  REQUIRE(err(a.transaction_end(tx.value(), true)) == errc::eagain);
  REQUIRE(err(b.read("y")) == errc::enoent);  // nothing applied
  // no conflict: committed atomically
  auto t2 = a.transaction_start().value();
  REQUIRE(a.read("x", t2).value() == "1");
  REQUIRE(a.write("y", "v", t2));
  REQUIRE(a.rm("x", t2));
  REQUIRE(b.write("unrelated", "u"));  // does not touch what t2 accessed... except the parent
  // the parent's children changed: t2 created/removed children of the same parent -> conflict
  REQUIRE(err(a.transaction_end(t2, true)) == errc::eagain);
  auto t3 = a.transaction_start().value();
  REQUIRE(a.write("y", "v", t3));
  REQUIRE(a.rm("x", t3));
  REQUIRE(a.transaction_end(t3, true));
  REQUIRE(b.read("y").value() == "v");
  REQUIRE(err(b.read("x")) == errc::enoent);
  // abort discards; unknown ids are ENOENT
  auto t4 = a.transaction_start().value();
  REQUIRE(a.write("z", "1", t4));
  REQUIRE(a.transaction_end(t4, false));
  REQUIRE(err(b.read("z")) == errc::enoent);
  REQUIRE(err(a.transaction_end(t4, true)) == errc::enoent);
  REQUIRE(err(a.read("y", 12345)) == errc::enoent);
  // transact() retries
  int runs = 0;
  REQUIRE(a.transact([&](std::uint32_t t) -> xenabi::result<void> {
    auto v = a.read("y", t);
    if (++runs == 1) (void)b.write("y", "changed");
    return a.write("y", v.value() + "+", t);
  }));
  REQUIRE(runs == 2);
  REQUIRE(b.read("y").value() == "changed+");
}

TEST_CASE("xenstore store: watches fire once when set, on changes below, with relative paths and tokens") {
  store s;
  s.introduce_domain(1, "a");
  client a(s, 1), ts(s, hv::xenstore::toolstack_domid, true);
  REQUIRE(a.watch("device", "tok"));
  REQUIRE(paths(a.take_events()) == std::vector<std::string>{"device|tok"});
  REQUIRE(err(a.watch("device", "tok")) == errc::eexist);
  REQUIRE(ts.write("/local/domain/1/device/vbd/5/state", "1"));
  auto ev = paths(a.take_events());
  REQUIRE(std::find(ev.begin(), ev.end(), "device/vbd/5/state|tok") != ev.end());
  REQUIRE(std::find(ev.begin(), ev.end(), "device/vbd|tok") != ev.end());  // created parents fire too
  REQUIRE(ts.write("/local/domain/1/other", "1"));
  REQUIRE(a.take_events().empty());  // not below the watch
  // absolute watch inside a subtree that is removed fires with its own path
  REQUIRE(a.watch("/local/domain/1/device/vbd/5/state", "abs"));
  (void)a.take_events();
  REQUIRE(ts.rm("/local/domain/1/device/vbd"));
  ev = paths(a.take_events());
  REQUIRE(std::find(ev.begin(), ev.end(), "device/vbd|tok") != ev.end());
  REQUIRE(std::find(ev.begin(), ev.end(), "/local/domain/1/device/vbd/5/state|abs") != ev.end());
  // a transaction's changes fire on commit only
  auto t = a.transaction_start().value();
  REQUIRE(a.write("device/x", "1", t));
  REQUIRE(a.take_events().empty());
  REQUIRE(a.transaction_end(t, true));
  REQUIRE(paths(a.take_events()) == std::vector<std::string>{"device/x|tok"});
  REQUIRE(a.unwatch("device", "tok"));
  REQUIRE(err(a.unwatch("device", "tok")) == errc::enoent);
  REQUIRE(ts.write("/local/domain/1/device/y", "1"));
  REQUIRE(a.take_events().empty());
}

TEST_CASE("xenstore store: watches do not reveal nodes the watcher cannot read") {
  store s;
  s.introduce_domain(1, "a");
  s.introduce_domain(2, "b");
  client a(s, 1), b(s, 2);
  REQUIRE(b.watch("/local/domain/1", "spy"));
  (void)b.take_events();
  REQUIRE(a.write("secret", "s"));
  REQUIRE(b.take_events().empty());
  REQUIRE(a.set_perms("secret", {{1, 'n'}, {2, 'r'}}));
  REQUIRE(paths(b.take_events()) == std::vector<std::string>{"/local/domain/1/secret|spy"});
}

TEST_CASE("xenstore store: @introduceDomain and @releaseDomain fire for readers granted by the toolstack") {
  store s;
  client ts(s, hv::xenstore::toolstack_domid, true);
  s.introduce_domain(1, "a");
  client a(s, 1);
  REQUIRE(ts.watch("@releaseDomain", "rel"));
  REQUIRE(a.watch("@introduceDomain", "intro"));
  (void)ts.take_events();
  (void)a.take_events();
  s.introduce_domain(2, "b");
  REQUIRE(a.take_events().empty());  // not granted
  REQUIRE(s.set_special_perms("@introduceDomain", {{hv::xenstore::toolstack_domid, 'n'}, {1, 'r'}}));
  s.introduce_domain(4, "c");
  REQUIRE(paths(a.take_events()) == std::vector<std::string>{"@introduceDomain|intro"});
  s.release_domain(2);
  REQUIRE(paths(ts.take_events()) == std::vector<std::string>{"@releaseDomain|rel"});
  REQUIRE(err(a.watch("@nonsense", "x")) == errc::einval);
  REQUIRE(err(a.set_perms("@releaseDomain", {{1, 'r'}})) == errc::eacces);
}

TEST_CASE("xenstore store: quotas - nodes, node size, perms, watches, transactions (cxenstored errors)") {
  hv::xenstore::quota q;
  q.nodes = 20;
  q.node_size = 256;
  q.perms = 3;
  q.watches = 4;
  q.transactions = 2;
  store s(q);
  s.introduce_domain(1, "a");  // owns its home, domid, name... nodes
  client a(s, 1), ts(s, hv::xenstore::toolstack_domid, true);
  REQUIRE(err(a.write("big", std::string(256, 'x'))) == errc::enospc);
  REQUIRE(a.write("big", std::string(16, 'x')));
  REQUIRE(ts.write("/local/domain/1/tsbig", std::string(100, 'x')));  // the toolstack is exempt
  REQUIRE(err(a.set_perms("big", {{1, 'n'}, {2, 'r'}, {3, 'r'}, {4, 'r'}})) == errc::enospc);
  REQUIRE(a.set_perms("big", {{1, 'n'}, {2, 'r'}, {3, 'r'}}));
  errc e{};
  for (int i = 0; i < 40 && e == errc{}; ++i) e = err(a.write("n" + std::to_string(i), "v"));
  REQUIRE(e == errc::enospc);
  for (int i = 0; i < 4; ++i) REQUIRE(a.watch("w", std::to_string(i)));
  REQUIRE(err(a.watch("w", "4")) == errc::e2big);
  REQUIRE(a.transaction_start());
  REQUIRE(a.transaction_start());
  REQUIRE(err(a.transaction_start()) == errc::enospc);
}

TEST_CASE("xenstore store: the node-size quota counts the whole record (header, permissions, value, children)") {
  hv::xenstore::quota q;
  q.node_size = 256;
  store s(q);
  s.introduce_domain(1, "a");
  client a(s, 1), ts(s, hv::xenstore::toolstack_domid, true);
  constexpr std::size_t header = 24, per_perm = 8;
  // A new node inherits its parent's permission list with the writer as owner.
  REQUIRE(a.write("v", ""));
  const std::size_t nperms = a.get_perms("v").value().size();
  const std::size_t value_room = q.node_size - header - per_perm * nperms;  // the record must stay below
  REQUIRE(a.write("v", std::string(value_room - 1, 'x')));
  REQUIRE(err(a.write("v", std::string(value_room, 'x'))) == errc::enospc);
  REQUIRE(a.read("v").value().size() == value_room - 1);  // the refused write changed nothing
  REQUIRE(err(a.write("w", std::string(value_room, 'x'))) == errc::enospc);  // nor for a new node
  REQUIRE(err(a.read("w")) == errc::enoent);
  // Permission entries count: one more entry needs 8 more bytes.
  std::vector<perm> two{{1, 'n'}, {0, 'r'}};
  two.resize(nperms + 1, perm{0, 'r'});
  REQUIRE(err(a.set_perms("v", two)) == errc::enospc);
  REQUIRE(a.write("v", std::string(value_room - 1 - per_perm, 'x')));
  REQUIRE(a.set_perms("v", two));
  // Children count: each adds its name and a NUL to the parent's record.
  REQUIRE(a.write("d", ""));
  const std::size_t child_room = q.node_size - header - per_perm * nperms;
  std::size_t used = 0, made = 0;
  for (;; ++made) {
    const std::string name = "child" + std::to_string(1000 + made);  // 9 characters
    if (used + name.size() + 1 >= child_room) {
      REQUIRE(err(a.write("d/" + name, "1")) == errc::enospc);
      REQUIRE(err(a.read("d/" + name)) == errc::enoent);
      break;
    }
    REQUIRE(a.write("d/" + name, "1"));
    used += name.size() + 1;
  }
  REQUIRE(a.directory("d").value().size() == made);
  REQUIRE(made == (child_room - 1) / 10);
  // A child that exists already adds nothing: rewriting it is fine.
  REQUIRE(a.write("d/child1000", "22"));
  // The record of a node created on the way (a missing parent) counts its one child.
  REQUIRE(err(a.write("p/" + std::string(value_room, 'c'), "")) == errc::enospc);
  REQUIRE(err(a.read("p")) == errc::enoent);
  // The toolstack is not limited.
  REQUIRE(ts.write("/local/domain/1/v", std::string(4 * q.node_size, 'x')));
  REQUIRE(ts.write("/local/domain/1/d/child9999", "1"));
}

TEST_CASE("xenstore client: wait_events wakes on a change from another thread") {
  store s;
  s.introduce_domain(1, "a");
  client a(s, 1), ts(s, hv::xenstore::toolstack_domid, true);
  REQUIRE(a.watch("k", "t"));
  (void)a.take_events();
  std::thread w([&] { REQUIRE(ts.write("/local/domain/1/k", "v")); });
  std::deque<hv::xenstore::watch_event> got;
  while (got.empty()) got = a.wait_events(std::chrono::milliseconds(50));
  w.join();
  REQUIRE(paths(got) == std::vector<std::string>{"k|t"});
}
