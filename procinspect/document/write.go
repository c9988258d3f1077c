package document

import (
	"encoding/json"
	"io"
)

// Write writes v as indented JSON, the way every sigview document is
// written: HTML characters as they are, control characters escaped by the
// encoder.
func Write(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
