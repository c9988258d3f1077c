package act

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/engine"
	"github.com/sigview/sigview/procinspect/predict"
)

// EngineTryOptions run an image with a real container engine's command
// line (sigview try --docker / --podman).
type EngineTryOptions struct {
	// Engine is the command: "docker" or "podman".
	Engine string
	Image  string
	Cmd    []string // after the image; empty runs the image's own
	// GlobalArgs go before the engine's subcommand (podman --root D …,
	// docker -H unix://S).
	GlobalArgs []string
	// RunArgs go to "run" before the image: --init, --stop-signal S,
	// --stop-timeout N. The stop then uses the container's own
	// configuration, as read back from the engine's files.
	RunArgs []string
	// Settle is how long to let the container start before predicting.
	Settle time.Duration
	Kernel *procinspect.Kernel
	// Interrupt, when a signal arrives on it, removes the container at
	// once and makes TryEngine return a *TryInterrupted.
	Interrupt <-chan os.Signal
}

// EngineTryReport is what the prediction said and what the engine's own
// stop did.
type EngineTryReport struct {
	Engine, Image string
	ID            string
	Pid           int // the container's init, as the host sees it
	Container     *engine.Metadata
	// Predicted is sigview's stop prediction for the running container,
	// from its own configuration on disk.
	Predicted predict.Stop
	// Took is how long "<engine> stop" ran; Exit is the exit code the
	// engine reports afterwards.
	Took time.Duration
	Exit int
	// Held says whether the prediction held; unknown when it left the
	// outcome to the program (depends) or did not know.
	Held procinspect.Flag
	Why  string
}

// ExitCode is try's exit status: 0 the stop signal ended it, 3 the engine
// needed SIGKILL, 4 the prediction did not hold.
func (r EngineTryReport) ExitCode() int {
	switch {
	case r.Held.Known && !r.Held.V:
		return 4
	case r.killed():
		return 3
	}
	return 0
}

// killed reports whether the engine ended the container with SIGKILL after
// the grace period: exit 137 and a stop that took the whole grace period.
func (r EngineTryReport) killed() bool {
	return r.Exit == 137 && r.Took >= r.Predicted.Grace-200*time.Millisecond
}

// TryEngine runs the image with the engine, predicts how the engine's stop
// will end it, stops it with the engine and compares. The container is
// removed afterwards.
func TryEngine(opts EngineTryOptions) (EngineTryReport, error) {
	rep := EngineTryReport{Engine: opts.Engine, Image: opts.Image}
	if opts.Engine != "docker" && opts.Engine != "podman" {
		return rep, fmt.Errorf("engine %q: want docker or podman", opts.Engine)
	}
	if _, err := exec.LookPath(opts.Engine); err != nil {
		return rep, fmt.Errorf("%s: command not found", opts.Engine)
	}
	if err := checkRunFlags(opts.RunArgs); err != nil {
		return rep, err
	}
	// A name of sigview's own and a cidfile: the container's ID is known
	// even when "run" fails after creating it, or sigview is interrupted,
	// and only that container is removed.
	dir, err := os.MkdirTemp("", "sigview-try-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	name := fmt.Sprintf("sigview-try-%d-%d", os.Getpid(), time.Now().UnixNano()%1_000_000)
	cidfile := filepath.Join(dir, "cid")
	nonce := filepath.Base(dir) // random: MkdirTemp's
	run := append([]string{"--name", name, "--cidfile", cidfile, "--label", tryLabel + "=" + nonce}, opts.RunArgs...)
	defer removeContainer(opts, cidfile, name, nonce)
	var interrupted atomic.Value
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case sig := <-opts.Interrupt:
			interrupted.Store(sig)
			cancel() // ends the engine command under way; removeContainer follows
		case <-ctx.Done():
		}
	}()
	rep, err = tryEngine(ctx, opts, rep, run)
	if sig, ok := interrupted.Load().(os.Signal); ok {
		s, _ := sig.(syscall.Signal)
		return rep, &TryInterrupted{Signal: s, Argv0: opts.Engine + " container " + name, HostPID: rep.Pid}
	}
	return rep, err
}

// foreignFlags are run flags that name or reach another container: try
// acts only on the container it makes.
var foreignFlags = []string{"--name", "--replace", "--pod", "--pod-id-file", "--volumes-from", "--cidfile", "--cgroup-parent"}

// sharedFlags take "container:X" (or podman's "ns:PATH"), which joins
// another container's or process's namespace.
var sharedFlags = []string{"--pid", "--network", "--net", "--ipc", "--uts", "--userns", "--cgroupns"}

// checkRunFlags refuses run flags that would make try touch a container it
// did not make: its name (a conflict ends with sigview removing it), a
// podman pod or --replace, another container's volumes or namespaces.
func checkRunFlags(args []string) error {
	for i, a := range args {
		flag, val, hasVal := strings.Cut(a, "=")
		if !hasVal && i+1 < len(args) {
			val = args[i+1]
		}
		switch {
		case slices.Contains(foreignFlags, flag):
			return fmt.Errorf("--run-flag %s: try names its own container and acts only on it; %s is not allowed", a, flag)
		case (flag == "--label" || flag == "-l") && strings.HasPrefix(val, tryLabel):
			return fmt.Errorf("--run-flag %s: the %s label is try's own", a, tryLabel)
		case slices.Contains(sharedFlags, flag) && (strings.HasPrefix(val, "container:") || strings.HasPrefix(val, "ns:")):
			return fmt.Errorf("--run-flag %s: try acts only on the container it makes, not on another's namespace (%s)", a, val)
		}
	}
	return nil
}

// tryLabel marks the container try made with a random value of this run.
const tryLabel = "sigview.try"

// removeContainer removes the container try made: the ID its cidfile
// holds, or, when the engine had not written it yet, the container with
// try's own name if it carries this run's label (a container that already
// had the name, so that run failed, is not try's). It keeps trying for a
// while: an engine command cut short may leave it still being created.
func removeContainer(opts EngineTryOptions, cidfile, name, nonce string) {
	bg := context.Background()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		target := name
		if b, err := os.ReadFile(cidfile); err == nil && len(bytes.TrimSpace(b)) > 0 {
			target = string(bytes.TrimSpace(b))
		} else if out, err := engineRun(bg, opts, 30*time.Second, "inspect", "-f", "{{index .Config.Labels \""+tryLabel+"\"}}", name); err != nil || lastLine(out) != nonce {
			return // no such container, or not this run's
		}
		engineRun(bg, opts, time.Minute, "rm", "-f", target)
		if _, err := engineRun(bg, opts, 30*time.Second, "inspect", "-f", "{{.Id}}", target); err != nil {
			return // no such container
		}
	}
}

func tryEngine(ctx context.Context, opts EngineTryOptions, rep EngineTryReport, run []string) (EngineTryReport, error) {
	args := append(append([]string{"run", "-d"}, run...), opts.Image)
	out, err := engineRun(ctx, opts, 2*time.Minute, append(args, opts.Cmd...)...)
	if err != nil {
		return rep, err
	}
	rep.ID = lastLine(out)
	deadline := time.Now().Add(10 * time.Second)
	for rep.Pid == 0 {
		out, err := engineRun(ctx, opts, 30*time.Second, "inspect", "-f", "{{.State.Pid}}", rep.ID)
		if err != nil {
			return rep, err
		}
		rep.Pid, _ = strconv.Atoi(lastLine(out))
		if rep.Pid == 0 {
			if time.Now().After(deadline) {
				return rep, fmt.Errorf("container %s has no running init after 10 s", short(rep.ID))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	select {
	case <-time.After(opts.Settle):
	case <-ctx.Done():
		return rep, ctx.Err()
	}
	snap, err := procinspect.Scanner{Root: "/proc", Deep: []int{rep.Pid}, Kernel: opts.Kernel}.Scan()
	if err != nil {
		return rep, err
	}
	p := snap.Process(rep.Pid)
	if p == nil {
		return rep, fmt.Errorf("the container's init, PID %d, exited before it was read", rep.Pid)
	}
	rep.Container = p.Engine
	stops := predict.AssessProcess(p, snap.Kernel).Stops
	if len(stops) == 0 {
		return rep, errors.New("no stop predicted for the container's init")
	}
	rep.Predicted = stops[0]
	for _, st := range stops {
		if st.Key == opts.Engine {
			rep.Predicted = st
		}
	}
	start := time.Now()
	if _, err := engineRun(ctx, opts, rep.Predicted.Grace+time.Minute, "stop", rep.ID); err != nil {
		return rep, err
	}
	rep.Took = time.Since(start)
	out, err = engineRun(ctx, opts, 30*time.Second, "inspect", "-f", "{{.State.ExitCode}}", rep.ID)
	if err != nil {
		return rep, err
	}
	if rep.Exit, err = strconv.Atoi(lastLine(out)); err != nil {
		return rep, fmt.Errorf("%s inspect: exit code %q", opts.Engine, lastLine(out))
	}
	rep.judge()
	return rep, nil
}

// judge compares the prediction with the engine's stop. "At once" is well
// under the grace period; "the full grace period" is at least it. It is not
// send's rule (held): with a grace of 0 the SIGKILL follows the stop signal
// at once, so only the exit status and the time tell a stop's outcome, not
// whether the stop signal alone ended it.
func (r *EngineTryReport) judge() {
	pr := r.Predicted
	atOnce := r.Took < pr.Grace-500*time.Millisecond || pr.Grace <= 0
	switch pr.Verdict {
	case predict.Yes:
		r.Held = procinspect.KnownFlag(atOnce && (!pr.Exit.Known || pr.Exit.V == r.Exit))
	case predict.No:
		r.Held = procinspect.KnownFlag(r.killed())
	default:
		r.Why = "the prediction left the outcome to the program (" + string(pr.Verdict) + "), so it is not judged"
		return
	}
	if !r.Held.V {
		r.Why = fmt.Sprintf("predicted %s, exit %s after %s; the engine's stop took %s and reported %d",
			pr.Verdict, exitText(pr.Exit), afterText(pr), r.Took.Round(10*time.Millisecond), r.Exit)
	}
}

func exitText(e procinspect.Int) string {
	if !e.Known {
		return "unknown"
	}
	return strconv.Itoa(e.V)
}

func afterText(st predict.Stop) string {
	switch {
	case !st.After.Known:
		return "a time the program decides"
	case st.AfterGrace:
		return fmt.Sprintf("the full %s", st.Grace)
	}
	return "at once"
}

// engineRun runs the engine's command line and returns its stdout.
func engineRun(parent context.Context, opts EngineTryOptions, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	full := append(append([]string{}, opts.GlobalArgs...), args...)
	cmd := exec.CommandContext(ctx, opts.Engine, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("%s %s: %s", opts.Engine, args[0], msg)
	}
	return stdout.String(), nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
