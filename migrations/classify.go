package migrations

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Breakpoint is the marker drizzle-kit puts between statements. Drizzle's
// migrator splits a file on it with a plain string split and sends each
// chunk to the database separately; the analyser does the same, then lets
// the PostgreSQL parser split each chunk into statements.
const Breakpoint = "--> statement-breakpoint"

// pragmaPrefix starts a verdict override comment:
// "-- sonic-release: compatible <reason>" or "-- sonic-release: breaking <reason>".
const pragmaPrefix = "sonic-release:"

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
// the analyser cannot see into are findings (judged breaking), never
// errors; the error is nil today and reserved for a failure of the parser
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
		f.Level = LevelInfo
		if f.Breaking {
			f.Level = LevelWarning
		}
	}
	c.out = append(c.out, f)
	c.starts = append(c.starts, st.offset)
}

func (c *classifier) chunk(chunk string, base int) {
	tokens := c.scan(chunk, base)
	if strings.TrimSpace(chunk) == "" {
		return
	}
	tree, err := c.parse(chunk)
	if err != nil {
		c.unparsable(chunk, base, tokens, err)
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

// unparsable handles a chunk the parser rejects: it is cut at the
// scanner's semicolons (outside strings and comments), each piece is parsed
// on its own, and the pieces that still fail become error findings on the
// line of the error.
func (c *classifier) unparsable(chunk string, base int, tokens []*pg.ScanToken, chunkErr error) {
	var cuts []int
	for _, t := range tokens {
		if t.GetToken() == pg.Token_ASCII_59 {
			cuts = append(cuts, int(t.GetEnd()))
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
		tree, err := c.parse(piece)
		if err == nil && len(cuts) > 1 {
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

// onlyComments reports whether every token in [from, to) is a comment.
func onlyComments(toks []*pg.ScanToken, from, to int) bool {
	for _, t := range toks {
		s := int(t.GetStart())
		if s < from || s >= to {
			continue
		}
		if k := t.GetToken(); k != pg.Token_SQL_COMMENT && k != pg.Token_C_COMMENT {
			return false
		}
	}
	return true
}

// scan finds the comments of a chunk with PostgreSQL's own scanner (so a
// "--" inside a string is not a comment) and records the pragmas. It
// returns the tokens, for finding where statements really start.
func (c *classifier) scan(chunk string, base int) []*pg.ScanToken {
	res, err := c.scanTokens(chunk)
	if err != nil {
		return nil
	}
	toks := res.GetTokens()
	for _, t := range toks {
		if t.GetToken() != pg.Token_SQL_COMMENT {
			continue
		}
		text := strings.TrimSpace(strings.TrimPrefix(chunk[t.GetStart():t.GetEnd()], "--"))
		if !strings.HasPrefix(text, pragmaPrefix) {
			continue
		}
		off := base + int(t.GetStart())
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
// statement that starts after it.
func (c *classifier) applyPragmas() {
	for _, p := range c.pragmas {
		target := -1
		for _, off := range c.starts {
			if off > p.offset && (target < 0 || off < target) {
				target = off
			}
		}
		if target < 0 {
			c.problem(p.offset, "pragma applies to no statement: put it on a line before the statement it is about")
			continue
		}
		for i, off := range c.starts {
			if off != target || c.out[i].Level == LevelError {
				continue
			}
			f := &c.out[i]
			f.Pragma = true
			f.Breaking = p.breaking
			f.Reason = p.reason
			f.Level = LevelInfo
			if p.breaking {
				f.Level = LevelWarning
			}
		}
	}
}

// firstToken returns the offset of the first token in [from, to) that is
// not a comment (statement locations may include leading comments).
func firstToken(toks []*pg.ScanToken, from, to int) int {
	for _, t := range toks {
		s := int(t.GetStart())
		if s < from || s >= to {
			continue
		}
		if k := t.GetToken(); k == pg.Token_SQL_COMMENT || k == pg.Token_C_COMMENT {
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

// tableState looks a table up: t is nil when unknown. shipped is true when
// the previous release had it, or when it is unknown (judged as shipped:
// the analyser cannot prove it is new).
func (c *classifier) table(rv *pg.RangeVar) (t *table, display string, shipped bool, why string) {
	key, display := relKey(rv)
	t = c.s.tables[key]
	switch {
	case t == nil:
		return nil, display, true, fmt.Sprintf("table %s is not known from earlier migrations, so it is judged as one the previous release has", display)
	case t.shipped:
		return t, display, true, ""
	default:
		return t, display, false, fmt.Sprintf("table %s is created in this range: the previous release never uses it", display)
	}
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
	case n.GetInsertStmt() != nil:
		_, d := relKey(n.GetInsertStmt().GetRelation())
		c.add(st, dataChange(d, "inserts rows into"))
	case n.GetUpdateStmt() != nil:
		_, d := relKey(n.GetUpdateStmt().GetRelation())
		c.add(st, dataChange(d, "updates rows of"))
	case n.GetDeleteStmt() != nil:
		_, d := relKey(n.GetDeleteStmt().GetRelation())
		c.add(st, dataChange(d, "deletes rows of"))
	case n.GetTruncateStmt() != nil:
		for _, r := range n.GetTruncateStmt().GetRelations() {
			_, d := relKey(r.GetRangeVar())
			c.add(st, dataChange(d, "empties"))
		}
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
		f := n.GetCreateFunctionStmt()
		key, d := nameKey(f.GetFuncname())
		c.replaceable(st, "function "+key, "function "+d, f.GetReplace())
	case n.GetCreateTrigStmt() != nil:
		tr := n.GetCreateTrigStmt()
		_, d, shipped, why := c.table(tr.GetRelation())
		f := Finding{Class: Other, Table: d, Breaking: shipped, Reason: "adds a trigger to a table the previous release writes: the analyser cannot see what the trigger rejects; judged breaking"}
		if !shipped {
			f.Reason = "adds a trigger; " + why
		}
		c.add(st, f)
	default:
		c.add(st, Finding{Class: Other, Breaking: true, Reason: fmt.Sprintf("the analyser does not judge %s statements; judged breaking (add a pragma if it is compatible)", stmtKind(n))})
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

func dataChange(table, verb string) Finding {
	return Finding{Class: DataChange, Table: table, Reason: verb + " " + table + ": changes data, not the schema, so the previous release still runs; a rollback does not undo it"}
}

func (c *classifier) replaceable(st stmtCtx, key, display string, replace bool) {
	shipped, known := c.s.objects[key]
	if replace && (shipped || !known) {
		c.add(st, Finding{Class: Other, Breaking: true, Reason: "replaces " + display + ", which the previous release may use: the analyser cannot compare definitions; judged breaking"})
	} else {
		c.add(st, Finding{Class: Additive, Reason: "creates " + display})
	}
	if !known {
		c.s.objects[key] = false
	}
}

func (c *classifier) createTable(st stmtCtx, cs *pg.CreateStmt) {
	key, d := relKey(cs.GetRelation())
	if _, exists := c.s.tables[key]; exists && cs.GetIfNotExists() {
		c.add(st, Finding{Class: Other, Table: d, Reason: "creates table " + d + " only if it does not exist, and it does: no change"})
		return
	}
	t := &table{name: d, cols: map[string]*column{}}
	for _, e := range cs.GetTableElts() {
		if cd := e.GetColumnDef(); cd != nil {
			t.cols[cd.GetColname()] = newColumn(cd)
		}
	}
	c.s.tables[key] = t
	c.add(st, Finding{Class: Additive, Table: d, Reason: "creates table " + d + ": the previous release does not use it"})
}

func newColumn(cd *pg.ColumnDef) *column {
	t, serial := typeOf(cd.GetTypeName())
	col := &column{typ: t, notNull: cd.GetIsNotNull(), hasDefault: serial || cd.GetRawDefault() != nil || cd.GetIdentity() != "" || cd.GetGenerated() != ""}
	for _, n := range cd.GetConstraints() {
		switch n.GetConstraint().GetContype() {
		case pg.ConstrType_CONSTR_NOTNULL, pg.ConstrType_CONSTR_PRIMARY:
			col.notNull = true
		case pg.ConstrType_CONSTR_DEFAULT, pg.ConstrType_CONSTR_IDENTITY, pg.ConstrType_CONSTR_GENERATED:
			col.hasDefault = true
		}
	}
	return col
}

// col looks a column up in t (which may be nil).
func (c *classifier) col(t *table, tableShipped bool, tableWhy, name string) (col *column, shipped bool, why string) {
	if t == nil {
		return nil, tableShipped, tableWhy
	}
	col = t.cols[name]
	switch {
	case col == nil && tableShipped:
		return nil, true, fmt.Sprintf("column %s.%s is not known from earlier migrations, so it is judged as one the previous release has", t.name, name)
	case col == nil:
		return nil, false, ""
	case col.shipped:
		return col, true, ""
	default:
		return col, false, fmt.Sprintf("column %s.%s is added in this range: the previous release never uses it", t.name, name)
	}
}

// verdict completes a finding: breaking when the object was shipped.
// reason is "what the statement does: why that breaks the previous
// release"; why is empty for a known shipped object, and otherwise says that
// the object is new in the range (not breaking) or unknown (judged shipped).
func verdict(f Finding, shipped bool, why, reason string) Finding {
	f.Breaking = shipped
	action, _, _ := strings.Cut(reason, ": ")
	switch {
	case shipped && why == "":
		f.Reason = reason
	case shipped:
		f.Reason = action + ": " + why
	default:
		f.Reason = action + "; " + why
	}
	return f
}

func (c *classifier) alterTable(st stmtCtx, at *pg.AlterTableStmt) {
	if at.GetObjtype() != pg.ObjectType_OBJECT_TABLE {
		c.add(st, Finding{Class: Other, Breaking: true, Reason: fmt.Sprintf("alters a %s; the analyser only judges tables; judged breaking", strings.ToLower(strings.TrimPrefix(at.GetObjtype().String(), "OBJECT_")))})
		return
	}
	t, d, tShipped, tWhy := c.table(at.GetRelation())
	for _, n := range at.GetCmds() {
		cmd := n.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		c.alterCmd(st, t, d, tShipped, tWhy, cmd)
	}
}

func (c *classifier) alterCmd(st stmtCtx, t *table, d string, tShipped bool, tWhy string, cmd *pg.AlterTableCmd) {
	f := Finding{Table: d, Column: cmd.GetName()}
	newWhy := tWhy
	switch cmd.GetSubtype() {
	case pg.AlterTableType_AT_AddColumn:
		cd := cmd.GetDef().GetColumnDef()
		nc := newColumn(cd)
		f.Column = cd.GetColname()
		if t != nil {
			if _, exists := t.cols[cd.GetColname()]; exists && cmd.GetMissingOk() {
				f.Class, f.Reason = Other, "adds column "+f.Column+" only if it does not exist, and it does: no change"
				c.add(st, f)
				return
			}
			t.cols[cd.GetColname()] = nc
		}
		if nc.notNull && !nc.hasDefault {
			f.Class = AddRequiredColumn
			c.add(st, verdict(f, tShipped, newWhy, fmt.Sprintf("adds NOT NULL column %s.%s without a default: the previous release inserts rows without it, and they fail", d, f.Column)))
			return
		}
		f.Class = Additive
		f.Reason = fmt.Sprintf("adds column %s.%s, nullable or with a default: the previous release ignores it", d, f.Column)
		c.add(st, f)
	case pg.AlterTableType_AT_DropColumn:
		col, shipped, why := c.col(t, tShipped, tWhy, f.Column)
		_ = col
		f.Class = DropColumn
		if t != nil {
			delete(t.cols, f.Column)
		}
		c.add(st, verdict(f, shipped, firstOf(why, newWhy), fmt.Sprintf("drops column %s.%s: the previous release reads and writes it", d, f.Column)))
	case pg.AlterTableType_AT_AlterColumnType:
		col, shipped, why := c.col(t, tShipped, tWhy, f.Column)
		to, _ := typeOf(cmd.GetDef().GetColumnDef().GetTypeName())
		f.Class = AlterColumnType
		switch {
		case !shipped:
			f.Reason = fmt.Sprintf("changes the type of %s.%s to %s; %s", d, f.Column, to, firstOf(why, newWhy))
		case col == nil:
			f.Breaking = true
			f.Reason = firstOf(why, "the analyser cannot see the column's previous type") + "; changing its type to " + to.String() + " is judged breaking"
		default:
			ok, r := c.s.widening(col.baseTyp, to)
			f.Breaking, f.Reason = !ok, r
		}
		if col != nil {
			col.typ = to
		}
		c.add(st, f)
	case pg.AlterTableType_AT_SetNotNull:
		col, shipped, why := c.col(t, tShipped, tWhy, f.Column)
		f.Class = SetNotNull
		if shipped && col != nil && col.baseNotNull {
			f.Reason = "the column was already NOT NULL in the previous release"
		} else {
			f = verdict(f, shipped, firstOf(why, newWhy), fmt.Sprintf("makes %s.%s NOT NULL: the previous release may write NULL there", d, f.Column))
		}
		if col != nil {
			col.notNull = true
		}
		c.add(st, f)
	case pg.AlterTableType_AT_DropNotNull:
		col, _, _ := c.col(t, tShipped, tWhy, f.Column)
		if col != nil {
			col.notNull = false
		}
		f.Class, f.Reason = Other, fmt.Sprintf("allows NULL in %s.%s: the previous release can still write; it may read NULLs this release writes", d, f.Column)
		c.add(st, f)
	case pg.AlterTableType_AT_ColumnDefault:
		col, shipped, why := c.col(t, tShipped, tWhy, f.Column)
		key := d + "." + f.Column
		if cmd.GetDef() != nil {
			if col != nil {
				col.hasDefault = true
			}
			if i, ok := c.dropDefault[key]; ok && c.out[i].Breaking {
				c.out[i].Breaking, c.out[i].Level = false, LevelInfo
				c.out[i].Reason = fmt.Sprintf("drops the default of %s.%s and sets one again at line %d of this file", d, f.Column, st.line)
			}
			delete(c.dropDefault, key)
			f.Class, f.Reason = Additive, fmt.Sprintf("sets a default on %s.%s", d, f.Column)
			c.add(st, f)
			return
		}
		if col != nil {
			col.hasDefault = false
		}
		if c.dropDefault == nil {
			c.dropDefault = map[string]int{}
		}
		c.dropDefault[key] = len(c.out)
		f.Class = DropDefault
		c.add(st, verdict(f, shipped, firstOf(why, newWhy), fmt.Sprintf("drops the default of %s.%s: the previous release inserts rows relying on it", d, f.Column)))
	case pg.AlterTableType_AT_DropIdentity:
		_, shipped, why := c.col(t, tShipped, tWhy, f.Column)
		f.Class = DropDefault
		c.add(st, verdict(f, shipped, firstOf(why, newWhy), fmt.Sprintf("drops the identity of %s.%s: the previous release inserts rows relying on it", d, f.Column)))
	case pg.AlterTableType_AT_AddConstraint, pg.AlterTableType_AT_AddIndexConstraint:
		con := cmd.GetDef().GetConstraint()
		kind := strings.ToLower(strings.TrimPrefix(con.GetContype().String(), "CONSTR_"))
		switch con.GetContype() {
		case pg.ConstrType_CONSTR_FOREIGN:
			kind = "foreign key"
			f.Column = firstString(con.GetFkAttrs())
		case pg.ConstrType_CONSTR_PRIMARY:
			kind = "primary key"
			f.Column = firstString(con.GetKeys())
		case pg.ConstrType_CONSTR_CHECK:
			f.Column = firstColumnRef(con.GetRawExpr().ProtoReflect())
		default:
			f.Column = firstString(con.GetKeys())
		}
		name := con.GetConname()
		if name != "" {
			name = " " + name
		}
		f.Class = AddConstraint
		c.add(st, verdict(f, tShipped, tWhy, fmt.Sprintf("adds %s constraint%s on %s: rows the previous release writes may violate it", kind, name, d)))
	case pg.AlterTableType_AT_DropConstraint, pg.AlterTableType_AT_ValidateConstraint, pg.AlterTableType_AT_AlterConstraint:
		f.Class, f.Reason = Other, "drops, validates or alters a constraint: relaxes or keeps what the previous release already obeys"
		c.add(st, f)
	case pg.AlterTableType_AT_AddIdentity, pg.AlterTableType_AT_SetIdentity:
		f.Class, f.Reason = Additive, "adds or changes an identity (a default): the previous release is unaffected"
		c.add(st, f)
	case pg.AlterTableType_AT_SetStatistics, pg.AlterTableType_AT_SetOptions, pg.AlterTableType_AT_ResetOptions,
		pg.AlterTableType_AT_SetStorage, pg.AlterTableType_AT_SetCompression, pg.AlterTableType_AT_ChangeOwner,
		pg.AlterTableType_AT_ClusterOn, pg.AlterTableType_AT_DropCluster, pg.AlterTableType_AT_SetLogged,
		pg.AlterTableType_AT_SetUnLogged, pg.AlterTableType_AT_SetTableSpace, pg.AlterTableType_AT_SetRelOptions,
		pg.AlterTableType_AT_ResetRelOptions, pg.AlterTableType_AT_ReplaceRelOptions, pg.AlterTableType_AT_ReplicaIdentity,
		pg.AlterTableType_AT_SetAccessMethod:
		f.Class, f.Reason = Other, "changes storage or ownership, not what queries see"
		c.add(st, f)
	default:
		f.Class = Other
		c.add(st, verdict(f, tShipped, newWhy, fmt.Sprintf("ALTER TABLE %s (%s): the analyser cannot tell whether the previous release still works; judged breaking", d, strings.TrimPrefix(cmd.GetSubtype().String(), "AT_"))))
	}
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// firstColumnRef returns the last name part of the first column reference
// in an expression tree ("score" in "users"."score" >= 0), or "".
func firstColumnRef(m protoreflect.Message) string {
	if !m.IsValid() {
		return ""
	}
	if cr, ok := m.Interface().(*pg.ColumnRef); ok {
		if f := stringList(cr.GetFields()); len(f) > 0 {
			return f[len(f)-1]
		}
		return ""
	}
	found := ""
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len() && found == ""; i++ {
				found = firstColumnRef(l.Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			found = firstColumnRef(v.Message())
		}
		return found == ""
	})
	return found
}

func firstString(nodes []*pg.Node) string {
	if l := stringList(nodes); len(l) > 0 {
		return l[0]
	}
	return ""
}

func (c *classifier) rename(st stmtCtx, r *pg.RenameStmt) {
	switch r.GetRenameType() {
	case pg.ObjectType_OBJECT_TABLE:
		key, _ := relKey(r.GetRelation())
		t, d, shipped, why := c.table(r.GetRelation())
		newKey := key[:strings.LastIndex(key, ".")+1] + r.GetNewname()
		if t != nil {
			delete(c.s.tables, key)
			t.name = strings.TrimPrefix(newKey, "public.")
			c.s.tables[newKey] = t
		}
		c.add(st, verdict(Finding{Class: RenameTable, Table: d}, shipped, why, fmt.Sprintf("renames table %s to %s: the previous release still queries %s", d, r.GetNewname(), d)))
	case pg.ObjectType_OBJECT_COLUMN:
		t, d, tShipped, tWhy := c.table(r.GetRelation())
		col, shipped, why := c.col(t, tShipped, tWhy, r.GetSubname())
		if t != nil && col != nil {
			delete(t.cols, r.GetSubname())
			t.cols[r.GetNewname()] = col
		}
		c.add(st, verdict(Finding{Class: RenameColumn, Table: d, Column: r.GetSubname()}, shipped, firstOf(why, tWhy), fmt.Sprintf("renames column %s.%s to %s: the previous release still reads and writes %s", d, r.GetSubname(), r.GetNewname(), r.GetSubname())))
	case pg.ObjectType_OBJECT_TABCONSTRAINT, pg.ObjectType_OBJECT_INDEX, pg.ObjectType_OBJECT_TRIGGER, pg.ObjectType_OBJECT_POLICY, pg.ObjectType_OBJECT_SEQUENCE:
		c.add(st, Finding{Class: Other, Reason: "renames a constraint, index, trigger, policy or sequence: queries do not name it"})
	case pg.ObjectType_OBJECT_TYPE:
		key, d := nameKey(r.GetObject().GetList().GetItems())
		e := c.s.enums[key]
		if e != nil {
			delete(c.s.enums, key)
			c.s.enums[key[:strings.LastIndex(key, ".")+1]+r.GetNewname()] = e
		}
		why := ""
		switch {
		case e == nil:
			why = "type " + d + " is not known from earlier migrations, so it is judged as one the previous release has"
		case !e.shipped:
			why = "type " + d + " is created in this range: the previous release never uses it"
		}
		c.add(st, verdict(Finding{Class: Other}, e == nil || e.shipped, why,
			fmt.Sprintf("renames type %s: the previous release may name it in casts; judged breaking", d)))
	default:
		c.add(st, Finding{Class: Other, Breaking: true, Reason: fmt.Sprintf("renames a %s: the previous release may use it by name; judged breaking", strings.ToLower(strings.TrimPrefix(r.GetRenameType().String(), "OBJECT_")))})
	}
}

func (c *classifier) setSchema(st stmtCtx, s *pg.AlterObjectSchemaStmt) {
	if s.GetObjectType() == pg.ObjectType_OBJECT_TABLE {
		key, _ := relKey(s.GetRelation())
		t, d, shipped, why := c.table(s.GetRelation())
		if t != nil {
			delete(c.s.tables, key)
			nk := s.GetNewschema() + "." + s.GetRelation().GetRelname()
			t.name = strings.TrimPrefix(nk, "public.")
			c.s.tables[nk] = t
		}
		c.add(st, verdict(Finding{Class: RenameTable, Table: d}, shipped, why, fmt.Sprintf("moves table %s to schema %s: the previous release still queries %s", d, s.GetNewschema(), d)))
		return
	}
	c.add(st, Finding{Class: Other, Breaking: true, Reason: "moves an object to another schema: the previous release may use it by name; judged breaking"})
}

func (c *classifier) drop(st stmtCtx, ds *pg.DropStmt) {
	for _, obj := range ds.GetObjects() {
		switch ds.GetRemoveType() {
		case pg.ObjectType_OBJECT_TABLE:
			key, d := nameKey(obj.GetList().GetItems())
			t := c.s.tables[key]
			delete(c.s.tables, key)
			f := Finding{Class: DropTable, Table: d, Breaking: true}
			switch {
			case t == nil:
				f.Reason = fmt.Sprintf("drops table %s, which is not known from earlier migrations, so it is judged as one the previous release has", d)
			case t.shipped:
				f.Reason = fmt.Sprintf("drops table %s, which the previous release reads and writes", d)
			default:
				f.Breaking = false
				f.Reason = fmt.Sprintf("table %s is created in this range: the previous release never uses it", d)
			}
			c.add(st, f)
		case pg.ObjectType_OBJECT_TYPE:
			key, d := nameKey(obj.GetTypeName().GetNames())
			e := c.s.enums[key]
			delete(c.s.enums, key)
			if e != nil && !e.shipped {
				c.add(st, Finding{Class: Other, Reason: "drops type " + d + ", created in this range"})
				continue
			}
			if e != nil {
				c.s.dropped[key] = e
				if c.dropIdx == nil {
					c.dropIdx = map[string]int{}
				}
				c.dropIdx[key] = len(c.out)
			}
			c.add(st, Finding{Class: Other, Breaking: true, Reason: "drops type " + d + ", which the previous release uses"})
		case pg.ObjectType_OBJECT_INDEX:
			c.add(st, Finding{Class: Other, Reason: "drops an index: queries return the same rows (a unique index dropped only relaxes)"})
		default:
			kind := strings.ToLower(strings.TrimPrefix(ds.GetRemoveType().String(), "OBJECT_"))
			key := ""
			if l := obj.GetList(); l != nil {
				k, _ := nameKey(l.GetItems())
				key = kind + " " + k
			}
			if shipped, known := c.s.objects[key]; known && !shipped {
				delete(c.s.objects, key)
				c.add(st, Finding{Class: Other, Reason: "drops a " + kind + " created in this range"})
				continue
			}
			c.add(st, Finding{Class: Other, Breaking: true, Reason: "drops a " + kind + " the previous release may use; judged breaking"})
		}
	}
}

func (c *classifier) createEnum(st stmtCtx, ce *pg.CreateEnumStmt) {
	key, d := nameKey(ce.GetTypeName())
	vals := stringList(ce.GetVals())
	e := &enum{name: d, values: vals}
	c.s.enums[key] = e
	old := c.s.dropped[key]
	if old == nil {
		c.add(st, Finding{Class: Additive, Reason: "creates enum " + d})
		return
	}
	// Re-creating an enum the previous release had: drizzle-kit's way of
	// removing a value (drop the type, create it again, cast back).
	delete(c.s.dropped, key)
	e.shipped, e.base = true, old.base
	var missing []string
	for _, v := range old.base {
		if !slices.Contains(vals, v) {
			missing = append(missing, "'"+v+"'")
		}
	}
	if i, ok := c.dropIdx[key]; ok {
		c.out[i].Breaking = false
		c.out[i].Level = LevelInfo
		c.out[i].Reason = fmt.Sprintf("drops enum %s to re-create it at line %d (judged there)", d, st.line)
	}
	if len(missing) == 0 {
		c.add(st, Finding{Class: Other, Reason: "re-creates enum " + d + " with every value the previous release had"})
		return
	}
	them := "them"
	if len(missing) == 1 {
		them = "it"
	}
	c.add(st, Finding{Class: DropEnumValue, Breaking: true, Reason: fmt.Sprintf("removes %s from enum %s: the previous release may still write or read %s", strings.Join(missing, ", "), d, them)})
}

func (c *classifier) alterEnum(st stmtCtx, ae *pg.AlterEnumStmt) {
	key, d := nameKey(ae.GetTypeName())
	e := c.s.enums[key]
	if ae.GetNewVal() != "" && ae.GetOldVal() == "" {
		if e != nil && !slices.Contains(e.values, ae.GetNewVal()) {
			e.values = append(e.values, ae.GetNewVal())
		}
		c.add(st, Finding{Class: Additive, Reason: fmt.Sprintf("adds value '%s' to enum %s: the previous release never writes it", ae.GetNewVal(), d)})
		return
	}
	shipped := e == nil || (e.shipped && slices.Contains(e.base, ae.GetOldVal()))
	if e != nil {
		if i := slices.Index(e.values, ae.GetOldVal()); i >= 0 {
			e.values[i] = ae.GetNewVal()
		}
	}
	why := ""
	switch {
	case e == nil:
		why = "enum " + d + " is not known from earlier migrations, so it is judged as one the previous release has"
	case !shipped:
		why = "the value is added in this range: the previous release never writes it"
	}
	c.add(st, verdict(Finding{Class: DropEnumValue}, shipped, why,
		fmt.Sprintf("renames value '%s' of enum %s to '%s': the previous release still writes '%s'", ae.GetOldVal(), d, ae.GetNewVal(), ae.GetOldVal())))
}

func (c *classifier) index(st stmtCtx, is *pg.IndexStmt) {
	_, d, shipped, why := c.table(is.GetRelation())
	if !is.GetUnique() {
		c.add(st, Finding{Class: Additive, Table: d, Reason: "creates an index: queries return the same rows"})
		return
	}
	col := ""
	if len(is.GetIndexParams()) > 0 {
		col = is.GetIndexParams()[0].GetIndexElem().GetName()
	}
	c.add(st, verdict(Finding{Class: AddConstraint, Table: d, Column: col}, shipped, why, fmt.Sprintf("creates a unique index on %s: rows the previous release writes may violate it", d)))
}
