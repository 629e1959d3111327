/* bench_common.h -- shared parameters and helpers of the allocator benchmarks.
 *
 * Every contender (genheap, glibc, jemalloc, mimalloc, Boehm GC) is a
 * separate program built from bench_genheap.c or bench_peer.c.  The driver
 * (bench_driver.c) runs them as children, so each has its own peak RSS.  A
 * child does the work of one workload, then prints one line:
 *
 *   RESULT ns=<elapsed> ops=<units of work> check=<checksum> [key=value...]
 *
 * The checksum proves that every contender did the same logical work: the
 * driver refuses a table whose checksums differ.  The workload sizes below
 * are the same for all contenders; `scale` (argv[2], default 1.0) shrinks
 * them for a quick run.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>

/* Workload 1: build, sum and drop many short-lived lists (small live set). */
#define W1_LISTS 100000L
#define W1_CELLS 1000L

/* Workload 1t: the same with a 3-tuple {i, i+1, i+2} in every cell. */
#define W1T_LISTS 20000L
#define W1T_CELLS 1000L

/* Workload 2: a live set that grows by one chunk per step, plus garbage. */
#define W2_STEPS 2000L
#define W2_CHUNK_CELLS 500L   /* kept: 1,000,000 cells live at the end */
#define W2_GARBAGE_CELLS 5000L /* built and dropped at every step */

/* Workload 3: processes on two threads exchanging messages.  A message is
 * {seq, [8 small integers], Binary}; the sender makes a new W3_BIN_BYTES
 * binary every W3_BIN_EVERY messages and shares it with their receivers. */
#define W3_THREADS 2
#define W3_PROCS_PER_THREAD 32
#define W3_MSGS_PER_PROC 20000L /* a multiple of W3_PROCS_PER_THREAD */
#define W3_LIST_LEN 8
#define W3_BIN_BYTES 4096
#define W3_BIN_EVERY 16
#define W3_WINDOW 4096 /* messages in flight to one thread before the
                          senders wait: bounds the mailboxes */

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t bench_now_ns(void);
/* argv[2] as a scale factor in (0, 1], 1.0 when absent or invalid. */
double bench_scale(int argc, char **argv);
/* max(1, round(n * scale)) */
long bench_scaled(long n, double scale);
void bench_print_result(uint64_t ns, uint64_t ops, uint64_t check);
/* The checksum of workload 3: what a receiver adds for one message.  Shared
 * so that all contenders agree on it. */
uint64_t w3_bin_byte(long seq, long index);

#endif /* BENCH_COMMON_H */
