package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
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
	// bbolt opens a path: the one of the file already opened inside its
	// root, so that no link is followed a second time.
	fdPath := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	// bbolt trusts its file: a corrupt page can panic it. A file a user can
	// write is no reason for sigview to crash, only an unknown.
	defer func() {
		if r := recover(); r != nil {
			m.note(fmt.Sprintf("stop timeout unknown: %s is corrupt (%v); podman default 10 s assumed", p, r))
		}
	}()
	db, err := bolt.Open(fdPath, 0, &bolt.Options{ReadOnly: true, Timeout: podmanDBTimeout})
	if err != nil {
		m.note("stop timeout unknown: " + p + ": " + err.Error() + " (a running podman command holds it); podman default 10 s assumed")
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
