package procinspect

// EventsDerived is how many rescans took their listing from e's events.
func EventsDerived(e *Events) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.derived
}
