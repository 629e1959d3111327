/* escape.c -- string escaping and labels shared by the report writers. */
#include "report.h"

#include <string.h>

/* Valid UTF-8 is written as it is (escaped where the format wants it);
 * each byte that is not is written as U+FFFD, so that a report is valid
 * whatever bytes a trace or an argument held. */
static size_t text_len(const unsigned char *c) {
  return gha_utf8_len(c, strnlen((const char *)c, 4));
}

void gha_put_json_string(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    size_t n = text_len(c);
    if (n == 0) {
      fputs("\ufffd", out);
      continue;
    }
    if (n > 1) {
      fwrite(c, 1, n, out);
      c += n - 1;
      continue;
    }
    switch (*c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\r': fputs("\\r", out); break;
    case '\t': fputs("\\t", out); break;
    default:
      if (*c < 0x20 || *c == 0x7F)
        fprintf(out, "\\u%04x", *c);
      else
        fputc(*c, out);
    }
  }
  fputc('"', out);
}

void gha_put_xml_text(FILE *out, const char *s) {
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    size_t n = text_len(c);
    if (n == 0) {
      fputs("\xEF\xBF\xBD", out); /* U+FFFD */
      continue;
    }
    if (n > 1) {
      /* U+FFFE and U+FFFF are not XML characters */
      bool nonchar = n == 3 && c[0] == 0xEF && c[1] == 0xBF && c[2] >= 0xBE;
      if (nonchar)
        fputs("\xEF\xBF\xBD", out);
      else
        fwrite(c, 1, n, out);
      c += n - 1;
      continue;
    }
    switch (*c) {
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '&': fputs("&amp;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&apos;", out); break;
    default:
      /* XML 1.0 forbids most control characters even escaped */
      fputc((*c < 0x20 && *c != '\n' && *c != '\t') || *c == 0x7F ? '?' : *c, out);
    }
  }
}

void gha_proc_label(const struct gha_analyzer *an, const struct gha_proc *p,
                    char *buf, size_t size) {
  const char *host = gha_host_name(an, p->host);
  if (p->name[0])
    snprintf(buf, size, "%s/%lld/%llu(%s)", host[0] ? host : "-",
             (long long)p->vpid, (unsigned long long)p->pid, p->name);
  else
    snprintf(buf, size, "%s/%lld/%llu", host[0] ? host : "-",
             (long long)p->vpid, (unsigned long long)p->pid);
}
