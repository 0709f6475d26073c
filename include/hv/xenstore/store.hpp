/// \file
/// \ingroup xenstore
/// The xenstore database inside xenhv: a tree of nodes, each with a value and a permission list,
/// transactions with conflict detection, watches, per-domain quotas and the toolstack's
/// well-known paths. Clients are `connection`s: a guest's ring (hv/xenstore/ring_server.hpp),
/// an in-process backend (hv/xenstore/client.hpp) or the toolstack itself.
///
/// **Paths.** Absolute paths start with '/'; any other path is relative to the connection's home,
/// `/local/domain/<id>`. Characters: letters, digits and `-/_@`; no empty component, no
/// trailing '/', at most `XENSTORE_ABS_PATH_MAX` (3072) characters absolute and
/// `XENSTORE_REL_PATH_MAX` (2048) relative; otherwise `EINVAL`. Watches may also name the special
/// paths `@introduceDomain` and `@releaseDomain`.
///
/// **Permissions** (Xen's model, `XS_SET_PERMS` strings `n0`, `r1`, `w2`, `b3`): the first entry
/// names the node's owner and the access of every domain not listed after it; the owner always
/// has read and write access. A privileged connection (the toolstack) may do anything. A new
/// node inherits its parent's list; when an unprivileged domain creates it, that domain becomes
/// the owner. Only write access lets a domain change the list, and only a privileged
/// connection may change the owner (`EPERM`). No read access: `EACCES`.
///
/// **Transactions.** A transaction works on a snapshot taken at its start. Every node it reads or
/// writes is remembered with the generation it had in the snapshot (a node's generation changes
/// whenever it, or its list of children, changes). Committing fails with `EAGAIN` if any of
/// those nodes has changed since; otherwise the transaction's changes are applied at once and
/// their watches fire.
///
/// **Watches** fire on every change to the watched node or below it, with the changed path (made
/// relative again for a relative watch), and once right away when set (as Xen's xenstored does).
/// Removing a subtree fires the watches set inside it with their own paths. A watch fires only
/// if its connection may read the node. `@introduceDomain` and `@releaseDomain` fire when the
/// toolstack introduces or releases a domain; their readers are set with `set_special_perms`.
///
/// **Quotas** (unprivileged connections; cxenstored's defaults and errors): nodes owned by a
/// domain (1000, `ENOSPC`), bytes in one node's record (2048, `ENOSPC`: see `node_record_bytes`;
/// cxenstored counts the whole stored record, not only the value), entries in a permission
/// list (5, `ENOSPC`), watches per domain (128, `E2BIG`), open transactions per connection (10,
/// `ENOSPC`). oxenstored returns its own `EQUOTA` name instead; xenhv follows cxenstored, whose
/// errors are all in Xen's `xsd_errors` table.
///
/// **Threads.** All operations take the store's mutex. Watch events are queued on the watching
/// connection under that mutex; its `wake` callback runs after the mutex is released, so a
/// callback may call back into the store.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <hv/abi.hpp>
#include <xenabi/abi/io/xs_wire.hpp>
#include <xenabi/core/result.hpp>

namespace hv::xenstore {

using xenabi::errc;

/// A value of type \p T (any type: strings, vectors) or a Xen error number: the hosted
/// counterpart of `xenabi::result<T>`, which holds only trivially copyable types.
template <class T>
class [[nodiscard]] value_result {
 public:
  /// A successful result holding \p v.
  value_result(T v) : v_(std::move(v)) {}  // NOLINT(implicit)
  /// A failed result holding \p e.
  value_result(errc e) : v_(e) {}  // NOLINT(implicit)
  /// True if a value is held.
  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 1; }
  /// True if a value is held.
  explicit operator bool() const noexcept { return has_value(); }
  /// The value (throws `std::bad_variant_access` if this holds an error).
  [[nodiscard]] const T& value() const& { return std::get<1>(v_); }
  /// The value (throws `std::bad_variant_access` if this holds an error).
  [[nodiscard]] T& value() & { return std::get<1>(v_); }
  /// The value, moved out.
  [[nodiscard]] T&& value() && { return std::get<1>(std::move(v_)); }
  /// The error (`errc{}` if this holds a value).
  [[nodiscard]] errc error() const noexcept { return v_.index() == 0 ? std::get<0>(v_) : errc{}; }
  /// True if \p r holds error \p e.
  friend bool operator==(const value_result& r, errc e) noexcept { return !r.has_value() && r.error() == e; }

 private:
  std::variant<errc, T> v_;
};

/// The result type of the xenstore API: `xenabi::result<void>` for operations without a value,
/// `value_result<T>` otherwise.
template <class T>
using result = std::conditional_t<std::is_void_v<T>, xenabi::result<void>, value_result<T>>;

/// A domain id as xenstore sees it.
using domid_t = std::uint16_t;

/// The identity of xenhv's toolstack in xenstore: the owner of the nodes it creates (`/`,
/// `/local`, `/local/domain/<id>` parents, `backend` directories' roots), and the domain that
/// holds xenstored's ends of the guests' store event channels. Never a guest id: guests have
/// ids 0..n-1 in command-line order.
inline constexpr domid_t toolstack_domid = 0x7f00;

/// One permission entry: a domain and its access (`n` none, `r` read, `w` write, `b` both).
struct perm {
  domid_t id = 0;   ///< The domain.
  char kind = 'n';  ///< 'n', 'r', 'w' or 'b'.
  /// Equal if domain and access are.
  friend bool operator==(const perm&, const perm&) = default;
};

/// Parses one permission string ("r5"): `einval` if malformed.
[[nodiscard]] inline result<perm> parse_perm(std::string_view s) {
  if (s.size() < 2 || s.size() > 6) return errc::einval;
  const char k = s[0];
  if (k != 'n' && k != 'r' && k != 'w' && k != 'b') return errc::einval;
  std::uint32_t v = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return errc::einval;
    v = v * 10 + static_cast<std::uint32_t>(s[i] - '0');
  }
  if (v > 0xffff) return errc::einval;
  return perm{static_cast<domid_t>(v), k};
}
/// The string form of \p p ("r5").
[[nodiscard]] inline std::string format_perm(const perm& p) { return p.kind + std::to_string(p.id); }

/// Per-domain limits for unprivileged connections (see the file comment).
struct quota {
  std::size_t nodes = 1000;        ///< Nodes a domain may own (`ENOSPC`).
  std::size_t node_size = 2048;    ///< A node's record (`node_record_bytes`) must stay below this (`ENOSPC`).
  std::size_t perms = 5;           ///< Entries in one permission list (`ENOSPC`).
  std::size_t watches = 128;       ///< Watches per domain (`E2BIG`).
  std::size_t transactions = 10;   ///< Open transactions per connection (`ENOSPC`).
  std::size_t queued_events = 1024;///< Undelivered watch events kept per connection (more are dropped).
};

/// A watch event: the path to report and the watch's token.
struct watch_event {
  std::string path;   ///< The changed path (relative if the watch was set relative).
  std::string token;  ///< The token given with the watch.
};

/// A node of the tree.
struct node {
  std::string value;              ///< The value (any bytes).
  std::vector<perm> perms;        ///< Owner + ACL; never empty.
  std::set<std::string> children; ///< Names of the children (not full paths).
  std::uint64_t gen = 0;          ///< Generation: changes when the value, perms or children change.
};

/// The size of \p n's record as cxenstored stores it and checks it against the node-size quota
/// (`write_node_raw`: an unprivileged write fails with `ENOSPC` when the record is at least
/// `quota::node_size` bytes): a 24-byte header (64-bit generation, then 32-bit permission count,
/// value length and children length, padded to 8), 8 bytes per permission entry (domain id and
/// access), the value, and each child's name with its terminating NUL. The node's own path is
/// the database key and not part of the record; nodes that only gain a child are checked too,
/// since cxenstored rewrites the parent's record when it adds one.
[[nodiscard]] inline std::size_t node_record_bytes(const node& n) {
  std::size_t children = 0;
  for (const auto& c : n.children) children += c.size() + 1;
  return 24 + 8 * n.perms.size() + n.value.size() + children;
}

/// A whole tree: full path -> node ("/" is the root).
using tree = std::map<std::string, node, std::less<>>;

class store;

/// A client of the store: a guest ring, an in-process backend, or the toolstack. Created by
/// `store::connect`; the store keeps it alive until `store::disconnect`.
class connection {
 public:
  /// A connection for domain \p id, privileged or not.
  connection(domid_t id, bool privileged) : id_(id), privileged_(privileged) {}
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// The domain this connection acts for.
  [[nodiscard]] domid_t id() const noexcept { return id_; }
  /// True for the toolstack (no permission checks, no quotas).
  [[nodiscard]] bool privileged() const noexcept { return privileged_; }
  /// The home directory relative paths are resolved against (`/local/domain/<id>`).
  [[nodiscard]] std::string home() const { return "/local/domain/" + std::to_string(id_); }

  /// Called, without the store's mutex held, after watch events were queued for this
  /// connection. Set it before setting watches.
  std::function<void()> wake;

  /// Takes the queued watch events (oldest first).
  [[nodiscard]] std::deque<watch_event> take_events();
  /// Watch events dropped because the queue was full.
  [[nodiscard]] std::uint64_t dropped_events() const;

 private:
  friend class store;
  struct watch {
    std::string path;   // absolute (or special)
    std::string token;
    bool relative;      // report paths relative to home
  };
  struct transaction {
    tree snapshot;                                 // the transaction's view
    std::map<std::string, std::uint64_t> seen;     // path -> generation at first access (0: absent)
    std::set<std::string> changed;                 // paths written or removed
    std::vector<std::pair<std::string, bool>> fire;// watch firings on commit: path, recursive
  };
  domid_t id_;
  bool privileged_;
  store* owner_ = nullptr;
  std::vector<watch> watches_;
  std::map<std::uint32_t, transaction> transactions_;
  std::deque<watch_event> events_;
  std::uint64_t dropped_ = 0;
};

/// The xenstore database (see the file comment).
class store {
 public:
  /// An empty store: `/`, `/local`, `/local/domain` and `/tool` owned by the toolstack, readable by
  /// nobody else (as Xen's `n0` root).
  explicit store(quota q = {}) : quota_(q) {
    node root;
    root.perms = {perm{toolstack_domid, 'n'}};
    root.gen = ++gen_;
    tree_.emplace("/", root);
    special_perms_["@introduceDomain"] = {perm{toolstack_domid, 'n'}};
    special_perms_["@releaseDomain"] = {perm{toolstack_domid, 'n'}};
    auto& ts = connect(toolstack_domid, true);
    (void)mkdir(ts, 0, "/local/domain");
    (void)mkdir(ts, 0, "/tool");
    toolstack_ = &ts;
  }
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  /// The limits in force.
  [[nodiscard]] const quota& limits() const noexcept { return quota_; }
  /// The toolstack's own (privileged) connection.
  [[nodiscard]] connection& toolstack() noexcept { return *toolstack_; }

  /// A new connection for domain \p id. The store owns it until `disconnect`.
  connection& connect(domid_t id, bool privileged = false) {
    std::lock_guard lock(mu_);
    conns_.push_back(std::make_unique<connection>(id, privileged));
    conns_.back()->owner_ = this;
    return *conns_.back();
  }
  /// Ends \p c: its watches and open transactions go, and it is destroyed.
  void disconnect(connection& c) {
    std::lock_guard lock(mu_);
    for (auto it = conns_.begin(); it != conns_.end(); ++it)
      if (it->get() == &c) {
        conns_.erase(it);
        return;
      }
  }
  /// Number of live connections (the toolstack's included).
  [[nodiscard]] std::size_t connections() const {
    std::lock_guard lock(mu_);
    return conns_.size();
  }

  /// Reads node \p path (in transaction \p tx, 0 for none).
  [[nodiscard]] result<std::string> read(connection& c, std::uint32_t tx, std::string_view path) {
    std::unique_lock lock(mu_);
    auto r = readable(c, tx, path);
    if (!r) return r.error();
    const node* n = r.value();
    return n->value;
  }
  /// Writes \p value to \p path, creating it and missing parents.
  [[nodiscard]] result<void> write(connection& c, std::uint32_t tx, std::string_view path, std::string_view value) {
    return modify(c, tx, path, [&](op_ctx& x) { return do_write(x, std::string(value), true); });
  }
  /// Creates \p path (and missing parents) with an empty value; no error if it exists.
  [[nodiscard]] result<void> mkdir(connection& c, std::uint32_t tx, std::string_view path) {
    return modify(c, tx, path, [&](op_ctx& x) { return do_write(x, {}, false); });
  }
  /// Removes \p path and everything below it. Removing a missing node whose parent exists
  /// succeeds (as xenstored); with no parent either it is `ENOENT`; `/` cannot be removed.
  [[nodiscard]] result<void> rm(connection& c, std::uint32_t tx, std::string_view path) {
    return modify(c, tx, path, [&](op_ctx& x) { return do_rm(x); });
  }
  /// The names of \p path's children.
  [[nodiscard]] result<std::vector<std::string>> directory(connection& c, std::uint32_t tx, std::string_view path) {
    std::lock_guard lock(mu_);
    auto r = readable(c, tx, path);
    if (!r) return r.error();
    const node* n = r.value();
    return std::vector<std::string>(n->children.begin(), n->children.end());
  }
  /// \p path's generation (for XS_DIRECTORY_PART) and children.
  [[nodiscard]] result<std::pair<std::uint64_t, std::vector<std::string>>> directory_gen(connection& c,
                                                                                         std::uint32_t tx,
                                                                                         std::string_view path) {
    std::lock_guard lock(mu_);
    auto r = readable(c, tx, path);
    if (!r) return r.error();
    const node* n = r.value();
    return std::pair{n->gen, std::vector<std::string>(n->children.begin(), n->children.end())};
  }
  /// \p path's permission list.
  [[nodiscard]] result<std::vector<perm>> get_perms(connection& c, std::uint32_t tx, std::string_view path) {
    std::lock_guard lock(mu_);
    if (!path.empty() && path[0] == '@') {
      auto it = special_perms_.find(std::string(path));
      if (it == special_perms_.end()) return errc::enoent;
      return it->second;
    }
    auto r = readable(c, tx, path);
    if (!r) return r.error();
    const node* n = r.value();
    return n->perms;
  }
  /// Sets \p path's permission list to \p perms (at least one entry).
  [[nodiscard]] result<void> set_perms(connection& c, std::uint32_t tx, std::string_view path, std::vector<perm> perms) {
    if (perms.empty()) return errc::einval;
    if (!c.privileged() && perms.size() > quota_.perms) return errc::enospc;
    if (!path.empty() && path[0] == '@') {
      if (!c.privileged()) return errc::eacces;
      std::lock_guard lock(mu_);
      auto it = special_perms_.find(std::string(path));
      if (it == special_perms_.end()) return errc::enoent;
      it->second = std::move(perms);
      return {};
    }
    return modify(c, tx, path, [&](op_ctx& x) -> result<void> {
      node* n = find(x, x.path);
      if (n == nullptr) return errc::enoent;
      if (!can(c, *n, 'w')) return errc::eacces;
      if (!c.privileged() && perms[0].id != n->perms[0].id) return errc::eperm;
      if (!c.privileged()) {
        node probe{n->value, perms, n->children, 0};
        if (node_record_bytes(probe) >= quota_.node_size) return errc::enospc;
      }
      n->perms = perms;
      n->gen = ++gen_;
      x.fire.push_back({x.path, false});
      return {};
    });
  }
  /// Sets the readers of the special watch path \p special ("@releaseDomain").
  [[nodiscard]] result<void> set_special_perms(std::string_view special, std::vector<perm> perms) {
    return set_perms(*toolstack_, 0, special, std::move(perms));
  }

  /// Starts a transaction for \p c and returns its id (never 0).
  [[nodiscard]] result<std::uint32_t> transaction_start(connection& c) {
    std::lock_guard lock(mu_);
    if (!c.privileged() && c.transactions_.size() >= quota_.transactions) return errc::enospc;
    std::uint32_t id = next_tx_++;
    if (id == 0) id = next_tx_++;
    auto& t = c.transactions_[id];
    t.snapshot = tree_;
    return id;
  }
  /// Ends transaction \p tx of \p c: commits it if \p commit (`EAGAIN` on a conflict, nothing
  /// applied), else discards it. `ENOENT` for an unknown id.
  [[nodiscard]] result<void> transaction_end(connection& c, std::uint32_t tx, bool commit) {
    std::vector<connection*> woken;
    {
      std::lock_guard lock(mu_);
      auto it = c.transactions_.find(tx);
      if (it == c.transactions_.end()) return errc::enoent;
      auto t = std::move(it->second);
      c.transactions_.erase(it);
      if (!commit) return {};
      for (const auto& [p, g] : t.seen) {
        auto cur = tree_.find(p);
        const std::uint64_t now = cur == tree_.end() ? 0 : cur->second.gen;
        if (now != g) return errc::eagain;
      }
      for (const auto& p : t.changed) {
        auto s = t.snapshot.find(p);
        if (s == t.snapshot.end()) {
          tree_.erase(p);
        } else {
          auto& dst = tree_[p];
          dst = s->second;
          dst.gen = ++gen_;
        }
      }
      for (const auto& [p, recursive] : t.fire) fire_locked(p, recursive, woken, &t.snapshot);
    }
    wake(woken);
    return {};
  }

  /// Sets a watch of \p c on \p path with \p token; it fires once right away.
  [[nodiscard]] result<void> watch(connection& c, std::string_view path, std::string_view token) {
    std::vector<connection*> woken;
    {
      std::lock_guard lock(mu_);
      auto abs = resolve(c, path, true);
      if (!abs) return abs.error();
      for (const auto& w : c.watches_)
        if (w.path == abs.value() && w.token == token) return errc::eexist;
      if (!c.privileged() && watches_of(c.id()) >= quota_.watches) return errc::e2big;
      const bool rel = !path.empty() && path[0] != '/' && path[0] != '@';
      c.watches_.push_back({abs.value(), std::string(token), rel});
      queue_event(c, {std::string(path), std::string(token)}, woken);
    }
    wake(woken);
    return {};
  }
  /// Removes \p c's watch (\p path, \p token): `ENOENT` if there is none.
  [[nodiscard]] result<void> unwatch(connection& c, std::string_view path, std::string_view token) {
    std::lock_guard lock(mu_);
    auto abs = resolve(c, path, true);
    if (!abs) return abs.error();
    for (auto it = c.watches_.begin(); it != c.watches_.end(); ++it)
      if (it->path == abs.value() && it->token == token) {
        c.watches_.erase(it);
        return {};
      }
    return errc::enoent;
  }
  /// Removes every watch of \p c (XS_RESET_WATCHES).
  void reset_watches(connection& c) {
    std::lock_guard lock(mu_);
    c.watches_.clear();
  }

  /// The toolstack introduces domain \p id named \p name: `/local/domain/<id>` (owned by it; kept
  /// with its contents if it exists) with
  /// `domid`, `name`, `control/shutdown`, `device` and, if \p driver, `backend`; fires
  /// `@introduceDomain`.
  void introduce_domain(domid_t id, std::string_view name, bool driver = false) {
    auto& ts = *toolstack_;
    const std::string home = "/local/domain/" + std::to_string(id);
    const std::vector<perm> own{perm{id, 'n'}};
    (void)mkdir(ts, 0, home);
    (void)set_perms(ts, 0, home, own);
    // The domain may read its own name and domid but not change them (libxl's layout).
    (void)write(ts, 0, home + "/domid", std::to_string(id));
    (void)set_perms(ts, 0, home + "/domid", {perm{toolstack_domid, 'n'}, perm{id, 'r'}});
    (void)write(ts, 0, home + "/name", name);
    (void)set_perms(ts, 0, home + "/name", {perm{toolstack_domid, 'n'}, perm{id, 'r'}});
    (void)write(ts, 0, home + "/control/shutdown", "");
    (void)mkdir(ts, 0, home + "/device");
    (void)set_perms(ts, 0, home + "/device", own);
    if (driver) {
      (void)mkdir(ts, 0, home + "/backend");
      (void)set_perms(ts, 0, home + "/backend", own);
    }
    {
      std::lock_guard lock(mu_);
      introduced_.insert(id);
    }
    fire_special("@introduceDomain");
  }
  /// The toolstack releases domain \p id: its connections lose their watches and transactions,
  /// `@releaseDomain` fires and, if \p remove_home, `/local/domain/<id>` is removed (a driver
  /// domain that is restarted keeps it, so its device directories survive).
  void release_domain(domid_t id, bool remove_home = true) {
    if (remove_home) (void)rm(*toolstack_, 0, "/local/domain/" + std::to_string(id));
    {
      std::lock_guard lock(mu_);
      introduced_.erase(id);
      for (auto& c : conns_)
        if (c->id() == id && !c->privileged()) {
          c->watches_.clear();
          c->transactions_.clear();
        }
    }
    fire_special("@releaseDomain");
  }
  /// True if \p id was introduced and not released.
  [[nodiscard]] bool introduced(domid_t id) const {
    std::lock_guard lock(mu_);
    return introduced_.count(id) != 0;
  }

  /// Number of nodes in the tree (for tests and statistics).
  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mu_);
    return tree_.size();
  }

 private:
  struct op_ctx {
    connection& c;
    std::string path;                       // absolute
    tree* t;                                // the tree being read/changed
    connection::transaction* tx;            // null outside transactions
    std::vector<std::pair<std::string, bool>> fire;
  };

  static bool valid_char(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '/' || ch == '_' || ch == '@';
  }

  // The absolute form of `path` for `c`, checked.
  result<std::string> resolve(const connection& c, std::string_view path, bool allow_special) const {
    if (path.empty()) return errc::einval;
    if (path[0] == '@') {
      if (!allow_special) return errc::einval;
      if (special_perms_.count(std::string(path)) == 0) return errc::einval;
      return std::string(path);
    }
    for (char ch : path)
      if (!valid_char(ch)) return errc::einval;
    std::string abs;
    if (path[0] == '/') {
      if (path.size() > xenabi::abi::XENSTORE::ABS_PATH_MAX) return errc::einval;
      abs = std::string(path);
    } else {
      if (path.size() > xenabi::abi::XENSTORE::REL_PATH_MAX) return errc::einval;
      abs = c.home() + "/" + std::string(path);
    }
    if (abs.size() > 1 && abs.back() == '/') return errc::einval;
    if (abs.find("//") != std::string::npos) return errc::einval;
    if (abs.find('@') != std::string::npos) return errc::einval;
    return abs;
  }

  static std::string parent_of(const std::string& p) {
    const auto pos = p.rfind('/');
    return pos == 0 ? std::string("/") : p.substr(0, pos);
  }
  static std::string leaf_of(const std::string& p) { return p.substr(p.rfind('/') + 1); }

  // Access of c to n: 'r' or 'w' wanted.
  static bool can(const connection& c, const node& n, char want) {
    if (c.privileged()) return true;
    if (n.perms.empty()) return false;
    if (n.perms[0].id == c.id()) return true;
    char k = n.perms[0].kind;
    for (std::size_t i = 1; i < n.perms.size(); ++i)
      if (n.perms[i].id == c.id()) {
        k = n.perms[i].kind;
        break;
      }
    return k == 'b' || k == want;
  }

  result<op_ctx> begin(connection& c, std::uint32_t tx, std::string_view path, bool) {
    auto abs = resolve(c, path, false);
    if (!abs) return abs.error();
    if (tx == 0) return op_ctx{c, abs.value(), &tree_, nullptr, {}};
    auto it = c.transactions_.find(tx);
    if (it == c.transactions_.end()) return errc::enoent;
    return op_ctx{c, abs.value(), &it->second.snapshot, &it->second, {}};
  }

  // The node at \p path that \p c may read (ENOENT / EACCES otherwise), recording the access in
  // transaction \p tx. Call with mu_ held; the node lives in the tree or the snapshot.
  result<const node*> readable(connection& c, std::uint32_t tx, std::string_view path) {
    auto ctx = begin(c, tx, path, false);
    if (!ctx) return ctx.error();
    const node* n = find(ctx.value(), ctx.value().path);
    if (n == nullptr) return errc::enoent;
    if (!can(c, *n, 'r')) return errc::eacces;
    return n;
  }

  // Looks a node up in x's tree, recording the access in a transaction.
  node* find(op_ctx& x, const std::string& p) {
    auto it = x.t->find(p);
    if (x.tx != nullptr && x.tx->seen.count(p) == 0) x.tx->seen[p] = it == x.t->end() ? 0 : it->second.gen;
    return it == x.t->end() ? nullptr : &it->second;
  }
  void touched(op_ctx& x, const std::string& p) {
    if (x.tx != nullptr) x.tx->changed.insert(p);
  }

  std::size_t owned_by(const tree& t, domid_t id) const {
    std::size_t n = 0;
    for (const auto& [p, nd] : t)
      if (nd.perms[0].id == id) ++n;
    return n;
  }
  std::size_t watches_of(domid_t id) const {
    std::size_t n = 0;
    for (const auto& c : conns_)
      if (c->id() == id) n += c->watches_.size();
    return n;
  }

  template <class F>
  result<void> modify(connection& c, std::uint32_t tx, std::string_view path, F&& f) {
    std::vector<connection*> woken;
    {
      std::lock_guard lock(mu_);
      auto ctx = begin(c, tx, path, true);
      if (!ctx) return ctx.error();
      auto r = f(ctx.value());
      if (!r) return r;
      auto& x = ctx.value();
      if (x.tx != nullptr) {
        for (auto& fp : x.fire) x.tx->fire.push_back(fp);
      } else {
        for (auto& [p, rec] : x.fire) fire_locked(p, rec, woken, nullptr);
      }
    }
    wake(woken);
    return {};
  }

  // Creates x.path (and parents) if missing; sets its value if `set`.
  result<void> do_write(op_ctx& x, std::string value, bool set) {
    connection& c = x.c;
    const bool limited = !c.privileged();
    // A record of \p base's shape with \p v as value and \p extra_child added (if not empty)
    // must stay below the node-size quota.
    auto fits = [&](const node& base, const std::string& v, const std::string& extra_child) {
      std::size_t bytes = node_record_bytes(base) - base.value.size() + v.size();
      if (!extra_child.empty() && base.children.count(extra_child) == 0) bytes += extra_child.size() + 1;
      return bytes < quota_.node_size;
    };
    node* n = find(x, x.path);
    if (n != nullptr) {
      if (!can(c, *n, 'w')) return errc::eacces;
      if (!set) return {};
      if (limited && !fits(*n, value, {})) return errc::enospc;
      n->value = std::move(value);
      n->gen = ++gen_;
      touched(x, x.path);
      x.fire.push_back({x.path, false});
      return {};
    }
    // Find the deepest existing ancestor; the caller needs write access there.
    std::vector<std::string> missing{x.path};
    std::string anc = parent_of(x.path);
    node* a = nullptr;
    for (;;) {
      a = find(x, anc);
      if (a != nullptr) break;
      missing.push_back(anc);
      anc = parent_of(anc);
    }
    if (!can(c, *a, 'w')) return errc::eacces;
    if (!c.privileged() && owned_by(*x.t, c.id()) + missing.size() > quota_.nodes) return errc::enospc;
    std::vector<perm> perms = a->perms;
    if (!c.privileged()) perms[0].id = c.id();
    if (limited) {
      // The existing ancestor gains a child; each new node has the inherited permissions, the
      // new node's value (the last one) and one child (all others).
      if (!fits(*a, a->value, leaf_of(missing.back()))) return errc::enospc;
      for (std::size_t i = 0; i < missing.size(); ++i) {
        node probe{i == 0 ? value : std::string(), perms, {}, 0};
        if (i != 0) probe.children.insert(leaf_of(missing[i - 1]));
        if (node_record_bytes(probe) >= quota_.node_size) return errc::enospc;
      }
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      node nn;
      nn.perms = perms;
      nn.gen = ++gen_;
      if (std::next(it) == missing.rend()) nn.value = value;
      const std::string par = parent_of(*it);
      node& pn = (*x.t)[par];
      pn.children.insert(leaf_of(*it));
      pn.gen = ++gen_;
      touched(x, par);
      (*x.t)[*it] = std::move(nn);
      touched(x, *it);
      x.fire.push_back({*it, false});
    }
    return {};
  }

  result<void> do_rm(op_ctx& x) {
    connection& c = x.c;
    if (x.path == "/") return errc::einval;
    node* n = find(x, x.path);
    const std::string par = parent_of(x.path);
    node* pn = find(x, par);
    if (n == nullptr) return pn != nullptr ? result<void>{} : result<void>{errc::enoent};
    if (!can(c, *n, 'w')) return errc::eacces;
    // Remove the subtree.
    const std::string prefix = x.path + "/";
    for (auto it = x.t->lower_bound(prefix); it != x.t->end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
      if (x.tx != nullptr && x.tx->seen.count(it->first) == 0) x.tx->seen[it->first] = it->second.gen;
      touched(x, it->first);
      it = x.t->erase(it);
    }
    x.t->erase(x.path);
    touched(x, x.path);
    if (pn != nullptr) {
      pn->children.erase(leaf_of(x.path));
      pn->gen = ++gen_;
      touched(x, par);
    }
    x.fire.push_back({x.path, true});
    return {};
  }

  static bool is_below(const std::string& p, const std::string& base) {
    if (base == "/") return p.size() >= 1 && p[0] == '/';
    return p == base || (p.size() > base.size() && p.compare(0, base.size(), base) == 0 && p[base.size()] == '/');
  }

  // Queues watch events for a change of `p` (recursive: the subtree was removed). `old` is the
  // tree in which to find the node for permission checks when it is gone from the live tree.
  void fire_locked(const std::string& p, bool recursive, std::vector<connection*>& woken, const tree* old) {
    // The node (or, if removed, its last known perms from the parent chain) decides who may see it.
    const node* n = nullptr;
    if (auto it = tree_.find(p); it != tree_.end()) n = &it->second;
    if (n == nullptr && old != nullptr)
      if (auto it = old->find(p); it != old->end()) n = &it->second;
    if (n == nullptr) {
      std::string a = parent_of(p);
      while (n == nullptr) {
        if (auto it = tree_.find(a); it != tree_.end()) n = &it->second;
        if (a == "/") break;
        a = parent_of(a);
      }
    }
    for (auto& cp : conns_) {
      connection& c = *cp;
      for (const auto& w : c.watches_) {
        std::string report;
        if (is_below(p, w.path)) report = p;
        else if (recursive && is_below(w.path, p)) report = w.path;
        else continue;
        if (n != nullptr && !can(c, *n, 'r')) continue;
        if (w.relative) {
          const std::string h = c.home() + "/";
          if (report.compare(0, h.size(), h) == 0) report = report.substr(h.size());
        }
        queue_event(c, {report, w.token}, woken);
      }
    }
  }

  void fire_special(const std::string& name) {
    std::vector<connection*> woken;
    {
      std::lock_guard lock(mu_);
      const auto& perms = special_perms_[name];
      node pseudo;
      pseudo.perms = perms;
      for (auto& cp : conns_)
        for (const auto& w : cp->watches_)
          if (w.path == name && can(*cp, pseudo, 'r')) queue_event(*cp, {name, w.token}, woken);
    }
    wake(woken);
  }

  void queue_event(connection& c, watch_event e, std::vector<connection*>& woken) {
    if (c.events_.size() >= quota_.queued_events) {
      ++c.dropped_;
      return;
    }
    c.events_.push_back(std::move(e));
    for (auto* w : woken)
      if (w == &c) return;
    woken.push_back(&c);
  }

  void wake(const std::vector<connection*>& woken) {
    for (auto* c : woken) {
      std::function<void()> f;
      {
        std::lock_guard lock(mu_);
        bool alive = false;
        for (auto& cp : conns_) alive = alive || cp.get() == c;
        if (!alive) continue;
        f = c->wake;
      }
      if (f) f();
    }
  }

  friend class connection;
  quota quota_;
  mutable std::mutex mu_;
  tree tree_;
  std::uint64_t gen_ = 0;
  std::uint32_t next_tx_ = 1;
  std::vector<std::unique_ptr<connection>> conns_;
  std::map<std::string, std::vector<perm>> special_perms_;
  std::set<domid_t> introduced_;
  connection* toolstack_ = nullptr;
};

inline std::deque<watch_event> connection::take_events() {
  std::lock_guard lock(owner_->mu_);
  std::deque<watch_event> out;
  out.swap(events_);
  return out;
}

inline std::uint64_t connection::dropped_events() const {
  std::lock_guard lock(owner_->mu_);
  return dropped_;
}

}  // namespace hv::xenstore
