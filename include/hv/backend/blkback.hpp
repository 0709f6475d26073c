/// \file
/// \ingroup drivers
/// The block back end (blkback) of one connected front end: the shared blkif ring mapped from
/// the front end's grants (one page or `2^ring-page-order` pages, either width: blk_ring.hpp), a
/// dispatcher thread that consumes requests, a pool of worker threads
/// that serve them against a file-backed disk (blk_disk.hpp) through the front end's grants
/// (blk_grants.hpp, blk_request.hpp), and the responses.
///
/// \code
/// hv::blk::disk img("disk.img", false);
/// hv::blk::blkback::params p{frontend_id, {ring_ref}, /*persistent=*/true,
///                            [&] { send_event_to_frontend(); }, hv::blk::abi_width::x86_64};
/// auto be = hv::blk::blkback::connect(driver_domain, img, {}, p);   // maps the ring, starts threads
/// ... on each event from the front end: be->kick();
/// be->kill();       // a crash: in-flight requests are left unanswered
/// \endcode
///
/// **Ordering.** READ, WRITE, INDIRECT and DISCARD requests are served by the workers in any
/// order and in parallel (the last request of each batch the dispatcher consumed is served by the
/// dispatcher itself, saving a thread hand-off when requests arrive one at a time); responses go
/// back as each completes (the `id` tells them apart).
/// WRITE_BARRIER and FLUSH_DISKCACHE order: the dispatcher waits until every earlier request has
/// completed, makes them durable (`fdatasync`), performs the request's own write and makes it
/// durable, and only then goes on with the requests after it (the paper's reorder barrier).
///
/// **Hostile front end.** Malformed requests are answered with an error status
/// (blk_request.hpp). A producer index that claims more requests than the ring can hold marks
/// the connection `broken()`: nothing more is consumed, and the device should be closed.
///
/// **Isolation.** The back end runs on its own threads and touches the front end's memory only
/// through grants mapped by the back end's domain (the driver domain). `kill()` stops it as a
/// crash would: no further response is written, every mapping it held is dropped; a new
/// instance connected to a fresh ring serves the re-issued requests.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <hv/backend/blk_request.hpp>
#include <hv/backend/blk_ring.hpp>

namespace hv::blk {

/// How a back end is set up.
struct config {
  features offer;        ///< What is offered to the front end.
  bool persistent = true;  ///< Offer `feature-persistent`.
  /// Worker threads serving unordered requests (0: the dispatcher serves every request itself).
  unsigned workers = 2;
  /// `max-ring-page-order`: the largest ring (2^order pages) accepted (at most
  /// `hv::blk::max_ring_page_order`).
  unsigned max_ring_page_order = blk::max_ring_page_order;
  /// Called (from the serving thread) when a request starts (`true`) and when it has completed,
  /// before its response is written (`false`); for tests and tracing. May be empty.
  std::function<void(const xenabi::abi::blkif_x86_64_request&, bool started)> observer;
};

/// Statistics of one back end (monotonic counters).
struct counters {
  std::atomic<std::uint64_t> requests{0};   ///< Requests consumed.
  std::atomic<std::uint64_t> errors{0};     ///< Responses with a status other than OKAY.
  std::atomic<std::uint64_t> notifies{0};   ///< Notifications sent to the front end.
  std::atomic<std::uint64_t> kicks{0};      ///< Notifications received from the front end.
  std::atomic<std::uint64_t> barriers{0};   ///< Ordering requests (barrier/flush) served.
};

/// One connected block back end.
class blkback {
 public:
  /// The connection: who the front end is and how to reach it.
  struct params {
    std::uint16_t frontend = 0;                ///< The front end's domain id.
    std::vector<std::uint32_t> ring_refs;      ///< Grant references of the ring's pages, in order.
    bool persistent = false;                   ///< The front end also offered `feature-persistent`.
    std::function<void()> notify;              ///< Sends an event to the front end.
    abi_width protocol = abi_width::x86_64;    ///< The front end's ring layout (`protocol`).
  };

  /// Maps the ring pages granted by \p p.frontend (as \p backend, the driver domain), attaches
  /// to them and starts the threads. Null if the page count is not a power of two up to
  /// `2^c.max_ring_page_order` (then \p why, if given, is `einval`) or a page cannot be mapped
  /// writable (`eacces`; nothing stays mapped).
  [[nodiscard]] static std::unique_ptr<blkback> connect(domain& backend, const disk& d, const config& c, params p,
                                                        errc* why = nullptr) {
    const std::size_t n = p.ring_refs.size();
    const unsigned max_order = c.max_ring_page_order < max_ring_page_order ? c.max_ring_page_order : max_ring_page_order;
    if (n == 0 || (n & (n - 1)) != 0 || n > (std::size_t{1} << max_order)) {
      if (why != nullptr) *why = errc::einval;
      return nullptr;
    }
    std::vector<std::uint32_t> handles;
    std::vector<std::byte*> pages;
    for (std::uint32_t ref : p.ring_refs) {
      auto m = grant_map(backend, p.frontend, ref, false);
      auto v = m.status == abi::GNTST::okay ? granted_frame(backend, m.handle) : result<granted_view>(errc::eacces);
      if (m.status == abi::GNTST::okay) handles.push_back(m.handle);
      if (!v) {
        for (std::uint32_t h : handles) (void)grant_unmap(backend, h);
        if (why != nullptr) *why = errc::eacces;
        return nullptr;
      }
      pages.push_back(v.value().bytes.data());
    }
    shared_ring ring(std::move(pages), p.protocol);
    return std::unique_ptr<blkback>(new blkback(backend, d, c, std::move(p), std::move(handles), std::move(ring)));
  }
  blkback(const blkback&) = delete;
  blkback& operator=(const blkback&) = delete;
  /// Stops the threads (requests in flight complete and are answered) and unmaps everything.
  ~blkback() { shutdown(false); }

  /// The front end notified us: look at the ring.
  void kick() {
    ++stats_.kicks;
    {
      std::lock_guard lock(mu_);
      kicked_ = true;
    }
    cv_.notify_all();
  }
  /// Stops as a crash would: no further response is written, in-flight requests stay
  /// unanswered, every grant mapping is dropped. Idempotent.
  void kill() { shutdown(true); }
  /// True once `kill()` has begun (no response is written after this is true).
  [[nodiscard]] bool killed() const noexcept { return killed_.load(); }
  /// True if the front end broke the ring protocol (the device should be closed).
  [[nodiscard]] bool broken() const noexcept { return broken_.load(); }
  /// The counters.
  [[nodiscard]] const counters& stats() const noexcept { return stats_; }
  /// The grant mappings (for their counts).
  [[nodiscard]] const grant_access& grants() const noexcept { return grants_; }
  /// What is offered (after adjusting to the disk).
  [[nodiscard]] const features& offered() const noexcept { return handler_.offered(); }
  /// Slots of the shared ring.
  [[nodiscard]] std::uint32_t ring_slots() const noexcept { return ring_.size(); }
  /// The front end's ring layout.
  [[nodiscard]] abi_width protocol() const noexcept { return ring_.width(); }

 private:
  blkback(domain& backend, const disk& d, const config& c, params p, std::vector<std::uint32_t> ring_handles,
          shared_ring ring)
      : be_(backend),
        p_(std::move(p)),
        ring_handles_(std::move(ring_handles)),
        grants_(backend, p_.frontend, c.persistent && p_.persistent, persistent_capacity(c)),
        handler_(d, grants_, c.offer),
        observer_(c.observer),
        ring_(std::move(ring)) {
    // The front end initialised the pages; our indices start at 0 (a fresh ring).
    for (unsigned i = 0; i < c.workers; ++i) workers_.emplace_back([this] { work(); });
    dispatcher_ = std::thread([this] { dispatch(); });
  }

  // Persistent mappings leave room in the driver domain's maptrack for the ring and for the
  // per-request mappings of every request that can be in service at once.
  static std::size_t persistent_capacity(const config& c) {
    const std::size_t concurrent = c.workers == 0 ? 1 : c.workers;
    const std::size_t per_request = std::size_t{c.offer.max_indirect_segments} + 8 + 11;
    const std::size_t reserve = (std::size_t{1} << max_ring_page_order) + concurrent * per_request;
    return reserve >= domain::max_maptrack ? 0 : domain::max_maptrack - reserve;
  }

  void dispatch() {
    std::vector<bif::request> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return kicked_ || stop_; });
        if (stop_) return;
        kicked_ = false;
      }
      for (;;) {
        batch.clear();
        bool more = false;
        {
          std::lock_guard lock(ring_mu_);
          auto n = ring_.consume([&](const bif::request& r) { batch.push_back(r); });
          if (!n) {
            broken_ = true;
            return;
          }
          if (batch.empty()) {
            auto f = ring_.final_check();
            if (!f) {
              broken_ = true;
              return;
            }
            more = f.value();
          }
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
          const auto& r = batch[i];
          if (stopping()) return;
          ++stats_.requests;
          if (is_ordering(r)) {
            ++stats_.barriers;
            drain();
            if (stopping()) return;
            respond(r, serve(r));
          } else if (workers_.empty() || i + 1 == batch.size()) {
            // The last request of a batch is served here: no hand-off to a worker, whose
            // wake-up would cost more than the request when requests come one at a time.
            {
              std::lock_guard lock(mu_);
              ++inflight_;
            }
            respond(r, serve(r));
            {
              std::lock_guard lock(mu_);
              --inflight_;
            }
          } else {
            std::lock_guard lock(mu_);
            ++inflight_;
            queue_.push_back(r);
            cv_work_.notify_one();
          }
        }
        if (batch.empty() && !more) break;
      }
    }
  }

  void work() {
    for (;;) {
      bif::request r;
      {
        std::unique_lock lock(mu_);
        cv_work_.wait(lock, [&] { return !queue_.empty() || stop_; });
        if (stop_ && (killed_ || queue_.empty())) return;
        r = queue_.front();
        queue_.pop_front();
      }
      respond(r, serve(r));
      {
        std::lock_guard lock(mu_);
        --inflight_;
      }
      cv_drain_.notify_all();
    }
  }

  std::int16_t serve(const bif::request& r) {
    if (observer_) observer_(r, true);
    const std::int16_t st = handler_.serve(r);
    if (observer_) observer_(r, false);
    return st;
  }

  void drain() {
    std::unique_lock lock(mu_);
    cv_drain_.wait(lock, [&] { return inflight_ == 0 || stop_; });
  }

  bool stopping() {
    std::lock_guard lock(mu_);
    return stop_;
  }

  void respond(const bif::request& r, std::int16_t status) {
    if (status != 0) ++stats_.errors;
    bool notify = false;
    {
      std::lock_guard lock(ring_mu_);
      if (killed_.load()) return;
      bif::response rsp{};
      rsp.id = r.id;
      rsp.operation = response_operation(r);
      rsp.status = status;
      ring_.produce(rsp);
      notify = ring_.push();
    }
    if (notify && p_.notify) {
      ++stats_.notifies;
      p_.notify();
    }
  }

  void shutdown(bool kill) {
    {
      std::lock_guard rl(ring_mu_);  // no response is being written once this is held
      if (kill) killed_ = true;
    }
    {
      std::lock_guard lock(mu_);
      if (kill) {
        queue_.clear();
      }
      stop_ = true;
    }
    cv_.notify_all();
    cv_work_.notify_all();
    cv_drain_.notify_all();
    if (dispatcher_.joinable()) dispatcher_.join();
    for (auto& w : workers_)
      if (w.joinable()) w.join();
    grants_.clear();
    for (std::uint32_t h : ring_handles_) (void)grant_unmap(be_, h);
    ring_handles_.clear();
  }

  domain& be_;
  params p_;
  std::vector<std::uint32_t> ring_handles_;
  grant_access grants_;
  request_handler handler_;
  std::function<void(const bif::request&, bool)> observer_;
  counters stats_;

  std::mutex ring_mu_;  // guards ring_ (both the consumer and the producer side)
  shared_ring ring_;

  std::mutex mu_;  // guards the fields below
  std::condition_variable cv_;        // dispatcher: kicked or stop
  std::condition_variable cv_work_;   // workers: queue or stop
  std::condition_variable cv_drain_;  // dispatcher: inflight reached 0
  bool kicked_ = true;                // look at the ring once at start
  bool stop_ = false;
  std::atomic<bool> killed_{false};
  std::atomic<bool> broken_{false};
  std::size_t inflight_ = 0;
  std::deque<bif::request> queue_;

  std::vector<std::thread> workers_;
  std::thread dispatcher_;
};

}  // namespace hv::blk
