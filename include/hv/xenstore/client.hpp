/// \file
/// \ingroup xenstore
/// The in-process xenstore API for hv-side backends and the toolstack: a `client` is one
/// connection to the `store`, acting for one domain id (a driver domain's, or the toolstack's
/// when privileged), with the same operations, permissions, quotas and errors a guest gets over
/// its ring.
///
/// \code
/// hv::xenstore::client xs(store, dd_id);                // unprivileged, as a driver domain
/// auto fe = xs.read("backend/vbd/1/51712/frontend");    // relative to /local/domain/<dd_id>
/// XENABI_TRY(xs.watch(fe.value() + "/state", "fe"));    // fires once now, then on changes
/// for (auto& e : xs.wait_events(std::chrono::milliseconds(100))) handle(e.path, e.token);
/// auto r = xs.transact([&](std::uint32_t tx) { return xs.write("backend/vbd/1/51712/state", "4", tx); });
/// \endcode
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <hv/xenstore/store.hpp>

namespace hv::xenstore {

/// One in-process connection to a `store` (see the file comment). Not copyable; disconnects on
/// destruction (its watches and open transactions go).
class client {
 public:
  /// Connects to \p s as domain \p id (privileged: the toolstack's rights).
  client(store& s, domid_t id, bool privileged = false) : s_(s), c_(&s.connect(id, privileged)) {
    c_->wake = [this] {
      {
        std::lock_guard lock(mu_);
        pending_ = true;
      }
      cv_.notify_all();
      std::function<void()> hook;
      {
        std::lock_guard lock(mu_);
        hook = hook_;
      }
      if (hook) hook();
    };
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  /// Disconnects.
  ~client() { s_.disconnect(*c_); }

  /// The domain this client acts for.
  [[nodiscard]] domid_t id() const noexcept { return c_->id(); }
  /// The store.
  [[nodiscard]] store& db() noexcept { return s_; }
  /// This client's connection.
  [[nodiscard]] connection& conn() noexcept { return *c_; }

  /// Reads \p path (relative paths are below `/local/domain/<id>`).
  [[nodiscard]] result<std::string> read(std::string_view path, std::uint32_t tx = 0) { return s_.read(*c_, tx, path); }
  /// Writes \p value to \p path (creating it and its parents).
  [[nodiscard]] result<void> write(std::string_view path, std::string_view value, std::uint32_t tx = 0) {
    return s_.write(*c_, tx, path, value);
  }
  /// Creates \p path (no error if it exists).
  [[nodiscard]] result<void> mkdir(std::string_view path, std::uint32_t tx = 0) { return s_.mkdir(*c_, tx, path); }
  /// Removes \p path and everything below it.
  [[nodiscard]] result<void> rm(std::string_view path, std::uint32_t tx = 0) { return s_.rm(*c_, tx, path); }
  /// The children of \p path.
  [[nodiscard]] result<std::vector<std::string>> directory(std::string_view path, std::uint32_t tx = 0) {
    return s_.directory(*c_, tx, path);
  }
  /// The permission list of \p path.
  [[nodiscard]] result<std::vector<perm>> get_perms(std::string_view path, std::uint32_t tx = 0) {
    return s_.get_perms(*c_, tx, path);
  }
  /// Sets the permission list of \p path.
  [[nodiscard]] result<void> set_perms(std::string_view path, std::vector<perm> perms, std::uint32_t tx = 0) {
    return s_.set_perms(*c_, tx, path, std::move(perms));
  }
  /// Starts a transaction.
  [[nodiscard]] result<std::uint32_t> transaction_start() { return s_.transaction_start(*c_); }
  /// Commits (\p commit) or aborts transaction \p tx; `EAGAIN` on a conflicting commit.
  [[nodiscard]] result<void> transaction_end(std::uint32_t tx, bool commit) {
    return s_.transaction_end(*c_, tx, commit);
  }
  /// Runs \p body(tx) in a transaction and commits it, again while the commit fails with
  /// `EAGAIN` (at most \p attempts times). A failing body aborts and returns its error.
  template <class F>
  [[nodiscard]] result<void> transact(F&& body, unsigned attempts = 16) {
    for (unsigned i = 0; i < attempts; ++i) {
      auto tx = transaction_start();
      if (!tx) return tx.error();
      result<void> r = body(tx.value());
      if (!r) {
        (void)transaction_end(tx.value(), false);
        return r;
      }
      auto e = transaction_end(tx.value(), true);
      if (!e && e.error() == errc::eagain) continue;
      return e;
    }
    return errc::eagain;
  }
  /// Watches \p path with \p token (fires once right away).
  [[nodiscard]] result<void> watch(std::string_view path, std::string_view token) { return s_.watch(*c_, path, token); }
  /// Removes the watch (\p path, \p token).
  [[nodiscard]] result<void> unwatch(std::string_view path, std::string_view token) {
    return s_.unwatch(*c_, path, token);
  }

  /// Takes the queued watch events without waiting.
  [[nodiscard]] std::deque<watch_event> take_events() {
    {
      std::lock_guard lock(mu_);
      pending_ = false;
    }
    return c_->take_events();
  }
  /// Waits up to \p timeout for watch events and takes them (empty on timeout).
  [[nodiscard]] std::deque<watch_event> wait_events(std::chrono::nanoseconds timeout) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, timeout, [&] { return pending_; });
      pending_ = false;
    }
    return c_->take_events();
  }
  /// Also calls \p hook (without locks held) whenever events are queued for this client, e.g.
  /// to wake a driver domain's event loop.
  void on_events(std::function<void()> hook) {
    std::lock_guard lock(mu_);
    hook_ = std::move(hook);
  }

 private:
  store& s_;
  connection* c_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  std::function<void()> hook_;
};

}  // namespace hv::xenstore
