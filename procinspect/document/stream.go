package document

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// WriteReport writes the JSON document of a snapshot: the bytes of
// Write(w, Report(s, as)), but each namespace is built just before it is
// written and dropped after, so the document is never held whole (at
// 20,000 processes it was a third of --json's heap), and each namespace's
// processes are written by hand (appendProcesses), not by encoding/json's
// reflection and indenting.
func WriteReport(w io.Writer, s *procinspect.Snapshot, as *predict.Assessments) error {
	return WriteReportEach(w, s, as, nil)
}

// WriteReportEach is WriteReport with edit, when not nil, applied to each
// namespace before it is written (serve cuts each init's command line).
func WriteReportEach(w io.Writer, s *procinspect.Snapshot, as *predict.Assessments, edit func(*DocNS)) error {
	return writeNamespaces(w, reportHead(s), len(s.Namespaces), func(i int) DocNS {
		ns := docNS(as, s.Namespaces[i])
		if edit != nil {
			edit(&ns)
		}
		return ns
	}, false)
}

// processesMark ends a namespace with no processes, as the encoder writes
// it at the indent writeNamespaces gives namespaces: processes is
// DocNS's last member.
const processesMark = "\"processes\": []\n    }\n"

// encodeNS encodes one namespace into one as enc (prefix "    ", indent
// "  ") would, its processes appended by hand; procs is scratch space.
// fast says the processes were appended by hand (appendProcesses): false
// when there were none, or the encoder's layout was not the one this file
// knows and the encoder wrote them (the same bytes, at encoding/json's
// cost; TestEncodeNSTakesTheFastPath fails then).
func encodeNS(one *bytes.Buffer, enc *json.Encoder, ns DocNS, procs *[]byte) (fast bool, err error) {
	ps := ns.Processes
	if len(ps) == 0 {
		return false, enc.Encode(ns)
	}
	ns.Processes = []DocProcess{}
	if err := enc.Encode(ns); err != nil {
		return false, err
	}
	b := one.Bytes()
	if !bytes.HasSuffix(b, []byte(processesMark)) {
		// Not the layout this file knows: the encoder's own.
		one.Reset()
		ns.Processes = ps
		return false, enc.Encode(ns)
	}
	one.Truncate(len(b) - len(processesMark))
	*procs = appendProcesses((*procs)[:0], ps)
	one.WriteString("\"processes\": ")
	one.Write(*procs)
	one.WriteString("\n    }\n")
	return true, nil
}

// appendProcesses appends ps as writeNamespaces' encoder writes a
// namespace's processes member (non-empty): each process an object at
// depth 4 of the indented document.
func appendProcesses(dst []byte, ps []DocProcess) []byte {
	const (
		obj   = "\n        "     // an element of processes
		field = "\n          "   // a member of a process
		mask  = "\n            " // a member of masks
	)
	dst = append(dst, '[')
	for i := range ps {
		p := &ps[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, obj+"{"+field+`"pid": `...)
		dst = strconv.AppendInt(dst, int64(p.PID), 10)
		dst = append(dst, ","+field+`"ns_pid": `...)
		dst = appendOptInt(dst, p.NSPID)
		dst = append(dst, ","+field+`"ppid": `...)
		dst = appendOptInt(dst, p.PPID)
		dst = append(dst, ","+field+`"name": `...)
		dst = appendJSONString(dst, p.Name)
		dst = append(dst, ","+field+`"state": `...)
		dst = appendOptStr(dst, p.State)
		dst = append(dst, ","+field+`"masks": {`+mask+`"SigPnd": `...)
		dst = appendOptStr(dst, p.Masks.SigPnd)
		dst = append(dst, ","+mask+`"ShdPnd": `...)
		dst = appendOptStr(dst, p.Masks.ShdPnd)
		dst = append(dst, ","+mask+`"SigBlk": `...)
		dst = appendOptStr(dst, p.Masks.SigBlk)
		dst = append(dst, ","+mask+`"SigIgn": `...)
		dst = appendOptStr(dst, p.Masks.SigIgn)
		dst = append(dst, ","+mask+`"SigCgt": `...)
		dst = appendOptStr(dst, p.Masks.SigCgt)
		dst = append(dst, field+"}"+obj+"}"...)
	}
	return append(dst, "\n      ]"...)
}

func appendOptInt(dst []byte, v *int) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	return strconv.AppendInt(dst, int64(*v), 10)
}

func appendOptStr(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, *s)
}
