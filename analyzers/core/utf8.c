/* utf8.c -- names from traces are bytes anybody could have written: the
 * reports must stay valid JSON and XML and must not let a name steer the
 * terminal.  One validator serves the core (which cleans names as it keeps
 * them) and the writers (which escape whatever else they print). */
#include "internal.h"

#include <string.h>

size_t gha_utf8_len(const unsigned char *s, size_t avail) {
  if (avail == 0)
    return 0;
  unsigned char c = s[0];
  size_t n;
  uint32_t cp, min;
  if (c < 0x80)
    return 1;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; min = 0x10000; }
  else return 0;
  if (n > avail)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  /* overlong forms, surrogates and beyond U+10FFFF are not UTF-8 */
  if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return 0;
  return n;
}

void gha_clean_name(char *dst, size_t size, const char *src) {
  const unsigned char *s = (const unsigned char *)src;
  size_t avail = strlen(src), out = 0;
  while (avail && size > 1) {
    size_t n = gha_utf8_len(s, avail);
    bool control = n == 1 && (s[0] < 0x20 || s[0] == 0x7F);
    if (n == 0 || control) { /* one '?' for a byte that is not text */
      dst[out++] = '?';
      size--;
      s++;
      avail--;
      continue;
    }
    if (n >= size) /* never cut a character in two */
      break;
    memcpy(dst + out, s, n);
    out += n;
    size -= n;
    s += n;
    avail -= n;
  }
  dst[out] = '\0';
}
