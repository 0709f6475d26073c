/// \file
/// The network frontend (netfront): a guest's end of a Xen virtual network interface, over the
/// netif transmit and receive rings (`abi/io/netif.hpp`). Freestanding and heap-free: the
/// kernel provides every page (the two ring pages, the receive buffers and the transmit
/// buffers), the grant table and an environment for its event channel.
///
/// \code
/// struct env {                                        // the kernel's event-channel glue
///   xenabi::result<xenabi::port> alloc_unbound(xenabi::domain_id backend);
///   void notify(xenabi::port p);                       // EVTCHNOP_send
/// };
/// xenabi::netfront<xenabi::grant_table<512>, env, 32, 32> nic;
/// XENABI_TRY(nic.setup(gt, e, {backend_id, tx_ring_page, rx_ring_page, rx_pages, tx_pages}));
/// // xenbus publish step: netfront_write_keys(xs, "device/vif/0", nic, tx) and state
/// // Initialised in one transaction; Connected once the backend is:
/// nic.post_rx_buffers();
/// auto b = nic.claim_tx();                             // a free transmit buffer
/// build_frame(nic.tx_data(b.value()));
/// nic.queue_tx(b.value(), len);                        // as many as you like ...
/// nic.flush();                                          // ... then one push, at most one event
/// nic.poll_rx([&](const xenabi::u8* p, xenabi::u16 n) { handle(p, n); });
/// nic.poll_tx();                                        // reclaim transmitted buffers
/// \endcode
///
/// **Grants.** `setup` grants the backend the two ring pages (writable), every receive buffer
/// (writable: the backend copies received frames into them) and every transmit buffer
/// (read-only: the backend copies frames out). Buffers keep their grants for the life of the
/// interface, so no per-packet grant or revoke is needed; the ids on the rings are buffer
/// indices. `teardown` ends every grant (`errc::ebusy` while the backend still maps a ring).
///
/// **Batching.** Requests are published by `flush` and `post_rx_buffers` with Xen's
/// push-and-check rule (`RING_PUSH_REQUESTS_AND_CHECK_NOTIFY`): the backend is signalled only if
/// it asked to be (its event index lies in the newly published range), so queuing 32 frames
/// and flushing once costs at most one event. The frontend writes `feature-rx-notify` so that
/// posting receive buffers can wake a backend that waits for them.
///
/// **Hostile backend.** Responses are copied out of the ring once; a response producer index
/// that claims more responses than requests (`errc::eoverflow`), an id that names no
/// outstanding buffer, a length or offset beyond the page all count as errors and never make
/// the frontend read or write outside its pages; a bad index puts the frontend in the broken
/// state (every call fails with `errc::eio`).
/// \ingroup drivers
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/abi/io/netif.hpp>
#include <xenabi/core/result.hpp>
#include <xenabi/core/types.hpp>
#include <xenabi/ring.hpp>
#include <xenabi/xenstore.hpp>

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi {

/// A page handed to a driver: the kernel's pointer to it and its guest frame number.
struct driver_page {
  void* va = nullptr;  ///< Where the kernel reaches the page (page-aligned).
  gfn frame{0};        ///< Its guest frame number (what a grant names).
};

/// An Ethernet address, six bytes.
struct mac_addr {
  u8 b[6] = {};  ///< The bytes in transmission order.
  /// Equal if all six bytes are.
  friend constexpr bool operator==(const mac_addr&, const mac_addr&) noexcept = default;
};

/// Parses a MAC address as xenstore stores it (`mac` key: "00:16:3e:0a:0b:0c", hex digits of
/// either case, `:` separated); the text is the \p n bytes at \p s, with or without a trailing
/// NUL. `errc::einval` on anything else.
[[nodiscard]] constexpr result<mac_addr> parse_mac(const char* s, std::size_t n) noexcept {
  while (n != 0 && s[n - 1] == '\0') --n;
  if (n != 17) return errc::einval;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  mac_addr m;
  for (std::size_t i = 0; i < 6; ++i) {
    const int hi = hex(s[3 * i]);
    const int lo = hex(s[3 * i + 1]);
    if (hi < 0 || lo < 0) return errc::einval;
    if (i < 5 && s[3 * i + 2] != ':') return errc::einval;
    m.b[i] = static_cast<u8>(hi * 16 + lo);
  }
  return m;
}

/// The frontend's xenstore keys (under `device/vif/<n>/`) and the values a netfront writes.
namespace netfront_keys {
inline constexpr char request_rx_copy[] = "request-rx-copy";  ///< "1": copy-based receive.
inline constexpr char mac[] = "mac";  ///< The interface's MAC (written by the toolstack).
}  // namespace netfront_keys

/// \cond XENABI_INTERNAL
namespace detail::netfront {
// "dir/key" into out (capacity cap, nul-terminated); false if it does not fit.
constexpr bool join(char* out, std::size_t cap, xs_str dir, const char* key) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < dir.size; ++i) {
    if (n + 1 >= cap) return false;
    out[n++] = dir.data[i];
  }
  if (n + 1 >= cap) return false;
  out[n++] = '/';
  for (const char* p = key; *p != '\0'; ++p) {
    if (n + 1 >= cap) return false;
    out[n++] = *p;
  }
  out[n] = '\0';
  return true;
}
// Decimal text of v into out (at least 11 bytes), nul-terminated.
constexpr void decimal(char* out, u32 v) noexcept {
  char t[11];
  std::size_t n = 0;
  do {
    t[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (std::size_t i = 0; i < n; ++i) out[i] = t[n - 1 - i];
  out[n] = '\0';
}
}  // namespace detail::netfront
/// \endcond

/// Writes what the backend needs to connect \p nic (a set-up `netfront`) under the frontend
/// directory \p dir (e.g. "device/vif/0"), inside xenstore transaction \p tx of \p xs (a
/// `xenstore_client`): `tx-ring-ref`, `rx-ring-ref`, `event-channel`, `request-rx-copy` = 1 and
/// `feature-rx-notify` = 1. This is a xenbus frontend's `publish` step (the state change to
/// Initialised goes in the same transaction). `errc::enametoolong` if \p dir leaves no room
/// for the keys (paths are limited to 128 bytes).
template <class Client, class Nic>
[[nodiscard]] constexpr result<void> netfront_write_keys(Client& xs, xs_str dir, const Nic& nic, u32 tx) noexcept {
  char path[128] = {};
  char num[11] = {};
  auto put = [&](const char* key, const char* value) -> result<void> {
    if (!detail::netfront::join(path, sizeof path, dir, key)) return errc::enametoolong;
    return xs.write(path, value, tx);
  };
  auto put_num = [&](const char* key, u32 v) -> result<void> {
    detail::netfront::decimal(num, v);
    return put(key, num);
  };
  XENABI_TRY(put_num(abi::netif_xenstore::tx_ring_ref, nic.tx_ring_ref().value()));
  XENABI_TRY(put_num(abi::netif_xenstore::rx_ring_ref, nic.rx_ring_ref().value()));
  XENABI_TRY(put_num(abi::netif_xenstore::event_channel, nic.event_channel().value()));
  XENABI_TRY(put(netfront_keys::request_rx_copy, "1"));
  return put(abi::netif_xenstore::feature_rx_notify, "1");
}

/// `netfront_write_keys` in a transaction of its own (retried on `EAGAIN`), for kernels that
/// drive the xenbus states by hand.
template <class Client, class Nic>
[[nodiscard]] constexpr result<void> netfront_publish(Client& xs, xs_str dir, const Nic& nic) noexcept {
  return xs.transact([&](u32 tx) -> result<void> { return netfront_write_keys(xs, dir, nic, tx); });
}

/// Counters of a netfront.
struct netfront_stats {
  u64 tx_packets = 0;     ///< Frames the backend acknowledged with NETIF_RSP_OKAY.
  u64 tx_errors = 0;      ///< Frames answered with an error (or a response naming no buffer).
  u64 rx_packets = 0;     ///< Frames received.
  u64 rx_bytes = 0;       ///< Their bytes.
  u64 rx_errors = 0;      ///< Receive responses with an error, a bad id, offset or length.
  u64 notifications = 0;  ///< Events sent to the backend.
};

/// A network frontend with \p RxBuffers receive and \p TxBuffers transmit buffers (one page
/// each, at most 256), granting through a \p GrantTable (`xenabi::grant_table<N>`) and signalling
/// through \p Env (see the file comment).
template <class GrantTable, class Env, std::size_t RxBuffers = 32, std::size_t TxBuffers = 32>
class netfront {
  static_assert(RxBuffers >= 1 && RxBuffers <= netif_rx_ring::size, "rx buffers fit the rx ring");
  static_assert(TxBuffers >= 1 && TxBuffers <= netif_tx_ring::size, "tx buffers fit the tx ring");

 public:
  /// Receive buffers.
  static constexpr std::size_t rx_buffers = RxBuffers;
  /// Transmit buffers.
  static constexpr std::size_t tx_buffers = TxBuffers;
  /// Largest frame one transmit buffer holds.
  static constexpr u16 max_frame = 4096;

  /// The pages `setup` needs.
  struct config {
    domain_id backend{0};                     ///< The backend's domain (xenstore `backend-id`).
    driver_page tx_ring;                      ///< Page for the tx shared ring.
    driver_page rx_ring;                      ///< Page for the rx shared ring.
    const driver_page* rx_pages = nullptr;    ///< RxBuffers receive pages.
    const driver_page* tx_pages = nullptr;    ///< TxBuffers transmit pages.
  };

  /// Grants the pages to the backend, initialises both shared rings and allocates an unbound
  /// event channel for the backend. On failure every grant made so far is ended.
  [[nodiscard]] constexpr result<void> setup(GrantTable& gt, Env& env, const config& c) noexcept {
    gt_ = &gt;
    env_ = &env;
    cfg_ = c;
    broken_ = false;
    stats_ = {};
    ngrants_ = 0;
    auto g = [&](driver_page p, bool ro) -> result<grant_ref> {
      auto r = gt.grant_access(c.backend, p.frame, ro);
      if (r) grants_[ngrants_++] = r.value();
      return r;
    };
    auto tx = g(c.tx_ring, false);
    if (!tx) return undo(tx.error());
    auto rx = g(c.rx_ring, false);
    if (!rx) return undo(rx.error());
    tx_ref_ = tx.value();
    rx_ref_ = rx.value();
    for (std::size_t i = 0; i < RxBuffers; ++i) {
      auto r = g(c.rx_pages[i], false);
      if (!r) return undo(r.error());
      rx_ref[i] = r.value();
      rx_posted_[i] = false;
    }
    for (std::size_t i = 0; i < TxBuffers; ++i) {
      auto r = g(c.tx_pages[i], true);
      if (!r) return undo(r.error());
      tx_ref[i] = r.value();
      tx_busy_[i] = false;
    }
    tx_ = front_ring<netif_tx_ring>::init(*static_cast<abi::netif_tx_sring*>(c.tx_ring.va));
    rx_ = front_ring<netif_rx_ring>::init(*static_cast<abi::netif_rx_sring*>(c.rx_ring.va));
    auto p = env.alloc_unbound(c.backend);
    if (!p) return undo(p.error());
    port_ = p.value();
    return {};
  }

  /// Ends every grant made by `setup` (the rings last); `errc::ebusy` if the backend still
  /// maps a page (the remaining grants stay; call again after the backend has closed).
  [[nodiscard]] constexpr result<void> teardown() noexcept {
    while (ngrants_ != 0) {
      auto r = gt_->end_access(grants_[ngrants_ - 1]);
      if (!r) return r;
      --ngrants_;
    }
    return {};
  }

  /// Grant reference of the tx ring (xenstore `tx-ring-ref`).
  [[nodiscard]] constexpr grant_ref tx_ring_ref() const noexcept { return tx_ref_; }
  /// Grant reference of the rx ring (xenstore `rx-ring-ref`).
  [[nodiscard]] constexpr grant_ref rx_ring_ref() const noexcept { return rx_ref_; }
  /// The event channel for the backend (xenstore `event-channel`).
  [[nodiscard]] constexpr port event_channel() const noexcept { return port_; }
  /// True once a backend index was implausible; the interface is then unusable.
  [[nodiscard]] constexpr bool broken() const noexcept { return broken_; }
  /// Counters.
  [[nodiscard]] constexpr const netfront_stats& stats() const noexcept { return stats_; }

  /// Posts every receive buffer not already posted, publishes them and signals the backend if
  /// it asked for it. Returns how many were posted.
  constexpr result<u32> post_rx_buffers() noexcept {
    if (broken_) return errc::eio;
    u32 n = 0;
    for (std::size_t i = 0; i < RxBuffers && !rx_.full(); ++i) {
      if (rx_posted_[i]) continue;
      auto& r = rx_.claim_request();
      r.id = static_cast<u16>(i);
      r.pad = 0;
      r.gref = rx_ref[i].value();
      rx_posted_[i] = true;
      ++n;
    }
    if (n != 0 && rx_.push_requests()) notify();
    return n;
  }

  /// A free transmit buffer's index, or `errc::enospc` while all are in flight (call
  /// `poll_tx`).
  [[nodiscard]] constexpr result<u16> claim_tx() noexcept {
    if (broken_) return errc::eio;
    for (std::size_t k = 0; k < TxBuffers; ++k) {
      const std::size_t i = (tx_next_ + k) % TxBuffers;
      if (!tx_busy_[i]) {
        tx_next_ = (i + 1) % TxBuffers;
        tx_busy_[i] = true;
        return static_cast<u16>(i);
      }
    }
    return errc::enospc;
  }
  /// The bytes of transmit buffer \p i (`max_frame` of them), to build a frame in.
  [[nodiscard]] constexpr u8* tx_data(u16 i) const noexcept {
    XENABI_EXPECTS(i < TxBuffers);
    return static_cast<u8*>(cfg_.tx_pages[i].va);
  }
  /// Queues the frame of \p len bytes in claimed transmit buffer \p i (not yet published:
  /// see `flush`). `errc::einval` for a buffer that is not claimed, or a length of 0 or above
  /// `max_frame`; `errc::enospc` if the ring is full.
  [[nodiscard]] constexpr result<void> queue_tx(u16 i, u16 len) noexcept {
    if (broken_) return errc::eio;
    if (i >= TxBuffers || !tx_busy_[i] || len == 0 || len > max_frame) return errc::einval;
    if (tx_.full()) return errc::enospc;
    auto& r = tx_.claim_request();
    r.gref = tx_ref[i].value();
    r.offset = 0;
    r.flags = 0;
    r.id = i;
    r.size = len;
    return {};
  }
  /// Returns claimed transmit buffer \p i unused.
  constexpr void release_tx(u16 i) noexcept {
    if (i < TxBuffers) tx_busy_[i] = false;
  }
  /// Publishes queued frames, signalling the backend at most once (and only if it waits).
  constexpr void flush() noexcept {
    if (broken_) return;
    if (tx_.unpushed_requests() != 0 && tx_.push_requests()) notify();
  }

  /// Takes the transmit responses: frees their buffers and counts errors. Returns how many.
  constexpr result<u32> poll_tx() noexcept {
    if (broken_) return errc::eio;
    auto n = tx_.consume_responses([&](const abi::netif_tx_response& r) {
      if (r.status == static_cast<s16>(abi::NETIF_RSP::null)) return;
      if (r.id >= TxBuffers || !tx_busy_[r.id]) {
        ++stats_.tx_errors;
        return;
      }
      tx_busy_[r.id] = false;
      if (r.status == static_cast<s16>(abi::NETIF_RSP::OKAY))
        ++stats_.tx_packets;
      else
        ++stats_.tx_errors;
    });
    if (!n) return fail(n.error());
    return n.value();
  }

  /// Takes the receive responses, calling `on_frame(const u8* data, u16 len)` for each good
  /// frame (valid until the call returns: the buffer is reposted after), then reposts the
  /// buffers (one push, at most one event). Returns the number of responses taken.
  template <class F>
  constexpr result<u32> poll_rx(F&& on_frame) noexcept {
    if (broken_) return errc::eio;
    auto n = rx_.consume_responses([&](const abi::netif_rx_response& r) {
      if (r.id >= RxBuffers || !rx_posted_[r.id]) {
        ++stats_.rx_errors;
        return;
      }
      rx_posted_[r.id] = false;
      const bool frag = (r.flags & abi::NETRXF::more_data) != 0 || in_frag_;
      in_frag_ = (r.flags & abi::NETRXF::more_data) != 0;
      if (frag || r.status <= 0 || u32{r.offset} + static_cast<u32>(r.status) > 4096u) {
        ++stats_.rx_errors;  // errors, and multi-slot frames (feature-sg was not requested)
        return;
      }
      ++stats_.rx_packets;
      stats_.rx_bytes += static_cast<u64>(r.status);
      on_frame(static_cast<const u8*>(cfg_.rx_pages[r.id].va) + r.offset, static_cast<u16>(r.status));
    });
    if (!n) return fail(n.error());
    if (n.value() != 0) {
      auto p = post_rx_buffers();
      if (!p) return p.error();
    }
    return n.value();
  }

  /// The check before sleeping: true if responses are waiting on either ring; otherwise asks
  /// the backend to signal the next response on both, then looks again.
  [[nodiscard]] constexpr result<bool> final_check() noexcept {
    if (broken_) return errc::eio;
    auto r = rx_.final_check_for_responses();
    if (!r) return fail(r.error());
    auto t = tx_.final_check_for_responses();
    if (!t) return fail(t.error());
    return r.value() || t.value();
  }

  /// Transmit buffers in flight (queued or awaiting a response).
  [[nodiscard]] constexpr std::size_t tx_in_flight() const noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < TxBuffers; ++i) n += tx_busy_[i] ? 1u : 0u;
    return n;
  }

  /// The grant references of the receive buffers, by id.
  grant_ref rx_ref[RxBuffers]{};
  /// The grant references of the transmit buffers, by id.
  grant_ref tx_ref[TxBuffers]{};

 private:
  constexpr void notify() noexcept {
    ++stats_.notifications;
    env_->notify(port_);
  }
  constexpr errc fail(errc e) noexcept {
    broken_ = true;
    return e == errc::eoverflow ? errc::eio : e;
  }
  constexpr result<void> undo(errc e) noexcept {
    while (ngrants_ != 0) {
      (void)gt_->end_access(grants_[ngrants_ - 1]);
      --ngrants_;
    }
    return e;
  }

  GrantTable* gt_ = nullptr;
  Env* env_ = nullptr;
  config cfg_{};
  front_ring<netif_tx_ring> tx_{};
  front_ring<netif_rx_ring> rx_{};
  grant_ref tx_ref_{0}, rx_ref_{0};
  port port_{0};
  bool rx_posted_[RxBuffers] = {};
  bool tx_busy_[TxBuffers] = {};
  std::size_t tx_next_ = 0;
  bool in_frag_ = false;
  bool broken_ = false;
  netfront_stats stats_{};
  grant_ref grants_[2 + RxBuffers + TxBuffers]{};
  std::size_t ngrants_ = 0;
};

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
