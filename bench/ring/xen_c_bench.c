/* See xen_c_bench.h. Busy-polling front and back ends with Xen's macros, in the style of Xen's
 * own drivers: RING_COPY_REQUEST / RING_COPY_RESPONSE (copy out of shared memory once),
 * RING_REQUEST_PROD_OVERFLOW (distrust the peer), RING_PUSH_*_AND_CHECK_NOTIFY. */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include "xen_c_bench.h"

#if defined(__x86_64__)
#define xen_mb() __asm__ __volatile__("lock; addl $0,-4(%%rsp)" ::: "memory", "cc")
#else
#define xen_mb() __asm__ __volatile__("lock; addl $0,-4(%%esp)" ::: "memory", "cc")
#endif
#define xen_rmb() __asm__ __volatile__("" ::: "memory")
#define xen_wmb() __asm__ __volatile__("" ::: "memory")
#define cpu_relax() __asm__ __volatile__("pause" ::: "memory")

#include <sched.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/io/blkif.h>

void xcb_relax(unsigned* spins) {
  if (++*spins % 256 == 0)
    sched_yield();
  else
    cpu_relax();
}

void xcb_init(void* page) {
  struct blkif_sring* s = (struct blkif_sring*)page;
  SHARED_RING_INIT(s);
}

/* A full request: 11 segments of 8 sectors (what a block front end sends for a 44 KiB read). */
static void fill(struct blkif_request* r, uint64_t k) {
  int i;
  r->operation = BLKIF_OP_READ;
  r->nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST;
  r->handle = 0;
  r->id = k;
  r->sector_number = k * 88;
  for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; ++i) {
    r->seg[i].gref = (grant_ref_t)(k + (uint64_t)i);
    r->seg[i].first_sect = 0;
    r->seg[i].last_sect = 7;
  }
}

/* What the back end does with a request: looks at every segment, as a block back end would
 * when it maps the grants, and answers with a status derived from them. */
static int16_t serve(const struct blkif_request* r) {
  uint32_t acc = (uint32_t)r->sector_number;
  unsigned i, n = r->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST ? BLKIF_MAX_SEGMENTS_PER_REQUEST
                                                                   : r->nr_segments;
  for (i = 0; i < n; ++i)
    acc += r->seg[i].gref ^ ((uint32_t)r->seg[i].first_sect << 8) ^ r->seg[i].last_sect;
  return (int16_t)(acc & 0x7fff);
}

uint64_t xcb_front_stream(void* page, uint64_t n) {
  struct blkif_front_ring fr;
  uint64_t sent = 0, received = 0, sum = 0;
  unsigned spins = 0;
  FRONT_RING_INIT(&fr, (struct blkif_sring*)page, 4096);
  while (received < n) {
    int progress = 0, notify;
    RING_IDX rp, rc;
    if (sent < n && !RING_FULL(&fr)) {
      do {
        fill(RING_GET_REQUEST(&fr, fr.req_prod_pvt), sent);
        fr.req_prod_pvt++;
        sent++;
      } while (sent < n && !RING_FULL(&fr));
      RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
      (void)notify;
      progress = 1;
    }
    rp = fr.sring->rsp_prod;
    xen_rmb();
    for (rc = fr.rsp_cons; rc != rp; rc++) {
      struct blkif_response rsp;
      RING_COPY_RESPONSE(&fr, rc, &rsp);
      sum += rsp.id;
      received++;
      progress = 1;
    }
    fr.rsp_cons = rc;
    if (!progress) xcb_relax(&spins);
  }
  return sum;
}

uint64_t xcb_front_roundtrip(void* page, uint64_t n) {
  struct blkif_front_ring fr;
  uint64_t k, sum = 0;
  unsigned spins = 0;
  FRONT_RING_INIT(&fr, (struct blkif_sring*)page, 4096);
  for (k = 0; k < n; ++k) {
    int notify;
    struct blkif_response rsp;
    fill(RING_GET_REQUEST(&fr, fr.req_prod_pvt), k);
    fr.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
    (void)notify;
    while (fr.sring->rsp_prod == fr.rsp_cons) xcb_relax(&spins);
    xen_rmb();
    RING_COPY_RESPONSE(&fr, fr.rsp_cons, &rsp);
    fr.rsp_cons++;
    sum += rsp.id;
  }
  return sum;
}

void xcb_back(void* page, uint64_t n) {
  struct blkif_back_ring br;
  uint64_t served = 0;
  unsigned spins = 0;
  BACK_RING_INIT(&br, (struct blkif_sring*)page, 4096);
  while (served < n) {
    RING_IDX rp = br.sring->req_prod, rc;
    int notify;
    xen_rmb();
    if (RING_REQUEST_PROD_OVERFLOW(&br, rp)) return;
    if (rp == br.req_cons) {
      xcb_relax(&spins);
      continue;
    }
    for (rc = br.req_cons; rc != rp; rc++) {
      struct blkif_request req;
      struct blkif_response* rsp;
      RING_COPY_REQUEST(&br, rc, &req);
      rsp = RING_GET_RESPONSE(&br, br.rsp_prod_pvt);
      rsp->id = req.id;
      rsp->operation = req.operation;
      rsp->status = serve(&req);
      br.rsp_prod_pvt++;
      served++;
    }
    br.req_cons = rc;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&br, notify);
    (void)notify;
  }
}
