package procinspect

// supervisord's configuration syntax: Python's RawConfigParser as
// supervisor sets it up (UnhosedConfigParser: inline comments after
// whitespace, not strict), its %-expansions and shlex's splitting.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// iniSection is one section: its keys (lower case) and the file that
// first defined it.
type iniSection struct {
	name string
	keys map[string]string
	file string
}

// iniFile is a parsed configuration: its sections in order of first
// appearance.
type iniFile struct{ sections []*iniSection }

// parseIni reads b as RawConfigParser does: "[name]" headers (the name is
// what lies between the first '[' and the last ']'), "key = value" or
// "key: value" with keys lower-cased, comment lines starting with '#' or
// ';', inline comments after whitespace, and indented lines continuing the
// previous value. A repeated section or key merges, the later value
// winning (strict=False).
func parseIni(b []byte) iniFile {
	var f iniFile
	var cur *iniSection
	key := ""
	// The value being read, line by line: joined once when it ends, as
	// appending each continuation to the whole value was quadratic (a
	// container's 256 KiB of continuation lines took seconds per scan).
	var parts []string
	end := func() {
		if cur != nil && key != "" && parts != nil {
			cur.keys[key] = strings.Join(parts, "\n")
		}
		parts = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), maxSupervisordConf+1)
	for sc.Scan() {
		raw := sc.Text()
		line := stripInlineComment(raw)
		trimmed := strings.TrimSpace(line)
		if t := strings.TrimSpace(raw); t == "" || t[0] == '#' || t[0] == ';' {
			if t == "" {
				end()
				key = ""
			}
			continue
		}
		if cur != nil && key != "" && (raw[0] == ' ' || raw[0] == '\t') {
			parts = append(parts, trimmed)
			continue
		}
		end()
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			cur, key = f.section(trimmed[1:len(trimmed)-1], ""), ""
			continue
		}
		i := strings.IndexAny(trimmed, "=:")
		if cur == nil || i < 0 {
			key = ""
			continue
		}
		key = strings.ToLower(strings.TrimSpace(trimmed[:i]))
		parts = []string{strings.TrimSpace(trimmed[i+1:])}
	}
	end()
	return f
}

// stripInlineComment cuts a line at a ';' or '#' that follows white space.
func stripInlineComment(s string) string {
	for i := 1; i < len(s); i++ {
		if (s[i] == ';' || s[i] == '#') && (s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i]
		}
	}
	return s
}

// section returns the section called name, made (from file) if new.
func (f *iniFile) section(name, file string) *iniSection {
	for _, s := range f.sections {
		if s.name == name {
			return s
		}
	}
	s := &iniSection{name: name, keys: map[string]string{}, file: file}
	f.sections = append(f.sections, s)
	return s
}

func (f *iniFile) get(section, key string) (string, bool) {
	for _, s := range f.sections {
		if s.name == section {
			v, ok := s.keys[key]
			return v, ok
		}
	}
	return "", false
}

// hereIs replaces %(here)s in every value with dir, as supervisord's
// expand_here does for each file it reads, with that file's directory.
func (f *iniFile) hereIs(dir string) {
	for _, s := range f.sections {
		for k, v := range s.keys {
			s.keys[k] = strings.ReplaceAll(v, "%(here)s", dir)
		}
	}
}

// merge adds the sections and keys of inc, read from file, over f's.
func (f *iniFile) merge(inc iniFile, file string) {
	for _, s := range inc.sections {
		dst := f.section(s.name, file)
		for k, v := range s.keys {
			dst.keys[k] = v
		}
	}
}

// programs are the [program:NAME], [eventlistener:NAME] and
// [fcgi-program:NAME] sections, which supervisord stops alike (options.py:
// processes_from_section); a section without a file is the main file's
// (mainPath). A program or fcgi-program named in a [group:G] section's
// programs= has group_name G (process_groups_from_parser).
func (f *iniFile) programs(mainPath string) []SupervisordProgram {
	groups := map[string]string{}
	for _, s := range f.sections {
		if g, ok := strings.CutPrefix(s.name, "group:"); ok {
			for _, name := range strings.Split(s.keys["programs"], ",") {
				if name = strings.TrimSpace(name); name != "" {
					groups[name] = strings.TrimSpace(g)
				}
			}
		}
	}
	var out []SupervisordProgram
	for _, s := range f.sections {
		kind, name, ok := strings.Cut(s.name, ":")
		if !ok || (kind != "program" && kind != "eventlistener" && kind != "fcgi-program") {
			continue
		}
		p := SupervisordProgram{Kind: kind, Name: strings.TrimSpace(name), Command: s.keys["command"], File: s.file,
			StopSignal: SIGTERM, StopWaitSecs: 10, NumProcs: 1}
		p.Group = p.Name
		if g, ok := groups[p.Name]; ok && kind != "eventlistener" {
			p.Group = g
		}
		if p.File == "" {
			p.File = mainPath
		}
		if v, ok := s.keys["stopsignal"]; ok {
			if sig, err := ParseSignal(v); err == nil {
				p.StopSignal, p.StopSignalSet = sig, true
			}
		}
		if n, err := strconv.Atoi(s.keys["stopwaitsecs"]); err == nil && n >= 0 {
			p.StopWaitSecs, p.StopWaitSecsSet = n, true
		}
		if n, err := strconv.Atoi(s.keys["numprocs"]); err == nil && n >= 0 {
			p.NumProcs = n
		}
		if n, err := strconv.Atoi(s.keys["numprocs_start"]); err == nil && n >= 0 {
			p.NumProcsStart = n
		}
		// killasgroup defaults to stopasgroup (options.py); a value that
		// is no boolean stops supervisord from starting at all.
		p.StopAsGroup = pyBool(s.keys["stopasgroup"], false)
		p.KillAsGroup = pyBool(s.keys["killasgroup"], p.StopAsGroup)
		for _, k := range []string{"stopasgroup", "killasgroup"} {
			if v := s.keys[k]; strings.Contains(v, "%(") && p.AsGroupUnknown == "" {
				p.AsGroupUnknown = fmt.Sprintf("%s=%s is expanded by supervisord (from its environment), which sigview does not do", k, Printable(v))
			}
		}
		out = append(out, p)
	}
	return out
}

// pyBool is supervisor's boolean(): def when v is empty or no boolean.
func pyBool(v string, def bool) bool {
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1":
		return true
	case "false", "no", "off", "0":
		return false
	}
	return def
}

// pyFormat is Python's "s % dict" for %(name)[flags][width]s or d and %%;
// ok is false for a name vars lacks or a form it does not handle.
func pyFormat(s string, vars map[string]any) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if i+1 >= len(s) || s[i+1] != '(' {
			return "", false
		}
		end := strings.IndexByte(s[i:], ')')
		if end < 0 {
			return "", false
		}
		v, ok := vars[s[i+2:i+end]]
		j := i + end + 1
		for j < len(s) && strings.IndexByte("-+ #0123456789", s[j]) >= 0 {
			j++
		}
		if !ok || j >= len(s) || (s[j] != 's' && s[j] != 'd') {
			return "", false
		}
		// A width or precision over two digits is refused as a form sigview
		// does not follow: "%(process_num)999999d" would build a megabyte
		// for each of a section's numprocs, for each child, every scan.
		digits := 0
		for _, c := range s[i+end+1 : j] {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if digits > 2 {
			return "", false
		}
		verb := "%" + s[i+end+1:j] + "v"
		if _, num := v.(int); s[j] == 'd' && !num {
			return "", false
		}
		b.WriteString(fmt.Sprintf(verb, v))
		i = j
	}
	return b.String(), true
}

// shlexSplit splits s as Python's shlex.split does (POSIX mode): white
// space separates words; '…' quotes literally; "…" quotes with \ escaping
// \, ", $ and `; a \ outside quotes escapes the next character.
func shlexSplit(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if in {
				words, in = append(words, w.String()), false
				w.Reset()
			}
			continue
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("no escaped character")
			}
			i++
			w.WriteByte(s[i])
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("no closing quotation")
			}
			w.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && strings.IndexByte("\\\"$`", s[j+1]) >= 0 {
					j++
				}
				w.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errors.New("no closing quotation")
			}
			i = j
		default:
			w.WriteByte(c)
		}
		in = true
	}
	if in {
		words = append(words, w.String())
	}
	return words, nil
}
