package procinspect

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// InitOptions are the options a forwarding init was started with that
// change what it does with a signal, read from its own command line and,
// where the program reads it, its environment. They are facts about the
// process; what they do to a signal is judgement (procinspect/predict).
type InitOptions struct {
	// Rewrite maps a signal the init receives to the one it forwards
	// (dumb-init --rewrite s:r); To 0 drops it. dumb-init's setsid mode
	// adds SIGTSTP, SIGTTIN and SIGTTOU to SIGSTOP where none was given.
	Rewrite map[Signal]Rewrite
	// Group reports that the init signals its child's whole process group,
	// not the child alone: tini -g or TINI_KILL_PROCESS_GROUP, catatonit
	// -g, dumb-init's setsid mode (its default). GroupBy names what decided
	// ("-g", "TINI_KILL_PROCESS_GROUP", "dumb-init's default setsid mode",
	// "--single-child", "DUMB_INIT_SETSID=0").
	Group   bool
	GroupBy string
	// ExitToZero are the child's exit statuses tini reports as 0 (-e CODE).
	ExitToZero []int
	// Pause is catatonit -P: no child; it exits 0 on SIGTERM and SIGINT.
	Pause bool
	// ParentDeath is tini -p SIGNAL: the signal tini gets when its parent
	// dies (prctl PR_SET_PDEATHSIG); "" when none.
	ParentDeath string
	// Subreaper is tini -s or TINI_SUBREAPER.
	Subreaper bool
	// EnvUnknown names the environment variables that would change these
	// options but could not be read, and why; "" when none.
	EnvUnknown string
}

// Rewrite is one dumb-init --rewrite: the signal forwarded instead, and the
// option as given ("--rewrite 15:0"), for the reasons.
type Rewrite struct {
	To     Signal
	Option string
}

// initEnv are the environment variables each forwarder reads that change
// what it does with a signal. Only these are kept from an environment,
// never the rest (which may hold secrets).
var initEnv = map[Program][]string{
	ProgDumbInit: {"DUMB_INIT_SETSID"},
	ProgTini:     {"TINI_KILL_PROCESS_GROUP", "TINI_SUBREAPER", "POSIXLY_CORRECT"},
	// catatonit reads no environment, but GNU getopt does.
	ProgCatatonit: {"POSIXLY_CORRECT"},
	// systemd as PID 1 takes `container` as the word on whether it runs in
	// a container (SystemdInit).
	ProgSystemd: {"container"},
}

// maxEnviron bounds the environment read for a namespace init.
const maxEnviron = 256 << 10

// readInitEnv reads, for a forwarding init, the variables of its
// environment that its program reads (initEnv); nil and why when the
// environment is unreadable or too large.
func readInitEnv(pr Proc, pg Program) (map[string]string, string) {
	keys := initEnv[pg]
	if len(keys) == 0 {
		return nil, ""
	}
	// Into a pooled buffer, in as few reads as it takes (the kernel
	// copies up to the buffer's size a read: environ_read): each read
	// walks the process's memory, and tini's is read every second.
	bp := statusBufs.Get().(*[]byte)
	defer statusBufs.Put(bp)
	b, err := readUpTo(pr.path("environ"), *bp, maxEnviron+1, pr.fs.Live)
	pr.fs.note(err)
	if err != nil {
		return nil, reason(err)
	}
	if cap(b) > cap(*bp) {
		*bp = b[:cap(b)]
	}
	if len(b) > maxEnviron {
		// 256 KiB is sigview's bound, not the kernel's (up to 6 MiB): on a
		// live procfs such an environment is real, and its init's
		// variables are just unknown, with why.
		if !pr.fs.Live {
			pr.fs.note(&os.PathError{Op: "read", Path: pr.path("environ"), Err: errTooLarge(maxEnviron)})
		}
		return nil, fmt.Sprintf("its environment is larger than %d KiB", maxEnviron>>10)
	}
	return parseEnviron(b, keys), ""
}

// readUpTo reads the file at path into buf (grown as needed) until its
// end or until it holds limit bytes, opened as readOpen opens (live: a
// kernel's procfs).
func readUpTo(path string, buf []byte, limit int, live bool) ([]byte, error) {
	fd, err := readOpen(path, live)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	buf = buf[:cap(buf)]
	n := 0
	for n < limit {
		if n == len(buf) {
			buf = append(buf, make([]byte, min(max(len(buf), 4096), limit-n))...)
			buf = buf[:cap(buf)]
		}
		m, err := syscall.Read(fd, buf[n:min(len(buf), limit)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			break
		}
		n += m
	}
	return buf[:n], nil
}

// parseEnviron keeps the given variables of a NUL-separated environment;
// of several definitions the first is kept, as getenv finds it.
func parseEnviron(b []byte, keys []string) map[string]string {
	env := map[string]string{}
	for _, kv := range bytes.Split(b, []byte{0}) {
		k, v, ok := strings.Cut(string(kv), "=")
		if !ok || !slices.Contains(keys, k) {
			continue
		}
		if _, seen := env[k]; !seen {
			env[k] = v
		}
	}
	return env
}

// InitOptions parses the options of a forwarding init from its command line
// and the environment the scan kept (Env); nil for any other program or an
// unread command line.
func (p *Process) InitOptions() *InitOptions {
	pg := Identify(p)
	if !pg.Forwarder() || len(p.Cmdline) == 0 {
		return nil
	}
	o := ParseInitOptions(pg, p.Cmdline, p.Env)
	if p.EnvErr != "" && len(initEnv[pg]) > 0 {
		o.EnvUnknown = fmt.Sprintf("%s unknown: %s", strings.Join(initEnv[pg], ", "), p.EnvErr)
	}
	return o
}

// ParseInitOptions parses a forwarder's argv as its program does (GNU
// getopt: tini and catatonit permute, so an option after the program's name
// counts unless "--" or POSIXLY_CORRECT ends them; dumb-init stops at the
// first non-option) and the variables it reads from env (nil: unread).
func ParseInitOptions(pg Program, argv []string, env map[string]string) *InitOptions {
	o := &InitOptions{}
	var spec getoptSpec
	switch pg {
	case ProgDumbInit:
		o.Group, o.GroupBy = true, "dumb-init's default setsid mode"
		spec = getoptSpec{short: "hvVcr:", long: map[string]byte{"help": 'h', "single-child": 'c', "rewrite": 'r', "verbose": 'v', "version": 'V'}, stopAtArg: true}
	case ProgTini:
		spec = getoptSpec{short: "p:hvwgle:s"}
	case ProgCatatonit:
		spec = getoptSpec{short: "ghLPV", long: map[string]byte{"version": 'V'}}
	default:
		return o
	}
	if _, ok := env["POSIXLY_CORRECT"]; ok {
		spec.stopAtArg = true
	}
	spec.each(argv, func(opt byte, arg, text string) {
		switch {
		case pg == ProgDumbInit && opt == 'c':
			o.Group, o.GroupBy = false, text
		case pg == ProgDumbInit && opt == 'r':
			var s, r int
			if n, _ := fmt.Sscanf(arg, "%d:%d", &s, &r); n == 2 && s >= 1 && s <= 31 && r >= 0 && r <= 31 {
				if o.Rewrite == nil {
					o.Rewrite = map[Signal]Rewrite{}
				}
				o.Rewrite[Signal(s)] = Rewrite{To: Signal(r), Option: text}
			}
		case pg == ProgTini && opt == 'g', pg == ProgCatatonit && opt == 'g':
			o.Group, o.GroupBy = true, "-g"
		case pg == ProgTini && opt == 'e':
			if n, err := strconv.Atoi(arg); err == nil && n >= 0 && n <= 255 && !slices.Contains(o.ExitToZero, n) {
				o.ExitToZero = append(o.ExitToZero, n)
			}
		case pg == ProgTini && opt == 'p':
			o.ParentDeath = arg
		case pg == ProgTini && opt == 's':
			o.Subreaper = true
		case pg == ProgCatatonit && opt == 'P':
			o.Pause = true
		}
	})
	switch pg {
	case ProgDumbInit:
		if env["DUMB_INIT_SETSID"] == "0" && o.Group {
			o.Group, o.GroupBy = false, "DUMB_INIT_SETSID=0"
		}
		if o.Group {
			// In setsid mode dumb-init turns the terminal's stop signals
			// into SIGSTOP for its child's process group, unless a
			// --rewrite said otherwise (dumb-init.c: parse_command,
			// set_rewrite_to_sigstop_if_not_defined).
			for _, s := range []Signal{SIGTSTP, SIGTTOU, SIGTTIN} {
				if _, given := o.Rewrite[s]; !given {
					if o.Rewrite == nil {
						o.Rewrite = map[Signal]Rewrite{}
					}
					o.Rewrite[s] = Rewrite{To: SIGSTOP, Option: "setsid mode: SIGTSTP, SIGTTIN and SIGTTOU become SIGSTOP"}
				}
			}
		}
	case ProgTini:
		if _, ok := env["TINI_KILL_PROCESS_GROUP"]; ok && !o.Group {
			o.Group, o.GroupBy = true, "TINI_KILL_PROCESS_GROUP"
		}
		if _, ok := env["TINI_SUBREAPER"]; ok {
			o.Subreaper = true
		}
	}
	return o
}

// getoptSpec is enough of GNU getopt_long to read the options of a
// command line the way the program did.
type getoptSpec struct {
	short     string          // optstring: a letter, then ':' if it takes an argument
	long      map[string]byte // long option name -> the short letter it stands for
	stopAtArg bool            // "+" or POSIXLY_CORRECT: the first non-option ends the options
}

// each calls f for every option of argv (argv[0] is the program) with its
// argument and its text as given ("--rewrite 15:0", "-g").
func (g getoptSpec) each(argv []string, f func(opt byte, arg, text string)) {
	takes := func(c byte) (known, arg bool) {
		i := strings.IndexByte(g.short, c)
		if i < 0 || c == ':' {
			return false, false
		}
		return true, i+1 < len(g.short) && g.short[i+1] == ':'
	}
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--":
			return
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			c, ok := g.longNamed(name)
			if !ok {
				continue
			}
			if _, arg := takes(c); arg {
				if !hasVal {
					if i+1 >= len(argv) {
						return
					}
					i++
					val = argv[i]
				}
				f(c, val, "--"+g.longName(c)+" "+val)
				continue
			}
			f(c, "", "--"+g.longName(c))
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				known, arg := takes(a[j])
				if !known {
					continue
				}
				if !arg {
					f(a[j], "", "-"+string(a[j]))
					continue
				}
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(argv) {
						return
					}
					i++
					val = argv[i]
				}
				f(a[j], val, "-"+string(a[j])+" "+val)
				break
			}
		case g.stopAtArg:
			return
		}
	}
}

// longNamed finds a long option by its name or an unambiguous prefix of it.
func (g getoptSpec) longNamed(name string) (byte, bool) {
	if c, ok := g.long[name]; ok {
		return c, true
	}
	var found []byte
	for n, c := range g.long {
		if strings.HasPrefix(n, name) && name != "" {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return 0, false
}

func (g getoptSpec) longName(c byte) string {
	for n, l := range g.long {
		if l == c && len(n) > 1 {
			return n
		}
	}
	return string(c)
}
