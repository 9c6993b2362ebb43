/*
 * enter — run a program of ours inside another process's container, writing nothing into it.
 *
 *   enter [--privileged-programs] [PID | container:ID] PROGRAM [ARGS...]     PID defaults to 1
 *
 * `container:ID` names the target by its container ID (as the pod's status gives it, without the
 * runtime's `containerd://`): enter takes the container's main process, found through the cgroup
 * that names the ID in /proc/N/cgroup — the process of that cgroup whose parent is not in it. That
 * is exact where PID 1 is not the target: a pod that shares one pid namespace (PID 1 is the
 * pause container), or a container whose PID 1 is an init.
 *
 * PROGRAM is a path in *our* filesystem (e.g. the ephemeral container's /kdiag/ash). It runs with
 * argv[0] = basename(PROGRAM), so `enter 1 /kdiag/ash -c 'ls /'` runs busybox as `ash -c 'ls /'`
 * (busybox picks the applet from argv[0]'s basename), inside PID's pid, network, uts, ipc and
 * cgroup namespaces, with PID's root directory (and under it PID's mounts) as `/`. The kubectl plugin runs exactly
 * `enter 1 /path/to/ash [ARGS...]` in the ephemeral container that shares the target's pid
 * namespace.
 *
 * How:
 *   1. open PROGRAM, pidfd_open(PID), /proc/PID/root and read PID's uid, gid and groups while
 *      still in our own namespaces;
 *   2. setns(pidfd, all of them at once but the mount namespace) — Linux >= 5.8; older kernels:
 *      each /proc/PID/ns entry;
 *   3. fchdir to the root fd and chroot(".");
 *   4. fork (joining a pid namespace only applies to children); the child takes PID's uid, gid
 *      and groups and locks itself out of lending capabilities to any program but PROGRAM (see
 *      drop_privileges) and execveat(PROGRAM's fd); the parent waits and exits with the child's
 *      status (killed by signal N: 128+N).
 *
 * PROGRAM therefore needs file capabilities (`setcap =ei PROGRAM`): they, with the inheritable set
 * enter gives it, are what lets our busybox keep our capabilities, also when it re-executes itself
 * for an applet. Any other program — one from the target's filesystem — runs as PID's user with no
 * capability. --privileged-programs restores the old way: join the mount namespace too and stay
 * root with every capability, which every program then gets.
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
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
#define PRIVILEGED_PROGRAMS_FLAG "--privileged-programs"
#define CHROOT_FLAG "--chroot"
#define OWN_ROOT_FLAG "--own-root"
#define SOCKET_INODES_FLAG "--socket-inodes"
enum { MAX_GROUPS = 256 };

/* Who the target runs as: its effective uid and gid and its supplementary groups. */
struct identity {
  uid_t uid;
  gid_t gid;
  int group_count;
  gid_t groups[MAX_GROUPS];
};

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

#define CONTAINER_PREFIX "container:"

/* Reads a small /proc file (one read is all /proc gives at once) as a string; false if it cannot. */
static bool read_proc_text(const char *path, char *text, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t length = read(fd, text, size - 1);
  close(fd);
  if (length <= 0) return false;
  text[length] = '\0';
  return true;
}

static bool in_container(int pid, const char *id) {
  char path[64], text[8192];
  snprintf(path, sizeof path, "/proc/%d/cgroup", pid);
  return read_proc_text(path, text, sizeof text) && strstr(text, id) != NULL;
}

static int read_ppid(int pid) {
  char path[64], text[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  if (!read_proc_text(path, text, sizeof text)) return -1;
  /* "pid (comm) state ppid …": comm may hold anything, so read after its last ')'. */
  const char *close_paren = strrchr(text, ')');
  int ppid = -1;
  if (close_paren == NULL || sscanf(close_paren + 1, " %*c %d", &ppid) != 1) return -1;
  return ppid;
}

/* The main process of the container whose ID is `id`: in its cgroup, started by the runtime from
 * outside our pid namespace (ppid 0 here). A process whose parent merely left the cgroup (an
 * orphan adopted by a shared namespace's PID 1) comes second: the container cannot forge ppid 0. */
static int find_container_pid(const char *id) {
  if (strlen(id) < 12 || strspn(id, "0123456789abcdef") != strlen(id))
    die(EXIT_ENTER_FAILED, "container ID %s is not a container ID (hex, as the pod's status gives it)", id);
  DIR *proc = opendir("/proc");
  if (proc == NULL) die(EXIT_ENTER_FAILED, "cannot read /proc: %s", strerror(errno));
  int found = -1, found_ppid = -1;
  struct dirent *entry;
  while ((entry = readdir(proc)) != NULL) {
    int pid = parse_pid(entry->d_name);
    if (pid <= 0 || !in_container(pid, id)) continue;
    int ppid = read_ppid(pid);
    if (ppid > 0 && in_container(ppid, id)) continue;
    bool better = found < 0 || (ppid == 0 && found_ppid != 0) || ((ppid == 0) == (found_ppid == 0) && pid < found);
    if (better) found = pid, found_ppid = ppid;
  }
  closedir(proc);
  if (found < 0) die(EXIT_ENTER_FAILED, "container %.12s has no process here: it is not running, or not in this pod's pid namespace", id);
  return found;
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
  if (!read_proc_text(path, text, sizeof text)) return pid;
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
static void join_namespaces_one_by_one(int pidfd, int pid, int types) {
  static const struct { const char *entry; int type; } namespaces[] = {
    {"ns/cgroup", CLONE_NEWCGROUP}, {"ns/ipc", CLONE_NEWIPC}, {"ns/uts", CLONE_NEWUTS},
    {"ns/net", CLONE_NEWNET},       {"ns/pid", CLONE_NEWPID}, {"ns/mnt", CLONE_NEWNS},
  };
  enum { COUNT = sizeof namespaces / sizeof namespaces[0] };
  int fds[COUNT];
  for (int i = 0; i < COUNT; i++) fds[i] = (types & namespaces[i].type) ? open_proc_entry(pid, namespaces[i].entry, 0) : -1;
  ensure_alive(pidfd, pid);
  for (int i = 0; i < COUNT; i++) {
    if (fds[i] < 0) continue;
    if (setns(fds[i], namespaces[i].type) != 0) fail_setns();
    close(fds[i]);
  }
}

static void join_namespaces(int pidfd, int pid, int types) {
  if (setns(pidfd, types) == 0) return;
  /* EINVAL: a kernel older than 5.8 that does not take a pidfd here. Nothing was joined yet:
   * setns with a pidfd is all or nothing. */
  if (errno != EINVAL) fail_setns();
  join_namespaces_one_by_one(pidfd, pid, types);
}

/* /proc/PID/status as text (one read: /proc gives it whole). */
static void read_status(int pid, char *text, size_t size) {
  int fd = open_proc_entry(pid, "status", 0);
  ssize_t length = read(fd, text, size - 1);
  close(fd);
  if (length <= 0) die(EXIT_ENTER_FAILED, "cannot read /proc/%d/status", pid);
  text[length] = '\0';
}

/* Reads the effective uid and gid and the supplementary groups from /proc/PID/status. */
static void read_identity(int pid, struct identity *identity) {
  char text[16384];
  read_status(pid, text, sizeof text);
  const char *uid = strstr(text, "\nUid:"), *gid = strstr(text, "\nGid:"), *groups = strstr(text, "\nGroups:");
  unsigned long real, effective;
  if (uid == NULL || sscanf(uid, "\nUid: %lu %lu", &real, &effective) != 2) die(EXIT_ENTER_FAILED, "no Uid in /proc/%d/status", pid);
  identity->uid = (uid_t)effective;
  if (gid == NULL || sscanf(gid, "\nGid: %lu %lu", &real, &effective) != 2) die(EXIT_ENTER_FAILED, "no Gid in /proc/%d/status", pid);
  identity->gid = (gid_t)effective;
  identity->group_count = 0;
  if (groups == NULL) return;
  const char *cursor = groups + strlen("\nGroups:");
  char *end;
  for (;;) {
    while (*cursor == ' ' || *cursor == '\t') cursor++;
    if (*cursor < '0' || *cursor > '9') break;
    if (identity->group_count == MAX_GROUPS) die(EXIT_ENTER_FAILED, "PID %d has more than %d groups", pid, MAX_GROUPS);
    identity->groups[identity->group_count++] = (gid_t)strtoul(cursor, &end, 10);
    cursor = end;
  }
}

/* A process's capability sets, one bit per capability, as /proc/PID/status gives them. */
struct capability_sets {
  uint64_t bounding, permitted, effective, inheritable;
};

static uint64_t read_capability_line(const char *text, const char *name, int pid) {
  char key[16];
  snprintf(key, sizeof key, "\n%s:", name);
  const char *line = strstr(text, key);
  unsigned long long value;
  if (line == NULL || sscanf(line + strlen(key), " %llx", &value) != 1) die(EXIT_ENTER_FAILED, "no %s in /proc/%d/status", name, pid);
  return (uint64_t)value;
}

static void read_capability_sets(int pid, struct capability_sets *sets) {
  char text[16384];
  read_status(pid, text, sizeof text);
  sets->bounding = read_capability_line(text, "CapBnd", pid);
  sets->permitted = read_capability_line(text, "CapPrm", pid);
  sets->effective = read_capability_line(text, "CapEff", pid);
  sets->inheritable = read_capability_line(text, "CapInh", pid);
}

/* ash must carry file capabilities (setcap =eip): under SECBIT_NOROOT they are what gives it,
 * and busybox re-executing itself for an applet, the capabilities root had. */
static void require_file_capabilities(int programfd, const char *path) {
  if (fgetxattr(programfd, "security.capability", NULL, 0) > 0) return;
  die(EXIT_CANNOT_EXECUTE, "program %s has no file capabilities: run setcap =ei on it (or pass " PRIVILEGED_PROGRAMS_FLAG ")", path);
}

static void fail_drop(const char *step) {
  if (errno == EPERM) die(EXIT_ENTER_FAILED, "%s needs CAP_SETUID, CAP_SETGID and CAP_SETPCAP", step);
  die(EXIT_ENTER_FAILED, "%s: %s", step, strerror(errno));
}

/*
 * From here on, only a program carrying file capabilities on a mount of *our* mount namespace —
 * our ash, and busybox re-executing itself through /proc/self/exe for an applet — runs with our
 * capabilities. Every other program runs as the target's uid, gid and groups with no capability:
 *   - SECBIT_NOROOT: an exec no longer makes uid 0 all-capable;
 *   - SECBIT_NO_SETUID_FIXUP: switching to the target's uid keeps our permitted set, which ash's
 *     exec needs under no_new_privs (it may then keep what it had, not gain);
 *   - no ambient or inheritable capabilities to hand on;
 *   - no_new_privs: no setuid bit or file capability raises a program above what its caller has,
 *     so a program of the target cannot regain capabilities by exec'ing /proc/<ash>/exe;
 *   - we did not join the target's mount namespace, so the kernel treats the target's mounts as
 *     nosuid (mnt_may_suid: foreign mounts): setuid bits and file capabilities there are ignored.
 * Every bit is locked, so nothing run later can clear it.
 */
static void drop_privileges(const struct identity *identity) {
  if (setgroups((size_t)identity->group_count, identity->groups) != 0) fail_drop("setgroups");
  if (setresgid(identity->gid, identity->gid, identity->gid) != 0) fail_drop("setresgid");
  int securebits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED;
  if (prctl(PR_SET_SECUREBITS, securebits, 0, 0, 0) != 0) fail_drop("setting securebits");
  if (setresuid(identity->uid, identity->uid, identity->uid) != 0) fail_drop("setresuid");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) fail_drop("clearing ambient capabilities");
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  if (syscall(SYS_capget, &header, data) != 0) fail_drop("capget");
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) data[i].inheritable = data[i].permitted;
  if (syscall(SYS_capset, &header, data) != 0) fail_drop("setting inheritable capabilities");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail_drop("setting no_new_privs");
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
static char **make_environment(const char *extra) {
  static char term[256];
  static char *env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/root",
    "PS1=kdiag \\h:\\w\\$ ",
    NULL,
    NULL,
    NULL,
  };
  int next = 3;
  const char *value = getenv("TERM");
  if (value != NULL && strlen(value) < sizeof term - 5) {
    snprintf(term, sizeof term, "TERM=%s", value);
    env[next++] = term;
  }
  if (extra != NULL) env[next++] = (char *)extra;
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

static void exec_program(int programfd, const char *path, char **argv, const struct identity *identity, char **env) {
  if (identity != NULL) drop_privileges(identity);
  /* Whatever descriptors our caller (a container runtime's exec) left open beyond stdio must not
   * reach into the target. Marked close-on-exec rather than closed: programfd is still needed.
   * Linux >= 5.11; on older kernels they are inherited, as with nsenter. */
  syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  syscall(SYS_execveat, programfd, "", argv, env, AT_EMPTY_PATH);
  die(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE, "cannot execute %s: %s", path, strerror(errno));
}

/* Our effective uid and gid must be the target's: without CAP_SYS_PTRACE that is what lets the
 * kernel hand us /proc/PID/root (ptrace_may_access). Says so in one line when they differ. */
static void require_same_identity(int pid, const char *profile) {
  struct identity target;
  read_identity(pid, &target);
  if (target.uid == geteuid() && target.gid == getegid()) return;
  die(EXIT_ENTER_FAILED,
      "PID %d runs as uid %u gid %u, kdiag's container (profile %s) as uid %u gid %u: without CAP_SYS_PTRACE only the same user may open its root; "
      "name the user in the pod's securityContext (runAsUser, runAsGroup) or use --profile netadmin",
      pid, (unsigned)target.uid, (unsigned)target.gid, profile, (unsigned)geteuid(), (unsigned)getegid());
}

/* Makes a capability of our permitted set effective; `why` names what needs it when it is not
 * permitted (enter's file capabilities are permitted, not effective: a file effective bit would
 * make exec fail outright where the bounding set lacks one, as under the restricted profile). */
static void raise_capability(int capability, const char *why) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  if (syscall(SYS_capget, &header, data) != 0) die(EXIT_ENTER_FAILED, "capget: %s", strerror(errno));
  if (!(data[CAP_TO_INDEX(capability)].permitted & CAP_TO_MASK(capability)))
    die(EXIT_ENTER_FAILED, "%s: kdiag's container was not given it, or enter lost its file capability", why);
  data[CAP_TO_INDEX(capability)].effective |= CAP_TO_MASK(capability);
  if (syscall(SYS_capset, &header, data) != 0) die(EXIT_ENTER_FAILED, "capset: %s", strerror(errno));
}

static void set_capabilities(uint64_t permitted, uint64_t effective, uint64_t inheritable) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
    data[i].permitted = (uint32_t)(permitted >> (32 * i));
    data[i].effective = (uint32_t)(effective >> (32 * i));
    data[i].inheritable = (uint32_t)(inheritable >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) != 0) die(EXIT_ENTER_FAILED, "dropping capabilities: %s", strerror(errno));
}

static uint64_t current_capabilities(int which) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  if (syscall(SYS_capget, &header, data) != 0) die(EXIT_ENTER_FAILED, "capget: %s", strerror(errno));
  uint64_t set = 0;
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
    uint32_t word = which == 'p' ? data[i].permitted : which == 'e' ? data[i].effective : data[i].inheritable;
    set |= (uint64_t)word << (32 * i);
  }
  return set;
}

/*
 * Become the target's user, as /proc/PID/status says it is, keeping our permitted capabilities
 * (CAP_SYS_CHROOT) until the chroot is done:
 *   - kdiag's own uid (the baseline profile: a uid no workload uses, so that the target cannot
 *     reach the manager): CAP_SETUID and CAP_SETGID come from enter's file capability; a switch
 *     between two non-root uids keeps the permitted set by itself (no PR_SET_KEEPCAPS needed);
 *   - root (an older baseline container): SECBIT_NO_SETUID_FIXUP keeps them.
 * Either way the process is no longer dumpable afterwards (its credentials changed, and it
 * gained file capabilities at exec), so the target cannot trace it although it now shares its uid.
 */
static void become_target_user(int pid, const struct identity *target) {
  bool root = geteuid() == 0;
  uint64_t needed = (UINT64_C(1) << CAP_SETUID) | (UINT64_C(1) << CAP_SETGID);
  if (!root && (current_capabilities('p') & needed) != needed)
    die(EXIT_ENTER_FAILED,
        "PID %d runs as uid %u gid %u, kdiag's container (profile baseline) as uid %u gid %u: becoming its user needs CAP_SETUID and CAP_SETGID "
        "(the container's capabilities SETUID and SETGID, and enter's file capability)",
        pid, (unsigned)target->uid, (unsigned)target->gid, (unsigned)geteuid(), (unsigned)getegid());
  if (!root) {
    raise_capability(CAP_SETUID, "becoming the target's user needs CAP_SETUID");
    raise_capability(CAP_SETGID, "becoming the target's user needs CAP_SETGID");
  }
  if (setgroups((size_t)target->group_count, target->groups) != 0) fail_drop("setgroups");
  if (setresgid(target->gid, target->gid, target->gid) != 0) fail_drop("setresgid");
  if (root && prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) != 0) fail_drop("setting securebits");
  if (setresuid(target->uid, target->uid, target->uid) != 0) fail_drop("setresuid");
}

/*
 * A root shell for a root target gets no more than the target has: the runtime's defaults that
 * kdiag's container holds are not the target's when it dropped some (`capabilities: {drop:
 * [ALL]}`), and a program the target planted, run from the shell, must not get them. Every
 * capability outside the target's bounding set leaves ours (while we still hold CAP_SETPCAP,
 * which PR_CAPBSET_DROP needs), then permitted, effective and inheritable become ours ∩ the
 * target's, and no ambient capability is left. An exec as root then gets at most that bounding
 * set, and no_new_privs caps it at the permitted set we keep.
 */
static void confine_to_target_capabilities(const struct capability_sets *target) {
  for (int capability = 0; capability < 64; capability++) {
    int held = prctl(PR_CAPBSET_READ, capability, 0, 0, 0);
    if (held < 0) break; /* beyond the kernel's last capability */
    if (held == 0 || (target->bounding & (UINT64_C(1) << capability))) continue;
    if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0)
      die(EXIT_ENTER_FAILED, "dropping capability %d from the bounding set: %s (a root shell needs CAP_SETPCAP to match its root target)", capability, strerror(errno));
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) die(EXIT_ENTER_FAILED, "clearing ambient capabilities: %s", strerror(errno));
  set_capabilities(current_capabilities('p') & target->permitted, current_capabilities('e') & target->effective,
                   current_capabilities('i') & target->inheritable);
}

/* After the chroot the shell has the target's own rights and nothing of ours: a non-root shell
 * no capability at all, a root shell at most the target's (confine_to_target_capabilities).
 * no_new_privs either way. */
static void keep_only_target_rights(const struct capability_sets *target) {
  if (geteuid() == 0) confine_to_target_capabilities(target);
  else set_capabilities(0, 0, 0);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(EXIT_ENTER_FAILED, "setting no_new_privs: %s", strerror(errno));
}

/*
 * --chroot (the baseline profile): kdiag's container already shares the pod's network, uts and
 * ipc namespaces and the target's pid namespace. enter becomes the user /proc/PID/status names
 * (from kdiag's own uid with CAP_SETUID and CAP_SETGID, or from root where the target is root or
 * its user unknown), then — the same user now, which is what lets the kernel hand us its root
 * without CAP_SYS_PTRACE — chroots to PID's root and runs PROGRAM there: no setns, nothing
 * written into the target. The shell keeps only the target's own rights, and no_new_privs.
 * The target's uid, groups and capabilities are read after the pidfd is held, and
 * ensure_alive() proves they were the target's.
 */
static void chroot_only(int pidfd, int pid, int proc_pid, int programfd, const char *program, char **program_argv) __attribute__((noreturn));
static void chroot_only(int pidfd, int pid, int proc_pid, int programfd, const char *program, char **program_argv) {
  static struct identity target;
  struct capability_sets target_capabilities;
  read_identity(proc_pid, &target);
  read_capability_sets(proc_pid, &target_capabilities);
  if (geteuid() != target.uid) become_target_user(proc_pid, &target);
  require_same_identity(proc_pid, "baseline");
  int rootfd = open_proc_entry(proc_pid, "root", O_DIRECTORY);
  ensure_alive(pidfd, pid);
  close(pidfd);
  raise_capability(CAP_SYS_CHROOT, "chroot needs CAP_SYS_CHROOT");
  change_root(rootfd);
  keep_only_target_rights(&target_capabilities);
  exec_program(programfd, program, program_argv, NULL, make_environment(NULL));
  exit(EXIT_CANNOT_EXECUTE);
}

/*
 * --own-root (the restricted profile: no capability at all): PROGRAM runs in our own filesystem,
 * in the target's directory /proc/PID/root when the kernel lets us open it (the same user, and
 * the target holds no capability we lack), and enter says in two lines what the shell is and
 * what it cannot do.
 */
static void own_root(int proc_pid, int programfd, const char *program, char **program_argv) __attribute__((noreturn));
static void own_root(int proc_pid, int programfd, const char *program, char **program_argv) {
  static char root[64], variable[96];
  snprintf(root, sizeof root, "/proc/%d/root", proc_pid);
  snprintf(variable, sizeof variable, "KDIAG_TARGET_ROOT=%s", root);
  struct identity target;
  read_identity(proc_pid, &target);
  bool readable = chdir(root) == 0 && access(".", R_OK | X_OK) == 0;
  if (readable) {
    fprintf(stderr, "kdiag: profile restricted: a shell in kdiag's own container (busybox, uid %u), not in the target's root; the target's files are in %s ($KDIAG_TARGET_ROOT, the current directory)\n",
            (unsigned)geteuid(), root);
  } else {
    fprintf(stderr, "kdiag: profile restricted: a shell in kdiag's own container (busybox, uid %u), not in the target's root; the target's files (%s) are not readable: the target runs as uid %u, kdiag as uid %u\n",
            (unsigned)geteuid(), root, (unsigned)target.uid, (unsigned)geteuid());
  }
  fprintf(stderr, "kdiag: unavailable with no capabilities: the target's root as / and its programs as it runs them (--profile baseline), redir and rules (--profile netadmin)\n");
  exec_program(programfd, program, program_argv, NULL, make_environment(readable ? variable : NULL));
  exit(EXIT_CANNOT_EXECUTE);
}

/*
 * --socket-inodes PID (the baseline manager's ps, run as kdiag's own uid): prints the inode of each
 * socket PID has open, one per line. Only the same uid may read another process's fds without
 * CAP_SYS_PTRACE, so enter becomes PID's user (not root: a root process's fds stay unread), drops
 * every capability, and reads them; no_new_privs, and the target cannot trace it meanwhile (its
 * credentials changed: not dumpable). ensure_alive() proves the fds were PID's.
 */
static void print_socket_inodes(int pidfd, int pid, int proc_pid) __attribute__((noreturn));
static void print_socket_inodes(int pidfd, int pid, int proc_pid) {
  static struct identity target;
  read_identity(proc_pid, &target);
  if (target.uid == 0) die(EXIT_ENTER_FAILED, "PID %d runs as root: its sockets are not readable without CAP_SYS_PTRACE", pid);
  if (geteuid() != target.uid) become_target_user(proc_pid, &target);
  set_capabilities(0, 0, 0);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(EXIT_ENTER_FAILED, "setting no_new_privs: %s", strerror(errno));
  int fds = open_proc_entry(proc_pid, "fd", O_DIRECTORY);
  DIR *directory = fdopendir(fds);
  if (directory == NULL) die(EXIT_ENTER_FAILED, "cannot read /proc/%d/fd: %s", proc_pid, strerror(errno));
  static char inodes[1 << 16];
  size_t used = 0;
  struct dirent *entry;
  while ((entry = readdir(directory)) != NULL) {
    char link[64];
    ssize_t length = readlinkat(fds, entry->d_name, link, sizeof link - 1);
    if (length <= 0) continue;
    link[length] = '\0';
    unsigned long long inode;
    char end;
    if (sscanf(link, "socket:[%llu%c", &inode, &end) != 2 || end != ']') continue;
    int written = snprintf(inodes + used, sizeof inodes - used, "%llu\n", inode);
    if (written < 0 || (size_t)written >= sizeof inodes - used) break;
    used += (size_t)written;
  }
  ensure_alive(pidfd, pid);
  fwrite(inodes, 1, used, stdout);
  exit(0);
}

/* Which way enter works, from its first argument (scratch-shell/README.md has the table). */
enum mode { MODE_ENTER, MODE_PRIVILEGED_PROGRAMS, MODE_CHROOT, MODE_OWN_ROOT, MODE_SOCKET_INODES };

static enum mode parse_mode(int argc, char **argv, int *first) {
  *first = 1;
  if (argc < 2) return MODE_ENTER;
  enum mode mode = MODE_ENTER;
  if (strcmp(argv[1], PRIVILEGED_PROGRAMS_FLAG) == 0) mode = MODE_PRIVILEGED_PROGRAMS;
  else if (strcmp(argv[1], CHROOT_FLAG) == 0) mode = MODE_CHROOT;
  else if (strcmp(argv[1], OWN_ROOT_FLAG) == 0) mode = MODE_OWN_ROOT;
  else if (strcmp(argv[1], SOCKET_INODES_FLAG) == 0) mode = MODE_SOCKET_INODES;
  if (mode != MODE_ENTER) *first = 2;
  return mode;
}

int main(int argc, char **argv) {
  int first;
  enum mode mode = parse_mode(argc, argv, &first);
  if (mode == MODE_SOCKET_INODES) {
    int pid = argc == 3 ? parse_pid(argv[2]) : -1;
    if (pid <= 0) die(EXIT_ENTER_FAILED, "usage: enter " SOCKET_INODES_FLAG " PID");
    int pidfd = open_pidfd(pid);
    print_socket_inodes(pidfd, pid, find_proc_pid(pidfd, pid));
  }
  bool privileged = mode == MODE_PRIVILEGED_PROGRAMS;
  int pid = -1;
  const char *container_id = NULL;
  if (argc > first && strncmp(argv[first], CONTAINER_PREFIX, strlen(CONTAINER_PREFIX)) == 0) {
    container_id = argv[first] + strlen(CONTAINER_PREFIX);
    pid = find_container_pid(container_id);
  } else if (argc > first) {
    pid = parse_pid(argv[first]);
  }
  if (pid > 0) first++;
  else pid = 1;
  if (first >= argc) die(EXIT_ENTER_FAILED, "usage: enter [" PRIVILEGED_PROGRAMS_FLAG " | " CHROOT_FLAG " | " OWN_ROOT_FLAG "] [PID | container:ID] PROGRAM [ARGS...]");

  const char *program = argv[first];
  int programfd = open_program(program);
  if (mode == MODE_ENTER) require_file_capabilities(programfd, program);
  int pidfd = open_pidfd(pid);
  int proc_pid = find_proc_pid(pidfd, pid);
  /* The pidfd pins a process; make sure it is still the container's (not a reused pid). */
  if (container_id != NULL && !in_container(proc_pid, container_id))
    die(EXIT_ENTER_FAILED, "container %.12s: its process exited while being entered", container_id);

  /* The program's argv: basename(PROGRAM) followed by our remaining arguments. */
  char **program_argv = &argv[first];
  const char *slash = strrchr(program, '/');
  program_argv[0] = (char *)(slash ? slash + 1 : program);

  if (mode == MODE_CHROOT) chroot_only(pidfd, pid, proc_pid, programfd, program, program_argv);
  if (mode == MODE_OWN_ROOT) own_root(proc_pid, programfd, program, program_argv);

  int rootfd = open_proc_entry(proc_pid, "root", O_DIRECTORY);
  static struct identity identity;
  if (!privileged) read_identity(proc_pid, &identity);
  ensure_alive(pidfd, pid);

  /* Without --privileged-programs the mount namespace stays ours (see drop_privileges): the
   * target's files are still all there, through its root, with its mounts. */
  join_namespaces(pidfd, proc_pid, privileged ? ALL_NAMESPACES : ALL_NAMESPACES & ~CLONE_NEWNS);
  close(pidfd);
  change_root(rootfd);

  /* Block the signals we forward until the handlers are in place, so none is lost between
   * fork and sigaction; both sides unblock them again. */
  sigset_t forwarded;
  sigemptyset(&forwarded);
  sigaddset(&forwarded, SIGTERM);
  sigaddset(&forwarded, SIGHUP);
  sigprocmask(SIG_BLOCK, &forwarded, NULL);

  child_pid = fork();
  if (child_pid < 0) die(EXIT_ENTER_FAILED, "fork: %s", strerror(errno));
  if (child_pid == 0) exec_program(programfd, program, program_argv, privileged ? NULL : &identity, make_environment(NULL));
  close(programfd);
  return wait_for_child();
}
