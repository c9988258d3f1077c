package act

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// TryOptions describe one `sigview try` run.
type TryOptions struct {
	// Argv is the entrypoint to run as PID 1 of a fresh PID namespace.
	Argv []string
	// StopSignal is what the stop sends first (default SIGTERM).
	StopSignal procinspect.Signal
	// Grace is how long to wait before SIGKILL; 0 sends SIGKILL right
	// after the stop signal (docker stop -t 0). It is honoured as given.
	Grace time.Duration
	// Settle is the least time to let the entrypoint start before
	// predicting (0 is honoured too). After it, try also waits (up to
	// settleMax) until the init's threads are asleep and their signal
	// masks and children have not changed for settleQuiet: on a loaded
	// machine a fixed wait caught tini before it had blocked its signals.
	Settle time.Duration
	// Output receives the entrypoint's stdout and stderr (default: discarded).
	Output io.Writer
	// Kernel is the measured kernel profile the prediction uses.
	Kernel *procinspect.Kernel
	// Interrupt, when a signal arrives on it, kills the entrypoint (and so
	// its namespace) and makes Try return a *TryInterrupted.
	Interrupt <-chan os.Signal
}

// TryInterrupted is Try's error when a signal arrived on Interrupt: the
// entrypoint was killed with SIGKILL and reaped.
type TryInterrupted struct {
	Signal  syscall.Signal
	Argv0   string
	HostPID int
}

func (e *TryInterrupted) Error() string {
	return fmt.Sprintf("received %s: killed %s (PID %d here) and its PID namespace", procinspect.Signal(e.Signal), procinspect.Printable(e.Argv0), e.HostPID)
}

// TryReport is what a stop did to the entrypoint, next to the prediction.
type TryReport struct {
	Argv []string
	// HostPID is the init's PID in sigview's namespace.
	HostPID int
	// Grace is the grace period the stop gave the stop signal.
	Grace time.Duration
	// UserNS reports that a user namespace was made too (not root).
	UserNS bool
	// Assessment holds the facts scanned before the stop (its Process) and
	// every prediction made from them; nil when the init was not scanned.
	Assessment *predict.Assessment
	// Predicted is the stop signal from the host.
	Predicted predict.Prediction
	// StopEnded reports that the stop signal ended it within the grace
	// period; otherwise SIGKILL was needed.
	StopEnded bool
	// After is how long after the stop signal it ended.
	After time.Duration
	// Exit is its exit status as a runtime reports it (128+N for signal N).
	Exit int
	// Held says whether the prediction held (unknown for depends/unknown).
	Held procinspect.Flag

	kernel *procinspect.Kernel
}

// Status codes of `sigview try` for CI jobs.
const (
	TryEndedByStop = 0 // the stop signal ended it within the grace period
	TryNeededKill  = 3 // it needed SIGKILL
	TryMismatch    = 4 // the outcome contradicted the prediction
)

// Core returns the four core predictions of the init scanned before the
// stop (predict.CoreSignals × Senders); nil when it was not scanned.
func (r TryReport) Core() []predict.Prediction {
	if r.Assessment == nil {
		return nil
	}
	return r.Assessment.Core()
}

// Hint returns how to make the stop signal end the init, or "".
func (r TryReport) Hint() string {
	if r.Assessment == nil {
		return ""
	}
	return r.Assessment.Hint
}

// ExitCode is the `sigview try` exit status for the report.
func (r TryReport) ExitCode() int {
	switch {
	case r.Held.Known && !r.Held.V:
		return TryMismatch
	case !r.StopEnded:
		return TryNeededKill
	}
	return TryEndedByStop
}

// Try runs an entrypoint as PID 1 of a fresh PID namespace (with a fresh
// user namespace when not root), predicts, then stops it the way a
// container runtime does: the stop signal from the host, a grace period,
// SIGKILL. It reads the live /proc.
func Try(opts TryOptions) (TryReport, error) {
	rep := TryReport{Argv: opts.Argv, Grace: opts.Grace, kernel: opts.Kernel}
	switch {
	case len(opts.Argv) == 0:
		return rep, errors.New("try needs a command")
	case opts.Grace < 0 || opts.Settle < 0:
		return rep, errors.New("negative grace or settle time")
	}
	if opts.StopSignal == 0 {
		opts.StopSignal = procinspect.SIGTERM
	}
	if opts.Output == nil {
		opts.Output = io.Discard
	}
	if err := ownProcfs("/proc"); err != nil {
		return rep, err
	}
	cmd, err := startInit(opts, &rep)
	if err != nil {
		return rep, err
	}
	done, reaped := make(chan syscall.WaitStatus, 1), make(chan struct{})
	go func() {
		cmd.Wait()
		done <- cmd.ProcessState.Sys().(syscall.WaitStatus)
		close(reaped)
	}()
	defer func() {
		// Whatever happened, leave nothing running.
		cmd.Process.Kill()
	}()
	caught, finished := make(chan os.Signal, 1), make(chan struct{})
	go func() {
		select {
		case s := <-opts.Interrupt: // a nil channel never delivers
			caught <- s
			cmd.Process.Kill() // the init's death kills its namespace
		case <-finished:
		}
	}()
	rep, err = stopInit(opts, rep, cmd, done)
	close(finished)
	select {
	case s := <-caught:
		select {
		case <-reaped:
		case <-time.After(5 * time.Second):
		}
		n, _ := s.(syscall.Signal)
		return rep, &TryInterrupted{Signal: n, Argv0: opts.Argv[0], HostPID: rep.HostPID}
	default:
	}
	return rep, err
}

// stopInit lets the init settle, predicts, and stops it.
func stopInit(opts TryOptions, rep TryReport, cmd *exec.Cmd, done chan syscall.WaitStatus) (TryReport, error) {
	select {
	case ws := <-done:
		return rep, earlyExit(opts.Argv[0], ws)
	case <-time.After(opts.Settle):
	}
	if !settled(rep.HostPID, done) {
		select {
		case ws := <-done:
			return rep, earlyExit(opts.Argv[0], ws)
		default:
		}
	}
	if err := rep.predict(opts.StopSignal); err != nil {
		return rep, err
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.Signal(opts.StopSignal)); err != nil {
		return rep, fmt.Errorf("send %s: %w", opts.StopSignal, err)
	}
	var ws syscall.WaitStatus
	select {
	case ws = <-done:
		rep.StopEnded = true
	case <-time.After(opts.Grace):
		cmd.Process.Signal(syscall.SIGKILL) // from the host: forced
		ws = <-done
		// The stop signal may still have ended it first (with a grace of 0
		// it had no time to, unless the kernel acted at once).
		rep.StopEnded = !(ws.Signaled() && ws.Signal() == syscall.SIGKILL) || opts.StopSignal == procinspect.SIGKILL
	}
	rep.After = time.Since(start)
	rep.Exit = ws.ExitStatus()
	if ws.Signaled() {
		rep.Exit = 128 + int(ws.Signal())
	}
	rep.judge()
	return rep, nil
}

// startInit starts the entrypoint as PID 1 of a new PID namespace. Every
// disposition is reset to SIG_DFL first (env --default-signal), as a
// container runtime does, so nothing sigview inherited leaks in.
func startInit(opts TryOptions, rep *TryReport) (*exec.Cmd, error) {
	if _, err := exec.LookPath(opts.Argv[0]); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("%s: command not found", procinspect.Printable(opts.Argv[0]))
		}
		return nil, err
	}
	argv := opts.Argv
	if exec.Command("env", "--default-signal", "true").Run() == nil {
		argv = append([]string{"env", "--default-signal"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, opts.Output, opts.Output
	// The parent-death signal: if sigview dies, even by SIGKILL, so does
	// the init, and with it its namespace.
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() != 0 {
		// Without privileges a PID namespace needs a user namespace of our
		// own, where we are root.
		rep.UserNS = true
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
	}
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		how := "a new PID namespace"
		if rep.UserNS {
			how = "new user and PID namespaces (unprivileged user namespaces may be disabled here)"
		}
		return nil, fmt.Errorf("start %s in %s: %w", opts.Argv[0], how, err)
	}
	rep.HostPID = cmd.Process.Pid
	return cmd, nil
}

// predict scans the running init and records the predictions.
func (rep *TryReport) predict(stop procinspect.Signal) error {
	snap, err := procinspect.Scanner{Root: "/proc", Deep: []int{rep.HostPID}, Kernel: rep.kernel}.Scan()
	if err != nil {
		return err
	}
	p := snap.Process(rep.HostPID)
	if p == nil {
		return fmt.Errorf("PID %d vanished before the stop", rep.HostPID)
	}
	rep.Assessment = predict.AssessProcess(p, snap.Kernel)
	rep.Predicted = rep.Assessment.Prediction(stop, predict.Host)
	return nil
}

// judge compares the stop's outcome with the prediction.
func (rep *TryReport) judge() {
	rep.Held = held(rep.Predicted, observed{ended: rep.StopEnded, exit: procinspect.KnownInt(rep.Exit)})
	if rep.Grace == 0 && !rep.StopEnded {
		// SIGKILL followed at once: the stop signal had no time to act.
		rep.Held = procinspect.Flag{}
	}
}

// earlyExit says why the init ended before the stop; env reports a
// command it could not run with 127 or 126.
func earlyExit(argv0 string, ws syscall.WaitStatus) error {
	switch {
	case ws.Exited() && ws.ExitStatus() == 127:
		return fmt.Errorf("%s: command not found (exit status 127 before the stop)", procinspect.Printable(argv0))
	case ws.Exited() && ws.ExitStatus() == 126:
		return fmt.Errorf("%s: cannot be run (exit status 126 before the stop)", procinspect.Printable(argv0))
	}
	return fmt.Errorf("%s exited by itself before the stop (%s)", procinspect.Printable(argv0), waitText(ws))
}

func waitText(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return fmt.Sprintf("killed by %s", procinspect.Signal(ws.Signal()))
	}
	return fmt.Sprintf("exit status %d", ws.ExitStatus())
}

const (
	settleQuiet = 300 * time.Millisecond
	settleMax   = 10 * time.Second
)

// settled waits until the init at host PID pid looks settled: every thread
// asleep and its state, masks and children unchanged for settleQuiet. It
// gives up after settleMax (a busy program never settles; the prediction is
// then made on what is seen) or when the init ends (done has a value, left
// for the caller), and reports whether it settled.
func settled(pid int, done chan syscall.WaitStatus) bool {
	dir := "/proc/" + strconv.Itoa(pid)
	var last string
	var since time.Time
	deadline := time.Now().Add(settleMax)
	for time.Now().Before(deadline) {
		if len(done) > 0 {
			return false
		}
		sig, asleep := settleSignature(dir)
		switch {
		case !asleep || sig != last:
			last, since = sig, time.Now()
		case time.Since(since) >= settleQuiet:
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// settleSignature is what must stay still: each thread's state and signal
// lines, and its children. asleep is false while any thread runs.
func settleSignature(dir string) (sig string, asleep bool) {
	tasks, err := os.ReadDir(dir + "/task")
	if err != nil {
		return "", false
	}
	var b strings.Builder
	asleep = true
	for _, t := range tasks {
		st, err := os.ReadFile(dir + "/task/" + t.Name() + "/status")
		if err != nil {
			return "", false
		}
		for _, line := range strings.Split(string(st), "\n") {
			switch {
			case strings.HasPrefix(line, "State:"):
				if f := strings.Fields(line); len(f) > 1 && f[1] != "S" {
					asleep = false
				}
				b.WriteString(line)
			case strings.HasPrefix(line, "SigQ:"):
				// Signals queued for the whole real UID, not this process:
				// any other process of root's moves it.
			case strings.HasPrefix(line, "Sig"), strings.HasPrefix(line, "ShdPnd"), strings.HasPrefix(line, "Name:"):
				b.WriteString(line)
			}
		}
		kids, _ := os.ReadFile(dir + "/task/" + t.Name() + "/children")
		b.Write(kids)
	}
	return b.String(), asleep
}
