/* fuzz_trace.c -- libFuzzer harness: genheap-analyze on mutated traces.
 *
 * genheap-analyze reads CTF through babeltrace2 (src.ctf.fs -> muxer ->
 * the genheap sink).  Each input becomes the one stream file of a trace
 * folder whose metadata is fixed and valid (tests/fuzz/trace-metadata, from a
 * real genheap recording), so mutations reach the event decoding and the
 * analyses instead of dying in the metadata parser.  The harness runs the
 * analyzer's own graph (analyzers/cli/graph.c) and, when the trace was read,
 * every report writer.  A bad trace must give an error, never a crash, a
 * sanitizer report or a leak.
 *
 * gha_graph_run pre-checks the trace folder first (analyzers/cli/precheck.c),
 * exactly as genheap-analyze does, so inputs that babeltrace2 2.0.4 cannot
 * survive (a packet size of zero or with bit 63 set, which made it allocate
 * without bound or abort) end as input errors here too.  Nothing is stepped
 * around: a crash, an abort, a timeout or an out-of-memory is a finding.
 * The analyzer's own watchdog is turned off, so that libFuzzer's -timeout
 * and -rss_limit_mb catch what gets past the pre-check, with a reproducer.
 *
 * GENHEAP_FUZZ_METADATA names the metadata file (run-fuzz.sh sets it).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gha.h"
#include "graph.h"
#include "report.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char trace_dir[64];
static char stream_path[128];
static FILE *sink; /* reports go nowhere: only crashes matter */

static bool copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  bool ok = in && out;
  char buf[8192];
  size_t n;
  while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
    ok = fwrite(buf, 1, n, out) == n;
  if (in)
    fclose(in);
  if (out && fclose(out) != 0)
    ok = false;
  return ok;
}

static void remove_trace_dir(void) {
  char meta_path[128];
  snprintf(meta_path, sizeof meta_path, "%s/metadata", trace_dir);
  remove(stream_path);
  remove(meta_path);
  remove(trace_dir);
}

/* One private trace folder for the whole run, with the fixed metadata. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  const char *meta = getenv("GENHEAP_FUZZ_METADATA");
  char meta_path[128];
  snprintf(trace_dir, sizeof trace_dir, "/tmp/genheap-fuzz-trace-XXXXXX");
  if (!meta || !mkdtemp(trace_dir)) {
    fprintf(stderr, "fuzz_trace: set GENHEAP_FUZZ_METADATA to a CTF metadata file\n");
    exit(2);
  }
  snprintf(meta_path, sizeof meta_path, "%s/metadata", trace_dir);
  snprintf(stream_path, sizeof stream_path, "%s/genheap_0", trace_dir);
  if (!copy_file(meta, meta_path) || !(sink = fopen("/dev/null", "w"))) {
    fprintf(stderr, "fuzz_trace: cannot set up %s\n", trace_dir);
    exit(2);
  }
  atexit(remove_trace_dir);
  /* libFuzzer's limits, not the analyzer's watchdog (see the banner) */
  setenv("GENHEAP_ANALYZE_STALL_TIMEOUT", "0", 1);
  setenv("GENHEAP_ANALYZE_MEMORY_LIMIT", "0", 1);
  setenv("GENHEAP_ANALYZE_PRECHECK", "1", 1);
  return 0;
}

static void write_stream(const uint8_t *data, size_t size) {
  FILE *f = fopen(stream_path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
    abort(); /* the harness's own failure, not the analyzer's */
}

static void write_reports(struct gha_analyzer *an) {
  const char *args[] = {trace_dir};
  struct gha_run_info run = {args, 1};
  gha_finish(an);
  gha_report_text(sink, an, &run);
  gha_report_json(sink, an, &run);
  gha_report_junit(sink, an, &run);
  gha_report_html(sink, an, &run);
  (void)gha_exit_status(an);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  write_stream(data, size);
  char *args[] = {trace_dir};
  struct gha_inputs in;
  if (gha_inputs_collect(args, 1, &in) == 0) {
    struct gha_options opts;
    gha_options_init(&opts);
    struct gha_analyzer *an = gha_analyzer_new(&opts);
    if (an && gha_graph_run(&in, an, false) == 0)
      write_reports(an);
    gha_analyzer_free(an);
  }
  gha_inputs_free(&in);
  return 0;
}
