/*
 * enter — run a program of ours inside another process's container, writing nothing into it.
 *
 *   enter [PID] PROGRAM [ARGS...]        PID defaults to 1
 *
 * PROGRAM is a path in *our* filesystem (e.g. the ephemeral container's /kdiag/ash). It runs with
 * argv[0] = basename(PROGRAM), so `enter 1 /kdiag/ash -c 'ls /'` runs busybox as `ash -c 'ls /'`
 * (busybox picks the applet from argv[0]'s basename), inside PID's mount, pid, network, uts, ipc
 * and cgroup namespaces, with PID's root directory as `/`. The kubectl plugin runs exactly
 * `enter 1 /path/to/ash [ARGS...]` in the ephemeral container that shares the target's pid
 * namespace.
 *
 * How:
 *   1. open PROGRAM, pidfd_open(PID) and /proc/PID/root while still in our own namespaces;
 *   2. setns(pidfd, all of them at once) — Linux >= 5.8; older kernels: each /proc/PID/ns entry;
 *   3. fchdir to the root fd and chroot(".");
 *   4. fork (joining a pid namespace only applies to children) and execveat(PROGRAM's fd) in the
 *      child; the parent waits and exits with the child's status (killed by signal N: 128+N).
 *
 * PROGRAM must be a static binary: it is opened O_CLOEXEC, so a `#!` script cannot be run this
 * way (its interpreter would be handed a /dev/fd path that no longer exists), and a dynamic one
 * would look for its loader and libraries in the target's root.
 *
 * Exit status: PROGRAM's own, or (as docker and env do) 125 when enter itself fails (bad usage,
 * no such PID, missing capability, old kernel), 126 when PROGRAM cannot be executed, 127 when
 * PROGRAM does not exist. Errors are one line on stderr starting with "enter: ".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

enum { EXIT_ENTER_FAILED = 125, EXIT_CANNOT_EXECUTE = 126, EXIT_NOT_FOUND = 127 };

#define ALL_NAMESPACES (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)

static void die(int status, const char *format, ...) __attribute__((noreturn, format(printf, 2, 3)));

static void die(int status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("enter: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(status);
}

/* A PID argument is all digits; anything else is the PROGRAM (and PID is 1). */
static int parse_pid(const char *text) {
  if (*text == '\0' || strspn(text, "0123456789") != strlen(text)) return -1;
  long pid = strtol(text, NULL, 10);
  if (pid <= 0 || pid > 0x3fffffff) die(EXIT_ENTER_FAILED, "PID %s is out of range", text);
  return (int)pid;
}

static int open_program(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return fd;
  if (errno == ENOENT || errno == ENOTDIR) die(EXIT_NOT_FOUND, "program %s not found", path);
  die(EXIT_CANNOT_EXECUTE, "cannot open program %s: %s", path, strerror(errno));
}

static int open_pidfd(int pid) {
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) return fd;
  if (errno == ENOSYS) die(EXIT_ENTER_FAILED, "needs Linux >= 5.3 (pidfd_open)");
  if (errno == ESRCH) die(EXIT_ENTER_FAILED, "no process with PID %d", pid);
  die(EXIT_ENTER_FAILED, "pidfd_open(%d): %s", pid, strerror(errno));
}

/* Opens /proc/PID/<name>. A pidfd pins the process, not its number: once the path is open,
 * ensure_alive() proves the number still named the same process. */
static int open_proc_entry(int pid, const char *name, int flags) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
  int fd = open(path, flags | O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return fd;
  if (errno == ENOENT) die(EXIT_ENTER_FAILED, "no process with PID %d", pid);
  if (errno == EACCES || errno == EPERM) die(EXIT_ENTER_FAILED, "cannot open %s: needs CAP_SYS_PTRACE", path);
  die(EXIT_ENTER_FAILED, "cannot open %s: %s", path, strerror(errno));
}

/* The PID under which our /proc knows the process. pidfd_open() resolved PID in our pid namespace,
 * but the /proc we see may belong to another one (`nsenter --pid` without remounting /proc, as
 * a test might do). The kernel translates a pidfd's "Pid:" in fdinfo to the pid namespace of the
 * /proc it is read through (Linux >= 5.4; without the field, assume /proc is ours). */
static int find_proc_pid(int pidfd, int pid) {
  char path[64], text[4096];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return pid;
  ssize_t length = read(fd, text, sizeof text - 1);
  close(fd);
  if (length <= 0) return pid;
  text[length] = '\0';
  const char *field = strstr(text, "\nPid:");
  if (field == NULL) return pid;
  int proc_pid = atoi(field + strlen("\nPid:"));
  /* -1: the process has exited; 0: it exists but this /proc's namespace cannot see it. */
  if (proc_pid < 0) die(EXIT_ENTER_FAILED, "no process with PID %d (it exited)", pid);
  if (proc_pid == 0) die(EXIT_ENTER_FAILED, "PID %d is not visible in /proc: mount a /proc of this pid namespace", pid);
  return proc_pid;
}

static void ensure_alive(int pidfd, int pid) {
  if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0)
    die(EXIT_ENTER_FAILED, "no process with PID %d (it exited)", pid);
}

static void fail_setns(void) {
  if (errno == EPERM) die(EXIT_ENTER_FAILED, "setns needs CAP_SYS_ADMIN (and CAP_SYS_CHROOT for chroot)");
  die(EXIT_ENTER_FAILED, "setns: %s", strerror(errno));
}

/* Before Linux 5.8 setns() takes only namespace fds (/proc/PID/ns entries). Every fd is opened before the first join:
 * once in the target's mount namespace, /proc may be another pid namespace's or absent. */
static void join_namespaces_one_by_one(int pidfd, int pid) {
  static const struct { const char *entry; int type; } namespaces[] = {
    {"ns/cgroup", CLONE_NEWCGROUP}, {"ns/ipc", CLONE_NEWIPC}, {"ns/uts", CLONE_NEWUTS},
    {"ns/net", CLONE_NEWNET},       {"ns/pid", CLONE_NEWPID}, {"ns/mnt", CLONE_NEWNS},
  };
  enum { COUNT = sizeof namespaces / sizeof namespaces[0] };
  int fds[COUNT];
  for (int i = 0; i < COUNT; i++) fds[i] = open_proc_entry(pid, namespaces[i].entry, 0);
  ensure_alive(pidfd, pid);
  for (int i = 0; i < COUNT; i++) {
    if (setns(fds[i], namespaces[i].type) != 0) fail_setns();
    close(fds[i]);
  }
}

static void join_namespaces(int pidfd, int pid) {
  if (setns(pidfd, ALL_NAMESPACES) == 0) return;
  /* EINVAL: a kernel older than 5.8 that does not take a pidfd here. Nothing was joined yet:
   * setns with a pidfd is all or nothing. */
  if (errno != EINVAL) fail_setns();
  join_namespaces_one_by_one(pidfd, pid);
}

/* rootfd was opened before setns: a path like /proc/PID/root would now be resolved in the
 * target's mount namespace, whose /proc (if any) belongs to another pid namespace. */
static void change_root(int rootfd) {
  if (fchdir(rootfd) != 0) die(EXIT_ENTER_FAILED, "cannot enter the target's root: %s", strerror(errno));
  if (chroot(".") != 0) {
    if (errno == EPERM) die(EXIT_ENTER_FAILED, "chroot needs CAP_SYS_CHROOT");
    die(EXIT_ENTER_FAILED, "chroot: %s", strerror(errno));
  }
  if (chdir("/") != 0) die(EXIT_ENTER_FAILED, "chdir /: %s", strerror(errno));
  close(rootfd);
}

/* Nothing of our own environment means anything in the target; keep only the terminal type. */
static char **make_environment(void) {
  static char term[256];
  static char *env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/root",
    "PS1=kdiag \\h:\\w\\$ ",
    NULL,
    NULL,
  };
  const char *value = getenv("TERM");
  if (value != NULL && strlen(value) < sizeof term - 5) {
    snprintf(term, sizeof term, "TERM=%s", value);
    env[3] = term;
  }
  return env;
}

static pid_t child_pid;

static void forward_signal(int signal) {
  kill(child_pid, signal);
}

/* The child stays in our process group, so a terminal's ^C and ^\ reach it directly (an
 * interactive ash then takes the foreground for its own job control); like system(3), the
 * parent ignores them and lets the child decide. SIGTERM and SIGHUP sent to us alone are
 * passed on. */
static int wait_for_child(void) {
  struct sigaction ignore = {.sa_handler = SIG_IGN}, forward = {.sa_handler = forward_signal};
  sigemptyset(&forward.sa_mask);
  sigaction(SIGINT, &ignore, NULL);
  sigaction(SIGQUIT, &ignore, NULL);
  sigaction(SIGTERM, &forward, NULL);
  sigaction(SIGHUP, &forward, NULL);

  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  int status;
  while (waitpid(child_pid, &status, 0) < 0) {
    if (errno != EINTR) die(EXIT_ENTER_FAILED, "waitpid: %s", strerror(errno));
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

static void exec_program(int programfd, const char *path, char **argv) {
  /* Whatever descriptors our caller (a container runtime's exec) left open beyond stdio must not
   * reach into the target. Marked close-on-exec rather than closed: programfd is still needed.
   * Linux >= 5.11; on older kernels they are inherited, as with nsenter. */
  syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  syscall(SYS_execveat, programfd, "", argv, make_environment(), AT_EMPTY_PATH);
  die(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE, "cannot execute %s: %s", path, strerror(errno));
}

int main(int argc, char **argv) {
  int first = 1;
  int pid = argc > 1 ? parse_pid(argv[1]) : -1;
  if (pid > 0) first = 2;
  else pid = 1;
  if (first >= argc) die(EXIT_ENTER_FAILED, "usage: enter [PID] PROGRAM [ARGS...]");

  const char *program = argv[first];
  int programfd = open_program(program);
  int pidfd = open_pidfd(pid);
  int proc_pid = find_proc_pid(pidfd, pid);
  int rootfd = open_proc_entry(proc_pid, "root", O_DIRECTORY);
  ensure_alive(pidfd, pid);

  join_namespaces(pidfd, proc_pid);
  close(pidfd);
  change_root(rootfd);

  /* The program's argv: basename(PROGRAM) followed by our remaining arguments. */
  char **program_argv = &argv[first];
  const char *slash = strrchr(program, '/');
  program_argv[0] = (char *)(slash ? slash + 1 : program);

  /* Block the signals we forward until the handlers are in place, so none is lost between
   * fork and sigaction; both sides unblock them again. */
  sigset_t forwarded;
  sigemptyset(&forwarded);
  sigaddset(&forwarded, SIGTERM);
  sigaddset(&forwarded, SIGHUP);
  sigprocmask(SIG_BLOCK, &forwarded, NULL);

  child_pid = fork();
  if (child_pid < 0) die(EXIT_ENTER_FAILED, "fork: %s", strerror(errno));
  if (child_pid == 0) exec_program(programfd, program, program_argv);
  close(programfd);
  return wait_for_child();
}
