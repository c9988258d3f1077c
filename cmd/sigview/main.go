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
	"strconv"

	"golang.org/x/sys/unix"

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
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		writeHelp(stdout, help.cmd)
		return 0
	case errors.As(err, &es):
		return int(es)
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

// onePID is the single PID argument of explain and send.
func onePID(c *command, args []string) (int, error) {
	if len(args) != 1 {
		return 0, usageError{c, fmt.Sprintf("%s takes exactly one PID, not %d arguments", c.name, len(args))}
	}
	pid, err := strconv.Atoi(args[0])
	if err != nil || pid <= 0 {
		return 0, usageError{c, fmt.Sprintf("%s: %s is not a PID", c.name, quoteArg(args[0]))}
	}
	return pid, nil
}

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
