// initprog: a PID-namespace init with one known signal setup, for
// sigview's real-kernel tests (procinspect/kernel_linux_test.go).
//
//   initprog MODE        set up MODE, write "ready\n" to stdout, then wait
//   initprog nest MODE   unshare a PID namespace, run "initprog MODE" as its
//                        init (level 2 when this one is PID 1 of level 1),
//                        and write "child-exit N" or "child-signal N" when
//                        it ends
//
// Every mode starts from a clean slate (all handlers SIG_DFL, nothing
// blocked) so that what the test launcher inherited cannot leak in
// (kernel-signals.md §8.4). A mode that "receives" SIGTERM exits 0.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
	perror(what);
	_exit(111);
}

static void ready(void) {
	if (write(1, "ready\n", 6) != 6)
		die("write ready");
}

static void wait_forever(void) {
	for (;;)
		pause();
}

static void reset(void) {
	for (int s = 1; s < 65; s++)
		signal(s, SIG_DFL); // fails harmlessly for KILL, STOP, 32, 33
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void block(int sig) {
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		die("pthread_sigmask");
}

static void on_term(int sig) {
	(void)sig;
	_exit(0);
}

static void on_usr1(int sig) { (void)sig; }

static void *worker_pause(void *arg) {
	(void)arg;
	wait_forever();
	return NULL;
}

static void *worker_block_term(void *arg) {
	(void)arg;
	block(SIGTERM);
	wait_forever();
	return NULL;
}

static void *worker_unblock_term(void *arg) {
	(void)arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_UNBLOCK, &set, NULL) != 0)
		die("pthread_sigmask");
	wait_forever();
	return NULL;
}

static void spawn(void *(*fn)(void *)) {
	pthread_t t;
	if (pthread_create(&t, NULL, fn, NULL) != 0)
		die("pthread_create");
}

static void read_signalfd(int sig) {
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	int fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		die("signalfd");
	ready();
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		_exit(0);
	die("read signalfd");
}

static void sigwait_term(void) {
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	ready();
	for (;;)
		if (sigwaitinfo(&set, NULL) == SIGTERM)
			_exit(0);
}

static int nest(const char *self, const char *mode) {
	if (unshare(CLONE_NEWPID) != 0)
		die("unshare");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		execl(self, self, mode, (char *)NULL);
		die("exec");
	}
	int st;
	while (waitpid(child, &st, 0) < 0)
		;
	char buf[64];
	int n = WIFSIGNALED(st) ? snprintf(buf, sizeof buf, "child-signal %d\n", WTERMSIG(st))
	                        : snprintf(buf, sizeof buf, "child-exit %d\n", WEXITSTATUS(st));
	if (write(1, buf, n) != n)
		die("write");
	wait_forever(); // stay up: the test kills the outer init when it is done
	return 0;
}

int main(int argc, char **argv) {
	if (argc < 2) {
		fprintf(stderr, "usage: initprog MODE | initprog nest MODE\n");
		return 2;
	}
	reset();
	const char *m = argv[1];
	if (!strcmp(m, "nest") && argc == 3)
		return nest(argv[0], argv[2]);
	if (!strcmp(m, "none")) {
	} else if (!strcmp(m, "handler")) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_term;
		sigaction(SIGTERM, &sa, NULL);
	} else if (!strcmp(m, "ignore")) {
		signal(SIGTERM, SIG_IGN);
	} else if (!strcmp(m, "block")) {
		block(SIGTERM);
	} else if (!strcmp(m, "signalfd")) {
		block(SIGTERM);
		read_signalfd(SIGTERM);
	} else if (!strcmp(m, "signalfd-unblocked")) {
		read_signalfd(SIGTERM);
	} else if (!strcmp(m, "sigwait")) {
		block(SIGTERM);
		sigwait_term();
	} else if (!strcmp(m, "sigwait-unblocked")) {
		sigwait_term();
	} else if (!strcmp(m, "leader-blocks")) {
		spawn(worker_pause); // the worker keeps the empty mask
		block(SIGTERM);
		block(SIGQUIT);
	} else if (!strcmp(m, "worker-blocks")) {
		spawn(worker_block_term);
	} else if (!strcmp(m, "all-block")) {
		block(SIGTERM); // the worker inherits the mask
		spawn(worker_pause);
	} else if (!strcmp(m, "block-then-signalfd")) {
		// Blocks SIGTERM; once SIGUSR1 comes, reads it from a signalfd:
		// nothing in its status file changes when it does.
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);
		block(SIGTERM);
		ready();
		pause();
		read_signalfd(SIGTERM);
	} else if (!strcmp(m, "late-worker-sigwait")) {
		// The leader blocks SIGTERM and, once a line comes on stdin (the
		// test makes the worker's TID lower than the leader's first), starts
		// a worker that does not block it, then waits for it in
		// sigwaitinfo: the kernel offers it to the main thread first.
		block(SIGTERM);
		char line[16];
		if (read(0, line, sizeof line) <= 0)
			die("read go");
		spawn(worker_unblock_term);
		sigwait_term();
	} else if (!strcmp(m, "leader-exit")) {
		spawn(worker_pause);
		ready();
		pthread_exit(NULL); // the leader becomes a zombie; the process lives on
	} else {
		fprintf(stderr, "initprog: unknown mode %s\n", m);
		return 2;
	}
	ready();
	wait_forever();
}
