package procinspect

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// S6Files is what s6-svscan finds in its scan directory's .s6-svscan/
// subdirectory: on a signal it runs .s6-svscan/SIG<NAME> instead of its
// default action when that file is executable, and on its way out it
// execs .s6-svscan/finish (s6-svscan(8)). The scan directory is s6-svscan's
// working directory (it changes into it when it starts).
type S6Files struct {
	// Files maps a file name ("SIGTERM", "finish") to what was found:
	// S6Executable, S6Absent, S6NotExecutable, or why it is unknown.
	Files map[string]string
	// Err says why the scan directory could not be opened ("" if it was).
	Err string
	// Overlay names what shows the init is s6-linux-init's in a
	// container (s6-overlay's /init, or any s6-linux-init-maker -C setup:
	// s6-svscan on a scan directory whose .s6-svscan/SIG* scripts it
	// wrote): the first of s6OverlayMarks found inside its root, or "".
	Overlay string
	// Scripts says, for each executable .s6-svscan/SIG* file, which of
	// the scripts s6-linux-init-maker and s6-overlay write it is
	// (S6ScriptEmpty, S6ScriptShutdown+"h" …, S6ScriptCMD), or "" for
	// any other content or one that could not be read.
	Scripts map[string]string
}

// s6OverlayMarks are paths s6-linux-init puts in a container's root: the
// directory its container mode (s6-linux-init-maker -C, which s6-overlay
// v3 runs) keeps the exit code in, present in any such container, not
// only s6-overlay's; and s6-overlay's own package directory.
var s6OverlayMarks = []string{"/run/s6-linux-init-container-results", "/package/admin/s6-overlay"}

// The .s6-svscan/SIG* scripts s6-linux-init-maker writes (s6-linux-init
// s6-linux-init-maker.c: make_image, sig_script), and the one s6-overlay
// puts in their place with S6_CMD_RECEIVE_SIGNALS (its stage0 and
// skel/CMDSIG: the original is renamed SIG*.s6-linux-init).
const (
	// S6ScriptEmpty is a shebang line and nothing else (SIGQUIT,
	// SIGWINCH, and SIGTERM outside a container): the signal does nothing.
	S6ScriptEmpty = "empty"
	// S6ScriptShutdown+"h", "r" or "p" runs s6-linux-init-shutdown with
	// -h (halt), -r (reboot) or -p (poweroff).
	S6ScriptShutdown = "s6-linux-init-shutdown -"
	// S6ScriptCMD sends the signal to the container's CMD (the PID in
	// /run/s6/cmdpid), else runs the renamed original.
	S6ScriptCMD = "cmd"
)

// maxS6Script bounds what is read of a .s6-svscan/SIG* script.
const maxS6Script = 4096

// emptyScriptShell says whether the #! line names an interpreter for which
// a script with nothing after that line does nothing: execlineb (what
// s6-linux-init-maker writes) or a POSIX shell. `#!/sbin/poweroff` alone
// is a whole program.
func emptyScriptShell(shebang []byte) bool {
	f := strings.Fields(strings.TrimPrefix(string(shebang), "#!"))
	if len(f) == 0 {
		return false
	}
	switch path.Base(f[0]) {
	case "execlineb", "sh", "bash", "dash", "ash":
		return true
	}
	return false
}

// s6Script says which known script b is (see S6ScriptEmpty), or "".
func s6Script(b []byte) string {
	first, body, _ := bytes.Cut(b, []byte("\n"))
	if !bytes.HasPrefix(first, []byte("#!")) {
		return ""
	}
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0 && emptyScriptShell(first):
		return S6ScriptEmpty
	case bytes.Contains(body, []byte(`kill -s "${0##*/SIG}"`)) && bytes.Contains(body, []byte(`"${0}.s6-linux-init"`)):
		return S6ScriptCMD
	}
	f := strings.Fields(string(body))
	if len(f) < 2 || !strings.HasSuffix(f[0], "/s6-linux-init-shutdown") && f[0] != "s6-linux-init-shutdown" {
		return ""
	}
	what := ""
	for _, a := range f[1:] {
		switch a {
		case "-a":
		case "-h", "-r", "-p":
			if what != "" {
				return ""
			}
			what = a[1:]
		case "--", "now":
		default:
			return ""
		}
	}
	if what == "" {
		return ""
	}
	return S6ScriptShutdown + what
}

// What S6Files records for one file.
const (
	S6Executable    = "executable"
	S6Absent        = "absent"
	S6NotExecutable = "not executable" // s6-svscan falls back to its default
)

// s6Names are the files of .s6-svscan/ that decide what a stop does (a
// script for each signal s6-svscan catches and acts on by name):
// crash is what s6-svscan execs when it cannot exec finish (a finish
// without an execute bit makes it exit 111 when there is no crash).
var s6Names = []string{"SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGPWR", "SIGWINCH", "finish", "crash"}

// File says what was found for name, or why it is unknown.
func (f *S6Files) File(name string) string {
	switch {
	case f == nil:
		return "unknown: the scan directory was not read"
	case f.Err != "":
		return "unknown: " + f.Err
	}
	if v, ok := f.Files[name]; ok {
		return v
	}
	return "unknown: not read"
}

// readS6Files looks, without following any symlink and without leaving
// the scan directory (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, so a
// file a container controls cannot point sigview elsewhere), at the files
// of s6Names in .s6-svscan/ below the process's working directory, and
// reads at most maxS6Script bytes of each executable SIG* script, to tell
// s6-linux-init's own scripts.
func readS6Files(pr Proc) *S6Files {
	out := &S6Files{Files: map[string]string{}}
	dir, err := unix.Open(pr.path("cwd"), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		out.Err = fmt.Sprintf("its working directory (the scan directory) is unreadable: %v", err)
		return out
	}
	defer unix.Close(dir)
	root := procRootFS(pr)
	for _, name := range s6Names {
		out.Files[name] = s6File(dir, ".s6-svscan/"+name)
		if out.Files[name] == S6Executable && strings.HasPrefix(name, "SIG") {
			// Beneath the working directory, bounded: s6File refused a
			// symlink on the way; what is read is only matched.
			if b, err := root.read(".s6-svscan/"+name, maxS6Script); err == nil {
				if out.Scripts == nil {
					out.Scripts = map[string]string{}
				}
				out.Scripts[name] = s6Script(b)
			}
		}
	}
	for _, m := range s6OverlayMarks {
		if ok, err := root.exists(m); err == nil && ok {
			out.Overlay = m
			break
		}
	}
	return out
}

func s6File(dir int, rel string) string {
	fd, err := unix.Openat2(dir, rel, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	switch {
	case errors.Is(err, syscall.ENOENT):
		return S6Absent
	case errors.Is(err, syscall.ELOOP):
		return "unknown: " + rel + " is or passes through a symlink, which sigview does not follow"
	case err != nil:
		return fmt.Sprintf("unknown: %s: %v", rel, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Sprintf("unknown: %s: %v", rel, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Mode&0o111 == 0 {
		return S6NotExecutable
	}
	return S6Executable
}

// S6Service is what an s6-supervise process under an s6-svscan namespace
// init reads from its service directory (its working directory) when it
// stops its service (s6-supervise(8), s6 2.11 s6-supervise.c): the signal
// it sends, and how long it waits before SIGKILL.
type S6Service struct {
	// Dir is the service directory as s6-svscan named it (argv[1]).
	Dir string
	// Log reports a logger's supervisor (Dir ends in /log): s6-svscan
	// sends it SIGHUP on TERM, not SIGTERM, and it waits for the logger
	// to see the end of its input. Special reports s6-svscan's catch-all
	// logger (Dir is s6-svscan-log), whose input is s6-svscan's own
	// output; it too gets SIGHUP on TERM (s6-svscan.c: killthem).
	Log, Special bool
	// DownSignal is down-signal's signal (SIGTERM without the file, or
	// when it is unreadable as a signal, as s6-supervise does);
	// DownSignalSet reports the file gave it.
	DownSignal    Signal
	DownSignalSet bool
	// TimeoutKill is timeout-kill in milliseconds: SIGKILL that long after
	// the down signal; 0 (no file) waits without a limit.
	TimeoutKill int
	// Finish is what was found for the finish script (S6Executable, …):
	// run after the service dies, for at most TimeoutFinish milliseconds
	// (5000 without the file, or when it is no number, as s6-supervise
	// reads it; 0 is without a limit). TimeoutFinishSet reports the file
	// gave it.
	Finish           string
	TimeoutFinish    int
	TimeoutFinishSet bool
	// Err says why the service directory is unknown ("" if it was read).
	Err string
}

// s6Supervised reports whether p is an s6-supervise whose parent is an
// s6-svscan namespace init, and reads its service directory: its service
// (p's children) is then read in depth too, since the stop's fate is its.
func (snap *Snapshot) s6Supervised(p *Process, fs FS) bool {
	parent := snap.byPID[p.Status.PPid.V]
	if p.Status.Name != "s6-supervise" || parent == nil || Identify(parent) != ProgS6Svscan {
		return false
	}
	if isInit, ok := parent.Status.IsInit(); !ok || !isInit || !fs.Live {
		return false
	}
	p.S6Service = readS6Service(fs.Proc(p.PID), p.Cmdline)
	// A logged service's children may hold its logger's input open: link
	// them (statuses only; every process's is read).
	for _, c := range snap.childrenOf(p) {
		c = snap.own(c) // share.go
		c.Children = snap.childrenOf(c)
	}
	return true
}

// readS6Service reads down-signal (its first 15 bytes up to a newline, as
// s6-supervise reads it), timeout-kill, timeout-finish and the finish
// script's mode from the service directory, beneath the process's working
// directory (rootFS: nothing outside its root is reached).
func readS6Service(pr Proc, argv []string) *S6Service {
	out := &S6Service{DownSignal: SIGTERM, Finish: S6Absent, TimeoutFinish: 5000}
	if len(argv) > 1 {
		out.Dir = argv[1]
		out.Log = strings.HasSuffix(strings.TrimRight(argv[1], "/"), "/log")
		out.Special = argv[1] == "s6-svscan-log"
	}
	fs := procRootFS(pr)
	line := func(name string, n int) (string, bool, error) {
		b, err := fs.read(name, 4096)
		if errors.Is(err, syscall.ENOENT) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		b = b[:min(len(b), n)]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[:i]
		}
		return string(b), true, nil
	}
	if v, ok, err := line("down-signal", 15); err != nil {
		out.Err = "down-signal: " + reason(err)
	} else if ok {
		if s, err := ParseSignal(v); err == nil {
			out.DownSignal, out.DownSignalSet = s, true
		}
	}
	if v, ok, err := line("timeout-kill", 11); err != nil {
		out.Err = "timeout-kill: " + reason(err)
	} else if n, perr := strconv.ParseUint(v, 10, 32); ok && perr == nil {
		out.TimeoutKill = int(n)
	}
	if v, ok, err := line("timeout-finish", 11); err != nil {
		out.Err = "timeout-finish: " + reason(err)
	} else if n, perr := strconv.ParseUint(v, 10, 32); ok && perr == nil {
		out.TimeoutFinish, out.TimeoutFinishSet = int(n), true
	}
	if dir, err := unix.Open(pr.path("cwd"), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
		out.Finish = "unknown: " + reason(err)
	} else {
		out.Finish = s6File(dir, "finish")
		unix.Close(dir)
	}
	return out
}
