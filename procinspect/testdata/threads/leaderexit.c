/* leaderexit: a process whose main thread (the thread-group leader) exits
 * with pthread_exit while another thread lives on, and which has children.
 * It forks argv[1] children (default 4) that sleep in pause(2), prints
 * "child <pid>" for each, starts a worker thread, prints "ready" and ends
 * its main thread: the leader is a zombie (State: Z in the process's
 * status), the process lives on in the worker, and the kernel gives the
 * leader's children to the worker (their PPid stays this process's PID).
 * The worker waits for a byte on fd 3, then exits: the last thread, so the
 * process ends, its children are given to the reaper, and its parent can
 * reap it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *worker(void *arg) {
	char c;
	(void)arg;
	while (read(3, &c, 1) < 0)
		;
	return NULL;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c < 0) {
			perror("fork");
			return 1;
		}
		if (c == 0) {
			for (;;)
				pause();
		}
		printf("child %d\n", (int)c);
	}
	if (pthread_create(&t, NULL, worker, NULL) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	pthread_exit(NULL);
}
