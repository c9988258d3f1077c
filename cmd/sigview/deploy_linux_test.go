package main

// deploy/: every manifest parses, and the TLS variant's pieces fit
// together and work with a real `sigview serve`.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"go.yaml.in/yaml/v2"
	"golang.org/x/crypto/bcrypt"
)

// manifests decodes every YAML document of deploy/, by file.
func manifests(t *testing.T) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	err := filepath.WalkDir("../../deploy", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.SetStrict(true) // a key given twice is an error
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Errorf("%s: %v", path, err)
				break
			}
			if doc != nil {
				rel, _ := filepath.Rel("../../deploy", path)
				out[rel] = append(out[rel], doc)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dig follows keys (strings for maps, ints for lists) into a decoded
// document; nil when a step is missing.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[any]any)
			if !ok {
				if sm, ok := v.(map[string]any); ok {
					v = sm[k]
					continue
				}
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// find is the document of kind named name in file.
func find(t *testing.T, docs map[string][]map[string]any, file, kind, name string) map[string]any {
	t.Helper()
	for _, d := range docs[file] {
		if d["kind"] == kind && dig(d, "metadata", "name") == name {
			return d
		}
	}
	t.Fatalf("%s has no %s %s", file, kind, name)
	return nil
}

// Every Kubernetes manifest parses and names its apiVersion, kind and name.
func TestDeployManifestsParse(t *testing.T) {
	docs := manifests(t)
	for _, f := range []string{"kubernetes/daemonset.yaml", "kubernetes/networkpolicy.yaml", "kubernetes/tls/web-config.yaml",
		"kubernetes/tls/daemonset-patch.yaml", "kubernetes/tls/podmonitor.yaml", "prometheus/rules.yml"} {
		if len(docs[f]) == 0 {
			t.Errorf("deploy/%s: no document", f)
		}
	}
	for f, ds := range docs {
		if !strings.HasPrefix(f, "kubernetes/") {
			continue
		}
		for i, d := range ds {
			if d["apiVersion"] == nil || d["kind"] == nil || dig(d, "metadata", "name") == nil {
				t.Errorf("deploy/%s, document %d: want apiVersion, kind and metadata.name; have %v", f, i+1, d)
			}
		}
	}
	np := find(t, docs, "kubernetes/networkpolicy.yaml", "NetworkPolicy", "sigview-only-prometheus")
	if dig(np, "spec", "ingress", 0, "ports", 0, "port") != "metrics" || dig(np, "spec", "ingress", 1) != nil {
		t.Errorf("the NetworkPolicy admits more than one source to the metrics port: %v", np["spec"])
	}
}

// selfSigned writes a certificate for sigview.sigview.svc and 127.0.0.1
// and its key to dir as tls.crt and tls.key, and returns a pool trusting it.
func selfSigned(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sigview"},
		DNSNames: []string{"sigview.sigview.svc"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	crt := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	for name, b := range map[string][]byte{"tls.crt": crt, "tls.key": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(crt)
	return pool
}

var bcryptRE = regexp.MustCompile(`\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}`)

// The TLS variant: the web configuration passes exporter-toolkit's own
// check (strict fields, bcrypt hashes, the certificate files it names, laid
// out as the DaemonSet patch mounts them); the probe and the PodMonitor
// speak https with the users it defines; and a real serve with it refuses
// plain HTTP and requests without credentials, and answers the probe's
// request once the probe user's password is known.
func TestDeployTLSVariant(t *testing.T) {
	docs := manifests(t)
	secret := find(t, docs, "kubernetes/tls/web-config.yaml", "Secret", "sigview-web-config")
	cfg, _ := dig(secret, "stringData", "web-config.yml").(string)
	dir := t.TempDir()
	pool := selfSigned(t, dir)
	path := filepath.Join(dir, "web-config.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := web.Validate(path); err != nil {
		t.Fatalf("web.Validate(the example web config): %v\n%s", err, cfg)
	}
	var wc struct {
		Users map[string]string `yaml:"basic_auth_users"`
	}
	if err := yaml.Unmarshal([]byte(cfg), &wc); err != nil || wc.Users["probe"] == "" || wc.Users["prometheus"] == "" {
		t.Fatalf("the web config's users = %v, %v; want probe and prometheus", wc.Users, err)
	}

	ds := find(t, docs, "kubernetes/tls/daemonset-patch.yaml", "DaemonSet", "sigview")
	ctr := dig(ds, "spec", "template", "spec", "containers", 0)
	args, _ := dig(ctr, "args").([]any)
	if !slices.Contains(args, any("--web.config.file=/etc/sigview/web/web-config.yml")) {
		t.Errorf("the DaemonSet patch's args %v do not pass the mounted web config", args)
	}
	get := dig(ctr, "readinessProbe", "httpGet")
	header, _ := dig(get, "httpHeaders", 0, "value").(string)
	if dig(get, "scheme") != "HTTPS" || dig(get, "path") != "/healthz" || dig(get, "port") != "metrics" ||
		dig(get, "httpHeaders", 0, "name") != "Authorization" || !strings.HasPrefix(header, "Basic ") {
		t.Errorf("the DaemonSet patch's readinessProbe = %v; want HTTPS GET /healthz on metrics with a Basic Authorization header", get)
	}
	pm := find(t, docs, "kubernetes/tls/podmonitor.yaml", "PodMonitor", "sigview")
	ep := dig(pm, "spec", "podMetricsEndpoints", 0)
	auth := find(t, docs, "kubernetes/tls/web-config.yaml", "Secret", "sigview-scrape-auth")
	user, _ := dig(auth, "stringData", "username").(string)
	if dig(ep, "scheme") != "https" || dig(ep, "tlsConfig", "serverName") != "sigview.sigview.svc" ||
		dig(ep, "basicAuth", "username", "name") != "sigview-scrape-auth" || wc.Users[user] == "" {
		t.Errorf("the TLS PodMonitor's endpoint = %v (user %q); want https to sigview.sigview.svc as a user of the web config", ep, user)
	}

	// A real serve with the example's configuration; the probe user's hash
	// replaced by one of a password the test knows.
	const password = "probe-test-password"
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	known := strings.Replace(cfg, wc.Users["probe"], string(hash), 1)
	if known == cfg || !bcryptRE.MatchString(wc.Users["probe"]) {
		t.Fatalf("the probe user's hash %q is not a bcrypt hash in the config", wc.Users["probe"])
	}
	if err := os.WriteFile(path, []byte(known), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, log := startServe(t, buildTools(t).sigview, "--listen", "127.0.0.1:0", "--web.config.file", path)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "sigview.sigview.svc"}}}
	probe := func(authorization string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", "https://"+addr+"/healthz", nil)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET https://%s/healthz: %v; log:\n%s", addr, err, log.String())
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := probe(""); code != http.StatusUnauthorized {
		t.Errorf("GET /healthz over TLS without credentials = %d; want 401", code)
	}
	if code, _, err := httpGet("http://" + addr + "/healthz"); err == nil && code == 200 {
		t.Errorf("GET /healthz over plain HTTP = %d; want it refused", code)
	}
	probeHeader := "Basic " + base64.StdEncoding.EncodeToString([]byte("probe:"+password))
	code := 0
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && code != 200; time.Sleep(200 * time.Millisecond) {
		code = probe(probeHeader)
	}
	if code != 200 {
		t.Errorf("the readinessProbe's request (HTTPS, Authorization: Basic base64(probe:PASSWORD)) = %d; want 200; log:\n%s", code, log.String())
	}
}

// The signal recorder is an opt-in: the DaemonSet grants neither BPF nor
// PERFMON, and the documented patch grants both, with the flag, keeping
// the base's capabilities.
func TestDeploySignalsOptIn(t *testing.T) {
	docs := manifests(t)
	capsOf := func(file string) []any {
		ds := find(t, docs, file, "DaemonSet", "sigview")
		caps, _ := dig(ds, "spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add").([]any)
		return caps
	}
	base := capsOf("kubernetes/daemonset.yaml")
	if slices.Contains(base, any("BPF")) || slices.Contains(base, any("PERFMON")) || slices.Contains(base, any("SYS_ADMIN")) {
		t.Errorf("the DaemonSet grants %v by default", base)
	}
	opt := capsOf("kubernetes/signals/daemonset-patch.yaml")
	for _, c := range append(append([]any{}, base...), "BPF", "PERFMON") {
		if !slices.Contains(opt, c) {
			t.Errorf("the signals patch's capabilities %v lack %v", opt, c)
		}
	}
	ds := find(t, docs, "kubernetes/signals/daemonset-patch.yaml", "DaemonSet", "sigview")
	args, _ := dig(ds, "spec", "template", "spec", "containers", 0, "args").([]any)
	if !slices.Contains(args, any("--collector.signals")) || !slices.Contains(args, any("--proc=/host/proc")) {
		t.Errorf("the signals patch's args %v", args)
	}
}
