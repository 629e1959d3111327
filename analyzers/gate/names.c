/* names.c -- the gate's rows, one per (host, name) of a run (gate.h): a
 * dense array and an open-addressing index, as the core's process table. */
#include "gate.h"

#include <stdlib.h>
#include <string.h>

const char *gha_figure_name(enum gha_figure f) {
  switch (f) {
  case GHA_FIG_OLD_HEAP: return "peak_old_heap_words";
  case GHA_FIG_WASTE: return "peak_waste_words";
  case GHA_FIG_BINARY_WASTE: return "peak_binary_waste_words";
  default: return "?";
  }
}

static uint64_t hash(const char *host, const char *name) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a over host, a 0, name */
  for (const unsigned char *c = (const unsigned char *)host; *c; c++)
    h = (h ^ *c) * 1099511628211ull;
  h *= 1099511628211ull;
  for (const unsigned char *c = (const unsigned char *)name; *c; c++)
    h = (h ^ *c) * 1099511628211ull;
  return h ^ (h >> 31);
}

static size_t slot_of(const struct gha_names *t, const char *host, const char *name) {
  size_t mask = t->index_cap - 1;
  size_t i = hash(host, name) & mask;
  while (t->index[i]) {
    const struct gha_name_row *r = &t->v[t->index[i] - 1];
    if (strcmp(r->name, name) == 0 && strcmp(r->host, host) == 0)
      break;
    i = (i + 1) & mask;
  }
  return i;
}

const struct gha_name_row *gha_names_find(const struct gha_names *t, const char *host,
                                          const char *name) {
  if (!t->index_cap)
    return NULL;
  size_t i = slot_of(t, host, name);
  return t->index[i] ? &t->v[t->index[i] - 1] : NULL;
}

static bool grow_index(struct gha_names *t) {
  size_t cap = t->index_cap ? t->index_cap * 2 : 64;
  uint32_t *fresh = calloc(cap, sizeof *fresh);
  if (!fresh)
    return false;
  free(t->index);
  t->index = fresh;
  t->index_cap = cap;
  for (size_t k = 0; k < t->n; k++)
    t->index[slot_of(t, t->v[k].host, t->v[k].name)] = (uint32_t)k + 1;
  return true;
}

static void note_host(struct gha_names *t, const char *host) {
  if (!t->first_host)
    t->first_host = strdup(host);
  else if (!t->many_hosts && strcmp(t->first_host, host) != 0)
    t->many_hosts = true;
}

struct gha_name_row *gha_names_row(struct gha_names *t, const char *host,
                                   const char *name) {
  note_host(t, host);
  if ((t->n + 1) * 2 > t->index_cap && !grow_index(t))
    return NULL;
  size_t i = slot_of(t, host, name);
  if (t->index[i])
    return &t->v[t->index[i] - 1];
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    struct gha_name_row *grown = realloc(t->v, cap * sizeof *grown);
    if (!grown)
      return NULL;
    t->v = grown;
    t->cap = cap;
  }
  struct gha_name_row *r = &t->v[t->n];
  memset(r, 0, sizeof *r);
  r->host = strdup(host);
  r->name = strdup(name);
  if (!r->host || !r->name) {
    free(r->host);
    free(r->name);
    return NULL;
  }
  t->index[i] = (uint32_t)++t->n;
  return r;
}

void gha_names_free(struct gha_names *t) {
  for (size_t i = 0; i < t->n; i++) {
    free(t->v[i].host);
    free(t->v[i].name);
  }
  free(t->v);
  free(t->index);
  free(t->first_host);
  memset(t, 0, sizeof *t);
}
