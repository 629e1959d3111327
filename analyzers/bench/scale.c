/* scale.c -- the analyzer core at the size of a real BEAM node: N processes
 * (default 10^6), each spawned, collecting a few times, measured by a census
 * and exiting (a fraction of them flagged), fed straight to the core, then
 * every report format written to /dev/null, and the CI gate run against
 * the run's own JSON report (read back as a baseline, by name).  Prints the resident
 * memory per process and the time of each stage, so that both stay linear in the number
 * of processes and findings (docs: BENCHMARKS.md).  Not part of make check.
 *
 * Usage: scale [PROCESSES [FLAGGED_PERCENT [GCS]]]   (10^6, 100, 4)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"
#include "gha.h"
#include "report.h"

#define MS 1000000ull

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident memory of this process, in bytes (VmRSS). */
static long rss_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
      break;
  if (f)
    fclose(f);
  return kb * 1024;
}

static void feed(struct gha_analyzer *an, struct gha_event *ev,
                 enum gha_event_type t, uint64_t ts) {
  ev->type = t;
  ev->ts_ns = ts;
  if (!gha_feed(an, ev)) {
    fprintf(stderr, "scale: out of memory\n");
    exit(1);
  }
}

/* One process's life: spawn, `gcs` minor GCs promoting 40000 words each,
 * a census (all garbage when flagged, all live when not) 2 s later, exit. */
static void one_process(struct gha_analyzer *an, uint64_t pid, bool flagged,
                        int gcs) {
  struct gha_event ev;
  memset(&ev, 0, sizeof ev);
  ev.vpid = 4242;
  ev.pid = pid;
  ev.name = pid % 3 ? "worker" : "session";
  uint64_t t = pid * 1000; /* staggered starts */
  feed(an, &ev, GHA_EV_SPAWN, t);
  ev.has_info = true;
  for (int g = 0; g < gcs; g++) {
    ev.info.heap_size = 1000;
    feed(an, &ev, GHA_EV_MINOR_START, t + (uint64_t)g * MS);
    ev.info.old_heap_size += 40000;
    ev.info.minor_gcs++;
    feed(an, &ev, GHA_EV_MINOR_END, t + (uint64_t)g * MS + 20000);
  }
  ev.census.old_size = ev.info.old_heap_size;
  ev.census.old_live = flagged ? 0 : ev.info.old_heap_size;
  ev.waiting_ms = 1900;
  feed(an, &ev, GHA_EV_CENSUS, t + 2000 * MS);
  ev.waiting_ms = 0;
  feed(an, &ev, GHA_EV_EXIT, t + 2000 * MS + 1);
}

static void time_report(const char *name, struct gha_analyzer *an,
                        int (*writer)(FILE *, const struct gha_analyzer *,
                                      const struct gha_run_info *)) {
  FILE *f = fopen("/dev/null", "w");
  const char *inputs[] = {"synthetic"};
  struct gha_run_info run = {.inputs = inputs, .ninputs = 1};
  double t0 = now_s();
  if (!f || writer(f, an, &run) != 0) {
    fprintf(stderr, "scale: %s failed\n", name);
    exit(1);
  }
  fclose(f);
  printf("| %s | %.2f |\n", name, now_s() - t0);
}

/* The gate: the run's JSON report read back as its baseline (streamed:
 * memory for the names only), then the comparison. */
static void time_gate(struct gha_analyzer *an) {
  char path[] = "/tmp/gha-scale-XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  struct gha_run_info run = {.inputs = NULL, .ninputs = 0};
  if (!f || gha_report_json(f, an, &run) != 0 || fclose(f) != 0) {
    fprintf(stderr, "scale: cannot write the baseline\n");
    exit(1);
  }
  struct gha_baseline b;
  char why[512];
  long before = rss_bytes();
  double t0 = now_s();
  if (gha_baseline_load(path, GHA_SEV_WARNING, &b, why, sizeof why) < 0) {
    fprintf(stderr, "scale: %s\n", why);
    exit(1);
  }
  printf("| gate: read the baseline (%zu names, %ld KiB more resident) | %.2f |\n",
         b.names.n, (rss_bytes() - before) / 1024, now_s() - t0);
  struct gha_gate g;
  t0 = now_s();
  if (gha_gate_run(&g, an, &b, NULL, NULL) < 0) {
    fprintf(stderr, "scale: gate out of memory\n");
    exit(1);
  }
  printf("| gate: compare (%zu changes) | %.2f |\n", g.nchanges, now_s() - t0);
  gha_gate_free(&g);
  gha_baseline_free(&b);
  if (getenv("SCALE_KEEP_JSON"))
    printf("baseline kept: %s\n", path);
  else
    unlink(path);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  int pct = argc > 2 ? atoi(argv[2]) : 100, gcs = argc > 3 ? atoi(argv[3]) : 4;
  struct gha_options o;
  gha_options_init(&o);
  struct gha_analyzer *an = gha_analyzer_new(&o);
  long before = rss_bytes();
  double t0 = now_s();
  for (long i = 1; i <= n; i++)
    one_process(an, (uint64_t)i, i % 100 < pct, gcs);
  double fed = now_s() - t0;
  long after = rss_bytes();
  t0 = now_s();
  gha_finish(an);
  double finished = now_s() - t0;
  printf("%ld processes, %d%% flagged, %d GCs each: %zu findings, "
         "%.0f bytes resident per process\n\n| stage | seconds |\n|---|---:|\n",
         n, pct, gcs, gha_finding_count(an),
         (double)(after - before) / (double)n);
  printf("| feed %llu events | %.2f |\n| finish | %.2f |\n",
         (unsigned long long)gha_event_count(an), fed, finished);
  time_report("text", an, gha_report_text);
  time_report("json", an, gha_report_json);
  time_report("junit", an, gha_report_junit);
  time_report("html", an, gha_report_html);
  time_report("perfetto", an, gha_report_perfetto);
  time_gate(an);
  gha_analyzer_free(an);
  return 0;
}
