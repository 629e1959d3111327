/* compare.c -- two runs side by side: before and after a fix.
 *
 * Process ids differ from one run to the next, so processes are matched by
 * host and name (views.c's groups): each name present in either run is a
 * pair of groups, one of them possibly absent.  The reports say, per name
 * and analysis, what was found before and after; the HTML page draws the
 * same process of each run side by side on one scale: the name's first
 * process in rank order before, and after the process with the same
 * genheap pid if the name has one (the same role in the same program),
 * else the name's first.  One pass over the processes of each run, and
 * one over the findings.
 */
#include "html.h"

#include <stdlib.h>
#include <string.h>

/* Per name and analysis: what each run found. */
struct side_finding {
  size_t count;
  int severity;   /* worst; -1: none */
  uint64_t waste; /* largest waste_words */
  bool measured;  /* of the worst */
};

struct pair {
  const struct gha_group *g[2]; /* before, after; NULL: no such name */
  struct side_finding f[2][GHA_ANALYSES];
  const struct gha_proc *chart[2]; /* the processes drawn */
};

struct cmp {
  const struct gha_analyzer *an[2];
  const struct gha_run_info *run[2];
  struct gha_groups groups[2];
  struct pair *pairs;
  size_t npairs;
  size_t *pair_of[2]; /* group index -> pair index */
};

static const char *const side_name[2] = {"before", "after"};

static size_t top_of(const struct gha_view *v) {
  return v && v->top ? v->top : GHA_TOP_DEFAULT;
}

static int worst(const struct pair *p) {
  int w = -1;
  for (int s = 0; s < 2; s++)
    for (int a = 0; a < GHA_ANALYSES; a++)
      if (p->f[s][a].severity > w)
        w = p->f[s][a].severity;
  return w;
}

static double sum_waste(const struct pair *p) {
  return (p->g[0] ? p->g[0]->waste_ws : 0) + (p->g[1] ? p->g[1]->waste_ws : 0);
}

static double max_heap(const struct pair *p) {
  double a = p->g[0] ? p->g[0]->heap.max : 0, b = p->g[1] ? p->g[1]->heap.max : 0;
  return a > b ? a : b;
}

/* Flagged names first (the worse finding first), then the most waste in
 * either run, then the larger heap. */
static int pair_order(const void *x, const void *y) {
  const struct pair *a = x, *b = y;
  if (worst(a) != worst(b))
    return worst(a) > worst(b) ? -1 : 1;
  if (sum_waste(a) != sum_waste(b))
    return sum_waste(a) > sum_waste(b) ? -1 : 1;
  if (max_heap(a) != max_heap(b))
    return max_heap(a) > max_heap(b) ? -1 : 1;
  const struct gha_group *ga = a->g[0] ? a->g[0] : a->g[1];
  const struct gha_group *gb = b->g[0] ? b->g[0] : b->g[1];
  return strcmp(ga->name, gb->name);
}

static void cmp_free(struct cmp *c) {
  for (int s = 0; s < 2; s++) {
    gha_groups_free(&c->groups[s]);
    free(c->pair_of[s]);
  }
  free(c->pairs);
}

/* The findings of run s, into their pairs. */
static void add_findings(struct cmp *c, int s) {
  const struct gha_analyzer *an = c->an[s];
  for (size_t i = 0; i < gha_finding_count(an); i++) {
    const struct gha_finding *f = gha_finding_at(an, i);
    const struct gha_group *g = gha_groups_find(
        &c->groups[s], an, gha_host_name(an, f->proc->host), f->proc->name);
    if (!g)
      continue;
    struct side_finding *sf =
        &c->pairs[c->pair_of[s][g - c->groups[s].v]].f[s][f->analysis];
    sf->count++;
    if ((int)f->severity > sf->severity) {
      sf->severity = (int)f->severity;
      sf->measured = f->measured;
    }
    if (f->waste_words > sf->waste)
      sf->waste = f->waste_words;
  }
}

/* The processes to draw: before, the name's first; after, the one with
 * the before one's pid, else the name's first. */
static void pick_charts(struct cmp *c) {
  for (size_t i = 0; i < c->npairs; i++)
    for (int s = 0; s < 2; s++)
      c->pairs[i].chart[s] = c->pairs[i].g[s] ? c->pairs[i].g[s]->top : NULL;
  const struct gha_analyzer *an = c->an[1];
  for (size_t k = 0; k < gha_proc_count(an); k++) {
    const struct gha_proc *p = gha_proc_at(an, k);
    const struct gha_group *g =
        gha_groups_find(&c->groups[1], an, gha_host_name(an, p->host), p->name);
    if (!g)
      continue;
    struct pair *pr = &c->pairs[c->pair_of[1][g - c->groups[1].v]];
    const struct gha_proc *b = pr->g[0] ? pr->g[0]->top : NULL;
    if (b && b->pid == p->pid && pr->chart[1] && pr->chart[1]->pid != b->pid)
      pr->chart[1] = p;
  }
}

static int cmp_build(struct cmp *c, const struct gha_analyzer *before,
                     const struct gha_run_info *brun, const struct gha_analyzer *after,
                     const struct gha_run_info *arun) {
  memset(c, 0, sizeof *c);
  c->an[0] = before;
  c->an[1] = after;
  c->run[0] = brun;
  c->run[1] = arun;
  if (gha_groups_build(before, &c->groups[0]) < 0 ||
      gha_groups_build(after, &c->groups[1]) < 0)
    goto oom;
  size_t nb = c->groups[0].n, na = c->groups[1].n;
  c->pairs = calloc(nb + na + 1, sizeof *c->pairs);
  c->pair_of[0] = calloc(nb + 1, sizeof *c->pair_of[0]);
  c->pair_of[1] = calloc(na + 1, sizeof *c->pair_of[1]);
  if (!c->pairs || !c->pair_of[0] || !c->pair_of[1])
    goto oom;
  for (size_t i = 0; i < nb; i++) {
    const struct gha_group *g = &c->groups[0].v[i];
    struct pair *p = &c->pairs[c->npairs++];
    p->g[0] = g;
    p->g[1] =
        gha_groups_find(&c->groups[1], after, gha_host_name(before, g->host), g->name);
  }
  for (size_t i = 0; i < na; i++) {
    const struct gha_group *g = &c->groups[1].v[i];
    if (gha_groups_find(&c->groups[0], before, gha_host_name(after, g->host), g->name))
      continue;
    c->pairs[c->npairs++].g[1] = g;
  }
  for (size_t i = 0; i < c->npairs; i++)
    for (int s = 0; s < 2; s++)
      for (int a = 0; a < GHA_ANALYSES; a++)
        c->pairs[i].f[s][a].severity = -1;
  /* findings need the pair indices: index, add, sort, index again */
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < c->npairs; i++)
      for (int s = 0; s < 2; s++)
        if (c->pairs[i].g[s])
          c->pair_of[s][c->pairs[i].g[s] - c->groups[s].v] = i;
    if (pass == 0) {
      add_findings(c, 0);
      add_findings(c, 1);
      qsort(c->pairs, c->npairs, sizeof *c->pairs, pair_order);
    }
  }
  pick_charts(c);
  return 0;
oom:
  cmp_free(c);
  return -1;
}

/* "fixed", "better", "same", "worse" or "new", from the worst severities. */
static const char *verdict(int before, int after) {
  if (before == after)
    return "same";
  if (after < 0)
    return "fixed";
  if (before < 0)
    return "new";
  return after < before ? "better" : "worse";
}

static const char *sev_text(const struct pair *p, int s, int a) {
  if (!p->g[s])
    return "absent";
  int sev = p->f[s][a].severity;
  return sev < 0 ? "none" : gha_severity_name((enum gha_severity)sev);
}

static const char *group_name(const struct pair *p) {
  const struct gha_group *g = p->g[0] ? p->g[0] : p->g[1];
  return g->name[0] ? g->name : "(unnamed)";
}

static size_t findings_of(const struct gha_analyzer *an, size_t *warnings) {
  size_t n = gha_finding_count(an);
  *warnings = 0;
  for (size_t i = 0; i < n; i++)
    *warnings += gha_finding_at(an, i)->severity >= GHA_SEV_WARNING;
  return n;
}

static void inputs_text(FILE *out, const struct gha_run_info *run) {
  for (size_t i = 0; run && i < run->ninputs; i++)
    fprintf(out, "%s%s", i ? ", " : "", run->inputs[i]);
}

/* ---- text ----------------------------------------------------------------- */

static void put_opt(FILE *out, bool present, double v, int width) {
  if (!present)
    fprintf(out, " %*s", width, "-");
  else if (v < 1e8 && v == (double)(uint64_t)v)
    fprintf(out, " %*llu", width, (unsigned long long)v);
  else
    fprintf(out, " %*.3g", width, v);
}

int gha_report_compare_text(FILE *out, const struct gha_analyzer *before,
                            const struct gha_run_info *brun,
                            const struct gha_analyzer *after,
                            const struct gha_run_info *arun, const struct gha_view *v) {
  struct cmp c;
  if (cmp_build(&c, before, brun, after, arun) < 0)
    return -1;
  fputs("genheap-analyze: two runs compared, processes matched by host and name\n", out);
  for (int s = 0; s < 2; s++) {
    size_t warn, n = findings_of(c.an[s], &warn);
    fprintf(out, "%-7s ", side_name[s]);
    inputs_text(out, c.run[s]);
    fprintf(out, ": %zu processes (%zu names), %zu finding%s (%zu warning%s)\n",
            gha_proc_count(c.an[s]), c.groups[s].n, n, n == 1 ? "" : "s", warn,
            warn == 1 ? "" : "s");
  }
  size_t top = top_of(v), rows = 0, left = 0;
  fputs("\nFindings by name, before and after:\n", out);
  fprintf(out, "%-8s %-8s %-8s %-16s %9s %9s  %s\n", "BEFORE", "AFTER", "VERDICT",
          "ANALYSIS", "WASTE_B", "WASTE_A", "NAME");
  for (size_t i = 0; i < c.npairs; i++)
    for (int a = 0; a < GHA_ANALYSES; a++) {
      const struct pair *p = &c.pairs[i];
      if (p->f[0][a].severity < 0 && p->f[1][a].severity < 0)
        continue;
      if (!(v && v->all) && rows++ >= top) {
        left++;
        continue;
      }
      fprintf(out, "%-8s %-8s %-8s %-16s", sev_text(p, 0, a), sev_text(p, 1, a),
              verdict(p->f[0][a].severity, p->f[1][a].severity),
              gha_analysis_name((enum gha_analysis)a));
      put_opt(out, p->f[0][a].severity >= 0, (double)p->f[0][a].waste, 9);
      put_opt(out, p->f[1][a].severity >= 0, (double)p->f[1][a].waste, 9);
      fprintf(out, "  %s\n", group_name(p));
    }
  if (rows == 0)
    fputs("no findings in either run\n", out);
  if (left)
    fprintf(out, "... and %zu more (--all lists them)\n", left);
  fputs("\nProcesses by name, flagged first, then the most measured waste:\n", out);
  fprintf(out, "%13s %12s %17s %17s\n", "processes", "flagged", "waste word-s",
          "peak heap");
  fprintf(out, "%6s %6s %6s %5s %8s %8s %8s %8s  %s\n", "before", "after", "before",
          "after", "before", "after", "before", "after", "NAME");
  size_t shown = v && v->all ? c.npairs : (c.npairs < top ? c.npairs : top);
  for (size_t i = 0; i < shown; i++) {
    const struct pair *p = &c.pairs[i];
    const struct gha_group *b = p->g[0], *a = p->g[1];
    put_opt(out, b, b ? (double)b->count : 0, 5);
    put_opt(out, a, a ? (double)a->count : 0, 6);
    put_opt(out, b, b ? (double)b->flagged : 0, 6);
    put_opt(out, a, a ? (double)a->flagged : 0, 5);
    put_opt(out, b, b ? b->waste_ws : 0, 8);
    put_opt(out, a, a ? a->waste_ws : 0, 8);
    put_opt(out, b, b ? b->heap.max : 0, 8);
    put_opt(out, a, a ? a->heap.max : 0, 8);
    fprintf(out, "  %s\n", group_name(p));
  }
  if (shown < c.npairs)
    fprintf(out, "... and %zu more names: --top N or --all\n", c.npairs - shown);
  cmp_free(&c);
  return ferror(out) ? -1 : 0;
}

/* ---- HTML ----------------------------------------------------------------- */

static void summary(FILE *out, const struct cmp *c) {
  fputs("<div class=\"pair\">", out);
  for (int s = 0; s < 2; s++) {
    size_t warn, n = findings_of(c->an[s], &warn);
    fprintf(out, "<div><h3>%s</h3>", side_name[s]);
    gha_html_summary(out, c->an[s], c->run[s], c->groups[s].n);
    fprintf(out, "<p>%zu finding%s: %zu warning%s (measured), %zu info.</p></div>", n,
            n == 1 ? "" : "s", warn, warn == 1 ? "" : "s", n - warn);
  }
  fputs("</div>\n", out);
}

static void sev_cell(FILE *out, const struct pair *p, int s, int a) {
  const struct side_finding *f = &p->f[s][a];
  fprintf(out, "<td data-v=\"%d\">", p->g[s] ? f->severity : -2);
  if (f->severity >= 0) {
    fprintf(out, "<span class=\"badge %s\">%s</span>",
            gha_severity_name((enum gha_severity)f->severity),
            gha_severity_name((enum gha_severity)f->severity));
    fprintf(out, "<span class=\"badge %s\">%s</span>",
            f->measured ? "measured" : "estimated",
            f->measured ? "measured" : "estimated");
  } else {
    fputs(p->g[s] ? "none" : "absent", out);
  }
  fputs("</td>", out);
}

static void name_cell(FILE *out, const struct pair *p) {
  const char *name = group_name(p);
  char low[200];
  size_t i = 0;
  for (; name[i] && i + 1 < sizeof low; i++)
    low[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] - 'A' + 'a') : name[i];
  low[i] = '\0';
  fputs(" data-search=\"", out);
  gha_put_xml_text(out, low);
  fputs("\"><td>", out);
  gha_put_xml_text(out, name);
  fputs("</td>", out);
}

static void findings_table(FILE *out, const struct cmp *c, const struct gha_view *v) {
  fputs("<h2 id=\"findings\">Findings, before and after</h2>\n", out);
  size_t top = v && v->all ? (size_t)-1 : 100, rows = 0;
  fputs("<div class=\"table-wrap\"><table "
        "class=\"cmp-findings\"><thead><tr><th>name</th><th>analysis</th>"
        "<th>before</th><th>after</th><th>verdict</th><th>waste before, words</th>"
        "<th>waste after, words</th></tr></thead><tbody>\n",
        out);
  for (size_t i = 0; i < c->npairs; i++)
    for (int a = 0; a < GHA_ANALYSES; a++) {
      const struct pair *p = &c->pairs[i];
      if ((p->f[0][a].severity < 0 && p->f[1][a].severity < 0) || rows++ >= top)
        continue;
      const char *vd = verdict(p->f[0][a].severity, p->f[1][a].severity);
      fprintf(out, "<tr class=\"verdict-%s\"", vd);
      name_cell(out, p);
      fprintf(out, "<td>%s</td>", gha_analysis_name((enum gha_analysis)a));
      sev_cell(out, p, 0, a);
      sev_cell(out, p, 1, a);
      bool good = !strcmp(vd, "fixed") || !strcmp(vd, "better");
      bool bad = !strcmp(vd, "new") || !strcmp(vd, "worse");
      fprintf(out, "<td class=\"%s\">%s</td>",
              good  ? "delta-better"
              : bad ? "delta-worse"
                    : "",
              vd);
      for (int s = 0; s < 2; s++)
        if (p->f[s][a].severity >= 0)
          fprintf(out, "<td>%llu</td>", (unsigned long long)p->f[s][a].waste);
        else
          fputs("<td>-</td>", out);
      fputs("</tr>\n", out);
    }
  fputs("</tbody></table></div>\n", out);
  if (!rows)
    fputs("<p>No findings in either run.</p>\n", out);
  else if (rows > top)
    fprintf(out, "<p class=\"note\">%zu more rows (--all lists them).</p>\n", rows - top);
}

static void chart_cell(FILE *out, const struct cmp *c, const struct pair *p, int s,
                       uint64_t ymax, size_t i) {
  fprintf(out, "<figure class=\"chart\"><figcaption><b>%s</b> ", side_name[s]);
  const struct gha_proc *q = p->chart[s];
  if (!q) {
    fputs("</figcaption><p class=\"note\">no process of this name in this run</p>"
          "</figure>\n",
          out);
    return;
  }
  char label[128], id[48];
  gha_proc_label(c->an[s], q, label, sizeof label);
  gha_put_xml_text(out, label);
  fputc(' ', out);
  for (int a = 0; a < GHA_ANALYSES; a++) {
    const struct gha_finding *f = gha_finding_for(c->an[s], q, (enum gha_analysis)a);
    if (f) {
      gha_html_finding_badges(out, f);
      fprintf(out, "<b>%s</b> ", gha_analysis_name(f->analysis));
    }
  }
  struct gha_proc_figures fg;
  gha_proc_figures(c->an[s], q, &fg);
  fprintf(out,
          "<span class=\"note\">%s, %.3f s; %llu minor GCs, %llu sweeps, %llu "
          "hibernations</span></figcaption>\n",
          gha_proc_state(q), fg.life_s, (unsigned long long)q->info.minor_gcs,
          (unsigned long long)q->info.full_sweeps,
          (unsigned long long)q->info.hibernations);
  snprintf(id, sizeof id, "chart-%zu-%s", i + 1, side_name[s]);
  gha_chart(out, c->an[s], q, ymax, id);
  fputs("</figure>\n", out);
}

static void charts(FILE *out, const struct cmp *c, const struct gha_view *v) {
  size_t top = top_of(v), n = c->npairs < top ? c->npairs : top;
  fprintf(out,
          "<h2 id=\"charts\">Side by side (%zu)</h2>\n<p class=\"note\">The names "
          "flagged in either run first, then the most measured waste; each pair on "
          "one scale; --top N draws more.</p>\n",
          n);
  gha_chart_legend(out);
  for (size_t i = 0; i < n; i++) {
    const struct pair *p = &c->pairs[i];
    uint64_t ymax = 1;
    for (int s = 0; s < 2; s++)
      if (p->chart[s]) {
        uint64_t m = gha_chart_ymax(c->an[s], p->chart[s]);
        if (m > ymax)
          ymax = m;
      }
    fputs("<h3>", out);
    gha_put_xml_text(out, group_name(p));
    fputs("</h3>\n<div class=\"pair\">\n", out);
    for (int s = 0; s < 2; s++)
      chart_cell(out, c, p, s, ymax, i);
    fputs("</div>\n", out);
  }
}

static void count_cell(FILE *out, const struct gha_group *g, double v, const char *fmt) {
  if (!g) {
    fputs("<td data-v=\"-1\">-</td>", out);
    return;
  }
  char s[32];
  snprintf(s, sizeof s, fmt, v);
  fprintf(out, "<td data-v=\"%.6g\">%s</td>", v, s);
}

static void names_table(FILE *out, const struct cmp *c, const struct gha_view *v) {
  size_t shown = v && v->all
                     ? c->npairs
                     : (c->npairs < GHA_HTML_GROUPS ? c->npairs : GHA_HTML_GROUPS);
  fprintf(out, "<h2 id=\"processes\">Processes by name (%zu)</h2>\n", c->npairs);
  fputs("<div class=\"controls\"><label>filter <input type=\"search\" id=\"filter\" "
        "placeholder=\"name\"></label><label><input type=\"checkbox\" id=\"flagged\"> "
        "flagged in either run</label><span class=\"note\">click a column to sort"
        "</span></div>\n",
        out);
  fprintf(out,
          "<div class=\"proc-table\" data-view=\"groups\"><p class=\"note\">"
          "<span class=\"shown\">%zu</span> of %zu names shown.</p>\n"
          "<div class=\"table-wrap\"><table><thead><tr>",
          shown, c->npairs);
  static const char *const heads[][3] = {
      {"name", "", "name"},
      {"pb", "n", "processes before"},
      {"pa", "n", "processes after"},
      {"fb", "n", "flagged before"},
      {"fa", "n", "flagged after"},
      {"wb", "n", "waste word&#183;s before"},
      {"wa", "n", "waste word&#183;s after"},
      {"kb", "n", "peak waste before"},
      {"ka", "n", "peak waste after"},
      {"hb", "n", "heap max before"},
      {"ha", "n", "heap max after"},
  };
  for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
    fprintf(out, "<th data-key=\"%s\"%s>%s</th>", heads[i][0],
            heads[i][1][0] ? " data-num" : "", heads[i][2]);
  fputs("</tr></thead><tbody>\n", out);
  for (size_t i = 0; i < shown; i++) {
    const struct pair *p = &c->pairs[i];
    const struct gha_group *b = p->g[0], *a = p->g[1];
    bool flagged = (b && b->flagged) || (a && a->flagged);
    fprintf(out, "<tr data-i=\"%zu\"%s", i, flagged ? " class=\"flagged\"" : "");
    name_cell(out, p);
    count_cell(out, b, b ? (double)b->count : 0, "%.0f");
    count_cell(out, a, a ? (double)a->count : 0, "%.0f");
    count_cell(out, b, b ? (double)b->flagged : 0, "%.0f");
    count_cell(out, a, a ? (double)a->flagged : 0, "%.0f");
    count_cell(out, b, b ? b->waste_ws : 0, "%.4g");
    count_cell(out, a, a ? a->waste_ws : 0, "%.4g");
    count_cell(out, b, b ? (double)b->waste_peak : 0, "%.0f");
    count_cell(out, a, a ? (double)a->waste_peak : 0, "%.0f");
    count_cell(out, b, b ? b->heap.max : 0, "%.0f");
    count_cell(out, a, a ? a->heap.max : 0, "%.0f");
    fputs("</tr>\n", out);
  }
  fputs("</tbody></table></div></div>\n", out);
}

int gha_report_compare_html(FILE *out, const struct gha_analyzer *before,
                            const struct gha_run_info *brun,
                            const struct gha_analyzer *after,
                            const struct gha_run_info *arun, const struct gha_view *v) {
  struct cmp c;
  if (cmp_build(&c, before, brun, after, arun) < 0)
    return -1;
  gha_html_begin(out, "genheap-analyze: before and after");
  fputs("<h1>genheap-analyze: before and after</h1>\n<p class=\"note\">Processes are "
        "matched by host and name: process ids differ from one run to the next.</p>\n",
        out);
  summary(out, &c);
  fputs("<nav><a href=\"#findings\">findings</a><a href=\"#charts\">side by side</a>"
        "<a href=\"#processes\">processes</a></nav>\n",
        out);
  findings_table(out, &c, v);
  charts(out, &c, v);
  names_table(out, &c, v);
  gha_html_end(out);
  cmp_free(&c);
  return ferror(out) ? -1 : 0;
}
