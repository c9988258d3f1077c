// Command sigview shows every PID namespace, its init, and what `kill` and
// `kill -9` will do to that init, sent from inside the namespace and from
// the host, with the kernel's reason. It sends a signal only when a person
// asks for one (`sigview send`, `sigview try`, F9 in the UI).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
	"github.com/sigview/sigview/procinspect/probe"
	"github.com/sigview/sigview/procinspect/render"
	"github.com/sigview/sigview/ui"
)

const usage = `usage: sigview [flags]              live terminal UI (the --once table when stdout is not a terminal)
       sigview --once [flags]       one snapshot as a plain table
       sigview --json [flags]       one snapshot as JSON (schema_version 1)
       sigview explain [flags] PID  everything about one process
       sigview send [--from host|inside] [-s SIGNAL] [--watch D] PID
                                    send one signal, watch, and say whether the prediction held
                                    (exit 4 if it did not)
       sigview try [--stop-signal SIG] [--grace D] [--json] -- CMD [ARGS...]
                                    run CMD as PID 1 of a new PID namespace and stop it like
                                    docker stop; exit 0 if the stop signal ended it, 3 if it
                                    needed SIGKILL, 4 if the prediction did not hold
       sigview serve [--listen ADDR] [--interval D]
                                    a Prometheus exporter: /metrics, /api/v1/snapshot, /healthz
       sigview kernel [--json]      the kernel profile: the build-dependent signal rules, measured
                                    on the running kernel (cached per boot)

flags:
`

// options are the command-line settings.
type options struct {
	once, json, noMem, readOnly bool
	noProbe                     bool
	proc                        string
	interval, watch, grace      time.Duration
	settle                      time.Duration
	from, signal, stopSignal    string
}

// defaultOptions are the settings before any flag.
func defaultOptions() options {
	return options{proc: "/proc", interval: 2 * time.Second, watch: 2 * time.Second, grace: 10 * time.Second,
		settle: time.Second, from: "host", signal: "TERM", stopSignal: "TERM"}
}

// register defines the flags with o's current values as defaults, so that
// flags given before a subcommand survive its own flag set.
func (o *options) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.once, "once", o.once, "print one snapshot as a plain table and exit")
	fs.BoolVar(&o.json, "json", o.json, "print JSON (a snapshot, or try's report)")
	fs.StringVar(&o.proc, "proc", o.proc, "procfs to read (a host /proc bind-mounted into a container, or a copy)")
	fs.DurationVar(&o.interval, "interval", o.interval, "refresh period of the live UI")
	fs.BoolVar(&o.noMem, "no-mem", o.noMem, "do not read /proc/PID/mem to learn sigtimedwait wait sets")
	fs.BoolVar(&o.noProbe, "no-probe", o.noProbe, "do not measure the kernel's build-dependent rules (predictions that need them say unknown)")
	fs.BoolVar(&o.readOnly, "read-only", o.readOnly, "never send a signal: send, try and the UI's F9 are refused")
	fs.StringVar(&o.from, "from", o.from, "send: where the signal comes from, host or inside (a process that joins the target's PID namespace)")
	fs.StringVar(&o.signal, "s", o.signal, "send: the signal (name or number)")
	fs.DurationVar(&o.watch, "watch", o.watch, "send: how long to watch the target afterwards")
	fs.StringVar(&o.stopSignal, "stop-signal", o.stopSignal, "try: the first signal of the stop")
	fs.DurationVar(&o.grace, "grace", o.grace, "try: grace period before SIGKILL")
	fs.DurationVar(&o.settle, "settle", o.settle, "try: how long to let CMD start before predicting")
}

// usageError is a command-line mistake: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitStatus ends sigview with a status of its own, having said all there is.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func main() {
	act.ServeInside()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes sigview and returns its exit status: 0 success, 1 runtime
// error, 2 usage error (try has its own, see usage).
func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	var ue usageError
	var es exitStatus
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &es):
		return int(es)
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "sigview: %s\n", ue.msg)
		fmt.Fprint(stderr, "run 'sigview --help' for usage\n")
		return 2
	default:
		fmt.Fprintf(stderr, "sigview: %v\n", err)
		return 1
	}
}

func newFlagSet(name string, o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	o.register(fs)
	return fs
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	o := defaultOptions()
	fs := newFlagSet("sigview", &o, stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return snapshot(o, stdout)
	}
	if rest[0] == "serve" {
		return serve(o, rest[1:], stderr)
	}
	sub := newFlagSet("sigview "+rest[0], &o, stderr)
	if err := parse(sub, rest[1:]); err != nil {
		return err
	}
	switch rest[0] {
	case "explain":
		pid, err := onePID("explain", sub.Args())
		if err != nil {
			return err
		}
		return explain(o, pid, stdout)
	case "send":
		pid, err := onePID("send", sub.Args())
		if err != nil {
			return err
		}
		return send(o, pid, stdout)
	case "try":
		return try(o, sub.Args(), stdout, stderr)
	case "kernel":
		if len(sub.Args()) > 0 {
			return usageError{"kernel takes no arguments"}
		}
		return kernel(o, stdout)
	}
	return usageError{fmt.Sprintf("unknown command %q", rest[0])}
}

func onePID(cmd string, args []string) (int, error) {
	if len(args) != 1 {
		return 0, usageError{cmd + " takes exactly one PID"}
	}
	pid, err := strconv.Atoi(args[0])
	if err != nil || pid <= 0 {
		return 0, usageError{fmt.Sprintf("%s: %q is not a PID", cmd, args[0])}
	}
	return pid, nil
}

// snapshot is plain sigview: the UI on a terminal, else one snapshot.
func snapshot(o options, stdout io.Writer) error {
	if o.once && o.json {
		return usageError{"--once and --json exclude each other"}
	}
	if o.interval <= 0 {
		return usageError{"--interval must be positive"}
	}
	if !o.once && !o.json && isTerminal(os.Stdout) && isTerminal(os.Stdin) {
		return ui.Run(scanner(o, nil), ui.Options{Interval: o.interval, NoColor: os.Getenv("NO_COLOR") != "",
			ReadOnly: o.readOnly})
	}
	snap, err := scanner(o, nil).Scan()
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(stdout, procinspect.Report(snap))
	}
	return render.WriteTable(stdout, snap)
}

func writeJSON(w io.Writer, v any) error { return render.WriteJSON(w, v) }

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

func scanner(o options, deep []int) procinspect.Scanner {
	return procinspect.Scanner{Root: o.proc, Deep: deep, NoMem: o.noMem, Kernel: kernelProfile(o)}
}

// kernelProfile is the measured profile of the running kernel (from the
// cache of this boot, or measured now), or a profile that says why there is
// none.
func kernelProfile(o options) *procinspect.Kernel {
	switch {
	case o.noProbe:
		return &procinspect.Kernel{Source: "none", Method: "not probed: --no-probe was given"}
	case !nsutil.IsProcFS(o.proc):
		return &procinspect.Kernel{Source: "none", Method: fmt.Sprintf("not probed: %s is not a live procfs, so the kernel it describes may not be this one", o.proc)}
	}
	return probe.Load(probe.Options{})
}

// kernel prints the kernel profile.
func kernel(o options, stdout io.Writer) error {
	k := kernelProfile(o)
	if o.json {
		return writeJSON(stdout, procinspect.DocKernelOf(k))
	}
	return render.WriteKernel(stdout, k)
}

func explain(o options, pid int, stdout io.Writer) error {
	snap, err := scanner(o, []int{pid}).Scan()
	if err != nil {
		return err
	}
	p := snap.Process(pid)
	if p == nil {
		return fmt.Errorf("explain %d: %w", pid, snap.Missing(pid))
	}
	return render.WriteExplain(stdout, snap, p)
}

func send(o options, pid int, stdout io.Writer) error {
	if o.readOnly {
		return fmt.Errorf("send: %w", act.ErrReadOnly)
	}
	sig, err := procinspect.ParseSignal(o.signal)
	if err != nil {
		return usageError{"send: " + err.Error()}
	}
	from := procinspect.Sender(o.from)
	if from != procinspect.Host && from != procinspect.Inside {
		return usageError{fmt.Sprintf("send: --from %q: want host or inside", o.from)}
	}
	rep, err := act.Send(scanner(o, nil), act.SendRequest{PID: pid, Signal: sig, From: from, Watch: o.watch})
	if err != nil {
		return fmt.Errorf("send %s to %d: %w", sig, pid, err)
	}
	fmt.Fprintln(stdout, rep.Summary)
	if rep.Held.Known && !rep.Held.V {
		return exitStatus(act.TryMismatch)
	}
	return nil
}

func try(o options, argv []string, stdout, stderr io.Writer) error {
	if o.readOnly {
		return fmt.Errorf("try: %w", act.ErrReadOnly)
	}
	if len(argv) == 0 {
		return usageError{"try needs a command: sigview try -- CMD [ARGS...]"}
	}
	sig, err := procinspect.ParseSignal(o.stopSignal)
	if err != nil {
		return usageError{"try: " + err.Error()}
	}
	rep, err := act.Try(act.TryOptions{Argv: argv, StopSignal: sig, Grace: o.grace, Settle: o.settle, Output: stderr,
		Kernel: kernelProfile(o)})
	if err != nil {
		return fmt.Errorf("try: %w", err)
	}
	if o.json {
		err = writeJSON(stdout, render.TryDocOf(rep))
	} else {
		err = render.WriteTry(stdout, rep)
	}
	if err != nil {
		return err
	}
	return exitStatus(rep.ExitCode())
}
