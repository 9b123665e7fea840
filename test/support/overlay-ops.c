/*
 * overlay-ops: every kind of change a tree can get from dpkg or a maintainer script, made in the
 * tree sandbox (built static by test/support/hostile-deb.ts) for test/tree-overlay-merge.test.ts,
 * which checks that each reaches the tree through the overlay merge and nothing else does.
 * Exits 0 when every call worked, else prints the failing one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failed;

static void check(const char *what, int rc) {
  if (rc == 0) return;
  printf("%s: %s\n", what, strerror(errno));
  failed = 1;
}

static int write_file(const char *path, const char *text, int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
  if (fd < 0) return -1;
  int ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
  return close(fd) == 0 && ok ? 0 : -1;
}

int main(void) {
  check("append to a shared file", write_file("/shared", "changed\n", O_APPEND));
  check("new file", write_file("/keep/new", "new\n", O_TRUNC));
  check("replace by rename", write_file("/keep/a.tmp", "renamed over\n", O_TRUNC) || rename("/keep/a.tmp", "/keep/a"));
  check("remove a file", unlink("/keep/b"));
  check("remove a directory", unlink("/gone/file") || rmdir("/gone"));
  check("directory made again", unlink("/again/old") || rmdir("/again") || mkdir("/again", 0750) || write_file("/again/fresh", "fresh\n", O_TRUNC));
  check("directory to file", unlink("/dir-to-file/x") || rmdir("/dir-to-file") || write_file("/dir-to-file", "now a file\n", O_TRUNC));
  check("link to directory", unlink("/link-to-dir") || mkdir("/link-to-dir", 0755) || write_file("/link-to-dir/inside", "inside\n", O_TRUNC));
  check("file to directory", unlink("/file-to-dir") || mkdir("/file-to-dir", 0755) || mkdir("/file-to-dir/sub", 0755) || write_file("/file-to-dir/sub/deep", "deep\n", O_TRUNC));
  check("directory mode and owner", chmod("/moddir", 02770) || chown("/moddir", 0, 1234));
  check("new symlink", symlink("/keep", "/keep/self"));
  check("setuid on a new file", write_file("/keep/suid", "#!/bin/sh\n", O_TRUNC) || chmod("/keep/suid", 04755));
  check("hardlinks between new files", write_file("/keep/h1", "linked\n", O_TRUNC) || link("/keep/h1", "/keep/h2"));
  return failed;
}
