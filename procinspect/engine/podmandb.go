package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// podmanDBTimeout bounds the wait for podman's database lock: podman holds
// it exclusively only while one of its commands has the database open.
const podmanDBTimeout = 250 * time.Millisecond

// podmanCtrConfig is the part of libpod's ContainerConfig (stored as JSON
// under ctr/<id>/config in bolt_state.db) sigview reads.
type podmanCtrConfig struct {
	StopSignal  *uint `json:"stopSignal"`
	StopTimeout *uint `json:"stopTimeout"`
}

// podmanDB reads the stop timeout (and the stop signal, where config.json
// has none) from podman's bolt database: podman 4.3 keeps --stop-timeout
// nowhere else on disk. The database is opened read-only, which takes a
// shared lock for the few milliseconds of the read.
func podmanDB(m *Metadata, roots []place) {
	var f *os.File
	for _, r := range roots {
		var err error
		if f, err = r.join("libpod", "bolt_state.db").openRegular(); err == nil {
			break
		}
	}
	if f == nil {
		m.note("stop timeout unknown: no libpod/bolt_state.db under the storage roots; podman default 10 s assumed")
		return
	}
	defer f.Close()
	p := f.Name()
	// bbolt maps its file into memory and trusts it: a rootless store's
	// owner could truncate the file under the map (SIGBUS, which no
	// recover catches) or grow it without bound. sigview reads a private
	// copy, taken under podman's own shared lock, at most maxFile bytes.
	cp, why := privateCopy(f)
	if cp == nil {
		m.note("stop timeout unknown: " + p + ": " + why + "; podman default 10 s assumed")
		return
	}
	defer cp.Close()
	fdPath := "/proc/self/fd/" + strconv.Itoa(int(cp.Fd()))
	// A corrupt page can panic bbolt: a file a user can write is no reason
	// for sigview to crash, only an unknown.
	defer func() {
		if r := recover(); r != nil {
			m.note(fmt.Sprintf("stop timeout unknown: %s is corrupt (%v); podman default 10 s assumed", p, r))
		}
	}()
	db, err := bolt.Open(fdPath, 0, &bolt.Options{ReadOnly: true, Timeout: podmanDBTimeout})
	if err != nil {
		m.note("stop timeout unknown: " + p + ": " + err.Error() + "; podman default 10 s assumed")
		return
	}
	defer db.Close()
	var raw []byte
	err = db.View(func(tx *bolt.Tx) error {
		if ctrs := tx.Bucket([]byte("ctr")); ctrs != nil {
			if c := ctrs.Bucket([]byte(m.ID)); c != nil {
				raw = append([]byte(nil), c.Get([]byte("config"))...)
			}
		}
		return nil
	})
	if err != nil || raw == nil {
		m.note("stop timeout unknown: no ctr/" + m.ID + "/config in " + p + "; podman default 10 s assumed")
		return
	}
	m.Files = append(m.Files, p)
	var c podmanCtrConfig
	if err := json.Unmarshal(raw, &c); err != nil {
		m.note("stop timeout unknown: ctr/" + m.ID + "/config in " + p + ": " + err.Error())
		return
	}
	from := "ctr/" + m.ID + "/config in " + p
	if c.StopTimeout != nil {
		m.StopTimeout = Seconds{Value: int64(*c.StopTimeout), Known: true, From: "stopTimeout in " + from}
	} else {
		m.note("stop timeout unknown: no stopTimeout in " + from + "; podman default 10 s assumed")
	}
	if c.StopSignal != nil && m.StopSignalFrom == "" {
		s, _ := signalName(strconv.FormatUint(uint64(*c.StopSignal), 10))
		m.StopSignal, m.StopSignalFrom = s, "stopSignal in "+from
	}
}

// privateCopy copies the database f into an anonymous memory file of
// sigview's own, holding f's shared lock (the one bbolt's readers take;
// podman holds it exclusively only while one of its commands writes) for
// at most podmanDBTimeout. It returns nil and why when it cannot.
func privateCopy(f *os.File) (*os.File, string) {
	fd := int(f.Fd())
	for deadline := time.Now().Add(podmanDBTimeout); ; {
		err := unix.Flock(fd, unix.LOCK_SH|unix.LOCK_NB)
		if err == nil {
			break
		}
		if err != unix.EWOULDBLOCK || time.Now().After(deadline) {
			return nil, "locked (a running podman command holds it): " + err.Error()
		}
		time.Sleep(10 * time.Millisecond)
	}
	defer unix.Flock(fd, unix.LOCK_UN)
	mfd, err := unix.MemfdCreate("sigview-podman-db", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, "no memory file for a private copy: " + err.Error()
	}
	cp := os.NewFile(uintptr(mfd), "sigview-podman-db")
	n, err := io.Copy(cp, io.LimitReader(f, maxFile+1))
	switch {
	case err != nil:
		cp.Close()
		return nil, err.Error()
	case n > maxFile:
		cp.Close()
		return nil, fmt.Sprintf("larger than %d MiB, not read", maxFile>>20)
	}
	return cp, ""
}
