/* trace-event-check.c -- checks a --perfetto file against the Trace Event
 * Format's documented fields (the "JSON Object Format": an object whose
 * "traceEvents" array holds the events), then prints what it holds, one
 * line per track, for the shell tests to grep:
 *
 *   process PID NAME                 (its process_name metadata)
 *   counter PID NAME MAX LAST COUNT  (a "C" track: its "words" argument)
 *   slice PID NAME COUNT             ("X" events, per name)
 *   instant PID SCOPE NAME           ("i" events)
 *
 * Every event: "name" a non-empty string, "ph" one of M C X i, "pid" and
 * "tid" whole numbers that fit 32 bits, "ts" a number >= 0 (microseconds).
 * "X": "dur" a number >= 0, and the slices of one thread never overlap
 * unless nested.  "i": "s" one of g, p, t.  "C": "args" an object of
 * numbers.  "M": process_name and thread_name with a string args.name,
 * process_sort_index with a whole args.sort_index.  Every pid of an event
 * has a process_name.  "displayTimeUnit", when present, is "ms" or "ns".
 * Exit 1, with the first violation on stderr, when any fails.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minijson.h"

static int bad(size_t i, const char *what) {
  fprintf(stderr, "trace-event-check: event %zu: %s\n", i, what);
  exit(1);
}

static char *slurp(FILE *f) {
  size_t cap = 1 << 16, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == cap && !(buf = realloc(buf, cap *= 2)))
      return NULL;
  }
  if (buf)
    buf[n] = 0;
  return buf;
}

static bool whole_u32(const struct mj *v) {
  return v && v->type == MJ_NUMBER && v->num >= 0 && v->num <= 4294967295.0 &&
         v->num == floor(v->num);
}

static const char *string_of(const struct mj *v) {
  return v && v->type == MJ_STRING ? v->str : NULL;
}

/* One line per (pid, phase, name), in first-seen order. */
struct track {
  unsigned pid;
  char ph;
  char name[96];
  double max, last, ts_last;
  size_t count;
  double busy_until; /* "X": the end of the last slice */
  const char *scope;
};

static struct track *tracks;
static size_t ntracks;

static struct track *track_of(unsigned pid, char ph, const char *name) {
  for (size_t i = 0; i < ntracks; i++)
    if (tracks[i].pid == pid && tracks[i].ph == ph && strcmp(tracks[i].name, name) == 0)
      return &tracks[i];
  tracks = realloc(tracks, (ntracks + 1) * sizeof *tracks);
  if (!tracks)
    exit(2);
  struct track *t = &tracks[ntracks++];
  memset(t, 0, sizeof *t);
  t->pid = pid;
  t->ph = ph;
  snprintf(t->name, sizeof t->name, "%s", name);
  return t;
}

/* The slices of one thread (in one pid: tid == pid here) one after the
 * other: no overlap, in time order. */
static double *thread_busy;
static size_t nthreads;

int main(int argc, char **argv) {
  FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
  char *text = f ? slurp(f) : NULL;
  struct mj *doc = text ? mj_parse(text) : NULL;
  if (!doc || doc->type != MJ_OBJECT) {
    fprintf(stderr, "trace-event-check: not a JSON object\n");
    return 1;
  }
  const struct mj *unit = mj_get(doc, "displayTimeUnit");
  if (unit && (!string_of(unit) || (strcmp(unit->str, "ms") && strcmp(unit->str, "ns"))))
    bad(0, "displayTimeUnit is not \"ms\" or \"ns\"");
  const struct mj *evs = mj_get(doc, "traceEvents");
  if (!evs || evs->type != MJ_ARRAY)
    bad(0, "no traceEvents array");
  unsigned *named = NULL;
  size_t nnamed = 0;
  for (size_t i = 0; mj_at(evs, i); i++) {
    const struct mj *e = mj_at(evs, i);
    if (e->type != MJ_OBJECT)
      bad(i, "not an object");
    const char *name = string_of(mj_get(e, "name"));
    const char *ph = string_of(mj_get(e, "ph"));
    if (!name || !name[0])
      bad(i, "no name");
    if (!ph || strlen(ph) != 1 || !strchr("MCXi", ph[0]))
      bad(i, "ph is not one of M C X i");
    if (!whole_u32(mj_get(e, "pid")) || !whole_u32(mj_get(e, "tid")))
      bad(i, "pid or tid is not a whole number of 32 bits");
    const struct mj *ts = mj_get(e, "ts");
    if (!ts || ts->type != MJ_NUMBER || ts->num < 0)
      bad(i, "ts is not a number >= 0");
    unsigned pid = (unsigned)mj_get(e, "pid")->num;
    const struct mj *args = mj_get(e, "args");
    if (args && args->type != MJ_OBJECT)
      bad(i, "args is not an object");
    switch (ph[0]) {
    case 'M':
      if (strcmp(name, "process_name") == 0 || strcmp(name, "thread_name") == 0) {
        const char *n = args ? string_of(mj_get(args, "name")) : NULL;
        if (!n)
          bad(i, "a name metadata event without args.name");
        if (name[0] == 'p') {
          named = realloc(named, (nnamed + 1) * sizeof *named);
          named[nnamed++] = pid;
          printf("process %u %s\n", pid, n);
        }
      } else if (strcmp(name, "process_sort_index") == 0) {
        if (!args || !whole_u32(mj_get(args, "sort_index")))
          bad(i, "process_sort_index without a whole args.sort_index");
      } else {
        bad(i, "unknown metadata event");
      }
      break;
    case 'C': {
      if (!args || args->n == 0)
        bad(i, "a counter without args");
      for (size_t k = 0; k < args->n; k++)
        if (args->items[k]->type != MJ_NUMBER)
          bad(i, "a counter argument that is not a number");
      const struct mj *words = mj_get(args, "words");
      struct track *t = track_of(pid, 'C', name);
      if (t->count && ts->num < t->ts_last)
        bad(i, "a counter track goes back in time");
      double v = words ? words->num : args->items[0]->num;
      t->max = t->count && t->max > v ? t->max : v;
      t->last = v;
      t->ts_last = ts->num;
      t->count++;
      break;
    }
    case 'X': {
      const struct mj *dur = mj_get(e, "dur");
      if (!dur || dur->type != MJ_NUMBER || dur->num < 0)
        bad(i, "a complete event without a dur >= 0");
      if (pid >= nthreads) {
        thread_busy = realloc(thread_busy, (pid + 1) * sizeof *thread_busy);
        for (size_t k = nthreads; k <= pid; k++)
          thread_busy[k] = 0;
        nthreads = pid + 1;
      }
      /* 1 ns of rounding: both ends are printed in microseconds */
      if (ts->num + 0.001 < thread_busy[pid])
        bad(i, "a slice overlaps the one before it on its thread");
      thread_busy[pid] = ts->num + dur->num;
      track_of(pid, 'X', name)->count++;
      break;
    }
    case 'i': {
      const char *s = string_of(mj_get(e, "s"));
      if (!s || strlen(s) != 1 || !strchr("gpt", s[0]))
        bad(i, "an instant event's scope is not g, p or t");
      struct track *t = track_of(pid, 'i', name);
      t->scope = s;
      t->count++;
      break;
    }
    }
  }
  for (size_t k = 0; k < ntracks; k++) {
    const struct track *t = &tracks[k];
    bool has_name = false;
    for (size_t j = 0; j < nnamed; j++)
      has_name |= named[j] == t->pid;
    if (!has_name)
      bad(k, "a pid without process_name metadata");
    if (t->ph == 'C')
      printf("counter %u %s %.0f %.0f %zu\n", t->pid, t->name, t->max, t->last, t->count);
    else if (t->ph == 'X')
      printf("slice %u %s %zu\n", t->pid, t->name, t->count);
    else
      printf("instant %u %s %s\n", t->pid, t->scope, t->name);
  }
  /* freed so that the sanitizer build's leak check can pass */
  free(named);
  free(thread_busy);
  free(tracks);
  mj_free(doc);
  free(text);
  if (f != stdin)
    fclose(f);
  return 0;
}
