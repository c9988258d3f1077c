package metrics

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestStopOf: the row of the stop that applies (predict's AppliedStop
// chooses it), from an assessment's stops and the init's container.
func TestStopOf(t *testing.T) {
	known, i := procinspect.KnownFlag(true), procinspect.KnownInt
	docker := predict.Stop{Key: "docker", By: "docker stop", Signal: procinspect.SIGTERM, Grace: 10 * time.Second, Verdict: predict.No, After: known, AfterGrace: true, Exit: i(137)}
	kube := predict.Stop{Key: "kubernetes", By: "Kubernetes", Signal: procinspect.SIGTERM, Grace: 30 * time.Second, Verdict: predict.No, After: known, AfterGrace: true, Exit: i(137)}
	configured := predict.Stop{Key: "docker", By: "docker stop", Signal: procinspect.SIGINT, Grace: 20 * time.Second, Verdict: predict.Yes, After: known, Exit: i(130)}
	unknown := predict.Stop{Key: "podman", By: "podman stop", Signal: procinspect.SIGTERM, Grace: 10 * time.Second, Verdict: predict.Depends}
	defaults := []predict.Stop{docker, kube}
	for _, c := range []struct {
		name  string
		stops []predict.Stop
		ct    *engine.Container
		by    string
		kill  string // "1", "0" or "" (absent)
		secs  float64
	}{
		{"no container: docker stop's default", defaults, nil, "docker stop", "1", 10},
		{"a pod's container: Kubernetes' default", defaults, &engine.Container{Runtime: "containerd", PodUID: "u"}, "Kubernetes", "1", 30},
		{"the engine's configured stop", []predict.Stop{configured}, &engine.Container{Runtime: "docker"}, "docker stop", "0", 0},
		{"the program decides: absent", []predict.Stop{unknown}, &engine.Container{Runtime: "podman"}, "podman stop", "", -1},
	} {
		a := &predict.Assessment{Process: &procinspect.Process{Container: c.ct, Status: &procinspect.Status{}}, Stops: c.stops}
		st, ok := a.AppliedStop()
		if !ok {
			t.Fatalf("%s: no stop applies", c.name)
		}
		got := stopOf(st)
		kill := ""
		if got.NeedsSIGKILL != nil {
			kill = map[bool]string{true: "1", false: "0"}[*got.NeedsSIGKILL]
		}
		secs := -1.0
		if got.Seconds != nil {
			secs = *got.Seconds
		}
		if got.By != c.by || kill != c.kill || secs != c.secs {
			t.Errorf("%s: stopOf = by %q, needs SIGKILL %q, %v s; want %q, %q, %v s", c.name, got.By, kill, secs, c.by, c.kill, c.secs)
		}
	}
}

// The document is built only when asked for, and its inits' command lines
// are argv[0] alone unless FullCmdline (the fixture's /myinit runs as
// "/myinit --serve").
func TestSourceDocumentCmdline(t *testing.T) {
	for _, c := range []struct {
		document, full bool
		want           []string // /myinit's cmdline; nil: no document
	}{{false, false, nil}, {true, false, []string{"/myinit"}}, {true, true, []string{"/myinit", "--serve"}}} {
		src := fixtureSource(t)
		src.Document, src.FullCmdline = c.document, c.full
		snap, err := src.Scan()
		if err != nil {
			t.Fatal(err)
		}
		if c.want == nil {
			if snap.JSON != nil {
				t.Errorf("Document false: JSON is %d bytes; want none", len(snap.JSON))
			}
			continue
		}
		var doc struct {
			Namespaces []struct {
				Init *struct{ Cmdline []string }
			}
		}
		if err := json.Unmarshal(snap.JSON, &doc); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ns := range doc.Namespaces {
			if ns.Init == nil {
				continue
			}
			if !c.full && len(ns.Init.Cmdline) > 1 {
				t.Errorf("FullCmdline false: an init's cmdline is %q; want argv[0] alone", ns.Init.Cmdline)
			}
			if len(ns.Init.Cmdline) > 0 && ns.Init.Cmdline[0] == "/myinit" {
				got = ns.Init.Cmdline
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Document %v, FullCmdline %v: /myinit's cmdline = %q; want %q", c.document, c.full, got, c.want)
		}
	}
}
