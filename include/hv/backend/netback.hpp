/// \file
/// The network backend (netback) of xenhv: one `netif` per frontend virtual interface, serving
/// the netif transmit and receive rings (`xenabi/abi/io/netif.hpp`, Xen's `io/netif.h`) on
/// behalf of a driver domain, and switching frames through a `bridge`.
///
/// **Memory.** The backend runs in a `driver_domain` and touches a guest's memory only through
/// what the guest granted to that domain: the two ring pages are mapped (`driver_domain::map`,
/// used through `frame`), and packet data moves with grant copies (`copy_from_grant`,
/// `copy_to_grant`: the checks of GNTTABOP_copy): transmit buffers are copied out of the
/// frontend's granted pages into a backend buffer, received frames are copied into the buffers
/// the frontend posted on the rx ring (copy-based receive, `feature-rx-copy`; no page flipping).
///
/// **Transmit.** A packet is a first request (its `size` is the whole packet), optionally
/// followed by extra-info slots (`NETTXF_extra_info`, chained by `XEN_NETIF_EXTRA_FLAG_MORE`) and
/// by fragments while `NETTXF_more_data` is set (`feature-sg`). A packet that is incomplete when
/// the ring runs dry waits for the rest. Every consumed slot gets exactly one response, in
/// order: data slots `NETIF_RSP_OKAY` or `NETIF_RSP_ERROR`, extra-info slots `NETIF_RSP_NULL`.
/// A packet is refused (`NETIF_RSP_ERROR`, nothing forwarded) if: a flag outside the four
/// NETTXF bits is set; it carries extra info (this backend offers no GSO, multicast or hash
/// feature, so a frontend has no reason to send any); it has more than `XEN_NETIF_NR_SLOTS_MIN`
/// data slots (the slots are then answered as they arrive until the chain ends); the fragment
/// sizes add up to more than the first request's `size`; it is shorter than an Ethernet header;
/// a slot's `offset + size` passes the end of its page; or a grant copy fails (bad reference,
/// grant not for the driver domain, frame outside the frontend's RAM).
///
/// **Flow control.** A packet for a port that is full (another interface's receive queue) is
/// kept, unanswered, and the interface takes nothing more from its tx ring until the bridge says
/// the port has room: a fast sender is slowed to its receiver's pace instead of losing frames.
///
/// **Receive.** Frames from the bridge wait in a bounded queue (`has_room()` is false when it is
/// full; flooded frames that find it full are dropped and counted).
/// Each frame takes one rx request per page (`feature-sg` from the frontend: at most 65535
/// bytes, 16 slots, `NETRXF_more_data` on all but the last) or must fit one page (otherwise
/// dropped); a frame waits until the frontend has posted enough requests. A request whose
/// grant copy fails gets `NETIF_RSP_ERROR`.
///
/// **Checksum offload.** A transmitted packet may carry `NETTXF_csum_blank` (its TCP/UDP
/// checksum is not filled in; it must then be TCP or UDP over IPv4 or IPv6 with its headers
/// inside the packet, or it is refused) and `NETTXF_data_validated`; the bridge carries both
/// (`frame_offload`). A receiving frontend that accepts blank checksums (`feature-no-csum-offload`
/// 0 or missing for IPv4, `feature-ipv6-csum-offload` 1 for IPv6) gets the frame unchanged with
/// `NETRXF_csum_blank | NETRXF_data_validated`; for any other the backend computes the checksum
/// (`complete_l4_checksum`) and marks it `NETRXF_data_validated`. A host tap device gets the
/// checksum completed too.
///
/// **Hostile rings.** A producer index that claims more requests than can exist
/// (`errc::eoverflow` from `xenabi::back_ring`) puts the interface in the failed state: it
/// stops serving the rings (a closed device), reports why, and never crashes.
///
/// Concurrency: `poll` runs on the driver domain's thread (events on the interface's port, and
/// wake-ups posted by `deliver`); `connect`, `disconnect` and `poll` are serialised by the
/// interface's lock; `deliver` runs on any thread (the bridge's caller) and only queues the
/// frame and posts one wake-up.
/// \ingroup hypervisor
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <atomic>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <memory>
#include <vector>

#include <xenabi/abi/io/netif.hpp>
#include <xenabi/ring.hpp>

#include <hv/backend/bridge.hpp>
#include <hv/backend/driver_domain.hpp>

namespace hv::backend {

/// What a frontend published for one interface (normally read from its xenstore directory:
/// `tx-ring-ref`, `rx-ring-ref`, `event-channel`, `feature-sg`).
struct netif_connection {
  std::uint16_t frontend = 0;       ///< The frontend's domain id.
  std::uint32_t tx_ring_ref = 0;    ///< Grant reference of the tx ring page.
  std::uint32_t rx_ring_ref = 0;    ///< Grant reference of the rx ring page.
  std::uint32_t event_channel = 0;  ///< The frontend's port, unbound for the driver domain.
  bool rx_sg = false;               ///< The frontend accepts multi-page received frames.
  /// The frontend accepts IPv4 frames with a blank TCP/UDP checksum (`NETRXF_csum_blank`): its
  /// `feature-no-csum-offload` is 0 or missing (Xen's default is on).
  bool rx_csum_offload = false;
  /// The same for IPv6 (`feature-ipv6-csum-offload` = 1; Xen's default is off).
  bool rx_ipv6_csum_offload = false;
};

/// Counters of one interface (transmit = frames the frontend sent, receive = frames it got).
struct netif_stats {
  std::uint64_t tx_packets = 0;    ///< Packets taken from the tx ring and switched.
  std::uint64_t tx_bytes = 0;      ///< Their bytes.
  std::uint64_t tx_errors = 0;     ///< Packets answered with NETIF_RSP_ERROR.
  std::uint64_t tx_slots = 0;      ///< Tx ring slots consumed (each answered once).
  std::uint64_t rx_packets = 0;    ///< Frames copied into the frontend's rx buffers.
  std::uint64_t rx_bytes = 0;      ///< Their bytes.
  std::uint64_t rx_errors = 0;     ///< Rx requests answered with NETIF_RSP_ERROR.
  std::uint64_t rx_dropped = 0;    ///< Frames dropped: queue full, too big, or not connected.
  std::uint64_t notifications = 0; ///< Events sent to the frontend.
  std::uint64_t csum_completed = 0;  ///< Received frames whose blank checksum the backend filled in.
};

/// The backend feature keys this netback writes in its xenstore directory
/// (`backend/vif/<domid>/<dev>/`), as key/value pairs.
struct netback_feature {
  const char* key;    ///< Key under the backend directory.
  const char* value;  ///< Its value.
};
/// Features offered: copy-based receive (no flipping), multi-slot transmit (`feature-sg`),
/// transmit checksum offload for IPv4 and IPv6 TCP/UDP (`NETTXF_csum_blank` accepted: the
/// checksum is completed for receivers that did not accept blank checksums, and for host tap
/// devices), no segmentation offload, single queue, no split event channels.
inline constexpr netback_feature netback_features[] = {
    {"feature-rx-copy", "1"},       {"feature-rx-flip", "0"},
    {"feature-sg", "1"},            {"feature-no-csum-offload", "0"},
    {"feature-ipv6-csum-offload", "1"},
    {"feature-gso-tcpv4", "0"},     {"feature-gso-tcpv6", "0"},
    {"feature-split-event-channels", "0"}, {"multi-queue-max-queues", "1"},
};

/// One virtual interface: the backend end of a frontend's tx and rx rings, and a bridge port.
class netif final : public bridge_port {
 public:
  /// Data slots one transmitted packet may use (Xen's XEN_NETIF_NR_SLOTS_MIN).
  static constexpr std::size_t max_tx_data_slots = xenabi::abi::XEN_NETIF::NR_SLOTS_MIN;
  /// Extra-info slots tolerated in one packet before it is refused slot by slot.
  static constexpr std::size_t max_tx_extra_slots = 4;
  /// Known NETTXF bits.
  static constexpr std::uint16_t known_tx_flags = xenabi::abi::NETTXF::csum_blank |
                                                  xenabi::abi::NETTXF::data_validated |
                                                  xenabi::abi::NETTXF::more_data |
                                                  xenabi::abi::NETTXF::extra_info;

  /// An interface served by driver domain \p dd, switched through \p br (may be null:
  /// transmitted frames are then counted and dropped), with a receive queue of
  /// \p rx_queue_frames frames. Its work runs on \p dd's thread (or whoever calls `poll`).
  explicit netif(driver_domain& dd, bridge* br = nullptr, std::size_t rx_queue_frames = 256)
      : dd_(dd), br_(br), rx_cap_(rx_queue_frames), self_(std::make_shared<netif*>(this)) {
    pend_.reserve(max_tx_data_slots + max_tx_extra_slots);
    txbuf_.reserve(xenabi::abi::XEN_NETIF::MAX_TX_SIZE);
  }
  /// Disconnects. Destroy an interface on its driver domain's thread or while that thread is
  /// stopped (a handler may be running otherwise); wake-ups still queued are then ignored.
  ~netif() override {
    disconnect();
    *self_ = nullptr;
  }

  /// Connects to a frontend: maps its two ring pages through their grants (writable), attaches
  /// the rings at the indices the frontend initialised, binds an interdomain event channel to
  /// the frontend's port (its events run `poll` on the driver domain's thread) and joins the
  /// bridge. Errors: `eisconn` if connected; `einval` if a ring grant cannot be mapped (the
  /// GNTST is in `failure()`), or the port cannot be bound.
  [[nodiscard]] result<void> connect(const netif_connection& c) {
    std::lock_guard lock(mu_);
    if (connected_) return errc::eisconn;
    failure_.clear();
    conn_ = c;
    const auto tx = dd_.map(c.frontend, c.tx_ring_ref, false);
    if (!tx) return fail_connect("tx-ring-ref");
    tx_handle_ = tx.value();
    const auto rx = dd_.map(c.frontend, c.rx_ring_ref, false);
    if (!rx) {
      (void)dd_.unmap(tx_handle_);
      return fail_connect("rx-ring-ref");
    }
    rx_handle_ = rx.value();
    auto txv = dd_.frame(tx_handle_);
    auto rxv = dd_.frame(rx_handle_);
    auto port = txv && rxv ? dd_.bind_interdomain(c.frontend, c.event_channel) : result<std::uint32_t>{errc::efault};
    if (!port) {
      (void)dd_.unmap(tx_handle_);
      (void)dd_.unmap(rx_handle_);
      failure_ = std::string("event-channel: cannot bind port ") + std::to_string(c.event_channel) + " of domain " +
                 std::to_string(c.frontend);
      return errc::einval;
    }
    port_ = port.value();
    auto* tx_sring = std::launder(reinterpret_cast<xenabi::abi::netif_tx_sring*>(txv.value().bytes.data()));
    auto* rx_sring = std::launder(reinterpret_cast<xenabi::abi::netif_rx_sring*>(rxv.value().bytes.data()));
    // BACK_RING_ATTACH at the frontend's request producer (zero for a fresh ring); a hostile
    // value is caught by the ring's plausibility checks like any other.
    tx_ = xenabi::back_ring<xenabi::netif_tx_ring>::attach(*tx_sring, 0);
    rx_ = xenabi::back_ring<xenabi::netif_rx_ring>::attach(*rx_sring, 0);
    pend_.clear();
    expect_extra_ = expect_more_ = discarding_ = false;
    stalled_ = false;
    stalled_off_ = {};
    connected_ = true;
    failed_ = false;
    if (br_ != nullptr) br_->attach(*this);
    dd_.on_port(port_, [self = self_] {
      if (*self != nullptr) (void)(*self)->poll();
    });
    return {};
  }

  /// Leaves the bridge, unmaps the rings, closes the event channel and drops queued frames
  /// (idempotent).
  void disconnect() {
    std::lock_guard lock(mu_);
    if (!connected_) return;
    if (br_ != nullptr) br_->detach(*this);
    (void)dd_.unmap(tx_handle_);
    (void)dd_.unmap(rx_handle_);
    dd_.close(port_);
    port_ = 0;
    connected_ = false;
    std::lock_guard q(qmu_);
    stats_.rx_dropped += rxq_.size();
    rxq_.clear();
  }

  /// True between a successful `connect` and `disconnect`, and not failed.
  [[nodiscard]] bool serving() const {
    std::lock_guard lock(mu_);
    return connected_ && !failed_;
  }
  /// Why the interface failed or could not connect (empty if it did not).
  [[nodiscard]] std::string failure() const {
    std::lock_guard lock(mu_);
    return failure_;
  }
  /// The driver domain's port bound to the frontend (0 when not connected).
  [[nodiscard]] std::uint32_t local_port() const {
    std::lock_guard lock(mu_);
    return connected_ ? port_ : 0;
  }
  /// The frontend this interface is connected to.
  [[nodiscard]] std::uint16_t frontend() const {
    std::lock_guard lock(mu_);
    return conn_.frontend;
  }
  /// A snapshot of the counters.
  [[nodiscard]] netif_stats stats() const {
    std::scoped_lock lock(mu_, qmu_);
    return stats_;
  }
  /// Frames waiting in the receive queue.
  [[nodiscard]] std::size_t rx_queued() const {
    std::lock_guard q(qmu_);
    return rxq_.size();
  }
  /// True while a transmitted packet waits for room at its destination.
  [[nodiscard]] bool tx_stalled() const {
    std::lock_guard lock(mu_);
    return stalled_;
  }

  /// Serves both rings once: transmit requests until the ring is empty (answering each
  /// completed packet), then queued frames while the frontend has rx buffers. Returns true if
  /// any slot was consumed or produced. Does nothing on an interface that is not serving.
  bool poll() {
    std::lock_guard lock(mu_);
    {
      std::lock_guard q(qmu_);
      wake_queued_ = false;
    }
    if (!connected_ || failed_) return false;
    const bool t = process_tx();
    const bool r = !failed_ && process_rx();
    return t || r;
  }

  /// Bridge side: queues a copy of \p frame (with its offload state \p o) for the frontend
  /// and, unless a wake-up is already queued, asks the driver domain's thread to `poll`.
  void deliver(std::span<const std::byte> frame, frame_offload o = {}) override {
    {
      std::lock_guard q(qmu_);
      if (rxq_.size() >= rx_cap_) {
        ++stats_.rx_dropped;
        return;
      }
      rxq_.push_back({std::vector<std::byte>(frame.begin(), frame.end()), o});
    }
    wake();
  }

  /// Bridge side: false while the receive queue is full.
  [[nodiscard]] bool has_room() const override {
    std::lock_guard q(qmu_);
    return rxq_.size() < rx_cap_;
  }
  /// Bridge side: the port a kept packet waits for has room: schedule a `poll`.
  void unblocked() override { wake(); }

  /// Sends a frame into the bridge as if this interface had transmitted it (used by tests and
  /// by tools that inject traffic); `blocked` if its port is full (the frame is not kept).
  forward_result inject(std::span<const std::byte> frame, frame_offload o = {}) {
    return br_ != nullptr ? br_->forward(*this, frame, o) : forward_result::delivered;
  }

 private:
  using tx_request = xenabi::abi::netif_tx_request;
  struct tx_slot {
    tx_request req;
    bool extra;
  };
  struct queued_frame {
    std::vector<std::byte> bytes;
    frame_offload offload;
  };

  result<void> fail_connect(const char* what) {
    failure_ = std::string(what) + ": grant map failed, GNTST " + std::to_string(dd_.last_gntst());
    return errc::einval;
  }
  void fail(std::string why) {
    failed_ = true;
    failure_ = std::move(why);
  }
  // Posts one `poll` to the driver domain's thread unless one is already queued.
  void wake() {
    {
      std::lock_guard q(qmu_);
      if (wake_queued_) return;
      wake_queued_ = true;
    }
    dd_.post([self = self_] {
      if (*self != nullptr) (void)(*self)->poll();
    });
  }
  void notify_frontend() {
    if (dd_.notify(port_)) ++stats_.notifications;
  }

  // ---- transmit --------------------------------------------------------------------------

  // Takes transmit requests one at a time (so that a packet blocked at its destination stops
  // the ring right after it), publishing responses every 32 requests and when the ring is empty.
  bool process_tx() {
    bool did = false;
    if (stalled_) {
      if (br_ != nullptr &&
          br_->forward(*this, std::span<const std::byte>(txbuf_.data(), stalled_len_), stalled_off_) ==
              forward_result::blocked)
        return false;
      stalled_ = false;
      did = true;
      ++stats_.tx_packets;
      stats_.tx_bytes += stalled_len_;
      answer_pending(true);
    }
    unsigned since_push = 0;
    auto push = [&] {
      since_push = 0;
      if (tx_.unpushed_responses() != 0 && tx_.push_responses()) notify_frontend();
    };
    for (;;) {
      if (stalled_) {
        push();
        return did;
      }
      tx_request r{};
      auto got = tx_.consume_request(r);
      if (!got) {
        fail("tx ring: the frontend's req_prod is implausible");
        return did;
      }
      if (got.value()) {
        did = true;
        on_tx_slot(r);
        if (++since_push == 32) push();
        continue;
      }
      push();
      auto more = tx_.final_check_for_requests();
      if (!more) {
        fail("tx ring: the frontend's req_prod is implausible");
        return did;
      }
      if (!more.value()) return did;
    }
  }

  void respond_tx(std::uint16_t id, xenabi::abi::NETIF_RSP st) {
    tx_.produce_response(xenabi::abi::netif_tx_response{id, static_cast<std::int16_t>(st)});
  }

  // One consumed tx slot: classify it (first, extra or fragment) and finish the packet when its
  // chain ends.
  void on_tx_slot(const tx_request& r) {
    using namespace xenabi::abi;
    ++stats_.tx_slots;
    bool extra = false;
    if (!discarding_ && pend_.empty()) {  // first slot of a packet
      expect_extra_ = (r.flags & NETTXF::extra_info) != 0;
      expect_more_ = (r.flags & NETTXF::more_data) != 0;
    } else if (expect_extra_) {
      netif_extra_info e;
      static_assert(sizeof e <= sizeof r);
      std::memcpy(&e, &r, sizeof e);
      expect_extra_ = (e.flags & XEN_NETIF_EXTRA_FLAG::MORE) != 0;
      extra = true;
    } else {
      expect_more_ = (r.flags & NETTXF::more_data) != 0;
    }
    const bool chain_ends = !expect_extra_ && !expect_more_;
    if (discarding_) {  // an over-long packet: answer each slot as it comes
      respond_tx(r.id, extra ? NETIF_RSP::null : NETIF_RSP::ERROR);
      if (chain_ends) discarding_ = false;
      return;
    }
    pend_.push_back({r, extra});
    if (pend_.size() > max_tx_data_slots + max_tx_extra_slots) {
      ++stats_.tx_errors;
      for (const auto& s : pend_) respond_tx(s.req.id, s.extra ? NETIF_RSP::null : NETIF_RSP::ERROR);
      pend_.clear();
      discarding_ = !chain_ends;
      return;
    }
    if (chain_ends) finish_tx_packet();
  }

  void finish_tx_packet() {
    using namespace xenabi::abi;
    const tx_request first = pend_.front().req;
    bool ok = first.size >= eth_header_bytes;
    std::size_t data_slots = 0;
    std::uint32_t frag_bytes = 0;
    for (std::size_t i = 0; i < pend_.size(); ++i) {
      const auto& s = pend_[i];
      if (s.extra) {
        ok = false;  // no extra-info feature is offered
        continue;
      }
      ++data_slots;
      if ((s.req.flags & ~known_tx_flags) != 0) ok = false;
      if (i != 0 && (s.req.flags & NETTXF::extra_info) != 0) ok = false;  // only the first may
      if (i != 0) frag_bytes += s.req.size;
    }
    if (data_slots > max_tx_data_slots || frag_bytes > first.size) ok = false;
    if (ok) {
      txbuf_.resize(first.size);
      std::size_t pos = 0;
      for (std::size_t i = 0; ok && i < pend_.size(); ++i) {
        const auto& s = pend_[i];
        if (s.extra) continue;
        const std::size_t len = i == 0 ? first.size - frag_bytes : s.req.size;
        if (std::size_t{s.req.offset} + len > 4096) {
          ok = false;
          break;
        }
        ok = dd_.copy_from_grant(conn_.frontend, s.req.gref, s.req.offset,
                                 std::span<std::byte>(txbuf_.data() + pos, len))
                 .has_value();
        pos += len;
      }
    }
    frame_offload off;
    off.csum_blank = (first.flags & NETTXF::csum_blank) != 0;
    off.data_validated = (first.flags & NETTXF::data_validated) != 0;
    // A blank checksum must be one the backend can complete: a TCP or UDP frame over IPv4 or
    // IPv6 whose headers lie inside it (what Xen's backends check before accepting it).
    if (ok && off.csum_blank &&
        locate_l4(std::span<const std::byte>(txbuf_.data(), first.size)).result != csum_result::done)
      ok = false;
    if (ok && br_ != nullptr &&
        br_->forward(*this, std::span<const std::byte>(txbuf_.data(), first.size), off) == forward_result::blocked) {
      stalled_ = true;  // keep the packet (txbuf_, pend_) unanswered until its port has room
      stalled_len_ = first.size;
      stalled_off_ = off;
      return;
    }
    if (ok) {
      ++stats_.tx_packets;
      stats_.tx_bytes += first.size;
    } else {
      ++stats_.tx_errors;
    }
    answer_pending(ok);
  }

  // Answers every slot of the packet in pend_ (data slots OKAY or ERROR, extra slots NULL).
  void answer_pending(bool ok) {
    using namespace xenabi::abi;
    const std::uint16_t first_id = pend_.empty() ? 0 : pend_.front().req.id;
    for (const auto& s : pend_)
      respond_tx(s.extra ? first_id : s.req.id, s.extra ? NETIF_RSP::null : (ok ? NETIF_RSP::OKAY : NETIF_RSP::ERROR));
    pend_.clear();
  }

  // ---- receive ---------------------------------------------------------------------------

  // The NETRXF offload flags for a frame's first slot: a blank checksum is passed on to a
  // frontend that accepts it (csum_blank | data_validated, as Xen's netback marks a partial
  // checksum), otherwise completed here (then data_validated); 0xffff if it must be dropped.
  std::uint16_t rx_offload_flags(queued_frame& qf) {
    using namespace xenabi::abi;
    if (!qf.offload.csum_blank) return qf.offload.data_validated ? NETRXF::data_validated : std::uint16_t{0};
    const auto where = locate_l4(qf.bytes);
    const bool v6 = qf.bytes.size() >= eth_header_bytes && qf.bytes[12] == std::byte{0x86} &&
                    qf.bytes[13] == std::byte{0xdd};
    if (where.result == csum_result::done && (v6 ? conn_.rx_ipv6_csum_offload : conn_.rx_csum_offload))
      return NETRXF::csum_blank | NETRXF::data_validated;
    switch (complete_l4_checksum(qf.bytes)) {
      case csum_result::done:
        ++stats_.csum_completed;
        return NETRXF::data_validated;
      case csum_result::unsupported:
        return 0;
      default:
        return 0xffff;
    }
  }

  bool process_rx() {
    using namespace xenabi::abi;
    bool did = false;
    for (;;) {
      queued_frame qf;
      {
        std::lock_guard q(qmu_);
        if (rxq_.empty()) break;
        const std::size_t sz = rxq_.front().bytes.size();
        if (sz > (conn_.rx_sg ? std::size_t{xenabi::abi::XEN_NETIF::MAX_TX_SIZE} : std::size_t{4096})) {
          ++stats_.rx_dropped;
          rxq_.pop_front();
          continue;
        }
        qf = std::move(rxq_.front());
        rxq_.pop_front();
      }
      std::vector<std::byte>& frame = qf.bytes;
      const auto need = static_cast<xenabi::RING_IDX>(frame.empty() ? 1 : (frame.size() + 4095) / 4096);
      auto avail = rx_.unconsumed_requests();
      if (avail && avail.value() < need) {
        // Ask to be signalled when the frontend has published the `need`-th request (not the
        // next one: some may be there already, and a frame takes all its slots at once), then
        // look again.
        __atomic_store_n(&rx_.shared()->req_event, static_cast<xenabi::RING_IDX>(rx_.req_cons() + need),
                         __ATOMIC_RELEASE);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        avail = rx_.unconsumed_requests();
      }
      if (!avail) {
        fail("rx ring: the frontend's req_prod is implausible");
        return did;
      }
      if (avail.value() < need) {  // wait for buffers; keep the frame first in line
        std::lock_guard q(qmu_);
        rxq_.push_front(std::move(qf));
        break;
      }
      did = true;
      const std::uint16_t first_flags = rx_offload_flags(qf);
      if (first_flags == 0xffff) {  // a blank checksum that cannot be completed
        std::lock_guard q(qmu_);
        ++stats_.rx_dropped;
        continue;
      }
      std::size_t pos = 0;
      bool ok = true;
      for (xenabi::RING_IDX i = 0; i < need; ++i) {
        netif_rx_request req{};
        auto got = rx_.consume_request(req);
        if (!got || !got.value()) {  // cannot happen after the count above; stay safe
          fail("rx ring: requests vanished");
          return did;
        }
        const std::size_t len = frame.size() - pos < 4096 ? frame.size() - pos : 4096;
        const bool copied =
            dd_.copy_to_grant(conn_.frontend, req.gref, 0, std::span<const std::byte>(frame.data() + pos, len))
                .has_value();
        netif_rx_response rsp{};
        rsp.id = req.id;
        rsp.offset = 0;
        rsp.flags = static_cast<std::uint16_t>((i + 1 < need ? NETRXF::more_data : 0) | (i == 0 ? first_flags : 0));
        if (copied) {
          rsp.status = static_cast<std::int16_t>(len);
        } else {
          rsp.status = static_cast<std::int16_t>(NETIF_RSP::ERROR);
          ++stats_.rx_errors;
          ok = false;
        }
        rx_.produce_response(rsp);
        pos += len;
      }
      if (ok) {
        ++stats_.rx_packets;
        stats_.rx_bytes += frame.size();
      }
    }
    if (rx_.unpushed_responses() != 0 && rx_.push_responses()) notify_frontend();
    if (did && br_ != nullptr && has_room()) br_->room_available(*this);
    return did;
  }

  driver_domain& dd_;
  bridge* br_;
  std::size_t rx_cap_;
  std::shared_ptr<netif*> self_;  // what queued handlers hold: null once this is gone
  bool wake_queued_ = false;      // guarded by qmu_
  bool stalled_ = false;          // a forwarded packet waits for room (txbuf_, pend_ kept)
  std::size_t stalled_len_ = 0;
  frame_offload stalled_off_{};
  mutable std::mutex mu_;   // connection state, rings, tx state, stats except rx_dropped from deliver
  mutable std::mutex qmu_;  // rxq_ and stats_.rx_dropped from deliver
  bool connected_ = false;
  bool failed_ = false;
  std::string failure_;
  netif_connection conn_{};
  std::uint32_t tx_handle_ = 0, rx_handle_ = 0, port_ = 0;
  xenabi::back_ring<xenabi::netif_tx_ring> tx_;
  xenabi::back_ring<xenabi::netif_rx_ring> rx_;
  std::vector<tx_slot> pend_;
  bool expect_extra_ = false, expect_more_ = false, discarding_ = false;
  std::vector<std::byte> txbuf_;
  std::deque<queued_frame> rxq_;
  netif_stats stats_;
};

}  // namespace hv::backend
