/* options.c -- every option of the analyses, once.
 *
 * The CLI (--NAME=VALUE) and the babeltrace2 plugin (NAME=VALUE component
 * parameters) both set options through this table, so they accept the same
 * names, the same values and refuse the same mistakes: a value must be a
 * finite number in the option's range (or a severity name), written in
 * full, with no trailing text.  NaN, infinity and out-of-range values used
 * to become 0 or reach the JSON report as "nan".
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(f) offsetof(struct gha_options, f)

static const struct gha_option_def defs[] = {
    {"fail-on", GHA_OPT_SEVERITY, FIELD(fail_on), 0, "SEV",
     "exit 1 on findings of SEV or worse: info, warning (default), error, never"},
    {"min-idle", GHA_OPT_SECONDS, FIELD(min_idle_ns), 1e7, "SECONDS",
     "how long measured waste must last, and idling counts as long (1)"},
    {"idle-factor", GHA_OPT_REAL, FIELD(idle_factor), 1e9, "N",
     "idle >= N x busy GC interval counts as idle (20)"},
    {"bloat-min-words", GHA_OPT_WORDS, FIELD(bloat_min_words), 4611686018427387904.0,
     "N", "old-heap garbage words worth a bloat finding (65536)"},
    {"binleak-min-words", GHA_OPT_WORDS, FIELD(binleak_min_words),
     4611686018427387904.0, "N", "refc-binary words worth a binleak finding (16384)"},
    {"binleak-min-steps", GHA_OPT_COUNT, FIELD(binleak_min_steps), 1e9, "N",
     "growth steps without a sweep for a binleak suspicion (3)"},
    {"burst-min-gcs", GHA_OPT_COUNT, FIELD(burst_min_gcs), 1e9, "N",
     "GCs that make a burst (20)"},
    {"burst-min-words", GHA_OPT_WORDS, FIELD(burst_min_words), 4611686018427387904.0,
     "N", "heap words kept after a burst (65536)"},
};

const struct gha_option_def *gha_option_defs(size_t *count) {
  *count = sizeof defs / sizeof defs[0];
  return defs;
}

const struct gha_option_def *gha_option_find(const char *name) {
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
    if (strcmp(defs[i].name, name) == 0)
      return &defs[i];
  return NULL;
}

static int reject(char *why, size_t size, const struct gha_option_def *d,
                  const char *what) {
  if (why && size)
    snprintf(why, size, "%s must be %s", d->name, what);
  return -1;
}

static void store(struct gha_options *o, const struct gha_option_def *d,
                  double v) {
  char *at = (char *)o + d->offset;
  switch (d->type) {
  case GHA_OPT_SECONDS: *(uint64_t *)at = (uint64_t)(v * 1e9 + 0.5); break;
  case GHA_OPT_REAL: *(double *)at = v; break;
  case GHA_OPT_WORDS: *(uint64_t *)at = (uint64_t)v; break;
  case GHA_OPT_COUNT: *(unsigned *)at = (unsigned)v; break;
  case GHA_OPT_SEVERITY: *(enum gha_severity *)at = (enum gha_severity)(int)v; break;
  }
}

static bool is_whole(const struct gha_option_def *d) {
  return d->type == GHA_OPT_WORDS || d->type == GHA_OPT_COUNT;
}

/* The range and, for words and counts, a whole number. */
static bool in_range(double v, bool whole, double max) {
  return isfinite(v) && v >= 0 && v <= max && (!whole || v == floor(v));
}

static void must_be(char *what, size_t size, bool whole, double max) {
  snprintf(what, size, "a %s from 0 to %.10g", whole ? "whole number" : "number", max);
}

static int check_number(const struct gha_option_def *d, double v, char *why,
                        size_t size) {
  char what[96];
  if (in_range(v, is_whole(d), d->max))
    return 0;
  must_be(what, sizeof what, is_whole(d), d->max);
  return reject(why, size, d, what);
}

int gha_number_parse(const char *text, bool whole, double max, double *out, char *why,
                     size_t size) {
  /* digits (and for reals one point and an exponent) only: strtod would
   * also take "nan", "inf", hex and leading blanks */
  const char *allowed = whole ? "0123456789" : "0123456789.eE+-";
  double v = NAN;
  if (text[0] && strspn(text, allowed) == strlen(text) && text[0] != '-' &&
      text[0] != '+') {
    char *end;
    errno = 0;
    v = strtod(text, &end);
    if (errno || *end)
      v = NAN;
  }
  if (!in_range(v, whole, max)) {
    if (why && size)
      must_be(why, size, whole, max);
    return -1;
  }
  *out = v;
  return 0;
}

int gha_option_set_number(struct gha_options *o, const struct gha_option_def *d,
                          double v, char *why, size_t size) {
  if (d->type == GHA_OPT_SEVERITY)
    return reject(why, size, d, "one of info, warning, error, never");
  if (check_number(d, v, why, size) < 0)
    return -1;
  store(o, d, v);
  return 0;
}

int gha_option_parse(struct gha_options *o, const struct gha_option_def *d,
                     const char *text, char *why, size_t size) {
  if (d->type == GHA_OPT_SEVERITY) {
    int s = gha_severity_parse(text);
    if (s < 0)
      return reject(why, size, d, "one of info, warning, error, never");
    store(o, d, s);
    return 0;
  }
  double v;
  if (gha_number_parse(text, is_whole(d), d->max, &v, NULL, 0) < 0)
    return check_number(d, NAN, why, size);
  return gha_option_set_number(o, d, v, why, size);
}
