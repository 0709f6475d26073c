/// \file
/// The standard Xen ring protocol (`io/ring.h` semantics) as a model for the checker, with
/// seeded bugs that the checker must find.
///
/// Front end: produce requests while there is space (`req_prod_pvt - rsp_cons < slots`), then
/// `RING_PUSH_REQUESTS_AND_CHECK_NOTIFY` (read the old `req_prod`, `wmb`, store the new one,
/// `mb`, read `req_event`, notify iff `(new - event) < (new - old)`), then consume responses with
/// `RING_FINAL_CHECK_FOR_RESPONSES` (set `rsp_event = rsp_cons + 1`, `mb`, re-check) before it
/// sleeps. Back end: the mirror image (consume requests, answer each, push responses with the
/// notify rule, final check for requests, sleep).
///
/// The index arithmetic is not a copy: the notify decision and the free-slot count are
/// xenabi/ring.hpp's own `ring_math::need_notify` and `ring_math::free_requests`, so the proof
/// covers the rule the real ring uses.
#pragma once

#include <cstdint>

#include <xenabi/ring.hpp>
#include <xenabi/verify/checker.hpp>

namespace xenabi::verify {

/// Seeded bugs of the standard protocol (each must be caught by the checker).
enum class ring_bug : std::uint8_t {
  none,                  ///< The correct protocol.
  no_final_check,        ///< Back end sleeps as soon as it sees no work: no `req_event` update, no re-check.
  no_mb_before_event,    ///< Front end reads `req_event` without the full barrier after publishing.
  publish_before_write,  ///< Front end publishes `req_prod` before it writes the request slot.
  wrong_response_id,     ///< Back end answers with the wrong id.
  read_past_producer,    ///< Back end consumes one slot beyond the producer index it read.
};

/// The standard protocol with \p Slots slots, \p Requests requests per run and seeded bug \p Bug.
template <std::uint32_t Slots, std::uint32_t Requests, ring_bug Bug = ring_bug::none>
struct standard_ring {
  /// Slot count of the ring.
  static constexpr std::uint32_t slots = Slots;
  /// Requests the front end submits in one run.
  static constexpr std::uint32_t requests = Requests;

  /// One step of the front end.
  static constexpr void front(step_ctx& c) noexcept {
    switch (c.pc) {
      case f_produce:
        if constexpr (Bug == ring_bug::publish_before_write) {
          c.a = c.load(loc::req_prod);  // old producer index, for the notify rule
          c.pc = f_early_publish;
        } else {
          c.write_request(c.prod);
          ++c.prod;
          c.pc = can_produce(c) ? f_produce : f_push_old;
        }
        return;
      case f_early_publish:  // bug: the index is published before the slot is written
        c.store(loc::req_prod, c.prod + 1);
        c.pc = f_late_write;
        return;
      case f_late_write:
        c.write_request(c.prod);
        ++c.prod;
        c.pc = f_push_mb;
        return;
      case f_push_old:
        c.a = c.load(loc::req_prod);
        c.pc = f_push_store;
        return;
      case f_push_store:
        c.wmb();
        c.store(loc::req_prod, c.prod);
        c.pc = Bug == ring_bug::no_mb_before_event ? f_push_event : f_push_mb;
        return;
      case f_push_mb:
        c.mb();
        c.pc = f_push_event;
        return;
      case f_push_event:
        c.b = c.load(loc::req_event);
        c.pc = must_notify(c.prod, c.b, c.a) ? f_notify : f_rsp_prod;
        return;
      case f_notify:
        c.notify();
        c.pc = f_rsp_prod;
        return;
      case f_rsp_prod:
        c.a = c.load(loc::rsp_prod);
        c.rmb();
        c.pc = c.a != c.cons ? f_read : front_idle(c);
        return;
      case f_read:
        c.read_response(c.cons);
        ++c.cons;
        c.pc = c.cons != c.a ? f_read : front_idle(c);
        return;
      case f_final_set:
        c.store(loc::rsp_event, c.cons + 1);
        c.pc = f_final_mb;
        return;
      case f_final_mb:
        c.mb();
        c.pc = f_final_check;
        return;
      case f_final_check:
        c.a = c.load(loc::rsp_prod);
        c.pc = c.a != c.cons ? f_read : f_sleep;
        return;
      case f_sleep:
        c.sleep();
        c.pc = f_rsp_prod;
        return;
      default:
        c.finish();
        return;
    }
  }

  /// One step of the back end.
  static constexpr void back(step_ctx& c) noexcept {
    switch (c.pc) {
      case b_req_prod:
        c.a = c.load(loc::req_prod);
        c.rmb();
        if (has_work(c)) {
          c.pc = b_read;
        } else {
          c.pc = Bug == ring_bug::no_final_check ? b_sleep : b_final_set;
        }
        return;
      case b_read:
        c.b = c.read_request(c.cons);
        ++c.cons;
        c.pc = b_respond;
        return;
      case b_respond:
        c.write_response(c.prod, Bug == ring_bug::wrong_response_id ? c.b + 1 : c.b);
        ++c.prod;
        c.pc = has_work(c) ? b_read : b_push_old;
        return;
      case b_push_old:
        c.a = c.load(loc::rsp_prod);
        c.pc = b_push_store;
        return;
      case b_push_store:
        c.wmb();
        c.store(loc::rsp_prod, c.prod);
        c.pc = b_push_mb;
        return;
      case b_push_mb:
        c.mb();
        c.pc = b_push_event;
        return;
      case b_push_event:
        c.b = c.load(loc::rsp_event);
        c.pc = must_notify(c.prod, c.b, c.a) ? b_notify : b_req_prod;
        return;
      case b_notify:
        c.notify();
        c.pc = b_req_prod;
        return;
      case b_final_set:
        c.store(loc::req_event, c.cons + 1);
        c.pc = b_final_mb;
        return;
      case b_final_mb:
        c.mb();
        c.pc = b_final_check;
        return;
      case b_final_check:
        c.a = c.load(loc::req_prod);
        c.pc = has_work(c) ? b_read : b_sleep;
        return;
      default:  // b_sleep
        c.sleep();
        c.pc = b_req_prod;
        return;
    }
  }

 private:
  // Front end program counters (f_produce = 0 is the initial one).
  static constexpr std::uint32_t f_produce = 0, f_early_publish = 1, f_late_write = 2,
                                 f_push_old = 3, f_push_store = 4, f_push_mb = 5,
                                 f_push_event = 6, f_notify = 7, f_rsp_prod = 8, f_read = 9,
                                 f_final_set = 10, f_final_mb = 11, f_final_check = 12,
                                 f_sleep = 13, f_finish = 14;
  // Back end program counters (b_req_prod = 0 is the initial one).
  static constexpr std::uint32_t b_req_prod = 0, b_read = 1, b_respond = 2, b_push_old = 3,
                                 b_push_store = 4, b_push_mb = 5, b_push_event = 6,
                                 b_notify = 7, b_final_set = 8, b_final_mb = 9,
                                 b_final_check = 10, b_sleep = 11;

  // io/ring.h's notify rule, `(new - event) < (new - old)` modulo 2^32, as the ring computes it.
  static constexpr bool must_notify(std::uint32_t new_prod, std::uint32_t event,
                                    std::uint32_t old_prod) noexcept {
    return ring_math::need_notify(old_prod, new_prod, event);
  }
  static constexpr bool can_produce(const step_ctx& c) noexcept {
    return c.requests_left() != 0 && ring_math::free_requests(Slots, c.prod, c.cons) != 0;
  }
  // Back end: unconsumed requests below the producer index it read into `a`.
  static constexpr bool has_work(const step_ctx& c) noexcept {
    if constexpr (Bug == ring_bug::read_past_producer) {
      return c.cons <= c.a;  // off by one: also consumes index `a`, which is not published
    } else {
      return c.cons != c.a;
    }
  }
  // Front end, no unconsumed responses: produce more, finish, or check and sleep.
  static constexpr std::uint32_t front_idle(const step_ctx& c) noexcept {
    if (can_produce(c)) return f_produce;
    if (c.requests_left() == 0 && c.cons == c.prod) return f_finish;
    return f_final_set;
  }
};

}  // namespace xenabi::verify
