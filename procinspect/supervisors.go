package procinspect

import (
	"errors"
	"fmt"
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
}

// What S6Files records for one file.
const (
	S6Executable    = "executable"
	S6Absent        = "absent"
	S6NotExecutable = "not executable" // s6-svscan falls back to its default
)

// s6Names are the files of .s6-svscan/ that decide what a stop does.
var s6Names = []string{"SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "finish"}

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
// of s6Names in .s6-svscan/ below the process's working directory. It
// opens nothing for reading: the files' modes are all it needs.
func readS6Files(pr Proc) *S6Files {
	out := &S6Files{Files: map[string]string{}}
	dir, err := unix.Open(pr.path("cwd"), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		out.Err = fmt.Sprintf("its working directory (the scan directory) is unreadable: %v", err)
		return out
	}
	defer unix.Close(dir)
	for _, name := range s6Names {
		out.Files[name] = s6File(dir, ".s6-svscan/"+name)
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
