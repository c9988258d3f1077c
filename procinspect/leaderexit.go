package procinspect

// A process whose thread-group leader exited while another thread lives
// (pthread_exit in main): status, which is the leader's, says Z. It is no
// zombie: its children keep their parent. When a thread exits, the kernel
// gives its children to a thread of the same group that is not exiting
// (kernel/exit.c: forget_original_parent, find_new_reaper's
// find_alive_thread: the first thread without PF_EXITING), so their
// real_parent stays in the group and their PPid, its tgid, is unchanged.
// They leave the group only when a thread exits and finds no thread
// without PF_EXITING; a thread never loses PF_EXITING and only a thread
// without it can make another (clone), so once no thread lives none ever
// will. Hence a thread seen without PF_EXITING proves that no child of the
// group has been given away until that moment: the children carried over
// (reuse.go) keep their parent, and need not be read again (orphans).
//
// Threads (status) is not the proof: it counts threads until they are
// released, an exiting one too (in exit_notify between giving its children
// away and release_task; a traced one until its tracer waits for it), so a
// real zombie may say Threads: 2 after its children went to the reaper.
// When the last thread exits the process is a zombie like any other (or
// reaped): its status says Z again, with no thread alive, and its children
// are read again from then on; a rescan that read the thread alive just
// before that exit sees the exit at the next rescan, as it sees any
// parent's exit after the parent's read (reuse.go).

import (
	"bytes"
	"strconv"
)

// pfExiting is PF_EXITING (include/linux/sched.h): the task is in do_exit
// (set by exit_signals, never cleared).
const pfExiting = 0x00000004

// maxLiveTries bounds the threads groupLives reads when the one that lived
// last time does not: a group whose threads are all exiting is a zombie
// soon, and a process whose tries all fail is treated as one (its children
// are read again), which is right either way.
const maxLiveTries = 4

// groupLives reports whether p, whose status (read by this scan) says its
// leader has exited, still has a thread that is not exiting: then it is no
// zombie and its children keep their parent. It reads the stat of the
// thread found alive last time (liveTID), and lists the threads only when
// that one no longer lives. The answer is kept for this snapshot.
func (p *Process) groupLives(fs FS) bool {
	if p.lives != 0 {
		return p.lives > 0
	}
	p.lives = -1
	st := p.Status
	if !fs.Live || p.carried || st.State != 'Z' || !st.Threads.Known || st.Threads.V < 2 {
		p.liveTID = 0
		return false
	}
	pr := fs.Proc(p.PID)
	if p.liveTID != 0 && threadLives(pr, p.liveTID) {
		p.lives = 1
		return true
	}
	last := p.liveTID
	p.liveTID = 0
	ents, err := listTasks(pr.dir)
	if err != nil {
		return false
	}
	tries := 0
	for _, e := range ents {
		if e.pid == p.PID || e.pid == last {
			continue
		}
		if tries++; tries > maxLiveTries {
			break
		}
		if threadLives(pr, e.pid) {
			p.liveTID, p.lives = e.pid, 1
			return true
		}
	}
	return false
}

// threadLives reports whether thread tid of the process pr is neither
// exiting (PF_EXITING in its stat's flags) nor exited (Z, X): the kernel
// would give a sibling's children to it. /proc/PID/task/TID finds only a
// thread of that group.
func threadLives(pr Proc, tid int) bool {
	b, err := pr.read("task/"+strconv.Itoa(tid)+"/stat", maxLine)
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return false
	}
	switch b[i+2] {
	case 'Z', 'X', 'x':
		return false
	}
	flags, err := ParseStatFlags(b)
	return err == nil && flags&pfExiting == 0
}
