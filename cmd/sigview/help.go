package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

var helpCommand = &command{
	name:     "help",
	synopsis: "help [COMMAND]",
	summary:  "this help, or a command's",
	about:    "help prints sigview's help, or COMMAND's, on stdout.",
	run: func(c *command, _ options, args []string, _, _ io.Writer) error {
		switch len(args) {
		case 0:
			return errHelp{rootCommand}
		case 1:
			if c := lookupCommand(args[0]); c != nil {
				return errHelp{c}
			}
			return usageError{rootCommand, fmt.Sprintf("unknown command %s", quoteArg(args[0]))}
		}
		return usageError{rootCommand, "help takes at most one COMMAND"}
	},
}

var versionCommand = &command{
	name:     "version",
	synopsis: "version",
	summary:  "the module version and VCS revision (also --version)",
	about:    "version prints the module version and the VCS revision sigview was built from.",
	run: func(c *command, _ options, args []string, stdout, _ io.Writer) error {
		if err := noArgs(c, args); err != nil {
			return err
		}
		return writeVersion(stdout)
	},
}

// writeVersion prints the module version and VCS revision from the build
// information, and says so when the build recorded none.
func writeVersion(w io.Writer) error {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		_, err := fmt.Fprintf(w, "sigview: no build information (%s)\n", runtime.Version())
		return err
	}
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	rev := "revision unknown (built without VCS information)"
	if r := set["vcs.revision"]; r != "" {
		var extra []string
		if t := set["vcs.time"]; t != "" {
			extra = append(extra, t)
		}
		if set["vcs.modified"] == "true" {
			extra = append(extra, "modified")
		}
		rev = "revision " + r
		if len(extra) > 0 {
			rev += " (" + strings.Join(extra, ", ") + ")"
		}
	}
	_, err := fmt.Fprintf(w, "sigview %s %s, %s\n%s\n", bi.Main.Path, bi.Main.Version, bi.GoVersion, rev)
	return err
}
