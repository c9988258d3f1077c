package procinspect

// Files a container controls, read the way its process would find them,
// without ever leaving its root: absolute paths resolve inside
// /proc/PID/root (openat2 RESOLVE_IN_ROOT: ".." and absolute symlinks stop
// at that root), relative ones from /proc/PID/cwd. Nothing here follows a
// magic link, reads more than it is allowed, or lists more than a bound.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// rootFS is a process's view of its files: root and cwd are its
// /proc/PID/root and /proc/PID/cwd.
type rootFS struct{ root, cwd string }

func procRootFS(pr Proc) rootFS { return rootFS{root: pr.path("root"), cwd: pr.path("cwd")} }

// Bounds of a directory listing and a glob.
const (
	maxDirNames  = 4096
	maxGlobFiles = 64
)

// open opens path with flags: an absolute path inside the root, a relative
// one from the working directory, beneath it (RESOLVE_BENEATH: an absolute
// symlink or a ".." out of it is refused), or inside the root when the
// working directory is the root itself.
func (r rootFS) open(path string, flags int) (int, error) {
	base, resolve := r.root, uint64(unix.RESOLVE_IN_ROOT)
	rel := strings.TrimLeft(path, "/")
	if !strings.HasPrefix(path, "/") {
		same, err := sameFile(r.root, r.cwd)
		if err != nil {
			return -1, fmt.Errorf("its working directory: %w", err)
		}
		if !same {
			base, resolve = r.cwd, unix.RESOLVE_BENEATH
		}
	}
	if rel == "" {
		rel = "."
	}
	dfd, err := unix.Open(base, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	defer unix.Close(dfd)
	extra := unix.O_NOCTTY | unix.O_NONBLOCK | unix.O_CLOEXEC
	if flags&unix.O_PATH != 0 {
		extra = unix.O_CLOEXEC // openat2 refuses anything else with O_PATH
	}
	fd, err := unix.Openat2(dfd, rel, &unix.OpenHow{
		Flags:   uint64(flags | extra),
		Resolve: resolve | unix.RESOLVE_NO_MAGICLINKS,
	})
	switch {
	case errors.Is(err, unix.ENOSYS):
		return -1, errors.New("the kernel has no openat2 (5.6+), so the path cannot be confined to its root")
	case errors.Is(err, unix.EXDEV):
		return -1, fmt.Errorf("%s leaves its working directory (an absolute symlink or ..), which sigview does not follow", path)
	}
	return fd, err
}

func sameFile(a, b string) (bool, error) {
	var sa, sb unix.Stat_t
	if err := unix.Stat(a, &sa); err != nil {
		return false, err
	}
	if err := unix.Stat(b, &sb); err != nil {
		return false, err
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino, nil
}

// exists reports whether path exists (following symlinks inside the
// root), as Python's os.path.exists: a missing file, a symlink loop or a
// refused permission is "no". err is set only when sigview cannot tell:
// the path leads out of the working directory, which it does not follow.
func (r rootFS) exists(path string) (bool, error) {
	fd, err := r.open(path, unix.O_PATH)
	if err == nil {
		unix.Close(fd)
		return true, nil
	}
	for _, no := range []error{unix.ENOENT, unix.ENOTDIR, unix.ELOOP, unix.EACCES, unix.ENAMETOOLONG} {
		if errors.Is(err, no) {
			return false, nil
		}
	}
	return false, err
}

// read reads the regular file path, at most max bytes (more is an error).
func (r rootFS) read(path string, max int64) ([]byte, error) {
	fd, err := r.open(path, unix.O_PATH)
	if err != nil {
		return nil, err
	}
	f, err := reopenRegular(fd, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d KiB", max>>10)
	}
	return b, nil
}

// list returns the names in directory dir, at most maxDirNames.
func (r rootFS) list(dir string) ([]string, error) {
	fd, err := r.open(dir, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), dir)
	defer f.Close()
	names, err := f.Readdirnames(maxDirNames + 1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(names) > maxDirNames {
		return nil, fmt.Errorf("%s has more than %d entries", dir, maxDirNames)
	}
	return names, nil
}

// glob expands pattern as Python's glob.glob does for * and ? (a leading
// dot is matched only by a leading dot; a path without wildcards is
// returned if it exists), sorted, at most maxGlobFiles paths. Bracket
// expressions and backslashes in a wildcard component are refused: Go's
// matching and Python's differ there.
func (r rootFS) glob(pattern string) ([]string, error) {
	comps := strings.Split(pattern, "/")
	prefix := ""
	if strings.HasPrefix(pattern, "/") {
		prefix = "/"
	}
	out := []string{prefix}
	for _, c := range comps {
		if c == "" {
			continue
		}
		if strings.ContainsAny(c, "[\\") && strings.ContainsAny(c, "*?[") {
			return nil, fmt.Errorf("%q: bracket expressions and backslashes in a wildcard are not matched by sigview", pattern)
		}
		var next []string
		for _, dir := range out {
			if !strings.ContainsAny(c, "*?[") {
				next = append(next, pyJoin(dir, c))
				continue
			}
			names, err := r.list(orDot(dir))
			switch {
			case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR), errors.Is(err, unix.EACCES):
				continue // Python's glob skips what it cannot list
			case err != nil:
				return nil, err // what sigview may not list, Python's glob did
			}
			sort.Strings(names)
			for _, n := range names {
				if ok, _ := filepath.Match(c, n); ok && (n[0] != '.' || c[0] == '.') {
					next = append(next, pyJoin(dir, n))
				}
			}
		}
		if len(next) > maxGlobFiles {
			return nil, fmt.Errorf("%q matches more than %d paths", pattern, maxGlobFiles)
		}
		out = next
	}
	var found []string
	for _, p := range out {
		ok, err := r.exists(p)
		if err != nil {
			return nil, err
		}
		if p != "" && ok {
			found = append(found, p)
		}
	}
	sort.Strings(found)
	return found, nil
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// readInRoot reads path, resolved inside the directory root, up to max
// bytes (more is an error).
func readInRoot(root, path string, max int64) ([]byte, error) {
	return rootFS{root: root, cwd: root}.read("/"+strings.TrimLeft(path, "/"), max)
}

// pyDirname is Python's os.path.dirname (posixpath): no cleaning.
func pyDirname(p string) string {
	head := p[:strings.LastIndexByte(p, '/')+1]
	if head != "" && strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head
}

// pyJoin is Python's os.path.join (posixpath): an absolute part restarts
// the path; nothing is cleaned.
func pyJoin(a string, parts ...string) string {
	path := a
	for _, b := range parts {
		switch {
		case strings.HasPrefix(b, "/"):
			path = b
		case path == "" || strings.HasSuffix(path, "/"):
			path += b
		default:
			path += "/" + b
		}
	}
	return path
}

// reopenRegular opens for reading the file that pathFD (an O_PATH
// descriptor, closed here) names, only if it is a regular file: a device
// node is never opened. The path comes from a container, whose root may
// mknod one (docker grants CAP_MKNOD): opening /dev/watchdog's node and
// closing it can reboot the host, a tape rewinds, a serial port drops DTR.
// An O_PATH open runs no driver code; the type is checked on it, and the
// file is then opened through sigview's own /proc/self/fd and checked to be
// the same inode. (procinspect/engine has the same function for its places:
// it cannot import this package.)
func reopenRegular(pathFD int, name string) (*os.File, error) {
	fd, err := reopenRegularFD(pathFD)
	var typ errNotRegular
	if errors.As(err, &typ) {
		return nil, errors.New("not a regular file")
	}
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// reopenRegularFD is reopenRegular's work: the descriptor open for
// reading (O_NONBLOCK, O_NOCTTY), or errNotRegular with the file's type.
func reopenRegularFD(pathFD int) (int, error) {
	defer unix.Close(pathFD)
	var st unix.Stat_t
	if err := unix.Fstat(pathFD, &st); err != nil {
		return -1, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return -1, errNotRegular(st.Mode & unix.S_IFMT)
	}
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(pathFD), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, errSelfFD{err}
	}
	var again unix.Stat_t
	if err := unix.Fstat(fd, &again); err != nil || again.Dev != st.Dev || again.Ino != st.Ino || again.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return -1, errors.New("not the regular file first opened")
	}
	return fd, nil
}

// errSelfFD is a failed reopen through /proc/self/fd: sigview's own /proc
// is not mounted (a minimal container, a chroot) or not its own. It is
// not the file's error: it does not unwrap, so that an ENOENT here is not
// taken for an exited process (Vanished).
type errSelfFD struct{ err error }

func (e errSelfFD) Error() string {
	return "cannot reopen it through /proc/self/fd (" + e.err.Error() + "): reading a --proc tree safely needs sigview's own /proc mounted"
}

// checkSelfFD fails unless a file can be reopened through sigview's own
// /proc/self/fd, as every file of a --proc tree is (reopenRegularFD): it
// reopens root itself and checks it is the same directory. A tree is
// scanned only when it passes, so that a missing /proc fails the scan
// with one clear error instead of every file's read.
func checkSelfFD(root string) error {
	pfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil // the listing reports it
	}
	defer unix.Close(pfd)
	var st, again unix.Stat_t
	if err := unix.Fstat(pfd, &st); err != nil {
		return nil
	}
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(pfd), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err == nil {
		err = unix.Fstat(fd, &again)
		unix.Close(fd)
		if err == nil && (again.Dev != st.Dev || again.Ino != st.Ino) {
			err = errors.New("/proc/self/fd does not name sigview's own descriptors")
		}
	}
	if err != nil {
		return fmt.Errorf("%s: reading a --proc tree safely needs sigview's own /proc mounted (each file is reopened through /proc/self/fd): %v", root, err)
	}
	return nil
}
