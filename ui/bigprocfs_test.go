package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// bigProcfs is a copy of the fixture procfs grown to about the size of a
// busy node, for the benchmarks: hostProcs more processes in the host's
// namespace (children of PID 1, cloned from the fixture's bash), and nss
// more PID namespaces, each an init (cloned from the fixture's myinit,
// without its container) with perNS children. Its root and the self
// namespace link to scan with.
func bigProcfs(tb testing.TB, hostProcs, nss, perNS int) (root, self string) {
	tb.Helper()
	root = filepath.Join(tb.TempDir(), "proc")
	if err := os.CopyFS(root, os.DirFS(fixtureRoot)); err != nil {
		tb.Fatal(err)
	}
	next := 20000
	for i := 0; i < hostProcs; i++ {
		cloneProc(tb, root, "100", next, 1, 4026531836, nil)
		next++
	}
	for n := 0; n < nss; n++ {
		ino := uint64(4026540000 + n)
		initPID := next
		cloneProc(tb, root, "4242", initPID, 1, ino, []int{1})
		next++
		for k := 0; k < perNS; k++ {
			cloneProc(tb, root, "100", next, initPID, ino, []int{k + 2})
			next++
		}
	}
	return root, filepath.Join(root, "1", "ns", "pid")
}

var nsLine = regexp.MustCompile(`(?m)^(Tgid|Pid|NStgid|NSpid|NSpgid|NSsid|PPid):\t.*$`)

// cloneProc copies the fixture process from to PID pid with parent ppid,
// in the namespace ino, where it has the PIDs inner (none: the host's).
func cloneProc(tb testing.TB, root, from string, pid, ppid int, ino uint64, inner []int) {
	tb.Helper()
	src, dst := filepath.Join(fixtureRoot, from), filepath.Join(root, strconv.Itoa(pid))
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		tb.Fatal(err)
	}
	os.Remove(filepath.Join(dst, "cgroup"))
	ids := strconv.Itoa(pid)
	for _, p := range inner {
		ids += "\t" + strconv.Itoa(p)
	}
	fix := func(path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		s := nsLine.ReplaceAllStringFunc(string(b), func(l string) string {
			k := l[:strings.IndexByte(l, ':')]
			switch k {
			case "PPid":
				return "PPid:\t" + strconv.Itoa(ppid)
			case "Tgid", "Pid":
				return k + ":\t" + strconv.Itoa(pid)
			}
			return k + ":\t" + ids
		})
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	fix(filepath.Join(dst, "status"))
	tasks, _ := os.ReadDir(filepath.Join(dst, "task"))
	for i, t := range tasks {
		// The first thread is the process itself, the others follow it.
		tid := pid
		if i > 0 {
			tid = pid + 100000*i
		}
		td := filepath.Join(dst, "task", t.Name())
		nd := filepath.Join(dst, "task", strconv.Itoa(tid))
		if td != nd {
			if err := os.Rename(td, nd); err != nil {
				tb.Fatal(err)
			}
		}
		fix(filepath.Join(nd, "status"))
	}
	if st, err := os.ReadFile(filepath.Join(dst, "stat")); err == nil {
		rest := string(st)[strings.IndexByte(string(st), ' '):]
		f := strings.Fields(rest[strings.LastIndexByte(rest, ')')+1:])
		f[1] = strconv.Itoa(ppid)
		s := fmt.Sprintf("%d %s %s\n", pid, rest[1:strings.LastIndexByte(rest, ')')+1], strings.Join(f, " "))
		os.WriteFile(filepath.Join(dst, "stat"), []byte(s), 0o644)
	}
	link := filepath.Join(dst, "ns", "pid")
	os.Remove(link)
	if err := os.Symlink(fmt.Sprintf("pid:[%d]", ino), link); err != nil {
		tb.Fatal(err)
	}
}
