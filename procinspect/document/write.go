package document

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// Write writes v as indented JSON, the way every sigview document is
// written: HTML characters as they are, control characters escaped by the
// encoder. A Document is written a namespace at a time, the same bytes
// without one buffer holding them all (at 20,000 processes that buffer
// was most of --json's peak memory). A failed write stops it: what was
// written is a truncated document, and the error is returned.
func Write(w io.Writer, v any) error {
	switch d := v.(type) {
	case Document:
		return writeDocument(w, d)
	case *Document:
		if d != nil {
			return writeDocument(w, *d)
		}
	}
	return newEncoder(w, "").Encode(v)
}

func newEncoder(w io.Writer, prefix string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	return enc
}

// namespacesMark is the namespaces member of a Document with none, as the
// encoder indents it: a key at the top level of the object. A string value
// cannot hold it: its quotes would be escaped.
const namespacesMark = "\n  \"namespaces\": [],\n"

// writeDocument writes d as Write writes any value: the document without
// its namespaces, then each namespace where the encoder would have put it.
func writeDocument(w io.Writer, d Document) error {
	nss := d.Namespaces
	d.Namespaces = []DocNS{}
	return writeNamespaces(w, d, len(nss), func(i int) DocNS { return nss[i] }, nss == nil)
}

// writeNamespaces writes d, which has no namespaces, with n namespaces,
// the ith made by ns(i) just before it is written: the bytes of one
// encoder writing the whole document, without the whole document held.
// null writes the document's namespaces as null (a nil slice), as the
// encoder does.
func writeNamespaces(w io.Writer, d Document, n int, ns func(int) DocNS, null bool) error {
	if n == 0 {
		if null {
			d.Namespaces = nil
		}
		return newEncoder(w, "").Encode(d)
	}
	var head bytes.Buffer
	if err := newEncoder(&head, "").Encode(d); err != nil {
		return err
	}
	b := head.Bytes()
	at := bytes.Index(b, []byte(namespacesMark))
	if at < 0 {
		d.Namespaces = make([]DocNS, n)
		for i := range n {
			d.Namespaces[i] = ns(i)
		}
		return newEncoder(w, "").Encode(d)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(b[:at])
	bw.WriteString("\n  \"namespaces\": [")
	var one bytes.Buffer
	enc := newEncoder(&one, "    ")
	var procs []byte
	for i := range n {
		if i > 0 {
			bw.WriteString(",")
		}
		// A failed write (a full disk, a closed client) is kept by bw and
		// returned by every write after it: stop at once rather than
		// build and encode every namespace left for nothing.
		if _, err := bw.WriteString("\n    "); err != nil {
			return err
		}
		one.Reset()
		if _, err := encodeNS(&one, enc, ns(i), &procs); err != nil {
			return err
		}
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n  ],\n")
	bw.Write(b[at+len(namespacesMark):])
	return bw.Flush()
}
