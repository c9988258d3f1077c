package procinspect

import (
	"fmt"
	"strconv"
)

// warnings collects unreadable facts, one line per kind with a count.
type warnings struct {
	order []string
	count map[string]int
	first map[string]string
	label map[string]string // the kind shown for a key addEach made
}

// maxEach bounds the warnings addEach makes of one kind; past it they are
// counted in one.
const maxEach = 16

// addEach is add for a warning that must stand on its own line whatever
// else has that kind (each untrusted engine daemon: which daemon, and
// why, is the point), up to maxEach of a kind; the rest are counted in one
// line, as add does.
func (w *warnings) addEach(kind, example string) {
	if w.label == nil {
		w.label = map[string]string{}
	}
	key := kind + "\x00" + example
	if w.count[key] == 0 {
		n := 0
		for _, l := range w.label {
			if l == kind {
				n++
			}
		}
		if n >= maxEach {
			w.add(kind+" (past the first "+strconv.Itoa(maxEach)+")", example)
			return
		}
	}
	w.label[key] = kind
	w.add(key, example)
}

func (w *warnings) add(kind, example string) {
	if w.count == nil {
		w.count, w.first = map[string]int{}, map[string]string{}
	}
	if w.count[kind] == 0 {
		w.order = append(w.order, kind)
		w.first[kind] = example
	}
	w.count[kind]++
}

func (w *warnings) lines() []string {
	out := make([]string, 0, len(w.order))
	for _, k := range w.order {
		shown := k
		if l, ok := w.label[k]; ok {
			shown = l
		}
		if n := w.count[k]; n > 1 {
			out = append(out, fmt.Sprintf("%s (%d processes; first: %s)", shown, n, w.first[k]))
		} else {
			out = append(out, shown+": "+w.first[k])
		}
	}
	return out
}
