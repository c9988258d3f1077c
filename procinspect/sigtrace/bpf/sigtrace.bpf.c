// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
//
// sigtrace: sigview's signal flight recorder in the kernel. Three BTF
// tracepoint programs record, at the moment the kernel acts:
//
//   signal_generate     a signal generated for a task: the sender (the task
//                       that was current, with its active PID namespace),
//                       the target, si_code, the kernel's result, and the
//                       target's handler, blocked mask and init flag then;
//   signal_deliver      a thread taking a signal in get_signal (before the
//                       SIG_IGN and init-protection checks): its handler;
//   sched_process_exit  the last thread of a process sigview reported on
//                       exiting: its wait status.
//
// Nothing is pinned: the programs, maps and links live as long as the file
// descriptors of the sigview process that loaded them.
//
// Built by `go generate ./procinspect/sigtrace` (bpf2go, clang); the
// generated objects are committed so that building sigview needs no clang.
// The types below are the few kernel fields read, relocated by CO-RE
// against the running kernel's BTF (no vmlinux.h needed).

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef _Bool bool;

#define SIGNAL_UNKILLABLE 0x00000040
#define SIGCHLD 17
#define MAX_LEVEL 32
// QUIET_NS: a record this long after the last one wakes the reader
// (sigtrace.quiet: the reader polls for longer than this after a record).
#define QUIET_NS 50000000ULL

struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct pid_namespace {
	struct ns_common ns;
} __attribute__((preserve_access_index));

struct upid {
	int nr;
	struct pid_namespace *ns;
} __attribute__((preserve_access_index));

struct pid {
	unsigned int level;
	struct upid numbers[1];
} __attribute__((preserve_access_index));

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	unsigned int flags;
	atomic_t live;
} __attribute__((preserve_access_index));

struct sigaction {
	void *sa_handler;
	unsigned long sa_flags;
} __attribute__((preserve_access_index));

struct k_sigaction {
	struct sigaction sa;
} __attribute__((preserve_access_index));

struct sighand_struct {
	struct k_sigaction action[64];
} __attribute__((preserve_access_index));

typedef struct {
	unsigned long sig[1];
} sigset_t;

struct task_struct {
	int pid;
	int tgid;
	int exit_code;
	char comm[16];
	struct pid *thread_pid;
	struct task_struct *group_leader;
	struct signal_struct *signal;
	struct sighand_struct *sighand;
	sigset_t blocked;
	u64 start_boottime;
} __attribute__((preserve_access_index));

struct kernel_siginfo;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

enum kind { KIND_GENERATE = 1, KIND_DELIVER = 2, KIND_EXIT = 3 };

// Relations of the sender's PID namespace to the target's.
enum relation { REL_SAME = 0, REL_ANCESTOR = 1, REL_OTHER = 2 };

struct task_info {
	u32 tgid;
	u32 tid;
	u32 pidns; // inode of the active PID namespace (the pid's level)
	u32 level;
	s32 ns_tgid; // the process's PID in that namespace
	s32 view_tgid; // its PID in the reader's PID namespace (cfg_view_ns), 0: not in it
	u64 start; // the process's start, ns since boot (CLOCK_BOOTTIME)
	char comm[16];
};

struct event {
	u64 ktime; // CLOCK_MONOTONIC ns
	u32 kind;
	s32 sig;
	s32 code;  // si_code
	s32 si_errno;
	s32 result; // signal_generate's result (enum trace_sig_result)
	s32 group;  // generate: sent to the group; exit: group_dead
	u32 relation;
	u32 sig_flags;  // the target's signal->flags
	u64 handler;    // sa_handler of sig in the target (0 SIG_DFL, 1 SIG_IGN)
	u64 sa_flags;
	u64 blocked;    // the target thread's blocked mask
	s32 exit_code;  // exit: the wait status
	u32 pad;
	struct task_info sender;
	struct task_info target;
};

// Keeps struct event in the BTF for bpf2go's Go type.
const struct event *unused_event __attribute__((unused));

// Settings written before loading (spec variables).
volatile const u32 cfg_all = 0;    // every process, not just inits
volatile const u32 cfg_signal = 0; // only this signal (0: any but SIGCHLD)
volatile const u32 cfg_targets = 0; // targets maps hold the only targets
// The reader's PID namespace (its inode): a task's PID there is what the
// reader's /proc calls it (a sigview in a container sees its own PIDs).
volatile const u32 cfg_view_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

// target_tgids and target_ns: the processes and PID namespaces named on
// sigview's command line.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u8);
} target_tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u8);
} target_ns SEC(".maps");

// tracked: processes an event was reported for, whose deliveries and exit
// are reported too.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u32);
	__type(value, u8);
} tracked SEC(".maps");

// stats: [0] events lost (ring buffer full), [1] events written.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

static __always_inline void count(u32 i)
{
	u64 *v = bpf_map_lookup_elem(&stats, &i);
	if (v)
		*v += 1;
}

static __always_inline struct upid *upid_at(struct pid *p, u32 level)
{
	if (level > MAX_LEVEL)
		return 0;
	return (struct upid *)((char *)p + bpf_core_field_offset(struct pid, numbers) +
			       level * bpf_core_type_size(struct upid));
}

// view_nr is the PID that the pid p (whose own level is level) has in the
// reader's PID namespace, 0 when that namespace is not one of p's (a task
// outside it, or in a sibling): p's numbers are looked through, level 0
// (the initial namespace) down.
static __always_inline s32 view_nr(struct pid *p, u32 level)
{
	for (u32 i = 0; i <= MAX_LEVEL && i <= level; i++) {
		struct upid *up = upid_at(p, i);
		if (!up)
			return 0;
		struct upid u = {};
		bpf_probe_read_kernel(&u, sizeof(u), up);
		if (u.ns && BPF_CORE_READ(u.ns, ns.inum) == cfg_view_ns)
			return u.nr;
	}
	return 0;
}

// fill records a task's identity: its thread group, active PID namespace
// (the namespace of its pid's own level, task_active_pid_ns) and its PID
// there.
static __always_inline struct pid *fill(struct task_info *ti, struct task_struct *t)
{
	ti->tgid = BPF_CORE_READ(t, tgid);
	ti->tid = BPF_CORE_READ(t, pid);
	bpf_probe_read_kernel_str(ti->comm, sizeof(ti->comm), &t->comm);
	ti->start = BPF_CORE_READ(t, group_leader, start_boottime);
	struct pid *p = BPF_CORE_READ(t, group_leader, thread_pid);
	if (!p)
		return 0;
	u32 level = BPF_CORE_READ(p, level);
	ti->level = level;
	struct upid *up = upid_at(p, level);
	if (!up)
		return p;
	struct upid u = {};
	bpf_probe_read_kernel(&u, sizeof(u), up);
	ti->ns_tgid = u.nr;
	ti->pidns = BPF_CORE_READ(u.ns, ns.inum);
	ti->view_tgid = view_nr(p, level);
	return p;
}

static __always_inline int read_action(struct event *e, struct task_struct *t, int sig)
{
	struct sighand_struct *sh = BPF_CORE_READ(t, sighand);
	if (!sh || sig < 1 || sig > 64)
		return 0;
	char *ka = (char *)sh + bpf_core_field_offset(struct sighand_struct, action) +
		   (sig - 1) * bpf_core_type_size(struct k_sigaction);
	struct k_sigaction *k = (struct k_sigaction *)ka;
	e->handler = (u64)BPF_CORE_READ(k, sa.sa_handler);
	e->sa_flags = BPF_CORE_READ(k, sa.sa_flags);
	return 0;
}

static __always_inline void read_code(struct event *e, struct kernel_siginfo *info)
{
	// SEND_SIG_NOINFO (0) is a kill() from user space, SEND_SIG_PRIV (1)
	// the kernel's own; otherwise si_errno and si_code sit at offsets 4
	// and 8 of siginfo (user ABI, every architecture).
	if ((unsigned long)info == 0) {
		e->code = 0; // SI_USER
		return;
	}
	if ((unsigned long)info == 1) {
		e->code = 0x80; // SI_KERNEL
		return;
	}
	int v[3] = {};
	bpf_probe_read_kernel(v, sizeof(v), info);
	e->si_errno = v[1];
	e->code = v[2];
}

// last_submit is when a record was last written (CLOCK_MONOTONIC ns).
u64 last_submit = 0;

// wakeup wakes the reader for the first record after a quiet spell (it is
// then printed at once), and when a quarter of the ring is full; within a
// burst the reader polls (sigtrace.Poll), so that a storm of signals costs
// a wakeup per batch rather than one per signal.
static __always_inline u64 wakeup(u64 now)
{
	u64 last = last_submit;
	last_submit = now;
	if (now - last > QUIET_NS || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > (1 << 20))
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline bool wanted(int sig)
{
	if (cfg_signal)
		return sig == (int)cfg_signal;
	return sig != SIGCHLD;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task, int group, int result)
{
	if (!wanted(sig))
		return 0;
	u32 tgid = BPF_CORE_READ(task, tgid);
	// The flags are read after complete_signal, which replaces them with
	// SIGNAL_GROUP_EXIT for a fatal signal: an init is told by its PID 1
	// in its own namespace, not by SIGNAL_UNKILLABLE.
	u32 sig_flags = BPF_CORE_READ(task, signal, flags);
	struct pid *p = BPF_CORE_READ(task, group_leader, thread_pid);
	u32 level = BPF_CORE_READ(p, level);
	struct upid *up = upid_at(p, level);
	struct upid u = {};
	if (up)
		bpf_probe_read_kernel(&u, sizeof(u), up);
	if (cfg_targets) {
		u32 inum = BPF_CORE_READ(u.ns, ns.inum);
		// A process named, or any of a namespace named.
		if (!bpf_map_lookup_elem(&target_tgids, &tgid) && !bpf_map_lookup_elem(&target_ns, &inum))
			return 0;
	} else if (!cfg_all && u.nr != 1) {
		return 0; // not a namespace's init
	}

	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(0);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ktime = bpf_ktime_get_ns();
	e->kind = KIND_GENERATE;
	e->sig = sig;
	e->group = group;
	e->result = result;
	e->sig_flags = sig_flags;
	read_code(e, info);
	read_action(e, task, sig);
	e->blocked = BPF_CORE_READ(task, blocked.sig[0]);

	struct task_struct *cur = (struct task_struct *)bpf_get_current_task_btf();
	fill(&e->sender, cur);
	struct pid *tp = fill(&e->target, task);

	// The sender's namespace is the target's, an ancestor of it (the
	// target's pid has a number at the sender's level in the sender's
	// namespace), or neither.
	e->relation = REL_OTHER;
	if (e->sender.pidns == e->target.pidns) {
		e->relation = REL_SAME;
	} else if (tp && e->sender.level < e->target.level) {
		struct upid *up = upid_at(tp, e->sender.level);
		struct pid_namespace *ns = 0;
		if (up)
			bpf_probe_read_kernel(&ns, sizeof(ns), &up->ns);
		if (ns && BPF_CORE_READ(ns, ns.inum) == e->sender.pidns)
			e->relation = REL_ANCESTOR;
	}
	bpf_ringbuf_submit(e, wakeup(e->ktime));
	count(1);
	// An update of the LRU map takes its lock and a node each time; a
	// storm of signals to one process needs it once.
	if (!bpf_map_lookup_elem(&tracked, &tgid)) {
		u8 one = 1;
		bpf_map_update_elem(&tracked, &tgid, &one, BPF_ANY);
	}
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task_btf();
	u32 tgid = BPF_CORE_READ(cur, tgid);
	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(0);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ktime = bpf_ktime_get_ns();
	e->kind = KIND_DELIVER;
	e->sig = sig;
	read_code(e, info);
	e->handler = (u64)BPF_CORE_READ(ka, sa.sa_handler);
	e->sa_flags = BPF_CORE_READ(ka, sa.sa_flags);
	e->sig_flags = BPF_CORE_READ(cur, signal, flags);
	e->blocked = BPF_CORE_READ(cur, blocked.sig[0]);
	fill(&e->target, cur);
	bpf_ringbuf_submit(e, wakeup(e->ktime));
	count(1);
	return 0;
}

// sched_process_exit takes only the task: the tracepoint's second
// argument, group_dead, exists only since Linux 6.16 ("exit: move and
// extend sched_process_exit() tracepoint"), and the verifier of an older
// kernel refuses a program that reads it. group_dead is the kernel's
// atomic_dec_and_test(&tsk->signal->live) in do_exit, which runs before
// the tracepoint on every kernel (before exit_mm on old kernels, after
// taskstats_exit on new ones): signal->live is 0 here for the last thread.
// Threads exiting together may each see 0; the first to get here reports
// the exit and removes the process from tracked, so it is reported once.
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *task)
{
	int live = BPF_CORE_READ(task, signal, live.counter);
	bool group_dead = live == 0;
	if (!group_dead)
		return 0;
	u32 tgid = BPF_CORE_READ(task, tgid);
	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	bpf_map_delete_elem(&tracked, &tgid);
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(0);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ktime = bpf_ktime_get_ns();
	e->kind = KIND_EXIT;
	e->group = group_dead;
	e->exit_code = BPF_CORE_READ(task, exit_code);
	fill(&e->target, task);
	bpf_ringbuf_submit(e, wakeup(e->ktime));
	count(1);
	return 0;
}
