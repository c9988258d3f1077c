package procinspect

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// SupervisordConf is what a supervisord namespace init's configuration
// file (its -c/--configuration) says of how it stops its programs: on
// SIGTERM, SIGINT or SIGQUIT it sends each program its stopsignal and
// SIGKILLs it after stopwaitsecs (supervisord(1), "[program:x] Section").
type SupervisordConf struct {
	// Path is the file as its command line names it, read inside the
	// init's own root (/proc/PID/root); "" when none was named.
	Path string
	// Programs are its [program:NAME] sections, in file order.
	Programs []SupervisordProgram
	// Includes reports an [include] section: its files are not read, so
	// programs defined there are unknown.
	Includes bool
	// Err says why the file could not be read ("" if it was).
	Err string
}

// SupervisordProgram is one [program:NAME] section.
type SupervisordProgram struct {
	Name    string
	Command string
	// StopSignal is stopsignal (TERM when the section has none);
	// StopSignalSet reports that the section gave it.
	StopSignal    Signal
	StopSignalSet bool
	// StopWaitSecs is stopwaitsecs (10 when the section has none).
	StopWaitSecs    int
	StopWaitSecsSet bool
}

// maxSupervisordConf bounds the configuration file read.
const maxSupervisordConf = 1 << 20

// readSupervisordConf reads the configuration file supervisord's command
// line names, resolved inside the process's own root (openat2
// RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS: ".." and symlinks stop at that
// root, so a file the container controls cannot point sigview at the
// host's files), at most maxSupervisordConf bytes. No [include] is
// followed.
func readSupervisordConf(pr Proc, argv []string) *SupervisordConf {
	out := &SupervisordConf{}
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "-c" || a == "--configuration":
			if i+1 < len(argv) {
				out.Path = argv[i+1]
			}
			i++
		case strings.HasPrefix(a, "--configuration="):
			out.Path = strings.TrimPrefix(a, "--configuration=")
		case strings.HasPrefix(a, "-c") && len(a) > 2:
			out.Path = a[2:]
		}
	}
	switch {
	case out.Path == "":
		out.Err = "its command line names no configuration file (-c), and the places supervisord searches are not looked at"
		return out
	case !strings.HasPrefix(out.Path, "/"):
		out.Err = fmt.Sprintf("-c %s is relative to the directory supervisord started in, which is not known", Printable(out.Path))
		return out
	}
	b, err := readInRoot(pr.path("root"), out.Path, maxSupervisordConf)
	if err != nil {
		out.Err = fmt.Sprintf("%s (inside its root): %s", Printable(out.Path), reason(err))
		return out
	}
	parseSupervisordConf(b, out)
	return out
}

// readInRoot reads path, resolved inside the directory root, up to max
// bytes (more is an error).
func readInRoot(root, path string, max int64) ([]byte, error) {
	rfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(rfd)
	fd, err := unix.Openat2(rfd, strings.TrimPrefix(path, "/"), &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_NOCTTY | unix.O_NONBLOCK | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if errors.Is(err, unix.ENOSYS) {
		return nil, errors.New("the kernel has no openat2 (5.6+), so the path cannot be confined to its root")
	}
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d KiB", max>>10)
	}
	return b, nil
}

// parseSupervisordConf reads the [program:NAME] sections' command,
// stopsignal and stopwaitsecs as supervisor's ConfigParser does (keys
// case-insensitive, "=" or ":", ";" and "#" comments at a line's start or
// " ;" inline). A value it cannot read is left at supervisord's default,
// unset.
func parseSupervisordConf(b []byte, out *SupervisordConf) {
	var cur *SupervisordProgram
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), maxSupervisordConf)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == ';' || line[0] == '#' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			sec := strings.TrimSpace(line[1 : len(line)-1])
			cur = nil
			switch {
			case strings.HasPrefix(sec, "program:"):
				out.Programs = append(out.Programs, SupervisordProgram{Name: strings.TrimPrefix(sec, "program:"), StopSignal: SIGTERM, StopWaitSecs: 10})
				cur = &out.Programs[len(out.Programs)-1]
			case sec == "include":
				out.Includes = true
			}
			continue
		}
		if cur == nil {
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			continue
		}
		key, val := strings.ToLower(strings.TrimSpace(line[:i])), strings.TrimSpace(line[i+1:])
		if j := strings.Index(val, " ;"); j >= 0 {
			val = strings.TrimSpace(val[:j])
		}
		switch key {
		case "command":
			cur.Command = val
		case "stopsignal":
			if s, err := ParseSignal(val); err == nil {
				cur.StopSignal, cur.StopSignalSet = s, true
			}
		case "stopwaitsecs":
			if n, err := strconv.Atoi(val); err == nil && n >= 0 {
				cur.StopWaitSecs, cur.StopWaitSecsSet = n, true
			}
		}
	}
}

// Program finds the section that runs the process with argv: the one
// whose command is argv (split on white space), else the only section.
// ok is false when none or several could.
func (c *SupervisordConf) Program(argv []string) (SupervisordProgram, bool) {
	if c == nil || c.Err != "" || c.Includes {
		return SupervisordProgram{}, false
	}
	for _, p := range c.Programs {
		if len(argv) > 0 && strings.Join(strings.Fields(p.Command), " ") == strings.Join(argv, " ") {
			return p, true
		}
	}
	if len(c.Programs) == 1 {
		return c.Programs[0], true
	}
	return SupervisordProgram{}, false
}
