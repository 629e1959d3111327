/* example.h -- small helpers shared by the genheap examples: a CHECK that
 * turns a gh_status into a one-line error and exit status 1, a monotonic
 * clock, a sleep, and strict parsing of numeric options (exit status 2).
 * Everything here is static inline: each example stays one program. */
#ifndef GH_EXAMPLE_H
#define GH_EXAMPLE_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "genheap.h"

/* Exit statuses every example documents in its --help. */
enum { EX_OK = 0, EX_FAILED = 1, EX_USAGE = 2 };

/* A library call that must succeed: any other status ends the program with
 * a one-line message naming the call (exit status 1). */
#define CHECK(call)                                                            \
  do {                                                                         \
    gh_status check_status_ = (call);                                          \
    if (check_status_ != GH_OK)                                                \
      example_fail(example_progname, #call, check_status_);                    \
  } while (0)

/* Each program sets this to its name before anything can fail. */
static const char *example_progname = "example";

static inline void example_fail(const char *prog, const char *what,
                                gh_status s) {
  fprintf(stderr, "%s: %s: %s\n", prog, what, gh_strerror(s));
  exit(EX_FAILED);
}

static inline uint64_t example_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline void example_sleep_ms(uint64_t ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* A whole decimal number in [min, max], or a one-line usage error naming
 * the option (exit status 2). */
static inline uint64_t example_number(const char *option, const char *text,
                                      uint64_t min, uint64_t max) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
      v < min || v > max) {
    fprintf(stderr, "%s: %s: '%s' is not a number from %" PRIu64 " to %" PRIu64
                    " (try --help)\n",
            example_progname, option, text, min, max);
    exit(EX_USAGE);
  }
  return (uint64_t)v;
}

/* getopt_long's '?' case, with opterr = 0 so that the error is our one
 * line: `arg` is the offending word (argv[optind - 1]). */
static inline void example_usage_error(const char *arg) {
  fprintf(stderr, "%s: unknown option or missing argument: '%s' (try --help)\n",
          example_progname, arg);
  exit(EX_USAGE);
}

#endif /* GH_EXAMPLE_H */
