/* json.c -- the machine-readable report; schema in docs/analyzer-json.md
 * (bump GHA_JSON_SCHEMA when a field is removed or renamed). */
#include "report.h"

#include "gate.h"

#define U(x) ((unsigned long long)(x))

static void put_options(FILE *out, const struct gha_options *o) {
  fprintf(out,
          "\"options\":{\"min_idle_ns\":%llu,\"idle_factor\":%g,"
          "\"bloat_min_words\":%llu,\"binleak_min_words\":%llu,"
          "\"binleak_min_steps\":%u,\"burst_min_gcs\":%u,"
          "\"burst_min_words\":%llu,\"fail_on\":\"%s\"}",
          U(o->min_idle_ns), o->idle_factor, U(o->bloat_min_words),
          U(o->binleak_min_words), o->binleak_min_steps, o->burst_min_gcs,
          U(o->burst_min_words), gha_severity_name(o->fail_on));
}

/* The input checks' facts (null: no trace folder was checked). */
static void put_checks(FILE *out, const struct gha_run_info *run) {
  const struct gha_trace_facts *f = run ? run->facts : NULL;
  if (!f || f->traces == 0) {
    fputs("\"input_checks\":null,", out);
    return;
  }
  fprintf(out,
          "\"input_checks\":{\"traces\":%u,\"streams\":%u,\"packets\":%llu,"
          "\"empty_streams\":%u,\"cut_streams\":%u,\"layout_unchecked\":%s,"
          "\"partial\":%s},",
          f->traces, f->streams, U(f->packets), f->empty_streams, f->cut_streams,
          f->layout_unchecked ? "true" : "false", run->partial ? "true" : "false");
}

static void put_key(FILE *out, const struct gha_analyzer *an,
                    const struct gha_proc *p) {
  fputs("\"host\":", out);
  gha_put_json_string(out, gha_host_name(an, p->host));
  fprintf(out, ",\"vpid\":%lld,\"pid\":%llu,\"name\":", (long long)p->vpid,
          U(p->pid));
  gha_put_json_string(out, p->name);
  fprintf(out, ",\"runtime\":\"%s\"",
          gha_runtime_name((enum gha_runtime)p->runtime));
}

static void put_waste(FILE *out, const char *key,
                      const struct gha_waste_summary *w) {
  fprintf(out,
          ",\"%s\":{\"peak_words\":%llu,\"peak_ns\":%llu,"
          "\"word_seconds\":%.6g,\"above_threshold_ns\":%llu,"
          "\"longest_above_ns\":%llu,\"first_above_ns\":%llu,"
          "\"last_above_ns\":%llu,\"end_words\":%llu,\"measurements\":%u}",
          key, U(w->peak), U(w->peak_ns), w->word_s, U(w->above_ns),
          U(w->longest_above_ns), U(w->first_above_ns), U(w->last_above_ns),
          U(w->now_words), w->measurements);
}

static void put_census(FILE *out, const struct gha_proc *p) {
  if (!p->censuses) {
    fputs(",\"last_census\":null", out);
    return;
  }
  fprintf(out, ",\"last_census\":{\"ts_ns\":%llu", U(p->last_census_ns));
  struct gha_census c = p->last_census;
  const uint64_t *slots = gha_census_slots(&c);
  for (int i = 0; i < GHA_CENSUS_FIELDS; i++)
    fprintf(out, ",\"%s\":%llu", gha_census_names[i], U(slots[i]));
  fputc('}', out);
}

static void put_proc(FILE *out, const struct gha_analyzer *an,
                     const struct gha_proc *p) {
  fputc('{', out);
  put_key(out, an, p);
  fprintf(out,
          ",\"first_ns\":%llu,\"last_ns\":%llu,\"end_ns\":%llu,"
          "\"state\":\"%s\",\"censuses\":%u,\"sweeps_measured\":%u,"
          "\"minor_gcs\":%llu,\"full_sweeps\":%llu,\"hibernations\":%llu,"
          "\"words_promoted\":%llu,\"words_reclaimed\":%llu,"
          "\"pause_ns\":{\"count\":%llu,\"p50\":%llu,\"p90\":%llu,"
          "\"p99\":%llu,\"max\":%llu},"
          "\"peak_heap_block_size\":%llu,\"peak_old_heap_block_size\":%llu,"
          "\"peak_old_heap_size\":%llu,\"peak_total_heap_size\":%llu,"
          "\"flagged\":%s,\"last\":{",
          U(p->first_ns), U(p->last_ns), U(gha_proc_end_ns(an, p)),
          gha_proc_state(p), p->censuses, p->sweeps_measured,
          U(p->info.minor_gcs), U(p->info.full_sweeps),
          U(p->info.hibernations), U(p->info.words_promoted),
          U(p->info.words_reclaimed), U(p->pause_count),
          U(gha_pause_percentile(p, 50)), U(gha_pause_percentile(p, 90)),
          U(gha_pause_percentile(p, 99)), U(p->pause_max_ns),
          U(p->peak_heap_block), U(p->peak_old_heap_block),
          U(p->peak_old_heap_size), U(p->peak_total_heap),
          gha_proc_flagged(an, p) ? "true" : "false");
  struct gha_gcinfo g = p->info;
  const uint64_t *slots = gha_gcinfo_slots(&g);
  for (int i = 0; i < GHA_GCINFO_FIELDS; i++)
    fprintf(out, "%s\"%s\":%llu", i ? "," : "", gha_gcinfo_names[i],
            U(slots[i]));
  fputc('}', out);
  struct gha_waste_summary words, bins;
  gha_proc_waste(an, p, &words, &bins);
  put_waste(out, "waste", &words);
  put_waste(out, "binary_waste", &bins);
  put_census(out, p);
  fputc('}', out);
}

static void put_finding(FILE *out, const struct gha_analyzer *an,
                        const struct gha_finding *f, const struct gha_gate *gate,
                        size_t i) {
  fprintf(out, "{\"analysis\":\"%s\",\"severity\":\"%s\",",
          gha_analysis_name(f->analysis), gha_severity_name(f->severity));
  put_key(out, an, f->proc);
  fprintf(out,
          ",\"measured\":%s,\"evidence\":\"%s\",\"held_words\":%llu,"
          "\"waste_words\":%llu,\"waste_word_seconds\":%.6g,"
          "\"above_threshold_ns\":%llu,\"life_share\":%.4f,"
          "\"from_ns\":%llu,\"until_ns\":%llu,\"since_ns\":%llu,"
          "\"idle_ns\":%llu,\"would_free_words\":%llu,\"would_free\":",
          f->measured ? "true" : "false", f->evidence ? f->evidence : "none",
          U(f->held_words), U(f->waste_words), f->waste_word_s,
          U(f->above_ns), f->life_share, U(f->from_ns), U(f->until_ns),
          U(f->since_ns), U(f->idle_ns), U(f->would_free));
  if (f->would_free_kind)
    gha_put_json_string(out, f->would_free_kind);
  else
    fputs("null", out);
  fputs(",\"message\":", out);
  {
    char msg[GHA_MESSAGE_MAX];
    gha_finding_message(an, f, msg, sizeof msg);
    gha_put_json_string(out, msg);
  }
  fputs(",\"fix\":", out);
  gha_put_json_string(out, f->fix);
  fputc(',', out);
  gha_gate_finding_json(out, gate, i);
  fputc('}', out);
}

int gha_report_json(FILE *out, const struct gha_analyzer *an,
                    const struct gha_run_info *run) {
  fprintf(out, "{\"tool\":\"genheap-analyze\",\"version\":\"%s\",\"schema\":%d,",
          GHA_VERSION, GHA_JSON_SCHEMA);
  fputs("\"inputs\":[", out);
  for (size_t i = 0; run && i < run->ninputs; i++) {
    if (i)
      fputc(',', out);
    gha_put_json_string(out, run->inputs[i]);
  }
  fprintf(out,
          "],\"events\":%llu,\"discarded_events\":%llu,"
          "\"key_reuses\":%llu,\"trace_begin_ns\":%llu,\"trace_end_ns\":%llu,",
          U(gha_event_count(an)), U(gha_discarded_count(an)),
          U(gha_key_reuse_count(an)),
          U(gha_trace_begin_ns(an)), U(gha_trace_end_ns(an)));
  put_checks(out, run);
  put_options(out, gha_opts(an));
  fputs(",\"runtimes\":[", out);
  for (size_t i = 0; i < gha_origin_count(an); i++) {
    if (i)
      fputc(',', out);
    gha_put_json_string(out, gha_origin_at(an, i, NULL));
  }
  fprintf(out, "],\"recorder_sweeps\":%llu", U(gha_recorder_sweep_count(an)));
  fputs(",\"processes\":[", out);
  for (size_t i = 0; i < gha_proc_count(an); i++) {
    if (i)
      fputc(',', out);
    put_proc(out, an, gha_proc_at(an, i));
  }
  const struct gha_gate *gate = run ? run->gate : NULL;
  fputs("],\"findings\":[", out);
  for (size_t i = 0; i < gha_finding_count(an); i++) {
    if (i)
      fputc(',', out);
    put_finding(out, an, gha_finding_at(an, i), gate, i);
  }
  fputs("],", out);
  if (gate)
    gha_gate_report_json(out, gate);
  else
    fputs("\"gate\":null", out);
  fprintf(out, ",\"exit_status\":%d}\n", gate ? gate->status : gha_exit_status(an));
  return ferror(out) ? -1 : 0;
}
