/*
 * shared-inode-writes RESULTS: what a hostile maintainer script does to files of the base tree
 * in place (built static by test/support/hostile-deb.ts). Those files are hardlinks to the
 * repository's objects in the checkout dpkg runs in, shared with every deployment of the base:
 * a write into one of them, or a change of its mode, owner or extended attributes, would change
 * the repository and the running system. Each attempt writes one line to RESULTS:
 * "NAME done" or "NAME failed ERRNO-TEXT". The layered tree may see the changes (as its own
 * copies); the base must not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static FILE *results;

static void outcome(const char *name, int rc) {
  if (rc == 0) fprintf(results, "%s done\n", name);
  else fprintf(results, "%s failed %s\n", name, strerror(errno));
}

static int append(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_APPEND);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Overwrites the first bytes in place (O_RDWR, pwrite at 0), as a mmap or a careless editor would. */
static int overwrite(const char *path, const char *text) {
  int fd = open(path, O_RDWR);
  if (fd < 0) return -1;
  ssize_t n = pwrite(fd, text, strlen(text), 0);
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  results = fopen(argv[1], "w");
  if (results == NULL) return 2;
  outcome("append", append("/usr/lib/os-release", "AOATK_APPENDED=1\n"));
  /* chown first: it clears set-id bits. */
  outcome("chown", chown("/usr/lib/apt-ostree-fixture/version", 1234, 1234));
  outcome("chmod", chmod("/usr/lib/apt-ostree-fixture/version", 06777));
  outcome("truncate", truncate("/usr/bin/true", 0));
  outcome("overwrite", overwrite("/usr/lib/modules/6.1.0-13-amd64/initramfs.img", "AOATK"));
  outcome("setxattr", lsetxattr("/usr/bin/sleep", "user.aoatk", "1", 1, 0));
  /* A second name for a base file, then a write through it. */
  int linked = link("/usr/lib64/ld-linux-x86-64.so.2", "/usr/share/aoatk/loader-link");
  outcome("link", linked);
  outcome("append-through-link", linked == 0 ? append("/usr/share/aoatk/loader-link", "AOATK") : -1);
  fclose(results);
  return 0;
}
