/*
 * plant LINK TARGET: what a hostile maintainer script does to a tree (built static by
 * test/support/hostile-deb.ts, for trees without coreutils): moves LINK aside (to LINK.orig)
 * when it exists, and puts a symbolic link to TARGET in its place.
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  char aside[4096];
  snprintf(aside, sizeof aside, "%s.orig", argv[1]);
  if (access(argv[1], F_OK) == 0 || readlink(argv[1], aside + 4000, 1) >= 0) rename(argv[1], aside);
  if (symlink(argv[2], argv[1]) != 0) {
    perror("symlink");
    return 1;
  }
  return 0;
}
