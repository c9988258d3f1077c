package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
	"github.com/sigview/sigview/procinspect/predict"
)

// palette names colours by meaning; Styles is built from it.
type palette struct {
	text, faint, accent, warn, bad color.Color
	yes, no, depends, unknown      color.Color
	selFg, selBg                   color.Color
}

func newPalette(isDark bool) palette {
	ld := lipgloss.LightDark(isDark)
	return palette{
		text:    ld(lipgloss.Color("#1a1a1a"), lipgloss.Color("#e4e4e4")),
		faint:   ld(lipgloss.Color("#767676"), lipgloss.Color("#8a8a8a")),
		accent:  ld(lipgloss.Color("#5f00d7"), lipgloss.Color("#af87ff")),
		warn:    ld(lipgloss.Color("#af5f00"), lipgloss.Color("#ffaf00")),
		bad:     ld(lipgloss.Color("#d70000"), lipgloss.Color("#ff5f5f")),
		yes:     ld(lipgloss.Color("#008700"), lipgloss.Color("#5fd75f")),
		no:      ld(lipgloss.Color("#d70000"), lipgloss.Color("#ff5f5f")),
		depends: ld(lipgloss.Color("#af5f00"), lipgloss.Color("#ffd75f")),
		unknown: ld(lipgloss.Color("#8700af"), lipgloss.Color("#d787ff")),
		selFg:   lipgloss.Color("#ffffaf"),
		selBg:   lipgloss.Color("#5f00af"),
	}
}

// Styles holds every lipgloss style the UI uses. Build it with newStyles.
type Styles struct {
	Title, Header, Faint, Warn, Error, ColHeader, Section, Selected lipgloss.Style
	Verdict                                                         map[predict.Verdict]lipgloss.Style
	Help                                                            help.Styles
}

// newStyles builds the styles for a dark or light background. With
// noColor (NO_COLOR set) it uses no colour at all: bold, faint and reverse
// video only, and the verdict words carry the meaning.
func newStyles(isDark, noColor bool) Styles {
	s := Styles{Verdict: map[predict.Verdict]lipgloss.Style{}}
	base := lipgloss.NewStyle()
	if noColor {
		s.Title = base.Bold(true)
		s.Header, s.Faint, s.Warn, s.Error = base, base.Faint(true), base.Bold(true), base.Bold(true)
		s.ColHeader, s.Section = base.Bold(true), base.Bold(true).Underline(true)
		s.Selected = base.Reverse(true)
		for _, v := range []predict.Verdict{predict.Yes, predict.No, predict.Depends, predict.VerdictUnknown} {
			s.Verdict[v] = base
		}
		s.Help = help.Styles{ShortKey: base.Bold(true), ShortDesc: base, ShortSeparator: base,
			FullKey: base.Bold(true), FullDesc: base, FullSeparator: base, Ellipsis: base}
		return s
	}
	p := newPalette(isDark)
	s.Title = base.Bold(true).Foreground(p.accent)
	s.Header = base.Foreground(p.text)
	s.Faint = base.Foreground(p.faint)
	s.Warn = base.Foreground(p.warn)
	s.Error = base.Bold(true).Foreground(p.bad)
	s.ColHeader = base.Bold(true).Foreground(p.text)
	s.Section = base.Bold(true).Foreground(p.accent)
	s.Selected = base.Foreground(p.selFg).Background(p.selBg).Bold(true)
	s.Verdict[predict.Yes] = base.Foreground(p.yes)
	s.Verdict[predict.No] = base.Foreground(p.no)
	s.Verdict[predict.Depends] = base.Foreground(p.depends)
	s.Verdict[predict.VerdictUnknown] = base.Foreground(p.unknown)
	s.Help = help.DefaultStyles(isDark)
	return s
}
