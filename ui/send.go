package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/sigview/sigview/procinspect"
	"github.com/sigview/sigview/procinspect/act"
	"github.com/sigview/sigview/procinspect/predict"
)

// sendSignals are the signals the F9 dialog offers, as htop's list
// starts: the assessed ones, so the dialog reads every prediction.
var sendSignals = predict.AssessedSignals

// sendDialog is F9: choose a signal and a sender, see the prediction,
// confirm with Enter. Nothing is sent without that Enter.
type sendDialog struct {
	target *procinspect.Process
	assess *predict.Assessment // the target's, from the snapshot it was chosen in
	nsKey  nsKey
	sig    int // index in sendSignals
	inside bool
	// insideOnly: the target is in sigview's own PID namespace, not the
	// host's, so what sigview sends comes from inside; host is not offered.
	insideOnly bool
	sending    bool
	result     string
	failed     bool
	// note warns that the filter named another process than the init.
	note string
	// guard: the target is the machine's own PID 1 (act.CheckHostInit);
	// Enter sends only once typed is its PID.
	guard bool
	typed string
}

// sendResultMsg carries what a send did.
type sendResultMsg struct {
	rep act.SendReport
	err error
}

// sendCmd sends in the background and watches.
func sendCmd(sc procinspect.Scanner, req act.SendRequest) tea.Cmd {
	return func() tea.Msg {
		rep, err := act.Send(sc, req)
		return sendResultMsg{rep, err}
	}
}

func (d sendDialog) from() predict.Sender {
	if d.inside {
		return predict.Inside
	}
	return predict.Host
}

func (d sendDialog) signal() procinspect.Signal { return sendSignals[d.sig] }

// update handles a key in the dialog. It returns the request to send when
// the person confirmed, and whether the dialog stays open.
func (d sendDialog) update(msg tea.KeyPressMsg, k keyMap) (sendDialog, *act.SendRequest, bool) {
	if d.sending {
		return d, nil, true
	}
	if d.result != "" {
		return d, nil, false // any key closes the result
	}
	switch {
	case key.Matches(msg, k.Back):
		return d, nil, false
	case msg.String() == "left" || msg.String() == "h":
		d.sig = (d.sig + len(sendSignals) - 1) % len(sendSignals)
	case msg.String() == "right" || msg.String() == "l":
		d.sig = (d.sig + 1) % len(sendSignals)
	case msg.String() == "tab" && !d.insideOnly:
		d.inside = !d.inside
	case d.guard && msg.String() == "backspace":
		if d.typed != "" {
			d.typed = d.typed[:len(d.typed)-1]
		}
	case d.guard && len(msg.String()) == 1 && msg.String()[0] >= '0' && msg.String()[0] <= '9':
		if len(d.typed) < 10 {
			d.typed += msg.String()
		}
	case msg.String() == "enter" && d.guard && d.typed != strconv.Itoa(d.target.PID):
		// Not confirmed: nothing is sent.
	case msg.String() == "enter":
		d.sending = true
		return d, &act.SendRequest{PID: d.target.PID, Signal: d.signal(), From: d.from(), StartTime: d.target.StartTime,
			HostInit: d.guard}, true
	}
	return d, nil, true
}

// view renders the dialog.
func (d sendDialog) view(st Styles, width int) string {
	wrap := lipgloss.NewStyle().Width(max(width-2, 20))
	var b strings.Builder
	p := d.target
	b.WriteString(st.Section.Render(fmt.Sprintf("Send a signal to this PID namespace's init, %s (PID %d)", procinspect.Printable(p.Name()), p.PID)) + "\n")
	if d.note != "" {
		b.WriteString(st.Warn.Render(wrap.Render(d.note)) + "\n")
	}
	b.WriteString("\n")
	for i, sig := range sendSignals {
		label := " " + strings.TrimPrefix(sig.String(), "SIG") + " "
		if i == d.sig {
			// Brackets mark the choice without colour (NO_COLOR, a mono terminal).
			label = st.Selected.Render("[" + strings.TrimPrefix(sig.String(), "SIG") + "]")
		}
		b.WriteString(label + " ")
	}
	b.WriteString("   ←/→ signal\n")
	host, inside := "[host]", " inside "
	if d.inside {
		host, inside = " host ", "[inside]"
	}
	if d.insideOnly {
		b.WriteString("from: [inside]   sigview runs in this PID namespace, so it can send only from inside (no ancestor's SIGKILL)\n\n")
	} else {
		b.WriteString(fmt.Sprintf("from: %s %s   tab switches (inside = a process that joins its PID namespace, like docker exec … kill)\n\n", host, inside))
	}
	pr := d.assess.Prediction(d.signal(), d.from())
	b.WriteString("prediction: " + st.Verdict[pr.Verdict].Render(verdictText(pr, true)) + "\n")
	b.WriteString(st.Faint.Render(wrap.Render(procinspect.Printable(pr.Reason))) + "\n\n")
	switch {
	case d.sending:
		b.WriteString(st.Warn.Render("sending, then watching for 2 s…"))
	case d.result != "":
		style := st.Header
		if d.failed {
			style = st.Error
		}
		b.WriteString(style.Render(wrap.Render(d.result)) + "\n\n" + st.Faint.Render("any key closes"))
	case d.guard:
		b.WriteString(st.Error.Render(wrap.Render(fmt.Sprintf("This is the machine's own init: PID %d of the host's initial PID namespace. A signal it acts on can take the whole machine down.", p.PID))) + "\n")
		b.WriteString(st.Warn.Render(fmt.Sprintf("type its PID, %d, to confirm: [%s]", p.PID, d.typed)) + "  ")
		if d.typed == fmt.Sprint(p.PID) {
			b.WriteString(st.Warn.Render("enter sends it · esc cancels"))
		} else {
			b.WriteString(st.Faint.Render("enter does nothing until then · esc cancels"))
		}
	default:
		b.WriteString(st.Warn.Render("enter sends it · esc cancels"))
	}
	return b.String()
}
