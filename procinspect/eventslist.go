package procinspect

// The listing a rescan builds on (events.go): derived from the previous
// snapshot's and the process events, or the procfs listed.

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// usable reports whether the events number the processes of the procfs fs
// reads: a live procfs of the initial PID namespace, read from it.
func eventsUsable(fs FS, v Viewer) bool {
	if !fs.Live || !v.Initial.Known || !v.Initial.V {
		return false
	}
	self, err := os.Readlink(fs.Root + "/self")
	return err == nil && self == strconv.Itoa(os.Getpid())
}

// derive is the listing the events stand for: prev's entries that no event
// named, and each named PID that exists now, with its inode (lstat
// /proc/PID: the inode the listing would report). Sorted by PID. An exited
// process found gone is forgotten.
func (e *Events) derive(root string, prev []entry, named map[int]bool) []entry {
	out := make([]entry, 0, len(prev)+len(named))
	for _, en := range prev {
		if !named[en.pid] {
			out = append(out, en)
		}
	}
	added, gone := false, []int(nil)
	for pid := range named {
		var st unix.Stat_t
		if pid <= 0 || unix.Lstat(root+"/"+strconv.Itoa(pid), &st) != nil {
			gone = append(gone, pid)
			continue
		}
		out = append(out, entry{pid: pid, ino: st.Ino})
		added = true
	}
	if added {
		sortEntries(out)
	}
	if len(gone) > 0 {
		e.mu.Lock()
		for _, pid := range gone {
			delete(e.exited, pid)
		}
		e.mu.Unlock()
	}
	return out
}

// list lists the procfs, or derives the listing from the process events;
// named is what the events named since the last snapshot (nil without
// events), whose status the rescan reads again.
func (sc Scanner) list(fs FS, snap *Snapshot) (ents []entry, named map[int]bool, err error) {
	ev := sc.Events
	if ev == nil || !fs.Live {
		ents, err = listProcs(fs.Root)
		return ents, nil, err
	}
	gen, named, ok, verify := ev.take()
	prev := sc.prevFor(fs)
	if !eventsUsable(fs, snap.Viewer) {
		// Another namespace's PIDs: never of use to this scanner.
		ev.Close()
		ents, err = listProcs(fs.Root)
		return ents, nil, err
	}
	derived := ok && prev != nil && prev.evGen != 0 && prev.evGen == gen-1
	if derived && !verify {
		snap.ents, snap.evGen = ev.derive(fs.Root, prev.ents, named), gen
		ev.mu.Lock()
		ev.derived++
		ev.mu.Unlock()
		return snap.ents, named, nil
	}
	if ents, err = listProcs(fs.Root); err != nil {
		return nil, nil, err
	}
	snap.ents, snap.evGen = ents, gen
	if derived {
		// The check: what the listing and the events disagree on must have
		// been named since (the events of a take after the listing, which
		// the next take names again).
		want := ev.derive(fs.Root, prev.ents, named)
		gen2, named2, ok2, _ := ev.take()
		if ok2 {
			ev.check(want, ents, named2)
			ev.putBack(named2)
			snap.evGen = gen2
		} else {
			snap.evGen = 0
		}
	}
	// What the events named before the listing has its status read again
	// all the same (an exec's new name).
	return ents, named, nil
}
