/* baseline.c -- a previous JSON report, read as the gate's baseline
 * (gate.h): one row per (host, process name), as a stream, so a report of
 * 10^6 processes costs the memory of its names only.
 *
 * What is read: "tool" and "schema" (a genheap-analyze report of schema 2:
 * the figures compared exist since schema 2), "options" (to say when the
 * runs were not analysed alike), and from each process and finding only
 * the fields the rows need; a report that lacks one is refused, not
 * compared as zero.
 */
#include "gate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonread.h"
#include "report.h" /* gha_group_name */

/* The fields an element must have before it becomes part of a row. */
enum {
  P_HOST = 1,
  P_NAME = 2,
  P_OLD = 4,
  P_WASTE = 8,
  P_BINWASTE = 16,
  P_ALL = 31,
  F_HOST = 1,
  F_NAME = 2,
  F_ANALYSIS = 4,
  F_SEVERITY = 8,
  F_ALL = 15
};

struct ctx {
  struct gha_baseline *b;
  enum gha_severity fail_on;
  char tool[32];
  double schema;
  bool saw_processes, saw_findings;
  /* the element at hand */
  unsigned have;
  char host[256], name[256];
  uint64_t fig[GHA_FIGURES];
  int analysis;
  int severity;
  bool suppressed;
};

static void copy(char *dst, size_t size, const struct gha_jr_value *v) {
  snprintf(dst, size, "%s", v->kind == GHA_JR_STRING ? v->str : "");
}

static uint64_t words(const struct gha_jr_value *v) {
  return v->num <= 0 ? 0 : v->num >= 1.8e19 ? UINT64_MAX : (uint64_t)v->num;
}

static int lacks(const struct gha_jr_path *p, const char *what, const char *field,
                 char *why, size_t size) {
  snprintf(why, size, "%s[%llu] lacks %s", what, (unsigned long long)p->at[1].index,
           field);
  return -1;
}

static int process_value(struct ctx *c, const struct gha_jr_path *p,
                         const struct gha_jr_value *v, char *why, size_t size) {
  bool str = v->kind == GHA_JR_STRING, num = v->kind == GHA_JR_NUMBER;
  if (v->kind == GHA_JR_OBJECT && p->depth == 2) {
    c->have = 0;
    return 0;
  }
  if (v->kind == GHA_JR_END && p->depth == 2) {
    static const char *const names[] = {"host", "name", "peak_old_heap_size",
                                        "waste.peak_words", "binary_waste.peak_words"};
    for (int i = 0; i < 5; i++)
      if (!(c->have & (1u << i)))
        return lacks(p, "processes", names[i], why, size);
    struct gha_name_row *r =
        gha_names_row(&c->b->names, c->host, gha_group_name(c->name));
    if (!r) {
      snprintf(why, size, "out of memory");
      return -1;
    }
    r->procs++;
    for (int f = 0; f < GHA_FIGURES; f++)
      if (c->fig[f] > r->fig[f])
        r->fig[f] = c->fig[f];
    c->b->procs++;
    return 0;
  }
  /* most of a process's values are not needed: its depth sorts them out
   * before any name is compared (a report of 10^6 processes is ~1.3 GB) */
  if (!p->at[1].in_array || (p->depth != 3 && p->depth != 4) || !(str || num))
    return 0;
  const char *k = p->at[2].key;
  if (p->depth == 3) {
    if (str && strcmp(k, "host") == 0) {
      copy(c->host, sizeof c->host, v);
      c->have |= P_HOST;
    } else if (str && strcmp(k, "name") == 0) {
      copy(c->name, sizeof c->name, v);
      c->have |= P_NAME;
    } else if (num && strcmp(k, "peak_old_heap_size") == 0) {
      c->fig[GHA_FIG_OLD_HEAP] = words(v);
      c->have |= P_OLD;
    }
  } else if (num && strcmp(p->at[3].key, "peak_words") == 0) {
    if (strcmp(k, "waste") == 0) {
      c->fig[GHA_FIG_WASTE] = words(v);
      c->have |= P_WASTE;
    } else if (strcmp(k, "binary_waste") == 0) {
      c->fig[GHA_FIG_BINARY_WASTE] = words(v);
      c->have |= P_BINWASTE;
    }
  }
  return 0;
}

static int finding_value(struct ctx *c, const struct gha_jr_path *p,
                         const struct gha_jr_value *v, char *why, size_t size) {
  bool str = v->kind == GHA_JR_STRING;
  if (v->kind == GHA_JR_OBJECT && p->depth == 2) {
    c->have = 0;
    c->suppressed = false;
    return 0;
  }
  if (v->kind == GHA_JR_END && p->depth == 2) {
    static const char *const names[] = {"host", "name", "analysis", "severity"};
    for (int i = 0; i < 4; i++)
      if (!(c->have & (1u << i)))
        return lacks(p, "findings", names[i], why, size);
    struct gha_name_row *r =
        gha_names_row(&c->b->names, c->host, gha_group_name(c->name));
    if (!r) {
      snprintf(why, size, "out of memory");
      return -1;
    }
    c->b->findings++;
    /* what its own gate accepted stays accepted: when the suppression
     * expires, the finding is new to the gate */
    if (!c->suppressed && c->fail_on != GHA_SEV_NEVER && c->severity >= (int)c->fail_on)
      r->findings[c->analysis]++;
    return 0;
  }
  if (str && gha_jr_at(p, "findings", "#", "host", NULL)) {
    copy(c->host, sizeof c->host, v);
    c->have |= F_HOST;
  } else if (str && gha_jr_at(p, "findings", "#", "name", NULL)) {
    copy(c->name, sizeof c->name, v);
    c->have |= F_NAME;
  } else if (str && gha_jr_at(p, "findings", "#", "analysis", NULL)) {
    c->analysis = -1;
    for (int a = 0; a < GHA_ANALYSES; a++)
      if (strcmp(v->str, gha_analysis_name((enum gha_analysis)a)) == 0)
        c->analysis = a;
    if (c->analysis < 0) {
      snprintf(why, size, "findings[%llu]: unknown analysis '%.40s'",
               (unsigned long long)p->at[1].index, v->str);
      return -1;
    }
    c->have |= F_ANALYSIS;
  } else if (str && gha_jr_at(p, "findings", "#", "severity", NULL)) {
    c->severity = gha_severity_parse(v->str);
    if (c->severity < 0 || c->severity == GHA_SEV_NEVER) {
      snprintf(why, size, "findings[%llu]: unknown severity '%.40s'",
               (unsigned long long)p->at[1].index, v->str);
      return -1;
    }
    c->have |= F_SEVERITY;
  } else if (str && gha_jr_at(p, "findings", "#", "gate", "verdict", NULL)) {
    c->suppressed = strcmp(v->str, "suppressed") == 0;
  }
  return 0;
}

/* The analysis options it was made with: from the table's names. */
static void option_value(struct ctx *c, const struct gha_jr_path *p,
                         const struct gha_jr_value *v) {
  struct gha_options *o = &c->b->opts;
  const char *k = p->at[1].key;
  if (v->kind == GHA_JR_STRING && strcmp(k, "fail_on") == 0) {
    int s = gha_severity_parse(v->str);
    if (s >= 0)
      o->fail_on = (enum gha_severity)s;
    return;
  }
  if (v->kind != GHA_JR_NUMBER)
    return;
  if (strcmp(k, "min_idle_ns") == 0)
    o->min_idle_ns = words(v);
  else if (strcmp(k, "idle_factor") == 0)
    o->idle_factor = v->num;
  else if (strcmp(k, "bloat_min_words") == 0)
    o->bloat_min_words = words(v);
  else if (strcmp(k, "binleak_min_words") == 0)
    o->binleak_min_words = words(v);
  else if (strcmp(k, "binleak_min_steps") == 0)
    o->binleak_min_steps = (unsigned)words(v);
  else if (strcmp(k, "burst_min_gcs") == 0)
    o->burst_min_gcs = (unsigned)words(v);
  else if (strcmp(k, "burst_min_words") == 0)
    o->burst_min_words = words(v);
}

static int on_value(void *data, const struct gha_jr_path *p, const struct gha_jr_value *v,
                    char *why, size_t size) {
  struct ctx *c = data;
  if (p->depth == 0) {
    if (v->kind != GHA_JR_OBJECT && v->kind != GHA_JR_END) {
      snprintf(why, size, "not a JSON object");
      return -1;
    }
    return 0;
  }
  const char *top = p->at[0].key;
  if (p->depth == 1) {
    if (strcmp(top, "tool") == 0)
      copy(c->tool, sizeof c->tool, v);
    else if (strcmp(top, "schema") == 0 && v->kind == GHA_JR_NUMBER)
      c->schema = v->num;
    else if (strcmp(top, "processes") == 0 && v->kind == GHA_JR_ARRAY)
      c->saw_processes = true;
    else if (strcmp(top, "findings") == 0 && v->kind == GHA_JR_ARRAY)
      c->saw_findings = true;
    return 0;
  }
  if (strcmp(top, "processes") == 0 && c->saw_processes)
    return process_value(c, p, v, why, size);
  if (strcmp(top, "findings") == 0 && c->saw_findings)
    return finding_value(c, p, v, why, size);
  if (strcmp(top, "options") == 0 && p->depth == 2)
    option_value(c, p, v);
  return 0;
}

int gha_baseline_load(const char *path, enum gha_severity fail_on, struct gha_baseline *b,
                      char *why, size_t size) {
  *b = (struct gha_baseline){.path = path};
  gha_options_init(&b->opts);
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(why, size, "%s: %s", path, strerror(errno));
    return -1;
  }
  struct ctx c = {.b = b, .fail_on = fail_on};
  char what[200];
  int rc = gha_jr_read(f, on_value, &c, what, sizeof what);
  fclose(f);
  if (rc == 0 && (strcmp(c.tool, "genheap-analyze") != 0 || c.schema != GHA_JSON_SCHEMA ||
                  !c.saw_processes || !c.saw_findings)) {
    if (strcmp(c.tool, "genheap-analyze") == 0 && c.schema >= 1 &&
        c.schema != GHA_JSON_SCHEMA)
      snprintf(what, sizeof what,
               "a report of schema %g: the gate compares schema %d reports "
               "(make a new baseline with this version)",
               c.schema, GHA_JSON_SCHEMA);
    else
      snprintf(what, sizeof what,
               "not a JSON report of genheap-analyze (--format=json or --json)");
    rc = -1;
  }
  if (rc < 0) {
    snprintf(why, size, "%s: %s", path, what);
    gha_baseline_free(b);
  }
  return rc;
}

void gha_baseline_free(struct gha_baseline *b) { gha_names_free(&b->names); }
