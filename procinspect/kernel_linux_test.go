package procinspect_test

// Real-kernel tests: each case runs a small init program as PID 1 of a fresh
// PID namespace, reads sigview's prediction through the --json code path
// (Scan, then Report), really sends SIGTERM and SIGKILL from inside the
// namespace and from the host, each to a fresh instance, and checks that
// the kernel did what the prediction said.

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/internal/nstest"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/probe"
)

var (
	profileOnce sync.Once
	profile     *procinspect.Kernel
)

// kernelProfile measures the running kernel once per test binary, the way
// sigview does (without the cache, so the measurement is this run's).
func kernelProfile(t *testing.T) *procinspect.Kernel {
	profileOnce.Do(func() { profile = probe.Measure() })
	return profile
}

// binaries are the init programs, built once per test binary.
type binaries struct{ initprog, goinit, dir string }

var (
	buildOnce sync.Once
	built     binaries
	buildErr  error
)

func buildInits(t *testing.T) binaries {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sigview-inits-")
		if err != nil {
			buildErr = err
			return
		}
		built = binaries{initprog: filepath.Join(dir, "initprog"), goinit: filepath.Join(dir, "goinit"), dir: dir}
		// Alpine's way of being sleep: a link to busybox named sleep.
		if bb, err := exec.LookPath("busybox"); err != nil {
			buildErr = fmt.Errorf("busybox (Debian package busybox): %w", err)
			return
		} else if err := os.Symlink(bb, filepath.Join(dir, "sleep")); err != nil {
			buildErr = err
			return
		}
		buildErr = nstest.Build(
			[]string{"gcc", "-O1", "-Wall", "-pthread", "-o", built.initprog, "testdata/inits/initprog.c"},
			[]string{"go", "build", "-o", built.goinit, "./testdata/goinit"},
		)
	})
	if buildErr != nil {
		t.Fatalf("building the test inits: %v", buildErr)
	}
	return built
}

// ending is what the kernel did to the init.
type ending struct {
	ended    bool
	signaled bool
	sig      int // the terminating signal, when signaled
	code     int // the exit status, when it exited
	pending  bool
}

func (e ending) String() string {
	switch {
	case e.ended && e.signaled:
		return fmt.Sprintf("killed by signal %d", e.sig)
	case e.ended:
		return fmt.Sprintf("exited %d", e.code)
	case e.pending:
		return "alive, signal pending"
	}
	return "alive, signal not pending"
}

var (
	alive        = ending{}
	alivePending = ending{pending: true}
)

func killedBy(sig int) ending { return ending{ended: true, signaled: true, sig: sig} }
func exited(code int) ending  { return ending{ended: true, code: code} }

// instance is one running init under test.
type instance struct {
	t      *testing.T
	cmd    *exec.Cmd
	target int // host PID of the init under test
	nested bool
	lines  chan string
	done   chan struct{} // closed when the init has been waited for
	ws     syscall.WaitStatus
	hint   string // the --json document's fix hint, set by predictions
	prog   string // the --json document's program, "-" for none; set by predictions
}

// start runs argv as PID 1 of a new PID namespace and waits for "ready".
func start(t *testing.T, argv []string, nested bool) *instance {
	t.Helper()
	return startWith(t, argv, nested, 0)
}

// startWith is start with more namespaces made new (CLONE_NEW* flags).
func startWith(t *testing.T, argv []string, nested bool, clone uintptr) *instance {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = w, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID | clone, Setpgid: true}
	// The init is started from a thread kept until it is reaped: its
	// parent, for the kernel, is that thread, and a parent-death signal
	// (tini -p, prctl PR_SET_PDEATHSIG) fires when the thread exits. A
	// thread from the runtime's pool could be one that sendInside later
	// locks, moves into a namespace and throws away: tini -p SIGKILL was
	// then found killed by 9 in a "SIGKILL from inside" row.
	started, reaped := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(reaped)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			cmd.Wait()
		}
	}()
	if err := <-started; err != nil {
		t.Fatalf("start %v in a new PID namespace: %v", argv, err)
	}
	w.Close()
	in := &instance{t: t, cmd: cmd, target: cmd.Process.Pid, nested: nested,
		lines: make(chan string, 16), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			in.lines <- sc.Text()
		}
		r.Close()
	}()
	go func() {
		<-reaped
		in.ws = cmd.ProcessState.Sys().(syscall.WaitStatus)
		close(in.done)
	}()
	t.Cleanup(func() {
		// From an ancestor namespace SIGKILL is forced, and the init's
		// death takes every process of its namespace with it.
		syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-in.done:
		case <-time.After(10 * time.Second):
			t.Errorf("init %d did not die after SIGKILL from the host", cmd.Process.Pid)
		}
	})
	select {
	case l := <-in.lines:
		if l != "ready" {
			t.Fatalf("%v said %q, want ready (stderr: %s)", argv, l, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%v did not become ready (stderr: %s)", argv, stderr.String())
	}
	if nested {
		in.target = childOf(t, cmd.Process.Pid)
	}
	return in
}

// childOf finds the only child of pid.
func childOf(t *testing.T, pid int) int {
	t.Helper()
	if kids := childrenIn(pid, 0); len(kids) > 0 {
		return kids[0]
	}
	t.Fatalf("no child of %d found", pid)
	return 0
}

// status reads the target's status.
func (in *instance) status() (procinspect.Status, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", in.target))
	if err != nil {
		return procinspect.Status{}, err
	}
	return procinspect.ParseStatus(b)
}

// settleTimeout bounds each wait for an init to settle: long, because an
// interpreter's start (supervisord is Python) is slow on a loaded machine,
// and a settled init returns at once.
const settleTimeout = 20 * time.Second

// settle waits until every live thread of the target is in state want
// (an init that printed "ready" is still on its way into pause() or
// sigwaitinfo), then a little longer.
func (in *instance) settle(want byte) {
	in.t.Helper()
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		if in.threadsIn(want) {
			time.Sleep(50 * time.Millisecond)
			if in.threadsIn(want) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.t.Fatalf("init %d: threads did not settle in state %c", in.target, want)
}

func (in *instance) threadsIn(want byte) bool {
	dirs, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", in.target))
	live := 0
	for _, d := range dirs {
		b, err := os.ReadFile(d + "/status")
		if err != nil {
			return false
		}
		st, err := procinspect.ParseStatus(b)
		if err != nil {
			return false
		}
		if st.State == 'Z' {
			continue
		}
		live++
		if st.State != want {
			return false
		}
	}
	return live > 0
}

// settleKids waits until the target has n children, each asleep.
func (in *instance) settleKids(n int) {
	in.t.Helper()
	if n == 0 {
		return
	}
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		if len(childrenIn(in.target, 'S')) >= n {
			time.Sleep(50 * time.Millisecond)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	var st []byte
	for _, k := range childrenIn(in.target, 0) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", k))
		st = append(st, b[:min(len(b), 60)]...)
	}
	var lines []string
	for len(in.lines) > 0 {
		lines = append(lines, <-in.lines)
	}
	in.t.Fatalf("init %d: %d sleeping children did not appear (children: %v; their status: %s; said: %q)", in.target, n, childrenIn(in.target, 0), st, lines)
}

// settleGrandchild waits until n of the target's children (at least one)
// each have a sleeping child: an s6 service and its logger, each under its
// own s6-supervise.
func (in *instance) settleGrandchild(n int) {
	in.t.Helper()
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		with := 0
		for _, k := range childrenIn(in.target, 0) {
			if len(childrenIn(k, 'S')) > 0 {
				with++
			}
		}
		if with >= max(n, 1) {
			time.Sleep(50 * time.Millisecond)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.t.Fatalf("init %d: no %d sleeping grandchildren appeared", in.target, max(n, 1))
}

// settleGreatGrandchild waits until a grandchild of the target has a
// sleeping child: an s6 service's own child, which holds its logger's
// pipe (the service starts it after s6-supervise has started the service,
// so settling the grandchildren does not wait for it).
func (in *instance) settleGreatGrandchild() {
	in.t.Helper()
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		for _, k := range childrenIn(in.target, 0) {
			for _, g := range childrenIn(k, 0) {
				if len(childrenIn(g, 'S')) > 0 {
					time.Sleep(50 * time.Millisecond)
					return
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.t.Fatalf("init %d: no sleeping great-grandchild appeared", in.target)
}

// childrenIn lists pid's children in the given state (0: any): from its
// threads' task/*/children files (CONFIG_PROC_CHILDREN), else, where a
// kernel has none, from the PPid of every status (slow with many
// processes).
func childrenIn(pid int, state byte) []int {
	var out []int
	if files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid)); len(files) > 0 {
		for _, f := range files {
			b, _ := os.ReadFile(f)
			for _, w := range strings.Fields(string(b)) {
				n, _ := strconv.Atoi(w)
				sb, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", n))
				if err != nil {
					continue
				}
				if st, err := procinspect.ParseStatus(sb); err == nil && st.PPid.V == pid && (state == 0 || st.State == state) {
					out = append(out, n)
				}
			}
		}
		return out
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(d + "/status")
		if err != nil {
			continue
		}
		st, err := procinspect.ParseStatus(b)
		if err == nil && st.PPid.V == pid && (state == 0 || st.State == state) {
			n, _ := strconv.Atoi(filepath.Base(d))
			out = append(out, n)
		}
	}
	return out
}

// predictions reads the target's predictions the way `sigview --json` does,
// with the kernel profile measured on this kernel, and returns the scanned
// process too.
//
// The live UI predicts from rescans that build on the snapshot before, and
// share the processes they carry over unread (share.go): a chain of them
// must predict what a full scan made right after predicts.
func (in *instance) predictions() (map[string]document.DocPrediction, *procinspect.Process) {
	in.t.Helper()
	k := kernelProfile(in.t)
	sc := procinspect.Scanner{Root: "/proc", Kernel: k}
	var diff string
	for try := 0; try < 3; try++ {
		var inc *procinspect.Snapshot
		for range 3 {
			s := sc
			s.Prev = inc
			next, err := s.Scan()
			if err != nil {
				in.t.Fatalf("Scan: %v", err)
			}
			inc = next
		}
		snap, err := sc.Scan()
		if err != nil {
			in.t.Fatalf("Scan: %v", err)
		}
		got, _ := in.predictionsOf(inc, k)
		hint, prog := in.hint, in.prog
		full, p := in.predictionsOf(snap, k)
		diff = predictionDiff(got, full)
		if diff == "" && (hint != in.hint || prog != in.prog) {
			diff = fmt.Sprintf("hint %q, program %q; a full scan %q, %q", hint, prog, in.hint, in.prog)
		}
		if diff == "" {
			return full, p
		}
	}
	in.t.Errorf("a chain of rescans predicts otherwise than a full scan, 3 times; the last: %s", diff)
	return in.predictionsOf(nil, k)
}

// predictionDiff names the first prediction of got that is not want's.
func predictionDiff(got, want map[string]document.DocPrediction) string {
	keys := slices.Sorted(maps.Keys(want))
	for _, k := range keys {
		if g, ok := got[k]; !ok || !reflect.DeepEqual(g, want[k]) {
			return fmt.Sprintf("%s: %+v, a full scan %+v", k, g, want[k])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d predictions, a full scan %d", len(got), len(want))
	}
	return ""
}

// predictionsOf is predictions from one snapshot (nil: a full scan now).
func (in *instance) predictionsOf(snap *procinspect.Snapshot, k *procinspect.Kernel) (map[string]document.DocPrediction, *procinspect.Process) {
	in.t.Helper()
	if snap == nil {
		var err error
		if snap, err = (procinspect.Scanner{Root: "/proc", Kernel: k}).Scan(); err != nil {
			in.t.Fatalf("Scan: %v", err)
		}
	}
	doc := document.Report(snap, predict.Assess(snap, snap.Kernel))
	in.hint, in.prog = "", ""
	for _, ns := range doc.Namespaces {
		if ns.Init != nil && ns.Init.PID == in.target {
			out := map[string]document.DocPrediction{}
			if ns.Init.Hint != nil {
				in.hint = *ns.Init.Hint
			}
			in.prog = "-"
			if ns.Init.Program != nil {
				in.prog = *ns.Init.Program
			}
			for _, pr := range ns.Init.Predictions {
				out[pr.Signal+"/"+pr.From] = pr
			}
			// --json carries TERM and KILL; other signals come from the same
			// engine on the same scanned process.
			p := snap.Process(in.target)
			for _, sig := range []procinspect.Signal{procinspect.SIGQUIT, procinspect.SIGINT, procinspect.SIGHUP, procinspect.SIGTSTP, procinspect.SIGTTIN, procinspect.SIGTTOU,
				procinspect.Signal(syscall.SIGUSR1), procinspect.Signal(syscall.SIGUSR2), procinspect.Signal(syscall.SIGPWR)} {
				for _, from := range predict.Senders {
					pr := document.DocPredictionOf(predict.Predict(p, sig, from, k))
					out[pr.Signal+"/"+pr.From] = pr
				}
			}
			return out, p
		}
	}
	in.t.Fatalf("init %d is not a namespace init in the --json document", in.target)
	return nil, nil
}

// send delivers sig to the target from the host or from inside its namespace.
func (in *instance) send(sig syscall.Signal, from predict.Sender) {
	in.t.Helper()
	if from == predict.Host {
		if err := syscall.Kill(in.target, sig); err != nil {
			in.t.Fatalf("kill(%d, %d) from the host: %v", in.target, sig, err)
		}
		return
	}
	out, err := sendInside(in.target, sig)
	if err != nil {
		in.t.Fatalf("send %d from inside the namespace of %d: %v\n%s", sig, in.target, err, out)
	}
}

// sendInside starts a sender process in the PID namespace of target (setns
// changes the namespace of children made afterwards, so the sender is a new
// process started from the thread that joined) and has it kill PID 1.
func sendInside(target int, sig syscall.Signal) ([]byte, error) {
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		// The thread stays locked: when this goroutine ends, the runtime
		// throws the thread with the altered namespace away.
		runtime.LockOSThread()
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/pid", target))
		if err != nil {
			done <- result{nil, err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWPID); err != nil {
			done <- result{nil, fmt.Errorf("setns: %w", err)}
			return
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestKernelSenderHelper$")
		cmd.Env = append(os.Environ(), "SIGVIEW_SEND="+strconv.Itoa(int(sig)),
			"SIGVIEW_SEND_NS="+nsLink(fmt.Sprintf("/proc/%d/ns/pid", target)))
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				// The init died first, and its namespace's teardown killed
				// the sender (docs/kernel-signals.md §7).
				err = nil
			}
		}
		done <- result{out, err}
	}()
	r := <-done
	return r.out, r.err
}

func nsLink(path string) string {
	s, _ := os.Readlink(path)
	return s
}

// TestKernelSenderHelper is the sender process of sendInside; it does
// nothing in a normal test run.
func TestKernelSenderHelper(t *testing.T) {
	v := os.Getenv("SIGVIEW_SEND")
	if v == "" {
		t.Skip("the sender process of the real-kernel tests")
	}
	sig, _ := strconv.Atoi(v)
	// An init that ends every process of its namespace on the signal
	// (busybox init's kill(-1, SIGTERM)) may reach the sender before it
	// has exited.
	signal.Ignore(syscall.SIGTERM)
	if got, want := nsLink("/proc/self/ns/pid"), os.Getenv("SIGVIEW_SEND_NS"); got != want {
		fmt.Printf("sender is in %s, want %s\n", got, want)
		os.Exit(3)
	}
	if err := unix.Kill(1, syscall.Signal(sig)); err != nil {
		fmt.Printf("kill(1, %d): %v\n", sig, err)
		os.Exit(4)
	}
	os.Exit(0)
}

// observe waits up to grace for the init to end, and otherwise reports
// whether sig is pending.
func (in *instance) observe(sig syscall.Signal, grace time.Duration) ending {
	in.t.Helper()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	for {
		select {
		case <-in.done:
			ws := in.ws
			if in.nested {
				in.t.Fatalf("the outer init ended (%v) before the nested init did", ws)
			}
			if ws.Signaled() {
				return killedBy(int(ws.Signal()))
			}
			return exited(ws.ExitStatus())
		case l := <-in.lines:
			if !in.nested {
				continue
			}
			var n int
			if _, err := fmt.Sscanf(l, "child-signal %d", &n); err == nil {
				return killedBy(n)
			}
			if _, err := fmt.Sscanf(l, "child-exit %d", &n); err == nil {
				return exited(n)
			}
		case <-timer.C:
			st, err := in.status()
			if err != nil {
				in.t.Fatalf("init %d vanished without a wait status: %v", in.target, err)
			}
			s := procinspect.Signal(sig)
			return ending{pending: st.ShdPnd.Has(s) || st.SigPnd.Has(s)}
		}
	}
}

// agrees is the oracle: does what the kernel did match the prediction?
func agrees(pr document.DocPrediction, sig syscall.Signal, got ending) bool {
	if pr.ExitCode != nil && got.ended && exitStatus(got) != *pr.ExitCode {
		return false // it ended, but not with the status the prediction gave
	}
	switch pr.Verdict + "/" + pr.Outcome {
	case "yes/terminates":
		return got.ended && got.signaled && got.sig == int(sig)
	case "yes/handled", "yes/forwarded":
		return got.ended
	case "depends/deferred":
		if strings.Contains(pr.Reason, "is traced by") {
			// A tracer decides; strace passes the signal on, and on a
			// kernel where that kills an init, it dies of it.
			return got.ended && got.signaled && got.sig == int(sig)
		}
		// A shell trap waiting for its foreground command: nothing yet.
		return !got.ended
	case "depends/handled", "depends/consumed", "depends/forwarded":
		// The program's own code receives it: the kernel delivered it (it
		// was not dropped at send time, so it is not left pending), and the
		// case's documented ending says what that code then did. One
		// exception: sigtimedwait without blocking first (a usage error)
		// is dropped, and sigview cannot see the difference; it must say so.
		if !got.ended && pr.Outcome == "consumed" {
			return strings.Contains(pr.Reason, "assuming it blocked") && !got.pending
		}
		return !got.pending
	case "no/dropped", "no/ignored", "no/handled", "no/consumed", "no/forwarded":
		return !got.ended && !got.pending
	case "no/queued", "no/deferred":
		return !got.ended && got.pending
	}
	return false
}

// exitStatus is the status a container runtime reports: 128+N for a
// death by signal N.
func exitStatus(e ending) int {
	if e.signaled {
		return 128 + e.sig
	}
	return e.code
}

// send is one (signal, sender) pair with the documented result.
type send struct {
	sig  syscall.Signal
	from predict.Sender
}

// want is the documented prediction and kernel result (docs/kernel-signals.md §11).
// When rule is set, the row differs between kernel builds: this want holds
// where the measured rule is true, and *otherwise where it is false.
type want struct {
	verdict, outcome string
	end              ending
	reasonHas        string // must be in this row's reason
	// kidState, when set, is the state the init's child (and, in a grand
	// case, its child) must be in after the send: 'T' stopped by what the
	// init forwarded, 'S' not stopped.
	kidState  byte
	rule      procinspect.RuleName
	otherwise *want
}

// byRule is a row that depends on a build-dependent kernel rule.
func byRule(rule procinspect.RuleName, ifTrue, ifFalse want) want {
	ifTrue.rule, ifTrue.otherwise = rule, &ifFalse
	return ifTrue
}

// under resolves w for the measured profile; ok is false when the profile
// does not know the rule.
func (w want) under(k *procinspect.Kernel) (want, procinspect.Rule, bool) {
	if w.rule == "" {
		return w, procinspect.Rule{}, true
	}
	r := k.Rule(w.rule)
	switch {
	case !r.Value.Known:
		return w, r, false
	case r.Value.V:
		return w, r, true
	}
	return *w.otherwise, r, true
}

type kernelCase struct {
	name   string
	argv   func(b binaries) []string
	nested bool
	stop   bool          // SIGSTOP from the host once ready
	traced bool          // strace -p attached from the host once ready
	state  byte          // the settled state of every live thread
	kids   int           // children the init has once settled (a forwarder's child)
	grand  bool          // and its child has a sleeping child (a forwarded shell's command)
	great  bool          // and one such grandchild has a sleeping child (an s6 service's own child)
	grace  time.Duration // how long to wait for the init to end; 1.5 s when 0
	want   map[send]want
	// reasonHas must be in every prediction's reason; hintLacks must not
	// be in the fix hint (--json "hint").
	reasonHas, hintLacks string
	hintHas              string // must be in the fix hint
	// program, when set, is what the --json document must recognise the
	// init as ("-": nothing).
	program string
	// mountNS runs the init in a new mount namespace too (busybox init:
	// busyboxinit_linux_test.go); bootCap, when set, is whether the init
	// must have CAP_SYS_BOOT ('y') or not ('n').
	mountNS bool
	bootCap byte
}

var (
	termIn   = send{syscall.SIGTERM, predict.Inside}
	termHost = send{syscall.SIGTERM, predict.Host}
	killIn   = send{syscall.SIGKILL, predict.Inside}
	killHost = send{syscall.SIGKILL, predict.Host}
	quitIn   = send{syscall.SIGQUIT, predict.Inside}
	quitHost = send{syscall.SIGQUIT, predict.Host}
	intIn    = send{syscall.SIGINT, predict.Inside}
	intHost  = send{syscall.SIGINT, predict.Host}
	hupIn    = send{syscall.SIGHUP, predict.Inside}
	hupHost  = send{syscall.SIGHUP, predict.Host}

	dropped      = want{verdict: "no", outcome: "dropped", end: alive}
	killedByHost = want{verdict: "yes", outcome: "terminates", end: killedBy(9)}
)

// withKill adds the SIGKILL rows every namespace init shares: dropped from
// inside, forced and fatal from the host (docs/kernel-signals.md §10.1).
func withKill(m map[send]want) map[send]want {
	m[killIn], m[killHost] = dropped, killedByHost
	return m
}

// The build-dependent rows.
var (
	fastPathTerm = byRule(procinspect.RuleFastPathKillsInit, want{verdict: "yes", outcome: "terminates", end: killedBy(15)}, dropped)
	fastPathQuit = byRule(procinspect.RuleCoreFastPathKillsInit, want{verdict: "yes", outcome: "terminates", end: killedBy(3)}, dropped)
	tracedTerm   = byRule(procinspect.RuleTracedPassOnKillsInit, want{verdict: "depends", outcome: "deferred", end: killedBy(15)}, dropped)
)

// forwarded143 is a forwarding init whose child dies of the forwarded
// SIGTERM: the init exits 128+15.
var forwarded143 = want{verdict: "yes", outcome: "forwarded", end: exited(143)}

// shExec runs cmd as PID 1 after saying ready.
func shExec(cmd string) func(binaries) []string {
	return func(binaries) []string { return []string{"/bin/sh", "-c", "echo ready; exec " + cmd} }
}

// java runs the test's JVM init with the given JVM options, tuned to
// start fast.
func java(opts ...string) func(binaries) []string {
	return func(binaries) []string {
		argv := append([]string{"java", "-XX:-UsePerfData", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"}, opts...)
		return append(argv, "-cp", "testdata/java", "SigviewInit")
	}
}

var exits0Handled = want{verdict: "yes", outcome: "handled", end: exited(0)}

// tempDir makes a directory of its own below the test inits' directory.
func tempDir(b binaries, prefix string) string {
	d, err := os.MkdirTemp(b.dir, prefix)
	if err != nil {
		panic(err)
	}
	return d
}

// s6svscan runs s6-svscan as PID 1 on a scan directory of its own holding
// the given files (executable; a service's run script, .s6-svscan/SIG*).
func s6svscan(files map[string]string) func(binaries) []string { return s6svscanWith(files) }

// s6svscanWith is s6svscan with the files named in plain written without
// an execute bit.
func s6svscanWith(files map[string]string, plain ...string) func(binaries) []string {
	return func(b binaries) []string {
		d := tempDir(b, "s6-")
		for name, text := range files {
			p := filepath.Join(d, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				panic(err)
			}
			mode := os.FileMode(0o755)
			if slices.Contains(plain, name) {
				mode = 0o644
			}
			if err := os.WriteFile(p, []byte(text), mode); err != nil {
				panic(err)
			}
		}
		return []string{"/bin/sh", "-c", "echo ready; exec s6-svscan " + d}
	}
}

// supervisordInit runs supervisord in the foreground as PID 1 with one
// program, sleep, and no control socket.
func supervisordInit(b binaries) []string { return supervisordWith("command=sleep 1000")(b) }

// supervisordWith runs supervisord in the foreground as PID 1 with one
// program whose section holds the given lines, and no control socket.
func supervisordWith(program string) func(b binaries) []string {
	return func(b binaries) []string {
		d := tempDir(b, "supervisord-")
		conf := filepath.Join(d, "supervisord.conf")
		text := "[supervisord]\nnodaemon=true\nlogfile=/dev/null\nlogfile_maxbytes=0\npidfile=" + filepath.Join(d, "pid") +
			"\nchildlogdir=" + d + // its programs' AUTO logs, not in the machine's /tmp
			"\n[program:sleeper]\n" + program + "\nstartsecs=0\n"
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			panic(err)
		}
		return []string{"/bin/sh", "-c", "echo ready; exec supervisord -n -c " + conf}
	}
}

var jvmExits143 = want{verdict: "yes", outcome: "handled", end: exited(143)}

func initprog(mode ...string) func(b binaries) []string {
	return func(b binaries) []string { return append([]string{b.initprog}, mode...) }
}

var kernelCases = []kernelCase{
	{name: "no handlers (row 6)", argv: initprog("none"),
		want: withKill(map[send]want{termIn: dropped, termHost: dropped})},
	{name: "SIGTERM handler exits (row 7)", argv: initprog("handler"),
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "handled", end: exited(0)}, termHost: {verdict: "depends", outcome: "handled", end: exited(0)}})},
	{name: "SIGTERM SIG_IGN (row 8)", argv: initprog("ignore"),
		want: withKill(map[send]want{termIn: {verdict: "no", outcome: "ignored", end: alive}, termHost: {verdict: "no", outcome: "ignored", end: alive}})},
	{name: "SIGTERM blocked, no reader (row 9)", argv: initprog("block"),
		want: withKill(map[send]want{termIn: {verdict: "no", outcome: "queued", end: alivePending}, termHost: {verdict: "no", outcome: "queued", end: alivePending}})},
	{name: "SIGTERM blocked, signalfd reader (row 10)", argv: initprog("signalfd"),
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "consumed", end: exited(0)}, termHost: {verdict: "depends", outcome: "consumed", end: exited(0)}})},
	{name: "signalfd without blocking (row 11)", argv: initprog("signalfd-unblocked"),
		want: withKill(map[send]want{termIn: dropped, termHost: dropped})},
	{name: "SIGTERM blocked, sigwaitinfo (row 12)", argv: initprog("sigwait"),
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "consumed", end: exited(0)}, termHost: {verdict: "depends", outcome: "consumed", end: exited(0)}})},
	{name: "sigwaitinfo without blocking (row 13, not visible in /proc)", argv: initprog("sigwait-unblocked"),
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "consumed", end: alive}, termHost: {verdict: "depends", outcome: "consumed", end: alive}})},
	// Build-dependent (docs/kernel-signals.md §0 item 6): whether the fatal fast
	// path kills an init is the measured rule, and the kernel must agree
	// with the measurement.
	{name: "leader blocks SIGTERM, worker does not (row 18)", argv: initprog("leader-blocks"),
		want: withKill(map[send]want{termIn: fastPathTerm, termHost: fastPathTerm,
			// SIGQUIT dumps core by default; mainline's fast path skips
			// core-dump signals, and get_signal then drops it at the init.
			quitIn: fastPathQuit, quitHost: fastPathQuit})},
	// A tracer (strace -p, attached from the host) sees the signal first
	// and passes it on; what that does at an init is the measured rule.
	{name: "traced by strace, no handlers", argv: initprog("none"), traced: true,
		want: withKill(map[send]want{termIn: tracedTerm, termHost: tracedTerm})},
	{name: "worker blocks SIGTERM, leader does not (row 19)", argv: initprog("worker-blocks"),
		want: withKill(map[send]want{termIn: dropped, termHost: dropped})},
	{name: "all threads block SIGTERM (row 20)", argv: initprog("all-block"),
		want: withKill(map[send]want{termIn: {verdict: "no", outcome: "queued", end: alivePending}, termHost: {verdict: "no", outcome: "queued", end: alivePending}})},
	{name: "stopped from the host, no handlers", argv: initprog("none"), stop: true, state: 'T',
		want: withKill(map[send]want{termIn: dropped, termHost: dropped})},
	{name: "stopped from the host, SIGTERM handler", argv: initprog("handler"), stop: true, state: 'T',
		want: withKill(map[send]want{termIn: {verdict: "no", outcome: "deferred", end: alivePending}, termHost: {verdict: "no", outcome: "deferred", end: alivePending}})},
	{name: "nested namespace, level 2, no handlers", argv: initprog("nest", "none"), nested: true,
		want: withKill(map[send]want{termIn: dropped, termHost: dropped})},
	{name: "nested namespace, level 2, SIGTERM handler", argv: initprog("nest", "handler"), nested: true,
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "handled", end: exited(0)}, termHost: {verdict: "depends", outcome: "handled", end: exited(0)}})},
	{name: "main thread called pthread_exit, worker lives", argv: initprog("leader-exit"),
		want: withKill(map[send]want{termIn: dropped, termHost: dropped})},
	{name: "Go without signal.Notify (row 16)", argv: func(b binaries) []string { return []string{b.goinit, "plain"} },
		want: withKill(map[send]want{termIn: {verdict: "yes", outcome: "handled", end: exited(2)}, termHost: {verdict: "yes", outcome: "handled", end: exited(2)}})},
	{name: "Go with signal.Notify(SIGTERM) (row 17)", argv: func(b binaries) []string { return []string{b.goinit, "notify"} },
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "handled", end: exited(0)}, termHost: {verdict: "depends", outcome: "handled", end: exited(0)}})},
	// Real init programs (docs/kernel-signals.md §8), started by a shell that
	// says ready and execs them, so they are PID 1.
	{name: "tini -- sleep (row 14)", argv: shExec("tini -- sleep 1000"), kids: 1,
		want: withKill(map[send]want{termIn: forwarded143, termHost: forwarded143})},
	{name: "dumb-init sleep", argv: shExec("dumb-init sleep 1000"), kids: 1,
		want: withKill(map[send]want{termIn: forwarded143, termHost: forwarded143})},
	{name: "catatonit -- sleep", argv: shExec("catatonit -- sleep 1000"), kids: 1,
		want: withKill(map[send]want{termIn: forwarded143, termHost: forwarded143})},
	// Forwarders' own options (docs/kernel-signals.md §8.2): what is
	// forwarded, to whom, and the exit status follow them.
	{name: "dumb-init --rewrite 15:0 sleep", argv: shExec("dumb-init --rewrite 15:0 sleep 1000"), kids: 1, hintHas: "--rewrite 15:0",
		want: withKill(map[send]want{
			termIn:   {verdict: "no", outcome: "consumed", end: alive, reasonHas: "(--rewrite 15:0)"},
			termHost: {verdict: "no", outcome: "consumed", end: alive, reasonHas: "(--rewrite 15:0)"},
			intIn:    {verdict: "yes", outcome: "forwarded", end: exited(130)},
			intHost:  {verdict: "yes", outcome: "forwarded", end: exited(130)}})},
	{name: "dumb-init -r 15:2 sleep", argv: shExec("dumb-init -r 15:2 sleep 1000"), kids: 1,
		want: withKill(map[send]want{
			termIn:   {verdict: "yes", outcome: "forwarded", end: exited(130), reasonHas: "SIGINT instead (-r 15:2)"},
			termHost: {verdict: "yes", outcome: "forwarded", end: exited(130), reasonHas: "SIGINT instead (-r 15:2)"}})},
	{name: "tini -e 143 -- sleep", argv: shExec("tini -e 143 -- sleep 1000"), kids: 1,
		want: withKill(map[send]want{
			termIn:   {verdict: "yes", outcome: "forwarded", end: exited(0), reasonHas: "-e 143"},
			termHost: {verdict: "yes", outcome: "forwarded", end: exited(0), reasonHas: "-e 143"},
			intHost:  {verdict: "yes", outcome: "forwarded", end: exited(130)}})},
	// A shell child with a TERM trap waits for its foreground command. Sent
	// to the child alone, the trap waits; sent to its process group (dumb-
	// init's default setsid mode, tini -g, catatonit -g), the command dies
	// too and the trap runs at once.
	{name: "dumb-init sh with a trap (setsid: process group)", kids: 1, grand: true,
		argv: shExec(`dumb-init sh -c "trap 'exit 3' TERM; sleep 1000; true"`),
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "handled", end: exited(3), reasonHas: "setsid"},
			termHost: {verdict: "depends", outcome: "handled", end: exited(3), reasonHas: "setsid"}})},
	// In setsid mode dumb-init turns SIGTSTP, SIGTTIN and SIGTTOU into
	// SIGSTOP for its child's process group (a shell ignoring SIGTSTP stops
	// all the same), and its own SIGSTOP to itself is dropped at the init.
	// With --single-child it forwards SIGTSTP as it is, to the child alone.
	{name: "dumb-init sh ignoring SIGTSTP (setsid: SIGSTOP to the group)", kids: 1, grand: true,
		argv: shExec(`dumb-init sh -c "trap '' TSTP; sleep 1000 & wait"`),
		want: map[send]want{
			{syscall.SIGTSTP, predict.Inside}: {verdict: "no", outcome: "forwarded", end: alive, kidState: 'T', reasonHas: "SIGSTOP instead"},
			{syscall.SIGTSTP, predict.Host}:   {verdict: "no", outcome: "forwarded", end: alive, kidState: 'T', reasonHas: "SIGSTOP instead"},
			{syscall.SIGTTIN, predict.Host}:   {verdict: "no", outcome: "forwarded", end: alive, kidState: 'T', reasonHas: "SIGSTOP instead"},
			{syscall.SIGTTOU, predict.Inside}: {verdict: "no", outcome: "forwarded", end: alive, kidState: 'T', reasonHas: "SIGSTOP instead"}}},
	{name: "dumb-init --single-child sh ignoring SIGTSTP", kids: 1, grand: true,
		argv: shExec(`dumb-init --single-child sh -c "trap '' TSTP; sleep 1000 & wait"`),
		want: map[send]want{
			{syscall.SIGTSTP, predict.Inside}: {verdict: "no", outcome: "forwarded", end: alive, kidState: 'S', reasonHas: "ignores SIGTSTP"},
			{syscall.SIGTSTP, predict.Host}:   {verdict: "no", outcome: "forwarded", end: alive, kidState: 'S', reasonHas: "ignores SIGTSTP"}}},
	{name: "dumb-init --single-child sh with a trap", kids: 1, grand: true,
		argv: shExec(`dumb-init --single-child sh -c "trap 'exit 3' TERM; sleep 1000; true"`),
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "deferred", end: alive},
			termHost: {verdict: "depends", outcome: "deferred", end: alive}})},
	{name: "DUMB_INIT_SETSID=0 dumb-init sh with a trap", kids: 1, grand: true,
		argv: shExec(`env DUMB_INIT_SETSID=0 dumb-init sh -c "trap 'exit 3' TERM; sleep 1000; true"`),
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "deferred", end: alive, reasonHas: "DUMB_INIT_SETSID=0"},
			termHost: {verdict: "depends", outcome: "deferred", end: alive, reasonHas: "DUMB_INIT_SETSID=0"}})},
	{name: "tini -- sh with a trap", kids: 1, grand: true,
		argv: shExec(`tini -- sh -c "trap 'exit 3' TERM; sleep 1000; true"`),
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "deferred", end: alive},
			termHost: {verdict: "depends", outcome: "deferred", end: alive}})},
	{name: "tini -g -- sh with a trap", kids: 1, grand: true,
		argv: shExec(`tini -g -- sh -c "trap 'exit 3' TERM; sleep 1000; true"`),
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "handled", end: exited(3), reasonHas: "(-g)"},
			termHost: {verdict: "depends", outcome: "handled", end: exited(3), reasonHas: "(-g)"}})},
	{name: "TINI_KILL_PROCESS_GROUP=1 tini -- sh with a trap", kids: 1, grand: true,
		argv: shExec(`env TINI_KILL_PROCESS_GROUP=1 tini -- sh -c "trap 'exit 3' TERM; sleep 1000; true"`),
		want: withKill(map[send]want{
			termHost: {verdict: "depends", outcome: "handled", end: exited(3), reasonHas: "TINI_KILL_PROCESS_GROUP"}})},
	{name: "catatonit -g -- sh with a trap", kids: 1, grand: true,
		argv: shExec(`catatonit -g -- sh -c "trap 'exit 3' TERM; sleep 1000; true"`),
		want: withKill(map[send]want{
			termHost: {verdict: "depends", outcome: "handled", end: exited(3), reasonHas: "(-g)"}})},
	{name: "catatonit -P (pause mode)", argv: shExec("catatonit -P"),
		want: withKill(map[send]want{
			termIn:   {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "pause mode"},
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "pause mode"},
			intHost:  {verdict: "yes", outcome: "handled", end: exited(0)},
			quitIn:   {verdict: "no", outcome: "consumed", end: alive},
			quitHost: {verdict: "no", outcome: "consumed", end: alive}})},
	// Supervisors as PID 1 (docs/kernel-signals.md §8.2), each in a scan
	// directory or configuration of its own.
	{name: "s6-svscan, empty scan directory", argv: s6svscan(nil), program: "s6-svscan",
		want: withKill(map[send]want{termIn: exits0Handled, termHost: exits0Handled, intIn: exits0Handled, intHost: exits0Handled,
			quitIn: exits0Handled, quitHost: exits0Handled,
			hupIn: {verdict: "no", outcome: "handled", end: alive}, hupHost: {verdict: "no", outcome: "handled", end: alive},
			// USR1, USR2, PWR and WINCH: read, and nothing without a script.
			{syscall.SIGUSR1, predict.Host}:  {verdict: "no", outcome: "handled", end: alive, reasonHas: "without .s6-svscan/SIGUSR1"},
			{syscall.SIGPWR, predict.Inside}: {verdict: "no", outcome: "handled", end: alive, reasonHas: "without .s6-svscan/SIGPWR"}})},
	{name: "s6-svscan with .s6-svscan/SIGTERM", argv: s6svscan(map[string]string{".s6-svscan/SIGTERM": "#!/bin/sh\nexit 0\n"}), program: "s6-svscan",
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "handled", end: alive, reasonHas: ".s6-svscan/SIGTERM"},
			termHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: ".s6-svscan/SIGTERM"},
			intHost:  exits0Handled})},
	{name: "s6-svscan with a service", argv: s6svscan(map[string]string{"sleeper/run": "#!/bin/sh\nexec sleep 1000\n"}), program: "s6-svscan", kids: 1, grand: true,
		want: withKill(map[send]want{
			termIn:   {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "gets SIGTERM (no down-signal file: the default)"},
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "gets SIGTERM (no down-signal file: the default)"},
			quitHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "s6-supervise"}})},
	// A service that ignores SIGTERM: its down-signal file, or its
	// timeout-kill, decides whether s6-supervise, and so s6-svscan, ends.
	{name: "s6-svscan, a service ignoring SIGTERM, down-signal SIGINT", program: "s6-svscan", kids: 1, grand: true,
		argv: s6svscan(map[string]string{"sleeper/run": "#!/bin/sh\nexec env --ignore-signal=TERM sleep 1000\n", "sleeper/down-signal": "SIGINT\n"}),
		want: map[send]want{
			termIn:   {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "gets SIGINT (its down-signal file)"},
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "gets SIGINT (its down-signal file)"}}},
	{name: "s6-svscan, a service ignoring SIGTERM", program: "s6-svscan", kids: 1, grand: true,
		argv: s6svscan(map[string]string{"sleeper/run": "#!/bin/sh\nexec env --ignore-signal=TERM sleep 1000\n"}),
		want: map[send]want{
			termIn:   {verdict: "no", outcome: "handled", end: alive, reasonHas: "waits for it without a limit"},
			termHost: {verdict: "no", outcome: "handled", end: alive, reasonHas: "waits for it without a limit"}}},
	{name: "s6-svscan, a service ignoring SIGTERM, timeout-kill 300", program: "s6-svscan", kids: 1, grand: true, grace: 4 * time.Second,
		argv: s6svscan(map[string]string{"sleeper/run": "#!/bin/sh\nexec env --ignore-signal=TERM sleep 1000\n", "sleeper/timeout-kill": "300\n"}),
		want: map[send]want{
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "timeout-kill SIGKILLs it 300 ms later"}}},
	{name: "runsvdir", argv: func(b binaries) []string {
		return []string{"/bin/sh", "-c", "echo ready; exec runsvdir " + tempDir(b, "runsvdir-")}
	},
		// runsvdir reads its handler's flag after a poll of up to 5 s.
		program: "runsvdir", grace: 7 * time.Second,
		want: withKill(map[send]want{termIn: exits0Handled, termHost: exits0Handled, intIn: dropped, intHost: dropped,
			quitIn: dropped, quitHost: dropped,
			hupIn: {verdict: "yes", outcome: "handled", end: exited(111)}, hupHost: {verdict: "yes", outcome: "handled", end: exited(111)}})},
	{name: "supervisord with a program", argv: supervisordInit, program: "supervisord", kids: 1, grace: 6 * time.Second,
		want: withKill(map[send]want{termIn: exits0Handled, termHost: exits0Handled, intIn: exits0Handled, intHost: exits0Handled,
			quitIn: exits0Handled, quitHost: exits0Handled,
			hupIn: {verdict: "no", outcome: "handled", end: alive}, hupHost: {verdict: "no", outcome: "handled", end: alive}})},
	// A program that ignores SIGTERM (sleep started with it ignored) and
	// whose stopsignal is INT: supervisord's SIGINT ends it at once, so
	// supervisord exits 0 within the grace, not after stopwaitsecs.
	{name: "supervisord, a program with stopsignal INT", program: "supervisord", kids: 1, grace: 6 * time.Second,
		argv: supervisordWith("command=env --ignore-signal=TERM sleep 1000\nstopsignal=INT\nstopwaitsecs=30"),
		want: map[send]want{
			termIn:   {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "stopsignal SIGINT"},
			termHost: {verdict: "yes", outcome: "handled", end: exited(0), reasonHas: "stopsignal SIGINT"}}},
	// The same program with supervisord's default stopsignal (TERM): it
	// ignores it, and supervisord waits its stopwaitsecs (30 s here).
	{name: "supervisord, a program ignoring its stopsignal", program: "supervisord", kids: 1, grace: 3 * time.Second,
		argv: supervisordWith("command=env --ignore-signal=TERM sleep 1000\nstopwaitsecs=30"),
		want: map[send]want{
			termHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "waits 30 s"}}},
	// The fix hint must not say `exec`: sleep has no SIGTERM handler, and
	// exec'd (the next case) it is PID 1 and the kernel drops SIGTERM.
	{name: "bash trap with a foreground command", kids: 1, hintLacks: "exec",
		argv: func(binaries) []string {
			return []string{"/bin/bash", "-c", "trap 'exit 0' TERM; echo ready; sleep 1000; true"}
		},
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "deferred", end: alive}, termHost: {verdict: "depends", outcome: "deferred", end: alive}})},
	{name: "bash trap, then exec sleep", argv: func(binaries) []string {
		return []string{"/bin/bash", "-c", "trap 'exit 0' TERM; echo ready; exec sleep 1000"}
	},
		want: withKill(map[send]want{termIn: dropped, termHost: dropped})},
	{name: "bash trap with cmd & wait", kids: 1,
		argv: func(binaries) []string {
			return []string{"/bin/bash", "-c", "trap 'exit 0' TERM; sleep 1000 & echo ready; wait $!"}
		},
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "handled", end: exited(0)}, termHost: {verdict: "depends", outcome: "handled", end: exited(0)}})},
	// Shells decided from what they are doing (docs/kernel-signals.md §8.2).
	// bash waits in wait4 for a foreground command and in its wait builtin
	// alike: with SIGINT and SIGQUIT ignored since it started, nothing tells
	// the two apart, and both outcomes are named.
	{name: "bash with INT and QUIT ignored, trap, cmd & wait", kids: 1,
		argv: func(binaries) []string {
			return []string{"env", "--ignore-signal=INT", "--ignore-signal=QUIT", "/bin/bash", "-c", "trap 'exit 0' TERM; sleep 1000 & echo ready; wait $!"}
		},
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "handled", end: exited(0), reasonHas: "Nothing in /proc tells the two apart"},
			termHost: {verdict: "depends", outcome: "handled", end: exited(0), reasonHas: "Nothing in /proc tells the two apart"}})},
	{name: "bash with INT and QUIT ignored, trap, foreground command", kids: 1,
		argv: func(binaries) []string {
			return []string{"env", "--ignore-signal=INT", "--ignore-signal=QUIT", "/bin/bash", "-c", "trap 'exit 0' TERM; echo ready; sleep 1000; true"}
		},
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "handled", end: alive, reasonHas: "Nothing in /proc tells the two apart"},
			termHost: {verdict: "depends", outcome: "handled", end: alive, reasonHas: "Nothing in /proc tells the two apart"}})},
	// dash waits for a foreground command in wait4 and in its wait builtin
	// in rt_sigsuspend, whatever it ignores.
	{name: "dash trap with cmd & wait", kids: 1,
		argv: func(binaries) []string {
			return []string{"/bin/sh", "-c", "trap 'exit 0' TERM; sleep 1000 & echo ready; wait $!"}
		},
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "handled", end: exited(0), reasonHas: "rt_sigsuspend"},
			termHost: {verdict: "depends", outcome: "handled", end: exited(0), reasonHas: "rt_sigsuspend"}})},
	{name: "dash with INT and QUIT ignored, trap, cmd & wait", kids: 1,
		argv: func(binaries) []string {
			return []string{"env", "--ignore-signal=INT", "--ignore-signal=QUIT", "/bin/sh", "-c", "trap 'exit 0' TERM; sleep 1000 & echo ready; wait $!"}
		},
		want: withKill(map[send]want{termHost: {verdict: "depends", outcome: "handled", end: exited(0), reasonHas: "rt_sigsuspend"}})},
	{name: "dash trap with a foreground command", kids: 1, hintLacks: "exec",
		argv: func(binaries) []string {
			return []string{"/bin/sh", "-c", "trap 'exit 0' TERM; echo ready; sleep 1000; true"}
		},
		want: withKill(map[send]want{
			termIn:   {verdict: "depends", outcome: "deferred", end: alive, reasonHas: "wait4"},
			termHost: {verdict: "depends", outcome: "deferred", end: alive, reasonHas: "wait4"}})},
	{name: "python3 (row 15)",
		argv: func(binaries) []string {
			return []string{"python3", "-c", "import time; print('ready', flush=True); time.sleep(1000)"}
		},
		want: withKill(map[send]want{termIn: dropped, termHost: dropped,
			intIn: {verdict: "depends", outcome: "handled", end: exited(130)}, intHost: {verdict: "depends", outcome: "handled", end: exited(130)}})},
	{name: "Node.js, no SIGTERM listener (§8.2)",
		argv: func(binaries) []string {
			return []string{"node", "-e", "console.log('ready'); setInterval(() => {}, 1e6)"}
		},
		// Node's default handler re-raises SIGTERM, which the kernel drops
		// at an init: the mask says "caught", the init lives on.
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "handled", end: alive}, termHost: {verdict: "depends", outcome: "handled", end: alive}})},
	// The JVM (§8): its TERM handler runs the shutdown hooks and exits
	// 128+15, as PID 1 too; -Xrs leaves SIGTERM at SIG_DFL. The class file
	// is committed (testdata/java), so a JRE is enough. No perf data file:
	// every instance is PID 1 and would share /tmp/hsperfdata_$USER/1.
	{name: "JVM, no signal code (§8)", argv: java(),
		want: map[send]want{termIn: jvmExits143, termHost: jvmExits143, quitHost: {verdict: "no", outcome: "handled", end: alive}}},
	{name: "JVM with -Xrs (§8)", argv: java("-Xrs"), reasonHas: "-Xrs",
		want: map[send]want{termIn: dropped, termHost: dropped}},
	// busybox (Alpine): the program is the applet, not the executable.
	// sleep is sleep, not a shell, and the hint must not say to exec what
	// is already PID 1.
	{name: "busybox sleep", argv: shExec("busybox sleep 1000"), program: "-", hintLacks: "exec",
		want: withKill(map[send]want{termIn: dropped, termHost: dropped, intIn: dropped, intHost: dropped, quitIn: dropped, quitHost: dropped})},
	{name: "busybox as a link named sleep", argv: func(b binaries) []string {
		return []string{"/bin/sh", "-c", "echo ready; exec " + filepath.Join(b.dir, "sleep") + " 1000"}
	}, program: "-", hintLacks: "exec",
		want: withKill(map[send]want{termIn: dropped, termHost: dropped})},
	// busybox's sh is ash: a trap waits for a foreground command, and the
	// wait builtin is interrupted by it.
	{name: "busybox sh trap with a foreground command", kids: 1, program: "shell",
		argv: func(binaries) []string {
			return []string{"busybox", "sh", "-c", "trap 'exit 0' TERM; echo ready; sleep 1000; true"}
		},
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "deferred", end: alive}, termHost: {verdict: "depends", outcome: "deferred", end: alive}})},
	{name: "busybox sh trap with cmd & wait", kids: 1, program: "shell",
		argv: func(binaries) []string {
			return []string{"busybox", "sh", "-c", "trap 'exit 0' TERM; sleep 1000 & echo ready; wait $!"}
		},
		want: withKill(map[send]want{termIn: {verdict: "depends", outcome: "handled", end: exited(0)}, termHost: {verdict: "depends", outcome: "handled", end: exited(0)}})},
	// A shell waiting for a foreground command catches SIGINT itself, and
	// acts on it only once the command has exited (and died of SIGINT too).
	{name: "dash running a script (row 3)", argv: func(binaries) []string { return []string{"/bin/sh", "-c", "echo ready; sleep 1000; true"} },
		kids: 1,
		want: withKill(map[send]want{termIn: dropped, termHost: dropped,
			intIn:   {verdict: "depends", outcome: "deferred", end: alive, reasonHas: "catches SIGINT"},
			intHost: {verdict: "depends", outcome: "deferred", end: alive, reasonHas: "catches SIGINT"}})},
	{name: "bash running a script", argv: func(binaries) []string { return []string{"/bin/bash", "-c", "echo ready; sleep 1000; true"} },
		kids: 1,
		want: withKill(map[send]want{termIn: dropped, termHost: dropped,
			intIn:    {verdict: "depends", outcome: "deferred", end: alive, reasonHas: "catches SIGINT"},
			intHost:  {verdict: "depends", outcome: "deferred", end: alive, reasonHas: "catches SIGINT"},
			quitHost: {verdict: "no", outcome: "ignored", end: alive}})},
}

func TestKernelPredictions(t *testing.T) {
	nstest.NeedNamespaces(t)
	bins := buildInits(t)
	for _, c := range kernelCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var wg sync.WaitGroup
			for s, w := range c.want {
				wg.Add(1)
				// Each send gets a fresh instance; run them side by side.
				go func() {
					defer wg.Done()
					t.Run(fmt.Sprintf("%s from %s", procinspect.Signal(s.sig), s.from), func(t *testing.T) {
						runSend(t, c, bins, s, w)
					})
				}()
			}
			wg.Wait()
		})
	}
}

func runSend(t *testing.T, c kernelCase, bins binaries, s send, w want) {
	var clone uintptr
	if c.mountNS {
		clone = syscall.CLONE_NEWNS
	}
	in := startWith(t, c.argv(bins), c.nested, clone)
	if c.mountNS {
		// The init's mounts are its own: none shows in the host's table,
		// before the signal or after it.
		checkHost := func() {
			if m := hostMountsUnder(t, bins.dir); len(m) > 0 {
				t.Fatalf("the host sees mounts of the init's private root: %v", m)
			}
		}
		checkHost()
		defer checkHost()
	}
	state := c.state
	if state == 0 {
		state = 'S'
	}
	if c.stop {
		if err := syscall.Kill(in.target, syscall.SIGSTOP); err != nil {
			t.Fatalf("SIGSTOP from the host: %v", err)
		}
	}
	if c.traced {
		in.attachStrace()
	}
	if c.bootCap != 0 {
		// The private-root helper is the init until it execs busybox init:
		// settling must not catch it asleep before (a check of its
		// capabilities then saw the helper's, in one run).
		in.waitExec()
	}
	in.settle(state)
	in.settleKids(c.kids)
	if c.grand {
		in.settleGrandchild(c.kids)
	}
	if c.great {
		in.settleGreatGrandchild()
	}
	if c.bootCap != 0 {
		// After settling: the helper's own capabilities change at its
		// exec of busybox init, which its children come after.
		in.checkBootCap(c.bootCap == 'y')
	}
	w, rule, ok := w.under(kernelProfile(t))
	if !ok {
		t.Fatalf("the probe did not measure %s on this kernel (%s); as root it must", w.rule, rule.How)
	}
	preds, p := in.predictions()
	pr, ok := preds[procinspect.Signal(s.sig).String()+"/"+string(s.from)]
	if !ok {
		t.Fatalf("no prediction for %v from %s", s.sig, s.from)
	}
	if rule.Name != "" {
		checkFlip(t, p, s, rule, pr)
	}
	for _, has := range []string{c.reasonHas, w.reasonHas} {
		if has != "" && !strings.Contains(pr.Reason, has) {
			t.Errorf("reason %q lacks %q", pr.Reason, has)
		}
	}
	if c.program != "" && in.prog != c.program {
		t.Errorf("recognised as %q, want %q", in.prog, c.program)
	}
	if c.hintHas != "" && !strings.Contains(in.hint, c.hintHas) {
		t.Errorf("fix hint %q lacks %q", in.hint, c.hintHas)
	}
	if c.hintLacks != "" && (in.hint == "" || strings.Contains(in.hint, c.hintLacks)) {
		t.Errorf("fix hint %q: want one without %q", in.hint, c.hintLacks)
	}
	in.send(s.sig, s.from)
	grace := c.grace
	if grace == 0 {
		grace = 1500 * time.Millisecond
	}
	got := in.observe(s.sig, grace)
	if !agrees(pr, s.sig, got) {
		t.Errorf("prediction %s/%s (%s) but the kernel: %s", pr.Verdict, pr.Outcome, pr.Reason, got)
	}
	if pr.Verdict != w.verdict || pr.Outcome != w.outcome {
		t.Errorf("prediction %s/%s (%s); docs/kernel-signals.md says %s/%s", pr.Verdict, pr.Outcome, pr.Reason, w.verdict, w.outcome)
	}
	if w.kidState != 0 {
		in.checkKids(c.grand, w.kidState)
	}
	if got != w.end {
		if rule.Name != "" {
			t.Errorf("kernel: %s; the probe measured %s = %v (%s), which says %s", got, rule.Name, rule.Value.V, rule.How, w.end)
		} else {
			t.Errorf("kernel: %s; docs/kernel-signals.md says %s", got, w.end)
		}
	}
	exit := "-"
	if pr.ExitCode != nil {
		exit = fmt.Sprint(*pr.ExitCode)
	}
	t.Logf("matrix | %s | %s from %s | predicted %s/%s (exit %s) | kernel: %s", c.name, procinspect.Signal(s.sig), s.from,
		pr.Verdict, pr.Outcome, exit, got)
}

// checkKids checks that the init's child, and with grand its child too,
// are in state want ('T': stopped) after the send; a stop takes a moment to
// show, so it is looked for up to a second.
func (in *instance) checkKids(grand bool, want byte) {
	in.t.Helper()
	var kids []int
	for _, k := range childrenIn(in.target, 0) {
		kids = append(kids, k)
		if grand {
			kids = append(kids, childrenIn(k, 0)...)
		}
	}
	if len(kids) == 0 {
		in.t.Fatalf("init %d has no child left to look at", in.target)
	}
	deadline := time.Now().Add(time.Second)
	for {
		var wrong []string
		for _, k := range kids {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", k))
			if err != nil {
				wrong = append(wrong, fmt.Sprintf("%d: %v", k, err))
				continue
			}
			st, err := procinspect.ParseStatus(b)
			if err != nil || (st.State == 'T') != (want == 'T') {
				wrong = append(wrong, fmt.Sprintf("%d (%s) in state %c", k, st.Name, st.State))
			}
		}
		if len(wrong) == 0 {
			return
		}
		if time.Now().After(deadline) {
			in.t.Errorf("the init's children: %v; want each in state %c", wrong, want)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkFlip predicts the same scanned process with the other value of a
// build-dependent rule: the verdict must change, and both reasons must name
// the rule, so that a kernel of the other build gets the other answer.
func checkFlip(t *testing.T, p *procinspect.Process, s send, rule procinspect.Rule, pr document.DocPrediction) {
	t.Helper()
	other := kernelProfile(t).WithRule(rule.Name, !rule.Value.V, "the other build, for this test")
	flip := predict.Predict(p, procinspect.Signal(s.sig), s.from, other)
	if string(flip.Verdict) == pr.Verdict {
		t.Errorf("with %s = %v the prediction is still %s/%s (%s)", rule.Name, !rule.Value.V, flip.Verdict, flip.Outcome, flip.Reason)
	}
	for _, r := range []string{pr.Reason, flip.Reason} {
		if !strings.Contains(r, string(rule.Name)) {
			t.Errorf("reason %q does not name the rule %s", r, rule.Name)
		}
	}
}

// attachStrace attaches strace -p to the target from the host, as a person
// debugging it would, and waits until the kernel shows the tracer.
func (in *instance) attachStrace() {
	in.t.Helper()
	cmd := exec.Command("strace", "-q", "-o", "/dev/null", "-p", strconv.Itoa(in.target))
	if err := cmd.Start(); err != nil {
		in.t.Fatalf("strace: %v", err)
	}
	in.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		if st, err := in.status(); err == nil && st.TracerPid.V == cmd.Process.Pid {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	in.t.Fatalf("strace did not attach to %d", in.target)
}
