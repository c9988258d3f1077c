package document

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestEveryFieldDocumented: every JSON field name this package can write
// (each struct tag of its non-test files) is named in docs/json.md, as
// `name` in a table or "name" in an example. A field added without its
// documentation, such as a *_number beside a signal, fails here.
func TestEveryFieldDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string][]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			fl, ok := n.(*ast.Field)
			if !ok || fl.Tag == nil {
				return true
			}
			tag, err := strconv.Unquote(fl.Tag.Value)
			if err != nil {
				t.Fatalf("%s: tag %s: %v", fset.Position(fl.Pos()), fl.Tag.Value, err)
			}
			name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
			if name != "" && name != "-" {
				fields[name] = append(fields[name], fset.Position(fl.Pos()).String())
			}
			return true
		})
	}
	if len(fields) < 50 {
		t.Fatalf("found only %d JSON fields in %v: the parse is broken", len(fields), files)
	}
	var missing []string
	for name, at := range fields {
		if !strings.Contains(string(doc), "`"+name+"`") && !strings.Contains(string(doc), `"`+name+`"`) {
			missing = append(missing, name+" ("+at[0]+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("JSON field %s is not named in docs/json.md", m)
	}
}
