/* synth.c -- synthetic genheap event streams (see synth.h). */
#include "synth.h"

#include <string.h>

void synth_init(struct synth_proc *sp, struct gha_analyzer *an,
                const char *host, int64_t vpid, uint64_t pid, const char *name) {
  memset(sp, 0, sizeof *sp);
  sp->an = an;
  sp->host = gha_host_id(an, host);
  sp->vpid = vpid;
  sp->pid = pid;
  sp->name = name;
  sp->g.heap_block_size = 233;
}

static struct synth_evidence no_evidence;

static void feed_ev(struct synth_proc *sp, enum gha_event_type t, uint64_t ts,
                    uint64_t reclaimed, uint64_t reason,
                    const struct synth_evidence *e,
                    const struct gha_census *census) {
  struct gha_event ev;
  memset(&ev, 0, sizeof ev);
  ev.waiting_ms = e->waiting_ms;
  ev.quiet_ms = e->quiet_ms;
  ev.roots_unchanged = e->roots_unchanged;
  if (census)
    ev.census = *census;
  ev.type = t;
  ev.ts_ns = ts;
  ev.host = sp->host;
  ev.vpid = sp->vpid;
  ev.pid = sp->pid;
  ev.runtime = sp->runtime;
  ev.name = sp->name;
  ev.reclaimed = reclaimed;
  ev.reason = reason;
  ev.trigger = reason;
  ev.has_info = t != GHA_EV_SPAWN && t != GHA_EV_PROMOTION;
  ev.info = sp->g;
  gha_feed(sp->an, &ev);
}

static void feed(struct synth_proc *sp, enum gha_event_type t, uint64_t ts,
                 uint64_t reclaimed, uint64_t reason) {
  feed_ev(sp, t, ts, reclaimed, reason, &no_evidence, NULL);
}

void synth_spawn(struct synth_proc *sp, uint64_t ts) {
  feed(sp, GHA_EV_SPAWN, ts, 0, 0);
}

void synth_minor(struct synth_proc *sp, uint64_t ts, uint64_t pause,
                 uint64_t young_before, uint64_t promote, uint64_t bin_promote) {
  sp->g.heap_size = young_before;
  feed(sp, GHA_EV_MINOR_START, ts, 0, 0);
  uint64_t reclaimed = young_before > promote ? young_before - promote : 0;
  sp->g.heap_size = 0;
  sp->g.recent_size = 0;
  sp->g.old_heap_size += promote;
  if (sp->g.old_heap_block_size < sp->g.old_heap_size)
    sp->g.old_heap_block_size = sp->g.old_heap_size * 2;
  sp->g.bin_old_vheap_size += bin_promote;
  sp->g.minor_gcs++;
  sp->g.gen_gcs++;
  sp->g.words_promoted += promote;
  sp->g.words_reclaimed += reclaimed;
  feed(sp, GHA_EV_MINOR_END, ts + pause, reclaimed, 0);
}

void synth_major(struct synth_proc *sp, uint64_t ts, uint64_t pause,
                 uint64_t live, uint64_t reason) {
  synth_major_ev(sp, ts, pause, live, reason, no_evidence);
}

void synth_major_ev(struct synth_proc *sp, uint64_t ts, uint64_t pause,
                    uint64_t live, uint64_t reason, struct synth_evidence e) {
  feed_ev(sp, GHA_EV_MAJOR_START, ts, 0, reason, &e, NULL);
  uint64_t before = sp->g.heap_size + sp->g.old_heap_size;
  uint64_t reclaimed = before > live ? before - live : 0;
  sp->g.heap_size = live;
  sp->g.heap_block_size = live * 2 + 233;
  sp->g.old_heap_size = 0;
  sp->g.old_heap_block_size = 0;
  sp->g.bin_old_vheap_size = 0;
  sp->g.full_sweeps++;
  sp->g.gen_gcs = 0;
  sp->g.words_reclaimed += reclaimed;
  feed(sp, GHA_EV_MAJOR_END, ts + pause, reclaimed, reason);
}

void synth_hibernate(struct synth_proc *sp, uint64_t ts, uint64_t live) {
  synth_major(sp, ts, 1000, live, 4);
  sp->g.heap_block_size = live;
  sp->g.hibernations++;
  feed(sp, GHA_EV_HIBERNATE, ts + 1000, 0, 0);
}

void synth_exit(struct synth_proc *sp, uint64_t ts) {
  feed(sp, GHA_EV_EXIT, ts, 0, 0);
}

void synth_busy(struct synth_proc *sp, uint64_t t0, uint64_t t1,
                uint64_t every) {
  unsigned n = 0;
  for (uint64_t t = t0; t < t1; t += every, n++) {
    synth_minor(sp, t, 20000, 2000, 10, 0);
    if (n % 50 == 49)
      synth_major(sp, t + every / 2, 100000, 500, 0);
  }
}

void synth_trace_end(struct gha_analyzer *an, uint64_t ts) {
  struct gha_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = GHA_EV_BINARY_FREE; /* carries no process */
  ev.ts_ns = ts;
  gha_feed(an, &ev);
}

void synth_census(struct synth_proc *sp, uint64_t ts, uint64_t old_live,
                  uint64_t bin_old_live, uint64_t trigger,
                  struct synth_evidence e) {
  struct gha_census c = {
      .young_size = sp->g.heap_size + sp->g.mbuf_size,
      .young_live = sp->g.heap_size + sp->g.mbuf_size,
      .old_size = sp->g.old_heap_size,
      .old_live = old_live,
      .bin_young_size = sp->g.bin_vheap_size,
      .bin_young_live = sp->g.bin_vheap_size,
      .bin_old_size = sp->g.bin_old_vheap_size,
      .bin_old_live = bin_old_live};
  feed_ev(sp, GHA_EV_CENSUS, ts, 0, trigger, &e, &c);
}

void synth_proc_info(struct synth_proc *sp, uint64_t ts) {
  feed(sp, GHA_EV_PROC_INFO, ts, 0, 0);
}

void synth_packet(struct gha_analyzer *an, uint64_t ts) {
  gha_note_time(an, 0, ts);
}
