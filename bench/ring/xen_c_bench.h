/* Baseline loops for bench/ring, written with Xen's own io/ring.h macros (compiled as C). */
#ifndef XENABI_BENCH_XEN_C_BENCH_H
#define XENABI_BENCH_XEN_C_BENCH_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
/* One idle step of every busy-polling loop in this benchmark (both variants and the ping-pong):
 * pause, and yield the CPU every 256 steps so that a descheduled peer can run. */
void xcb_relax(unsigned* spins);
/* Initialise a 4096-byte blkif ring page (SHARED_RING_INIT). */
void xcb_init(void* page);
/* Front end: send n requests, refilling the ring whenever there is room; returns the sum of
 * the response ids (n(n-1)/2 if all arrived). */
uint64_t xcb_front_stream(void* page, uint64_t n);
/* Front end: n round trips of one request each. Returns the sum of response ids. */
uint64_t xcb_front_roundtrip(void* page, uint64_t n);
/* Back end: serve n requests, pushing responses after each batch it finds. */
void xcb_back(void* page, uint64_t n);
#ifdef __cplusplus
}
#endif
#endif
