package ui

import "charm.land/bubbles/v2/key"

// keyMap holds every binding of the live UI. Build it with defaultKeyMap.
type keyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Detail, Back, Filter, AllSignals        key.Binding
	Rescan, Help, Quit, Send, ReadOnly      key.Binding
	Warnings, NeedsKill, Sort, SignalLog    key.Binding
}

// defaultKeyMap returns htop/k9s habits: arrows and j/k, / to filter, ? for
// help, q to quit, Enter for detail and Esc back.
func defaultKeyMap() keyMap {
	return keyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Detail:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "detail")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		AllSignals: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all 64 signals")),
		Rescan:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rescan")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Send:       key.NewBinding(key.WithKeys("f9"), key.WithHelp("F9", "send signal")),
		ReadOnly:   key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "read-only on/off")),
		Warnings:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "warnings")),
		NeedsKill:  key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "needs SIGKILL only")),
		Sort:       key.NewBinding(key.WithKeys("s", "f6"), key.WithHelp("s/F6", "sort")),
		SignalLog:  key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "signal log")),
	}
}

// ShortHelp is the one-line key hint (help.KeyMap), without help and quit,
// which the footer always shows at its end (footerTail).
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Detail, k.Filter, k.NeedsKill, k.Sort, k.Send, k.Warnings, k.Rescan, k.Up, k.Down, k.Back}
}

// footerTail are the bindings the footer never cuts.
func (k keyMap) footerTail() []key.Binding { return []key.Binding{k.Help, k.Quit} }

// detailHelp is the key hint of the detail view.
func (k keyMap) detailHelp() []key.Binding {
	scroll := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓/pgdn", "scroll"))
	return []key.Binding{k.Back, scroll, k.AllSignals, k.Send, k.Rescan}
}

// FullHelp is the '?' screen, in columns (help.KeyMap).
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Detail, k.Back, k.AllSignals, k.Filter, k.NeedsKill, k.Sort},
		{k.Send, k.ReadOnly, k.Warnings, k.SignalLog, k.Rescan, k.Help, k.Quit},
	}
}
