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
/// **Scatter-gather and checksum offload.** With `config::features.sg` the frontend writes
/// `feature-sg` and `poll_rx` reassembles frames of up to 18 slots (`netfront_rx_frame`); with
/// the backend's `feature-sg` (`netfront_read_backend_features`, `set_backend_features`)
/// `queue_tx_frags` sends one frame over several transmit buffers (up to 65535 bytes).
/// `NETTXF_csum_blank` / `data_validated` go on a frame's first slot; the receive flags come
/// back in `netfront_rx_frame::flags` (a blank checksum only with `features.csum_offload`).
///
/// **Hostile backend.** Responses are copied out of the ring once; a response producer index
/// that claims more responses than requests (`errc::eoverflow`), an id that names no
/// outstanding buffer, a length or offset beyond the page all count as errors and never make
/// the frontend read or write outside its pages; a bad index puts the frontend in the broken
/// state (every call fails with `errc::eio`).
/// \ingroup drivers
#pragma once

#include <bit>
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
/// Front end: "1" if it accepts received frames in several slots (`NETRXF_more_data`);
/// back end: "1" if it accepts transmitted frames in several slots (`NETTXF_more_data`).
inline constexpr char feature_sg[] = "feature-sg";
}  // namespace netfront_keys

/// The offloads a netfront accepts on receive (what it writes in xenstore), set in
/// `netfront::config`.
struct netfront_features {
  /// Accepts frames spread over several receive buffers (`feature-sg` = 1): each slot holds up
  /// to a page, `NETRXF_more_data` on every slot but the last. Frames up to 64 KiB then arrive
  /// whole; without it the backend drops frames larger than a page. Needs at least
  /// `netfront_rx_frame::max_frags` (18) receive buffers.
  bool sg = false;
  /// Accepts IPv4 TCP/UDP frames whose checksum is not filled in (`NETRXF_csum_blank`): written
  /// as `feature-no-csum-offload` = 0. When false (`feature-no-csum-offload` = 1) the backend
  /// completes such checksums before delivering.
  bool csum_offload = false;
  /// The same for IPv6 (`feature-ipv6-csum-offload` = 1).
  bool ipv6_csum_offload = false;
};

/// What the backend offers for transmission (its xenstore directory), read by
/// `netfront_read_backend_features` and given to `netfront::set_backend_features`.
struct netback_offers {
  bool sg = false;           ///< `feature-sg` = 1: multi-slot transmit (`queue_tx_frags`).
  bool csum_offload = true;  ///< Not `feature-no-csum-offload` = 1: `NETTXF_csum_blank` for IPv4.
  bool ipv6_csum_offload = false;  ///< `feature-ipv6-csum-offload` = 1: the same for IPv6.
};

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
/// `xenstore_client`): `tx-ring-ref`, `rx-ring-ref`, `event-channel`, `request-rx-copy` = 1,
/// the receive features of `netfront_features` (`feature-sg`, `feature-no-csum-offload`,
/// `feature-ipv6-csum-offload`) and `feature-rx-notify` = 1. This is a xenbus frontend's `publish` step (the state change to
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
  const netfront_features f = nic.features();
  XENABI_TRY(put(netfront_keys::feature_sg, f.sg ? "1" : "0"));
  XENABI_TRY(put(abi::netif_xenstore::feature_no_csum_offload, f.csum_offload ? "0" : "1"));
  XENABI_TRY(put(abi::netif_xenstore::feature_ipv6_csum_offload, f.ipv6_csum_offload ? "1" : "0"));
  return put(abi::netif_xenstore::feature_rx_notify, "1");
}

/// Reads what the backend offers from its directory \p backend_dir (xenbus `backend` key) of
/// \p xs (a `xenstore_client`): `feature-sg`, `feature-no-csum-offload` (checksum offload
/// assumed on when missing, as Xen specifies) and `feature-ipv6-csum-offload` (off when
/// missing). A key that is missing or not a number keeps the default.
template <class Client>
[[nodiscard]] constexpr netback_offers netfront_read_backend_features(Client& xs, xs_str backend_dir) noexcept {
  netback_offers o;
  char path[128] = {};
  auto flag = [&](const char* key, bool dflt) -> bool {
    if (!detail::netfront::join(path, sizeof path, backend_dir, key)) return dflt;
    char v[12] = {};
    auto n = xs.read(path, v, sizeof v);
    if (!n) return dflt;
    auto x = parse_xs_u32(xs_str{v, n.value()});
    return x ? x.value() != 0 : dflt;
  };
  o.sg = flag(netfront_keys::feature_sg, false);
  o.csum_offload = !flag(abi::netif_xenstore::feature_no_csum_offload, false);
  o.ipv6_csum_offload = flag(abi::netif_xenstore::feature_ipv6_csum_offload, false);
  return o;
}

/// `netfront_write_keys` in a transaction of its own (retried on `EAGAIN`), for kernels that
/// drive the xenbus states by hand.
template <class Client, class Nic>
[[nodiscard]] constexpr result<void> netfront_publish(Client& xs, xs_str dir, const Nic& nic) noexcept {
  return xs.transact([&](u32 tx) -> result<void> { return netfront_write_keys(xs, dir, nic, tx); });
}

/// Counters of a netfront.
struct netfront_stats {
  u64 tx_packets = 0;     ///< Frames the backend acknowledged with NETIF_RSP_OKAY (counted per slot).
  u64 tx_errors = 0;      ///< Slots answered with an error (or a response naming no buffer).
  u64 rx_packets = 0;     ///< Frames received.
  u64 rx_bytes = 0;       ///< Their bytes.
  u64 rx_errors = 0;      ///< Frames dropped: an error status, a bad id, offset or length in a slot.
  u64 notifications = 0;  ///< Events sent to the backend.
};

/// A received frame as `netfront::poll_rx` hands it to a callback that takes one: up to
/// `max_frags` pieces, each in one receive buffer (valid until the callback returns).
struct netfront_rx_frame {
  /// Most slots one frame may use (Xen's XEN_NETIF_NR_SLOTS_MIN); longer frames are dropped.
  static constexpr std::size_t max_frags = abi::XEN_NETIF::NR_SLOTS_MIN;
  const u8* frag[max_frags];  ///< The pieces, in order (only the first `nfrags` are set).
  u16 frag_len[max_frags];    ///< Their lengths.
  std::size_t nfrags = 0;     ///< Pieces.
  u32 size = 0;               ///< Bytes in all pieces.
  /// `NETRXF::csum_blank` (the TCP/UDP checksum is not filled in: only with
  /// `netfront_features::csum_offload`) and `NETRXF::data_validated` (the sender's host
  /// validated or generated it) as the backend set them on the frame's first slot.
  u16 flags = 0;
  /// Copies \p n bytes from offset \p at of the frame to \p out (`n` clipped to the frame);
  /// returns how many were copied.
  constexpr std::size_t copy(u8* out, std::size_t at, std::size_t n) const noexcept {
    std::size_t done = 0;
    for (std::size_t i = 0; i < nfrags && done < n; ++i) {
      if (at >= frag_len[i]) {
        at -= frag_len[i];
        continue;
      }
      for (std::size_t k = at; k < frag_len[i] && done < n; ++k) out[done++] = frag[i][k];
      at = 0;
    }
    return done;
  }
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
  /// Most transmit buffers (slots) one frame may use with `queue_tx_frags` (Xen's
  /// XEN_NETIF_NR_SLOTS_MIN, what every backend accepts).
  static constexpr std::size_t max_tx_frags = abi::XEN_NETIF::NR_SLOTS_MIN;
  /// NETTXF flags a caller may set on a frame (checksum offload; the driver sets the others).
  static constexpr u16 caller_tx_flags = abi::NETTXF::csum_blank | abi::NETTXF::data_validated;

  /// The pages `setup` needs.
  struct config {
    domain_id backend{0};                     ///< The backend's domain (xenstore `backend-id`).
    driver_page tx_ring;                      ///< Page for the tx shared ring.
    driver_page rx_ring;                      ///< Page for the rx shared ring.
    const driver_page* rx_pages = nullptr;    ///< RxBuffers receive pages.
    const driver_page* tx_pages = nullptr;    ///< TxBuffers transmit pages.
    netfront_features features{};             ///< What it accepts on receive (written to xenstore).
  };

  /// Grants the pages to the backend, initialises both shared rings and allocates an unbound
  /// event channel for the backend. On failure every grant made so far is ended.
  /// `errc::einval` if `config::features` asks for `sg` with fewer than
  /// `netfront_rx_frame::max_frags` receive buffers (a backend holds a frame until the
  /// frontend has posted a buffer for each of its slots, so fewer could stall the interface).
  [[nodiscard]] constexpr result<void> setup(GrantTable& gt, Env& env, const config& c) noexcept {
    if (c.features.sg && RxBuffers < netfront_rx_frame::max_frags) return errc::einval;
    gt_ = &gt;
    env_ = &env;
    cfg_ = c;
    broken_ = false;
    stats_ = {};
    offers_ = {};
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
    rx_nfree_ = 0;
    for (std::size_t i = 0; i < RxBuffers; ++i) {
      auto r = g(c.rx_pages[i], false);
      if (!r) return undo(r.error());
      rx_ref[i] = r.value();
      rx_posted_[i] = false;
      rx_free_[rx_nfree_++] = static_cast<u16>(RxBuffers - 1 - i);  // popped in index order
    }
    for (std::size_t i = 0; i < TxBuffers; ++i) {
      auto r = g(c.tx_pages[i], true);
      if (!r) return undo(r.error());
      tx_ref[i] = r.value();
      tx_busy_[i] = false;
    }
    tx_busy_count_ = 0;
    reset_frame();
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
  /// What this frontend accepts on receive (`config::features`).
  [[nodiscard]] constexpr netfront_features features() const noexcept { return cfg_.features; }
  /// Records what the backend offers for transmission (`netfront_read_backend_features`;
  /// until called: nothing but single-slot frames and IPv4 checksum offload, Xen's defaults).
  constexpr void set_backend_features(const netback_offers& o) noexcept { offers_ = o; }
  /// What the backend offers, as last set.
  [[nodiscard]] constexpr const netback_offers& backend_features() const noexcept { return offers_; }
  /// True once a backend index was implausible; the interface is then unusable.
  [[nodiscard]] constexpr bool broken() const noexcept { return broken_; }
  /// Counters.
  [[nodiscard]] constexpr const netfront_stats& stats() const noexcept { return stats_; }

  /// Posts every receive buffer not already posted (or holding part of a frame still being
  /// received), publishes them and signals the backend if it asked for it. Returns how many
  /// were posted.
  constexpr result<u32> post_rx_buffers() noexcept {
    if (broken_) return errc::eio;
    u32 n = 0;
    while (rx_nfree_ != 0 && !rx_.full()) {
      const u16 i = rx_free_[--rx_nfree_];
      rx_at_[rx_.req_prod_pvt() % netif_rx_ring::size] = i;
      auto& r = rx_.claim_request();
      r.id = i;
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
    if (tx_busy_count_ == TxBuffers) return errc::enospc;
    for (std::size_t k = 0; k < TxBuffers; ++k) {
      const std::size_t i = (tx_next_ + k) % TxBuffers;
      if (!tx_busy_[i]) {
        tx_next_ = (i + 1) % TxBuffers;
        tx_busy_[i] = true;
        ++tx_busy_count_;
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
  /// see `flush`), with \p flags from `caller_tx_flags` (`NETTXF::csum_blank`: the TCP/UDP
  /// checksum field holds only the pseudo-header sum and the backend completes it where
  /// needed; `NETTXF::data_validated`). `errc::einval` for a buffer that is not claimed, a
  /// length of 0 or above `max_frame`, or other flags; `errc::eopnotsupp` for `csum_blank` when
  /// the backend does not offer checksum offload; `errc::enospc` if the ring is full.
  [[nodiscard]] constexpr result<void> queue_tx(u16 i, u16 len, u16 flags = 0) noexcept {
    return queue_tx_frags(&i, &len, 1, flags);
  }
  /// Queues one frame made of \p n claimed transmit buffers \p bufs holding \p lens bytes each
  /// (each from the start of its buffer), in order: one slot per buffer, `NETTXF_more_data` on
  /// all but the last, the first slot's size the whole frame's (at most 65535 bytes). Needs the
  /// backend's `feature-sg` when \p n > 1 (`errc::eopnotsupp` otherwise); \p n at most
  /// `max_tx_frags`. \p flags and the other errors as `queue_tx`; `errc::enospc` if the ring
  /// has fewer than \p n free slots. Each buffer is answered (and freed) on its own.
  [[nodiscard]] constexpr result<void> queue_tx_frags(const u16* bufs, const u16* lens, std::size_t n,
                                                      u16 flags = 0) noexcept {
    if (broken_) return errc::eio;
    if (n == 0 || n > max_tx_frags || (flags & ~caller_tx_flags) != 0) return errc::einval;
    if (n > 1 && !offers_.sg) return errc::eopnotsupp;
    if ((flags & abi::NETTXF::csum_blank) != 0 && !offers_.csum_offload && !offers_.ipv6_csum_offload)
      return errc::eopnotsupp;
    u32 total = 0;
    if (++tx_mark_gen_ == 0) {  // one slot per buffer (each is answered once): marks of this call
      for (auto& m : tx_mark_) m = 0;
      tx_mark_gen_ = 1;
    }
    for (std::size_t k = 0; k < n; ++k) {
      const u16 i = bufs[k];
      if (i >= TxBuffers || !tx_busy_[i] || lens[k] == 0 || lens[k] > max_frame || tx_mark_[i] == tx_mark_gen_)
        return errc::einval;
      tx_mark_[i] = tx_mark_gen_;
      total += lens[k];
    }
    if (total > abi::XEN_NETIF::MAX_TX_SIZE) return errc::einval;
    if (tx_.free_requests() < n) return errc::enospc;
    for (std::size_t k = 0; k < n; ++k) {
      auto& r = tx_.claim_request();
      r.gref = tx_ref[bufs[k]].value();
      r.offset = 0;
      r.flags = static_cast<u16>((k == 0 ? flags : 0) | (k + 1 < n ? abi::NETTXF::more_data : 0));
      r.id = bufs[k];
      r.size = static_cast<u16>(k == 0 ? total : lens[k]);
    }
    return {};
  }
  /// Returns claimed transmit buffer \p i unused.
  constexpr void release_tx(u16 i) noexcept {
    if (i < TxBuffers && tx_busy_[i]) {
      tx_busy_[i] = false;
      --tx_busy_count_;
    }
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
      --tx_busy_count_;
      if (r.status == static_cast<s16>(abi::NETIF_RSP::OKAY))
        ++stats_.tx_packets;
      else
        ++stats_.tx_errors;
    });
    if (!n) return fail(n.error());
    return n.value();
  }

  /// Takes the receive responses and hands over each complete good frame, then reposts the
  /// buffers (one push, at most one event). \p on_frame is either
  /// `on_frame(const netfront_rx_frame&)` (every frame, one or more slots, with its checksum
  /// flags) or `on_frame(const u8* data, u16 len)` (single-slot frames only; frames in several
  /// slots then count as errors). The data is valid until the call returns. A frame whose
  /// slots have not all arrived keeps its buffers until they have. Returns the number of
  /// responses taken.
  ///
  /// Slots are matched to buffers by ring position (the backend answers requests in order), so
  /// a response naming another buffer, an error status, an offset or length beyond the page,
  /// an extra-info descriptor that was not announced on the first slot, or more than
  /// `netfront_rx_frame::max_frags` slots make the whole frame an error (`rx_errors`), never a
  /// read outside a buffer.
  template <class F>
  constexpr result<u32> poll_rx(F&& on_frame) noexcept {
    if (broken_) return errc::eio;
    RING_IDX at = rx_.rsp_cons();  // responses come at their requests' ring positions
    auto got = rx_.consume_responses([&](const abi::netif_rx_response& r) {
      const u16 buf = rx_at_[at++ % netif_rx_ring::size];
      const bool owned = rx_posted_[buf];  // always, with a plausible rsp_prod; stay safe
      rx_posted_[buf] = false;
      if (cur_extra_) {  // an extra-info descriptor in this slot; its buffer is free again
        static_assert(sizeof(abi::netif_extra_info) == sizeof r);
        const auto e = std::bit_cast<abi::netif_extra_info>(r);
        cur_extra_ = (e.flags & abi::XEN_NETIF_EXTRA_FLAG::MORE) != 0;
        if (owned) rx_free_[rx_nfree_++] = buf;
      } else {
        const bool first = !cur_started_;
        cur_started_ = true;
        const bool ok = owned && r.id == buf && r.status > 0 &&
                        u32{r.offset} + static_cast<u32>(r.status) <= 4096u &&
                        rx_frame_.nfrags < netfront_rx_frame::max_frags &&
                        (first || (r.flags & abi::NETRXF::extra_info) == 0);
        if (first) {
          rx_frame_.flags = static_cast<u16>(r.flags & (abi::NETRXF::csum_blank | abi::NETRXF::data_validated));
          cur_extra_ = (r.flags & abi::NETRXF::extra_info) != 0;
        }
        if (ok) {
          rx_frame_.frag[rx_frame_.nfrags] = static_cast<const u8*>(cfg_.rx_pages[buf].va) + r.offset;
          rx_frame_.frag_len[rx_frame_.nfrags] = static_cast<u16>(r.status);
          cur_ids_[rx_frame_.nfrags++] = buf;
          rx_frame_.size += static_cast<u32>(r.status);
        } else {
          cur_bad_ = true;
          if (owned) rx_free_[rx_nfree_++] = buf;
        }
        cur_more_ = (r.flags & abi::NETRXF::more_data) != 0;
      }
      if (!cur_extra_ && !cur_more_) finish_frame(on_frame);
    });
    if (!got) return fail(got.error());
    const u32 n = got.value();
    if (n != 0) {
      auto p = post_rx_buffers();
      if (!p) return p.error();
    }
    return n;
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

  /// Transmit buffers in flight (claimed, queued or awaiting a response).
  [[nodiscard]] constexpr std::size_t tx_in_flight() const noexcept { return tx_busy_count_; }

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
  constexpr void reset_frame() noexcept {
    rx_frame_.nfrags = 0;
    rx_frame_.size = 0;
    rx_frame_.flags = 0;
    cur_started_ = cur_more_ = cur_extra_ = cur_bad_ = false;
  }
  // The last slot of a frame arrived: hand it over (or count it), free its buffers.
  template <class F>
  constexpr void finish_frame(F& on_frame) noexcept {
    constexpr bool whole = requires(F& f, const netfront_rx_frame& fr) { f(fr); };
    bool good = !cur_bad_ && rx_frame_.nfrags != 0;
    if constexpr (whole) {
      if (good) on_frame(static_cast<const netfront_rx_frame&>(rx_frame_));
    } else {
      good = good && rx_frame_.nfrags == 1;
      if (good) on_frame(static_cast<const u8*>(rx_frame_.frag[0]), rx_frame_.frag_len[0]);
    }
    if (good) {
      ++stats_.rx_packets;
      stats_.rx_bytes += rx_frame_.size;
    } else {
      ++stats_.rx_errors;
    }
    for (std::size_t k = 0; k < rx_frame_.nfrags; ++k) rx_free_[rx_nfree_++] = cur_ids_[k];
    reset_frame();
  }

  GrantTable* gt_ = nullptr;
  Env* env_ = nullptr;
  config cfg_{};
  netback_offers offers_{};
  front_ring<netif_tx_ring> tx_{};
  front_ring<netif_rx_ring> rx_{};
  grant_ref tx_ref_{0}, rx_ref_{0};
  port port_{0};
  bool rx_posted_[RxBuffers] = {};        // the backend holds the buffer (posted, not answered)
  u16 rx_free_[RxBuffers] = {};           // buffers to post (a stack)
  std::size_t rx_nfree_ = 0;
  u16 rx_at_[netif_rx_ring::size] = {};   // buffer posted at each ring position
  netfront_rx_frame rx_frame_{};          // the frame being received
  u16 cur_ids_[netfront_rx_frame::max_frags] = {};  // its buffers
  bool cur_started_ = false, cur_more_ = false, cur_extra_ = false, cur_bad_ = false;
  bool tx_busy_[TxBuffers] = {};
  u32 tx_mark_[TxBuffers] = {};  // queue_tx_frags' duplicate check (generation per call)
  u32 tx_mark_gen_ = 0;
  std::size_t tx_busy_count_ = 0;
  std::size_t tx_next_ = 0;
  bool broken_ = false;
  netfront_stats stats_{};
  grant_ref grants_[2 + RxBuffers + TxBuffers]{};
  std::size_t ngrants_ = 0;
};

}  // namespace xenabi

#include <xenabi/core/macro_shield_end.inc>
