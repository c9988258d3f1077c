package archtest

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/sigview/sigview"

// mayAct are the packages allowed to start processes and send signals:
// the acting package, the kernel probe (it signals only helpers it
// started), and support code of tests.
var mayAct = map[string]bool{
	module + "/procinspect/act":     true,
	module + "/procinspect/probe":   true,
	module + "/internal/enginetest": true,
	module + "/internal/nstest":     true,
}

// signallers are the functions and methods that send a signal or start a
// process, as go/types names them.
var signallers = map[string]bool{
	"syscall.Kill":                          true,
	"syscall.Tgkill":                        true,
	"syscall.ForkExec":                      true,
	"syscall.StartProcess":                  true,
	"syscall.Exec":                          true,
	"golang.org/x/sys/unix.Kill":            true,
	"golang.org/x/sys/unix.Tgkill":          true,
	"golang.org/x/sys/unix.Tkill":           true,
	"golang.org/x/sys/unix.PidfdSendSignal": true,
	"golang.org/x/sys/unix.Exec":            true,
	"os.StartProcess":                       true,
	"(*os.Process).Signal":                  true,
	"(*os.Process).Kill":                    true,
}

type listed struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
	Export     string
	Standard   bool
}

// TestOnlyActingPackagesSignal checks every non-test Go file of the module
// (for linux, the only target that sends): outside mayAct none imports
// os/exec or calls a function that signals or starts a process.
func TestOnlyActingPackagesSignal(t *testing.T) {
	checked := 0
	for _, p := range list(t) {
		if p.Standard || !strings.HasPrefix(p.ImportPath, module) || mayAct[p.ImportPath] {
			continue
		}
		for _, im := range p.Imports {
			if im == "os/exec" {
				t.Errorf("%s imports os/exec; only %v may start processes", p.ImportPath, keys(mayAct))
			}
		}
		for pos, name := range uses(t, p) {
			if signallers[name] {
				t.Errorf("%s: %s uses %s; only %v may signal or start processes", pos, p.ImportPath, name, keys(mayAct))
			}
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("checked only %d packages of the module; the listing is wrong", checked)
	}
}

// funcUses type-checks files (the compiled export data of their imports,
// from the listing) and returns, for each use of a function or method, its
// position and full name as go/types names it.
func funcUses(t *testing.T, fset *token.FileSet, path string, files []*ast.File) map[string]string {
	t.Helper()
	exports := map[string]string{}
	for _, p := range list(t) {
		exports[p.ImportPath] = p.Export
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		return os.Open(exports[path])
	})
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: imp}
	if _, err := conf.Check(path, fset, files, info); err != nil {
		t.Fatalf("type-check %s: %v", path, err)
	}
	out := map[string]string{}
	for id, obj := range info.Uses {
		if fn, ok := obj.(*types.Func); ok {
			out[fset.Position(id.Pos()).String()] = fn.FullName()
		}
	}
	return out
}

// TestSignallersAreSeen makes sure the check above can fail: the acting
// package must be found using what it exists to use.
func TestSignallersAreSeen(t *testing.T) {
	for _, p := range list(t) {
		if p.ImportPath != module+"/procinspect/act" {
			continue
		}
		var hasExec bool
		for _, im := range p.Imports {
			hasExec = hasExec || im == "os/exec"
		}
		if !hasExec {
			t.Errorf("procinspect/act does not import os/exec: the listing does not show imports")
		}
		return
	}
	t.Fatal("procinspect/act not listed")
}

var listCache []listed

func list(t *testing.T) []listed {
	t.Helper()
	if listCache != nil {
		return listCache
	}
	cmd := exec.Command("go", "list", "-export", "-deps", "-json", module+"/...")
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(&out)
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		listCache = append(listCache, p)
	}
	return listCache
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, strings.TrimPrefix(k, module+"/"))
	}
	sort.Strings(out)
	return out
}
