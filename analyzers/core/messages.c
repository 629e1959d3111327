/* messages.c -- a finding's one-line message, composed when a report is
 * written rather than stored: a million findings need no million buffers.
 * The words say what was measured and what is an estimate. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* How the process's life ended. */
static const char *ending(const struct gha_proc *p) {
  if (p->killed)
    return "until it was killed";
  if (p->exited)
    return "until it exited";
  if (p->freed)
    return "until its runtime ended";
  return "and still at the end of the recording";
}

static double since_begin_s(const struct gha_analyzer *an, uint64_t ns) {
  uint64_t b = gha_trace_begin_ns(an);
  return ns > b ? (double)(ns - b) / 1e9 : 0.0;
}

/* What measured it; on BEAM, why a sweep was needed. */
static const char *measured_by(const struct gha_finding *f) {
  if (f->proc->runtime != GHA_RUNTIME_BEAM)
    return f->evidence;
  return strcmp(f->evidence, "recorder sweep") == 0
             ? "recorder sweep: BEAM counts live words only by collecting"
             : f->evidence;
}

static void measured(const struct gha_analyzer *an, const struct gha_finding *f,
                     char *buf, size_t size) {
  bool bins = f->analysis == GHA_BINLEAK;
  const struct gha_options *o = gha_opts(an);
  snprintf(buf, size,
           "%sheld %llu words of %s (peak), at least %llu of them for %.3f s "
           "(%.0f%% of its life, from %.3f s to %.3f s of the trace) %s; "
           "%.4g word-seconds (measured: %s)",
           f->proc->runtime == GHA_RUNTIME_BEAM ? "BEAM process " : "",
           (unsigned long long)f->waste_words,
           bins ? "refc binaries that only garbage referenced"
                : "old-heap garbage",
           (unsigned long long)(bins ? o->binleak_min_words : o->bloat_min_words),
           (double)f->above_ns / 1e9, 100.0 * f->life_share,
           since_begin_s(an, f->from_ns), since_begin_s(an, f->until_ns),
           ending(f->proc), f->waste_word_s, measured_by(f));
}

/* Why nothing measured it. */
static const char *unmeasured(const struct gha_proc *p) {
  return p->runtime == GHA_RUNTIME_BEAM
             ? "BEAM counts live words only by collecting, and nothing swept "
               "it (genheap-beam --sweep does)"
             : "no census or sweep measured how much of it is garbage";
}

static void suspected(const struct gha_analyzer *an, const struct gha_finding *f,
                      char *buf, size_t size) {
  const struct gha_proc *p = f->proc;
  double unswept = (double)(gha_proc_end_ns(an, p) - f->since_ns) / 1e9;
  if (f->analysis == GHA_BINLEAK)
    snprintf(buf, size,
             "old heap references %llu words of refc binaries (%u growth steps, "
             "no full sweep for %.3f s) %s; %s: up to %llu words are garbage "
             "(estimated)",
             (unsigned long long)f->held_words, p->binold_steps, unswept,
             ending(p), unmeasured(p), (unsigned long long)f->would_free);
  else
    snprintf(buf, size,
             "old heap holds %llu words (block %llu), unswept for %.3f s and "
             "idle %.3f s %s; %s: a full sweep would free up to %llu words "
             "(estimated)",
             (unsigned long long)f->held_words,
             (unsigned long long)p->info.old_heap_block_size, unswept,
             (double)f->idle_ns / 1e9, ending(p), unmeasured(p),
             (unsigned long long)f->would_free);
}

void gha_finding_message(const struct gha_analyzer *an,
                         const struct gha_finding *f, char *buf, size_t size) {
  if (f->analysis == GHA_IDLE_BURST)
    snprintf(buf, size,
             "%llu GCs, then none for %.3f s (%.0f%% of its life) %s, holding "
             "%llu heap words in its blocks",
             (unsigned long long)f->proc->gc_count, (double)f->idle_ns / 1e9,
             100.0 * f->life_share, ending(f->proc),
             (unsigned long long)f->held_words);
  else if (f->measured)
    measured(an, f, buf, size);
  else
    suspected(an, f, buf, size);
}
