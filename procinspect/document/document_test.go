package document

// The JSON document over the fixture procfs (../testdata/proc): its field
// names and shapes (docs/json.md), unknowns as null, escaped names.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/internal/texttest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// The fixture procfs and its PID namespaces (procinspect's scan tests).
const (
	fxRoot   = "../testdata/proc"
	fxSelfNS = "../testdata/proc/1/ns/pid" // the viewer sits in the host's namespace

	fxHostNS   = 4026531836 // level 0: 1 systemd, 100, 4200, 7000, 8000, 8001, 9000
	fxCtNS     = 4026532201 // level 1: init 4242, 4210 (exec'd in), 4250, 4260, 4270, zombie 4300
	fxNestedNS = 4026532305 // level 2 inside the container: init 5000 (signalfd), 5010
	fxGvisorNS = 4026532400 // level 1: init 6000 without Sig* lines
)

// fxScan scans the fixture.
func fxScan(t *testing.T) *procinspect.Snapshot {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		// The scanner reads syscall numbers in the table of the architecture
		// it was built for, and the fixture was captured on x86_64.
		nstest.Skip(t, "fixture-x86_64", "the fixture's syscall files hold x86_64 numbers, not %s's", runtime.GOARCH)
	}
	snap, err := procinspect.Scanner{Root: fxRoot, SelfNS: fxSelfNS}.Scan()
	if err != nil {
		t.Fatalf("Scanner{Root: %q}.Scan() error: %v", fxRoot, err)
	}
	return snap
}

// report is the document of a snapshot, assessed with its own kernel profile.
func report(s *procinspect.Snapshot) Document { return Report(s, predict.Assess(s, s.Kernel)) }

// TestReportViewerUnknown: a viewer whose namespace is unknown is null in
// the document, not a made-up number.
func TestReportViewerUnknown(t *testing.T) {
	snap, err := procinspect.Scanner{Root: fxRoot, SelfNS: "../testdata/proc/9000/ns/pid"}.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if doc := report(snap); doc.Viewer.PIDNS != nil || doc.Viewer.InitialNS != nil {
		t.Errorf("Report viewer = %+v, want null pid_ns and initial_ns", doc.Viewer)
	}
}

// decodeJSON marshals v and decodes it generically, numbers kept exact.
func decodeJSON(t *testing.T, v any) (map[string]any, []byte) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m, b
}

// requireKeys fails unless obj is an object holding every key.
func requireKeys(t *testing.T, where string, obj any, keys ...string) map[string]any {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Fatalf("%s = %v (%T), want an object", where, obj, obj)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no %q field (keys: %v)", where, k, slices.Sorted(maps.Keys(m)))
		}
	}
	return m
}

func jsonNum(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	if v == nil {
		return "null"
	}
	return "?"
}

// TestReportJSONShape checks the field names of docs/json.md (schema_version
// 1) on the fixture.
func TestReportJSONShape(t *testing.T) {
	snap := fxScan(t)
	doc, raw := decodeJSON(t, report(snap))
	requireKeys(t, "document", doc, "schema_version", "proc_root", "viewer", "namespaces", "warnings")
	if got := jsonNum(doc["schema_version"]); got != "2" {
		t.Errorf("schema_version = %s, want 2", got)
	}
	if doc["proc_root"] != fxRoot {
		t.Errorf("proc_root = %v, want %q", doc["proc_root"], fxRoot)
	}
	viewer := requireKeys(t, "viewer", doc["viewer"], "pid_ns", "initial_ns")
	if jsonNum(viewer["pid_ns"]) != strconv.Itoa(fxHostNS) || viewer["initial_ns"] != true {
		t.Errorf("viewer = %v, want pid_ns %d, initial_ns true", viewer, fxHostNS)
	}
	if _, ok := doc["warnings"].([]any); !ok {
		t.Errorf("warnings = %v, want an array", doc["warnings"])
	}

	nss, ok := doc["namespaces"].([]any)
	if !ok || len(nss) != 4 {
		t.Fatalf("namespaces = %v, want 4 entries", doc["namespaces"])
	}
	wantNS := []struct{ inode, level, parent, count, container string }{
		{"4026531836", "0", "null", "7", ""},
		{"4026532201", "1", "4026531836", "6", "docker 3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f "},
		{"4026532305", "2", "4026532201", "2", "kubernetes 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 74ba62da-1a3d-11e7-bb11-080027cb0e22"},
		{"4026532400", "1", "4026531836", "1", ""},
	}
	for i, raw := range nss {
		where := "namespaces[" + strconv.Itoa(i) + "]"
		ns := requireKeys(t, where, raw, "inode", "level", "parent", "process_count", "container", "init", "processes")
		w := wantNS[i]
		if got := []string{jsonNum(ns["inode"]), jsonNum(ns["level"]), jsonNum(ns["parent"]), jsonNum(ns["process_count"])}; !cmp.Equal(got, []string{w.inode, w.level, w.parent, w.count}) {
			t.Errorf("%s inode/level/parent/process_count = %v, want %v", where, got, w)
		}
		// 4242 and 5000 have cgroup files in the fixture (docker, and a
		// Kubernetes pod on cgroup v1 with "3:rdma:/" among the lines).
		if w.container == "" {
			if ns["container"] != nil {
				t.Errorf("%s container = %v, want null (no cgroup file)", where, ns["container"])
			}
		} else if c, ok := ns["container"].(map[string]any); !ok {
			t.Errorf("%s container = %v, want %s", where, ns["container"], w.container)
		} else if got := fmt.Sprintf("%v %v %v", c["runtime"], c["id"], strOr(c["pod_uid"])); got != w.container {
			t.Errorf("%s container = %q, want %q", where, got, w.container)
		}
		procs, _ := ns["processes"].([]any)
		if strconv.Itoa(len(procs)) != w.count {
			t.Errorf("%s has %d processes, process_count %s", where, len(procs), w.count)
		}
		for j, p := range procs {
			pw := where + ".processes[" + strconv.Itoa(j) + "]"
			pm := requireKeys(t, pw, p, "pid", "ns_pid", "ppid", "name", "state", "masks")
			requireKeys(t, pw+".masks", pm["masks"], "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
		}
		in := requireKeys(t, where+".init", ns["init"], "pid", "ns_pid", "ppid", "name", "cmdline", "state",
			"threads", "uid", "masks", "signals", "consumers", "predictions")
		if jsonNum(in["ns_pid"]) != "1" {
			t.Errorf("%s.init.ns_pid = %v, want 1", where, in["ns_pid"])
		}
		if _, ok := in["cmdline"].([]any); !ok {
			t.Errorf("%s.init.cmdline = %v, want an array", where, in["cmdline"])
		}
		if _, ok := in["consumers"].([]any); !ok {
			t.Errorf("%s.init.consumers = %v, want an array", where, in["consumers"])
		}
		requireKeys(t, where+".init.masks", in["masks"], "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
		requireKeys(t, where+".init.signals", in["signals"], "caught", "ignored", "blocked", "pending")
		preds, _ := in["predictions"].([]any)
		var pairs []string
		for k, pr := range preds {
			pm := requireKeys(t, where+".init.predictions["+strconv.Itoa(k)+"]", pr, "signal", "from", "verdict", "outcome", "reason")
			pairs = append(pairs, pm["signal"].(string)+"/"+pm["from"].(string))
			if r, _ := pm["reason"].(string); r == "" {
				t.Errorf("%s.init.predictions[%d] has an empty reason", where, k)
			}
		}
		wantPairs := []string{"SIGKILL/host", "SIGKILL/inside", "SIGTERM/host", "SIGTERM/inside"}
		if diff := cmp.Diff(wantPairs, slices.Sorted(slices.Values(pairs))); diff != "" {
			t.Errorf("%s.init predictions mismatch (-want +got):\n%s", where, diff)
		}
	}

	// The nested init's signalfd, and the container init's sigtimedwait
	// thread (no fd field).
	nested := nss[2].(map[string]any)["init"].(map[string]any)
	cons := nested["consumers"].([]any)
	if len(cons) != 1 {
		t.Fatalf("nested init consumers = %v, want one signalfd", cons)
	}
	c := requireKeys(t, "nested init consumer", cons[0], "kind", "tid", "fd", "signals")
	if c["kind"] != "signalfd" || jsonNum(c["tid"]) != "5000" || jsonNum(c["fd"]) != "3" ||
		!cmp.Equal(c["signals"], []any{"SIGINT", "SIGTERM"}) {
		t.Errorf("nested init consumer = %v, want signalfd tid 5000 fd 3 [SIGINT SIGTERM]", c)
	}
	ctInit := nss[1].(map[string]any)["init"].(map[string]any)
	cons = ctInit["consumers"].([]any)
	if len(cons) != 1 {
		t.Fatalf("container init consumers = %v, want one sigtimedwait thread", cons)
	}
	c = requireKeys(t, "container init consumer", cons[0], "kind", "tid", "signals")
	if _, hasFD := c["fd"]; hasFD || c["kind"] != "sigtimedwait" || jsonNum(c["tid"]) != "4243" || c["signals"] != nil {
		t.Errorf("container init consumer = %v, want sigtimedwait tid 4243, no fd, signals null (unread)", c)
	}

	if !json.Valid(raw) || bytes.Contains(raw, []byte(`\ufffd`)) || bytes.ContainsRune(raw, utf8.RuneError) {
		t.Errorf("document holds replacement characters: a name was not escaped before marshalling")
	}
}

// TestReportUnknownStaysNull checks that unknown masks are null in the JSON,
// never "0000000000000000".
func TestReportUnknownStaysNull(t *testing.T) {
	snap := fxScan(t)
	doc := report(snap)
	var gv *DocNS
	for i := range doc.Namespaces {
		if ns := &doc.Namespaces[i]; ns.Inode != nil && *ns.Inode == fxGvisorNS {
			gv = ns
		}
	}
	if gv == nil || gv.Init == nil {
		t.Fatalf("gVisor namespace or its init missing from the report")
	}
	m, _ := decodeJSON(t, gv.Init)
	for _, k := range []string{"SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"} {
		if v := m["masks"].(map[string]any)[k]; v != nil {
			t.Errorf("gVisor init masks.%s = %v, want null", k, v)
		}
	}
	for _, k := range []string{"caught", "ignored", "blocked", "pending"} {
		if v := m["signals"].(map[string]any)[k]; v != nil {
			t.Errorf("gVisor init signals.%s = %v, want null", k, v)
		}
	}
	for _, pr := range gv.Init.Predictions {
		if pr.Signal == "SIGTERM" && pr.Verdict != string(predict.VerdictUnknown) {
			t.Errorf("gVisor init %s from %s: verdict %q, want unknown (no SigIgn/SigCgt)", pr.Signal, pr.From, pr.Verdict)
		}
	}

	// Known-empty sets are [] and known masks are their kernel text.
	var ct DocNS
	for _, ns := range doc.Namespaces {
		if ns.Inode != nil && *ns.Inode == fxCtNS {
			ct = ns
		}
	}
	if ct.Init == nil || ct.Init.Signals.Caught == nil || len(ct.Init.Signals.Caught) != 0 ||
		ct.Init.Masks.SigBlk == nil || *ct.Init.Masks.SigBlk != "0000000000004002" {
		t.Errorf("container init signals/masks = %+v / %+v, want caught [] and SigBlk 0000000000004002", ct.Init.Signals, ct.Init.Masks)
	}

	// The malformed process: the bad masks are null, the good ones are text.
	for _, ns := range doc.Namespaces {
		for _, p := range ns.Processes {
			if p.PID != 7000 {
				continue
			}
			pm, _ := decodeJSON(t, p)
			masks := pm["masks"].(map[string]any)
			want := map[string]any{"SigPnd": "0000000000000000", "ShdPnd": "0000000000000000", "SigBlk": nil,
				"SigIgn": nil, "SigCgt": "0000000000000000"}
			if diff := cmp.Diff(want, masks); diff != "" {
				t.Errorf("PID 7000 masks mismatch (-want +got):\n%s", diff)
			}
			if pm["ns_pid"] != nil {
				t.Errorf("PID 7000 ns_pid = %v, want null (NSpid malformed)", pm["ns_pid"])
			}
		}
	}
}

// TestReportEscapesNames checks that process-controlled text is escaped in
// the document: no control bytes, no invalid UTF-8 turned into U+FFFD.
func TestReportEscapesNames(t *testing.T) {
	snap := fxScan(t)
	doc := report(snap)
	names := map[int]string{}
	for _, ns := range doc.Namespaces {
		for _, p := range ns.Processes {
			names[p.PID] = p.Name
		}
	}
	want := map[int]string{8000: `\x1b[31mevil\x1b[0m`, 8001: `bad\xff\xfename`, 1: "systemd"}
	for pid, w := range want {
		if names[pid] != w {
			t.Errorf("PID %d name in report = %q, want %q", pid, names[pid], w)
		}
	}
	// Cmdline is escaped too, wherever the process is reported in detail.
	for pid, wantArgs := range map[int][]string{
		8000: {`\x1b]0;pwned\x07`, "--x"},
		8001: {`caf\xe9`, `\xc3(`},
	} {
		p, err := procinspect.Scanner{Root: fxRoot, SelfNS: fxSelfNS}.ReadOne(pid)
		if err != nil {
			t.Fatalf("ReadOne(%d) error: %v", pid, err)
		}
		in := DocInitOf(predict.Assess(&procinspect.Snapshot{}, nil).Of(p))
		if diff := cmp.Diff(wantArgs, in.Cmdline); diff != "" {
			t.Errorf("DocInitOf(PID %d).Cmdline mismatch (-want +got):\n%s", pid, diff)
		}
		if h := texttest.Hazard(in.Name); h != "" {
			t.Errorf("DocInitOf(PID %d).Name = %q: %s", pid, in.Name, h)
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(`\u001b`)) || bytes.Contains(b, []byte(`\ufffd`)) || bytes.ContainsRune(b, utf8.RuneError) {
		t.Errorf("JSON document holds a raw escape or a replacement character:\n%s", b)
	}
}

func strOr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// TestWriteStreamsTheSameBytes: a Document written a namespace at a time is
// byte for byte what one encoder writes for it whole.
func TestWriteStreamsTheSameBytes(t *testing.T) {
	lvl := 1
	d := Document{SchemaVersion: SchemaVersion, ProcRoot: "/proc", Warnings: []string{`"namespaces": [],`, "<&>"},
		Namespaces: []DocNS{
			{ID: "4026531836", ProcessCount: 1, Processes: []DocProcess{{PID: 1, Name: "init \"x\" <y>"}}},
			{ID: "4026532201", Level: &lvl, Processes: []DocProcess{}},
			{ID: "unknown"},
		}}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{d, &d} {
		var got bytes.Buffer
		if err := Write(&got, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("Write(%T) streamed:\n%s\nwant, as one encoder writes it:\n%s", v, got.String(), want.String())
		}
	}
	d.Namespaces = nil
	var got bytes.Buffer
	want.Reset()
	enc.Encode(d)
	if Write(&got, d); got.String() != want.String() {
		t.Errorf("no namespaces: %s, want %s", got.String(), want.String())
	}
}
