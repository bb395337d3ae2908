// Package actions is the GitHub Actions environment as the CLI sees it: the
// variables a runner sets, the event payload, the step outputs
// ($GITHUB_OUTPUT), the step summary ($GITHUB_STEP_SUMMARY) and workflow
// commands (annotations, log groups). Only cmd/sonic-release uses it.
package actions

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Env is the GitHub Actions context of a run, read from the environment.
type Env struct {
	Actions     bool   // GITHUB_ACTIONS=true
	EventName   string // GITHUB_EVENT_NAME
	EventPath   string // GITHUB_EVENT_PATH
	Ref         string // GITHUB_REF
	SHA         string // GITHUB_SHA
	Repository  string // GITHUB_REPOSITORY (owner/name)
	APIURL      string // GITHUB_API_URL, default https://api.github.com
	ServerURL   string // GITHUB_SERVER_URL, default https://github.com
	Workflow    string // GITHUB_WORKFLOW_REF
	Token       string // GITHUB_TOKEN
	OutputPath  string // GITHUB_OUTPUT
	SummaryPath string // GITHUB_STEP_SUMMARY
	RunnerTemp  string // RUNNER_TEMP
	OIDCURL     string // ACTIONS_ID_TOKEN_REQUEST_URL
	OIDCToken   string // ACTIONS_ID_TOKEN_REQUEST_TOKEN
	RunID       string // GITHUB_RUN_ID
	RunAttempt  string // GITHUB_RUN_ATTEMPT
}

// FromEnv reads the Actions context through getenv (os.Getenv in main,
// a map in tests).
func FromEnv(getenv func(string) string) Env {
	e := Env{
		Actions:     getenv("GITHUB_ACTIONS") == "true",
		EventName:   getenv("GITHUB_EVENT_NAME"),
		EventPath:   getenv("GITHUB_EVENT_PATH"),
		Ref:         getenv("GITHUB_REF"),
		SHA:         getenv("GITHUB_SHA"),
		Repository:  getenv("GITHUB_REPOSITORY"),
		APIURL:      getenv("GITHUB_API_URL"),
		ServerURL:   getenv("GITHUB_SERVER_URL"),
		Workflow:    getenv("GITHUB_WORKFLOW_REF"),
		Token:       getenv("GITHUB_TOKEN"),
		OutputPath:  getenv("GITHUB_OUTPUT"),
		SummaryPath: getenv("GITHUB_STEP_SUMMARY"),
		RunnerTemp:  getenv("RUNNER_TEMP"),
		OIDCURL:     getenv("ACTIONS_ID_TOKEN_REQUEST_URL"),
		OIDCToken:   getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
		RunID:       getenv("GITHUB_RUN_ID"),
		RunAttempt:  getenv("GITHUB_RUN_ATTEMPT"),
	}
	if e.APIURL == "" {
		e.APIURL = "https://api.github.com"
	}
	if e.ServerURL == "" {
		e.ServerURL = "https://github.com"
	}
	return e
}

// WriteOutputs appends step outputs to the file at path ($GITHUB_OUTPUT),
// in sorted key order. Every value uses the multi-line syntax
// (name<<DELIMITER … DELIMITER) with a random delimiter that the value does
// not contain, so any value round-trips. An empty path writes nothing.
func WriteOutputs(path string, outputs map[string]string) error {
	if path == "" || len(outputs) == 0 {
		return nil
	}
	keys := make([]string, 0, len(outputs))
	for k := range outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v := outputs[k]
		delim := delimiter(v)
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", k, delim, v, delim)
	}
	return appendFile("GITHUB_OUTPUT", path, b.String())
}

// ParseOutputs reads a $GITHUB_OUTPUT file as the runner does: NAME=VALUE
// lines and the multi-line syntax (NAME<<DELIMITER, the value's lines,
// DELIMITER). A name written twice keeps its last value.
func ParseOutputs(data string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		eq, heredoc := strings.Index(line, "="), strings.Index(line, "<<")
		if eq >= 0 && (heredoc < 0 || eq < heredoc) {
			if eq == 0 {
				return nil, fmt.Errorf("line %d %q: an output needs a name before =", i+1, line)
			}
			out[line[:eq]] = line[eq+1:]
			continue
		}
		if heredoc <= 0 || heredoc+2 == len(line) {
			return nil, fmt.Errorf("line %d %q: expected NAME=VALUE or NAME<<DELIMITER", i+1, line)
		}
		name, delim := line[:heredoc], line[heredoc+2:]
		start := i + 1
		for i++; i < len(lines) && lines[i] != delim; i++ {
		}
		if i == len(lines) {
			return nil, fmt.Errorf("output %s: no closing delimiter %s", name, delim)
		}
		out[name] = strings.Join(lines[start:i], "\n")
	}
	return out, nil
}

// ReadOutputs reads and parses the $GITHUB_OUTPUT file at path.
func ReadOutputs(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the outputs: %w", err)
	}
	out, err := ParseOutputs(string(b))
	if err != nil {
		return nil, fmt.Errorf("reading the outputs %q: %w", path, err)
	}
	return out, nil
}

func delimiter(value string) string {
	for {
		var buf [12]byte
		_, _ = rand.Read(buf[:])
		d := "ghadelimiter_" + hex.EncodeToString(buf[:])
		if !strings.Contains(value, d) {
			return d
		}
	}
}

// AppendSummary appends Markdown to the step summary file at path
// ($GITHUB_STEP_SUMMARY), with every workflow command in it broken (Lines).
// An empty path writes nothing.
func AppendSummary(path, markdown string) error {
	if path == "" || markdown == "" {
		return nil
	}
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	return appendFile("GITHUB_STEP_SUMMARY", path, Lines(markdown))
}

// appendFile appends s to the file at path, which the variable named: the
// error says which variable points where, since the runner sets it.
func appendFile(variable, path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = io.WriteString(f, s)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("cannot append to $%s: %w (it must name a file the step can write)", variable, err)
	}
	return nil
}

// Annotation is a workflow command that shows a message on the run and, with
// a file and line, on the diff of a pull request.
type Annotation struct {
	Level   string // "error", "warning" or "notice"
	File    string
	Line    int
	Title   string
	Message string
}

// String formats the annotation as a workflow command line
// (::warning file=F,line=L,title=T::message), escaped as the runner expects.
func (a Annotation) String() string {
	var props []string
	if a.File != "" {
		props = append(props, "file="+escapeProperty(a.File))
	}
	if a.Line > 0 {
		props = append(props, fmt.Sprintf("line=%d", a.Line))
	}
	if a.Title != "" {
		props = append(props, "title="+escapeProperty(a.Title))
	}
	level := a.Level
	if level == "" {
		level = "notice"
	}
	p := ""
	if len(props) > 0 {
		p = " " + strings.Join(props, ",")
	}
	return "::" + level + p + "::" + escapeData(a.Message)
}

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// Group starts a collapsible log group; EndGroup ends it.
func Group(w io.Writer, title string) { _ = Command(w, "::group::"+escapeData(title)) }

// EndGroup ends the current log group.
func EndGroup(w io.Writer) { _ = Command(w, "::endgroup::") }
