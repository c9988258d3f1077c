package engine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Fixture IDs: 64 lowercase hex digits, as the engines write them.
const (
	idA = "4f1d2b0c9e8a7f6e5d4c3b2a19081726354453627180a9b8c7d6e5f4a3b2c1d0"
	idB = "b6e2a34d5c6f7081920a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60"
	// uid is a pod UID as the API shows it; uidU is how the kubelet's
	// systemd driver writes it into a slice name.
	uid  = "74ba62da-1a3d-11e7-bb11-080027cb0e22"
	uidU = "74ba62da_1a3d_11e7_bb11_080027cb0e22"
	// staticUID is a static pod's UID: a hash of its manifest.
	staticUID = "6f7f5a2b8d4ef2f1c3a7b8e1e2d3f4a5"
)

// v1 builds a cgroup v1 file with path on every controller line, and
// systemdPath on the name=systemd line.
func v1(systemdPath, path string) string {
	return "12:pids:" + path + "\n" +
		"11:hugetlb:" + path + "\n" +
		"10:net_cls,net_prio:" + path + "\n" +
		"9:perf_event:" + path + "\n" +
		"8:devices:" + path + "\n" +
		"7:freezer:" + path + "\n" +
		"6:memory:" + path + "\n" +
		"5:blkio:" + path + "\n" +
		"4:cpuset:" + path + "\n" +
		"3:rdma:/\n" + // seen: rdma at / while every other line is in the container
		"2:cpu,cpuacct:" + path + "\n" +
		"1:name=systemd:" + systemdPath + "\n"
}

// v2 builds a cgroup v2 file.
func v2(path string) string { return "0::" + path + "\n" }

// hybrid builds a hybrid file: v1 lines plus the unified line.
func hybrid(systemdPath, path, unified string) string {
	return v1(systemdPath, path) + "0::" + unified + "\n"
}

func TestParseCgroup(t *testing.T) {
	dockerScope := "/system.slice/docker-" + idA + ".scope"
	kubeBE := "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidU + ".slice"
	kubeBU := "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidU + ".slice"
	kubeG := "/kubepods.slice/kubepods-pod" + uidU + ".slice"
	rootless := "/user.slice/user-1000.slice/user@1000.service/user.slice"
	kindNode := "/system.slice/docker-" + idB + ".scope"
	kindPod := "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" + uidU + ".slice"

	tests := []struct {
		name string
		in   string
		want *Container
	}{
		// §4.2, one row at a time.
		{
			"docker cgroupfs v1",
			v1("/docker/"+idA, "/docker/"+idA),
			&Container{Runtime: "docker", ID: idA, Path: "/docker/" + idA},
		},
		{
			"docker cgroupfs v1 hybrid with 0::/",
			hybrid("/docker/"+idA, "/docker/"+idA, "/"),
			&Container{Runtime: "docker", ID: idA, Path: "/docker/" + idA},
		},
		{
			"docker cgroupfs v2",
			v2("/docker/" + idA),
			&Container{Runtime: "docker", ID: idA, Path: "/docker/" + idA},
		},
		{
			"docker systemd v1",
			v1(dockerScope, dockerScope),
			&Container{Runtime: "docker", ID: idA, Path: dockerScope},
		},
		{
			"docker systemd v2",
			v2(dockerScope),
			&Container{Runtime: "docker", ID: idA, Path: dockerScope},
		},
		{
			"docker systemd driver without .scope",
			v2("/system.slice/docker-" + idA),
			&Container{Runtime: "docker", ID: idA, Path: "/system.slice/docker-" + idA},
		},
		{
			"docker rootless",
			v2(rootless + "/docker-" + idA + ".scope"),
			&Container{Runtime: "docker", ID: idA, Path: rootless + "/docker-" + idA + ".scope"},
		},
		{
			"docker in docker",
			v1("/docker/"+idB+"/docker/"+idA, "/docker/"+idB+"/docker/"+idA),
			&Container{
				Runtime: "docker", ID: idA, Path: "/docker/" + idB + "/docker/" + idA,
				Outer: &Container{Runtime: "docker", ID: idB, Path: "/docker/" + idB + "/docker/" + idA},
			},
		},
		{
			"docker in docker in docker",
			v2("/docker/" + idB + "/docker/" + idA + "/docker/" + idB),
			&Container{
				Runtime: "docker", ID: idB, Path: "/docker/" + idB + "/docker/" + idA + "/docker/" + idB,
				Outer: &Container{
					Runtime: "docker", ID: idA, Path: "/docker/" + idB + "/docker/" + idA + "/docker/" + idB,
					Outer: &Container{Runtime: "docker", ID: idB, Path: "/docker/" + idB + "/docker/" + idA + "/docker/" + idB},
				},
			},
		},
		{
			"containerd ctr default namespace, free-form id",
			v2("/default/redis-1"),
			&Container{Runtime: "containerd", ID: "redis-1", Path: "/default/redis-1"},
		},
		{
			"containerd ctr k8s.io namespace, hex id, v1",
			v1("/k8s.io/"+idA, "/k8s.io/"+idA),
			&Container{Runtime: "containerd", ID: idA, Path: "/k8s.io/" + idA},
		},
		{
			"containerd ctr with a sub-cgroup inside",
			v2("/default/web/worker"),
			&Container{Runtime: "containerd", ID: "web", Path: "/default/web/worker"},
		},
		{
			"containerd ctr inside a docker container",
			v2("/docker/" + idB + "/default/job7"),
			&Container{
				Runtime: "containerd", ID: "job7", Path: "/docker/" + idB + "/default/job7",
				Outer: &Container{Runtime: "docker", ID: idB, Path: "/docker/" + idB + "/default/job7"},
			},
		},
		{
			"nerdctl systemd",
			v2("/system.slice/nerdctl-" + idA + ".scope"),
			&Container{Runtime: "containerd", ID: idA, Path: "/system.slice/nerdctl-" + idA + ".scope"},
		},
		{
			"nerdctl rootless",
			v2(rootless + "/nerdctl-" + idA + ".scope"),
			&Container{Runtime: "containerd", ID: idA, Path: rootless + "/nerdctl-" + idA + ".scope"},
		},
		{
			"kubernetes cgroupfs besteffort v2",
			v2("/kubepods/besteffort/pod" + uid + "/" + idA),
			&Container{Runtime: "kubernetes", ID: idA, PodUID: uid, Path: "/kubepods/besteffort/pod" + uid + "/" + idA},
		},
		{
			"kubernetes cgroupfs burstable v1 (rdma at /)",
			v1("/kubepods/burstable/pod"+uid+"/"+idA, "/kubepods/burstable/pod"+uid+"/"+idA),
			&Container{Runtime: "kubernetes", ID: idA, PodUID: uid, Path: "/kubepods/burstable/pod" + uid + "/" + idA},
		},
		{
			"kubernetes cgroupfs guaranteed",
			v2("/kubepods/pod" + uid + "/" + idA),
			&Container{Runtime: "kubernetes", ID: idA, PodUID: uid, Path: "/kubepods/pod" + uid + "/" + idA},
		},
		{
			"kubernetes cgroupfs static pod (hash UID)",
			v2("/kubepods/burstable/pod" + staticUID + "/" + idA),
			&Container{Runtime: "kubernetes", ID: idA, PodUID: staticUID, Path: "/kubepods/burstable/pod" + staticUID + "/" + idA},
		},
		{
			"containerd CRI systemd besteffort",
			v2(kubeBE + "/cri-containerd-" + idA + ".scope"),
			&Container{Runtime: "containerd", ID: idA, PodUID: uid, Path: kubeBE + "/cri-containerd-" + idA + ".scope"},
		},
		{
			"containerd CRI systemd burstable v1",
			v1(kubeBU+"/cri-containerd-"+idA+".scope", kubeBU+"/cri-containerd-"+idA+".scope"),
			&Container{Runtime: "containerd", ID: idA, PodUID: uid, Path: kubeBU + "/cri-containerd-" + idA + ".scope"},
		},
		{
			"containerd CRI systemd guaranteed",
			v2(kubeG + "/cri-containerd-" + idA + ".scope"),
			&Container{Runtime: "containerd", ID: idA, PodUID: uid, Path: kubeG + "/cri-containerd-" + idA + ".scope"},
		},
		{
			"containerd CRI mangled slice:prefix:id (v1)",
			v1("/system.slice/containerd.service/kubepods-besteffort-pod"+uidU+".slice:cri-containerd:"+idA,
				"/system.slice/containerd.service/kubepods-besteffort-pod"+uidU+".slice:cri-containerd:"+idA),
			&Container{Runtime: "containerd", ID: idA, PodUID: uid,
				Path: "/system.slice/containerd.service/kubepods-besteffort-pod" + uidU + ".slice:cri-containerd:" + idA},
		},
		{
			"cri-o mangled slice:prefix:id",
			v2("/kubepods-burstable-pod" + uidU + ".slice:crio:" + idA),
			&Container{Runtime: "cri-o", ID: idA, PodUID: uid, Path: "/kubepods-burstable-pod" + uidU + ".slice:crio:" + idA},
		},
		{
			"cri-o systemd",
			v2(kubeBU + "/crio-" + idA + ".scope"),
			&Container{Runtime: "cri-o", ID: idA, PodUID: uid, Path: kubeBU + "/crio-" + idA + ".scope"},
		},
		{
			"cri-o systemd with /container child (crun)",
			v2(kubeBE + "/crio-" + idA + ".scope/container"),
			&Container{Runtime: "cri-o", ID: idA, PodUID: uid, Path: kubeBE + "/crio-" + idA + ".scope/container"},
		},
		{
			"cri-o cgroupfs",
			v2("/kubepods/besteffort/pod" + uid + "/crio-" + idA),
			&Container{Runtime: "cri-o", ID: idA, PodUID: uid, Path: "/kubepods/besteffort/pod" + uid + "/crio-" + idA},
		},
		{
			"dockershim cgroupfs (indistinguishable from CRI cgroupfs)",
			v1("/kubepods/besteffort/pod"+uid+"/"+idA, "/kubepods/besteffort/pod"+uid+"/"+idA),
			&Container{Runtime: "kubernetes", ID: idA, PodUID: uid, Path: "/kubepods/besteffort/pod" + uid + "/" + idA},
		},
		{
			"dockershim systemd",
			v1(kubeBU+"/docker-"+idA+".scope", kubeBU+"/docker-"+idA+".scope"),
			&Container{Runtime: "docker", ID: idA, PodUID: uid, Path: kubeBU + "/docker-" + idA + ".scope"},
		},
		{
			"kind, host view",
			v2(kindNode + kindPod + "/cri-containerd-" + idA + ".scope"),
			&Container{
				Runtime: "containerd", ID: idA, PodUID: uid, Path: kindNode + kindPod + "/cri-containerd-" + idA + ".scope",
				Outer: &Container{Runtime: "docker", ID: idB, Path: kindNode + kindPod + "/cri-containerd-" + idA + ".scope"},
			},
		},
		{
			"kind, inside the node",
			v2(kindPod + "/cri-containerd-" + idA + ".scope"),
			&Container{Runtime: "containerd", ID: idA, PodUID: uid, Path: kindPod + "/cri-containerd-" + idA + ".scope"},
		},
		{
			"kind node's own kubelet",
			v2(kindNode + "/kubelet.slice/kubelet.service"),
			&Container{Runtime: "docker", ID: idB, Path: kindNode + "/kubelet.slice/kubelet.service"},
		},
		{
			"podman rootful",
			v1("/machine.slice/libpod-"+idA+".scope", "/machine.slice/libpod-"+idA+".scope"),
			&Container{Runtime: "podman", ID: idA, Path: "/machine.slice/libpod-" + idA + ".scope"},
		},
		{
			"podman rootful v2 with /container child",
			v2("/machine.slice/libpod-" + idA + ".scope/container"),
			&Container{Runtime: "podman", ID: idA, Path: "/machine.slice/libpod-" + idA + ".scope/container"},
		},
		{
			"podman pod",
			v2("/machine.slice/machine-libpod_pod_" + idB + ".slice/libpod-" + idA + ".scope/container"),
			&Container{Runtime: "podman", ID: idA, Path: "/machine.slice/machine-libpod_pod_" + idB + ".slice/libpod-" + idA + ".scope/container"},
		},
		{
			"podman rootless with /container child",
			v2(rootless + "/libpod-" + idA + ".scope/container"),
			&Container{Runtime: "podman", ID: idA, Path: rootless + "/libpod-" + idA + ".scope/container"},
		},
		{
			"podman cgroupfs",
			v1("/libpod_parent/libpod-"+idA, "/libpod_parent/libpod-"+idA),
			&Container{Runtime: "podman", ID: idA, Path: "/libpod_parent/libpod-" + idA},
		},
		{
			"podman --cgroups=split",
			v2("/system.slice/web.service/libpod-payload-" + idA),
			&Container{Runtime: "podman", ID: idA, Path: "/system.slice/web.service/libpod-payload-" + idA},
		},
		{
			"lxc current layout v2",
			v2("/lxc.payload.web"),
			&Container{Runtime: "lxc", Name: "web", Path: "/lxc.payload.web"},
		},
		{
			"lxc current layout v1",
			v1("/lxc.payload.web", "/lxc.payload.web"),
			&Container{Runtime: "lxc", Name: "web", Path: "/lxc.payload.web"},
		},
		{
			"incus per-user project",
			v2("/lxc.payload.user-1000_dev"),
			&Container{Runtime: "lxc", Name: "user-1000_dev", Path: "/lxc.payload.user-1000_dev"},
		},
		{
			"lxc container running systemd",
			v2("/lxc.payload.web/system.slice/nginx.service"),
			&Container{Runtime: "lxc", Name: "web", Path: "/lxc.payload.web/system.slice/nginx.service"},
		},
		{
			"lxc container running docker",
			v2("/lxc.payload.web/system.slice/docker-" + idA + ".scope"),
			&Container{
				Runtime: "docker", ID: idA, Path: "/lxc.payload.web/system.slice/docker-" + idA + ".scope",
				Outer: &Container{Runtime: "lxc", Name: "web", Path: "/lxc.payload.web/system.slice/docker-" + idA + ".scope"},
			},
		},
		{
			"lxc legacy lxc.payload/",
			v1("/lxc.payload/web", "/lxc.payload/web"),
			&Container{Runtime: "lxc", Name: "web", Path: "/lxc.payload/web"},
		},
		{
			"lxc original /lxc/",
			v1("/lxc/web", "/lxc/web"),
			&Container{Runtime: "lxc", Name: "web", Path: "/lxc/web"},
		},
		{
			"lxc original /lxc/ with a sub-cgroup",
			v2("/lxc/web/init.scope"),
			&Container{Runtime: "lxc", Name: "web", Path: "/lxc/web/init.scope"},
		},
		{
			"systemd-nspawn v1",
			v1("/machine.slice/machine-arch.scope", "/machine.slice/machine-arch.scope"),
			&Container{Runtime: "systemd-nspawn", Name: "arch", Path: "/machine.slice/machine-arch.scope"},
		},
		{
			"systemd-nspawn v2 /payload",
			v2("/machine.slice/machine-arch.scope/payload"),
			&Container{Runtime: "systemd-nspawn", Name: "arch", Path: "/machine.slice/machine-arch.scope/payload"},
		},
		{
			"systemd-nspawn v2 /payload with the container's systemd",
			v2("/machine.slice/machine-arch.scope/payload/system.slice/sshd.service"),
			&Container{Runtime: "systemd-nspawn", Name: "arch", Path: "/machine.slice/machine-arch.scope/payload/system.slice/sshd.service"},
		},
		{
			`systemd-nspawn escaped name \x2d`,
			v2(`/machine.slice/machine-debian\x2dtest\x2d1.scope/payload`),
			&Container{Runtime: "systemd-nspawn", Name: "debian-test-1", Path: `/machine.slice/machine-debian\x2dtest\x2d1.scope/payload`},
		},

		// Shapes that look like containers and are not.
		{"docker.service", v2("/system.slice/docker.service"), nil},
		{"containerd.service", v2("/system.slice/containerd.service"), nil},
		{"docker.service v1", v1("/system.slice/docker.service", "/system.slice/docker.service"), nil},
		{"containerd shim v1", v1("/system.slice/containerd.service", "/system.slice/containerd.service"), nil},
		{"libpod-conmon", v2("/machine.slice/libpod-conmon-" + idA + ".scope"), nil},
		{"crio-conmon in the pod slice", v2(kubeBU + "/crio-conmon-" + idA + ".scope"), nil},
		{"crio-conmon in system.slice", v2("/system.slice/crio-conmon-" + idA + ".scope"), nil},
		{"crio-conmon cgroupfs", v2("/kubepods/besteffort/pod" + uid + "/crio-conmon-" + idA), nil},
		{"podman-pause", v2(rootless + "/podman-pause-3f2a1b0c.scope"), nil},
		{"podman cgroupfs conmon", v2("/libpod_parent/conmon"), nil},
		{"libvirt qemu VM", v2(`/machine.slice/machine-qemu\x2d1\x2dwin10.scope`), nil},
		{"libvirt qemu emulator", v2(`/machine.slice/machine-qemu\x2d1\x2dwin10.scope/libvirt/emulator`), nil},
		{"libvirt qemu vcpu", v1(`/machine.slice/machine-qemu\x2d2\x2dvm.scope`, `/machine.slice/machine-qemu\x2d2\x2dvm.scope/libvirt/vcpu0`), nil},
		{"libvirt lxc domain", v2(`/machine.slice/machine-lxc\x2d4242\x2dweb.scope`), nil},
		{"nspawn /supervisor", v2("/machine.slice/machine-arch.scope/supervisor"), nil},
		{"lxc.monitor", v2("/lxc.monitor.web"), nil},
		{"lxc.monitor legacy", v2("/lxc.monitor/web"), nil},
		{"init.scope", v2("/init.scope"), nil},
		{"init.scope v1", v1("/init.scope", "/"), nil},
		{"login session", v2("/user.slice/user-1000.slice/session-3.scope"), nil},
		{"user manager", v2("/user.slice/user-1000.slice/user@1000.service/init.scope"), nil},
		{"process_api 32 hex", v1("/", "/process_api/d06e1b4354376d643601bdada38890b2"), nil},
		{"sandbox memory line only (this CI machine)", "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/eea5b44a78c949b449f88d62d23575d5\n1:cpu:/\n0::/\n", nil},
		{"v2 root: host process or private cgroup namespace", v2("/"), nil},
		{"v1 all at root", v1("/", "/"), nil},
		{"hybrid all at root", hybrid("/", "/", "/"), nil},
		{"kubepods pod slice itself", v2(kubeBE), nil},
		{"kubepods qos slice", v2("/kubepods.slice/kubepods-burstable.slice"), nil},
		{"kubepods cgroupfs pod level", v2("/kubepods/besteffort/pod" + uid), nil},
		{"bare hex without a known parent", v2("/system.slice/" + idA), nil},
		{"bare hex under pod without kubepods", v2("/pod" + uid + "/" + idA), nil},
		{"12-hex short id", v2("/system.slice/docker-" + idA[:12] + ".scope"), nil},
		{"63-hex id", v2("/docker/" + idA[:63]), nil},
		{"uppercase hex id", v2("/docker/" + strings.ToUpper(idA)), nil},
		{"unknown containerd-like namespace", v2("/mystuff/redis-1"), nil},
		{"containerd namespace not at the top", v2("/system.slice/default/redis-1"), nil},
		{"machine slice without scope", v2("/machine.slice"), nil},
		{"machine- prefix but a slice", v2("/machine.slice/machine-libpod_pod_" + idB + ".slice"), nil},
		{"mangled form with unknown prefix", v2("/kubepods-pod" + uidU + ".slice:foo:" + idA), nil},
		{"mangled form with short id", v2("/kubepods-pod" + uidU + ".slice:cri-containerd:" + idA[:12]), nil},

		// Which line is used (§4.1).
		{
			"hybrid: 0:: path wins over name=systemd and controllers",
			hybrid("/system.slice/docker-"+idB+".scope", "/docker/"+idB, "/docker/"+idA),
			&Container{Runtime: "docker", ID: idA, Path: "/docker/" + idA},
		},
		{
			"hybrid: 0:: at a non-container path wins, no container",
			hybrid(dockerScope, dockerScope, "/system.slice/sshd.service"),
			nil,
		},
		{
			"hybrid: 0::/ → name=systemd line",
			hybrid(dockerScope, "/docker/"+idB, "/"),
			&Container{Runtime: "docker", ID: idA, Path: dockerScope},
		},
		{
			"v1: name=systemd at / → first controller line not at /",
			"4:rdma:/\n3:memory:/docker/" + idA + "\n2:cpu:/docker/" + idB + "\n1:name=systemd:/\n0::/\n",
			&Container{Runtime: "docker", ID: idA, Path: "/docker/" + idA},
		},
		{
			"v1: rdma at / on the first line",
			"3:rdma:/\n2:cpu,cpuacct:/kubepods/besteffort/pod" + uid + "/" + idA + "\n1:memory:/kubepods/besteffort/pod" + uid + "/" + idA + "\n",
			&Container{Runtime: "kubernetes", ID: idA, PodUID: uid, Path: "/kubepods/besteffort/pod" + uid + "/" + idA},
		},
		{
			"v1: name=systemd co-listed with another name",
			"2:cpu:/\n1:name=systemd,name=foo:" + dockerScope + "\n",
			&Container{Runtime: "docker", ID: idA, Path: dockerScope},
		},
		{
			"v2 (deleted)",
			v2("/docker/" + idA + " (deleted)"),
			&Container{Runtime: "docker", ID: idA, Path: "/docker/" + idA},
		},
		{
			"v2 scope with /container child (deleted)",
			v2("/machine.slice/libpod-" + idA + ".scope/container (deleted)"),
			&Container{Runtime: "podman", ID: idA, Path: "/machine.slice/libpod-" + idA + ".scope/container"},
		},
		{
			"hybrid: unified path deleted",
			hybrid("/", "/", kubeBE+"/cri-containerd-"+idA+".scope (deleted)"),
			&Container{Runtime: "containerd", ID: idA, PodUID: uid, Path: kubeBE + "/cri-containerd-" + idA + ".scope"},
		},
		{
			"path outside the reader's cgroup namespace",
			v2("/../../system.slice/docker-" + idA + ".scope"),
			&Container{Runtime: "docker", ID: idA, Path: "/../../system.slice/docker-" + idA + ".scope"},
		},
		{
			"no trailing newline",
			"0::/docker/" + idA,
			&Container{Runtime: "docker", ID: idA, Path: "/docker/" + idA},
		},
		{
			"junk lines around a valid one are skipped",
			"hello\n\n0::/docker/" + idA + "\nworld\n",
			&Container{Runtime: "docker", ID: idA, Path: "/docker/" + idA},
		},
	}
	for _, tt := range tests {
		got, err := ParseCgroup([]byte(tt.in))
		if err != nil {
			t.Errorf("%s: ParseCgroup(%q) error %v; want %+v", tt.name, tt.in, err, tt.want)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: ParseCgroup(%q) mismatch (-want +got):\n%s", tt.name, tt.in, diff)
		}
	}
}

func TestParseCgroupMalformed(t *testing.T) {
	for _, in := range []string{
		"",
		"\n",
		"hello",
		"hello world\n",
		"0:/docker/x",                          // one colon
		"x:cpu:/docker/" + idA,                 // hierarchy ID not a number
		"-1:cpu:/docker/" + idA,                // nor this
		":cpu:/docker/" + idA,                  // missing hierarchy ID
		"1:cpu:docker/" + idA,                  // path not absolute
		"0::\n",                                // empty path
		"pid:[4026531836]",                     // a namespace link
		"Name:\tsleep\nState:\tS (sleeping)\n", // a status file
	} {
		got, err := ParseCgroup([]byte(in))
		if err == nil {
			t.Errorf("ParseCgroup(%q) = %+v, nil; want an error", in, got)
		}
	}
}

func TestContainerShort(t *testing.T) {
	tests := []struct {
		c    Container
		want string
	}{
		{Container{Runtime: "docker", ID: idA}, idA[:12]},
		{Container{Runtime: "kubernetes", ID: idB, PodUID: uid}, idB[:12]},
		{Container{Runtime: "containerd", ID: "redis-1"}, "redis-1"},
		{Container{Runtime: "containerd", ID: "a-long-name-for-a-ctr-container"}, "a-long-name-for-a-ctr-container"},
		{Container{Runtime: "lxc", Name: "web"}, "web"},
		{Container{Runtime: "systemd-nspawn", Name: "debian-test-1"}, "debian-test-1"},
		{Container{}, ""},
	}
	for _, tt := range tests {
		if got := tt.c.Short(); got != tt.want {
			t.Errorf("%+v.Short() = %q; want %q", tt.c, got, tt.want)
		}
	}
}

func TestContainerOfFixture(t *testing.T) {
	root := t.TempDir()
	write := func(pid, text string) {
		t.Helper()
		dir := filepath.Join(root, pid)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("42", v2("/system.slice/docker-"+idA+".scope"))
	write("43", v2("/"))
	write("44", "garbage\n")

	got, err := ContainerOf(root, 42)
	want := &Container{Runtime: "docker", ID: idA, Path: "/system.slice/docker-" + idA + ".scope"}
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("ContainerOf(fixture, 42) = %+v, %v; want %+v", got, err, want)
	}
	if got, err := ContainerOf(root, 43); got != nil || err != nil {
		t.Errorf("ContainerOf(fixture, 43) = %+v, %v; want nil, nil", got, err)
	}
	if got, err := ContainerOf(root, 44); got != nil || err == nil || !strings.Contains(err.Error(), filepath.Join(root, "44", "cgroup")) {
		t.Errorf("ContainerOf(fixture, 44) = %+v, %v; want an error naming the file", got, err)
	}
	if got, err := ContainerOf(root, 99); got != nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ContainerOf(fixture, 99) = %+v, %v; want fs.ErrNotExist", got, err)
	}
}
