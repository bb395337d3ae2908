package migrations

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
)

// Breakpoint is the marker drizzle-kit puts between statements. Drizzle's
// migrator splits a file on it with a plain string split and sends each
// chunk to the database separately; the analyser does the same, then lets
// the PostgreSQL parser split each chunk into statements.
const Breakpoint = "--> statement-breakpoint"

// pragmaPrefix starts a verdict override comment:
// "-- sonic-release: compatible <reason>" or "-- sonic-release: breaking <reason>".
const pragmaPrefix = "sonic-release:"

// maxParse is the largest chunk the parser reads whole and the largest
// statement it parses at all (a parse tree takes tens of bytes per byte of
// SQL). A bigger chunk is cut into statements at the scanner's semicolons
// and each is parsed alone, so one statement's tree at a time is alive; a
// bigger statement is judged by its first keyword (see tooLarge).
const maxParse = 1 << 20

// maxStatementText bounds the statement text kept in a finding.
const maxStatementText = 2000

// ClassifyFile classifies every statement of one migration file's content
// against schema, which holds what the earlier migrations made (and, after
// Schema.Baseline, what the previous release had). It then applies the
// file's statements to schema, so the next file of the range is judged
// against the right state. A nil schema is an empty database.
//
// name is the file's path, copied into each finding. Lines are 1-based
// lines of sql. SQL that does not parse, content that is not UTF-8, and SQL
// the analyser cannot see into are findings (errors are judged breaking,
// what it cannot see into needs review), never errors; the error is nil today and reserved for a failure of the parser
// library itself.
func ClassifyFile(name string, sql []byte, schema *Schema) ([]Finding, error) {
	if schema == nil {
		schema = NewSchema()
	}
	if !utf8.Valid(sql) {
		return []Finding{{
			File: name, Line: 1, Class: Other, Breaking: true, Level: LevelError,
			Reason: "the file is not UTF-8 text: PostgreSQL rejects it; judged breaking",
		}}, nil
	}
	src := string(sql)
	c := &classifier{file: name, src: src, s: schema}
	offset := 0
	for _, chunk := range strings.Split(src, Breakpoint) {
		c.chunk(chunk, offset)
		offset += len(chunk) + len(Breakpoint)
	}
	c.applyPragmas()
	return c.out, nil
}

type classifier struct {
	file    string
	src     string
	s       *Schema
	out     []Finding
	starts  []int // byte offset of each finding's statement in src
	pragmas []pragma
	// dropIdx maps an enum dropped in this file to its finding, so that
	// re-creating it (drizzle-kit's way of removing a value) can amend it.
	dropIdx map[string]int
	// dropDefault maps "table.column" whose default this file dropped to
	// the finding, so that setting a default again (drizzle-kit 1.0 does so
	// around an enum rewrite) can amend it.
	dropDefault map[string]int
	// procs holds the PL/pgSQL bodies of the procedures this file creates,
	// by key, so that CALL can be judged by what the body runs.
	procs map[string]string
	// notNullNoDefault maps "table.column", a column added in the range
	// made NOT NULL without a default, to the finding, so that setting a
	// default later in the file can amend it.
	notNullNoDefault map[string]int
	// newlines are the offsets of the file's line breaks, for line().
	newlines []int
}

type pragma struct {
	offset   int
	line     int
	breaking bool
	reason   string
}

// line returns the 1-based line of byte offset off in the file.
func (c *classifier) line(off int) int {
	if c.newlines == nil {
		c.newlines = []int{}
		for i := 0; i < len(c.src); i++ {
			if c.src[i] == '\n' {
				c.newlines = append(c.newlines, i)
			}
		}
	}
	n, _ := slices.BinarySearch(c.newlines, off)
	return 1 + n
}

// stmtCtx is the statement being classified.
type stmtCtx struct {
	offset int // byte offset of the statement's first token in the file
	line   int
	text   string
}

func (c *classifier) add(st stmtCtx, f Finding) {
	f.File = c.file
	f.Line = st.line
	f.Statement = st.text
	if f.Level == "" {
		f.Level = levelOf(f)
	}
	c.out = append(c.out, f)
	c.starts = append(c.starts, st.offset)
}

func (c *classifier) chunk(chunk string, base int) {
	tokens := c.scan(chunk, base)
	if strings.TrimSpace(chunk) == "" {
		return
	}
	// Semicolons inside a BEGIN ATOMIC function body do not end the
	// statement, and only the parser knows where it ends: such a chunk is
	// parsed whole, however big. So is one the scanner rejects (an
	// unterminated string): the parser stops at the same error, building
	// no tree.
	if len(chunk) > maxParse && len(tokens) > 0 && !slices.ContainsFunc(tokens, func(t token) bool { return t.kind == pg.Token_ATOMIC }) {
		c.statements(chunk, base, tokens, nil)
		return
	}
	tree, err := c.parse(chunk)
	if err != nil {
		c.statements(chunk, base, tokens, err)
		return
	}
	for _, raw := range tree.GetStmts() {
		loc := int(raw.GetStmtLocation())
		end := len(chunk)
		if l := int(raw.GetStmtLen()); l > 0 && loc+l <= len(chunk) {
			end = loc + l
		}
		if loc < 0 || loc > end {
			loc = 0
		}
		start := firstToken(tokens, loc, end)
		st := stmtCtx{offset: base + start, line: c.line(base + start), text: clip(strings.TrimSpace(chunk[start:end]))}
		c.stmt(st, raw.GetStmt())
	}
}

// statements handles a chunk the parser rejects (chunkErr) or one too big
// to parse whole (chunkErr nil): it is cut at the scanner's semicolons
// (outside strings and comments), each piece is parsed on its own, and the
// pieces that fail become error findings on the line of the error. A piece
// over maxParse is not parsed (tooLarge).
func (c *classifier) statements(chunk string, base int, tokens []token, chunkErr error) {
	var cuts []int
	for _, t := range tokens {
		if t.kind == pg.Token_ASCII_59 {
			cuts = append(cuts, int(t.end))
		}
	}
	if len(tokens) == 0 || len(cuts) == 0 || cuts[len(cuts)-1] < len(chunk) {
		cuts = append(cuts, len(chunk))
	}
	if len(tokens) == 0 {
		cuts = []int{len(chunk)} // the scanner failed too: one piece
	}
	reported := len(c.out)
	defer func() {
		if chunkErr == nil {
			return
		}
		for _, f := range c.out[reported:] {
			if f.Level == LevelError {
				return
			}
		}
		// Every piece parses alone, but the database gets the chunk whole
		// and rejects it.
		start := firstToken(tokens, 0, len(chunk))
		c.add(stmtCtx{offset: base + start, line: c.line(base + start), text: clip(strings.TrimSpace(chunk[start:]))}, Finding{
			Class: Other, Breaking: true, Level: LevelError,
			Reason: fmt.Sprintf("does not parse as PostgreSQL (%s); the database would reject it too; judged breaking", chunkErr.Error()),
		})
	}()
	from := 0
	for _, to := range cuts {
		piece := chunk[from:to]
		pieceBase := base + from
		from = to
		if strings.TrimSpace(piece) == "" {
			continue
		}
		start := firstToken(tokens, pieceBase-base, pieceBase-base+len(piece)) - (pieceBase - base)
		if start < 0 || start >= len(piece) || strings.TrimSpace(piece[start:]) == "" || len(tokens) > 0 && onlyComments(tokens, pieceBase-base, pieceBase-base+len(piece)) {
			continue
		}
		if len(piece)-start > maxParse && len(tokens) > 0 {
			c.tooLarge(stmtCtx{offset: pieceBase + start, line: c.line(pieceBase + start), text: clip(strings.TrimSpace(piece[start:]))}, piece[start:])
			continue
		}
		tree, err := c.parse(piece)
		if err == nil && (len(cuts) > 1 || chunkErr == nil) {
			for _, raw := range tree.GetStmts() {
				loc := int(raw.GetStmtLocation())
				end := len(piece)
				if l := int(raw.GetStmtLen()); l > 0 && loc+l <= len(piece) {
					end = loc + l
				}
				if loc < start {
					loc = start
				}
				if loc > end {
					loc = end
				}
				st := stmtCtx{offset: pieceBase + loc, line: c.line(pieceBase + loc), text: clip(strings.TrimSpace(piece[loc:end]))}
				c.stmt(st, raw.GetStmt())
			}
			continue
		}
		if err == nil {
			err = chunkErr
		}
		pos := start
		var perr *pgparser.Error
		if errors.As(err, &perr) && perr.Cursorpos > 0 && perr.Cursorpos-1 < len(piece) {
			pos = perr.Cursorpos - 1
		}
		c.add(stmtCtx{offset: pieceBase + start, line: c.line(pieceBase + pos), text: clip(strings.TrimSpace(piece[start:]))}, Finding{
			Class: Other, Breaking: true, Level: LevelError,
			Reason: fmt.Sprintf("does not parse as PostgreSQL (%s); the database would reject it too; judged breaking", err.Error()),
		})
	}
}

// tooLarge judges a statement over maxParse bytes, which is not parsed, by
// its first keyword: INSERT, UPDATE and DELETE change data; anything else
// needs review.
func (c *classifier) tooLarge(st stmtCtx, sql string) {
	kw := sql[:min(len(sql), 20)]
	if i := strings.IndexFunc(kw, func(r rune) bool { return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') }); i >= 0 {
		kw = kw[:i]
	}
	kw = strings.ToUpper(kw)
	size := fmt.Sprintf("the statement is %.1f MiB, over the %d MiB the analyser parses; judged by its first keyword, %s", float64(len(sql))/(1<<20), maxParse>>20, kw)
	switch kw {
	case "INSERT", "UPDATE", "DELETE":
		verb := map[string]string{"INSERT": "inserts rows", "UPDATE": "updates rows", "DELETE": "deletes rows"}[kw]
		c.add(st, Finding{Class: DataChange, Reason: verb + " (" + size + "): changes data, not the schema, so the previous release still runs; a rollback does not undo it"})
	default:
		c.add(st, Finding{Class: Other, Review: true, Reason: size + ": read it and check that the previous release still works after it (then add a pragma saying so)"})
	}
}

// onlyComments reports whether every token in [from, to) is a comment.
func onlyComments(toks []token, from, to int) bool {
	for _, t := range toks[tokenAt(toks, from):] {
		if int(t.start) >= to {
			break
		}
		if k := t.kind; k != pg.Token_SQL_COMMENT && k != pg.Token_C_COMMENT {
			return false
		}
	}
	return true
}

// tokenAt returns the index of the first token that starts at or after
// offset off. The scanner returns tokens in order, so a binary search
// finds it: looking for a statement's tokens costs O(log n), not a walk
// over every token of the chunk (which made a chunk of many statements
// quadratic).
func tokenAt(toks []token, off int) int {
	i, _ := slices.BinarySearchFunc(toks, off, func(t token, off int) int {
		return int(t.start) - off
	})
	return i
}

// scan finds the comments of a chunk with PostgreSQL's own scanner (so a
// "--" inside a string is not a comment) and records the pragmas. It
// returns the tokens, for finding where statements really start.
func (c *classifier) scan(chunk string, base int) []token {
	toks, err := c.scanTokens(chunk)
	if err != nil {
		return nil
	}
	for _, t := range toks {
		if t.kind != pg.Token_SQL_COMMENT {
			continue
		}
		text := strings.TrimSpace(strings.TrimPrefix(chunk[t.start:t.end], "--"))
		if !strings.HasPrefix(text, pragmaPrefix) {
			continue
		}
		off := base + int(t.start)
		body := strings.TrimSpace(strings.TrimPrefix(text, pragmaPrefix))
		verdict, reason, _ := strings.Cut(body, " ")
		reason = strings.TrimSpace(reason)
		p := pragma{offset: off, line: c.line(off), reason: reason}
		switch verdict {
		case "compatible":
		case "breaking":
			p.breaking = true
		default:
			c.problem(off, fmt.Sprintf("pragma %q: expected \"-- sonic-release: compatible <reason>\" or \"-- sonic-release: breaking <reason>\"; ignored", text))
			continue
		}
		if reason == "" {
			c.problem(off, fmt.Sprintf("pragma %q has no reason: write why after %q; ignored", text, verdict))
			continue
		}
		c.pragmas = append(c.pragmas, p)
	}
	return toks
}

// problem records an error-level finding about the file at offset off.
func (c *classifier) problem(off int, reason string) {
	c.out = append(c.out, Finding{File: c.file, Line: c.line(off), Class: Other, Level: LevelError, Reason: reason})
	c.starts = append(c.starts, -1)
}

// applyPragmas gives each pragma's verdict to the findings of the first
// statement that starts after it. The statements' offsets are sorted once,
// so a file with a pragma before every statement stays linear.
func (c *classifier) applyPragmas() {
	if len(c.pragmas) == 0 {
		return
	}
	byStart := map[int][]int{} // statement offset → its findings
	var offs []int
	for i, off := range c.starts {
		if off < 0 {
			continue
		}
		if _, seen := byStart[off]; !seen {
			offs = append(offs, off)
		}
		byStart[off] = append(byStart[off], i)
	}
	slices.Sort(offs)
	for _, p := range c.pragmas {
		n, found := slices.BinarySearch(offs, p.offset)
		if found {
			n++
		}
		if n == len(offs) {
			c.problem(p.offset, "pragma applies to no statement: put it on a line before the statement it is about")
			continue
		}
		for _, i := range byStart[offs[n]] {
			if c.out[i].Level == LevelError {
				continue
			}
			f := &c.out[i]
			f.Pragma = true
			f.Breaking, f.Review = p.breaking, false
			f.Reason = p.reason
			f.Level = levelOf(*f)
		}
	}
}

// levelOf is the level of a statement's finding: warning when breaking,
// notice when it needs review, else info.
func levelOf(f Finding) Level {
	switch {
	case f.Breaking:
		return LevelWarning
	case f.Review:
		return LevelNotice
	}
	return LevelInfo
}

// firstToken returns the offset of the first token in [from, to) that is
// not a comment (statement locations may include leading comments).
func firstToken(toks []token, from, to int) int {
	for _, t := range toks[tokenAt(toks, from):] {
		s := int(t.start)
		if s >= to {
			break
		}
		if k := t.kind; k == pg.Token_SQL_COMMENT || k == pg.Token_C_COMMENT {
			continue
		}
		return s
	}
	return from
}

func clip(s string) string {
	if len(s) <= maxStatementText {
		return s
	}
	cut := maxStatementText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + " …"
}

func (c *classifier) stmt(st stmtCtx, n *pg.Node) {
	switch {
	case n.GetCreateStmt() != nil:
		c.createTable(st, n.GetCreateStmt())
	case n.GetAlterTableStmt() != nil:
		c.alterTable(st, n.GetAlterTableStmt())
	case n.GetRenameStmt() != nil:
		c.rename(st, n.GetRenameStmt())
	case n.GetDropStmt() != nil:
		c.drop(st, n.GetDropStmt())
	case n.GetCreateEnumStmt() != nil:
		c.createEnum(st, n.GetCreateEnumStmt())
	case n.GetAlterEnumStmt() != nil:
		c.alterEnum(st, n.GetAlterEnumStmt())
	case n.GetIndexStmt() != nil:
		c.index(st, n.GetIndexStmt())
	case n.GetAlterObjectSchemaStmt() != nil:
		c.setSchema(st, n.GetAlterObjectSchemaStmt())
	case n.GetDoStmt() != nil:
		c.do(st, n.GetDoStmt())
	case n.GetInsertStmt() != nil, n.GetUpdateStmt() != nil, n.GetDeleteStmt() != nil, n.GetTruncateStmt() != nil:
		c.dataChange(st, n)
	case n.GetCommentStmt() != nil:
		c.add(st, Finding{Class: Other, Reason: "sets a comment: no effect on the previous release"})
	case n.GetVariableSetStmt() != nil, n.GetTransactionStmt() != nil, n.GetSelectStmt() != nil:
		c.add(st, Finding{Class: Other, Reason: "changes no schema"})
	case n.GetAlterSeqStmt() != nil, n.GetRefreshMatViewStmt() != nil, n.GetVacuumStmt() != nil,
		n.GetReindexStmt() != nil, n.GetClusterStmt() != nil, n.GetAlterOwnerStmt() != nil:
		c.add(st, Finding{Class: Other, Reason: "maintenance (sequence, materialized view refresh, vacuum, reindex, cluster, owner): no table or column the previous release uses changes"})
	case n.GetCreateSchemaStmt() != nil, n.GetCreateExtensionStmt() != nil, n.GetCreateSeqStmt() != nil,
		n.GetGrantStmt() != nil && n.GetGrantStmt().GetIsGrant(), n.GetCreateTableAsStmt() != nil,
		n.GetCompositeTypeStmt() != nil, n.GetCreateDomainStmt() != nil, n.GetCreateRangeStmt() != nil:
		c.add(st, Finding{Class: Additive, Reason: "creates something new: the previous release does not use it"})
	case n.GetViewStmt() != nil:
		v := n.GetViewStmt()
		key, d := relKey(v.GetView())
		c.replaceable(st, "view "+key, "view "+d, v.GetReplace())
	case n.GetCreateFunctionStmt() != nil:
		c.createFunction(st, n.GetCreateFunctionStmt())
	case n.GetCallStmt() != nil:
		c.call(st, n.GetCallStmt())
	case n.GetCreateTrigStmt() != nil:
		c.trigger(st, n.GetCreateTrigStmt())
	default:
		c.add(st, Finding{Class: Other, Review: true, Reason: fmt.Sprintf("the analyser does not judge %s statements: read it and check that the previous release still works after it (then add a pragma saying so)", stmtKind(n))})
	}
}

func stmtKind(n *pg.Node) string {
	// The oneof's Go type is "*pg_query.Node_CreatePolicyStmt"; keep the name.
	s := fmt.Sprintf("%T", n.GetNode())
	if i := strings.LastIndex(s, "_"); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSuffix(s, "Stmt")
}
