package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sigview/sigview/nsutil"
	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/document"
	"github.com/sigview/sigview/procinspect/predict"
	"github.com/sigview/sigview/procinspect/probe"
	"github.com/sigview/sigview/procinspect/render"
	"github.com/sigview/sigview/ui"
)

// Flags shared by the commands that read a procfs.
var (
	procFlag = cmdFlag{"proc", "the procfs to read (default /proc): a host /proc bind-mounted into\n" +
		"a container, or a copy; it must look like one (self, or PID directories)"}
	noMemFlag   = cmdFlag{"no-mem", "do not read /proc/PID/mem to learn what a sigtimedwait waits for"}
	noProbeFlag = cmdFlag{"no-probe", "do not measure the kernel's build-dependent rules (predictions\nthat need them say unknown)"}
)

var rootCommand = &command{
	synopsis: "[flags]\n       sigview COMMAND [flags] [ARGS]",
	about: "sigview shows every PID namespace, its init, and what SIGTERM and SIGKILL do to that\n" +
		"init, sent from inside the namespace and from the host, with the kernel's reason.\n" +
		"With no command it runs the live terminal UI (the --once table when stdout or stdin\n" +
		"is not a terminal).",
	exit: "exit status: 0 success, 1 runtime error (sigview: WHAT: WHY on stderr), 2 usage error;\n" +
		"send and try add 3 and 4 (see their help), try 128+N when sigview receives signal N.\n\n" +
		"run 'sigview help COMMAND' for a command's flags.",
	flags: []cmdFlag{
		{"once", "print one snapshot as a plain table and exit"},
		{"needs-sigkill", "show only the namespaces whose configured stop needs SIGKILL (its signal\nwill not end the init: verdict no), under their ancestors as context; a stop\nthat depends on the program or is unknown is not counted (the UI starts with\nits needs-SIGKILL filter on, key K)"},
		{"json", "print one snapshot as JSON (schema_version 2, docs/json.md) and exit"},
		procFlag,
		{"interval", "refresh period of the UI (default 2s; at least 100ms)"},
		noMemFlag,
		noProbeFlag,
		{"read-only", "never send a signal: the UI's F9 is refused"},
		{"version", "print the module version and VCS revision and exit"},
	},
	run: runRoot,
}

// runRoot is plain sigview: the UI on a terminal, else one snapshot.
func runRoot(c *command, o options, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usageError{c, fmt.Sprintf("unknown command %s", quoteArg(args[0]))}
	}
	if o.version {
		if o.once || o.json {
			return usageError{c, "--version takes no other flags"}
		}
		return writeVersion(stdout)
	}
	if o.once && o.json {
		return usageError{c, "--once and --json exclude each other"}
	}
	if o.needsSigkill && o.json {
		return usageError{c, "--needs-sigkill filters the table; --json keeps every namespace (each init's needs_sigkill says)"}
	}
	if err := checkProcfs(o.proc); err != nil {
		return err
	}
	if !o.once && !o.json && isTerminal(os.Stdout) && isTerminal(os.Stdin) {
		uo := ui.Options{Interval: o.interval, NoColor: os.Getenv("NO_COLOR") != "", ReadOnly: o.readOnly,
			NeedsSIGKILL: o.needsSigkill}
		return runUISession(uo, func(uo *ui.Options) (procinspect.Scanner, func()) {
			stop := startUISignals(o, uo)
			sc := scanner(o, nil)
			// Rescans follow the kernel's process events where they
			// can, and list the procfs where not (procinspect/events.go).
			// Closing unsubscribes (the kernel counts listeners, README):
			// on every way out, so a signal that would end sigview ends
			// the UI.
			ev, err := procinspect.OpenEvents()
			if err != nil {
				return sc, stop
			}
			sc.Events = ev
			return sc, func() { ev.Close(); stop() }
		}, ui.Run)
	}
	snap, err := scanner(o, nil).Scan()
	if err != nil {
		return err
	}
	as := predict.Assess(snap, snap.Kernel)
	if o.json {
		return document.WriteReport(stdout, snap, as)
	}
	return render.WriteTableWith(stdout, as, render.TableOptions{NeedsSIGKILL: o.needsSigkill,
		Color: stdout == io.Writer(os.Stdout) && isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == ""})
}

// checkProcfs refuses a --proc directory that is not a procfs, live or
// copied: it must be a mounted procfs, or have a self entry or a numbered
// directory with a stat or status file. Without this check /tmp read as a
// machine with no processes.
func checkProcfs(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("--proc %s: %w", dir, unwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("--proc %s: not a directory", dir)
	case nsutil.IsProcFS(dir):
		// A live procfs: its root, not a directory in it (/proc/sys,
		// /proc/1, /proc/self/task would read as a machine with no or
		// the wrong processes). Only the root has self (and thread-self).
		if _, err := os.Lstat(filepath.Join(dir, "thread-self")); err != nil {
			return fmt.Errorf("--proc %s is inside a procfs, not its root (the root is where self and thread-self are, such as /proc)", dir)
		}
		return nil
	}
	if _, err := os.Lstat(filepath.Join(dir, "self")); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("--proc %s: %w", dir, unwrapPath(err))
	}
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err != nil || n <= 0 || !e.IsDir() {
			continue
		}
		for _, f := range []string{"stat", "status"} {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), f)); err == nil {
				return nil
			}
		}
	}
	return fmt.Errorf("--proc %s is not a procfs: it has no self entry and no PID directory with a stat or status file", dir)
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
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
