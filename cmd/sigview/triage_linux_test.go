package main

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/enginetest"
	"github.com/sigview/sigview/internal/nstest"
)

// TestContainerTargets runs explain and send with a container's name, as
// an SRE has it, against a private dockerd's real containers: the name
// resolves to the container's init, send really sends (sleep as PID 1
// drops SIGTERM, as predicted), and a name two containers share lists both
// and exits 2 without sending anything.
func TestContainerTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a private dockerd")
	}
	nstest.NeedNamespaces(t)
	d := enginetest.StartDocker(t)
	// Unique names: other tests' private dockerds may run at the same time.
	tag := fmt.Sprintf("sv%06d", rand.Intn(1e6))
	web := d.Run(t, tag+"-web", nil, "sleep", "1000")
	kube := []string{"--label", "io.kubernetes.pod.namespace=" + tag, "--label", "io.kubernetes.pod.name=api-0",
		"--label", "io.kubernetes.container.name=app"}
	a := d.Run(t, tag+"-a", kube, "sleep", "1000")
	b := d.Run(t, tag+"-b", kube, "sleep", "1000")

	t.Run("explain NAME", func(t *testing.T) {
		r := sigview(t, nil, "explain", tag+"-web")
		if r.code != 0 {
			t.Fatalf("explain %s-web: status %d", tag, r.code)
		}
		has(t, "explain NAME", r.stdout, fmt.Sprintf("PID %d (sleep), PID 1 inside", web.Pid),
			"container: docker "+tag+"-web ("+web.ID[:12]+")")
		// The same container by an ID prefix, and its namespace by inode.
		r = sigview(t, nil, "explain", web.ID[:8])
		has(t, "explain ID-PREFIX", r.stdout, fmt.Sprintf("PID %d (sleep), PID 1 inside", web.Pid))
	})

	t.Run("send NAME", func(t *testing.T) {
		r := sigview(t, nil, "send", "--watch", "1", tag+"-web")
		if r.code != 0 {
			t.Fatalf("send %s-web: status %d; want 0 (the prediction held)", tag, r.code)
		}
		has(t, "send NAME", r.stdout, "still alive", "as predicted (no, dropped)")
		if in := d.Inspect(t, web.ID); !in.Running || in.Pid != web.Pid {
			t.Errorf("after a dropped SIGTERM the container is %+v; want it running with init %d", in, web.Pid)
		}
	})

	t.Run("ambiguous", func(t *testing.T) {
		target := tag + "/api-0/app"
		for _, cmd := range []string{"explain", "send"} {
			r := sigview(t, nil, cmd, target)
			if r.code != 2 {
				t.Errorf("%s %s: status %d; want 2", cmd, target, r.code)
			}
			has(t, cmd+" of an ambiguous target", r.stderr, "matches 2 containers by container name",
				fmt.Sprintf("%s  init PID %d", a.ID[:12], a.Pid), fmt.Sprintf("%s  init PID %d", b.ID[:12], b.Pid))
		}
		// Nothing was sent: both inits are still the ones started.
		time.Sleep(200 * time.Millisecond)
		for _, c := range []enginetest.Inspect{a, b} {
			if in := d.Inspect(t, c.ID); !in.Running || in.Pid != c.Pid {
				t.Errorf("container %s is %+v after an ambiguous send", c.Name, in)
			}
		}
		r := sigview(t, nil, "explain", "zz"+tag)
		if r.code != 1 || !strings.Contains(r.stderr, "no container's name is zz"+tag) {
			t.Errorf("explain of no container: status %d, stderr %q", r.code, r.stderr)
		}
	})
}
