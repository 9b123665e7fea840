/*
 * plant LINK TARGET: what a hostile maintainer script does to a tree (built static by
 * test/support/hostile-deb.ts, for trees without coreutils): moves LINK aside (to LINK.orig)
 * when it exists, and puts a symbolic link to TARGET in its place. The sandbox runs on an
 * overlay of the tree, where a directory of the tree cannot be renamed (EXDEV, which mv
 * answers by copying): such a directory is removed instead, as `rm -rf` would.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st, (void)type, (void)ftw;
  return remove(path);
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  char aside[4096];
  snprintf(aside, sizeof aside, "%s.orig", argv[1]);
  if (access(argv[1], F_OK) == 0 || readlink(argv[1], aside + 4000, 1) >= 0) {
    if (rename(argv[1], aside) != 0 && errno == EXDEV) nftw(argv[1], remove_one, 16, FTW_DEPTH | FTW_PHYS);
  }
  if (symlink(argv[2], argv[1]) != 0) {
    perror("symlink");
    return 1;
  }
  return 0;
}
