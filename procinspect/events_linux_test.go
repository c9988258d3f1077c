package procinspect_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/render"
)

// TestRescanUnderChurnWithEvents is TestRescanUnderChurn's property with
// the kernel's process events (Scanner.Events, events.go): rescans that
// take their listing from the events instead of listing /proc show, once
// the churn stops, what a fresh full scan shows, and more: an ordinary
// process that exec'd has its new name (an exec is an event). The events
// number processes in the initial PID namespace, so this churn runs there,
// in a process group of its own, and the comparison is of that group's
// processes and namespaces (other tests churn the machine at the same time);
// PIDs are not forced to be reused (ns_last_pid is the host's).
func TestRescanUnderChurnWithEvents(t *testing.T) {
	if os.Getenv("SIGVIEW_EVENTS_INNER") != "" {
		eventsChurn(t)
		return
	}
	nstest.NeedNamespaces(t)
	ev, err := procinspect.OpenEvents()
	if err != nil {
		nstest.Skip(t, "proc-events", "the process events connector is not usable here: %v", err)
	}
	ev.Close()
	seed := os.Getenv("SIGVIEW_CHURN_SEED")
	if seed == "" {
		seed = strconv.FormatInt(time.Now().UnixNano(), 10)
	}
	// A session of its own: every process of the churn, the orphans the
	// host's init adopts too, is in its process group.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRescanUnderChurnWithEvents$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "SIGVIEW_EVENTS_INNER=1", "SIGVIEW_CHURN_SEED="+seed)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the group it led: what it left
	t.Logf("in a session of its own (SIGVIEW_CHURN_SEED=%s):\n%s", seed, out.String())
	if err != nil || !strings.Contains(out.String(), "--- PASS: TestRescanUnderChurnWithEvents") {
		t.Fatalf("the churn with events failed (replay with SIGVIEW_CHURN_SEED=%s): %v", seed, err)
	}
}

func eventsChurn(t *testing.T) {
	ev, err := procinspect.OpenEvents()
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	pgid := os.Getpid()
	seed, _ := strconv.ParseInt(os.Getenv("SIGVIEW_CHURN_SEED"), 10, 64)
	c := &churner{t: t, rng: rand.New(rand.NewSource(seed)), host: true}
	defer func() {
		for _, cmd := range c.live {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	sc := procinspect.Scanner{Root: "/proc", Events: ev}
	var inc *procinspect.Snapshot
	rescan := func() {
		s := sc
		s.Prev = inc
		s.Deep = detailOf(inc, c.rng)
		next, err := s.Scan()
		if err != nil {
			t.Fatal(err)
		}
		inc = next
	}
	rescan()
	for round := 0; round < 3; round++ {
		for i := 0; i < 60; i++ {
			c.step()
			if c.rng.Intn(8) == 0 {
				rescan()
			}
		}
		time.Sleep(time.Duration(c.rng.Intn(400)) * time.Millisecond)
		rescan()
	}
	// An ordinary process (no init, not shown in depth) that execs after
	// it was first read: a carried process's name is otherwise its first.
	c.start(false, "sh", "-c", "sleep 0.5; exec sleep 1002")
	time.Sleep(100 * time.Millisecond)
	rescan()
	time.Sleep(1500 * time.Millisecond)
	rescan()
	var diffs []string
	// A process the incremental snapshot has and a full scan made after
	// it has not exited in between, unless it is still so at the next try
	// (built on this one, after the exit's event): then its exit was missed.
	var extra map[int]string
	for try := 0; try < 10; try++ {
		last := sc
		last.Prev = inc
		got, err := last.Scan()
		if err != nil {
			t.Fatal(err)
		}
		want, err := procinspect.Scanner{Root: "/proc"}.Scan()
		if err != nil {
			t.Fatal(err)
		}
		own := groupOf(want, pgid)
		diffs = compareOwn(got, want, own)
		next := map[int]string{}
		for _, g := range got.Processes {
			if want.Process(g.PID) == nil {
				next[g.PID] = g.Name()
				if extra[g.PID] == g.Name() && extra != nil {
					diffs = append(diffs, fmt.Sprintf("PID %d (%s) is gone, but still in two incremental snapshots in a row", g.PID, g.Name()))
				}
			}
		}
		extra = next
		if len(diffs) == 0 && try > 0 {
			break
		}
		if len(diffs) > 0 {
			t.Logf("try %d: %d differences, the first: %s", try, len(diffs), diffs[0])
		}
		inc = got
		time.Sleep(500 * time.Millisecond)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	if n := procinspect.EventsDerived(ev); n < 10 {
		t.Errorf("only %d rescans took their listing from the events (broken: %q): the events were not tested", n, ev.Broken())
	}
	if b := ev.Broken(); b != "" {
		t.Errorf("the events were found unreliable: %s", b)
	}
	t.Logf("%d rescans from events", procinspect.EventsDerived(ev))
}

// groupOf is the PIDs of s in process group pgid (stat's fifth field).
func groupOf(s *procinspect.Snapshot, pgid int) map[int]bool {
	own := map[int]bool{}
	for _, p := range s.Processes {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		var state string
		var ppid, pg int
		if _, err := fmt.Sscan(string(b[i+1:]), &state, &ppid, &pg); err == nil && pg == pgid {
			own[p.PID] = true
		}
	}
	return own
}

// compareOwn is compareScans for the processes in own and the namespaces
// whose init is in own, with the names of all of them.
func compareOwn(got, want *procinspect.Snapshot, own map[int]bool) []string {
	var diffs []string
	errorf := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	for pid := range own {
		w, g := want.Process(pid), got.Process(pid)
		if g == nil {
			errorf("PID %d (%s) missing from the incremental snapshot", pid, w.Name())
			continue
		}
		if g.NS != w.NS || g.Status.PPid != w.Status.PPid || g.Name() != w.Name() {
			errorf("PID %d: incremental %s NS %v PPid %v; full %s NS %v PPid %v", pid, g.Name(), g.NS, g.Status.PPid, w.Name(), w.NS, w.Status.PPid)
		}
		if (g.Deep == nil) != (w.Deep == nil) {
			errorf("PID %d (%s): read in depth: incremental %v, full %v", pid, w.Name(), g.Deep != nil, w.Deep != nil)
			continue
		}
		if w.Deep != nil {
			if d := deepDiff(g, w); d != "" {
				errorf("PID %d (%s) read in depth: %s", pid, w.Name(), d)
			}
		}
	}
	ga, wa := predict.Assess(got, got.Kernel), predict.Assess(want, want.Kernel)
	for _, w := range want.Namespaces {
		if w.Init == nil || !own[w.Init.PID] {
			continue
		}
		var g *procinspect.Namespace
		for _, n := range got.Namespaces {
			if n.ID == w.ID {
				g = n
			}
		}
		if g == nil {
			errorf("namespace %s (init %d) missing from the incremental snapshot", w.ID, w.Init.PID)
			continue
		}
		if nsFacts(g) != nsFacts(w) {
			errorf("namespace %s:\n incremental %s\n full        %s", w.ID, nsFacts(g), nsFacts(w))
		}
		if gr, wr := render.NewRow(ga, g), render.NewRow(wa, w); !reflect.DeepEqual(gr, wr) {
			errorf("namespace %s row:\n incremental %+v\n full        %+v", w.ID, gr, wr)
		}
	}
	for _, g := range got.Namespaces {
		if g.Init != nil && own[g.Init.PID] {
			found := false
			for _, w := range want.Namespaces {
				found = found || w.ID == g.ID
			}
			if !found {
				errorf("namespace %s (init %d) is gone but still in the incremental snapshot", g.ID, g.Init.PID)
			}
		}
	}
	return diffs
}
