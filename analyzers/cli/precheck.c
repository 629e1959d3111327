/* precheck.c -- validates a CTF trace folder before babeltrace2 reads it
 * (see precheck.h for why).
 *
 * Three passes, each bounded by the size of the files:
 *
 * 1. metadata: a packetized metadata file (CTF 1.8, magic 0x75d11d57) is a
 *    run of packets, each a 37-byte header (magic, uuid, checksum,
 *    content_size, packet_size, compression, encryption and checksum
 *    schemes, major, minor) then TSDL text.  babeltrace2's decoder loops
 *    forever when a packet's content runs past the end of the file, so every
 *    header is checked against the file before the text is used.
 *
 * 2. TSDL: a small parser finds the packet header layout (trace block) and
 *    each stream class's packet context layout.  It knows integers, arrays
 *    of integers, structs of those and type aliases -- all LTTng uses there.
 *    Anything else before a field it needs leaves the layout unknown: the
 *    streams are then not checked (the watchdog still stands guard).
 *    Fields are found by name, as babeltrace2 does: magic, uuid, stream_id
 *    in the header; timestamp_begin, timestamp_end, content_size,
 *    packet_size, packet_seq_num, events_discarded in the context.
 *
 * 3. streams: every regular file of the folder but `metadata` and hidden
 *    files is a stream (babeltrace2's rule; sub-folders such as index/ are
 *    not).  Each packet's header and context are read (one pread) and its
 *    sizes checked against the layout and the file before the next packet
 *    is found from packet_size: so a size of zero (unbounded index growth
 *    in babeltrace2) or with bit 63 set (an assertion) is caught here.  The
 *    index file of the stream, when there is one, must describe the same
 *    packets; extra entries past the end of the stream mean the stream was
 *    cut at a packet boundary, which is a warning, not an error.
 */
#include "precheck.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define METADATA_MAX (256u << 20) /* far above any real TSDL */
#define TSDL_MAGIC 0x75d11d57u
#define MPH_SIZE 37               /* metadata packet header bytes */
#define CTF_MAGIC 0xc1fc1fc1u
#define IDX_MAGIC 0xc1f1dcc1u
#define IDX_HDR 16
#define IDX_ENTRY_1_0 56          /* 7 x uint64 */
#define IDX_ENTRY_1_1 72          /* + stream_instance_id, packet_seq_num */
#define LAYOUT_MAX_BITS (1u << 20)

bool gha_trace_facts_partial(const struct gha_trace_facts *f) {
  return f->cut_streams > 0;
}

/* ---- messages ------------------------------------------------------------ */

__attribute__((format(printf, 2, 3)))
static int fail(struct gha_precheck *pc, const char *fmt, ...) {
  if (pc->error[0])
    return -1; /* the first error is the one worth reading */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pc->error, sizeof pc->error, fmt, ap);
  va_end(ap);
  return -1;
}

__attribute__((format(printf, 2, 3)))
static void warn(struct gha_precheck *pc, const char *fmt, ...) {
  char line[GHA_PRECHECK_MSG];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  char **grown = realloc(pc->warnings, (pc->nwarnings + 1) * sizeof *grown);
  if (!grown)
    return;
  pc->warnings = grown;
  if ((grown[pc->nwarnings] = strdup(line)))
    pc->nwarnings++;
}

void gha_precheck_free(struct gha_precheck *pc) {
  for (size_t i = 0; i < pc->nwarnings; i++)
    free(pc->warnings[i]);
  free(pc->warnings);
  pc->warnings = NULL;
  pc->nwarnings = 0;
}

/* ---- bytes --------------------------------------------------------------- */

static uint64_t get_uint(const uint8_t *p, unsigned bytes, bool big) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; i++)
    v = (v << 8) | p[big ? i : bytes - 1 - i];
  return v;
}

static void format_uuid(const uint8_t u[16], char out[37]) {
  snprintf(out, 37,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
           u[11], u[12], u[13], u[14], u[15]);
}

static bool parse_uuid(const char *s, size_t n, uint8_t out[16]) {
  size_t k = 0;
  for (size_t i = 0; i < n && k < 32; i++) {
    char c = s[i];
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (c == '-')
      continue;
    if (v < 0)
      return false;
    if (k % 2 == 0)
      out[k / 2] = (uint8_t)(v << 4);
    else
      out[k / 2] |= (uint8_t)v;
    k++;
  }
  return k == 32;
}

/* Opens `path` for reading without ever blocking (a FIFO put in place of a
 * file) and insists on a regular file.  The fd, or -1 after `fail`. */
static int open_regular(struct gha_precheck *pc, const char *path,
                        struct stat *st) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return fail(pc, "%s: %s", path, strerror(errno));
  if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
    close(fd);
    return fail(pc, "%s: not a regular file", path);
  }
  return fd;
}

static bool read_at(int fd, void *buf, size_t n, uint64_t off) {
  uint8_t *p = buf;
  while (n > 0) {
    ssize_t r = pread(fd, p, n, (off_t)off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r;
    n -= (size_t)r;
    off += (uint64_t)r;
  }
  return true;
}

/* ---- pass 1: metadata packets -------------------------------------------- */

struct metadata {
  char *text;            /* TSDL, NUL-terminated */
  bool packetized;
  bool has_uuid;         /* from the packet headers */
  uint8_t uuid[16];
};

/* The TSDL text of the packets, after checking every header. */
static int unpack_metadata(struct gha_precheck *pc, const char *path,
                           const uint8_t *buf, size_t size, struct metadata *md) {
  bool big = get_uint(buf, 4, true) == TSDL_MAGIC;
  char *text = malloc(size + 1);
  size_t len = 0;
  if (!text)
    return fail(pc, "%s: out of memory", path);
  md->text = text;
  for (size_t off = 0; off < size;) {
    const uint8_t *h = buf + off;
    if (size - off < MPH_SIZE)
      return fail(pc, "%s: truncated: %zu bytes after the last packet, less "
                      "than a packet header (at offset %zu)",
                  path, size - off, off);
    if (get_uint(h, 4, big) != TSDL_MAGIC)
      return fail(pc, "%s: bad metadata packet magic 0x%08" PRIx64
                      " at offset %zu (corrupt)",
                  path, get_uint(h, 4, big), off);
    if (off == 0) {
      memcpy(md->uuid, h + 4, 16);
      md->has_uuid = true;
    } else if (memcmp(md->uuid, h + 4, 16) != 0) {
      return fail(pc, "%s: metadata packet at offset %zu has another trace's "
                      "uuid (packets of two traces mixed)",
                  path, off);
    }
    uint64_t checksum = get_uint(h + 20, 4, big);
    uint64_t content = get_uint(h + 24, 4, big), packet = get_uint(h + 28, 4, big);
    unsigned compression = h[32], encryption = h[33], scheme = h[34];
    unsigned major = h[35], minor = h[36];
    if (compression || encryption || scheme || checksum)
      return fail(pc, "%s: metadata packet at offset %zu is compressed, "
                      "encrypted or checksummed (schemes %u/%u/%u): not supported",
                  path, off, compression, encryption, scheme);
    if (major != 1 || minor != 8)
      return fail(pc, "%s: metadata packet at offset %zu has version %u.%u, "
                      "want CTF 1.8",
                  path, off, major, minor);
    if (content < MPH_SIZE * 8 || content % 8 || packet < content || packet % 8)
      return fail(pc, "%s: metadata packet at offset %zu has content_size %"
                      PRIu64 " and packet_size %" PRIu64 " bits (corrupt)",
                  path, off, content, packet);
    if (content / 8 > size - off)
      return fail(pc, "%s: truncated: the metadata packet at offset %zu needs "
                      "%" PRIu64 " bytes, the file has %zu",
                  path, off, content / 8, size - off);
    size_t n = (size_t)(content / 8) - MPH_SIZE;
    memcpy(text + len, h + MPH_SIZE, n);
    len += n;
    /* Padding cut from the last packet loses no text: babeltrace2 reads it. */
    off = packet / 8 > size - off ? size : off + (size_t)(packet / 8);
  }
  text[len] = '\0';
  return 0;
}

static int read_metadata(struct gha_precheck *pc, const char *dir,
                         struct metadata *md) {
  char path[4200];
  snprintf(path, sizeof path, "%s/metadata", dir);
  struct stat st;
  int fd = open_regular(pc, path, &st);
  if (fd < 0)
    return -1;
  if ((uint64_t)st.st_size > METADATA_MAX) {
    close(fd);
    return fail(pc, "%s: %jd bytes: too large for CTF metadata", path,
                (intmax_t)st.st_size);
  }
  size_t size = (size_t)st.st_size;
  uint8_t *buf = malloc(size + 1);
  bool ok = buf && read_at(fd, buf, size, 0);
  close(fd);
  if (!ok) {
    free(buf);
    return fail(pc, "%s: cannot read: %s", path, buf ? strerror(errno) : "out of memory");
  }
  int rc = 0;
  if (size >= 4 && (get_uint(buf, 4, true) == TSDL_MAGIC ||
                    get_uint(buf, 4, false) == TSDL_MAGIC)) {
    md->packetized = true;
    rc = unpack_metadata(pc, path, buf, size, md);
    free(buf);
  } else {
    buf[size] = '\0';
    md->text = (char *)buf;
  }
  return rc;
}

/* ---- pass 2: TSDL packet layout ------------------------------------------ */

enum { BO_TRACE, BO_LE, BO_BE };

struct int_type {
  uint32_t size, align; /* bits */
  int byte_order;
};

/* A struct member: an integer, an array of integers, or something else
 * (enum, variant, string, float, nested struct, sequence), which ends what
 * can be laid out. */
struct field {
  char name[48];
  bool is_int;
  struct int_type t;
  uint32_t count; /* array length, 1 for a scalar */
};

struct type {
  enum { TY_OTHER, TY_INT, TY_STRUCT } kind;
  struct int_type i;
  struct field *fields; /* TY_STRUCT, owned */
  size_t nfields;
  uint32_t align;       /* TY_STRUCT: explicit align(N), or 0 */
};

struct named {
  char name[64];
  bool tag; /* `struct NAME`, else a type alias */
  struct type t;
};

struct stream_class {
  uint64_t id;
  bool has_context;
  struct type context;
};

struct tok {
  enum { T_END, T_IDENT, T_NUM, T_STR, T_PUNCT } kind;
  const char *s;
  size_t n;
  uint64_t num;
  bool num_ok;
};

struct parser {
  const char *p, *end;
  struct tok cur;
  bool bad;
  int depth;
  struct named *names;
  size_t nnames;
  /* what the TSDL says */
  int byte_order; /* BO_LE, BO_BE, or BO_TRACE when unset */
  bool has_uuid;
  uint8_t uuid[16];
  bool has_header;
  struct type header;
  struct stream_class *streams;
  size_t nstreams;
};

static bool is_ident_char(char c, bool first) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (!first && c >= '0' && c <= '9');
}

static void next(struct parser *P) {
  const char *p = P->p, *e = P->end;
  for (;;) { /* blanks and comments */
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
                     *p == '\f' || *p == '\v'))
      p++;
    if (e - p >= 2 && p[0] == '/' && p[1] == '*') {
      const char *q = p + 2;
      while (e - q >= 2 && !(q[0] == '*' && q[1] == '/'))
        q++;
      p = e - q >= 2 ? q + 2 : e;
    } else if (e - p >= 2 && p[0] == '/' && p[1] == '/') {
      while (p < e && *p != '\n')
        p++;
    } else {
      break;
    }
  }
  struct tok *t = &P->cur;
  *t = (struct tok){T_END, p, 0, 0, false};
  if (p >= e) {
    P->p = e;
    return;
  }
  const char *s = p;
  if (is_ident_char(*p, true)) {
    while (p < e && is_ident_char(*p, false))
      p++;
    t->kind = T_IDENT;
  } else if (*p >= '0' && *p <= '9') {
    int base = 10;
    if (e - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
      base = 16;
      p += 2;
    } else if (*p == '0') {
      base = 8;
    }
    uint64_t v = 0;
    bool ok = true;
    for (; p < e; p++) {
      int d = *p >= '0' && *p <= '9'               ? *p - '0'
              : base == 16 && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
              : base == 16 && *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                                                     : -1;
      if (d < 0 || d >= base)
        break;
      if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
        ok = false;
      v = v * (uint64_t)base + (uint64_t)d;
    }
    while (p < e && (*p == 'u' || *p == 'U' || *p == 'l' || *p == 'L'))
      p++;
    t->kind = T_NUM;
    t->num = v;
    t->num_ok = ok;
  } else if (*p == '"') {
    p++;
    s = p;
    while (p < e && *p != '"')
      p += (*p == '\\' && e - p >= 2) ? 2 : 1;
    t->kind = T_STR;
    t->s = s;
    t->n = (size_t)(p - s);
    P->p = p < e ? p + 1 : e;
    return;
  } else {
    t->kind = T_PUNCT;
    p += (e - p >= 2 && p[0] == ':' && p[1] == '=') ? 2 : 1;
  }
  t->s = s;
  t->n = (size_t)(p - s);
  P->p = p;
}

/* The current token is `word` (never a string literal that reads like it). */
static bool is(const struct parser *P, const char *word) {
  size_t n = strlen(word);
  return P->cur.kind != T_END && P->cur.kind != T_STR && P->cur.n == n &&
         memcmp(P->cur.s, word, n) == 0;
}

static bool is_ident(const struct parser *P) { return P->cur.kind == T_IDENT; }

/* The token after the current one, without consuming anything. */
static struct tok peek(const struct parser *P) {
  struct parser copy = *P;
  next(&copy);
  return copy.cur;
}

static bool tok_is(const struct tok *t, const char *word) {
  size_t n = strlen(word);
  return t->kind != T_END && t->kind != T_STR && t->n == n &&
         memcmp(t->s, word, n) == 0;
}

static void expect(struct parser *P, const char *word) {
  if (is(P, word))
    next(P);
  else
    P->bad = true;
}

/* Skips a balanced ( [ { < group starting at the current token. */
static void skip_group(struct parser *P) {
  int depth = 0;
  do {
    if (is(P, "{") || is(P, "[") || is(P, "(") || is(P, "<"))
      depth++;
    else if (is(P, "}") || is(P, "]") || is(P, ")") || is(P, ">"))
      depth--;
    next(P);
  } while (depth > 0 && P->cur.kind != T_END);
}

/* Skips to the `;` ending the current statement (consumed). */
static void skip_statement(struct parser *P) {
  while (P->cur.kind != T_END && !is(P, ";") && !is(P, "}")) {
    if (is(P, "{") || is(P, "[") || is(P, "("))
      skip_group(P);
    else
      next(P);
  }
  if (is(P, ";"))
    next(P);
}

static void copy_name(char *out, size_t cap, const struct tok *t) {
  const char *s = t->s;
  size_t n = t->n;
  if (n > 1 && s[0] == '_') { /* babeltrace2 drops one leading underscore */
    s++;
    n--;
  }
  if (n >= cap)
    n = cap - 1;
  memcpy(out, s, n);
  out[n] = '\0';
}

static void free_type(struct type *t) {
  free(t->fields);
  t->fields = NULL;
  t->nfields = 0;
}

static bool copy_type(struct type *dst, const struct type *src) {
  *dst = *src;
  dst->fields = NULL;
  if (src->kind == TY_STRUCT && src->nfields) {
    dst->fields = malloc(src->nfields * sizeof *dst->fields);
    if (!dst->fields)
      return false;
    memcpy(dst->fields, src->fields, src->nfields * sizeof *dst->fields);
  }
  return true;
}

static const struct named *lookup(const struct parser *P, const char *name,
                                  bool tag) {
  for (size_t i = P->nnames; i-- > 0;) /* the latest definition wins */
    if (P->names[i].tag == tag && strcmp(P->names[i].name, name) == 0)
      return &P->names[i];
  return NULL;
}

static void define(struct parser *P, const char *name, bool tag,
                   const struct type *t) {
  struct named *grown = realloc(P->names, (P->nnames + 1) * sizeof *grown);
  if (!grown) {
    P->bad = true;
    return;
  }
  P->names = grown;
  struct named *n = &grown[P->nnames];
  snprintf(n->name, sizeof n->name, "%s", name);
  n->tag = tag;
  if (copy_type(&n->t, t))
    P->nnames++;
  else
    P->bad = true;
}

static int parse_byte_order(const struct tok *t) {
  if (tok_is(t, "le") || tok_is(t, "little"))
    return BO_LE;
  if (tok_is(t, "be") || tok_is(t, "big") || tok_is(t, "network"))
    return BO_BE;
  return BO_TRACE; /* native */
}

/* `integer { size = N; align = N; byte_order = X; ... }` after `integer`. */
static void parse_integer(struct parser *P, struct type *out) {
  struct int_type it = {0, 0, BO_TRACE};
  bool has_align = false;
  expect(P, "{");
  while (!P->bad && P->cur.kind != T_END && !is(P, "}")) {
    struct tok key = P->cur;
    next(P);
    expect(P, "=");
    if (tok_is(&key, "size") && P->cur.kind == T_NUM && P->cur.num_ok)
      it.size = P->cur.num > 4096 ? 4096 : (uint32_t)P->cur.num;
    else if (tok_is(&key, "align") && P->cur.kind == T_NUM && P->cur.num_ok) {
      it.align = P->cur.num > 4096 ? 4096 : (uint32_t)P->cur.num;
      has_align = true;
    } else if (tok_is(&key, "byte_order"))
      it.byte_order = parse_byte_order(&P->cur);
    skip_statement(P);
  }
  expect(P, "}");
  if (!has_align)
    it.align = it.size % 8 == 0 ? 8 : 1;
  bool sane = it.size >= 1 && it.size <= 64 && it.align >= 1 &&
              (it.align & (it.align - 1)) == 0;
  out->kind = sane ? TY_INT : TY_OTHER;
  out->i = it;
}

static void parse_struct_body(struct parser *P, struct type *out);

/* A type specifier other than an alias name: integer, struct, or one that
 * ends the layout (enum, variant, string, floating_point), skipped up to its
 * declarator. */
static void parse_specifier(struct parser *P, struct type *out) {
  *out = (struct type){.kind = TY_OTHER};
  if (is(P, "integer")) {
    next(P);
    parse_integer(P, out);
    return;
  }
  if (is(P, "struct")) {
    next(P);
    char tag[64] = "";
    if (is_ident(P)) {
      snprintf(tag, sizeof tag, "%.*s", (int)P->cur.n, P->cur.s);
      next(P);
    }
    if (is(P, "{")) {
      next(P);
      parse_struct_body(P, out);
      if (tag[0] && !P->bad)
        define(P, tag, true, out);
    } else if (tag[0]) {
      const struct named *n = lookup(P, tag, true);
      if (n && !copy_type(out, &n->t))
        P->bad = true;
    }
    if (is(P, "align")) { /* struct { ... } align(N) */
      next(P);
      expect(P, "(");
      if (P->cur.kind == T_NUM && P->cur.num_ok && P->cur.num <= 4096 &&
          out->kind == TY_STRUCT)
        out->align = (uint32_t)P->cur.num;
      next(P);
      expect(P, ")");
    }
    return;
  }
  /* enum, variant, string, floating_point: up to the declarator name (an
   * identifier followed by ; [ or ,) or the := of a type alias */
  next(P);
  while (P->cur.kind != T_END && !is(P, ";") && !is(P, ":=") && !is(P, "}")) {
    if (is(P, "{") || is(P, "<") || is(P, "(")) {
      skip_group(P);
      continue;
    }
    if (is_ident(P)) {
      struct tok t = peek(P);
      if (tok_is(&t, ";") || tok_is(&t, "[") || tok_is(&t, ","))
        return;
    }
    next(P);
  }
}

/* Alias names may be several words (`unsigned long`): the identifiers up to
 * the last one before `stop` (the declarator), or all of them when
 * `all` (before a `:=`). */
static void alias_words(struct parser *P, char *out, size_t cap, bool all) {
  size_t len = 0;
  out[0] = '\0';
  while (is_ident(P)) {
    if (!all) {
      struct tok t = peek(P);
      if (t.kind != T_IDENT)
        break;
    }
    int w = snprintf(out + len, cap - len, "%s%.*s", len ? " " : "",
                     (int)P->cur.n, P->cur.s);
    if (w < 0 || (size_t)w >= cap - len)
      P->bad = true;
    else
      len += (size_t)w;
    next(P);
  }
}

static bool is_specifier_keyword(const struct parser *P) {
  return is(P, "integer") || is(P, "struct") || is(P, "enum") ||
         is(P, "variant") || is(P, "string") || is(P, "floating_point");
}

/* A type: a specifier, or an alias name (all the words when `all`). */
static void parse_type(struct parser *P, struct type *out, bool all) {
  *out = (struct type){.kind = TY_OTHER};
  if (is_specifier_keyword(P)) {
    parse_specifier(P, out);
    return;
  }
  char name[64];
  alias_words(P, name, sizeof name, all);
  const struct named *n = lookup(P, name, false);
  if (n && !copy_type(out, &n->t))
    P->bad = true;
}

static void add_field(struct parser *P, struct type *st, const struct field *f) {
  struct field *grown = realloc(st->fields, (st->nfields + 1) * sizeof *grown);
  if (!grown) {
    P->bad = true;
    return;
  }
  st->fields = grown;
  grown[st->nfields++] = *f;
}

/* Members up to the closing brace (consumed), after `{`. */
static void parse_struct_body(struct parser *P, struct type *out) {
  *out = (struct type){.kind = TY_STRUCT};
  if (++P->depth > 16)
    P->bad = true;
  while (!P->bad && P->cur.kind != T_END && !is(P, "}")) {
    if (is(P, "typealias") || is(P, "typedef")) {
      skip_statement(P);
      continue;
    }
    if (!is_ident(P)) {
      P->bad = true;
      break;
    }
    struct type ft;
    parse_type(P, &ft, false);
    for (;;) { /* declarators: NAME [N], ... */
      if (!is_ident(P)) {
        P->bad = true;
        break;
      }
      struct field f = {.is_int = ft.kind == TY_INT, .t = ft.i, .count = 1};
      copy_name(f.name, sizeof f.name, &P->cur);
      next(P);
      for (int dims = 0; is(P, "["); dims++) {
        next(P);
        if (dims == 0 && P->cur.kind == T_NUM && P->cur.num_ok &&
            P->cur.num <= 65536)
          f.count = (uint32_t)P->cur.num;
        else
          f.is_int = false; /* a sequence, or more dimensions */
        while (P->cur.kind != T_END && !is(P, "]"))
          next(P);
        expect(P, "]");
      }
      add_field(P, out, &f);
      if (!is(P, ","))
        break;
      next(P);
    }
    free_type(&ft);
    expect(P, ";");
  }
  expect(P, "}");
  P->depth--;
}

/* `typealias TYPE := NAME;` and `typedef TYPE NAME;` */
static void parse_alias(struct parser *P) {
  bool typedef_ = is(P, "typedef");
  next(P);
  struct type t;
  char name[64];
  if (typedef_) {
    parse_type(P, &t, false);
    alias_words(P, name, sizeof name, true);
  } else {
    parse_type(P, &t, true);
    expect(P, ":=");
    alias_words(P, name, sizeof name, true);
  }
  if (name[0] && !P->bad)
    define(P, name, false, &t);
  free_type(&t);
  skip_statement(P);
}

/* `trace { ... }` or `stream { ... }`, at the brace. */
static void parse_block(struct parser *P, bool trace) {
  struct stream_class sc = {0};
  expect(P, "{");
  while (!P->bad && P->cur.kind != T_END && !is(P, "}")) {
    if (is(P, "typealias") || is(P, "typedef")) {
      parse_alias(P);
      continue;
    }
    char path[64] = "";
    size_t len = 0;
    while ((is_ident(P) || is(P, ".")) && len + P->cur.n < sizeof path) {
      memcpy(path + len, P->cur.s, P->cur.n);
      len += P->cur.n;
      path[len] = '\0';
      next(P);
    }
    if (is(P, "=")) {
      next(P);
      if (trace && strcmp(path, "byte_order") == 0)
        P->byte_order = parse_byte_order(&P->cur);
      else if (trace && strcmp(path, "uuid") == 0 && P->cur.kind == T_STR)
        P->has_uuid = parse_uuid(P->cur.s, P->cur.n, P->uuid);
      else if (!trace && strcmp(path, "id") == 0 && P->cur.kind == T_NUM)
        sc.id = P->cur.num;
    } else if (is(P, ":=")) {
      next(P);
      struct type t;
      parse_type(P, &t, true);
      if (trace && strcmp(path, "packet.header") == 0) {
        free_type(&P->header);
        P->header = t;
        P->has_header = true;
      } else if (!trace && strcmp(path, "packet.context") == 0) {
        free_type(&sc.context);
        sc.context = t;
        sc.has_context = true;
      } else {
        free_type(&t);
      }
    }
    skip_statement(P);
  }
  expect(P, "}");
  if (trace)
    return;
  struct stream_class *grown =
      realloc(P->streams, (P->nstreams + 1) * sizeof *grown);
  if (!grown) {
    free_type(&sc.context);
    P->bad = true;
    return;
  }
  P->streams = grown;
  grown[P->nstreams++] = sc;
}

static void parse_tsdl(struct parser *P, const char *text) {
  P->p = text;
  P->end = text + strlen(text);
  next(P);
  while (!P->bad && P->cur.kind != T_END) {
    if (is(P, "typealias") || is(P, "typedef")) {
      parse_alias(P);
    } else if (is(P, "trace") || is(P, "stream")) {
      bool trace = is(P, "trace");
      struct tok t = peek(P);
      next(P);
      if (tok_is(&t, "{"))
        parse_block(P, trace);
      skip_statement(P);
    } else if (is(P, "struct")) {
      struct type t;
      parse_specifier(P, &t);
      free_type(&t);
      skip_statement(P);
    } else if (is(P, "}")) {
      next(P);
    } else {
      skip_statement(P);
    }
  }
}

static void parser_free(struct parser *P) {
  for (size_t i = 0; i < P->nnames; i++)
    free_type(&P->names[i].t);
  free(P->names);
  free_type(&P->header);
  for (size_t i = 0; i < P->nstreams; i++)
    free_type(&P->streams[i].context);
  free(P->streams);
}

/* ---- the packet layout --------------------------------------------------- */

/* Where a field this check reads lies: whole bytes, 1 to 8 (16 for uuid). */
struct loc {
  bool found;
  uint32_t byte;
  uint32_t bytes;
  bool big;
};

enum { H_MAGIC, H_UUID, H_STREAM_ID, H_INSTANCE, H_COUNT };
static const char *const header_names[H_COUNT] = {"magic", "uuid", "stream_id",
                                                  "stream_instance_id"};
enum { C_TS_BEGIN, C_TS_END, C_CONTENT, C_PACKET, C_SEQ, C_DISCARDED, C_COUNT };
static const char *const context_names[C_COUNT] = {
    "timestamp_begin", "timestamp_end", "content_size",
    "packet_size",     "packet_seq_num", "events_discarded"};

struct class_layout {
  uint64_t id;
  bool ok;
  uint32_t end_bits; /* header + context */
  struct loc f[C_COUNT];
};

struct layout {
  bool ok; /* header laid out and byte order known */
  bool has_uuid;
  uint8_t uuid[16];
  uint32_t header_bits;
  struct loc h[H_COUNT];
  struct class_layout *classes;
  size_t nclasses;
  uint32_t max_end_bits;
};

static uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

static uint32_t struct_align(const struct type *st) {
  uint32_t a = st->align ? st->align : 1;
  for (size_t i = 0; i < st->nfields; i++)
    if (st->fields[i].is_int && st->fields[i].t.align > a)
      a = st->fields[i].t.align;
  return a;
}

/* Lays `st` out from bit `start`; finds the named fields.  False when a
 * member cannot be laid out (so neither can what follows) or a field this
 * check reads is not whole bytes. */
static bool lay_out(const struct type *st, uint32_t start, bool big_default,
                    const char *const names[], struct loc locs[], size_t nlocs,
                    uint32_t *end) {
  if (st->kind != TY_STRUCT)
    return false;
  uint32_t cur = align_up(start, struct_align(st));
  for (size_t i = 0; i < st->nfields; i++) {
    const struct field *f = &st->fields[i];
    if (!f->is_int)
      return false;
    cur = align_up(cur, f->t.align);
    for (size_t k = 0; k < nlocs; k++) {
      if (strcmp(f->name, names[k]) != 0)
        continue;
      bool uuid = strcmp(names[k], "uuid") == 0;
      bool whole = cur % 8 == 0 && f->t.size % 8 == 0 &&
                   (uuid ? f->t.size == 8 && f->count == 16
                         : f->count == 1 && f->t.size <= 64);
      if (!whole)
        return false;
      bool big = f->t.byte_order == BO_TRACE ? big_default
                                              : f->t.byte_order == BO_BE;
      locs[k] = (struct loc){true, cur / 8, uuid ? 16 : f->t.size / 8, big};
    }
    uint64_t next_bit = (uint64_t)cur + (uint64_t)f->t.size * f->count;
    if (next_bit > LAYOUT_MAX_BITS)
      return false;
    cur = (uint32_t)next_bit;
  }
  *end = cur;
  return true;
}

static void build_layout(const struct parser *P, const struct metadata *md,
                         struct layout *L) {
  *L = (struct layout){0};
  if (P->bad || P->byte_order == BO_TRACE)
    return;
  bool big = P->byte_order == BO_BE;
  if (P->has_uuid) {
    L->has_uuid = true;
    memcpy(L->uuid, P->uuid, 16);
  } else if (md->has_uuid) {
    L->has_uuid = true;
    memcpy(L->uuid, md->uuid, 16);
  }
  if (P->has_header &&
      !lay_out(&P->header, 0, big, header_names, L->h, H_COUNT, &L->header_bits))
    return;
  L->classes = calloc(P->nstreams ? P->nstreams : 1, sizeof *L->classes);
  if (!L->classes)
    return;
  L->nclasses = P->nstreams;
  L->max_end_bits = L->header_bits;
  for (size_t i = 0; i < P->nstreams; i++) {
    struct class_layout *c = &L->classes[i];
    c->id = P->streams[i].id;
    if (!P->streams[i].has_context) {
      c->ok = true; /* no packet context: a packet is the rest of the file */
      c->end_bits = L->header_bits;
    } else {
      c->ok = lay_out(&P->streams[i].context, L->header_bits, big, context_names,
                      c->f, C_COUNT, &c->end_bits);
    }
    if (c->ok && c->end_bits > L->max_end_bits)
      L->max_end_bits = c->end_bits;
  }
  L->ok = true;
}

/* ---- pass 3: stream files and their indexes ------------------------------ */

struct index {
  bool present;
  uint8_t *buf;
  size_t entries, entry_len;
  uint32_t minor;
};

static uint64_t index_field(const struct index *ix, size_t entry, unsigned k) {
  return get_uint(ix->buf + IDX_HDR + entry * ix->entry_len + 8 * k, 8, true);
}

static int read_index(struct gha_precheck *pc, const char *dir, const char *name,
                      struct index *ix) {
  char path[4200];
  snprintf(path, sizeof path, "%s/index/%s.idx", dir, name);
  struct stat st;
  if (stat(path, &st) != 0 && errno == ENOENT)
    return 0;
  int fd = open_regular(pc, path, &st);
  if (fd < 0)
    return -1;
  size_t size = (size_t)st.st_size;
  ix->buf = malloc(size ? size : 1);
  bool ok = ix->buf && read_at(fd, ix->buf, size, 0);
  close(fd);
  if (!ok)
    return fail(pc, "%s: cannot read: %s", path,
                ix->buf ? strerror(errno) : "out of memory");
  ix->present = true;
  if (size < IDX_HDR || get_uint(ix->buf, 4, true) != IDX_MAGIC)
    return fail(pc, "%s: not a CTF index (bad magic); remove the index folder "
                    "to read the trace without it", path);
  uint64_t major = get_uint(ix->buf + 4, 4, true);
  ix->minor = (uint32_t)get_uint(ix->buf + 8, 4, true);
  ix->entry_len = (size_t)get_uint(ix->buf + 12, 4, true);
  if (major != 1 || ix->entry_len < IDX_ENTRY_1_0 ||
      (size - IDX_HDR) % ix->entry_len)
    return fail(pc, "%s: unknown or corrupt CTF index (version %" PRIu64 ".%"
                    PRIu32 ", entries of %zu bytes, %zu bytes of entries); "
                    "remove the index folder to read the trace without it",
                path, major, ix->minor, ix->entry_len, size - IDX_HDR);
  ix->entries = (size - IDX_HDR) / ix->entry_len;
  return 0;
}

/* The index entry of packet `i` must describe that packet. */
static int match_index(struct gha_precheck *pc, const char *dir,
                       const char *name, const struct index *ix, size_t i,
                       const uint64_t want[9], const bool have[9]) {
  static const char *const what[9] = {
      "offset",         "packet_size",      "content_size",
      "timestamp_begin", "timestamp_end",   "events_discarded",
      "stream_id",      "stream_instance_id", "packet_seq_num"};
  unsigned n = ix->entry_len >= IDX_ENTRY_1_1 && ix->minor >= 1 ? 9 : 7;
  for (unsigned k = 0; k < n; k++) {
    if (!have[k] || index_field(ix, i, k) == want[k])
      continue;
    return fail(pc, "%s/index/%s.idx: entry %zu has %s %" PRIu64
                    ", the packet at offset %" PRIu64 " of %s has %" PRIu64
                    " (index and stream disagree)",
                dir, name, i, what[k], index_field(ix, i, k), want[0], name,
                want[k]);
  }
  return 0;
}

static uint64_t loc_value(const struct loc *l, const uint8_t *pkt) {
  return get_uint(pkt + l->byte, l->bytes, l->big);
}

static const struct class_layout *find_class(const struct layout *L, uint64_t id) {
  for (size_t i = 0; i < L->nclasses; i++)
    if (L->classes[i].id == id)
      return &L->classes[i];
  return NULL;
}

/* Every packet of one stream file, from its packet sizes. */
static int check_packets(struct gha_precheck *pc, const struct layout *L,
                         const char *dir, const char *name, const char *path,
                         int fd, uint64_t size, const struct index *ix,
                         uint8_t *buf) {
  uint64_t off = 0;
  size_t i = 0;
  uint32_t header_bytes = (L->header_bits + 7) / 8;
  for (; off < size; i++) {
    uint64_t left = size - off;
    size_t want = (L->max_end_bits + 7) / 8;
    if (want > left)
      want = (size_t)left;
    if (!read_at(fd, buf, want, off))
      return fail(pc, "%s: cannot read at offset %" PRIu64 ": %s", path, off,
                  strerror(errno));
    if (left < header_bytes)
      return fail(pc, "%s: truncated: %" PRIu64 " bytes at offset %" PRIu64
                      ", less than a packet header (%" PRIu32 " bytes)",
                  path, left, off, header_bytes);
    if (L->h[H_MAGIC].found && loc_value(&L->h[H_MAGIC], buf) != CTF_MAGIC)
      return fail(pc, "%s: packet at offset %" PRIu64 ": bad CTF magic 0x%"
                      PRIx64 " (not a CTF stream, or corrupt)",
                  path, off, loc_value(&L->h[H_MAGIC], buf));
    if (L->h[H_UUID].found && L->has_uuid &&
        memcmp(buf + L->h[H_UUID].byte, L->uuid, 16) != 0) {
      char got[37], meta[37];
      format_uuid(buf + L->h[H_UUID].byte, got);
      format_uuid(L->uuid, meta);
      return fail(pc, "%s: packet at offset %" PRIu64 ": trace uuid %s, the "
                      "metadata's is %s: a stream of another trace",
                  path, off, got, meta);
    }
    const struct class_layout *c = NULL;
    uint64_t sid = 0;
    if (L->h[H_STREAM_ID].found) {
      sid = loc_value(&L->h[H_STREAM_ID], buf);
      if (!(c = find_class(L, sid)))
        return fail(pc, "%s: packet at offset %" PRIu64 ": stream class %"
                        PRIu64 " is not declared in the metadata (corrupt)",
                    path, off, sid);
    } else if (L->nclasses == 1) {
      c = &L->classes[0];
    }
    if (!c || !c->ok) {
      pc->facts.layout_unchecked = true;
      return 0;
    }
    uint32_t end_bytes = (c->end_bits + 7) / 8;
    if (left < end_bytes)
      return fail(pc, "%s: truncated: %" PRIu64 " bytes at offset %" PRIu64
                      ", less than a packet header and context (%" PRIu32
                      " bytes)",
                  path, left, off, end_bytes);
    const struct loc *f = c->f;
    uint64_t total = f[C_PACKET].found    ? loc_value(&f[C_PACKET], buf)
                     : f[C_CONTENT].found ? loc_value(&f[C_CONTENT], buf)
                                          : left * 8;
    uint64_t content = f[C_CONTENT].found ? loc_value(&f[C_CONTENT], buf) : total;
    if (total == 0 || total % 8 || total < c->end_bits || content > total ||
        content < c->end_bits)
      return fail(pc, "%s: packet at offset %" PRIu64 ": packet_size %" PRIu64
                      " and content_size %" PRIu64 " bits do not fit its "
                      "header and context (%" PRIu32 " bits; corrupt)",
                  path, off, total, content, c->end_bits);
    if (total / 8 > left)
      return fail(pc, "%s: packet at offset %" PRIu64 ": packet_size is %"
                      PRIu64 " bits, %" PRIu64 " bytes, but %" PRIu64
                      " bytes are left in the file (truncated or corrupt)",
                  path, off, total, total / 8, left);
    if (ix->present && i < ix->entries) {
      uint64_t v[9] = {off, total, content};
      bool have[9] = {true, true, true};
      const int from[9] = {-1, -1, -1, C_TS_BEGIN, C_TS_END, C_DISCARDED, -1, -1, C_SEQ};
      for (int k = 3; k < 9; k++)
        if (from[k] >= 0 && f[from[k]].found) {
          v[k] = loc_value(&f[from[k]], buf);
          have[k] = true;
        }
      v[6] = sid;
      have[6] = L->h[H_STREAM_ID].found;
      if (match_index(pc, dir, name, ix, i, v, have) < 0)
        return -1;
    }
    off += total / 8;
    pc->facts.packets++;
  }
  if (ix->present && ix->entries > i) {
    pc->facts.cut_streams++;
    warn(pc, "%s: cut at a packet boundary: %zu of the %zu packets its index "
             "lists; the trace is partial, figures and findings may be "
             "incomplete",
         path, i, ix->entries);
  }
  return 0;
}

static const char *file_kind(mode_t m) {
  return S_ISFIFO(m)   ? "a FIFO"
         : S_ISCHR(m)  ? "a character device"
         : S_ISBLK(m)  ? "a block device"
         : S_ISSOCK(m) ? "a socket"
                       : "not a regular file";
}

static int check_stream(struct gha_precheck *pc, const struct layout *L,
                        const char *dir, const char *name, uint8_t *buf) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  struct stat lst, st;
  if (lstat(path, &lst) != 0)
    return fail(pc, "%s: %s", path, strerror(errno));
  if (stat(path, &st) != 0)
    return fail(pc, "%s: %s%s", path, strerror(errno),
                S_ISLNK(lst.st_mode) ? " (a dangling symbolic link)" : "");
  if (S_ISDIR(st.st_mode))
    return 0; /* index/, or anything else babeltrace2 does not read */
  if (!S_ISREG(st.st_mode)) {
    char target[256] = "";
    ssize_t n = S_ISLNK(lst.st_mode) ? readlink(path, target, sizeof target - 1) : -1;
    if (n > 0) {
      target[n] = '\0';
      return fail(pc, "%s: a symbolic link to %s (%s), not a stream file",
                  path, target, file_kind(st.st_mode));
    }
    return fail(pc, "%s: %s, not a stream file", path, file_kind(st.st_mode));
  }
  struct index ix = {0};
  int rc = read_index(pc, dir, name, &ix);
  int fd = rc == 0 ? open_regular(pc, path, &st) : -1;
  if (fd >= 0) {
    pc->facts.streams++;
    uint64_t size = (uint64_t)st.st_size;
    if (size == 0) {
      pc->facts.empty_streams++;
      if (ix.present && ix.entries > 0) {
        pc->facts.cut_streams++;
        warn(pc, "%s: empty, but its index lists %zu packets: the stream was "
                 "truncated; the trace is partial, figures and findings may "
                 "be incomplete",
             path, ix.entries);
      } else if (!ix.present) {
        warn(pc, "%s: empty stream file (no packet, and no index to tell "
                 "whether it had any)",
             path);
      }
    } else if (!L->ok) {
      pc->facts.layout_unchecked = true;
    } else {
      rc = check_packets(pc, L, dir, name, path, fd, size, &ix, buf);
    }
    close(fd);
  } else {
    rc = -1;
  }
  free(ix.buf);
  return rc;
}

static int name_order(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check_streams(struct gha_precheck *pc, const char *dir,
                         const struct layout *L) {
  DIR *d = opendir(dir);
  if (!d)
    return fail(pc, "%s: %s", dir, strerror(errno));
  char **names = NULL;
  size_t n = 0;
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.' || strcmp(e->d_name, "metadata") == 0)
      continue; /* babeltrace2 skips them too */
    char **grown = realloc(names, (n + 1) * sizeof *names);
    if (!grown || !(grown[n] = strdup(e->d_name))) {
      names = grown ? grown : names;
      rc = fail(pc, "%s: out of memory", dir);
      break;
    }
    names = grown;
    n++;
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, name_order);
  uint8_t *buf = malloc((L->max_end_bits + 7) / 8 + 1);
  if (rc == 0 && !buf)
    rc = fail(pc, "%s: out of memory", dir);
  for (size_t i = 0; i < n; i++) {
    if (rc == 0)
      rc = check_stream(pc, L, dir, names[i], buf);
    free(names[i]);
  }
  free(names);
  free(buf);
  return rc;
}

/* The packet layout of the trace in `dir`, after pass 1; -1 on a metadata
 * error.  Free L->classes. */
static int read_layout(struct gha_precheck *pc, const char *dir,
                       struct layout *L) {
  struct metadata md = {0};
  struct parser P = {.byte_order = BO_TRACE};
  *L = (struct layout){0};
  int rc = read_metadata(pc, dir, &md);
  if (rc == 0) {
    parse_tsdl(&P, md.text);
    build_layout(&P, &md, L);
  }
  parser_free(&P);
  free(md.text);
  return rc;
}

int gha_precheck_trace(const char *dir, struct gha_precheck *pc) {
  memset(pc, 0, sizeof *pc);
  pc->facts.traces = 1;
  struct layout L;
  int rc = read_layout(pc, dir, &L);
  if (rc == 0)
    rc = check_streams(pc, dir, &L);
  free(L.classes);
  return rc;
}

int gha_precheck_find_stream(const char *dir, uint64_t class_id,
                             uint64_t instance, char *name, size_t cap) {
  struct gha_precheck pc = {0};
  struct layout L;
  int found = -1;
  DIR *d = NULL;
  uint8_t buf[4096];
  if (read_layout(&pc, dir, &L) == 0 && L.ok && L.h[H_INSTANCE].found &&
      (L.header_bits + 7) / 8 <= sizeof buf && (d = opendir(dir))) {
    size_t want = (L.header_bits + 7) / 8;
    struct dirent *e;
    while (found < 0 && (e = readdir(d))) {
      char path[4200];
      struct stat st;
      if (e->d_name[0] == '.' || strcmp(e->d_name, "metadata") == 0)
        continue;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        continue;
      int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0)
        continue;
      if ((uint64_t)st.st_size >= want && read_at(fd, buf, want, 0) &&
          loc_value(&L.h[H_INSTANCE], buf) == instance &&
          (!L.h[H_STREAM_ID].found || loc_value(&L.h[H_STREAM_ID], buf) == class_id)) {
        snprintf(name, cap, "%s", path);
        found = 0;
      }
      close(fd);
    }
    closedir(d);
  }
  free(L.classes);
  gha_precheck_free(&pc);
  return found;
}
