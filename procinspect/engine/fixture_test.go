package engine

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, root, path, body string) {
	t.Helper()
	p := filepath.Join(root, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const crioID = "3f1b2c4d5e6f0000000000000000000000000000000000000000000000000000"

// The shape CRI-O writes: an OCI spec with the io.kubernetes.* annotations.
const crioConfig = `{"ociVersion":"1.0.2-dev","process":{"args":["/pause"]},
"annotations":{"io.kubernetes.cri-o.Name":"k8s_web_shop-7d_prod_1234_0",
"io.kubernetes.cri-o.ImageName":"registry.example/shop:1.2",
"io.kubernetes.pod.name":"shop-7d","io.kubernetes.pod.namespace":"prod",
"io.kubernetes.pod.uid":"0b9c-uid","io.kubernetes.container.name":"web",
"io.kubernetes.pod.terminationGracePeriod":"45",
"org.opencontainers.image.stopSignal":"SIGQUIT"}}`

func TestCRIOFixture(t *testing.T) {
	root := t.TempDir()
	write(t, root, "/run/containers/storage/overlay-containers/"+crioID+"/userdata/config.json", crioConfig)
	m := Lookup("cri-o", crioID, Options{Root: root})
	want := Metadata{Name: "k8s_web_shop-7d_prod_1234_0", Image: "registry.example/shop:1.2", StopSignal: "SIGQUIT",
		Pod: Pod{Namespace: "prod", Name: "shop-7d", UID: "0b9c-uid"}, ContainerName: "web"}
	if m.Name != want.Name || m.Image != want.Image || m.StopSignal != want.StopSignal || m.Pod != want.Pod || m.ContainerName != want.ContainerName {
		t.Errorf("got %+v", m)
	}
	if !m.StopTimeout.Known || m.StopTimeout.Value != 45 || !strings.Contains(m.StopTimeout.From, "terminationGracePeriod") {
		t.Errorf("stop timeout %+v", m.StopTimeout)
	}
}

// The shape cri-dockerd writes: config.v2.json with Kubernetes labels.
const criDockerdID = "abcddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

const criDockerdConfig = `{"ID":"abcddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd","Name":"/k8s_web_shop-7d_prod_1234_0","State":{"Pid":4242},
"Config":{"Image":"sha256:feed","StopSignal":"","Labels":{
"io.kubernetes.pod.name":"shop-7d","io.kubernetes.pod.namespace":"prod","io.kubernetes.pod.uid":"1234",
"io.kubernetes.container.name":"web","annotation.io.kubernetes.pod.terminationGracePeriod":"60",
"io.kubernetes.docker.type":"container"}}}`

func TestCRIDockerdFixture(t *testing.T) {
	root := t.TempDir()
	write(t, root, "/etc/docker/daemon.json", `{"data-root":"/srv/docker"}`)
	write(t, root, "/srv/docker/containers/"+criDockerdID+"/config.v2.json", criDockerdConfig)
	m := Lookup("docker", criDockerdID, Options{Root: root})
	if m.Name != "k8s_web_shop-7d_prod_1234_0" || m.Pod != (Pod{"prod", "shop-7d", "1234"}) || m.ContainerName != "web" || m.Pid != 4242 {
		t.Errorf("got %+v", m)
	}
	if m.StopSignal != "SIGTERM" || !m.StopTimeout.Known || m.StopTimeout.Value != 60 {
		t.Errorf("stop %q %+v", m.StopSignal, m.StopTimeout)
	}
	// hostconfig.json is absent: init unknown, with the reason.
	if m.Init.Known || !strings.Contains(strings.Join(m.Notes, "\n"), "init unknown") {
		t.Errorf("init %+v notes %q", m.Init, m.Notes)
	}
}

func TestPodLogs(t *testing.T) {
	root := t.TempDir()
	uid := "5f0e8b6a-1c2d-4e3f-9a8b-7c6d5e4f3a2b"
	for _, d := range []string{"kube-system_coredns-1_aaaa", "prod_shop-7d_" + uid} {
		if err := os.MkdirAll(filepath.Join(root, "var/log/pods", d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m := Lookup("kubernetes", "c0ffee", Options{Root: root, PodUID: uid})
	if m.Pod != (Pod{"prod", "shop-7d", uid}) {
		t.Errorf("pod %+v notes %q", m.Pod, m.Notes)
	}
	if _, why := LookupPod("nope", Options{Root: root}); why == "" {
		t.Error("an unknown uid has no reason")
	}
}

// hostileID is a well-formed docker ID whose files say hostile things.
const hostileID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestAbsentAndHostile(t *testing.T) {
	root := t.TempDir()
	for _, rt := range []string{"docker", "podman", "cri-o", "containerd", "kubernetes", "lxc"} {
		m := Lookup(rt, "deadbeef"+strings.Repeat("0", 56), Options{Root: root})
		if len(m.Notes) == 0 || m.Name != "" {
			t.Errorf("%s: %+v", rt, m)
		}
	}
	m := Lookup("docker", "../../etc", Options{Root: root})
	if len(m.Files) != 0 || len(m.Notes) == 0 {
		t.Errorf("path escape: %+v", m)
	}
	// A hostile name is kept as it is.
	write(t, root, "/var/lib/docker/containers/"+hostileID+"/config.v2.json", `{"Name":"/\u001b[31mevil\n","Config":{"Image":"i","StopSignal":"SIGBOGUS"}}`)
	m = Lookup("docker", hostileID, Options{Root: root})
	if m.Name != "\x1b[31mevil\n" || m.StopSignal != "SIGBOGUS" {
		t.Errorf("hostile: %q %q", m.Name, m.StopSignal)
	}
}

func TestSignalName(t *testing.T) {
	for in, want := range map[string]string{"2": "SIGINT", "INT": "SIGINT", "sigterm": "SIGTERM",
		// Real-time signals as docker and podman number them (SIGRTMIN = 34).
		"SIGRTMIN+3": "37", "RTMIN": "34", "SIGRTMAX-2": "62", "37": "37"} {
		if got, ok := signalName(in); got != want || !ok {
			t.Errorf("signalName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"SIGRTMIN+31", "SIGRTMIN-1", "RTMAX+1", "NOSUCH", "", "99"} {
		if got, ok := signalName(in); ok {
			t.Errorf("signalName(%q) = %q, ok; want refused", in, got)
		}
	}
}

// TestEmptyTimeoutAnnotation: an empty TimeoutStopUSec annotation (anyone
// can set one) is a note, not a crash.
func TestEmptyTimeoutAnnotation(t *testing.T) {
	for _, v := range []string{"", "   ", "uint64", "uint64 x"} {
		m := Metadata{Runtime: "podman"}
		ociAnnotations(&m, map[string]string{"org.systemd.property.TimeoutStopUSec": v}, "config.json")
		if m.StopTimeout.Known || len(m.Notes) == 0 {
			t.Errorf("TimeoutStopUSec %q: timeout %+v, notes %v; want unknown with a note", v, m.StopTimeout, m.Notes)
		}
	}
}

// TestIDsAreNamesNotPatterns: a container ID from a cgroup path is refused
// unless it is what its engine makes (64 hex digits for docker, podman and
// CRI-O); a containerd ID with a pattern character or a path step is
// refused, and nothing is read for it, though a file matching the pattern
// exists (a cgroup path ending in .../default/* once named another
// container's bundle).
func TestIDsAreNamesNotPatterns(t *testing.T) {
	root := t.TempDir()
	other := "victim"
	write(t, root, "/run/containerd/io.containerd.runtime.v2.task/default/"+other+"/config.json",
		`{"annotations":{"io.kubernetes.cri.container-name":"victim","io.kubernetes.pod.name":"victim-pod"}}`)
	if m := Lookup("containerd", other, Options{Root: root}); len(m.Files) != 1 || m.ContainerName != "victim" {
		t.Fatalf("fixture: the real ID reads nothing: %+v", m)
	}
	for _, c := range []struct{ rt, id string }{
		{"containerd", "*"}, {"containerd", "vic*"}, {"containerd", "v?ctim"}, {"containerd", "[v]ictim"}, {"containerd", ".."},
		{"containerd", "../default/victim"}, {"docker", "victim"}, {"podman", strings.Repeat("A", 64)}, {"cri-o", "*"},
	} {
		m := Lookup(c.rt, c.id, Options{Root: root})
		if len(m.Files) != 0 || m.ContainerName != "" || !strings.Contains(strings.Join(m.Notes, "\n"), "nothing read") {
			t.Errorf("%s ID %q: %+v; want refused, nothing read", c.rt, c.id, m)
		}
	}
}

// TestUserStoresOnlyForTheirUser: a rootless store under /home, which its
// user can write, describes only the containers that user runs; a file
// over the size limit is not read.
func TestUserStoresOnlyForTheirUser(t *testing.T) {
	root := t.TempDir()
	id := strings.Repeat("ab", 32)
	write(t, root, "/home/mallory/.local/share/docker/containers/"+id+"/config.v2.json",
		`{"Name":"/forged","Config":{"Image":"forged","StopSignal":"SIGKILL"}}`)
	home := filepath.Join(root, "home", "mallory")
	if err := filepath.Walk(home, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, 4242, 4242) }); err != nil {
		t.Fatal(err)
	}
	if m := Lookup("docker", id, Options{Root: root, OwnerUID: 1000}); m.Name != "" || len(m.Files) != 0 {
		t.Errorf("uid 4242's store read for a uid 1000 container: %+v", m)
	}
	if m := Lookup("docker", id, Options{Root: root, OwnerUID: -1}); m.Name != "" || len(m.Files) != 0 {
		t.Errorf("uid 4242's store read for a container whose uid is unknown: %+v", m)
	}
	if m := Lookup("docker", id, Options{Root: root, OwnerUID: 4242}); m.Name != "forged" {
		t.Errorf("uid 4242's own container: %+v; want its store read", m)
	}
	big := strings.Repeat("cd", 32)
	write(t, root, "/var/lib/docker/containers/"+big+"/config.v2.json", `{"Name":"/big","Config":{"Image":"`+strings.Repeat("x", maxFile)+`"}}`)
	if m := Lookup("docker", big, Options{Root: root, OwnerUID: -1}); m.Image != "" || !strings.Contains(strings.Join(m.Notes, "\n"), "not read") {
		t.Errorf("a file over %d bytes: image %d bytes, notes %q", maxFile, len(m.Image), m.Notes)
	}
}

// TestCorruptPodmanDB: a garbage bolt_state.db is an unknown stop timeout
// with its reason, never a crash.
func TestCorruptPodmanDB(t *testing.T) {
	root := t.TempDir()
	id := strings.Repeat("ef", 32)
	write(t, root, "/var/lib/containers/storage/overlay-containers/"+id+"/userdata/config.json", `{"annotations":{}}`)
	for _, junk := range []string{strings.Repeat("\xff", 8192), "", strings.Repeat("\x00", 4096) + "\xed\xda\x0c\xed" + strings.Repeat("\x01", 4092)} {
		write(t, root, "/var/lib/containers/storage/libpod/bolt_state.db", junk)
		m := Lookup("podman", id, Options{Root: root, OwnerUID: -1})
		if m.StopTimeout.Known || !strings.Contains(strings.Join(m.Notes, "\n"), "stop timeout unknown") {
			t.Errorf("corrupt db (%d bytes): %+v, notes %q", len(junk), m.StopTimeout, m.Notes)
		}
	}
}

// TestStoreFIFONeverBlocks: a FIFO (or a symlink) planted where a store's
// file should be is refused at once, not waited on: a scan must not stall.
func TestStoreFIFONeverBlocks(t *testing.T) {
	root := t.TempDir()
	id := strings.Repeat("fa", 32)
	dir := filepath.Join(root, "home", "alice", ".local", "share", "docker", "containers", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "config.v2.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "hostconfig.json")); err != nil {
		t.Fatal(err)
	}
	done := make(chan Metadata, 1)
	go func() { done <- Lookup("docker", id, Options{Root: root, OwnerUID: 0}) }()
	select {
	case m := <-done:
		if len(m.Files) != 0 || !strings.Contains(strings.Join(m.Notes, "\n"), "not a regular file") && !strings.Contains(strings.Join(m.Notes, "\n"), "symbolic link") {
			t.Errorf("a FIFO and a symlink to /dev/zero: files %q notes %q; want both refused", m.Files, m.Notes)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Lookup blocked on a FIFO in a store")
	}
}

// bbolt maps its file: sigview maps a private copy, so the store's owner
// cannot truncate it under the map (SIGBUS), and a database larger than
// the bound is not read at all. A database held locked by podman (an
// exclusive flock) is an unknown after the timeout, never a stall.
func TestPodmanDBPrivateCopy(t *testing.T) {
	root := t.TempDir()
	id := strings.Repeat("ef", 32)
	write(t, root, "/var/lib/containers/storage/overlay-containers/"+id+"/userdata/config.json", `{"annotations":{}}`)
	db := filepath.Join(root, "/var/lib/containers/storage/libpod/bolt_state.db")
	write(t, root, "/var/lib/containers/storage/libpod/bolt_state.db", "")
	if err := os.Truncate(db, maxFile+1); err != nil {
		t.Fatal(err)
	}
	m := Lookup("podman", id, Options{Root: root, OwnerUID: -1})
	if notes := strings.Join(m.Notes, "\n"); m.StopTimeout.Known || !strings.Contains(notes, "larger than 16 MiB") {
		t.Errorf("oversized db: %+v, notes %q", m.StopTimeout, notes)
	}
	if err := os.Truncate(db, 4096); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	m = Lookup("podman", id, Options{Root: root, OwnerUID: -1})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a locked db stalled the lookup for %s", took)
	}
	if notes := strings.Join(m.Notes, "\n"); m.StopTimeout.Known || !strings.Contains(notes, "locked") {
		t.Errorf("locked db: %+v, notes %q", m.StopTimeout, notes)
	}
}
