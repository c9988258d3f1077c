package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A place is a path as one filesystem view sees it: Path is resolved
// inside the directory Root and never leaves it. The host's files are
// seen from the host's root (Options.Root); a path a daemon's command line
// names is seen from that daemon's own root (Daemon.Root), so a daemon in a
// container describes files of its own container, and no daemon's flag
// (--data-root /proc/self/root/…, a symlink in its store) reaches a file
// it could not see itself.
type place struct {
	Root string // a directory in sigview's view: "/", "/host", "/proc/self/fd/7"
	Show string // how Root is named to a person: "", "/host", "/proc/4260/root"
	Path string // absolute, as seen from Root
}

// String is the place as a person reads it in Files and Notes.
func (p place) String() string {
	if p.Show == "" || p.Show == "/" {
		return p.Path
	}
	return filepath.Join(p.Show, p.Path)
}

func (p place) join(elem ...string) place {
	p.Path = filepath.Join(append([]string{p.Path}, elem...)...)
	return p
}

// errNoOpenat2 is why a place cannot be opened on a kernel without
// openat2 (before 5.6): sigview does not resolve a path it cannot confine.
var errNoOpenat2 = errors.New("the kernel has no openat2 (5.6+), so this path cannot be confined to its root")

// open opens the place with flags, resolving every component inside Root:
// ".." and absolute symlinks stop at Root (RESOLVE_IN_ROOT), and no
// /proc magic link (/proc/PID/root, /proc/self/fd/N) is crossed
// (RESOLVE_NO_MAGICLINKS).
func (p place) open(flags int) (*os.File, error) {
	root := p.Root
	if root == "" {
		root = "/"
	}
	rfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p.String(), Err: err}
	}
	defer unix.Close(rfd)
	fd, err := unix.Openat2(rfd, strings.TrimPrefix(p.Path, "/"), &unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC),
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if errors.Is(err, unix.ENOSYS) {
		err = errNoOpenat2
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p.String(), Err: err}
	}
	return os.NewFile(uintptr(fd), p.String()), nil
}

// isDir reports whether the place is a directory.
func (p place) isDir() bool {
	f, err := p.open(unix.O_PATH | unix.O_DIRECTORY)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// readDir lists the place's directory.
func (p place) readDir() ([]os.DirEntry, error) {
	f, err := p.open(unix.O_RDONLY | unix.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// openRegular opens the place for reading if it is a regular file, never
// blocking (O_NONBLOCK: a FIFO) and never following a final symlink
// (O_NOFOLLOW), which a store's owner could plant to stall or redirect the
// scan.
//
// A device node is never opened: the file is opened O_PATH (no driver code
// runs), its type checked, and only then opened for reading through
// sigview's own /proc/self/fd, checked to be the same inode. A store inside
// a container (a nested daemon's) may hold a node its root made with mknod:
// opening /dev/watchdog's node and closing it can reboot the host.
// (procinspect's reopenRegular is the same; this package cannot import it.)
func (p place) openRegular() (*os.File, error) {
	pf, err := p.open(unix.O_PATH | unix.O_NOFOLLOW)
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(pf.Fd()), &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%s: not a regular file", p)
	}
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(int(pf.Fd())), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p.String(), Err: err}
	}
	var again unix.Stat_t
	if err := unix.Fstat(fd, &again); err != nil || again.Dev != st.Dev || again.Ino != st.Ino || again.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: not the regular file first opened", p)
	}
	return os.NewFile(uintptr(fd), p.String()), nil
}

// maxFile bounds what sigview reads of one engine file: a file a
// container's owner can write must not exhaust memory.
const maxFile = 16 << 20

// read reads the place, a regular file of at most maxFile bytes.
func (p place) read() ([]byte, error) {
	f, err := p.openRegular()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("%s: larger than %d MiB, not read", p, maxFile>>20)
	}
	return b, nil
}

// inSubdirs returns <p>/<sub>/<rest...> for every subdirectory sub of p
// whose name ends in suffix and that holds that path: the exact names rest
// joined, never matched as a pattern.
func (p place) inSubdirs(suffix string, rest ...string) []place {
	ents, err := p.readDir()
	if err != nil {
		return nil
	}
	var out []place
	for _, e := range ents {
		if !e.IsDir() || !strings.HasSuffix(e.Name(), suffix) {
			continue
		}
		q := p.join(append([]string{e.Name()}, rest...)...)
		if f, err := q.open(unix.O_PATH | unix.O_NOFOLLOW); err == nil {
			f.Close()
			out = append(out, q)
		}
	}
	return out
}
