// Command sigview shows every PID namespace, its init, and what `kill` and
// `kill -9` will do to that init, sent from inside the namespace and from
// the host, with the kernel's reason. It sends a signal only when a person
// asks for one (`sigview send`, `sigview try`, F9 in the UI).
//
// Each subcommand is one entry of the commands table (cli.go) and one file:
// root.go (the UI and snapshots), explain.go, send.go, try.go, kernel.go,
// help.go, serve.go.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
)

// exitStatus ends sigview with a status of its own, having said all there is.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func main() {
	act.ServeInside()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes sigview and returns its exit status: 0 success, 1 runtime
// error, 2 usage error (send and try add their own, see their help).
func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	var ue usageError
	var es exitStatus
	var help errHelp
	var amb ambiguousTarget
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		writeHelp(stdout, help.cmd)
		return 0
	case errors.As(err, &es):
		return int(es)
	case errors.As(err, &amb):
		fmt.Fprintf(stderr, "sigview: %s: %s\nrun '%s --help' for usage\n", amb.cmd.name, amb.err, amb.cmd.title())
		return 2
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "sigview: %s\nrun '%s --help' for usage\n", ue.msg, ue.cmd.title())
		return 2
	default:
		fmt.Fprintf(stderr, "sigview: %v\n", err)
		return 1
	}
}

// dispatch finds the subcommand, parses its flags and runs it.
func dispatch(args []string, stdout, stderr io.Writer) error {
	c, rest := split(args)
	o := defaultOptions()
	if c.defaults != nil {
		c.defaults(&o)
	}
	pos, err := c.parse(&o, rest)
	if err != nil {
		return err
	}
	return c.run(c, o, pos, stdout, stderr)
}

// oneTarget reads the single TARGET argument of explain and send
// (procinspect's Resolve): a number up to pid_max is a PID, as it always
// was, and needs no scan; a larger number (a PID namespace's inode) or a
// container's name or ID prefix is resolved in a scan of the procfs, and
// names that namespace's init. An ambiguous target lists its candidates.
func oneTarget(c *command, o options, args []string) (procinspect.Target, error) {
	if len(args) != 1 {
		return procinspect.Target{}, usageError{c, fmt.Sprintf("%s takes exactly one target (a PID, a PID namespace's inode, or a container's name or ID prefix), not %d arguments", c.name, len(args))}
	}
	arg := args[0]
	if pid, ok := procinspect.PlainPID(arg, procinspect.PIDMax(o.proc)); ok {
		return procinspect.Target{PID: pid, How: "PID"}, nil
	}
	if err := checkProcfs(o.proc); err != nil {
		return procinspect.Target{}, err
	}
	sc := scanner(o, nil)
	sc.Kernel = &procinspect.Kernel{Source: "none", Method: "not needed to find a target"}
	snap, err := sc.Scan()
	if err != nil {
		return procinspect.Target{}, err
	}
	t, err := snap.Resolve(arg, procinspect.PIDMax(o.proc))
	var amb *procinspect.AmbiguousError
	switch {
	case errors.As(err, &amb):
		return t, ambiguousTarget{c, amb}
	case err != nil:
		return t, fmt.Errorf("%s %s: %w", c.name, procinspect.Printable(arg), err)
	}
	return t, nil
}

// ambiguousTarget is a target that names several containers: a usage
// error (exit 2) whose message lists them, one a line.
type ambiguousTarget struct {
	cmd *command
	err *procinspect.AmbiguousError
}

func (e ambiguousTarget) Error() string { return e.err.Error() }

// noArgs refuses positional arguments to a command that takes none.
func noArgs(c *command, args []string) error {
	if len(args) > 0 {
		return usageError{c, fmt.Sprintf("%s takes no arguments, not %s", c.title(), quoteArg(args[0]))}
	}
	return nil
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
