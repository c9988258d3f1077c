// Command sigview shows every PID namespace, its init, and what `kill` and
// `kill -9` will do to that init, sent from inside the namespace and from
// the host, with the kernel's reason. It never sends a signal.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/ui"
)

const usage = `usage: sigview [flags]            live terminal UI (the --once table when stdout is not a terminal)
       sigview --once [flags]     one snapshot as a plain table
       sigview --json [flags]     one snapshot as JSON (schema_version 1)
       sigview explain [flags] PID  everything about one process

flags:
`

// options are the command-line settings.
type options struct {
	once, json bool
	proc       string
	interval   time.Duration
	noMem      bool
}

// defaultOptions are the settings before any flag.
func defaultOptions() options { return options{proc: "/proc", interval: 2 * time.Second} }

// register defines the flags with o's current values as defaults, so that
// flags given before a subcommand survive its own flag set.
func (o *options) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.once, "once", o.once, "print one snapshot as a plain table and exit")
	fs.BoolVar(&o.json, "json", o.json, "print one snapshot as JSON and exit")
	fs.StringVar(&o.proc, "proc", o.proc, "procfs to read (a host /proc bind-mounted into a container, or a copy)")
	fs.DurationVar(&o.interval, "interval", o.interval, "refresh period of the live UI")
	fs.BoolVar(&o.noMem, "no-mem", o.noMem, "do not read /proc/PID/mem to learn sigtimedwait wait sets")
}

// usageError is a command-line mistake: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes sigview and returns its exit status: 0 success, 1 runtime
// error, 2 usage error.
func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
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
	if len(rest) > 0 && rest[0] == "explain" {
		efs := newFlagSet("sigview explain", &o, stderr)
		if err := parse(efs, rest[1:]); err != nil {
			return err
		}
		if efs.NArg() != 1 {
			return usageError{"explain takes exactly one PID"}
		}
		pid, err := strconv.Atoi(efs.Arg(0))
		if err != nil || pid <= 0 {
			return usageError{fmt.Sprintf("explain: %q is not a PID", efs.Arg(0))}
		}
		return explain(o, pid, stdout)
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("unknown command %q", rest[0])}
	}
	if o.once && o.json {
		return usageError{"--once and --json exclude each other"}
	}
	if o.interval <= 0 {
		return usageError{"--interval must be positive"}
	}
	if !o.once && !o.json && isTerminal(os.Stdout) && isTerminal(os.Stdin) {
		return ui.Run(scanner(o, nil), ui.Options{Interval: o.interval, NoColor: os.Getenv("NO_COLOR") != ""})
	}
	snap, err := scanner(o, nil).Scan()
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(procinspect.Report(snap))
	}
	return ui.WriteTable(stdout, snap)
}

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
	return procinspect.Scanner{Root: o.proc, Deep: deep, NoMem: o.noMem}
}

func explain(o options, pid int, stdout io.Writer) error {
	snap, err := scanner(o, []int{pid}).Scan()
	if err != nil {
		return err
	}
	p := snap.Process(pid)
	if p == nil {
		return fmt.Errorf("explain %d: no such process in %s", pid, snap.Root)
	}
	return ui.WriteExplain(stdout, snap, p)
}
