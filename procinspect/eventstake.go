package procinspect

// Taking the process events (events.go): draining the socket into the
// PIDs named since the last take, checking a listing against them, and
// the exited processes named until they are reaped.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// take drains the socket: the thread-group IDs the events named since the
// last take, with that take's generation (gen-1 is the previous take's).
// ok is false when they cannot be trusted (events lost, the socket
// failed, or no longer used); verify is set every verifyEvery-th take.
func (e *Events) take() (gen uint64, named map[int]bool, ok, verify bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	named, e.pending = e.pending, nil
	if named == nil {
		named = map[int]bool{}
	}
	ok = e.drain(named)
	// The suspects are judged only on a drain that lost nothing, nor any
	// drain since the last rescan's resync (unnamedSince's, between two
	// takes): the events lost may be the ones that named them. This
	// rescan lists, and a later check looks again.
	if len(e.suspect) > 0 && e.broken == "" && ok && !e.lost {
		e.broken = e.suspectWhy
		e.closeLocked()
	}
	e.suspect = nil
	if len(e.exited) > maxExited {
		// Not looked up for long (rescans listed): forgotten, this
		// rescan lists, and the zombies it reads are noted again.
		clear(e.exited)
		ok = false
		e.lost = true
	}
	for pid := range e.exited {
		named[pid] = true
	}
	e.gen++
	e.takes++
	return e.gen, named, ok && e.broken == "", e.takes%verifyEvery == 0
}

// drain adds what is queued on the socket to named; false when events
// were lost or the socket failed.
func (e *Events) drain(named map[int]bool) bool {
	if e.fd < 0 {
		return false
	}
	ok := true
	ne := binary.NativeEndian
	for {
		n, _, err := unix.Recvfrom(e.fd, e.buf, unix.MSG_DONTWAIT)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return ok
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOBUFS):
			ok = false // lost: keep draining what is there
			e.lost = true
			continue
		case err != nil:
			e.broken = "process events: receive: " + err.Error()
			e.closeLocked()
			return false
		}
		msgs, err := syscall.ParseNetlinkMessage(e.buf[:n])
		if err != nil {
			ok = false
			e.lost = true
			continue
		}
		for _, m := range msgs {
			d := m.Data
			if len(d) < cnMsgLen+procEventHdr+16 || ne.Uint32(d[0:]) != cnIdxProc {
				continue
			}
			ev := d[cnMsgLen:]
			data := ev[procEventHdr:]
			switch ne.Uint32(ev[0:]) {
			case procEventNone: // an acknowledgement
			case procEventFork:
				// parent pid, tgid, child pid, tgid: a new thread's tgid is
				// its process's.
				e.name(named, int(ne.Uint32(data[12:])))
			case procEventExit:
				pid, tgid := int(ne.Uint32(data[0:])), int(ne.Uint32(data[4:]))
				e.name(named, tgid)
				if pid == tgid {
					e.exited[tgid] = true
				}
			case procEventExec:
				// After its leader's exit event, an exec is a non-leader
				// thread's (de_thread: it takes over the PID, and the
				// process lives on): no longer exited.
				tgid := int(ne.Uint32(data[4:]))
				e.name(named, tgid)
				delete(e.exited, tgid)
			default:
				// uid, gid, sid, ptrace, comm, coredump, and any later kind:
				// process pid, tgid first.
				e.name(named, int(ne.Uint32(data[4:])))
			}
		}
	}
}

// check is a listing's check of the events: every PID that the listing
// and the entries derived from the events disagree on must be in named
// (the events of a take made after the listing), or be named by an event
// before the next take. Otherwise the kernel stopped sending, and the
// events are not used again.
func (e *Events) check(derived, listed []entry, named map[int]bool) {
	var miss []int
	came := 0
	i, j := 0, 0
	for i < len(derived) || j < len(listed) {
		switch {
		case j == len(listed) || i < len(derived) && derived[i].pid < listed[j].pid:
			if !named[derived[i].pid] {
				miss = append(miss, derived[i].pid)
			}
			i++
		case i == len(derived) || listed[j].pid < derived[i].pid:
			if !named[listed[j].pid] {
				miss = append(miss, listed[j].pid)
				came++
			}
			j++
		default:
			i, j = i+1, j+1
		}
	}
	if len(miss) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.broken != "" {
		return
	}
	// Put back: named by the next take, which gives up unless an event
	// came for each by then.
	e.suspect = map[int]bool{}
	if e.pending == nil {
		e.pending = map[int]bool{}
	}
	for _, pid := range miss {
		e.suspect[pid] = true
		e.pending[pid] = true
	}
	e.suspectWhy = fmt.Sprintf("process events: %d processes came and %d went without an event (%v), still none at the next take: rescans list /proc", came, len(miss)-came, miss[:min(len(miss), 8)])
}

// resync reports, once, that events were lost since the last listing
// that read every process again (Scanner.list).
func (e *Events) resync() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	lost := e.lost && e.broken == ""
	e.lost = false
	return lost
}

// name notes that an event named pid: it is no longer suspect.
func (e *Events) name(named map[int]bool, pid int) {
	named[pid] = true
	delete(e.suspect, pid)
}

// zombies notes the processes of snap that had exited when read (a
// zombie, or dying): their exit may have come before the subscription, or
// before the take this snapshot follows, and their reaping comes without an
// event; they are named until they are gone (exited).
func (e *Events) zombies(snap *Snapshot) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range snap.Processes {
		// One shared with the last snapshot (share.go) was noted by the
		// scan that read it, and is named until it is gone.
		if !snap.owns(p) {
			continue
		}
		if s := p.Status.State; s == 'Z' || s == 'X' {
			e.exited[p.PID] = true
		}
	}
}

// forget drops PIDs found to be threads (a PID an exit event freed, reused
// as a thread's ID: /proc/TID can be looked up though it is not listed).
func (e *Events) forget(pids []int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, pid := range pids {
		delete(e.exited, pid)
	}
}

// unnamedSince reports whether no event named pid since take number gen
// (the generation a scan's take returned), as far as the socket has them
// now: it drains what is queued into what the next take names. False when
// events were lost or can no longer be trusted (the next rescan then
// lists: resync), or when another take came since: a second consumer of
// the same events (a send's scan) took what this scan would need to see.
func (e *Events) unnamedSince(pid int, gen uint64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gen != gen {
		return false
	}
	if e.pending == nil {
		e.pending = map[int]bool{}
	}
	ok := e.drain(e.pending) // a loss marks e.lost: the next rescan lists (resync)
	return ok && !e.lost && e.broken == "" && !e.pending[pid]
}

// generation is the number of the last take.
func (e *Events) generation() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.gen
}

// putBack hands named to the next take (a listing was made between two
// takes: what the second named may have happened after the listing).
func (e *Events) putBack(named map[int]bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pending == nil {
		e.pending = map[int]bool{}
	}
	for pid := range named {
		e.pending[pid] = true
	}
}
