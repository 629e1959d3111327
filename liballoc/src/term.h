/* term.h -- how a gh_term word is tagged (BEAM's scheme, erl_term.h).
 *
 * The two low bits are the primary tag:
 *   00 header   first word of a boxed object on the heap (never a value)
 *   01 list     pointer to a cons cell (2 words: car, cdr)
 *   10 boxed    pointer to a header word
 *   11 immediate; low 4 bits 1111 small integer, 0111 pid, 1011 immed2
 *      whose low 6 bits are 001011 atom, 111011 nil, 011011 stack frame.
 * A header keeps its subtag in bits 2..5 and its arity (payload words) above.
 *
 * The collector relies on two facts of this encoding.  A cons cell's car is
 * never a header, so a linear scan of a heap tells objects apart; and a
 * moved object is marked in place: a boxed object's header becomes a boxed
 * pointer to the copy, a cons cell's car becomes GH_NON_VALUE and its cdr the
 * new list pointer (erl_gc.h: move_boxed, move_cons).
 */
#ifndef GH_TERM_H
#define GH_TERM_H

#include "internal.h"

#define GH_TAG_MASK 0x3u
#define GH_TAG_HEADER 0x0u
#define GH_TAG_LIST 0x1u
#define GH_TAG_BOXED 0x2u
#define GH_TAG_IMMED 0x3u

#define GH_IMM_SMALL 0xFu
#define GH_IMM_PID 0x7u
#define GH_IMM2_ATOM 0x0Bu
#define GH_IMM2_FRAME 0x1Bu /* the bottom stack frame (BEAM's CP) */

/* Never a term: marks a moved cons cell. */
#define GH_NON_VALUE ((gh_term)0)

/* Header subtags (BEAM's numbering). */
enum {
  GH_SUB_TUPLE = 0,
  GH_SUB_FLOAT = 6,
  GH_SUB_REFC_BIN = 8,
  GH_SUB_HEAP_BIN = 9,
  GH_SUB_SUB_BIN = 10
};

#define GH_SUB_BIN_WORDS 5 /* header, size, offset, flags, orig */

static inline unsigned term_tag(gh_term t) { return (unsigned)(t & GH_TAG_MASK); }
static inline bool is_list(gh_term t) { return term_tag(t) == GH_TAG_LIST; }
static inline bool is_boxed(gh_term t) { return term_tag(t) == GH_TAG_BOXED; }
static inline bool is_header(gh_term t) { return term_tag(t) == GH_TAG_HEADER; }
static inline bool is_pointer(gh_term t) { return (t & 0x3u) == 1 || (t & 0x3u) == 2; }
/* A pointer term to an address that is not a multiple of the word size:
 * never a term. */
static inline bool is_misaligned(gh_term t) { return (t & 0x4u) != 0; }

static inline gh_term *term_ptr(gh_term t) { return (gh_term *)(uintptr_t)(t & ~(gh_term)GH_TAG_MASK); }
static inline gh_term make_list(const gh_term *cell) { return (gh_term)(uintptr_t)cell | GH_TAG_LIST; }
static inline gh_term make_boxed(const gh_term *obj) { return (gh_term)(uintptr_t)obj | GH_TAG_BOXED; }

static inline gh_term make_header(unsigned subtag, size_t arity) {
  return ((gh_term)arity << 6) | ((gh_term)subtag << 2);
}
static inline unsigned header_subtag(gh_term h) { return (unsigned)((h >> 2) & 0xFu); }
static inline size_t header_arity(gh_term h) { return (size_t)(h >> 6); }

/* Words of the whole boxed object that starts with header h.  A sub-binary's
 * orig word is not in its arity, so that a scan, which skips only the arity's
 * raw words, visits orig as a term: the collector then keeps the original
 * binary alive and updates the pointer when it moves.  BEAM's ErlSubBin has
 * the same layout up to OTP 26 (erl_binary.h: HEADER_SUB_BIN has arity
 * ERL_SUB_BIN_SIZE - 2). */
static inline size_t object_words(gh_term h) {
  size_t n = header_arity(h) + 1;
  return header_subtag(h) == GH_SUB_SUB_BIN ? n + 1 : n;
}

/* Words a scan skips after a header: a tuple's elements are terms to scan;
 * every other object's payload is raw (a sub-binary's orig comes after). */
static inline size_t header_skip(gh_term h) {
  return header_subtag(h) == GH_SUB_TUPLE ? 1 : header_arity(h) + 1;
}

static inline size_t heap_bin_words(size_t bytes) { return 2 + (bytes + 7) / 8; }

static inline gh_term frame_marker(void) { return GH_IMM2_FRAME; }

/* Is an immediate one of the value kinds (not a header, not the frame)? */
static inline bool immediate_is_value(gh_term t) {
  unsigned low4 = (unsigned)(t & 0xF);
  return low4 == GH_IMM_SMALL || low4 == GH_IMM_PID || t == GH_NIL ||
         (t & 0x3F) == GH_IMM2_ATOM;
}

/* Validates a term argument in O(1) (genheap.h, "What a term argument may
 * be"): an immediate must be a value, a pointer word-aligned and into this
 * process's heaps.  The young heap, where nearly every argument lives, is
 * checked inline; the old heap and fragments out of line.  Whether a pointer
 * is at the start of a term is not checked here: that takes a scan of the
 * area (gh_verify_term). */
static inline gh_status check_term(const gh_proc *p, gh_term t) {
  if (!is_pointer(t))
    return immediate_is_value(t) ? GH_OK : GH_ERR_BADARG;
  if (GH_UNLIKELY(is_misaligned(t)))
    return GH_ERR_BADARG;
  const gh_term *x = term_ptr(t);
  if (GH_LIKELY(x >= p->fast.heap && x < p->fast.htop))
    return GH_OK;
  return gh__term_is_local(p, t) ? GH_OK : GH_ERR_FOREIGN_TERM;
}

#endif /* GH_TERM_H */
