package procinspect

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// The numbers the kernel prints in /proc/PID/syscall on two architectures
// (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h).
var knownSyscallNumbers = map[string]struct{ sigtimedwait, wait4, waitid int }{
	"amd64": {128, 61, 247},
	"arm64": {137, 260, 95},
}

func TestSyscallClassifier(t *testing.T) {
	if want, ok := knownSyscallNumbers[runtime.GOARCH]; ok {
		got := struct{ sigtimedwait, wait4, waitid int }{unix.SYS_RT_SIGTIMEDWAIT, unix.SYS_WAIT4, unix.SYS_WAITID}
		if got != want {
			t.Errorf("x/sys/unix numbers on %s = %+v, want %+v", runtime.GOARCH, got, want)
		}
	}
	for _, c := range []struct {
		name          string
		nr            int
		sigwait, wait bool
	}{
		{"rt_sigtimedwait", unix.SYS_RT_SIGTIMEDWAIT, true, false},
		{"wait4", unix.SYS_WAIT4, false, true},
		{"waitid", unix.SYS_WAITID, false, true},
		{"pause or nanosleep", unix.SYS_NANOSLEEP, false, false},
		{"ppoll", unix.SYS_PPOLL, false, false},
		{"running, or blocked outside a syscall", -1, false, false},
		{"unreadable", -2, false, false},
	} {
		if got := isSigwaitSyscall(c.nr); got != c.sigwait {
			t.Errorf("isSigwaitSyscall(%d, %s) = %v, want %v", c.nr, c.name, got, c.sigwait)
		}
		if got := IsWaitSyscall(c.nr); got != c.wait {
			t.Errorf("IsWaitSyscall(%d, %s) = %v, want %v", c.nr, c.name, got, c.wait)
		}
	}
}

// TestNoSyscallLiterals fails when the engine compares a thread's Syscall
// with a number written out: those numbers differ between architectures
// (x86_64's 128 is arm64's restart_syscall), so they must come from the
// constants above. The sentinels -1 and -2 are not system calls.
func TestNoSyscallLiterals(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	isSyscall := func(e ast.Expr) bool {
		s, ok := e.(*ast.SelectorExpr)
		return ok && s.Sel.Name == "Syscall"
	}
	isNumber := func(e ast.Expr) bool {
		l, ok := e.(*ast.BasicLit)
		return ok && l.Kind == token.INT
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (isSyscall(n.X) && isNumber(n.Y)) || (isNumber(n.X) && isSyscall(n.Y)) {
					t.Errorf("%s: a thread's Syscall compared with a literal number; use the per-architecture constants", fset.Position(n.Pos()))
				}
			case *ast.SwitchStmt:
				if n.Tag == nil || !isSyscall(n.Tag) {
					return true
				}
				for _, s := range n.Body.List {
					for _, e := range s.(*ast.CaseClause).List {
						if isNumber(e) {
							t.Errorf("%s: a switch on Syscall has a literal case; use the per-architecture constants", fset.Position(e.Pos()))
						}
					}
				}
			}
			return true
		})
	}
}
