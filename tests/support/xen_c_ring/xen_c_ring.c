/* See xen_c_ring.h. Every ring operation here is one of Xen's io/ring.h macros. */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include "xen_c_ring.h"

#include <sched.h>
#include <string.h>
#include <time.h>

/* The barriers io/ring.h expects the OS to provide, as Linux defines virt_mb() & co on x86. */
#if defined(__x86_64__)
#define xen_mb() __asm__ __volatile__("lock; addl $0,-4(%%rsp)" ::: "memory", "cc")
#else
#define xen_mb() __asm__ __volatile__("lock; addl $0,-4(%%esp)" ::: "memory", "cc")
#endif
#define xen_rmb() __asm__ __volatile__("" ::: "memory")
#define xen_wmb() __asm__ __volatile__("" ::: "memory")
#define cpu_relax() __asm__ __volatile__("pause" ::: "memory")

#include <xen/xen.h>
#include <xen/io/blkif.h>

#define PAGE 4096

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

void xenc_make_request(uint64_t k, void* out) {
  struct blkif_request* r = (struct blkif_request*)out;
  uint64_t h = mix(k + 1);
  int i;
  memset(r, 0, sizeof *r);
  r->operation = (uint8_t)(k & 1);
  r->nr_segments = (uint8_t)(k % (BLKIF_MAX_SEGMENTS_PER_REQUEST + 1));
  r->handle = (blkif_vdev_t)(h >> 48);
  r->id = k;
  r->sector_number = h;
  for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; ++i) {
    uint64_t s = mix(h + (uint64_t)i);
    r->seg[i].gref = (grant_ref_t)s;
    r->seg[i].first_sect = (uint8_t)(s >> 32) & 7;
    r->seg[i].last_sect = (uint8_t)(((s >> 40) & 7) + 0);
  }
}

uint64_t xenc_request_digest(const void* p) {
  const struct blkif_request* r = (const struct blkif_request*)p;
  uint64_t d = mix(r->operation ^ ((uint64_t)r->nr_segments << 8) ^ ((uint64_t)r->handle << 16));
  int i;
  d = mix(d ^ r->id);
  d = mix(d ^ r->sector_number);
  for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; ++i)
    d = mix(d ^ r->seg[i].gref ^ ((uint64_t)r->seg[i].first_sect << 32) ^
            ((uint64_t)r->seg[i].last_sect << 40));
  return d;
}

int16_t xenc_status_for(const void* p) {
  return (int16_t)(xenc_request_digest(p) & 0x7fff);
}

uint32_t xenc_batch(uint64_t* state, uint32_t max) {
  uint64_t x = *state;
  if (x == 0) return max;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 33) % max + 1;
}

int xenc_wait_event(uint32_t* events, uint32_t seen) {
  struct timespec t0, t;
  unsigned spins = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (__atomic_load_n(events, __ATOMIC_ACQUIRE) == seen) {
    if (++spins < 256) {
      cpu_relax();
      continue;
    }
    sched_yield();
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (t.tv_sec - t0.tv_sec > 10) return -1;
  }
  return 0;
}

void xenc_idle(unsigned* spins) {
  if (++*spins % 1024 == 0)
    sched_yield();
  else
    cpu_relax();
}

static void notify(struct xenc_run* run) {
  ++run->notifications;
  __atomic_add_fetch(run->notify_peer, 1, __ATOMIC_RELEASE);
}

void xenc_init_page(void* page, uint32_t start) {
  struct blkif_sring* s = (struct blkif_sring*)page;
  SHARED_RING_INIT(s);
  s->req_prod = s->rsp_prod = start;
  s->req_event = s->rsp_event = start + 1;
}

void xenc_front_run(struct xenc_run* run) {
  struct blkif_front_ring fr;
  uint64_t sent = 0, received = 0, rng = run->seed;
  unsigned spins = 0;
  FRONT_RING_ATTACH(&fr, (struct blkif_sring*)run->sring, run->start, PAGE);
  while (received < run->count) {
    /* Produce a batch. */
    uint32_t batch = xenc_batch(&rng, run->max_batch), i;
    int do_notify = 0;
    for (i = 0; i < batch && sent < run->count && !RING_FULL(&fr); ++i) {
      struct blkif_request* req = RING_GET_REQUEST(&fr, fr.req_prod_pvt);
      xenc_make_request(sent, req);
      run->digest += xenc_request_digest(req);
      fr.req_prod_pvt++;
      sent++;
    }
    if (i != 0) {
      RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, do_notify);
      if (do_notify && run->sleep) notify(run);
    }
    /* Consume what has arrived. */
    for (;;) {
      RING_IDX rp = fr.sring->rsp_prod, rc;
      xen_rmb();
      if (RING_RESPONSE_PROD_OVERFLOW(&fr, rp)) {
        run->error = XENC_ERR_OVERFLOW;
        return;
      }
      for (rc = fr.rsp_cons; rc != rp; ++rc) {
        struct blkif_response rsp;
        struct blkif_request expect;
        RING_COPY_RESPONSE(&fr, rc, &rsp);
        xenc_make_request(received, &expect);
        if (rsp.id != received || rsp.status != xenc_status_for(&expect) ||
            rsp.operation != expect.operation) {
          run->error = XENC_ERR_BAD_RESPONSE;
          return;
        }
        ++received;
      }
      fr.rsp_cons = rc;
      if (sent < run->count && !RING_FULL(&fr)) break; /* room to send more */
      if (received == run->count) break;
      if (!run->sleep) {
        xenc_idle(&spins);
        continue;
      }
      {
        int more;
        uint32_t seen = __atomic_load_n(run->my_events, __ATOMIC_ACQUIRE);
        RING_FINAL_CHECK_FOR_RESPONSES(&fr, more);
        if (more) continue;
        ++run->sleeps;
        if (xenc_wait_event(run->my_events, seen) != 0) {
          run->error = XENC_ERR_LOST_WAKEUP;
          return;
        }
      }
    }
  }
}

void xenc_back_run(struct xenc_run* run) {
  struct blkif_back_ring br;
  uint64_t served = 0, rng = run->seed;
  unsigned spins = 0;
  BACK_RING_ATTACH(&br, (struct blkif_sring*)run->sring, run->start, PAGE);
  while (served < run->count) {
    RING_IDX rp = br.sring->req_prod, rc;
    uint32_t batch = xenc_batch(&rng, run->max_batch), since_push = 0;
    xen_rmb();
    if (RING_REQUEST_PROD_OVERFLOW(&br, rp)) {
      run->error = XENC_ERR_OVERFLOW;
      return;
    }
    for (rc = br.req_cons; rc != rp && !RING_REQUEST_CONS_OVERFLOW(&br, rc); ++rc) {
      struct blkif_request req;
      struct blkif_response* rsp;
      RING_COPY_REQUEST(&br, rc, &req);
      br.req_cons = rc + 1;
      run->digest += xenc_request_digest(&req);
      rsp = RING_GET_RESPONSE(&br, br.rsp_prod_pvt);
      rsp->id = req.id;
      rsp->operation = req.operation;
      rsp->status = xenc_status_for(&req);
      br.rsp_prod_pvt++;
      ++served;
      if (++since_push == batch) {
        int do_notify;
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&br, do_notify);
        if (do_notify && run->sleep) notify(run);
        since_push = 0;
        batch = xenc_batch(&rng, run->max_batch);
      }
    }
    br.req_cons = rc;
    if (since_push != 0) {
      int do_notify;
      RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&br, do_notify);
      if (do_notify && run->sleep) notify(run);
    }
    if (served == run->count) break;
    if (!run->sleep) {
      xenc_idle(&spins);
      continue;
    }
    {
      int more;
      uint32_t seen = __atomic_load_n(run->my_events, __ATOMIC_ACQUIRE);
      RING_FINAL_CHECK_FOR_REQUESTS(&br, more);
      if (more) continue;
      ++run->sleeps;
      if (xenc_wait_event(run->my_events, seen) != 0) {
        run->error = XENC_ERR_LOST_WAKEUP;
        return;
      }
    }
  }
}
