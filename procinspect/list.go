package procinspect

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"unsafe"
)

// entry is one PID directory of a procfs listing, with the inode number
// the directory entry reports.
type entry struct {
	pid int
	ino uint64
}

// listProcs lists the PID directories under root, by PID, with their inode
// numbers (d_ino). On a live procfs the number is the /proc/PID inode's,
// which the kernel makes when it first needs one for that process and
// keeps while the process lives and the inode stays cached (see reuse.go
// for why a rescan may trust it).
func listProcs(root string) ([]entry, error) {
	out, err := listEntries(root, 64<<10)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	return out, nil
}

// listTasks lists a process's task directory (dir/task) as listProcs lists
// the procfs: by TID, with each task's inode number, which names the thread
// as the PID directory's names the process (readThreads, quietThread).
func listTasks(dir string) ([]entry, error) {
	path := dir + "/task"
	out, err := listEntries(path, direntBufSize)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return out, nil
}

// direntBufSize is the getdents buffer for a process's own directories
// (task/, fd/), pooled (direntBufs): a rescan lists one or two for every
// process it reads in depth.
const direntBufSize = 4 << 10

var direntBufs = sync.Pool{New: func() any { b := make([]byte, direntBufSize); return &b }}

// listEntries reads the numeric entries of a directory with getdents64,
// sorted; the error is the system call's.
func listEntries(root string, bufSize int) ([]entry, error) {
	noteRead(root)
	fd, err := syscall.Open(root, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	var out []entry
	var buf []byte
	if bufSize == direntBufSize {
		bp := direntBufs.Get().(*[]byte)
		defer direntBufs.Put(bp)
		buf = *bp
	} else {
		buf = make([]byte, bufSize)
	}
	for {
		n, err := syscall.Getdents(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		out = appendDirents(out, buf[:n])
	}
	sortEntries(out)
	return out, nil
}

// sortEntries sorts entries by PID.
func sortEntries(out []entry) {
	slices.SortFunc(out, func(a, b entry) int { return cmp.Compare(a.pid, b.pid) })
}

// Offsets in struct linux_dirent64: d_ino, d_reclen, d_name.
const (
	direntIno    = int(unsafe.Offsetof(syscall.Dirent{}.Ino))
	direntReclen = int(unsafe.Offsetof(syscall.Dirent{}.Reclen))
	direntName   = int(unsafe.Offsetof(syscall.Dirent{}.Name))
)

// appendDirents appends the numeric names among the linux_dirent64 records
// in b.
func appendDirents(out []entry, b []byte) []entry {
	// The fields are read from the bytes: a *syscall.Dirent over the last
	// record would reach past the buffer (its Name is 256 bytes), which
	// the race detector's pointer checks refuse.
	for len(b) >= direntName {
		rl := int(binary.NativeEndian.Uint16(b[direntReclen:]))
		if rl < direntName || rl > len(b) {
			break
		}
		name := b[direntName:rl]
		l := 0
		for l < len(name) && name[l] != 0 {
			l++
		}
		if pid, ok := atoiPID(name[:l]); ok {
			out = append(out, entry{pid: pid, ino: binary.NativeEndian.Uint64(b[direntIno:])})
		}
		b = b[rl:]
	}
	return out
}

// atoiPID parses a PID directory's name: decimal digits, no sign, no
// leading zero, above 0.
func atoiPID(s []byte) (int, bool) {
	if len(s) == 0 || len(s) > 10 || s[0] == '0' {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(string(s))
	return n, err == nil && n > 0
}
