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
 * One known babeltrace2 2.0 bug is stepped around, not reported: a packet
 * whose content_size or packet_size has bit 63 set trips an assertion in the
 * ctf plugin (msg-iter.c:1111, set_current_packet_content_sizes) and aborts
 * the whole program, genheap-analyze included.  tame_packet_sizes clears
 * that bit in each packet context before the bytes are written, so the
 * fuzzer keeps searching our code instead of finding that abort again.
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
  /* libFuzzer's -timeout and -rss_limit_mb report what hangs or grows, with
   * a reproducer; the analyzer's watchdog would end the process silently */
  setenv("GENHEAP_ANALYZE_STALL_TIMEOUT", "0", 1);
  setenv("GENHEAP_ANALYZE_MEMORY_LIMIT", "0", 1);
  return 0;
}

/* LTTng's packet layout (trace-metadata): header = magic, uuid[16],
 * stream_id, stream_instance_id (32 bytes); context = timestamp_begin,
 * timestamp_end, content_size, packet_size (bits, 64-bit little-endian). */
#define CONTENT_SIZE_AT 48
#define PACKET_SIZE_AT 56

static uint64_t get_le64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

/* Clears bit 63 of both sizes in every packet that can be found by walking
 * packet_size from the start (see the banner). */
static void tame_packet_sizes(uint8_t *buf, size_t size) {
  size_t off = 0;
  while (off + PACKET_SIZE_AT + 8 <= size) {
    buf[off + CONTENT_SIZE_AT + 7] &= 0x7F;
    buf[off + PACKET_SIZE_AT + 7] &= 0x7F;
    uint64_t bits = get_le64(buf + off + PACKET_SIZE_AT);
    if (bits == 0 || bits % 8 || bits / 8 > size - off)
      break;
    off += bits / 8;
  }
}

static void write_stream(const uint8_t *data, size_t size) {
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy)
    abort();
  memcpy(copy, data, size);
  tame_packet_sizes(copy, size);
  FILE *f = fopen(stream_path, "wb");
  if (!f || fwrite(copy, 1, size, f) != size || fclose(f) != 0)
    abort(); /* the harness's own failure, not the analyzer's */
  free(copy);
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
