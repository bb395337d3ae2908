package actions

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Repository text (file names, SQL identifiers, commit subjects, refs) is
// hostile: the runner reads every line a step prints on stdout and stderr,
// and a line that starts with "::" after leading white space (or holds
// "##[", the old syntax) is a workflow command. The helpers below make such
// text inert; Command is the only way to print a real workflow command.

// zwsp is put in front of "::" (and inside "##[") to break a command: the
// runner trims white space, and a zero-width space is not white space.
const zwsp = "\u200b"

// OneLine makes s safe for a one-line field: every control character
// (newlines and carriage returns included) and the Unicode line and
// paragraph separators are written as Go escapes (\n, \r, \x1b, \u2028),
// and a workflow command in it is broken as Lines does.
func OneLine(s string) string {
	if strings.IndexFunc(s, isBreaking) >= 0 {
		var b strings.Builder
		for _, r := range s {
			if isBreaking(r) {
				q := strconv.QuoteRune(r)
				b.WriteString(q[1 : len(q)-1])
				continue
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	return neutralize(s)
}

// isBreaking reports whether r may end a line for some reader, or is an
// invisible control character.
func isBreaking(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// Lines breaks every workflow command in multi-line text s: a line whose
// first non-blank characters are "::" gets a zero-width space in front of
// them, and "##[" becomes "##\u200b[". Everything else is kept byte for byte.
func Lines(s string) string {
	if !strings.Contains(s, "::") && !strings.Contains(s, "##[") {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			b.WriteString(neutralize(s))
			break
		}
		b.WriteString(neutralize(s[:i]))
		b.WriteByte(s[i])
		s = s[i+1:]
	}
	return b.String()
}

// neutralize breaks a workflow command in one line (no \r or \n in it).
func neutralize(line string) string {
	line = strings.ReplaceAll(line, "##[", "##"+zwsp+"[")
	rest := strings.TrimLeftFunc(line, unicode.IsSpace)
	if strings.HasPrefix(rest, "::") {
		i := len(line) - len(rest)
		line = line[:i] + zwsp + rest
	}
	return line
}

// IsCommand reports whether the runner would take line as a workflow
// command (the "::" syntax).
func IsCommand(line string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::")
}

// Writer passes text to an underlying writer line by line, breaking every
// workflow command in it (as Lines does). The CLI wraps its stdout and
// stderr in one, so nothing it prints, logs included, can steer the runner;
// its own workflow commands go through Command. A line is held until its
// end (or 64 KiB) arrives; Flush writes what is held. Safe for concurrent
// use.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
	mid bool // buf continues a line already partly written
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

const maxHeld = 64 << 10

// Write implements io.Writer.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	start := len(w.buf) // what is held has no line end: look at p only
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexAny(w.buf[start:], "\r\n")
		if i < 0 {
			break
		}
		i, start = i+start, 0
		if err := w.emit(w.buf[:i], w.buf[i:i+1]); err != nil {
			return 0, err
		}
		w.buf = w.buf[i+1:]
		w.mid = false
	}
	if len(w.buf) >= maxHeld {
		// Keep a partial rune for the next write.
		n := len(w.buf)
		for k := 1; k < utf8.UTFMax && k <= n; k++ {
			if utf8.RuneStart(w.buf[n-k]) {
				if !utf8.FullRune(w.buf[n-k:]) {
					n -= k
				}
				break
			}
		}
		if err := w.emit(w.buf[:n], nil); err != nil {
			return 0, err
		}
		w.buf = append([]byte(nil), w.buf[n:]...)
		w.mid = true
	}
	if len(w.buf) == 0 {
		w.buf = nil
	}
	return len(p), nil
}

func (w *Writer) emit(line, end []byte) error {
	s := string(line)
	if w.mid {
		s = strings.ReplaceAll(s, "##[", "##"+zwsp+"[")
	} else {
		s = neutralize(s)
	}
	_, err := io.WriteString(w.w, s+string(end))
	return err
}

// Flush writes the part of a line held back.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flush()
}

func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.emit(w.buf, nil)
	w.buf, w.mid = nil, true
	return err
}

// command writes a workflow command the tool made, unchanged.
func (w *Writer) command(line string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 || w.mid {
		// A command must start its own line.
		if err := w.flush(); err != nil {
			return err
		}
		if _, err := io.WriteString(w.w, "\n"); err != nil {
			return err
		}
	}
	w.mid = false
	_, err := io.WriteString(w.w, line+"\n")
	return err
}

// Command prints a workflow command the tool made (an annotation, a log
// group, a mask) on its own line: through a Writer unchanged, and on any
// other writer as is. line must be one line, escaped (Annotation.String).
func Command(w io.Writer, line string) error {
	if sw, ok := w.(*Writer); ok {
		return sw.command(line)
	}
	_, err := io.WriteString(w, line+"\n")
	return err
}
