package docscheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// root is the repository, seen from this package's directory.
const root = "../.."

// citation matches "docs/kernel-signals.md §4.2" and "docs/json.md".
var citation = regexp.MustCompile(`docs/([a-z-]+\.md)(?::? §(\d+(?:\.\d+)*))?`)

// cited reads every Go file, the README, the CI script and the documents
// themselves, and returns each citation with where it was found.
func cited(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") && n != ".ci" || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if !strings.HasSuffix(path, ".go") && rel != "README.md" && rel != filepath.Join(".ci", "run") &&
			!(filepath.Dir(rel) == "docs" && strings.HasSuffix(rel, ".md")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range citation.FindAllStringSubmatch(line, -1) {
				key := m[1]
				if m[2] != "" {
					key += " §" + m[2]
				}
				out[key] = append(out[key], rel+":"+strconv.Itoa(i+1))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCitedDocsExist fails when code or a document cites docs/NAME.md that
// is not in the repository, or a section § of it that has no heading.
func TestCitedDocsExist(t *testing.T) {
	cites := cited(t)
	if len(cites) == 0 {
		t.Fatal("found no docs/… citations at all; the walk is broken")
	}
	for key, where := range cites {
		name, sect, _ := strings.Cut(key, " §")
		b, err := os.ReadFile(filepath.Join(root, "docs", name))
		if err != nil {
			t.Errorf("docs/%s, cited at %s: %v", name, strings.Join(where, ", "), err)
			continue
		}
		if sect == "" {
			continue
		}
		// A section is a heading "## 4. Title", "### 4.2 Title" or "## 0. …".
		heading := regexp.MustCompile(`(?m)^#+ ` + regexp.QuoteMeta(sect) + `[. ]`)
		if !heading.Match(b) {
			t.Errorf("docs/%s has no section §%s, cited at %s", name, sect, strings.Join(where, ", "))
		}
	}
}

// TestREADMEListsCIPackages fails when .ci/run installs a Debian package
// the README's list of what the tests need does not name: the two lists
// must stay one.
func TestREADMEListsCIPackages(t *testing.T) {
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The README's paragraph under "## Tests" that starts "Needs root and
	// these Debian packages".
	_, after, ok := strings.Cut(string(readme), "Needs root and these Debian packages")
	list, _, _ := strings.Cut(after, "\n\n")
	if !ok {
		t.Fatal("README.md has no \"Needs root and these Debian packages\" paragraph")
	}
	var pkgs []string
	for _, m := range regexp.MustCompile(`need\+=\(([a-z0-9.+-]+)\)`).FindAllStringSubmatch(string(ci), -1) {
		pkgs = append(pkgs, m[1])
	}
	// `for p in tini dumb-init …; do` installs each p by its own name.
	for _, m := range regexp.MustCompile(`(?m)^for p in ([^;]+); do`).FindAllStringSubmatch(string(ci), -1) {
		pkgs = append(pkgs, strings.Fields(m[1])...)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages in .ci/run (%q): the parse is broken", len(pkgs), pkgs)
	}
	words := map[string]bool{}
	for _, w := range regexp.MustCompile(`[a-z0-9.+-]+`).FindAllString(strings.ReplaceAll(list, "\n", " "), -1) {
		words[strings.TrimRight(w, ".")] = true
	}
	for _, p := range pkgs {
		if !words[p] {
			t.Errorf(".ci/run installs %s, which README.md's list of packages the tests need does not name", p)
		}
	}
}
