/*
 * kdiag-init — the manager image's entrypoint: the manager's parent, and the reaper of everything
 * the manager starts, so nothing of the manager outlives it, not even a zombie.
 *
 *   kdiag-init PROGRAM [ARGS...]                  supervise PROGRAM (node running the manager)
 *   kdiag-init --pdeathsig [--] PROGRAM [ARGS...] exec PROGRAM, to be SIGKILLed when its parent dies
 *
 * Why: an ephemeral container shares the target's pid namespace, where the manager is not PID 1.
 * Were the manager (node) SIGKILLed, its `nft -i` child (the owner of kdiag's `flags owner`
 * table, so the redirect rules) would be reparented to the target's PID 1, which often never
 * reaps: alive if it was stopped, a zombie forever otherwise.
 *
 * Supervising:
 *   1. PR_SET_CHILD_SUBREAPER: orphans of the manager's tree are reparented to us, not to the
 *      target's PID 1;
 *   2. KDIAG_INIT=<our own path> in the environment, so the manager can start nft through the
 *      second mode; fork, and in the child PR_SET_PDEATHSIG(SIGKILL) and exec PROGRAM;
 *   3. SIGTERM, SIGINT, SIGHUP and SIGQUIT are passed on to PROGRAM; every child is reaped;
 *   4. once PROGRAM has exited, every child left (reparented orphans) is SIGKILLed and reaped,
 *      then we exit with PROGRAM's status (killed by signal N: 128+N).
 *   Nothing is written on stdout, which PROGRAM inherits (the CLI reads the manager's first line).
 *
 * --pdeathsig: PR_SET_PDEATHSIG(SIGKILL) then exec: the kernel kills PROGRAM when the thread that
 * started it dies — SIGKILL ends a stopped process too — and we, the subreaper, reap it.
 *
 * Exit status: PROGRAM's own, or 125 when kdiag-init itself fails, 126 when PROGRAM cannot be
 * executed, 127 when it does not exist. Errors are one line on stderr starting "kdiag-init: ".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_INIT_FAILED = 125, EXIT_CANNOT_EXECUTE = 126, EXIT_NOT_FOUND = 127 };

/* How long the children left after PROGRAM's exit get to die before we stop waiting for them. */
enum { CLEANUP_LIMIT_MS = 10000, CLEANUP_STEP_MS = 50 };

static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };

static void die(int status, const char *format, ...) __attribute__((noreturn, format(printf, 2, 3)));

static void die(int status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("kdiag-init: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  _exit(status);
}

static void exec_program(char **argv) __attribute__((noreturn));

static void exec_program(char **argv) {
  execvp(argv[0], argv);
  die(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE, "cannot execute %s: %s", argv[0], strerror(errno));
}

/* Ties this process to its parent: when the parent dies, the kernel sends us SIGKILL. A parent
 * that died before the prctl took effect has already left us to a new parent: die now. */
static void set_parent_death_signal(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die(EXIT_INIT_FAILED, "PR_SET_PDEATHSIG: %s", strerror(errno));
  if (getppid() != parent) die(EXIT_INIT_FAILED, "the parent process exited before its child started");
}

/* Our own path, for the manager to run `<path> --pdeathsig -- nft -i` with. */
static void export_own_path(void) {
  char path[4096];
  ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0) return;
  path[length] = '\0';
  if (setenv("KDIAG_INIT", path, 1) != 0) die(EXIT_INIT_FAILED, "setenv: %s", strerror(errno));
}

/* Our children, orphans included, from /proc/self/task/<tid>/children (we have one thread). Only
 * from a /proc of our own pid namespace: another one's numbers would name other processes. */
static void kill_children(void) {
  char path[64], self[32];
  ssize_t length = readlink("/proc/self", self, sizeof self - 1);
  if (length <= 0) return; /* no /proc: the parent-death signal and the waiting below remain */
  self[length] = '\0';
  if (atoi(self) != (int)getpid()) return;
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
  FILE *file = fopen(path, "re");
  if (file == NULL) return;
  int pid;
  while (fscanf(file, "%d", &pid) == 1) kill(pid, SIGKILL);
  fclose(file);
}

static int exit_status_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return EXIT_INIT_FAILED;
}

/* Reaps every child that has exited; records PROGRAM's status when it is one of them. */
static void reap(pid_t program, int *program_status, int *program_done) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == program) {
      *program_status = status;
      *program_done = 1;
    }
  }
}

/* After PROGRAM: kill and reap what is left until we have no child (or give up after a while). */
static void clean_up_children(const sigset_t *sigchld) {
  struct timespec step = { 0, CLEANUP_STEP_MS * 1000000L };
  for (int waited = 0; waited < CLEANUP_LIMIT_MS; waited += CLEANUP_STEP_MS) {
    kill_children();
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    }
    if (pid < 0 && errno == ECHILD) return;
    sigtimedwait(sigchld, NULL, &step);
  }
  fputs("kdiag-init: a child of the manager did not exit after SIGKILL\n", stderr);
}

static int supervise(char **argv) {
  sigset_t handled, original;
  sigemptyset(&handled);
  sigaddset(&handled, SIGCHLD);
  for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++) sigaddset(&handled, forwarded_signals[i]);
  /* Blocked before the fork, so no signal is lost between it and sigwaitinfo. */
  if (sigprocmask(SIG_BLOCK, &handled, &original) != 0) die(EXIT_INIT_FAILED, "sigprocmask: %s", strerror(errno));
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) die(EXIT_INIT_FAILED, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
  export_own_path();

  pid_t self = getpid();
  pid_t program = fork();
  if (program < 0) die(EXIT_INIT_FAILED, "fork: %s", strerror(errno));
  if (program == 0) {
    sigprocmask(SIG_SETMASK, &original, NULL);
    set_parent_death_signal(self);
    exec_program(argv);
  }

  int program_status = 0, program_done = 0;
  while (!program_done) {
    siginfo_t info;
    int received = sigwaitinfo(&handled, &info);
    if (received < 0) continue; /* EINTR */
    if (received == SIGCHLD) reap(program, &program_status, &program_done);
    else kill(program, received);
  }

  sigset_t sigchld;
  sigemptyset(&sigchld);
  sigaddset(&sigchld, SIGCHLD);
  clean_up_children(&sigchld);
  return exit_status_of(program_status);
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "--pdeathsig") == 0) {
    /* The parent's pid comes from the parent itself: getppid() here could already be whoever
     * adopted us had the parent died before we got this far. */
    char *end = NULL;
    long parent = argc >= 3 ? strtol(argv[2], &end, 10) : 0;
    int first = (argc >= 4 && strcmp(argv[3], "--") == 0) ? 4 : 3;
    if (parent <= 0 || end == NULL || *end != '\0' || first >= argc)
      die(EXIT_INIT_FAILED, "usage: kdiag-init --pdeathsig PARENT_PID [--] PROGRAM [ARGS...]");
    set_parent_death_signal((pid_t)parent);
    exec_program(argv + first);
  }
  int first = (argc >= 2 && strcmp(argv[1], "--") == 0) ? 2 : 1;
  if (first >= argc) die(EXIT_INIT_FAILED, "usage: kdiag-init PROGRAM [ARGS...]");
  return supervise(argv + first);
}
