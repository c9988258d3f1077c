package engine

import "strings"

// LookupPod finds a pod's namespace and name from its UID by listing
// /var/log/pods, whose entries are named <namespace>_<name>_<uid>.
// Namespaces and names cannot contain "_", so the split is unambiguous.
func LookupPod(uid string, opts Options) (Pod, string) {
	d := opts.host("/var/log/pods")
	dir := d.String()
	ents, err := d.readDir()
	if err != nil {
		return Pod{UID: uid}, "pod namespace and name unknown: " + err.Error()
	}
	for _, e := range ents {
		parts := strings.Split(e.Name(), "_")
		if len(parts) == 3 && parts[2] == uid {
			return Pod{Namespace: parts[0], Name: parts[1], UID: uid}, ""
		}
	}
	return Pod{UID: uid}, "pod namespace and name unknown: no " + dir + "/*_*_" + uid
}
