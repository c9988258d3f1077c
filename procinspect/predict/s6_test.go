package predict

import (
	"strings"
	"testing"

	"github.com/sigview/sigview/procinspect"
)

// TestS6LogInput: a logger's input ends when the logged service's
// writers close it; a child of the service may hold it, and a logged
// service whose s6-supervise was not read leaves it unknown.
func TestS6LogInput(t *testing.T) {
	proc := func(name string, kids ...*process) *process {
		p := &process{Children: kids, Status: &procinspect.Status{}}
		p.Status.Name, p.Status.State = name, 'S'
		return p
	}
	supervise := func(dir string, kids ...*process) *process {
		p := proc("s6-supervise", kids...)
		p.S6Service = &procinspect.S6Service{Dir: dir, Log: strings.HasSuffix(dir, "/log")}
		return p
	}
	logger := supervise("web/log", proc("s6-log"))
	for _, c := range []struct {
		name string
		kids []*process
		want Verdict
		has  string
	}{
		{"the service alone", []*process{supervise("web", proc("sleep")), logger}, Yes, "which has no child process"},
		{"the service is down", []*process{supervise("web"), logger}, Yes, "which has no child process"},
		{"a child of the service", []*process{supervise("web", proc("sh", proc("sleep"))), logger}, Depends, "may hold it open"},
		{"another service's child", []*process{supervise("db", proc("sh", proc("sleep"))), supervise("web", proc("sleep")), logger}, Yes, "no child process"},
		{"the service's supervisor not read", []*process{proc("s6-supervise", proc("sleep")), logger}, Depends, "was not found"},
	} {
		v, why := s6LogInput(logger, c.kids)
		if v != c.want || !strings.Contains(why, c.has) {
			t.Errorf("%s: %s (%s); want %s with %q", c.name, v, why, c.want, c.has)
		}
	}
}
