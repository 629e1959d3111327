/* jsonread.c -- a streaming JSON reader (jsonread.h): recursive descent
 * over getc, one callback per value, the path as context. */
#include "jsonread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define STRING_MAX (1u << 20) /* a longer string is not a report's */

struct reader {
  FILE *f;
  uint64_t off; /* bytes consumed */
  struct gha_jr_path path;
  char *buf; /* the string at hand */
  size_t len, cap;
  gha_jr_fn fn;
  void *ctx;
  char *why;
  size_t size;
};

bool gha_jr_at(const struct gha_jr_path *p, ...) {
  va_list ap;
  va_start(ap, p);
  unsigned d = 0;
  const char *step;
  bool ok = true;
  while (ok && (step = va_arg(ap, const char *))) {
    if (d >= p->depth)
      ok = false;
    else if (strcmp(step, "#") == 0)
      ok = p->at[d].in_array;
    else
      ok = !p->at[d].in_array && strcmp(p->at[d].key, step) == 0;
    d++;
  }
  va_end(ap);
  return ok && d == p->depth;
}

__attribute__((format(printf, 2, 3))) static int bad(struct reader *r, const char *fmt,
                                                     ...) {
  if (r->why[0])
    return -1; /* the first problem is the one to tell */
  int n =
      snprintf(r->why, r->size,
               "not JSON at byte %llu: ", (unsigned long long)(r->off ? r->off - 1 : 0));
  if (n >= 0 && (size_t)n < r->size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why + n, r->size - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static int next(struct reader *r) {
  int c = getc_unlocked(r->f);
  if (c != EOF)
    r->off++;
  return c;
}

static int skip_space(struct reader *r) {
  int c;
  do
    c = next(r);
  while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
  return c;
}

static int emit(struct reader *r, enum gha_jr_kind kind, const char *str, double num) {
  struct gha_jr_value v = {kind, str, num};
  if (r->fn(r->ctx, &r->path, &v, r->why, r->size) < 0) {
    if (!r->why[0])
      snprintf(r->why, r->size, "stopped at byte %llu", (unsigned long long)r->off);
    return -1;
  }
  return 0;
}

static int grow(struct reader *r) {
  {
    size_t cap = r->cap ? r->cap * 2 : 256;
    if (cap > STRING_MAX)
      return bad(r, "a string longer than %u bytes", STRING_MAX);
    char *grown = realloc(r->buf, cap);
    if (!grown)
      return bad(r, "out of memory");
    r->buf = grown;
    r->cap = cap;
  }
  return 0;
}

static inline int put(struct reader *r, char c) {
  if (r->len + 1 >= r->cap && grow(r) < 0)
    return -1;
  r->buf[r->len++] = c;
  return 0;
}

static int put_utf8(struct reader *r, uint32_t cp) {
  char b[4];
  int n;
  if (cp < 0x80) {
    b[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    b[0] = (char)(0xC0 | cp >> 6);
    b[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = (char)(0xE0 | cp >> 12);
    b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    b[0] = (char)(0xF0 | cp >> 18);
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  for (int i = 0; i < n; i++)
    if (put(r, b[i]) < 0)
      return -1;
  return 0;
}

static int hex4(struct reader *r, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    int c = next(r);
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return bad(r, "a \\u escape needs four hex digits");
    v = v << 4 | (uint32_t)d;
  }
  *out = v;
  return 0;
}

static int escape(struct reader *r) {
  int c = next(r);
  const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
  const char *at = c > 0 ? strchr(from, c) : NULL;
  if (at && c != 'u')
    return put(r, to[at - from]);
  if (c != 'u')
    return bad(r, "unknown escape");
  uint32_t cp, lo;
  if (hex4(r, &cp) < 0)
    return -1;
  if (cp >= 0xD800 && cp < 0xDC00) { /* a surrogate pair */
    if (next(r) != '\\' || next(r) != 'u' || hex4(r, &lo) < 0 || lo < 0xDC00 ||
        lo > 0xDFFF)
      return bad(r, "a lone UTF-16 surrogate");
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  } else if (cp >= 0xDC00 && cp < 0xE000) {
    return bad(r, "a lone UTF-16 surrogate");
  }
  if (cp == 0)
    return bad(r, "\\u0000 in a string");
  return put_utf8(r, cp);
}

/* The string after its opening quote, into r->buf. */
static int string(struct reader *r) {
  r->len = 0;
  for (;;) {
    int c = getc_unlocked(r->f);
    if (c == EOF)
      return bad(r, "the text ends inside a string");
    r->off++;
    if (c == '"')
      break;
    if (c < 0x20)
      return bad(r, "a control character in a string");
    if (c == '\\') {
      if (escape(r) < 0)
        return -1;
    } else if (r->len + 1 < r->cap) {
      r->buf[r->len++] = (char)c; /* the common case: room, no escape */
    } else if (put(r, (char)c) < 0) {
      return -1;
    }
  }
  return put(r, '\0');
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, first character c; the
 * character after it is left in *follow. */
static int number(struct reader *r, int c, double *out, int *follow) {
  char text[80];
  size_t n = 0;
#define TAKE()                                                                           \
  do {                                                                                   \
    if (n + 1 >= sizeof text)                                                            \
      return bad(r, "a number too long");                                                \
    text[n++] = (char)c;                                                                 \
    c = next(r);                                                                         \
  } while (0)
  if (c == '-')
    TAKE();
  if (c == '0')
    TAKE();
  else if (c >= '1' && c <= '9')
    while (c >= '0' && c <= '9')
      TAKE();
  else
    return bad(r, "a malformed number");
  if (c == '.') {
    TAKE();
    if (!(c >= '0' && c <= '9'))
      return bad(r, "a malformed number");
    while (c >= '0' && c <= '9')
      TAKE();
  }
  if (c == 'e' || c == 'E') {
    TAKE();
    if (c == '+' || c == '-')
      TAKE();
    if (!(c >= '0' && c <= '9'))
      return bad(r, "a malformed number");
    while (c >= '0' && c <= '9')
      TAKE();
  }
#undef TAKE
  text[n] = '\0';
  *out = strtod(text, NULL);
  *follow = c;
  return 0;
}

static int literal(struct reader *r, const char *rest) {
  for (; *rest; rest++)
    if (next(r) != *rest)
      return bad(r, "an unknown word");
  return 0;
}

static int value(struct reader *r, int c, int *follow);

/* Enters one level: the member key or element index goes in at[depth]. */
static int push(struct reader *r, bool in_array) {
  if (r->path.depth >= GHA_JR_DEPTH)
    return bad(r, "nested deeper than %d", GHA_JR_DEPTH);
  r->path.at[r->path.depth].in_array = in_array;
  r->path.at[r->path.depth].index = 0;
  r->path.at[r->path.depth].key[0] = '\0';
  r->path.depth++;
  return 0;
}

static int object(struct reader *r) {
  if (emit(r, GHA_JR_OBJECT, NULL, 0) < 0 || push(r, false) < 0)
    return -1;
  int c = skip_space(r);
  if (c != '}')
    for (;;) {
      if (c != '"')
        return bad(r, "a member name must be a string");
      if (string(r) < 0)
        return -1;
      /* cut to the key's room: keys are compared on their start only */
      size_t len = r->len - 1 < GHA_JR_KEY - 1 ? r->len - 1 : GHA_JR_KEY - 1;
      memcpy(r->path.at[r->path.depth - 1].key, r->buf, len);
      r->path.at[r->path.depth - 1].key[len] = '\0';
      if (skip_space(r) != ':')
        return bad(r, "':' expected after a member name");
      if (value(r, skip_space(r), &c) < 0)
        return -1;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        c = skip_space(r);
      if (c == '}')
        break;
      if (c != ',')
        return bad(r, "',' or '}' expected in an object");
      c = skip_space(r);
    }
  r->path.depth--;
  return emit(r, GHA_JR_END, NULL, 0);
}

static int array(struct reader *r) {
  if (emit(r, GHA_JR_ARRAY, NULL, 0) < 0 || push(r, true) < 0)
    return -1;
  int c = skip_space(r);
  if (c != ']')
    for (uint64_t i = 0;; i++) {
      r->path.at[r->path.depth - 1].index = i;
      if (value(r, c, &c) < 0)
        return -1;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        c = skip_space(r);
      if (c == ']')
        break;
      if (c != ',')
        return bad(r, "',' or ']' expected in an array");
      c = skip_space(r);
    }
  r->path.depth--;
  return emit(r, GHA_JR_END, NULL, 0);
}

/* One value whose first character is c; the character after it (read to
 * find a number's end) or the next one goes in *follow. */
static int value(struct reader *r, int c, int *follow) {
  int rc;
  double num = 0;
  switch (c) {
  case '{': rc = object(r); break;
  case '[': rc = array(r); break;
  case '"': rc = string(r) < 0 ? -1 : emit(r, GHA_JR_STRING, r->buf, 0); break;
  case 't': rc = literal(r, "rue") < 0 ? -1 : emit(r, GHA_JR_BOOL, NULL, 1); break;
  case 'f': rc = literal(r, "alse") < 0 ? -1 : emit(r, GHA_JR_BOOL, NULL, 0); break;
  case 'n': rc = literal(r, "ull") < 0 ? -1 : emit(r, GHA_JR_NULL, NULL, 0); break;
  case EOF: return bad(r, "the text ends where a value was expected");
  default:
    if (number(r, c, &num, follow) < 0 || emit(r, GHA_JR_NUMBER, NULL, num) < 0)
      return -1;
    return 0;
  }
  if (rc == 0)
    *follow = next(r);
  return rc;
}

int gha_jr_read(FILE *f, gha_jr_fn fn, void *ctx, char *why, size_t size) {
  struct reader r = {.f = f, .fn = fn, .ctx = ctx, .why = why, .size = size};
  why[0] = '\0';
  int c;
  int rc = value(&r, skip_space(&r), &c);
  if (rc == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
    c = skip_space(&r);
  if (rc == 0 && c != EOF)
    rc = bad(&r, "text after the value");
  if (rc == 0 && ferror(f)) {
    snprintf(why, size, "read error: %s", strerror(errno ? errno : EIO));
    rc = -1;
  }
  free(r.buf);
  return rc;
}
