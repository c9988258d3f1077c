package procinspect

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sigview/sigview/nsutil"
)

// fxAllPIDs are the fixture's processes.
var fxAllPIDs = []string{"1", "100", "4200", "4210", "4242", "4250", "4260", "4270", "4300", "5000", "5010", "6000", "7000", "8000", "8001", "9000"}

// dropNSLinks removes root/PID/ns/pid for each PID, as for a process whose
// link cannot be read (as root, permission bits would not stop the read).
func dropNSLinks(t *testing.T, root string, pids ...string) {
	t.Helper()
	for _, pid := range pids {
		if err := os.Remove(filepath.Join(root, pid, "ns", "pid")); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

// addProcess writes a minimal status file for a new fixture process.
func addProcess(t *testing.T, root string, pid, ppid int, nspid string) {
	t.Helper()
	dir := filepath.Join(root, fmt.Sprint(pid))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	st := fmt.Sprintf("Name:\tadded\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nNSpid:\t%s\nThreads:\t1\n", pid, pid, ppid, nspid)
	if err := os.WriteFile(filepath.Join(dir, "status"), []byte(st), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGroupWithoutNSLinks groups the fixture when some or all ns/pid links
// are unreadable, the way a non-root user sees other users' processes:
// NSpid and PPid must tell each init's namespace apart, put members with
// their init, and leave unidentified what they cannot prove.
func TestGroupWithoutNSLinks(t *testing.T) {
	type nsWant struct {
		id     string // NSID.String()
		level  int
		parent string // "" for none
		init   int
		pids   []int
	}
	host := fmt.Sprint(fxHostNS)
	ct, nested := fmt.Sprint(fxCtNS), fmt.Sprint(fxNestedNS)
	hostPIDs := []int{1, 100, 4200, 8000, 8001, 9000}
	tests := []struct {
		name    string
		drop    []string
		setup   func(t *testing.T, root string)
		want    []nsWant
		unknown []int            // the unidentified group, by PID
		notes   map[int]string   // PID: a part of its NSNote
		why     map[int][]string // PID: parts of the NSNote of an unidentified process
	}{{
		name: "no link readable",
		drop: fxAllPIDs,
		want: []nsWant{
			{"init PID 1", 0, "", 1, hostPIDs},
			{"init PID 4242", 1, "init PID 1", 4242, []int{4242, 4250, 4260, 4270, 4300}},
			{"init PID 5000", 2, "init PID 4242", 5000, []int{5000, 5010}},
			{"init PID 6000", 1, "init PID 1", 6000, []int{6000}},
		},
		// 4210 was exec'd into the container from level 0 (nsenter): which
		// level-1 namespace it joined, NSpid does not say. 7000's NSpid is
		// malformed.
		unknown: []int{4210, 7000},
		notes: map[int]string{
			4242: "named by its init (no ns/pid link): it is a namespace init",
			5010: "up the parent chain to PID 5000, the namespace's init",
			4300: "up the parent chain to PID 4242",
			100:  "its inode is unknown",
		},
		why: map[int][]string{
			4210: {"parent PID 4200 is in an enclosing namespace (level 0)"},
			7000: {"no usable NSpid line"},
		},
	}, {
		name: "inits unreadable, members readable",
		drop: []string{"1", "4242", "5000", "6000"},
		want: []nsWant{
			{host, 0, "", 1, append([]int{7000}, hostPIDs...)},
			{ct, 1, host, 4242, []int{4210, 4242, 4250, 4260, 4270, 4300}},
			{nested, 2, ct, 5000, []int{5000, 5010}},
			{"init PID 6000", 1, host, 6000, []int{6000}},
		},
		notes: map[int]string{
			4242: "the init (last NSpid 1) of the namespace of PID 4250",
			5000: "of the namespace of PID 5010",
			1:    "NSpid has one level",
		},
	}, {
		name: "members unreadable, inits readable",
		drop: []string{"100", "4210", "4250", "4260", "4300", "5010"},
		want: []nsWant{
			{host, 0, "", 1, append([]int{7000}, hostPIDs...)},
			{ct, 1, host, 4242, []int{4242, 4250, 4260, 4270, 4300}},
			{nested, 2, ct, 5000, []int{5000, 5010}},
			{fmt.Sprint(fxGvisorNS), 1, host, 6000, []int{6000}},
		},
		unknown: []int{4210},
		notes: map[int]string{
			4270: "up the parent chain to PID 4242, whose ns/pid reads " + ct,
			5010: "whose ns/pid reads " + nested,
		},
	}, {
		// Reads across a PID reuse: a parent deeper than its child, and a
		// parent with the child's own PID at a shared level, are not linked.
		name: "inconsistent parents",
		drop: fxAllPIDs,
		setup: func(t *testing.T, root string) {
			addProcess(t, root, 4280, 5010, "4280 40")   // parent at level 2
			addProcess(t, root, 4281, 4260, "4281 20")   // 4260 is PID 20 at level 1 too
			addProcess(t, root, 4282, 4281, "4282 41")   // below the broken link
			addProcess(t, root, 4283, 4250, "4283 1")    // a second init under the first
			addProcess(t, root, 4284, 4283, "4284 2")    // its child
			addProcess(t, root, 4285, 777, "4285 3")     // parent not visible
			addProcess(t, root, 4286, 4242, "4200 42")   // NSpid does not start with its PID
			addProcess(t, root, 5020, 4242, "5020 43 1") // an init one level down
			addProcess(t, root, 5030, 1, "5030 44 1")    // an init two levels down
		},
		want: []nsWant{
			{"init PID 1", 0, "", 1, hostPIDs},
			{"init PID 4242", 1, "init PID 1", 4242, []int{4242, 4250, 4260, 4270, 4300}},
			{"init PID 5000", 2, "init PID 4242", 5000, []int{5000, 5010}},
			{"init PID 5020", 2, "init PID 4242", 5020, []int{5020}},
			{"init PID 4283", 1, "init PID 1", 4283, []int{4283, 4284}},
			{"init PID 6000", 1, "init PID 1", 6000, []int{6000}},
			// Its level-1 parent namespace is not on its parent chain.
			{"init PID 5030", 2, "", 5030, []int{5030}},
		},
		unknown: []int{4210, 4280, 4281, 4282, 4285, 4286, 7000},
		why: map[int][]string{
			4280: {"parent PID 5010 reads level 2, deeper than its own 1"},
			4281: {"parent PID 4260 has the same PID 20 at level 1"},
			4282: {"ancestor PID 4281", "same PID 20"},
			4285: {"parent PID 777 is not visible"},
			4286: {"NSpid starts with 4200, not its PID 4286"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fxCopy(t)
			dropNSLinks(t, root, tt.drop...)
			if tt.setup != nil {
				tt.setup(t, root)
			}
			snap, err := Scanner{Root: root, SelfNS: fxSelfNS}.Scan()
			if err != nil {
				t.Fatalf("Scan() error: %v", err)
			}
			checkSnapshot(t, snap)
			var got []nsWant
			var unknown []int
			for _, ns := range snap.Namespaces {
				if ns.ID.IsZero() {
					unknown = sortedInts(pidsOf(ns.Procs))
					continue
				}
				w := nsWant{id: ns.ID.String(), level: ns.Level, pids: sortedInts(pidsOf(ns.Procs))}
				if ns.Parent != nil {
					w.parent = ns.Parent.ID.String()
				}
				if ns.Init != nil {
					w.init = ns.Init.PID
				}
				got = append(got, w)
			}
			for i := range tt.want {
				tt.want[i].pids = sortedInts(tt.want[i].pids)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(nsWant{})); diff != "" {
				t.Errorf("namespaces mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.unknown, unknown); diff != "" {
				t.Errorf("unidentified group mismatch (-want +got):\n%s", diff)
			}
			if n, u := snap.NamespaceCount(); n != len(tt.want) || u != len(tt.unknown) {
				t.Errorf("NamespaceCount() = %d, %d; want %d, %d", n, u, len(tt.want), len(tt.unknown))
			}
			for pid, part := range tt.notes {
				if p := snap.Process(pid); p == nil || !strings.Contains(p.NSNote, part) {
					t.Errorf("PID %d: NSNote does not contain %q: %+v", pid, part, p)
				}
			}
			for pid, parts := range tt.why {
				p := snap.Process(pid)
				if p == nil || !p.NS.IsZero() || !strings.HasPrefix(p.NSNote, "unknown (") {
					t.Errorf("PID %d: want unidentified with an \"unknown (…)\" note, got %+v", pid, p)
					continue
				}
				for _, part := range parts {
					if !strings.Contains(p.NSNote, part) {
						t.Errorf("PID %d: NSNote %q does not contain %q", pid, p.NSNote, part)
					}
				}
			}
			for _, ns := range snap.Namespaces {
				switch {
				case ns.ID.HasInode():
				case ns.Level > 0 && ns.Initial != KnownFlag(false):
					t.Errorf("namespace %s at level %d: Initial %+v, want known false", ns.ID, ns.Level, ns.Initial)
				case ns.Level == 0 && ns.Initial.Known:
					t.Errorf("namespace %s at level 0 without an inode: Initial %+v, want unknown", ns.ID, ns.Initial)
				}
			}
			checkDocIdentities(t, snap)
		})
	}
}

// checkDocIdentities asserts what the JSON document's id, inode and
// parent_id are made of (procinspect/document maps them one to one): every
// namespace is named uniquely, an unknown inode is never a number, and
// every parent is a namespace of the snapshot.
func checkDocIdentities(t *testing.T, snap *Snapshot) {
	t.Helper()
	ids := map[string]bool{}
	for _, ns := range snap.Namespaces {
		id := ns.ID.String()
		if ids[id] {
			t.Errorf("namespace id %q appears twice", id)
		}
		ids[id] = true
		switch {
		case ns.ID.HasInode() && id != fmt.Sprint(ns.ID.Ino):
			t.Errorf("namespace %+v: id %q, want its inode", ns.ID, id)
		case !ns.ID.HasInode() && ns.Init != nil && id != fmt.Sprintf("init PID %d", ns.Init.PID):
			t.Errorf("namespace of init %d: id %q, want \"init PID %d\"", ns.Init.PID, id, ns.Init.PID)
		case !ns.ID.HasInode() && ns.Init == nil && id != "unknown":
			t.Errorf("unidentified group: id %q, want \"unknown\"", id)
		}
	}
	for _, ns := range snap.Namespaces {
		if ns.Parent != nil && !ids[ns.Parent.ID.String()] {
			t.Errorf("namespace %s: parent %s is not a namespace of the snapshot", ns.ID, ns.Parent.ID)
		}
	}
}

// TestGroupFixtureUnchanged: with every link readable the NSpid inference
// changes nothing, and no process is named by its init.
func TestGroupFixtureUnchanged(t *testing.T) {
	snap := fxScan(t)
	for _, p := range snap.Processes {
		if p.NS.Init != 0 || p.NS == (nsutil.NSID{}) {
			t.Errorf("PID %d: NS %+v (%s), want an inode", p.PID, p.NS, p.NSNote)
		}
	}
	checkDocIdentities(t, snap)
}
