package procinspect

// Known is a fact that may be unknown: a line absent from a status file
// (a sandbox omits some), malformed, or a file sigview may not read. The
// zero value is unknown; an unknown fact is never read as its zero V.
//
// Flag and Int are its boolean and integer forms. Mask (a signal set) is
// its own type for its Has method; a state letter of 0 and a Syscall of -2
// are the two facts still told unknown by a value, as their docs say.
type Known[T any] struct {
	V     T
	Known bool
}

// Of returns a known fact holding v.
func Of[T any](v T) Known[T] { return Known[T]{V: v, Known: true} }

// Flag is a boolean fact that may be unknown.
type Flag = Known[bool]

// KnownFlag returns a known Flag holding v.
func KnownFlag(v bool) Flag { return Of(v) }

// Int is an integer fact that may be unknown.
type Int = Known[int]

// KnownInt returns a known Int holding v.
func KnownInt(v int) Int { return Of(v) }
