package sigtrace

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/sigview/sigview/internal/nstest"
)

// TestRecordKill: SIGKILL from this test to a sleep it started, named as
// the target, is recorded as generated (delivered, this process the sender,
// in the same namespace), then taken (SIGKILL, SIG_DFL), then the exit
// with the wait status of a death by SIGKILL.
func TestRecordKill(t *testing.T) {
	nstest.NeedNamespaces(t)
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	r, err := Open(Options{PIDs: []int{pid}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sent := time.Now()
	syscall.Kill(pid, syscall.SIGKILL)
	var recs []Record
	for deadline := time.Now().Add(5 * time.Second); len(recs) < 3 && time.Now().Before(deadline); {
		recs, err = r.ReadBatch(recs, time.Now().Add(100*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3: %+v", len(recs), recs)
	}
	g, d, x := recs[0], recs[1], recs[2]
	if g.Kind != Generate || g.Signal != 9 || g.Result != Delivered || g.Target.TGID != pid ||
		g.Sender.TGID != os.Getpid() || g.Relation != Same || g.Code != 0 || g.Target.Comm != "sleep" {
		t.Errorf("generate: %+v", g)
	}
	// The default view is this process's own PID namespace: both PIDs as
	// it knows them.
	if g.Target.ViewPID != pid || g.Sender.ViewPID != os.Getpid() || d.Target.ViewPID != pid || x.Target.ViewPID != pid {
		t.Errorf("PIDs in this process's namespace: target %d, sender %d, deliver %d, exit %d; want %d, %d",
			g.Target.ViewPID, g.Sender.ViewPID, d.Target.ViewPID, x.Target.ViewPID, pid, os.Getpid())
	}
	if g.Time.Before(sent.Add(-time.Second)) || g.Time.After(time.Now()) {
		t.Errorf("generate at %v, sent at %v", g.Time, sent)
	}
	if d.Kind != Deliver || d.Signal != 9 || d.Target.TGID != pid || d.Handler != SigDFL {
		t.Errorf("deliver: %+v", d)
	}
	if x.Kind != Exit || x.Target.TGID != pid || x.ExitStatus != 9 {
		t.Errorf("exit: %+v", x)
	}
	if n, err := r.Lost(); err != nil || n != 0 {
		t.Errorf("lost %d, %v", n, err)
	}
	if n, err := r.Written(); err != nil || n != 3 {
		t.Errorf("written %d, %v; want 3", n, err)
	}
	r.Close()
	if _, err := r.ReadBatch(nil, time.Now().Add(time.Second)); err != ErrClosed {
		t.Errorf("read after close: %v, want ErrClosed", err)
	}
}

// TestRecorderCloseFDs: Close gives back every descriptor Open took (the
// BPF objects' and the pacer's timerfd, registered with the runtime's
// poller), after reads that slept on the pacer.
func TestRecorderCloseFDs(t *testing.T) {
	nstest.NeedNamespaces(t)
	count := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	before := count()
	r, err := Open(Options{PIDs: []int{os.Getpid()}})
	if err != nil {
		t.Fatal(err)
	}
	if open := count(); open <= before {
		t.Fatalf("%d descriptors open with the recorder, %d before", open, before)
	}
	if _, err := r.ReadBatch(nil, time.Now().Add(50*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if !r.sleep(time.Millisecond) {
		t.Fatal("sleep = false before Close")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if after := count(); after != before {
		t.Errorf("%d descriptors after Close, %d before Open", after, before)
	}
}
