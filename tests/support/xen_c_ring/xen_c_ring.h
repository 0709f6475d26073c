/* A front end and a back end of the block ring written with Xen's own C macros from
 * libxen-dev's io/ring.h (DEFINE_RING_TYPES, RING_PUSH_REQUESTS_AND_CHECK_NOTIFY, ...). They are
 * the oracle for xenabi's ring in the differential tests and the baseline in bench/ring.
 * Compiled as C (RING_COPY_REQUEST's volatile struct copy is not valid C++). */
#ifndef XENABI_TESTS_XEN_C_RING_H
#define XENABI_TESTS_XEN_C_RING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One end's part in a run over a blkif ring page (struct blkif_sring, 4096 bytes). */
struct xenc_run {
  void* sring;              /* the shared page */
  uint64_t count;           /* requests to send (front) or to serve (back) */
  uint32_t start;           /* attach both ends at this index (the page's indices too) */
  uint64_t seed;            /* PRNG seed for batch sizes (0: always the largest batch) */
  uint32_t max_batch;       /* front: requests per push; back: responses per push */
  int sleep;                /* 0: busy-poll; 1: sleep on the event counter after a final check */
  uint32_t* notify_peer;    /* the peer's event counter (incremented to notify it) */
  uint32_t* my_events;      /* this end's event counter */
  /* results */
  uint64_t digest;          /* sum of xenc_request_digest over every request sent/received */
  uint64_t notifications;   /* notifications sent */
  uint64_t sleeps;          /* times this end slept */
  int error;                /* 0, or one of XENC_ERR_* */
};

#define XENC_ERR_BAD_RESPONSE 1  /* a response with the wrong id or status */
#define XENC_ERR_OVERFLOW 2      /* the peer's producer index is implausible */
#define XENC_ERR_LOST_WAKEUP 3   /* slept for 10 s with work pending for it */

/* Deterministic content of request number k (all fields, every segment). */
void xenc_make_request(uint64_t k, void* blkif_request_out);
/* A 64-bit digest of a request's contents. */
uint64_t xenc_request_digest(const void* blkif_request);
/* The status a back end answers request r with: a 15-bit fold of its digest. */
int16_t xenc_status_for(const void* blkif_request);

/* Initialise the page as a front end would, with every index at start (SHARED_RING_INIT,
 * then the indices moved). */
void xenc_init_page(void* sring, uint32_t start);

/* Run a front end: send run->count requests (xenc_make_request(k) for k = 0, 1, ...), check
 * every response (id == k, status == xenc_status_for). */
void xenc_front_run(struct xenc_run* run);
/* Run a back end: serve run->count requests, answering each with xenc_status_for. */
void xenc_back_run(struct xenc_run* run);

/* Wait until *events differs from seen (spinning, then yielding); 0 on success, -1 after 10 s. */
int xenc_wait_event(uint32_t* events, uint32_t seen);
/* One idle step of a busy-polling loop: pause, and yield the CPU every 1024 steps. */
void xenc_idle(unsigned* spins);
/* A small PRNG (xorshift64*) for batch sizes: 1..max. */
uint32_t xenc_batch(uint64_t* state, uint32_t max);

#ifdef __cplusplus
}
#endif
#endif
