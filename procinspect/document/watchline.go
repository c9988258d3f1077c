package document

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/watch"
)

// AppendWatchLine appends the JSON line of a watch item (*watch.Event,
// *watch.Update or *watch.Lost) to dst, newline included: byte for byte
// what WriteLine(w, WatchItemOf(it)) writes (TestAppendWatchLineSame checks
// it), without reflection and without allocating for a line that fits dst.
// A storm of a thousand signals a second is two thousand lines (each event,
// and its fate two seconds later), and encoding/json's reflection and the
// garbage it left were a fifth of watch's CPU (perf).
func AppendWatchLine(dst []byte, it watch.Item) []byte {
	switch v := it.(type) {
	case *watch.Event:
		return appendEvent(dst, v)
	case *watch.Update:
		dst = append(dst, `{"id":`...)
		dst = strconv.AppendUint(dst, v.ID, 10)
		dst = append(dst, `,"update":true,"time":`...)
		dst = appendStamp(dst, v.Time)
		if v.Delivery != "" {
			dst = append(dst, `,"delivery":`...)
			dst = appendJSONString(dst, v.Delivery)
		}
		if v.Fate != nil {
			dst = append(dst, `,"fate":`...)
			dst = appendFate(dst, v.Fate)
		}
		if v.Agrees != nil {
			dst = append(dst, `,"agrees":`...)
			dst = strconv.AppendBool(dst, *v.Agrees)
		}
		if v.Note != "" {
			dst = append(dst, `,"note":`...)
			dst = appendJSONString(dst, v.Note)
		}
		return append(dst, "}\n"...)
	case *watch.Lost:
		dst = append(dst, `{"time":`...)
		dst = appendStamp(dst, v.Time)
		dst = append(dst, `,"lost":`...)
		dst = strconv.AppendUint(dst, v.Count, 10)
		dst = append(dst, `,"lost_total":`...)
		dst = strconv.AppendUint(dst, v.Total, 10)
		return append(dst, "}\n"...)
	}
	return append(dst, "null\n"...)
}

func appendEvent(dst []byte, e *watch.Event) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendUint(dst, e.ID, 10)
	dst = append(dst, `,"time":`...)
	dst = appendStamp(dst, e.Time)
	dst = append(dst, `,"signal":`...)
	dst = appendJSONString(dst, e.Signal.String())
	dst = append(dst, `,"signal_number":`...)
	dst = strconv.AppendInt(dst, int64(e.Signal), 10)
	dst = append(dst, `,"code":`...)
	dst = strconv.AppendInt(dst, int64(e.Code), 10)
	dst = append(dst, `,"target":{"pid":`...)
	dst = strconv.AppendInt(dst, int64(e.Target.PID), 10)
	dst = append(dst, `,"ns_pid":`...)
	dst = strconv.AppendInt(dst, int64(e.Target.NSPID), 10)
	dst = append(dst, `,"pidns":`...)
	dst = strconv.AppendUint(dst, e.Target.PIDNS, 10)
	dst = append(dst, `,"comm":`...)
	dst = appendJSONString(dst, procinspect.Printable(e.Target.Comm))
	dst = append(dst, `,"container":`...)
	dst = appendOptString(dst, e.Target.Container)
	dst = append(dst, `},"sender":{"pid":`...)
	dst = strconv.AppendInt(dst, int64(e.Sender.PID), 10)
	dst = append(dst, `,"comm":`...)
	dst = appendJSONString(dst, procinspect.Printable(e.Sender.Comm))
	dst = append(dst, `,"pidns":`...)
	dst = strconv.AppendUint(dst, e.Sender.PIDNS, 10)
	dst = append(dst, `,"container":`...)
	dst = appendOptString(dst, e.Sender.Container)
	dst = append(dst, `,"from":`...)
	dst = appendJSONString(dst, e.From)
	dst = append(dst, `},"result":`...)
	dst = appendJSONString(dst, e.Result)
	dst = append(dst, `,"why":`...)
	dst = appendOptString(dst, e.Why)
	dst = append(dst, `,"delivery":`...)
	dst = appendOptString(dst, e.Delivery)
	dst = append(dst, `,"fate":`...)
	if e.Fate == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendFate(dst, e.Fate)
	}
	dst = append(dst, `,"predicted":`...)
	if pr := e.Predicted; pr == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, `{"verdict":`...)
		dst = appendJSONString(dst, string(pr.Verdict))
		dst = append(dst, `,"outcome":`...)
		dst = appendJSONString(dst, string(pr.Outcome))
		dst = append(dst, `,"reason":`...)
		dst = appendJSONString(dst, pr.Reason)
		dst = append(dst, '}')
	}
	dst = append(dst, `,"agrees":`...)
	if e.Agrees == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendBool(dst, *e.Agrees)
	}
	dst = append(dst, `,"notes":[`...)
	for i, n := range e.Notes {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, n)
	}
	return append(dst, "]}\n"...)
}

// appendFate is watchFateOf's object.
func appendFate(dst []byte, f *watch.Fate) []byte {
	if !f.Exited {
		dst = append(dst, `{"state":"running","exit_code":null,"signal":null,"signal_number":null`...)
	} else {
		dst = append(dst, `{"state":"exited","exit_code":`...)
		dst = strconv.AppendInt(dst, int64(f.ExitCode), 10)
		if f.Signal != 0 {
			dst = append(dst, `,"signal":`...)
			dst = appendJSONString(dst, f.Signal.String())
			dst = append(dst, `,"signal_number":`...)
			dst = strconv.AppendInt(dst, int64(f.Signal), 10)
		} else {
			dst = append(dst, `,"signal":null,"signal_number":null`...)
		}
	}
	dst = append(dst, `,"after_seconds":`...)
	dst = appendJSONFloat(dst, f.After.Seconds())
	return append(dst, '}')
}

// appendOptString is optString's value: null for "", else escaped.
func appendOptString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, procinspect.Printable(s))
}

func appendStamp(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// appendJSONFloat is encoding/json's float64 (ES6 number to string).
func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(dst, "null"...) // never a duration's seconds
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if n := len(dst); format == 'e' && n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1]
		dst = dst[:n-1]
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string with HTML escaping off (as
// WriteLine's encoder): control characters as \b \f \n \r \t or \u00XX,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
