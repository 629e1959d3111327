/* wstack.h -- an explicit stack of terms for iterative traversals.
 *
 * Terms can nest arbitrarily deep (a list of lists of ...), so traversals
 * that would recurse use this instead of the C stack.  It starts inline and
 * grows through the runtime's allocator (genheap.h: every byte comes from
 * it); a failed growth is remembered in `failed` and the caller reports
 * GH_ERR_NOMEM.
 */
#ifndef GH_WSTACK_H
#define GH_WSTACK_H

#include "internal.h"

#include <string.h>

#define GH_WSTACK_INLINE 64

struct wstack { /* typedef'd in internal.h */
  gh_runtime *rt; /* whose allocator the stack grows with */
  gh_term *items;
  size_t len, cap;
  bool failed;
  gh_term inline_items[GH_WSTACK_INLINE];
};

static inline void ws_init(wstack *ws, gh_runtime *rt) {
  GH_ASSERT(rt != NULL);
  ws->rt = rt;
  ws->items = ws->inline_items;
  ws->len = 0;
  ws->cap = GH_WSTACK_INLINE;
  ws->failed = false;
}

static inline void ws_release(wstack *ws) {
  if (ws->items == ws->inline_items)
    return;
  gh__free(ws->rt, ws->items, ws->cap * sizeof(gh_term));
  ws->items = ws->inline_items;
}

static inline bool ws_grow(wstack *ws) {
  size_t ncap = ws->cap * 2;
  gh_term *n = gh__alloc(ws->rt, ncap * sizeof(gh_term));
  if (!n) {
    ws->failed = true;
    return false;
  }
  memcpy(n, ws->items, ws->len * sizeof(gh_term));
  ws_release(ws);
  ws->items = n;
  ws->cap = ncap;
  return true;
}

static inline void ws_push(wstack *ws, gh_term t) {
  if (ws->len == ws->cap && !ws_grow(ws))
    return;
  ws->items[ws->len++] = t;
}

static inline bool ws_empty(const wstack *ws) { return ws->len == 0; }
static inline gh_term ws_pop(wstack *ws) { return ws->items[--ws->len]; }

#endif /* GH_WSTACK_H */
