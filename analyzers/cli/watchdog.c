/* watchdog.c -- the reader's watchdog thread and its limits (watchdog.h).
 *
 * The thread wakes every 100 ms: it compares the progress counter with what
 * it saw last, and the process CPU time spent since the counter last moved
 * with the stall limit; it reads RssAnon from /proc/self/status for the
 * memory limit.  When a limit is passed it writes one line and calls _exit:
 * the main thread is inside babeltrace2 and cannot be asked to stop.
 * Why not setrlimit(RLIMIT_AS)?  babeltrace2 allocates with GLib, which
 * aborts when an allocation fails: a crash instead of a message.
 */
#include "watchdog.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "genheap-analyze"
#define TICK_NS 100000000L
#define DEFAULT_STALL_S 10.0

static _Atomic uint64_t progress;
static _Atomic(const char *) subject;
static struct gha_limits limits;
static pthread_t thread;
static bool running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping;

/* ---- limits --------------------------------------------------------------- */

/* Bytes from "123", "64K", "512M", "2G", "1T" (binary units); -1 if bad. */
static int parse_size(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || s[0] == '-')
    return -1;
  unsigned shift = 0;
  switch (*end) {
  case 'k': case 'K': shift = 10; end++; break;
  case 'm': case 'M': shift = 20; end++; break;
  case 'g': case 'G': shift = 30; end++; break;
  case 't': case 'T': shift = 40; end++; break;
  default: break;
  }
  if (*end == 'i' || *end == 'B')
    end += *end == 'i' && end[1] == 'B' ? 2 : 1;
  if (*end || (shift && v > (UINT64_MAX >> shift)))
    return -1;
  *out = (uint64_t)v << shift;
  return 0;
}

/* The memory limit of our cgroup (v2), or 0 when none or unknown. */
static uint64_t cgroup_limit(void) {
  char line[4096], path[4200];
  FILE *f = fopen("/proc/self/cgroup", "r");
  uint64_t limit = 0;
  if (!f)
    return 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "0::", 3) != 0)
      continue;
    line[strcspn(line, "\n")] = '\0';
    snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", line + 3);
    FILE *m = fopen(path, "r");
    if (m) {
      unsigned long long v;
      if (fscanf(m, "%llu", &v) == 1) /* "max" reads as no limit */
        limit = v;
      fclose(m);
    }
  }
  fclose(f);
  return limit;
}

static uint64_t default_memory_limit(void) {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  uint64_t phys = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
  uint64_t cg = cgroup_limit();
  if (cg && (!phys || cg < phys))
    phys = cg;
  return phys / 2;
}

int gha_limits_from_env(struct gha_limits *l) {
  l->stall_s = DEFAULT_STALL_S;
  l->memory_bytes = default_memory_limit();
  l->precheck = true;
  const char *v;
  if ((v = getenv("GENHEAP_ANALYZE_STALL_TIMEOUT")) && *v) {
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !(d >= 0) || d > 1e9) {
      fprintf(stderr, PROG ": GENHEAP_ANALYZE_STALL_TIMEOUT: invalid value '%s' "
                           "(want seconds, 0 for no limit)\n", v);
      return -1;
    }
    l->stall_s = d;
  }
  if ((v = getenv("GENHEAP_ANALYZE_MEMORY_LIMIT")) && *v &&
      parse_size(v, &l->memory_bytes) < 0) {
    fprintf(stderr, PROG ": GENHEAP_ANALYZE_MEMORY_LIMIT: invalid value '%s' "
                         "(want a size such as 4G, 0 for no limit)\n", v);
    return -1;
  }
  if ((v = getenv("GENHEAP_ANALYZE_PRECHECK")) && *v) {
    if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
      fprintf(stderr, PROG ": GENHEAP_ANALYZE_PRECHECK: invalid value '%s' "
                           "(want 1, or 0 to skip the pre-check)\n", v);
      return -1;
    }
    l->precheck = v[0] == '1';
  }
  return 0;
}

/* ---- the thread ------------------------------------------------------------ */

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Anonymous resident bytes (RssAnon), or 0 when unknown. */
static uint64_t rss_anon(void) {
  char buf[4096];
  FILE *f = fopen("/proc/self/status", "r");
  uint64_t kb = 0;
  if (!f)
    return 0;
  while (fgets(buf, sizeof buf, f))
    if (sscanf(buf, "RssAnon: %" SCNu64, &kb) == 1)
      break;
  fclose(f);
  return kb * 1024;
}

/* One line, then out.  The stuck main thread may hold stdio's lock, so the
 * line goes out with write(2). */
static void trip(const char *why) {
  char line[1024];
  const char *what = atomic_load(&subject);
  int n = snprintf(line, sizeof line, PROG ": %s: %s\n", what ? what : "trace", why);
  if (n > 0)
    (void)!write(STDERR_FILENO, line,
                 (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
  _exit(2);
}

static void *watch(void *arg) {
  (void)arg;
  uint64_t seen = atomic_load(&progress);
  double mark = cpu_seconds();
  struct timespec due;
  clock_gettime(CLOCK_REALTIME, &due);
  pthread_mutex_lock(&lock);
  while (!stopping) {
    due.tv_nsec += TICK_NS;
    if (due.tv_nsec >= 1000000000L) {
      due.tv_sec++;
      due.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&wake, &lock, &due);
    if (stopping)
      break;
    char why[400];
    uint64_t now = atomic_load(&progress);
    double cpu = cpu_seconds();
    if (now != seen) {
      seen = now;
      mark = cpu;
    } else if (limits.stall_s > 0 && cpu - mark >= limits.stall_s) {
      snprintf(why, sizeof why,
               "the reader made no progress in %.0f s of CPU time (a corrupt "
               "trace?); stopped (GENHEAP_ANALYZE_STALL_TIMEOUT sets the limit)",
               cpu - mark);
      trip(why);
    }
    uint64_t rss;
    if (limits.memory_bytes && (rss = rss_anon()) > limits.memory_bytes) {
      snprintf(why, sizeof why,
               "reading it takes more than %" PRIu64 " MiB of memory (a corrupt "
               "trace?); stopped (GENHEAP_ANALYZE_MEMORY_LIMIT sets the limit)",
               limits.memory_bytes >> 20);
      trip(why);
    }
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

int gha_watchdog_start(const struct gha_limits *l) {
  limits = *l;
  if (running || (l->stall_s <= 0 && l->memory_bytes == 0))
    return 0;
  stopping = false;
  int rc = pthread_create(&thread, NULL, watch, NULL);
  if (rc != 0) {
    fprintf(stderr, PROG ": cannot start the watchdog thread: %s\n", strerror(rc));
    return -1;
  }
  running = true;
  return 0;
}

void gha_watchdog_subject(const char *what) {
  atomic_store(&subject, what);
  atomic_fetch_add(&progress, 1);
}

void gha_watchdog_progress(void) { atomic_fetch_add(&progress, 1); }

void gha_watchdog_stop(void) {
  if (!running)
    return;
  pthread_mutex_lock(&lock);
  stopping = true;
  pthread_cond_signal(&wake);
  pthread_mutex_unlock(&lock);
  pthread_join(thread, NULL);
  running = false;
  atomic_store(&subject, NULL);
}
