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
	var added []entry
	var gone []int
	for pid := range named {
		var st unix.Stat_t
		if pid <= 0 || unix.Lstat(root+"/"+strconv.Itoa(pid), &st) != nil {
			gone = append(gone, pid)
			continue
		}
		added = append(added, entry{pid: pid, ino: st.Ino})
	}
	// prev is sorted (listEntries, and this merge): only the few named PIDs
	// are sorted, then merged in, not the whole listing each rescan.
	sortEntries(added)
	out := make([]entry, 0, len(prev)+len(added))
	for _, en := range prev {
		if named[en.pid] {
			continue
		}
		for len(added) > 0 && added[0].pid < en.pid {
			out = append(out, added[0])
			added = added[1:]
		}
		out = append(out, en)
	}
	out = append(out, added...)
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
// events), whose status the rescan reads again. reread asks the rescan to
// read every process's status again: events were lost since the last
// snapshot that did (Events.resync), or the snapshot built on is not the
// one the last take followed (another consumed events it did not see).
// The listing is made after the take that found the loss, and the
// statuses are read after it: what the lost events would have said is in
// them, and what happens later comes as events to the next take.
// covered reports that named holds every event since the last
// snapshot's take: none was lost in between.
func (sc Scanner) list(fs FS, snap *Snapshot) (ents []entry, named map[int]bool, reread, covered bool, err error) {
	ev := sc.Events
	if ev == nil || !fs.Live {
		ents, err = listProcs(fs.Root)
		return ents, nil, false, false, err
	}
	gen, named, ok, verify := ev.take()
	prev := sc.prevFor(fs)
	if !eventsUsable(fs, snap.Viewer) {
		// Another namespace's PIDs: never of use to this scanner.
		ev.Close()
		ents, err = listProcs(fs.Root)
		return ents, nil, false, false, err
	}
	lost := ev.resync()
	derived := ok && !lost && prev != nil && prev.evGen != 0 && prev.evGen == gen-1
	if derived && !verify {
		snap.ents, snap.evGen = ev.derive(fs.Root, prev.ents, named), gen
		ev.mu.Lock()
		ev.derived++
		ev.mu.Unlock()
		return snap.ents, named, false, true, nil
	}
	if ents, err = listProcs(fs.Root); err != nil {
		return nil, nil, false, false, err
	}
	snap.ents, snap.evGen = ents, gen
	reread = prev != nil && ev.Broken() == "" && (lost || prev.evGen != gen-1)
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
			// Lost: the next rescan lists and reads every process
			// again (resync), as after any loss.
			snap.evGen = 0
		}
	}
	// What the events named before the listing has its status read again
	// all the same (an exec's new name).
	return ents, named, reread, derived, nil
}
