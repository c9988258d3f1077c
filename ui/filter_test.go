package ui

import (
	"reflect"
	"testing"

	"github.com/sigview/sigview/procinspect/predict"
)

// TestFilterByEngineNames checks that / matches what the container
// engine's files say: the fixture's docker container is named web1 and
// runs image shop/web:1.2 (procinspect/testdata/var/lib/docker).
func TestFilterByEngineNames(t *testing.T) {
	for _, f := range []string{"web1", "shop/web", "WEB:1.2"} {
		m := newTestModel(t, 160, 45)
		keys := append([]string{"/"}, splitKeys(f)...)
		m = press(t, m, keys...)
		if m.table.matches() != 1 || m.table.current() == nil || m.table.current().key.ino != ctNS {
			t.Errorf("filter %q: %d matches, cursor on %+v; want the container's namespace %d", f, m.table.matches(), m.table.current(), ctNS)
		}
	}
}

func splitKeys(s string) []string {
	var out []string
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

// TestKeysRepaintFromLastScan: moving, typing a filter and taking it back
// repaint from the last scan's rows: no key starts a scan, the rows are
// the ones built when the scan arrived (not rebuilt per keystroke), and no
// prediction is made again.
func TestKeysRepaintFromLastScan(t *testing.T) {
	m := newTestModel(t, 160, 45)
	rows, calls := m.rows, predict.PredictCalls()
	if rows == nil || len(rows.all) != len(m.table.rows) {
		t.Fatalf("after a scan the model holds %+v; want its rows built once", rows)
	}
	m = press(t, m, "down", "up", "/", "w", "e", "b", "1")
	if m.table.matches() != 1 || m.table.current().key.ino != ctNS {
		t.Fatalf("filter web1: %d matches", m.table.matches())
	}
	m = press(t, m, "backspace", "backspace", "backspace")
	if want := buildRows(m.as, rowOptions{filter: "w"}); m.filter.Value() != "w" || !reflect.DeepEqual(m.table.rows, want) {
		t.Errorf("filter taken back to %q: rows %+v; want w's, %+v", m.filter.Value(), m.table.rows, want)
	}
	m = press(t, m, "backspace", "esc", "down")
	switch {
	case m.scanning:
		t.Errorf("a key started a scan")
	case m.rows != rows:
		t.Errorf("the keys rebuilt the rows")
	case predict.PredictCalls() != calls:
		t.Errorf("the keys made %d predictions", predict.PredictCalls()-calls)
	case len(m.table.rows) != len(rows.all):
		t.Errorf("after the filter was cleared %d rows show; want all %d", len(m.table.rows), len(rows.all))
	}
}

// TestFilterRereadsNames: while a filter is typed or kept, the next scan
// reads every process's status again (Scanner.Names), so a process that
// exec'd is matched by its new name; without a filter it is not asked.
func TestFilterRereadsNames(t *testing.T) {
	m := newTestModel(t, 160, 45)
	if m.nextScanner().Names {
		t.Fatal("no filter: the next scan asks for every name")
	}
	m = press(t, m, "/", "s")
	if !m.nextScanner().Names {
		t.Error("typing a filter: the next scan does not ask for names")
	}
	m = press(t, m, "enter")
	if !m.nextScanner().Names {
		t.Error("a kept filter: the next scan does not ask for names")
	}
	m = press(t, m, "esc")
	if m.nextScanner().Names {
		t.Error("the filter cleared: the next scan still asks for every name")
	}
}
