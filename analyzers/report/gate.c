/* gate.c -- the CI gate's part of the reports (gate/gate.h): a section of
 * the text report, the "gate" member of the JSON report and each finding's
 * verdict.  docs/ci.md shows both. */
#include "gate.h"

#include <string.h>

#include "report.h"

#define U(x) ((unsigned long long)(x))

static const char *what_name(const struct gha_change *c) {
  return c->kind == GHA_CH_GROWN || c->kind == GHA_CH_SHRUNK
             ? gha_figure_name((enum gha_figure)c->what)
             : gha_analysis_name((enum gha_analysis)c->what);
}

static void row_label(char *buf, size_t size, const char *host, const char *name) {
  snprintf(buf, size, "%s%s%s", host, host[0] ? "/" : "", name[0] ? name : "(unnamed)");
}

static void date(char *buf, size_t size, long ymd) {
  snprintf(buf, size, "%04d-%02d-%02d", (int)(ymd / 10000 % 10000),
           (int)(ymd / 100 % 100), (int)(ymd % 100));
}

static const char *state_of(const struct gha_suppression *s) {
  return s->expired ? "expired" : s->matched ? "used" : "unused";
}

/* ---- text ------------------------------------------------------------------ */

static void change_text(FILE *out, const struct gha_change *c) {
  char label[400];
  row_label(label, sizeof label, c->host, c->name);
  fprintf(out, "  %-11s %-14s %-23s %s: ", c->regression ? "REGRESSION" : "improvement",
          gha_change_kind_name(c->kind), what_name(c), label);
  if (c->kind == GHA_CH_GROWN || c->kind == GHA_CH_SHRUNK) {
    double pct =
        c->before ? 100.0 * ((double)c->now - (double)c->before) / (double)c->before : 0;
    fprintf(out, "%llu words, %llu in the baseline", U(c->now), U(c->before));
    if (c->before)
      fprintf(out, " (%+.0f%%)", pct);
    fputc('\n', out);
  } else if (!c->seen) {
    fprintf(out, "not in this run (%llu finding%s in the baseline)\n", U(c->before),
            c->before == 1 ? "" : "s");
  } else {
    fprintf(out, "%llu finding%s, %llu in the baseline\n", U(c->now),
            c->now == 1 ? "" : "s", U(c->before));
  }
}

static void suppressions_text(FILE *out, const struct gha_suppressions *s) {
  fprintf(out, "suppressions %s:\n", s->path);
  for (size_t i = 0; i < s->n; i++) {
    const struct gha_suppression *sp = &s->v[i];
    char until[32] = "";
    if (sp->until)
      date(until, sizeof until, sp->until);
    fprintf(out, "  line %u: %s %s%s%s: ", sp->line, sp->pattern,
            sp->analysis < 0 ? "*" : gha_analysis_name((enum gha_analysis)sp->analysis),
            sp->until ? " until " : "", until);
    if (sp->expired)
      fprintf(out, "EXPIRED: %llu finding%s it matches count again", U(sp->matched),
              sp->matched == 1 ? "" : "s");
    else if (sp->matched)
      fprintf(out, "accepted %llu finding%s", U(sp->matched),
              sp->matched == 1 ? "" : "s");
    else
      fputs("unused: matched no finding", out);
    fprintf(out, " (%s)\n", sp->reason);
  }
}

void gha_gate_report_text(FILE *out, const struct gha_gate *g) {
  fputc('\n', out);
  if (g->baseline) {
    fprintf(out,
            "gate: against %s, by %s: %zu name%s (%zu new, %zu gone), %zu "
            "regression%s, %zu improvement%s\n",
            g->baseline->path, g->by_host ? "host and name" : "name", g->now.n,
            g->now.n == 1 ? "" : "s", g->names_new, g->names_gone, g->regressions,
            g->regressions == 1 ? "" : "s", g->improvements,
            g->improvements == 1 ? "" : "s");
    if (g->options_differ[0])
      fprintf(out, "  analysed unlike the baseline: %s\n", g->options_differ);
    for (size_t k = 0; k < g->nchanges; k++)
      change_text(out, &g->changes[k]);
  }
  if (g->sup)
    suppressions_text(out, g->sup);
  size_t known = 0;
  for (size_t i = 0; i < g->nfindings; i++)
    known += g->verdict[i] == GHA_VERDICT_KNOWN;
  fprintf(out,
          "gate: %s: %zu finding%s fail%s, %zu known to the baseline, %zu "
          "suppressed%s\n",
          g->status ? "FAILED" : "passed", g->failing, g->failing == 1 ? "" : "s",
          g->failing == 1 ? "s" : "", known, g->suppressed,
          g->status && !g->failing ? "; figures grew past the thresholds" : "");
}

/* ---- JSON ------------------------------------------------------------------ */

static void change_json(FILE *out, const struct gha_change *c) {
  fprintf(out, "{\"kind\":\"%s\",\"host\":", gha_change_kind_name(c->kind));
  gha_put_json_string(out, c->host);
  fputs(",\"name\":", out);
  gha_put_json_string(out, c->name);
  bool fig = c->kind == GHA_CH_GROWN || c->kind == GHA_CH_SHRUNK;
  fprintf(out, ",\"%s\":\"%s\",\"baseline\":%llu,\"now\":%llu,\"seen\":%s}",
          fig ? "figure" : "analysis", what_name(c), U(c->before), U(c->now),
          c->seen ? "true" : "false");
}

static void changes_json(FILE *out, const struct gha_gate *g, bool regressions) {
  fprintf(out, ",\"%s\":[", regressions ? "regressions" : "improvements");
  bool first = true;
  for (size_t k = 0; k < g->nchanges; k++)
    if (g->changes[k].regression == regressions) {
      if (!first)
        fputc(',', out);
      change_json(out, &g->changes[k]);
      first = false;
    }
  fputc(']', out);
}

static void suppression_json(FILE *out, const struct gha_suppression *sp) {
  fprintf(out, "{\"line\":%u,\"pattern\":", sp->line);
  gha_put_json_string(out, sp->pattern);
  fprintf(out, ",\"analysis\":\"%s\",\"until\":",
          sp->analysis < 0 ? "*" : gha_analysis_name((enum gha_analysis)sp->analysis));
  if (sp->until) {
    char d[32];
    date(d, sizeof d, sp->until);
    fprintf(out, "\"%s\"", d);
  } else {
    fputs("null", out);
  }
  fputs(",\"reason\":", out);
  gha_put_json_string(out, sp->reason);
  fprintf(out, ",\"state\":\"%s\",\"matched\":%llu}", state_of(sp), U(sp->matched));
}

void gha_gate_report_json(FILE *out, const struct gha_gate *g) {
  size_t n[4] = {0};
  for (size_t i = 0; i < g->nfindings; i++)
    n[g->verdict[i]]++;
  fprintf(out, "\"gate\":{\"status\":%d,\"passed\":%s,\"findings\":{", g->status,
          g->status ? "false" : "true");
  for (int v = 0; v < 4; v++)
    fprintf(out, "%s\"%s\":%zu", v ? "," : "", gha_verdict_name((enum gha_verdict)v),
            n[v]);
  fprintf(out, "},\"thresholds\":{\"growth_pct\":%g,\"min_words\":{", g->opts.growth_pct);
  for (int f = 0; f < GHA_FIGURES; f++)
    fprintf(out, "%s\"%s\":%llu", f ? "," : "", gha_figure_name((enum gha_figure)f),
            U(g->min_words[f]));
  fputs("}},\"baseline\":", out);
  if (g->baseline) {
    fputs("{\"path\":", out);
    gha_put_json_string(out, g->baseline->path);
    fprintf(out,
            ",\"processes\":%llu,\"findings\":%llu,\"by\":\"%s\",\"names\":%zu,"
            "\"names_new\":%zu,\"names_gone\":%zu,\"options_differ\":",
            U(g->baseline->procs), U(g->baseline->findings),
            g->by_host ? "host+name" : "name", g->now.n, g->names_new, g->names_gone);
    gha_put_json_string(out, g->options_differ);
    fputc('}', out);
    changes_json(out, g, true);
    changes_json(out, g, false);
  } else {
    fputs("null,\"regressions\":[],\"improvements\":[]", out);
  }
  fputs(",\"suppressions\":", out);
  if (g->sup) {
    fputs("{\"path\":", out);
    gha_put_json_string(out, g->sup->path);
    fputs(",\"entries\":[", out);
    for (size_t i = 0; i < g->sup->n; i++) {
      if (i)
        fputc(',', out);
      suppression_json(out, &g->sup->v[i]);
    }
    fputs("]}", out);
  } else {
    fputs("null", out);
  }
  fputc('}', out);
}

void gha_gate_finding_json(FILE *out, const struct gha_gate *g, size_t i) {
  if (!g) {
    fputs("\"gate\":null", out);
    return;
  }
  fprintf(out, "\"gate\":{\"verdict\":\"%s\",\"suppression\":",
          gha_verdict_name(gha_gate_verdict(g, i)));
  const struct gha_suppression *sp = i < g->nfindings ? g->by[i] : NULL;
  if (sp) {
    fprintf(out, "{\"line\":%u,\"reason\":", sp->line);
    gha_put_json_string(out, sp->reason);
    fputc('}', out);
  } else {
    fputs("null", out);
  }
  fputc('}', out);
}
