/* outputs.c -- report files: up-front checks and atomic replacement
 * (outputs.h). */
#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG "genheap-analyze"

/* The canonical path `path` would have: its folder resolved, its name kept.
 * NULL (errno set) when the folder does not resolve. */
static char *canonical(const char *path) {
  char *a = strdup(path), *b = strdup(path);
  char *out = NULL;
  if (a && b) {
    char *dir = realpath(dirname(a), NULL);
    const char *base = basename(b);
    if (dir && (out = malloc(strlen(dir) + strlen(base) + 2)))
      sprintf(out, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base);
    free(dir);
  }
  free(a);
  free(b);
  return out;
}

static bool is_below(const char *path, const char *dir) {
  size_t n = strlen(dir);
  return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static int check_one(const char *path, const char *option,
                     const struct gha_inputs *in, char **canon) {
  struct stat st;
  char *copy = strdup(path);
  if (!copy)
    return -1;
  const char *dir = dirname(copy);
  int rc = -1;
  if (!path[0] || path[strlen(path) - 1] == '/')
    fprintf(stderr, PROG ": %s: %s wants a file name\n", path, option);
  else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    fprintf(stderr, PROG ": %s: is a folder (%s wants a file)\n", path, option);
  else if (stat(dir, &st) != 0)
    fprintf(stderr, PROG ": %s: cannot write there: %s: %s\n", path, dir,
            strerror(errno));
  else if (!S_ISDIR(st.st_mode))
    fprintf(stderr, PROG ": %s: cannot write there: %s is not a folder\n", path, dir);
  else if (access(dir, W_OK | X_OK) != 0)
    fprintf(stderr, PROG ": %s: cannot write there: %s: %s\n", path, dir,
            strerror(errno));
  else if (!(*canon = canonical(path)))
    fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
  else
    rc = 0;
  free(copy);
  for (size_t k = 0; rc == 0 && k < in->n; k++) {
    if (in->v[k].live)
      continue;
    char *trace = realpath(in->v[k].path, NULL);
    if (trace && is_below(*canon, trace)) {
      fprintf(stderr, PROG ": %s: inside the trace folder %s: %s would "
                      "overwrite the trace or be read as a stream of it\n",
              path, in->v[k].path, option);
      rc = -1;
    }
    free(trace);
  }
  return rc;
}

int gha_outputs_check(const char *const *paths, const char *const *options,
                      size_t n, const struct gha_inputs *in) {
  char **canon = calloc(n ? n : 1, sizeof *canon);
  int rc = canon ? 0 : -1;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    if (!paths[i])
      continue;
    rc = check_one(paths[i], options[i], in, &canon[i]);
    for (size_t j = 0; rc == 0 && j < i; j++) {
      struct stat a, b;
      bool same = canon[j] && (strcmp(canon[i], canon[j]) == 0 ||
                               (stat(paths[i], &a) == 0 && stat(paths[j], &b) == 0 &&
                                a.st_dev == b.st_dev && a.st_ino == b.st_ino));
      if (same) {
        fprintf(stderr, PROG ": %s: the same file for %s and %s\n", paths[i],
                options[j], options[i]);
        rc = -1;
      }
    }
  }
  for (size_t i = 0; canon && i < n; i++)
    free(canon[i]);
  free(canon);
  return rc;
}

FILE *gha_output_open(struct gha_output *o, const char *path) {
  struct stat st;
  *o = (struct gha_output){.path = path};
  bool exists = stat(path, &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) { /* /dev/stdout, a FIFO: no rename */
    if (!(o->f = fopen(path, "w")))
      fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
    return o->f;
  }
  size_t len = strlen(path);
  if (!(o->tmp = malloc(len + 16))) {
    fprintf(stderr, PROG ": %s: out of memory\n", path);
    return NULL;
  }
  char *copy = strdup(path);
  const char *base = copy ? basename(copy) : "report";
  /* hidden, in the same folder (a rename never crosses file systems) */
  snprintf(o->tmp, len + 16, "%.*s.%s.XXXXXX", (int)(len - strlen(base)), path, base);
  free(copy);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
    free(o->tmp);
    o->tmp = NULL;
    return NULL;
  }
  mode_t mask = umask(0);
  umask(mask);
  (void)!fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask);
  if (!(o->f = fdopen(fd, "w"))) {
    fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
    close(fd);
    unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
  }
  return o->f;
}

int gha_output_close(struct gha_output *o, bool ok) {
  int err = 0;
  errno = 0;
  if (fflush(o->f) != 0 || ferror(o->f))
    err = errno ? errno : EIO;
  if (fclose(o->f) != 0 && !err)
    err = errno ? errno : EIO;
  o->f = NULL;
  if (o->tmp && ok && !err && rename(o->tmp, o->path) != 0)
    err = errno;
  if (o->tmp && (!ok || err))
    unlink(o->tmp);
  free(o->tmp);
  o->tmp = NULL;
  if (!ok || err) {
    fprintf(stderr, PROG ": %s: write error%s%s\n", o->path, err ? ": " : "",
            err ? strerror(err) : "");
    return -1;
  }
  return 0;
}
