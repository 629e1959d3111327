/* alloc.c -- every byte genheap holds comes through the host's allocator.
 *
 * The wrappers keep the runtime's bytes_allocated figure, which the fault
 * injection tests use to prove nothing leaks after a failed allocation.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void *gh__alloc(gh_runtime *rt, size_t bytes) {
  void *p = rt->allocator.alloc(rt->allocator.ctx, bytes);
  if (p)
    atomic_fetch_add(&rt->bytes_allocated, bytes);
  return p;
}

void *gh__realloc(gh_runtime *rt, void *ptr, size_t old_bytes, size_t new_bytes) {
  void *n;
  if (rt->allocator.realloc) {
    n = rt->allocator.realloc(rt->allocator.ctx, ptr, old_bytes, new_bytes);
  } else {
    n = rt->allocator.alloc(rt->allocator.ctx, new_bytes);
    if (n) {
      memcpy(n, ptr, old_bytes < new_bytes ? old_bytes : new_bytes);
      rt->allocator.free(rt->allocator.ctx, ptr, old_bytes);
    }
  }
  if (n) {
    atomic_fetch_add(&rt->bytes_allocated, new_bytes);
    atomic_fetch_sub(&rt->bytes_allocated, old_bytes);
  }
  return n;
}

void gh__free(gh_runtime *rt, void *ptr, size_t bytes) {
  if (!ptr)
    return;
  rt->allocator.free(rt->allocator.ctx, ptr, bytes);
  atomic_fetch_sub(&rt->bytes_allocated, bytes);
}

/* Heap blocks also count in the runtime's heap_words. */
gh_term *gh__alloc_words(gh_runtime *rt, size_t words) {
  if (words > SIZE_MAX / sizeof(gh_term))
    return NULL;
  gh_term *b = gh__alloc(rt, words * sizeof(gh_term));
  if (b)
    atomic_fetch_add(&rt->heap_words, words);
  return b;
}

void gh__free_words(gh_runtime *rt, gh_term *block, size_t words) {
  if (!block)
    return;
  gh__free(rt, block, words * sizeof(gh_term));
  atomic_fetch_sub(&rt->heap_words, words);
}

/* The default backing allocator: the C library's. */
static void *libc_alloc(void *ctx, size_t bytes) { return malloc(bytes); }
static void *libc_realloc(void *ctx, void *p, size_t o, size_t n) { return realloc(p, n); }
static void libc_free(void *ctx, void *p, size_t bytes) { free(p); }

const gh_allocator gh__libc_allocator = {libc_alloc, libc_realloc, libc_free, NULL};
