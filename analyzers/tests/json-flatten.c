/* json-flatten.c -- reads a genheap-analyze JSON report (parsing it back
 * with minijson, so a malformed report fails the test) and prints one line
 * per process and per finding for the shell tests to grep:
 *   proc HOST VPID PID NAME STATE minor_gcs full_sweeps hibernations
 *        old_heap_size bin_old_vheap_size words_promoted words_reclaimed
 *   finding ANALYSIS SEVERITY HOST VPID PID NAME held_words waste_words
 *           would_free_words EVIDENCE above_threshold_ms
 *   meta events discarded_events exit_status
 *   checks none | checks TRACES STREAMS PACKETS EMPTY CUT LAYOUT_UNCHECKED PARTIAL
 * and when the report has a gate (--baseline, --suppressions):
 *   gate status STATUS PASSED
 *   gate change KIND regression|improvement [HOST/]NAME ANALYSIS|FIGURE BEFORE NOW
 *   gate finding ANALYSIS NAME VERDICT
 *   gate suppression LINE PATTERN ANALYSIS STATE MATCHED
 * Exit 1 when the input is not valid JSON of the expected shape. */
#include <stdio.h>
#include <stdlib.h>

#include "minijson.h"

static char *slurp(FILE *f) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == cap) {
      char *g = realloc(buf, cap *= 2);
      if (!g) {
        free(buf);
        return NULL;
      }
      buf = g;
    }
  }
  if (buf)
    buf[n] = 0;
  return buf;
}

static const char *str(const struct mj *o, const char *k) {
  const struct mj *v = mj_get(o, k);
  return v && v->type == MJ_STRING ? (v->str[0] ? v->str : "-") : "?";
}

static unsigned long long num(const struct mj *o, const char *k) {
  const struct mj *v = mj_get(o, k);
  if (!v || v->type != MJ_NUMBER) {
    fprintf(stderr, "json-flatten: missing number %s\n", k);
    exit(1);
  }
  return (unsigned long long)v->num;
}

static const char *flag(const struct mj *o, const char *k) {
  const struct mj *v = mj_get(o, k);
  if (!v || v->type != MJ_BOOL) {
    fprintf(stderr, "json-flatten: missing boolean %s\n", k);
    exit(1);
  }
  return v->num ? "true" : "false";
}

static void changes(const struct mj *g, const char *key, const char *kind) {
  const struct mj *cs = mj_get(g, key);
  for (size_t i = 0; cs && mj_at(cs, i); i++) {
    const struct mj *c = mj_at(cs, i);
    const char *host = mj_get(c, "host")->str;
    const struct mj *what =
        mj_get(c, "analysis") ? mj_get(c, "analysis") : mj_get(c, "figure");
    printf("gate change %s %s %s%s%s %s %llu %llu\n", str(c, "kind"), kind, host,
           host[0] ? "/" : "", str(c, "name"), what ? what->str : "?", num(c, "baseline"),
           num(c, "now"));
  }
}

static void gate(const struct mj *doc) {
  const struct mj *g = mj_get(doc, "gate");
  if (!g || g->type == MJ_NULL)
    return;
  printf("gate status %llu %s\n", num(g, "status"), flag(g, "passed"));
  changes(g, "regressions", "regression");
  changes(g, "improvements", "improvement");
  const struct mj *fs = mj_get(doc, "findings");
  for (size_t i = 0; mj_at(fs, i); i++) {
    const struct mj *f = mj_at(fs, i), *v = mj_get(f, "gate");
    printf("gate finding %s %s %s\n", str(f, "analysis"), str(f, "name"),
           v && v->type == MJ_OBJECT ? str(v, "verdict") : "?");
  }
  const struct mj *s = mj_get(g, "suppressions");
  const struct mj *es = s && s->type == MJ_OBJECT ? mj_get(s, "entries") : NULL;
  for (size_t i = 0; es && mj_at(es, i); i++) {
    const struct mj *e = mj_at(es, i);
    printf("gate suppression %llu %s %s %s %llu\n", num(e, "line"), str(e, "pattern"),
           str(e, "analysis"), str(e, "state"), num(e, "matched"));
  }
}

int main(void) {
  char *text = slurp(stdin);
  struct mj *doc = text ? mj_parse(text) : NULL;
  if (!doc || !mj_get(doc, "processes") || !mj_get(doc, "findings")) {
    fprintf(stderr, "json-flatten: not a genheap-analyze JSON report\n");
    return 1;
  }
  printf("meta %llu %llu %llu\n", num(doc, "events"),
         num(doc, "discarded_events"), num(doc, "exit_status"));
  const struct mj *ck = mj_get(doc, "input_checks");
  if (!ck || ck->type == MJ_NULL)
    printf("checks none\n");
  else
    printf("checks %llu %llu %llu %llu %llu %s %s\n", num(ck, "traces"),
           num(ck, "streams"), num(ck, "packets"), num(ck, "empty_streams"),
           num(ck, "cut_streams"), flag(ck, "layout_unchecked"), flag(ck, "partial"));
  const struct mj *ps = mj_get(doc, "processes");
  for (size_t i = 0; mj_at(ps, i); i++) {
    const struct mj *p = mj_at(ps, i), *l = mj_get(p, "last");
    printf("proc %s %llu %llu %s %s %llu %llu %llu %llu %llu %llu %llu\n",
           str(p, "host"), num(p, "vpid"), num(p, "pid"), str(p, "name"),
           str(p, "state"), num(p, "minor_gcs"), num(p, "full_sweeps"),
           num(p, "hibernations"), num(l, "old_heap_size"),
           num(l, "bin_old_vheap_size"), num(p, "words_promoted"),
           num(p, "words_reclaimed"));
  }
  const struct mj *fs = mj_get(doc, "findings");
  for (size_t i = 0; mj_at(fs, i); i++) {
    const struct mj *f = mj_at(fs, i);
    printf("finding %s %s %s %llu %llu %s %llu %llu %llu %s %llu\n",
           str(f, "analysis"), str(f, "severity"), str(f, "host"),
           num(f, "vpid"), num(f, "pid"), str(f, "name"), num(f, "held_words"),
           num(f, "waste_words"), num(f, "would_free_words"), str(f, "evidence"),
           num(f, "above_threshold_ns") / 1000000);
  }
  gate(doc);
  mj_free(doc);
  free(text);
  return 0;
}
