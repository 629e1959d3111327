/* minijson.h -- a small strict JSON parser for the tests: the reports must
 * parse back, and the tests read values out of them. */
#ifndef MINIJSON_H
#define MINIJSON_H

#include <stddef.h>

enum mj_type { MJ_NULL, MJ_BOOL, MJ_NUMBER, MJ_STRING, MJ_ARRAY, MJ_OBJECT };

struct mj {
  enum mj_type type;
  double num;           /* MJ_NUMBER, MJ_BOOL (0/1) */
  char *str;            /* MJ_STRING (unescaped) */
  char **keys;          /* MJ_OBJECT */
  struct mj **items;    /* MJ_ARRAY, MJ_OBJECT */
  size_t n;
};

/* NULL when the text is not exactly one valid JSON value. */
struct mj *mj_parse(const char *text);
void mj_free(struct mj *v);
const struct mj *mj_get(const struct mj *obj, const char *key);
const struct mj *mj_at(const struct mj *arr, size_t i);

#endif
