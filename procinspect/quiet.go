package procinspect

// What a rescan keeps of a process that has not run since it was last read
// in depth (quiet), and of its threads (quietThread).

import "slices"

// A process asleep since it was last read in depth (quiet). The kernel
// counts every context switch of a task (voluntary_ctxt_switches,
// nonvoluntary_ctxt_switches in status): a task woken up runs and, to be
// asleep again, switches out again, so a task asleep at two readings with
// the same counts has not run in between. What only the process itself can
// change then stands: its command line and environment (its memory), its
// program (exec), what its one thread waits in (wchan, syscall, the set a
// sigtimedwait waits for) and its start time. Status is read every time
// (a signal sent to it changes the pending sets); so are its container
// where it is read at all (another process may move it to another
// cgroup: readDeepSet), its fd table and
// signalfds (read as readDeep does: a descriptor table may be shared), and
// the files on disk its program reads (s6-svscan's, supervisord's).
//
// The same process is not enough: an exec from another thread (de_thread)
// keeps the PID, its inode and the start time, so the leader's run time
// (schedstat) must be the same too (a read of 7 µs against status's 25).
// Unless the process events cover the time since the last snapshot
// (sawNoThread): such an exec needs a second thread first, made after the
// last snapshot's take (the reading then had one thread), and the kernel
// queues the fork event that names the process on the listening socket
// before the new thread runs (cn_netlink_send, in copy_process): if it is
// neither among the events this scan took nor queued after this status
// read, there was no second thread to exec from. What this cannot see: the
// kernel drops an event without an error on the socket when it cannot
// allocate its message (cn_netlink_send: nlmsg_new with GFP_NOWAIT, whose
// failure send_msg ignores); then, as for a dropped event anywhere, a
// process exec'd from a new thread keeps its last reading while it sleeps.
// Only a process with one thread and no tracer qualifies: another thread
// runs unseen in the leader's counts, and a tracer can change a stopped
// task's registers (what syscall reports) without it running. A PID asked
// for (Scanner.Deep) is always read afresh. What this cannot see: another
// process writing the sleeper's memory (process_vm_writev, /proc/PID/mem)
// changes the command line a full read would show, though not what the
// sleeping program does; the next time the process runs it is read again.
// A task caught in status on its way to sleep (its state already S, its
// switch possibly already counted, still on the CPU) has no wchan yet: such
// a reading is never kept (waitRead).

// quiet returns the previous snapshot's reading of p when p is the same
// process, read in depth then without error, and has not run since: one
// thread, asleep at both readings, the same switch counts, no tracer. p's
// status must have been read by this scan.
func (sc Scanner) quiet(fs FS, p *Process, asked bool, cover *evCover) *Process {
	prev := sc.prevFor(fs)
	if prev == nil || asked || p.carried || !p.seen {
		return nil
	}
	q := prev.byPID[p.PID]
	if q == nil || q.ino != p.ino || q.carried || q.StartTime == 0 {
		return nil
	}
	if d := q.Deep; d == nil || d.Gone || d.ThreadsErr != "" || d.FDErr != "" || len(d.Threads) != 1 || d.Threads[0].TID != p.PID || !waitRead(d.Threads[0]) {
		return nil
	}
	a, b := q.Status, p.Status
	one := func(s *Status) bool {
		return s.Threads.Known && s.Threads.V == 1 && s.TracerPid.Known && s.TracerPid.V == 0 && s.Switches.Known && asleep(s.State)
	}
	if !one(a) || !one(b) || a.Switches != b.Switches || a.State != b.State || a.Name != b.Name {
		return nil
	}
	// An exec from another thread (de_thread) gives that thread the PID,
	// the inode and the start time, with its own switch counts, which may
	// be the old leader's: its run time is its own. Unknown: not kept.
	if cover.sawNoThread(p.PID) {
		return q
	}
	if run := runTime(fs.Proc(p.PID), ""); run == 0 || run != q.Deep.Threads[0].run {
		return nil
	}
	return q
}

// evCover is what the process events said since the last snapshot, when
// they cover that time (Scanner.list): the PIDs this scan's take named,
// and the events, to look at what was queued since.
type evCover struct {
	named map[int]bool
	ev    *Events
	gen   uint64 // the take the listing followed (Events.generation)
}

// sawNoThread reports that no event named process pid since the last
// snapshot's take, up to now: no thread made, no exec, no exit. It must be
// asked after the status read it vouches for. False without events.
func (c *evCover) sawNoThread(pid int) bool {
	return c != nil && !c.named[pid] && c.ev.unnamedSince(pid, c.gen)
}

// asleep reports whether a state letter is a task off the CPU that only a
// wakeup brings back: sleeping, in disk sleep, stopped, idle.
func asleep(state byte) bool {
	switch state {
	case 'S', 'D', 'T', 'I':
		return true
	}
	return false
}

// keepQuiet fills in p's deep facts from q, the reading of the same
// process asleep since (quiet): its thread's wait as q read it, with this
// scan's status; the command line, environment and start time q read; its
// container, fd table and on-disk files read again.
func keepQuiet(p, q *Process, pr Proc, same *Process, container bool) {
	readDetails(p, pr, q, 0, same, container)
	t := q.Deep.Threads[0]
	t.Status = *p.Status
	p.Deep = deepOf(pr, false, []Thread{t}, nil)
	p.quiet = true
}

// prevThreads returns the threads the previous snapshot read for p when p
// is the same process and not asked for afresh: a thread among them that
// has not run since keeps its wait (readThreads, quietThread).
func (sc Scanner) prevThreads(fs FS, p *Process, asked bool) []Thread {
	prev := sc.prevFor(fs)
	if prev == nil || asked || !p.seen {
		return nil
	}
	if q := prev.byPID[p.PID]; q != nil && q.ino == p.ino && q.Deep != nil && !q.Deep.Gone {
		return q.Deep.Threads
	}
	return nil
}

// quietThread returns the thread tid of prev when it is the same thread
// (the same task directory inode, ino: a thread that exits and a new one
// given its TID have different ones, as processes reusing a PID do; see
// the top of this file), has not run since it was read (the same switch
// counts in st, asleep at both reads, no tracer) and was not in
// sigtimedwait (the set it waits for is read from memory, which its
// siblings may write): its wait (wchan, syscall) stands. The TID alone is
// not the thread: a new thread often has the counts an old one had (1, 0).
func quietThread(prev []Thread, tid int, ino, run uint64, st Status) *Thread {
	i, ok := slices.BinarySearchFunc(prev, tid, func(t Thread, tid int) int { return t.TID - tid })
	if !ok {
		return nil
	}
	q := &prev[i]
	// Inode 1: proc_fill_cache could not make the entry's inode (listProcs).
	if ino <= 1 || q.ino != ino || q.run != run {
		return nil
	}
	a := q.Status
	quiet := func(s Status) bool {
		return s.TracerPid.Known && s.TracerPid.V == 0 && s.Switches.Known && asleep(s.State)
	}
	if !quiet(a) || !quiet(st) || a.Switches != st.Switches || a.State != st.State || q.Sigwait.V || !waitRead(*q) {
		return nil
	}
	return q
}

// waitRead reports whether t's wait was read whole: a task off the CPU
// always has a wchan. An empty one (the kernel prints "0") means either no
// access or a task caught on its way to sleep: status already said S, and
// the switch may already be counted (__schedule counts it before the task
// leaves the CPU), so the counts would never show that the reading was
// incomplete, and a kept empty wait would stand while the process sleeps
// (TestRescanUnderChurn caught it). Such a reading is never kept.
func waitRead(t Thread) bool {
	return t.Wchan != ""
}
