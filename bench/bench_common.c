/* bench_common.c -- clock, scaling and result line shared by the benchmarks.
 * See bench_common.h for the protocol between the driver and its children. */
#include "bench_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bench_scale(int argc, char **argv) {
  if (argc < 3)
    return 1.0;
  double s = strtod(argv[2], NULL);
  return (s > 0.0 && s <= 1.0) ? s : 1.0;
}

long bench_scaled(long n, double scale) {
  long v = (long)(n * scale + 0.5);
  return v < 1 ? 1 : v;
}

void bench_print_result(uint64_t ns, uint64_t ops, uint64_t check) {
  printf("RESULT ns=%" PRIu64 " ops=%" PRIu64 " check=%" PRIu64 "\n", ns, ops,
         check);
  fflush(stdout);
}

uint64_t w3_bin_byte(long seq, long index) {
  return (uint64_t)((seq / W3_BIN_EVERY + index) & 0xff);
}
