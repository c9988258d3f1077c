package procinspect

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// How a scan reads its listed processes: readAll, spread over workers
// (parallel).

// result is one process read by a scan worker; shared marks the last
// snapshot's process, taken as it is (share.go).
type result struct {
	p      *Process
	err    error
	shared bool
}

// readAll reads every listed process as plan says (see Scanner.plan):
// afresh in full, its status alone, or not at all. The reads are spread over
// one worker per CPU: most of the cost is the kernel generating status
// text, and it runs in parallel.
//
// prevGen is the last snapshot's Snapshot.gen: a process it did not make
// was shared into it, found shareable then, and has not changed since
// (share.go), so it is shared again without a look at its fields.
func readAll(fs FS, ents []entry, plan []step, prevGen uint64) (out []result, shared int) {
	out = make([]result, len(ents))
	// The processes carried over unread: the last snapshot's where it may
	// be (share.go), else copies in one allocation.
	copies := 0
	for i, st := range plan {
		if st.how == carry {
			if q := st.prev; q.gen != prevGen && q.carried || q.shareable(ents[i].ino) {
				out[i].p, out[i].shared = st.prev, true
				shared++
			} else {
				copies++
			}
		}
	}
	slab := make([]Process, 0, copies)
	var todo []int
	for i, st := range plan {
		switch {
		case st.how != carry:
			todo = append(todo, i)
		case !out[i].shared:
			slab = append(slab, st.prev.carryCopy(ents[i].ino))
			out[i].p = &slab[len(slab)-1]
		}
	}
	parallel(len(todo), func(k int) {
		i := todo[k]
		r, e, st := &out[i], ents[i], plan[i]
		pr := fs.Proc(e.pid)
		if st.how == status {
			r.p, r.err = refresh(st.prev, pr, e.ino)
			return
		}
		r.p, r.err = readProcess(pr)
		if r.p != nil && r.p.Status.Tgid.Known && r.p.Status.Tgid.V != e.pid {
			// A thread, which a lookup of a PID events named may find.
			r.p, r.err = nil, errThread
		}
		if r.p != nil {
			r.p.ino = e.ino
		}
	})
	return out, shared
}

// parallel runs f(0..n-1) on one worker per CPU (fewer for small n).
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/16))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}
