/* tidreuse: a process whose thread A exits and whose thread B, made later,
 * can be given A's TID (the test sets ns_last_pid). A sleeps in pause(2);
 * B waits for SIGTERM in sigwait(3). Driven by lines on stdin:
 *   prints "A <tid>" once A runs; on a first line A exits ("gone");
 *   on a second line B is made ("B"). SIGTERM is blocked in every thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void onusr1(int s) { (void)s; }

static void *a_main(void *x) {
	(void)x;
	printf("A %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	pause();
	return 0;
}

static void *b_main(void *x) {
	(void)x;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	int sig;
	sigwait(&s, &sig);
	return 0;
}

int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onusr1;
	sigaction(SIGUSR1, &sa, 0);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, 0);
	char buf[16];
	pthread_t a, b;
	pthread_create(&a, 0, a_main, 0);
	if (read(0, buf, sizeof buf) <= 0)
		return 1;
	pthread_kill(a, SIGUSR1);
	pthread_join(a, 0);
	printf("gone\n");
	fflush(stdout);
	if (read(0, buf, sizeof buf) <= 0)
		return 1;
	pthread_create(&b, 0, b_main, 0);
	printf("B\n");
	fflush(stdout);
	for (;;)
		pause();
}
