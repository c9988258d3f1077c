package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// options are the command-line settings. Each subcommand reads only the
// ones its flags set.
type options struct {
	once, json, noMem, readOnly bool
	noProbe, version            bool
	all, needsSigkill           bool
	yesHostInit                 bool
	proc                        string
	interval, watch, grace      time.Duration
	settle                      time.Duration
	from, signal, stopSignal    string
	listen, webConfig           string
	// serve's optional endpoint and metrics (metrics.Options), and whether
	// the snapshot keeps the inits' arguments.
	snapshot, snapshotCmdline, verdicts bool
	signals                             bool
	signalsRetention                    time.Duration
	// try --docker/--podman: the image, and what goes to the engine's
	// command line and to its run.
	docker, podman        string
	engineFlags, runFlags []string
	// given lists the flags a person gave, by name.
	given map[string]bool
}

// defaultOptions are the settings before any flag; the usage texts quote
// them.
func defaultOptions() options {
	return options{proc: "/proc", interval: 2 * time.Second, watch: 2 * time.Second, grace: 10 * time.Second,
		settle: time.Second, from: "", signal: "TERM", stopSignal: "TERM"}
}

// Limits a person's values are checked against (never silently raised).
const (
	minInterval = 100 * time.Millisecond
	// minWatch: a shorter watch judges a signal the kernel has not yet
	// delivered (still pending) as a prediction that failed.
	minWatch = 100 * time.Millisecond
)

// flagDef is one flag: its spelling, the value it takes, and how it sets
// the options. A value that cannot be honoured is refused by set.
type flagDef struct {
	name  string // long name, spelled --name
	short string // one-letter alias spelled -s, or ""
	arg   string // the value's placeholder, "" for a switch
	set   func(o *options, v string) error
}

// flagDefs are every flag of every command, by name.
var flagDefs = map[string]*flagDef{}

func init() {
	for _, f := range []*flagDef{
		{name: "once", set: boolSetter(func(o *options) *bool { return &o.once })},
		{name: "json", set: boolSetter(func(o *options) *bool { return &o.json })},
		{name: "all", set: boolSetter(func(o *options) *bool { return &o.all })},
		{name: "no-mem", set: boolSetter(func(o *options) *bool { return &o.noMem })},
		{name: "no-probe", set: boolSetter(func(o *options) *bool { return &o.noProbe })},
		{name: "read-only", set: boolSetter(func(o *options) *bool { return &o.readOnly })},
		{name: "version", set: boolSetter(func(o *options) *bool { return &o.version })},
		{name: "needs-sigkill", set: boolSetter(func(o *options) *bool { return &o.needsSigkill })},
		{name: "yes-host-init", set: boolSetter(func(o *options) *bool { return &o.yesHostInit })},
		{name: "proc", arg: "DIR", set: func(o *options, v string) error {
			if v == "" {
				return fmt.Errorf("want a directory")
			}
			o.proc = v
			return nil
		}},
		{name: "interval", arg: "D", set: durationSetter(func(o *options) *time.Duration { return &o.interval }, minInterval)},
		{name: "watch", arg: "D", set: durationSetter(func(o *options) *time.Duration { return &o.watch }, minWatch)},
		{name: "grace", arg: "D", set: durationSetter(func(o *options) *time.Duration { return &o.grace }, 0)},
		{name: "settle", arg: "D", set: durationSetter(func(o *options) *time.Duration { return &o.settle }, 0)},
		{name: "from", arg: "host|inside", set: func(o *options, v string) error {
			if v != "host" && v != "inside" {
				return fmt.Errorf("want host or inside")
			}
			o.from = v
			return nil
		}},
		{name: "signal", short: "s", arg: "SIGNAL", set: func(o *options, v string) error { o.signal = v; return nil }},
		{name: "stop-signal", arg: "SIGNAL", set: func(o *options, v string) error { o.stopSignal = v; return nil }},
		{name: "docker", arg: "IMAGE", set: nonEmpty("an image", func(o *options) *string { return &o.docker })},
		{name: "podman", arg: "IMAGE", set: nonEmpty("an image", func(o *options) *string { return &o.podman })},
		{name: "engine-flag", arg: "ARG", set: func(o *options, v string) error { o.engineFlags = append(o.engineFlags, v); return nil }},
		{name: "run-flag", arg: "ARG", set: func(o *options, v string) error { o.runFlags = append(o.runFlags, v); return nil }},
		{name: "web.enable-snapshot", set: boolSetter(func(o *options) *bool { return &o.snapshot })},
		{name: "web.snapshot-cmdline", set: boolSetter(func(o *options) *bool { return &o.snapshotCmdline })},
		{name: "collector.verdicts", set: boolSetter(func(o *options) *bool { return &o.verdicts })},
		{name: "collector.signals", set: boolSetter(func(o *options) *bool { return &o.signals })},
		{name: "collector.signals.retention", arg: "D", set: durationSetter(func(o *options) *time.Duration { return &o.signalsRetention }, time.Second)},
		{name: "listen", arg: "ADDR", set: func(o *options, v string) error { o.listen = v; return nil }},
		{name: "web.config.file", arg: "FILE", set: func(o *options, v string) error {
			if _, err := os.Stat(v); err != nil {
				return fmt.Errorf("want a readable file: %v", unwrapPath(err))
			}
			o.webConfig = v
			return nil
		}},
	} {
		flagDefs[f.name] = f
		if f.short != "" {
			flagDefs[f.short] = f
		}
	}
}

// nonEmpty refuses an empty value (--docker "$IMAGE" with IMAGE unset must
// not fall back to something else).
func nonEmpty(want string, field func(*options) *string) func(*options, string) error {
	return func(o *options, v string) error {
		if v == "" {
			return fmt.Errorf("want %s", want)
		}
		*field(o) = v
		return nil
	}
}

func boolSetter(field func(*options) *bool) func(*options, string) error {
	return func(o *options, v string) error {
		switch v {
		case "true", "1":
			*field(o) = true
		case "false", "0":
			*field(o) = false
		default:
			return fmt.Errorf("want true or false")
		}
		return nil
	}
}

// durationSetter refuses a duration below least; least 0 refuses only
// negative ones. A bare number is seconds, as docker stop -t 3 and
// --stop-timeout 3 take them.
func durationSetter(field func(*options) *time.Duration, least time.Duration) func(*options, string) error {
	return func(o *options, v string) error {
		d, err := parseDuration(v)
		switch {
		case err != nil:
			return fmt.Errorf("want a duration such as 3 (seconds), 2s or 500ms")
		case d < 0:
			return fmt.Errorf("must not be negative")
		case d < least && least == time.Nanosecond:
			return fmt.Errorf("must be more than 0")
		case d < least:
			return fmt.Errorf("below the minimum of %s", least)
		}
		*field(o) = d
		return nil
	}
}

// bareSeconds is a number without a unit: "3", "0.5", "-1".
var bareSeconds = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// parseDuration reads a Go duration ("2s", "500ms") or a bare number of
// seconds ("3" is 3s).
func parseDuration(v string) (time.Duration, error) {
	if bareSeconds.MatchString(v) {
		v += "s"
	}
	return time.ParseDuration(v)
}

// cmdFlag is a flag as one command offers it, with that command's help.
type cmdFlag struct {
	name, help string
}

// command is one subcommand; the root (name "") is the UI and snapshot
// mode. Adding a subcommand is adding one entry to commands.
type command struct {
	name string
	// synopsis is the usage line after "sigview".
	synopsis string
	// summary is its line in the root help's command list.
	summary string
	// about is the paragraph of its own help; exit describes its statuses.
	about, exit string
	flags       []cmdFlag
	// rawArgs: the first positional argument ends the flags (try's CMD has
	// flags of its own).
	rawArgs bool
	// defaults, when set, changes the options' defaults before parsing.
	defaults func(*options)
	run      func(c *command, o options, args []string, stdout, stderr io.Writer) error
}

// commands are sigview's subcommands in the order its help lists them;
// the root entry comes first.
var commands []*command

func init() {
	commands = []*command{rootCommand, explainCommand, sendCommand, tryCommand, kernelCommand, serveCommand,
		watchCommand, helpCommand, versionCommand}
}

// lookupCommand returns the subcommand named name, or nil.
func lookupCommand(name string) *command {
	for _, c := range commands[1:] {
		if c.name == name {
			return c
		}
	}
	return nil
}

// title is how messages name the command: "sigview send".
func (c *command) title() string {
	return strings.TrimSpace("sigview " + c.name)
}

// flag returns the definition of the flag called name, if c offers it.
func (c *command) flag(name string) *flagDef {
	f := flagDefs[name]
	if f == nil {
		return nil
	}
	for _, cf := range c.flags {
		if cf.name == f.name {
			return f
		}
	}
	return nil
}

// usageError is a command-line mistake: exit status 2, one line and a
// pointer to the command's help.
type usageError struct {
	cmd *command
	msg string
}

func (e usageError) Error() string { return e.msg }

// errHelp asks for a command's help.
type errHelp struct{ cmd *command }

func (e errHelp) Error() string { return "help requested" }

// split finds the subcommand in args (its name may follow flags that take
// values) and returns it with the other arguments.
func split(args []string) (*command, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !isFlag(a) {
			if c := lookupCommand(a); c != nil {
				return c, append(append([]string{}, args[:i]...), args[i+1:]...)
			}
			break
		}
		name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if f := flagDefs[name]; f != nil && f.arg != "" && !hasVal {
			i++ // its value
		}
	}
	return rootCommand, args
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

// parse sets o from c's flags in args, which may come before and after the
// positional arguments (until "--", or the first one for a command with
// rawArgs), and returns the positional arguments.
func (c *command) parse(o *options, args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(pos, args[i+1:]...), nil
		case !isFlag(a):
			if c.rawArgs {
				return append(pos, args[i:]...), nil
			}
			pos = append(pos, a)
			continue
		}
		spelled, val, hasVal := strings.Cut(a, "=")
		name := strings.TrimPrefix(strings.TrimPrefix(spelled, "-"), "-")
		if name == "h" || name == "help" {
			return nil, errHelp{c}
		}
		f := c.flag(name)
		if f == nil {
			return nil, c.unknownFlag(spelled, name)
		}
		switch {
		case f.arg == "" && !hasVal:
			val = "true"
		case !hasVal && i+1 == len(args):
			return nil, usageError{c, fmt.Sprintf("%s needs a value: %s %s", spelled, spelled, f.arg)}
		case !hasVal:
			i++
			val = args[i]
		}
		if err := f.set(o, val); err != nil {
			return nil, usageError{c, fmt.Sprintf("%s %s: %v", spelled, quoteArg(val), err)}
		}
		if o.given == nil {
			o.given = map[string]bool{}
		}
		o.given[f.name] = true
	}
	return pos, nil
}

// unknownFlag says why c has no flag called name: another command's flag,
// or none at all.
func (c *command) unknownFlag(spelled, name string) error {
	if flagDefs[name] == nil {
		return usageError{c, fmt.Sprintf("unknown flag %s", quoteArg(spelled))}
	}
	var owners []string
	for _, o := range commands {
		if o.flag(name) != nil {
			owners = append(owners, o.title())
		}
	}
	return usageError{c, fmt.Sprintf("%s does not apply to %s (it is a flag of %s)", spelled, c.title(), strings.Join(owners, ", "))}
}

// quoteArg quotes a value only when it needs it (empty, spaces, control
// characters), so that messages stay readable.
func quoteArg(s string) string {
	q := fmt.Sprintf("%q", s)
	if s == "" || q[1:len(q)-1] != s || strings.ContainsAny(s, " \t") {
		return q
	}
	return s
}

// Help layout: every line fits 80 columns.
const (
	helpWidth = 80
	flagCol   = 22
)

// writeHelp prints c's help: its usage, what it does, its flags.
func writeHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: sigview %s\n\n%s\n", c.synopsis, wrap(c.about, helpWidth, ""))
	if c == rootCommand {
		fmt.Fprintf(w, "\ncommands:\n")
		for _, sub := range commands[1:] {
			writeItem(w, sub.name+" "+sub.argHint(), sub.summary)
		}
	}
	fmt.Fprintf(w, "\nflags:\n")
	for _, cf := range c.flags {
		f := flagDefs[cf.name]
		spelled := "--" + f.name
		if f.short != "" {
			spelled = "-" + f.short + ", " + spelled
		}
		if f.arg != "" {
			spelled += " " + f.arg
		}
		writeItem(w, spelled, cf.help)
	}
	writeItem(w, "-h, --help", "print this help")
	if c.exit != "" {
		fmt.Fprintf(w, "\n%s\n", wrap(c.exit, helpWidth, ""))
	}
}

// writeItem writes one entry of a list: the term, then its text wrapped
// in a column of its own (on the next line when the term is too wide).
func writeItem(w io.Writer, term, text string) {
	indent := strings.Repeat(" ", 2+flagCol+1)
	body := wrap(text, helpWidth, indent)[len(indent):]
	if len(term) >= flagCol {
		fmt.Fprintf(w, "  %s\n%s%s\n", term, indent, body)
		return
	}
	fmt.Fprintf(w, "  %-*s %s\n", flagCol, term, body)
}

// wrap fills text into lines of at most width columns, each starting with
// indent. A blank line in text starts a new paragraph.
func wrap(text string, width int, indent string) string {
	var out []string
	for _, para := range strings.Split(text, "\n\n") {
		line := indent
		for _, word := range strings.Fields(para) {
			if line != indent && len(line)+1+len(word) > width {
				out = append(out, line)
				line = indent
			}
			if line != indent {
				line += " "
			}
			line += word
		}
		out = append(out, line, "")
	}
	return strings.Join(out[:len(out)-1], "\n")
}

// argHint is the positional part of the synopsis, for the command list.
func (c *command) argHint() string {
	s := strings.TrimPrefix(c.synopsis, c.name)
	s = strings.ReplaceAll(s, "[flags]", "")
	return strings.Join(strings.Fields(s), " ")
}
