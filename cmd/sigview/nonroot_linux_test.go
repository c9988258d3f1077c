package main

// Real-kernel tests of what a non-root user sees: other users' ns/pid
// links are unreadable, so namespaces must be told apart by NSpid and
// PPid; and a hidepid procfs hides processes, which sigview must say.

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sigview/sigview/internal/nstest"
)

var nobody = &syscall.Credential{Uid: 65534, Gid: 65534}

// jsonDoc is the part of `sigview --json` these tests read.
type jsonDoc struct {
	Namespaces []struct {
		ID        string  `json:"id"`
		Inode     *uint64 `json:"inode"`
		Level     *int    `json:"level"`
		ParentID  *string `json:"parent_id"`
		Init      *struct{ PID int }
		Processes []struct {
			PID   int  `json:"pid"`
			NSPID *int `json:"ns_pid"`
		}
	}
	Warnings []string
}

func scanJSON(t *testing.T, cred *syscall.Credential, args ...string) jsonDoc {
	t.Helper()
	r := sigview(t, cred, append([]string{"--json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("sigview --json: status %d: %s", r.code, r.stderr)
	}
	var d jsonDoc
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("sigview --json output does not decode: %v", err)
	}
	return d
}

// descendants lists pid and every process below it, by /proc/PID/stat.
func descendants(pid int) []int {
	out := []int{pid}
	dirs, _ := os.ReadDir("/proc")
	for i := 0; i < len(out); i++ {
		for _, d := range dirs {
			p, err := strconv.Atoi(d.Name())
			if err != nil {
				continue
			}
			if _, ppid, err := procStat(p); err == nil && ppid == out[i] {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}

func nsInode(t *testing.T, pid int) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(fmt.Sprintf("/proc/%d/ns/pid", pid), &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// TestNonRootNamespaces starts three PID namespaces as root, with inits of
// different shapes, and reads them as nobody: three namespaces, each with
// its own init and exactly its own processes, named by the init because
// their inodes are unreadable, where root sees the same grouping by inode.
func TestNonRootNamespaces(t *testing.T) {
	nstest.NeedNamespaces(t)
	shapes := [][]string{
		{"sleep", "1000"}, // an init alone
		{"sh", "-c", "sleep 1000 & exec sleep 1000"},                     // an init and a child
		{"sh", "-c", "(sleep 1000 & exec sleep 1001) & exec sleep 1000"}, // a child and a grandchild
	}
	kids := []int{0, 1, 1}
	want := map[int][]int{} // init: every process of its namespace
	for i, argv := range shapes {
		tg := startTarget(t, true, kids[i], argv...)
		want[tg.pid] = descendants(tg.pid)
	}
	t.Logf("namespaces started (init: processes): %v", want)

	host := fmt.Sprint(nsInode(t, os.Getpid())) // this test runs in the host namespace; PID 1's link may be closed even to root
	for _, who := range []struct {
		name string
		cred *syscall.Credential
	}{{"root", nil}, {"nobody", nobody}} {
		doc := scanJSON(t, who.cred)
		seen := map[string]bool{}
		for _, ns := range doc.Namespaces {
			if seen[ns.ID] {
				t.Errorf("%s: namespace id %q listed twice", who.name, ns.ID)
			}
			seen[ns.ID] = true
			inits := 0
			for _, p := range ns.Processes {
				if p.NSPID != nil && *p.NSPID == 1 {
					inits++
				}
			}
			if ns.ID != "unknown" && inits > 1 {
				t.Errorf("%s: namespace %s holds %d inits: distinct namespaces merged", who.name, ns.ID, inits)
			}
		}
		for init, pids := range want {
			var found bool
			for _, ns := range doc.Namespaces {
				if ns.Init == nil || ns.Init.PID != init {
					continue
				}
				found = true
				var got []int
				for _, p := range ns.Processes {
					got = append(got, p.PID)
				}
				slices.Sort(got)
				if !slices.Equal(got, pids) {
					t.Errorf("%s: namespace of init %d holds %v, want %v", who.name, init, got, pids)
				}
				if ns.Level == nil || *ns.Level != 1 || ns.ParentID == nil || *ns.ParentID != host {
					t.Errorf("%s: namespace of init %d: level %v parent %v, want 1 and %s", who.name, init, ns.Level, ns.ParentID, host)
				}
				ino := nsInode(t, init)
				switch {
				case who.cred == nil && (ns.Inode == nil || *ns.Inode != ino):
					t.Errorf("root: namespace of init %d: inode %v, want %d", init, ns.Inode, ino)
				case who.cred != nil && ns.Inode != nil:
					// nobody cannot read root's ns/pid: any number would be made up.
					t.Errorf("nobody: namespace of init %d: inode %d, want null", init, *ns.Inode)
				case who.cred != nil && ns.ID != fmt.Sprintf("init PID %d", init):
					t.Errorf("nobody: namespace of init %d: id %q, want \"init PID %d\"", init, ns.ID, init)
				}
			}
			if !found {
				t.Errorf("%s: no namespace has init %d", who.name, init)
			}
		}
	}

	// The table as nobody: one row per namespace, and a header that counts
	// them (this very scan's rows, so namespaces other tests make meanwhile
	// do not matter).
	r := sigview(t, nobody, "--once")
	m := regexp.MustCompile(`(\d+) PID namespaces`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("--once header does not count namespaces:\n%s", r.stdout)
	}
	rows, unknownRows := 0, 0
	for _, l := range strings.Split(r.stdout, "\n") {
		f := strings.Fields(strings.TrimLeft(l, " └"))
		switch {
		case len(f) == 0 || f[0] == "sigview" || f[0] == "PIDNS" || f[0] == "warning:" || strings.Contains(l, "processes,"),
			f[0] == "*" || strings.HasPrefix(l, "no container engine's files"): // the legend under the table, the engines' note
		case f[0] == "unknown":
			unknownRows++
		default:
			rows++
		}
	}
	if n, _ := strconv.Atoi(m[1]); n != rows {
		t.Errorf("--once header says %d PID namespaces, the table has %d rows (+%d unidentified):\n%s", n, rows, unknownRows, r.stdout)
	}
	for init := range want {
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^\s*└ init PID %d\s+1\s+\S+\s+%d\s`, init, init)).MatchString(r.stdout) {
			t.Errorf("--once as nobody has no level-1 row \"init PID %d\" with init %d", init, init)
		}
	}

	// explain as nobody names the init as the init of its namespace, and
	// a member as a member of it.
	for init, pids := range want {
		r := sigview(t, nobody, "explain", strconv.Itoa(init))
		has(t, "explain of an init", r.stdout, fmt.Sprintf("PID 1 inside, the init of PID namespace init PID %d (level 1)", init))
		if len(pids) > 1 {
			r := sigview(t, nobody, "explain", strconv.Itoa(pids[1]))
			has(t, "explain of a member", r.stdout, fmt.Sprintf("a member of PID namespace init PID %d (level 1)", init))
		}
	}
}

// TestHidepid mounts a procfs with hidepid=2 and reads it as nobody, who
// must be told that processes are hidden, and as root, who sees them all.
func TestHidepid(t *testing.T) {
	nstest.NeedNamespaces(t) // mounting needs root, as namespaces do
	dir, err := os.MkdirTemp("", "sigview-hp-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("proc", dir, "proc", 0, "hidepid=2"); err != nil {
		t.Fatalf("mount -t proc -o hidepid=2 proc %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
		os.Remove(dir)
	})
	const hidden = "other users' processes are hidden"

	r := sigview(t, nobody, "--once", "--proc", dir)
	has(t, "--once as nobody on hidepid=2", r.stdout, "warning: this procfs ("+dir+") is mounted with hidepid=", hidden, "run as root")
	r = sigview(t, nobody, "explain", "--proc", dir, "1")
	if r.code != 1 {
		t.Errorf("explain of hidden PID 1: status %d, want 1", r.code)
	}
	has(t, "explain of hidden PID 1", r.stderr, "PID 1 is not in "+dir+"; it may exist but be hidden", "hidepid=")
	if strings.Contains(r.stderr, "no such process") {
		t.Errorf("explain of a hidden PID says plainly there is no such process: %s", r.stderr)
	}
	doc := scanJSON(t, nobody, "--proc", dir)
	if !slices.ContainsFunc(doc.Warnings, func(w string) bool { return strings.Contains(w, hidden) }) {
		t.Errorf("--json as nobody: warnings %q lack the hidepid one", doc.Warnings)
	}

	// Root (CAP_SYS_PTRACE) sees through hidepid: no warning, and PID 1.
	r = sigview(t, nil, "--once", "--proc", dir)
	if strings.Contains(r.stdout, "mounted with hidepid") {
		t.Errorf("--once as root warns about hidepid, which hides nothing from root:\n%s", r.stdout)
	}
	if r = sigview(t, nil, "explain", "--proc", dir, "1"); r.code != 0 {
		t.Errorf("explain 1 as root on hidepid=2: status %d: %s", r.code, r.stderr)
	}
	// nobody on a procfs without hidepid: no warning.
	if r = sigview(t, nobody, "--once"); strings.Contains(r.stdout, "mounted with hidepid") && !strings.Contains(procOptions(t, "/proc"), "hidepid") {
		t.Errorf("--once as nobody on /proc without hidepid warns about it:\n%s", r.stdout)
	}
}

// procOptions returns the super options of the procfs mounted at dir.
func procOptions(t *testing.T, dir string) string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var opts string
	for _, l := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(l, " - ")
		if f, g := strings.Fields(pre), strings.Fields(post); ok && len(f) > 4 && len(g) > 2 && f[4] == dir && g[0] == "proc" {
			opts = g[2]
		}
	}
	return opts
}
