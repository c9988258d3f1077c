package procinspect

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

// TestDeriveMerges: derive merges the named PIDs found into the sorted
// previous listing. It must give what filtering prev, appending the found
// ones and sorting the lot gives: sorted, no PID twice, a named PID present
// exactly when its directory exists (with that directory's inode), and the
// exited ones found gone forgotten.
func TestDeriveMerges(t *testing.T) {
	root := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var prev []entry
		for pid := 1; pid < 400; pid++ {
			if r.IntN(3) == 0 {
				prev = append(prev, entry{pid: pid, ino: uint64(pid)})
			}
		}
		named := map[int]bool{}
		exists := map[int]uint64{}
		e := &Events{exited: map[int]bool{}}
		for range r.IntN(12) {
			pid := 1 + r.IntN(420)
			named[pid] = true
			e.exited[pid] = true
			dir := filepath.Join(root, strconv.Itoa(round), strconv.Itoa(pid))
			if r.IntN(2) == 0 {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				fi, err := os.Lstat(dir)
				if err != nil {
					t.Fatal(err)
				}
				exists[pid] = fi.Sys().(*syscall.Stat_t).Ino
			}
		}
		var want []entry
		for _, en := range prev {
			if !named[en.pid] {
				want = append(want, en)
			}
		}
		for pid, ino := range exists {
			want = append(want, entry{pid: pid, ino: ino})
		}
		slices.SortFunc(want, func(a, b entry) int { return a.pid - b.pid })
		got := e.derive(filepath.Join(root, strconv.Itoa(round)), prev, named)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: derive gave\n%v\nwant\n%v", round, got, want)
		}
		for pid := range named {
			_, found := exists[pid]
			if e.exited[pid] == !found {
				t.Fatalf("round %d: PID %d found=%v but exited=%v", round, pid, found, e.exited[pid])
			}
		}
	}
}
