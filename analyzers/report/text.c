/* text.c -- the default report: one table row per process, then the
 * findings with their fix.  Plain columns, so it pipes into grep and awk. */
#include "report.h"

static void header(FILE *out, const struct gha_analyzer *an,
                   const struct gha_run_info *run) {
  uint64_t span = gha_trace_end_ns(an) - gha_trace_begin_ns(an);
  fprintf(out, "genheap-analyze: %llu events, %zu processes, %.3f s of trace",
          (unsigned long long)gha_event_count(an), gha_proc_count(an),
          (double)span / 1e9);
  if (gha_discarded_count(an))
    fprintf(out, ", %llu events LOST (discarded by the tracer)",
            (unsigned long long)gha_discarded_count(an));
  fputc('\n', out);
  gha_report_facts_text(out, run);
  for (size_t i = 0; i < gha_origin_count(an); i++)
    fprintf(out, "runtime: %s\n", gha_origin_at(an, i, NULL));
  if (gha_recorder_sweep_count(an))
    fprintf(out, "the recorder swept %llu BEAM process%s that the analyses "
                 "could flag and recorded what each sweep freed: measured "
                 "waste (BEAM counts live words only by collecting)\n",
            (unsigned long long)gha_recorder_sweep_count(an),
            gha_recorder_sweep_count(an) == 1 ? "" : "es");
  fputc('\n', out);
}

static void table(FILE *out, const struct gha_analyzer *an) {
  fprintf(out, "%-32s %8s %7s %6s %9s %9s %9s %12s %12s %10s %10s %s\n",
          "PROCESS", "MINOR", "SWEEPS", "HIBER", "P50_US", "P99_US",
          "MAX_US", "PROMOTED", "RECLAIMED", "PEAK_HEAP", "PEAK_OLD",
          "STATE");
  for (size_t i = 0; i < gha_proc_count(an); i++) {
    const struct gha_proc *p = gha_proc_at(an, i);
    char label[128];
    gha_proc_label(an, p, label, sizeof label);
    const char *state = gha_proc_state(p);
    fprintf(out,
            "%-32s %8llu %7llu %6llu %9.1f %9.1f %9.1f %12llu %12llu %10llu "
            "%10llu %s\n",
            label, (unsigned long long)p->info.minor_gcs,
            (unsigned long long)p->info.full_sweeps,
            (unsigned long long)p->info.hibernations,
            (double)gha_pause_percentile(p, 50) / 1e3,
            (double)gha_pause_percentile(p, 99) / 1e3,
            (double)p->pause_max_ns / 1e3,
            (unsigned long long)p->info.words_promoted,
            (unsigned long long)p->info.words_reclaimed,
            (unsigned long long)p->peak_heap_block,
            (unsigned long long)p->peak_old_heap_block, state);
  }
}

static void findings(FILE *out, const struct gha_analyzer *an) {
  size_t n = gha_finding_count(an);
  if (n == 0) {
    fputs("\nno findings\n", out);
    return;
  }
  fprintf(out, "\n%zu finding%s:\n", n, n == 1 ? "" : "s");
  for (size_t i = 0; i < n; i++) {
    const struct gha_finding *f = gha_finding_at(an, i);
    char label[128];
    gha_proc_label(an, f->proc, label, sizeof label);
    char msg[GHA_MESSAGE_MAX];
    gha_finding_message(an, f, msg, sizeof msg);
    fprintf(out, "%-7s %-16s %s: %s\n        fix: %s\n",
            gha_severity_name(f->severity), gha_analysis_name(f->analysis),
            label, msg, f->fix);
  }
}

int gha_report_text(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run) {
  header(out, an, run);
  table(out, an);
  findings(out, an);
  return ferror(out) ? -1 : 0;
}
