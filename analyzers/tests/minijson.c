/* minijson.c -- strict recursive-descent JSON parser (tests only). */
#include "minijson.h"

#include <stdlib.h>
#include <string.h>

struct cur {
  const char *s;
  int depth;
};

static void ws(struct cur *c) {
  while (*c->s == ' ' || *c->s == '\n' || *c->s == '\t' || *c->s == '\r')
    c->s++;
}

static struct mj *value(struct cur *c);

static struct mj *node(enum mj_type t) {
  struct mj *v = calloc(1, sizeof *v);
  if (v)
    v->type = t;
  return v;
}

static char *string(struct cur *c) {
  if (*c->s != '"')
    return NULL;
  c->s++;
  size_t cap = 16, n = 0;
  char *out = malloc(cap);
  while (out && *c->s != '"') {
    unsigned char ch = (unsigned char)*c->s++;
    if (ch < 0x20) {
      free(out);
      return NULL;
    }
    if (ch == '\\') {
      char e = *c->s++;
      const char *map = strchr("\"\\/bfnrtu", e);
      if (!e || !map) {
        free(out);
        return NULL;
      }
      if (e == 'u') {
        for (int i = 0; i < 4; i++)
          if (!strchr("0123456789abcdefABCDEF", c->s[i]) || !c->s[i]) {
            free(out);
            return NULL;
          }
        c->s += 4;
        ch = '?';
      } else {
        ch = (unsigned char)("\"\\/\b\f\n\r\t"[map - "\"\\/bfnrtu"]);
      }
    }
    if (n + 2 > cap) {
      char *g = realloc(out, cap *= 2);
      if (!g) {
        free(out);
        return NULL;
      }
      out = g;
    }
    out[n++] = (char)ch;
  }
  if (!out)
    return NULL;
  out[n] = 0;
  c->s++;
  return out;
}

static int push(struct mj *v, char *key, struct mj *item) {
  struct mj **items = realloc(v->items, (v->n + 1) * sizeof *items);
  if (!items)
    return -1;
  v->items = items;
  if (v->type == MJ_OBJECT) {
    char **keys = realloc(v->keys, (v->n + 1) * sizeof *keys);
    if (!keys)
      return -1;
    v->keys = keys;
    v->keys[v->n] = key;
  }
  v->items[v->n++] = item;
  return 0;
}

static struct mj *container(struct cur *c, char close, enum mj_type t) {
  struct mj *v = node(t);
  c->s++;
  ws(c);
  if (*c->s == close) {
    c->s++;
    return v;
  }
  for (;;) {
    char *key = NULL;
    ws(c);
    if (t == MJ_OBJECT) {
      key = string(c);
      ws(c);
      if (!key || *c->s != ':') {
        free(key);
        mj_free(v);
        return NULL;
      }
      c->s++;
    }
    struct mj *item = value(c);
    if (!item || push(v, key, item) < 0) {
      free(key);
      mj_free(item);
      mj_free(v);
      return NULL;
    }
    ws(c);
    if (*c->s == ',') {
      c->s++;
      continue;
    }
    if (*c->s == close) {
      c->s++;
      return v;
    }
    mj_free(v);
    return NULL;
  }
}

static struct mj *number(struct cur *c) {
  const char *start = c->s;
  if (*c->s == '-')
    c->s++;
  if (*c->s < '0' || *c->s > '9')
    return NULL;
  char *end;
  double d = strtod(start, &end);
  c->s = end;
  struct mj *v = node(MJ_NUMBER);
  if (v)
    v->num = d;
  return v;
}

static struct mj *value(struct cur *c) {
  ws(c);
  if (++c->depth > 64)
    return NULL;
  struct mj *v = NULL;
  if (*c->s == '{')
    v = container(c, '}', MJ_OBJECT);
  else if (*c->s == '[')
    v = container(c, ']', MJ_ARRAY);
  else if (*c->s == '"') {
    char *s = string(c);
    if (s && (v = node(MJ_STRING)))
      v->str = s;
    else
      free(s);
  } else if (strncmp(c->s, "true", 4) == 0 || strncmp(c->s, "false", 5) == 0) {
    v = node(MJ_BOOL);
    v->num = c->s[0] == 't';
    c->s += c->s[0] == 't' ? 4 : 5;
  } else if (strncmp(c->s, "null", 4) == 0) {
    v = node(MJ_NULL);
    c->s += 4;
  } else
    v = number(c);
  c->depth--;
  return v;
}

struct mj *mj_parse(const char *text) {
  struct cur c = {text, 0};
  struct mj *v = value(&c);
  ws(&c);
  if (v && *c.s) {
    mj_free(v);
    return NULL;
  }
  return v;
}

void mj_free(struct mj *v) {
  if (!v)
    return;
  for (size_t i = 0; i < v->n; i++) {
    mj_free(v->items[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

const struct mj *mj_get(const struct mj *obj, const char *key) {
  if (!obj || obj->type != MJ_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0)
      return obj->items[i];
  return NULL;
}

const struct mj *mj_at(const struct mj *arr, size_t i) {
  return arr && arr->type == MJ_ARRAY && i < arr->n ? arr->items[i] : NULL;
}
