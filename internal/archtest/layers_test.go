package archtest

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The layers of the README's Layout, as the compiler sees them: facts, then
// judgement, then the document and the renderers. Nothing points back.
var (
	// facts read /proc, the kernel and the engines' files.
	facts = []string{"nsutil", "procinspect", "procinspect/engine", "procinspect/probe", "procinspect/sigtrace"}
	// judgement is a pure function of the facts.
	judgement = []string{"procinspect/predict"}
	// documentPkg owns every JSON document sigview writes.
	documentPkg = "procinspect/document"
)

// mayEncode are the packages that may encode JSON besides the document
// package: the kernel probe's cache file is not a document, and cmd and
// tests are outside the rule.
var mayEncode = map[string]bool{module + "/procinspect/probe": true, module + "/cmd/sigview": true}

// pureStd are the standard packages the judgement may import: nothing that
// reaches the file system, the network, other processes or the clock's
// present (time is there for durations; its clock functions are refused
// by TestJudgementIsPure).
var pureStd = []string{"errors", "fmt", "math", "math/bits", "regexp", "slices", "sort", "strconv", "strings",
	"sync", "sync/atomic", "time", "unicode", "unicode/utf8"}

// clockFuncs read or wait on the clock.
var clockFuncs = []string{"time.Now", "time.Since", "time.Until", "time.Sleep", "time.After", "time.AfterFunc",
	"time.Tick", "time.NewTicker", "time.NewTimer"}

func inModule(p string) (string, bool) {
	if p == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(p, module+"/")
	return rel, ok
}

// TestFactsImportNoJudgement: the fact packages import only each other.
func TestFactsImportNoJudgement(t *testing.T) {
	seen := 0
	for _, p := range list(t) {
		rel, ok := inModule(p.ImportPath)
		if !ok || !slices.Contains(facts, rel) {
			continue
		}
		seen++
		for _, im := range p.Imports {
			if r, mod := inModule(im); mod && !slices.Contains(facts, r) {
				t.Errorf("%s (facts) imports %s: facts must not depend on judgement, documents, renderers or acting", rel, r)
			}
		}
	}
	if seen != len(facts) {
		t.Fatalf("found %d of the %d fact packages; the listing is wrong", seen, len(facts))
	}
}

// TestJudgementIsPure: the judgement imports the facts and pure standard
// packages only, and never reads the clock.
func TestJudgementIsPure(t *testing.T) {
	for _, p := range list(t) {
		rel, ok := inModule(p.ImportPath)
		if !ok || !slices.Contains(judgement, rel) {
			continue
		}
		for _, im := range p.Imports {
			if r, mod := inModule(im); mod {
				if !slices.Contains(facts, r) && !slices.Contains(judgement, r) {
					t.Errorf("%s (judgement) imports %s: it may read only facts", rel, r)
				}
				continue
			}
			if !slices.Contains(pureStd, im) {
				t.Errorf("%s (judgement) imports %s: it may not touch the file system, processes or the network", rel, im)
			}
		}
		for id, name := range uses(t, p) {
			if slices.Contains(clockFuncs, name) {
				t.Errorf("%s: %s calls %s: the judgement takes no time from the clock", id, rel, name)
			}
		}
	}
}

// TestDocumentsEncodedInDocument: JSON is encoded only by the document
// package (tests, cmd and the probe's cache aside).
func TestDocumentsEncodedInDocument(t *testing.T) {
	encoders := []string{"encoding/json.Marshal", "encoding/json.MarshalIndent", "encoding/json.NewEncoder"}
	found := false
	for _, p := range list(t) {
		rel, ok := inModule(p.ImportPath)
		if !ok || mayEncode[p.ImportPath] {
			continue
		}
		for id, name := range uses(t, p) {
			if !slices.Contains(encoders, name) {
				continue
			}
			if rel == documentPkg {
				found = true
				continue
			}
			t.Errorf("%s: %s calls %s: documents are encoded in %s", id, rel, name, documentPkg)
		}
	}
	if !found {
		t.Errorf("%s encodes no JSON: the check cannot see encoders", documentPkg)
	}
}

// maxLines is the longest a non-test source file may be.
const maxLines = 500

// TestFileSizes: no non-test Go file is longer than maxLines.
func TestFileSizes(t *testing.T) {
	root := moduleRoot(t)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if n := lines(t, path); n > maxLines {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s has %d lines; split it along its jobs (at most %d)", rel, n, maxLines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func lines(t *testing.T, path string) int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return n
}

func moduleRoot(t *testing.T) string {
	for _, p := range list(t) {
		if p.ImportPath == module+"/cmd/sigview" {
			return filepath.Dir(filepath.Dir(p.Dir))
		}
	}
	t.Fatal("cmd/sigview not listed")
	return ""
}

// uses type-checks a package's non-test files and returns, for each use of
// a function, its position and full name ("time.Now", "(*os.File).Read").
func uses(t *testing.T, p listed) map[string]string {
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range append(p.GoFiles, p.CgoFiles...) {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return funcUses(t, fset, p.ImportPath, files)
}
