package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/predict"
)

// view is which screen the UI shows.
type view int

const (
	mainView view = iota
	detailView
)

func (v view) String() string {
	if v == detailView {
		return "detail"
	}
	return "main"
}

// Options configure the live UI.
type Options struct {
	// Context, when set, ends the UI (as a quit) when it is done.
	Context context.Context
	// Interval is the rescan period.
	Interval time.Duration
	// NoColor turns colour off (NO_COLOR).
	NoColor bool
	// ReadOnly removes the ability to send signals (F9).
	ReadOnly bool
	// NeedsSIGKILL starts with the needs-SIGKILL filter on (--needs-sigkill).
	NeedsSIGKILL bool
	// Signals, when set, brings sigview watch's recorder's items (the
	// detail view's "Signals received", the main view's mark, the l log);
	// SignalsUnavailable says why there is no recorder.
	Signals            *SignalSink
	SignalsUnavailable string
	// OnAssess, when set, is given each scan's assessments, in Update (the
	// signal recorder predicts from the UI's own scans).
	OnAssess func(*predict.Assessments)
}

// Model is the live UI: the namespace tree, a detail view, a filter, the
// send dialog and the help and warnings overlays. Scan commands hand it
// assessed snapshots (scanResultMsg); Update never reads /proc.
type Model struct {
	scanner  procinspect.Scanner
	opts     Options
	readOnly bool // sending is off: from --read-only, or R in the UI
	keys     keyMap
	styles   Styles
	isDark   bool
	help     help.Model
	filter   textinput.Model
	table    nsTable
	detail   detail
	view     view
	dialog   *sendDialog
	notice   string // a one-line message in the footer (e.g. read-only)
	showHelp bool
	// showWarnings is the w overlay: the scan's warnings, in full.
	showWarnings bool
	// showLog is the l overlay: the live signal log; sigs what the UI
	// keeps of it (nil without a recorder).
	showLog bool
	sigs    *sigLog
	// overlay scrolls the help and warnings overlays.
	overlay  viewport.Model
	filterOn bool
	// needsKill shows only the namespaces whose stop needs SIGKILL (K);
	// sortBy is the row order (s, F6).
	needsKill bool
	sortBy    sortKey

	// as is the last scan, assessed; snap is its snapshot (as.Snapshot).
	as *predict.Assessments
	// rows are the main view's rows of as, built once per scan.
	rows     *rowCache
	snap     *procinspect.Snapshot
	took     time.Duration
	err      error
	scanning bool
	width    int
	height   int

	// gen numbers this state of the model for the frame memo (frame.go):
	// Update gives it a new number unless the message changes nothing
	// shown (the rescan tick).
	gen  uint64
	memo *frameMemo
	// pace runs the renderer's ticker (pace.go); nil but under Run.
	pace *pacer
}

// New builds the UI over a scanner.
func New(sc procinspect.Scanner, opts Options) Model {
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Second
	}
	f := textinput.New()
	f.Prompt = "/"
	f.Placeholder = "name, or a PID, or the end of a namespace inode"
	ov := viewport.New()
	ov.KeyMap.PageDown.SetKeys("pgdown", "ctrl+f", "space", "f")
	m := Model{scanner: sc, opts: opts, readOnly: opts.ReadOnly, keys: defaultKeyMap(), isDark: true, help: help.New(),
		filter: f, detail: newDetail(), overlay: ov, needsKill: opts.NeedsSIGKILL, memo: &frameMemo{}, gen: nextGen()}
	if opts.Signals != nil {
		m.sigs = newSigLog()
	}
	m.detail.sigs, m.detail.sigsUnavailable = m.sigs, opts.SignalsUnavailable
	m.setStyles(true)
	return m
}

func (m *Model) setStyles(isDark bool) {
	m.isDark = isDark
	m.styles = newStyles(isDark, m.opts.NoColor)
	m.help.Styles = m.styles.Help
	m.table.lines = &rowLines{} // rows rendered with the old styles are stale
}

// Init starts the first scan, the rescan ticker, and asks the terminal for
// its background colour.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.startScan(), tickCmd(m.opts.Interval), m.waitSignals(0))
}

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case tickMsg, deepScanMsg:
		// They only start a scan: the screen stays as it is.
	default:
		m.gen = nextGen()
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		m.pace.redraw()
	case tea.BackgroundColorMsg:
		m.setStyles(msg.IsDark())
		m.refresh()
	case scanResultMsg:
		m.scanning, m.err, m.as, m.snap, m.took = false, nil, msg.as, msg.as.Snapshot, msg.took
		m.rows = newRowCache(m.as)
		m.refresh()
		m.setOverlay(false)
		if m.opts.OnAssess != nil {
			m.opts.OnAssess(m.as)
		}
	case scanErrMsg:
		// Keep showing the last good snapshot; the header says what failed.
		m.scanning, m.err = false, msg.err
		m.setOverlay(false)
	case tickMsg:
		return m, tea.Batch(m.scanIfIdle(), tickCmd(m.opts.Interval))
	case deepScanMsg:
		if m.view == detailView && m.detail.key == msg.key {
			return m, m.scanIfIdle()
		}
		return m, nil
	case sendResultMsg:
		if m.dialog != nil {
			m.dialog.sending = false
			if msg.err != nil {
				m.dialog.result, m.dialog.failed = "not sent: "+msg.err.Error(), true
			} else {
				m.dialog.result, m.dialog.failed = procinspect.Printable(msg.rep.Summary), msg.rep.Held.Known && !msg.rep.Held.V
			}
		}
		return m, m.scanIfIdle()
	case signalsMsg:
		m.takeSignals(msg)
		return m, m.waitSignals(signalGap)
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return m, nil
}

// startScan marks a scan in flight and returns it. In the detail view the
// shown namespace's processes are read in depth, so their predictions can
// use every thread's mask.
func (m *Model) startScan() tea.Cmd {
	m.scanning = true
	return scanCmd(m.nextScanner(), m.as)
}

// nextScanner is the scanner for the next scan.
func (m *Model) nextScanner() procinspect.Scanner {
	sc := m.scanner
	// Unchanged inits keep their deep facts from the last scan; the
	// detail view's processes (sc.Deep below) are read afresh.
	sc.Prev = m.snap
	// While a filter is in use every status is read again: the filter
	// matches names, and a carried process keeps the name it was first
	// read with (an exec renames it).
	sc.Names = m.filterOn || m.filter.Value() != ""
	if m.view == detailView {
		if ns := findNS(m.snap, m.detail.key); ns != nil {
			for i, p := range ns.Procs {
				if i == maxDetailProcs {
					break
				}
				sc.Deep = append(sc.Deep, p.PID)
			}
		}
	}
	return sc
}

func (m *Model) scanIfIdle() tea.Cmd {
	if m.scanning {
		return nil // a slow scan is still running: don't pile up
	}
	return m.startScan()
}

// refresh recomputes what the views show from the snapshot's rows, which
// it builds only when the snapshot has none yet.
func (m *Model) refresh() {
	if m.rows == nil || m.rows.as != m.as {
		m.rows = newRowCache(m.as)
	}
	m.table.showStop = m.sortBy == sortStop
	m.table.setRows(m.rows.rows(rowOptions{filter: m.filter.Value(), needsKill: m.needsKill, sort: m.sortBy}))
	if m.sigs != nil {
		m.table.marked = m.sigs.marks(time.Now())
	}
	if m.view == detailView {
		m.detail.refresh(m.as, m.styles)
	}
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.help.SetWidth(w)
	m.filter.SetWidth(max(w-2, 10))
	body := max(h-headerLines-footerLines, 2)
	m.table.setSize(w, body)
	m.detail.setSize(w, body)
	m.overlay.SetWidth(w)
	m.overlay.SetHeight(body)
	m.setOverlay(false)
	if m.view == detailView {
		m.detail.refresh(m.as, m.styles)
	}
}

const (
	headerLines = 2
	footerLines = 1
)
