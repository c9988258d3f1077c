package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/render"
)

var tryCommand = &command{
	name:     "try",
	synopsis: "try [flags] [--] CMD [ARGS...]",
	summary:  "run CMD as PID 1 of a new PID namespace, or an image with docker or podman, and stop it like docker stop",
	about: "try runs CMD as PID 1 of a new PID namespace (and a user namespace when not root),\n" +
		"with every signal disposition reset as a container runtime does, lets it settle,\n" +
		"predicts, then stops it like docker stop: --stop-signal from the host, --grace, then\n" +
		"SIGKILL. Flags after CMD are CMD's. CMD never outlives sigview: it dies with sigview\n" +
		"(parent-death signal), and SIGINT, SIGTERM or SIGHUP to sigview kill it first.\n" +
		"With --docker IMAGE or --podman IMAGE the real engine runs the image (CMD, if any,\n" +
		"is its command) and stops it; sigview predicts from the container's own configuration\n" +
		"and compares.",
	exit: "exit status: 0 the stop signal ended it within the grace period, 3 it needed SIGKILL,\n" +
		"4 the prediction did not hold, 1 runtime error (CMD not found, namespaces refused),\n" +
		"2 usage error, 128+N when sigview received signal N and killed CMD.",
	flags: []cmdFlag{
		{"stop-signal", "the first signal of the stop, a name or a number (default TERM); real-time\nnames as docker and glibc number them: SIGRTMIN is 34, SIGRTMIN+3 is 37"},
		{"grace", "how long to wait for the stop signal before SIGKILL (default 10s, as\ndocker stop; a bare number is seconds, as docker stop -t 3); 0 sends SIGKILL right after it, as docker stop -t 0"},
		{"settle", "the least time to let CMD start before predicting (default 1s); try\nthen waits until its threads sleep and their masks stay still"},
		{"docker", "run IMAGE with docker instead (CMD, if any, is the container's command),\npredict from the running container's own configuration, stop it with\n`docker stop` and compare; --stop-signal and --grace, when given, become the\ncontainer's --stop-signal and --stop-timeout"},
		{"podman", "the same with podman"},
		{"run-flag", "an argument for the engine's run, before the image (repeat it:\n--run-flag=--init); flags that name or reach another container (--name,\n--replace, --pod, --volumes-from, --cidfile, container:X namespaces) are refused:\ntry names its own container and removes only that one"},
		{"engine-flag", "an argument for the engine itself, before its command (repeat it:\n--engine-flag=--root=/var/tmp/store)"},
		{"json", "print the report as JSON (docs/json.md)"},
		noProbeFlag,
		{"read-only", "refuse to run (as the UI's --read-only)"},
	},
	rawArgs: true,
	run:     runTry,
}

func runTry(c *command, o options, argv []string, stdout, stderr io.Writer) error {
	if o.docker != "" || o.podman != "" {
		return runEngineTry(c, o, argv, stdout, stderr)
	}
	if len(o.runFlags) > 0 || len(o.engineFlags) > 0 {
		return usageError{c, "--run-flag and --engine-flag go with --docker or --podman"}
	}
	if len(argv) == 0 {
		return usageError{c, "try needs a command: sigview try [flags] -- CMD [ARGS...]"}
	}
	sig, err := procinspect.ParseSignal(o.stopSignal)
	if err != nil {
		return usageError{c, fmt.Sprintf("--stop-signal %s: %v", quoteArg(o.stopSignal), err)}
	}
	if o.readOnly {
		return fmt.Errorf("try: %w", act.ErrReadOnly)
	}
	// A signal to sigview kills CMD's namespace before sigview exits.
	var rep act.TryReport
	if err := whileCaught(stderr, func(caught <-chan os.Signal) (err error) {
		rep, err = act.Try(act.TryOptions{Argv: argv, StopSignal: sig, Grace: o.grace, Settle: o.settle,
			Output: stderr, Kernel: kernelProfile(o), Interrupt: caught})
		return err
	}); err != nil {
		return err
	}
	return report(o, stdout, document.TryDocOf(rep), func() error { return render.WriteTry(stdout, rep) }, rep.ExitCode())
}

// report writes a try report as JSON (--json) or text, then exits with
// try's status.
func report(o options, stdout io.Writer, doc any, text func() error, status int) error {
	var err error
	if o.json {
		err = document.Write(stdout, doc)
	} else {
		err = text()
	}
	if err != nil {
		return err
	}
	return exitStatus(status)
}

// runEngineTry is try --docker / --podman: the engine runs the image and
// stops it; sigview predicts in between and compares.
func runEngineTry(c *command, o options, argv []string, stdout, stderr io.Writer) error {
	eng, image := "docker", o.docker
	if o.podman != "" {
		if o.docker != "" {
			return usageError{c, "--docker and --podman: choose one"}
		}
		eng, image = "podman", o.podman
	}
	if o.readOnly {
		return fmt.Errorf("try: %w", act.ErrReadOnly)
	}
	run := append([]string{}, o.runFlags...)
	if o.given["stop-signal"] {
		sig, err := procinspect.ParseSignal(o.stopSignal)
		if err != nil {
			return usageError{c, fmt.Sprintf("--stop-signal %s: %v", quoteArg(o.stopSignal), err)}
		}
		run = append(run, "--stop-signal", engineSignalArg(sig))
	}
	if o.given["grace"] {
		if o.grace%time.Second != 0 {
			return usageError{c, fmt.Sprintf("--grace %s: %s takes whole seconds as a container's --stop-timeout", o.grace, eng)}
		}
		run = append(run, "--stop-timeout", strconv.Itoa(int(o.grace/time.Second)))
	}
	// A signal to sigview removes the container before sigview exits.
	var rep act.EngineTryReport
	if err := whileCaught(stderr, func(caught <-chan os.Signal) (err error) {
		rep, err = act.TryEngine(act.EngineTryOptions{Engine: eng, Image: image, Cmd: argv, GlobalArgs: o.engineFlags,
			RunArgs: run, Settle: o.settle, Kernel: kernelProfile(o), Interrupt: caught})
		return err
	}); err != nil {
		return err
	}
	return report(o, stdout, document.EngineTryDocOf(rep), func() error { return render.WriteEngineTry(stdout, rep) }, rep.ExitCode())
}

// engineSignalArg is how a signal is given to an engine's --stop-signal.
// The engines name the real-time signals as sigview does (SIGRTMIN = 34),
// but have no name for glibc's 32 and 33: a real-time signal goes by its
// number, which means one thing everywhere.
func engineSignalArg(sig procinspect.Signal) string {
	if sig >= 32 {
		return strconv.Itoa(int(sig))
	}
	return sig.String()
}

// whileCaught runs a try with SIGINT, SIGTERM and SIGHUP to sigview handed
// to it on a channel (it kills or removes what it started), and turns an
// interrupted try into exit status 128+N.
func whileCaught(stderr io.Writer, try func(caught <-chan os.Signal) error) error {
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(caught)
	err := try(caught)
	var in *act.TryInterrupted
	if errors.As(err, &in) {
		fmt.Fprintf(stderr, "sigview: try: %v\n", err)
		return exitStatus(128 + int(in.Signal))
	}
	if err != nil {
		return fmt.Errorf("try: %w", err)
	}
	return nil
}
