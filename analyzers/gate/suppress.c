/* suppress.c -- the suppressions file (gate.h, docs/ci.md): known findings
 * that a team accepted, each with its reason and, when it should be looked
 * at again, the last day it applies.
 *
 *   # PATTERN   ANALYSIS          [until=YYYY-MM-DD]  REASON...
 *   router      binleak           until=2027-03-31    forwards large binaries; #123
 *   cache-*     bloat                                 rebuilt hourly, by design
 *
 * Every mistake is an error naming the file and line: a suppression that
 * silently matches nothing would hide nothing and be trusted anyway.
 */
#include "gate.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_MAX_ 4096

long gha_today(void) {
  time_t now = time(NULL);
  struct tm tm;
  if (!localtime_r(&now, &tm))
    return 0;
  return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* YYYY-MM-DD, a real day, as YYYYMMDD; 0 when it is not one. */
static long parse_date(const char *s) {
  int y, m, d;
  char tail;
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
      sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return 0;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
      return 0;
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap))
    return 0;
  return (long)y * 10000 + m * 100 + d;
}

static int analysis_of(const char *s) {
  if (strcmp(s, "*") == 0)
    return -1;
  for (int a = 0; a < GHA_ANALYSES; a++)
    if (strcmp(s, gha_analysis_name((enum gha_analysis)a)) == 0)
      return a;
  return -2;
}

__attribute__((format(printf, 5, 6))) static int line_error(char *why, size_t size,
                                                            const char *path,
                                                            unsigned line,
                                                            const char *fmt, ...) {
  int n = snprintf(why, size, "%s:%u: ", path, line);
  if (n >= 0 && (size_t)n < size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + n, size - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* The next blank-separated word of *s (NUL-terminated in place), or NULL. */
static char *word(char **s) {
  char *w = *s + strspn(*s, " \t");
  if (!*w)
    return NULL;
  char *end = w + strcspn(w, " \t");
  *s = *end ? end + 1 : end;
  *end = '\0';
  return w;
}

static int parse_line(struct gha_suppression *sp, char *text, const char *path,
                      unsigned line, long today, char *why, size_t size) {
  char *rest = text;
  char *pattern = word(&rest), *analysis = word(&rest);
  if (!analysis)
    return line_error(why, size, path, line,
                      "want PATTERN ANALYSIS [until=YYYY-MM-DD] REASON");
  int a = analysis_of(analysis);
  if (a == -2)
    return line_error(why, size, path, line,
                      "unknown analysis '%s' (bloat, binleak, idle-after-burst or *)",
                      analysis);
  rest += strspn(rest, " \t");
  long until = 0;
  if (strncmp(rest, "until=", 6) == 0) {
    char *date = word(&rest);
    if (!(until = parse_date(date + 6)))
      return line_error(why, size, path, line,
                        "'%s' is not a date (until=YYYY-MM-DD, a real day)", date);
    rest += strspn(rest, " \t");
  }
  size_t len = strlen(rest);
  while (len && (rest[len - 1] == ' ' || rest[len - 1] == '\t'))
    rest[--len] = '\0';
  if (!len)
    return line_error(why, size, path, line,
                      "no reason: say why this finding is accepted");
  *sp = (struct gha_suppression){.line = line,
                                 .pattern = strdup(pattern),
                                 .analysis = a,
                                 .until = until,
                                 .reason = strdup(rest),
                                 .expired = until && until < today};
  if (!sp->pattern || !sp->reason) {
    free(sp->pattern);
    free(sp->reason);
    return line_error(why, size, path, line, "out of memory");
  }
  return 0;
}

int gha_suppressions_load(const char *path, long today, struct gha_suppressions *s,
                          char *why, size_t size) {
  *s = (struct gha_suppressions){.path = path};
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(why, size, "%s: %s", path, strerror(errno));
    return -1;
  }
  char text[LINE_MAX_ + 2];
  unsigned line = 0;
  int rc = 0;
  while (rc == 0 && fgets(text, sizeof text, f)) {
    line++;
    size_t len = strlen(text);
    if (len && text[len - 1] == '\n')
      text[--len] = '\0';
    else if (!feof(f)) {
      rc = line_error(why, size, path, line, "longer than %d bytes", LINE_MAX_);
      break;
    }
    if (len && text[len - 1] == '\r')
      text[--len] = '\0';
    char *t = text + strspn(text, " \t");
    if (!*t || *t == '#')
      continue;
    struct gha_suppression *grown = realloc(s->v, (s->n + 1) * sizeof *grown);
    if (!grown) {
      rc = line_error(why, size, path, line, "out of memory");
      break;
    }
    s->v = grown;
    if ((rc = parse_line(&s->v[s->n], t, path, line, today, why, size)) == 0)
      s->n++;
  }
  if (rc == 0 && ferror(f)) {
    snprintf(why, size, "%s: read error", path);
    rc = -1;
  }
  fclose(f);
  if (rc < 0)
    gha_suppressions_free(s);
  return rc;
}

void gha_suppressions_free(struct gha_suppressions *s) {
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].pattern);
    free(s->v[i].reason);
  }
  free(s->v);
  s->v = NULL;
  s->n = 0;
}
