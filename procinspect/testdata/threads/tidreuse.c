/* tidreuse: a process whose thread A exits and whose thread B, made later,
 * is given A's TID. Run as PID 1 of its own PID and mount namespaces, it
 * mounts that namespace's procfs on /proc (the test reads it through
 * /proc/PID/root/proc) and, just before making B, sets its namespace's
 * ns_last_pid to A's TID - 1: nothing else runs in the namespace, so no
 * other thread can take that TID first. A sleeps in pause(2); B waits
 * for SIGTERM in sigwait(3). Driven by lines on stdin:
 *   prints "A <tid>" once A runs; on a first line A exits ("gone");
 *   on a second line B is made ("B <tid>"). SIGTERM is blocked in every
 *   thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static void onusr1(int s) { (void)s; }

static long atid, btid;
static sem_t started, decided;
static int keep;

/* gone waits until thread tid's task is gone from this procfs. */
static int gone(long tid) {
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%ld", tid);
	for (int i = 0; access(path, F_OK) == 0; i++) {
		if (i == 10000) {
			fprintf(stderr, "tidreuse: %s still there after 10 s\n", path);
			return 0;
		}
		usleep(1000);
	}
	return 1;
}

static void *a_main(void *x) {
	(void)x;
	atid = (long)syscall(SYS_gettid);
	printf("A %ld\n", atid);
	fflush(stdout);
	pause();
	return 0;
}

static void *b_main(void *x) {
	(void)x;
	btid = (long)syscall(SYS_gettid);
	sem_post(&started);
	sem_wait(&decided);
	if (!keep)
		return 0;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	int sig;
	sigwait(&s, &sig);
	return 0;
}

int main(void) {
	if (getpid() != 1 || mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0) != 0) {
		perror("tidreuse: must be PID 1 of new PID and mount namespaces; mount /proc");
		return 2;
	}
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
	/* pthread_join returns when the kernel clears A's TID word, before A
	 * is released and its TID freed: wait until its task is gone. */
	if (!gone(atid))
		return 2;
	printf("gone\n");
	fflush(stdout);
	if (read(0, buf, sizeof buf) <= 0)
		return 1;
	/* The TID is freed a moment after the task leaves procfs: a B that
	 * got another TID exits, and B is made again. Nothing else in this
	 * namespace takes TIDs, so it gets A's once that is free. */
	sem_init(&started, 0, 0);
	sem_init(&decided, 0, 0);
	for (int try = 0;; try++) {
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
		if (!f || fprintf(f, "%ld", atid - 1) < 0 || fclose(f) != 0) {
			perror("tidreuse: set ns_last_pid");
			return 2;
		}
		pthread_create(&b, 0, b_main, 0);
		sem_wait(&started);
		keep = btid == atid;
		sem_post(&decided);
		if (keep)
			break;
		pthread_join(b, 0);
		if (try == 100 || !gone(btid)) {
			fprintf(stderr, "tidreuse: B never got TID %ld\n", atid);
			return 2;
		}
		usleep(1000);
	}
	printf("B\n");
	fflush(stdout);
	for (;;)
		pause();
}
