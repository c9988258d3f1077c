package document

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// TestReportUnknownIdentities: namespaces whose inode is unknown appear
// with inode null, an id of their own ("init PID N", "unknown") and
// parent_id naming their parent, whose inode may itself be unknown — never
// a made-up number (docs/json.md). The snapshot is built by hand, as a scan
// of a procfs with unreadable ns/pid links groups it.
func TestReportUnknownIdentities(t *testing.T) {
	proc := func(pid int, nspid ...int) *procinspect.Process {
		return &procinspect.Process{PID: pid, Status: &procinspect.Status{Name: "sleep", NSpid: nspid, State: 'S'}}
	}
	host := &procinspect.Namespace{ID: nsutil.NSID{Ino: 4026531836}, Level: 0, Init: proc(1, 1)}
	byInit := &procinspect.Namespace{ID: nsutil.NSID{Init: 4300}, Level: 1, Parent: host, Init: proc(4300, 4300, 1)}
	below := &procinspect.Namespace{ID: nsutil.NSID{Ino: 4026532999}, Level: 2, Parent: byInit, Init: proc(4400, 4400, 7, 1)}
	lost := &procinspect.Namespace{ID: nsutil.NSID{}, Level: -1, Procs: []*procinspect.Process{proc(4500)}}
	for _, ns := range []*procinspect.Namespace{host, byInit, below} {
		ns.Procs = []*procinspect.Process{ns.Init}
	}
	snap := &procinspect.Snapshot{Root: "/proc", Namespaces: []*procinspect.Namespace{host, byInit, below, lost}}
	var b bytes.Buffer
	if err := Write(&b, Report(snap, predict.Assess(snap, nil))); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Namespaces []struct {
			Inode    *uint64         `json:"inode"`
			ID       string          `json:"id"`
			Level    *int            `json:"level"`
			Parent   *uint64         `json:"parent"`
			ParentID *string         `json:"parent_id"`
			Init     json.RawMessage `json:"init"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Inode, Parent, ID, Level, ParentID string
		HasInit                            bool
	}
	str := func(v any) string {
		switch v := v.(type) {
		case *uint64:
			if v != nil {
				return formatUint(*v)
			}
		case *int:
			if v != nil {
				return formatUint(uint64(*v))
			}
		case *string:
			if v != nil {
				return *v
			}
		}
		return "null"
	}
	var got []row
	for _, n := range doc.Namespaces {
		got = append(got, row{Inode: str(n.Inode), Parent: str(n.Parent), ID: n.ID, Level: str(n.Level), ParentID: str(n.ParentID),
			HasInit: string(n.Init) != "null"})
	}
	want := []row{
		{Inode: "4026531836", Parent: "null", ID: "4026531836", Level: "0", ParentID: "null", HasInit: true},
		{Inode: "null", Parent: "4026531836", ID: "init PID 4300", Level: "1", ParentID: "4026531836", HasInit: true},
		{Inode: "4026532999", Parent: "null", ID: "4026532999", Level: "2", ParentID: "init PID 4300", HasInit: true},
		{Inode: "null", Parent: "null", ID: "unknown", Level: "null", ParentID: "null", HasInit: false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("namespaces' identities in the document (-want +got):\n%s", diff)
	}
}

func formatUint(v uint64) string { return strconv.FormatUint(v, 10) }
