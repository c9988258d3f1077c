package ui

import "testing"

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
