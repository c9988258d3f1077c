package procinspect

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// SupervisordConf is what a supervisord namespace init's configuration
// says of how it stops its programs: on SIGTERM, SIGINT or SIGQUIT it sends
// each program its stopsignal and SIGKILLs it after stopwaitsecs
// (supervisord(1), "[program:x] Section"). The file is the one supervisord
// itself read: its -c/--configuration, else the first of its default
// paths that exists (supervisor/options.py, Options.searchpaths), with the
// files its [include] section names.
type SupervisordConf struct {
	// Path is the main file, as supervisord named it: absolute inside the
	// init's own root (/proc/PID/root), or relative to its working
	// directory; "" when none was found.
	Path string
	// Found says how Path was chosen: "its -c", or "the first of
	// supervisord's default paths that exists".
	Found string
	// Included are the files [include] added, in the order read.
	Included []string
	// Programs are its [program:NAME], [eventlistener:NAME] and
	// [fcgi-program:NAME] sections, merged over every file
	// read as supervisor's ConfigParser merges them, in order of first
	// appearance.
	Programs []SupervisordProgram
	// Err says why the configuration is unknown ("" if it was read).
	Err string
	// IncludeErr says why some of the files [include] names could not be
	// read ("" if all were): a program may come from one of them, so no
	// program is matched.
	IncludeErr string
}

// SupervisordProgram is one [program:NAME], [eventlistener:NAME] or
// [fcgi-program:NAME] section.
type SupervisordProgram struct {
	// Kind is "program", "eventlistener" or "fcgi-program".
	Kind    string
	Name    string
	Command string
	// Group is its group_name: the [group:G] that names it, else Name.
	Group string
	// StopAsGroup sends the stop signal to the program's process group
	// (supervisord makes each program a process group leader), and
	// KillAsGroup the SIGKILL after stopwaitsecs (process.py: kill).
	StopAsGroup, KillAsGroup bool
	// AsGroupUnknown says why stopasgroup or killasgroup is unknown ("" if
	// known): a value with a %(...)s, which supervisord expands (from its
	// environment, ENV_*) and sigview does not.
	AsGroupUnknown string
	// File is the file that first defined the section.
	File string
	// StopSignal is stopsignal (TERM when the section has none);
	// StopSignalSet reports that the section gave it.
	StopSignal    Signal
	StopSignalSet bool
	// StopWaitSecs is stopwaitsecs (10 when the section has none).
	StopWaitSecs    int
	StopWaitSecsSet bool
	// NumProcs is numprocs (1 by default): supervisord runs that many
	// processes of the section, numbered from NumProcsStart (0).
	NumProcs, NumProcsStart int
}

// Bounds of what is read: each file, and every file together.
const (
	maxSupervisordConf  = 1 << 20
	maxSupervisordTotal = 4 << 20
)

// supervisordOpts is supervisord's command line as Python's getopt reads
// it (supervisor/options.py: ServerOptions): it stops at the first
// argument that is no option.
var supervisordOpts = getoptSpec{short: "h?c:vnu:m:d:l:y:z:e:j:i:q:a:kts", stopAtArg: true, long: map[string]byte{
	"help": 'h', "configuration": 'c', "version": 'v', "nodaemon": 'n', "user": 'u', "umask": 'm',
	"directory": 'd', "logfile": 'l', "logfile_maxbytes": 'y', "logfile_backups": 'z', "loglevel": 'e',
	"pidfile": 'j', "identifier": 'i', "childlogdir": 'q', "minfds": 'a', "nocleanup": 'k',
	"strip_ansi": 't', "silent": 's'}}

// readSupervisordConf finds and reads supervisord's configuration the way
// it did, inside its own root (rootFS: a file the container controls can
// never point sigview at the host's files). A supervisord namespace init
// runs in the foreground, which is when it never changes directory, so its
// working directory is the one relative paths were found from.
func readSupervisordConf(pr Proc, argv []string) *SupervisordConf {
	return readSupervisordFrom(procRootFS(pr), argv)
}

func readSupervisordFrom(fs rootFS, argv []string) *SupervisordConf {
	out := &SupervisordConf{}
	script := -1
	for i, a := range argv {
		if filepath.Base(a) == "supervisord" {
			script = i
			break
		}
	}
	if script < 0 {
		out.Err = "its command line names no supervisord script (python -m?), so where it looked for its configuration is not known"
		return out
	}
	supervisordOpts.each(argv[script:], func(opt byte, arg, _ string) {
		if opt == 'c' {
			out.Path, out.Found = arg, "its -c"
		}
	})
	if out.Path == "" {
		// Options.searchpaths: here is the script's directory's parent.
		here := pyDirname(pyDirname(argv[script]))
		paths := []string{pyJoin(here, "etc", "supervisord.conf"), pyJoin(here, "supervisord.conf"),
			"supervisord.conf", "etc/supervisord.conf", "/etc/supervisord.conf", "/etc/supervisor/supervisord.conf"}
		for _, p := range paths {
			ok, err := fs.exists(p)
			if err != nil {
				// supervisord may have taken it: what comes after is no answer.
				out.Err = fmt.Sprintf("whether %s, one of supervisord's default paths, exists is unknown: %s", Printable(p), reason(err))
				return out
			}
			if ok {
				out.Path = p
				out.Found = "the first of supervisord's default paths that exists"
				break
			}
		}
		if out.Path == "" {
			out.Err = "no -c, and none of supervisord's default paths exists inside its root (" + strings.Join(paths, ", ") + ")"
			return out
		}
	}
	b, err := fs.read(out.Path, maxSupervisordConf)
	if err != nil {
		out.Err = fmt.Sprintf("%s (inside its root): %s", Printable(out.Path), reason(err))
		return out
	}
	base := pyDirname(absInRoot(fs, out.Path))
	cf := parseIni(b)
	cf.hereIs(base)
	if files, ok := cf.get("include", "files"); ok {
		out.readIncludes(fs, &cf, base, files, len(b))
	}
	out.Programs = cf.programs(out.Path)
	return out
}

// absInRoot is os.path.abspath of path as supervisord saw it: relative
// paths are from its working directory, whose path inside the root is
// known only when it is the root itself.
func absInRoot(fs rootFS, path string) string {
	if strings.HasPrefix(path, "/") {
		return path
	}
	if same, err := sameFile(fs.root, fs.cwd); err == nil && same {
		return "/" + path
	}
	return path
}

// readIncludes reads the files an [include] section's files= names, as
// supervisord does: whitespace-separated globs relative to the main file's
// directory, each expanded and sorted, read in order, one level deep
// (an included file's own [include] is not followed).
func (out *SupervisordConf) readIncludes(fs rootFS, cf *iniFile, base, files string, total int) {
	var problems []string
	for _, pat := range strings.Fields(files) {
		if strings.Contains(strings.ReplaceAll(pat, "%%", ""), "%(") {
			problems = append(problems, fmt.Sprintf("%s names an expansion (%%(ENV_…)s, %%(host_node_name)s) sigview does not know", Printable(pat)))
			continue
		}
		names, err := fs.glob(pyJoin(base, strings.ReplaceAll(pat, "%%", "%")))
		if err != nil {
			problems = append(problems, reason(err))
			continue
		}
		for _, n := range names {
			if len(out.Included) >= maxGlobFiles {
				problems = append(problems, fmt.Sprintf("more than %d included files", maxGlobFiles))
				break
			}
			b, err := fs.read(n, min(maxSupervisordConf, int64(maxSupervisordTotal-total)))
			switch {
			case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EACCES), err != nil && err.Error() == "not a regular file":
				continue // supervisord's parser skips a file it cannot open
			case err != nil:
				problems = append(problems, fmt.Sprintf("%s: %s", Printable(n), reason(err)))
				continue
			}
			total += len(b)
			out.Included = append(out.Included, n)
			inc := parseIni(b)
			inc.hereIs(pyDirname(n))
			cf.merge(inc, n)
		}
	}
	if len(problems) > 0 {
		out.IncludeErr = "[include] in " + Printable(out.Path) + ": " + strings.Join(problems, "; ")
	}
}

// maxSupervisordPrograms bounds the sections Program tries for a child
// (each for each of its numprocs, at most maxGlobFiles): more is not
// followed, so a container's config cannot make a scan's work grow with its
// size times 64.
const maxSupervisordPrograms = 256

// Program finds the section that runs the process with argv: the one
// whose command, expanded for each of its numprocs, is argv (split as
// shlex does), else the only section (assumed true). ok is false when none
// or several could, and when an included file could not be read.
func (c *SupervisordConf) Program(argv []string) (SupervisordProgram, bool) {
	p, _, ok := c.ProgramFor(argv, 1)
	return p, ok
}

// ProgramFor is Program for one of leaders processes supervisord may have
// started (its children that lead their own process group): the only
// section is taken for a process whose command matches none (assumed) only
// when it runs at least that many processes, so no two children are both
// taken for one process of it.
func (c *SupervisordConf) ProgramFor(argv []string, leaders int) (p SupervisordProgram, assumed, ok bool) {
	if c == nil || c.Err != "" || c.IncludeErr != "" || len(c.Programs) > maxSupervisordPrograms {
		return SupervisordProgram{}, false, false
	}
	want := strings.Join(argv, "\x00")
	for _, p := range c.Programs {
		for n := p.NumProcsStart; n < p.NumProcsStart+max(p.NumProcs, 1) && n < p.NumProcsStart+maxGlobFiles; n++ {
			cmd, ok := pyFormat(p.Command, map[string]any{"program_name": p.Name, "group_name": p.Group, "process_num": n, "numprocs": p.NumProcs})
			if words, err := shlexSplit(cmd); ok && err == nil && len(argv) > 0 && strings.Join(words, "\x00") == want {
				return p, false, true
			}
		}
	}
	if len(c.Programs) == 1 && leaders <= max(c.Programs[0].NumProcs, 1) {
		return c.Programs[0], true, true
	}
	return SupervisordProgram{}, false, false
}

// Section is the section's header, as in the file: [program:NAME].
func (p SupervisordProgram) Section() string {
	kind := p.Kind
	if kind == "" {
		kind = "program"
	}
	return "[" + kind + ":" + Printable(p.Name) + "]"
}
