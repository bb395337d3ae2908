package migrations

import (
	"cmp"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// alter is one ALTER TABLE command being classified: the statement and the
// table it names, as c.table found it.
type alter struct {
	st      stmtCtx
	t       *table // nil when the table is unknown
	d       string // display name
	shipped bool   // the previous release has the table (or it is unknown)
	why     string // why shipped is what it is, when not plainly shipped
	cmd     *pg.AlterTableCmd
}

// finding starts the finding of the command, on its table and column.
func (a alter) finding(class Class) Finding {
	return Finding{Class: class, Table: a.d, Column: a.cmd.GetName()}
}

// column looks the command's column up.
func (c *classifier) column(a alter, name string) (col *column, shipped bool, why string) {
	return c.col(a.t, a.shipped, a.why, name)
}

func (c *classifier) alterTable(st stmtCtx, at *pg.AlterTableStmt) {
	if at.GetObjtype() != pg.ObjectType_OBJECT_TABLE {
		c.add(st, Finding{Class: Other, Review: true, Reason: fmt.Sprintf("alters a %s; the analyser only judges tables: check that the previous release's queries of it still work", strings.ToLower(strings.TrimPrefix(at.GetObjtype().String(), "OBJECT_")))})
		return
	}
	t, d, shipped, why := c.table(at.GetRelation())
	for _, n := range at.GetCmds() {
		if cmd := n.GetAlterTableCmd(); cmd != nil {
			c.alterCmd(alter{st: st, t: t, d: d, shipped: shipped, why: why, cmd: cmd})
		}
	}
}

func (c *classifier) alterCmd(a alter) {
	switch a.cmd.GetSubtype() {
	case pg.AlterTableType_AT_AddColumn:
		c.addColumn(a)
	case pg.AlterTableType_AT_DropColumn:
		c.dropColumn(a)
	case pg.AlterTableType_AT_AlterColumnType:
		c.alterColumnType(a)
	case pg.AlterTableType_AT_SetNotNull:
		c.setNotNull(a)
	case pg.AlterTableType_AT_DropNotNull:
		c.dropNotNull(a)
	case pg.AlterTableType_AT_ColumnDefault:
		c.columnDefault(a)
	case pg.AlterTableType_AT_DropIdentity:
		_, shipped, why := c.column(a, a.cmd.GetName())
		c.add(a.st, verdict(a.finding(DropDefault), shipped, cmp.Or(why, a.why), fmt.Sprintf("drops the identity of %s.%s: the previous release inserts rows relying on it", a.d, a.cmd.GetName())))
	case pg.AlterTableType_AT_AddConstraint, pg.AlterTableType_AT_AddIndexConstraint:
		c.addConstraint(a)
	case pg.AlterTableType_AT_DropConstraint, pg.AlterTableType_AT_ValidateConstraint, pg.AlterTableType_AT_AlterConstraint:
		if a.t != nil && a.cmd.GetSubtype() == pg.AlterTableType_AT_DropConstraint {
			a.t.dropKey(a.cmd.GetName())
		}
		f := a.finding(Other)
		f.Reason = "drops, validates or alters a constraint: relaxes or keeps what the previous release already obeys"
		c.add(a.st, f)
	case pg.AlterTableType_AT_AddIdentity, pg.AlterTableType_AT_SetIdentity:
		f := a.finding(Additive)
		f.Reason = "adds or changes an identity (a default): the previous release is unaffected"
		c.add(a.st, f)
	case pg.AlterTableType_AT_SetStatistics, pg.AlterTableType_AT_SetOptions, pg.AlterTableType_AT_ResetOptions,
		pg.AlterTableType_AT_SetStorage, pg.AlterTableType_AT_SetCompression, pg.AlterTableType_AT_ChangeOwner,
		pg.AlterTableType_AT_ClusterOn, pg.AlterTableType_AT_DropCluster, pg.AlterTableType_AT_SetLogged,
		pg.AlterTableType_AT_SetUnLogged, pg.AlterTableType_AT_SetTableSpace, pg.AlterTableType_AT_SetRelOptions,
		pg.AlterTableType_AT_ResetRelOptions, pg.AlterTableType_AT_ReplaceRelOptions, pg.AlterTableType_AT_ReplicaIdentity,
		pg.AlterTableType_AT_SetAccessMethod:
		f := a.finding(Other)
		f.Reason = "changes storage or ownership, not what queries see"
		c.add(a.st, f)
	case pg.AlterTableType_AT_DisableRowSecurity, pg.AlterTableType_AT_NoForceRowSecurity:
		f := a.finding(Other)
		f.Reason = fmt.Sprintf("turns row security off on %s: policies no longer filter its rows, so the previous release can read and write at least what it could", a.d)
		c.add(a.st, f)
	default:
		f := a.finding(Other)
		sub := strings.TrimPrefix(a.cmd.GetSubtype().String(), "AT_")
		if !a.shipped {
			f.Reason = fmt.Sprintf("ALTER TABLE %s (%s); %s", a.d, sub, a.why)
		} else {
			f.Review = true
			f.Reason = fmt.Sprintf("ALTER TABLE %s (%s): the analyser does not judge this command: check that the previous release can still read and write %s after it", a.d, sub, a.d)
		}
		c.add(a.st, f)
	}
}

func (c *classifier) addColumn(a alter) {
	cd := a.cmd.GetDef().GetColumnDef()
	nc := newColumn(cd)
	f := a.finding(Additive)
	f.Column = cd.GetColname()
	if a.t != nil {
		if _, exists := a.t.cols[f.Column]; exists && a.cmd.GetMissingOk() {
			f.Class, f.Reason = Other, "adds column "+f.Column+" only if it does not exist, and it does: no change"
			c.add(a.st, f)
			return
		}
		a.t.cols[f.Column] = nc
	}
	if nc.notNull && !nc.hasDefault() {
		f.Class = AddRequiredColumn
		c.add(a.st, verdict(f, a.shipped, a.why, fmt.Sprintf("adds NOT NULL column %s.%s without a default: the previous release inserts rows without it, and they fail", a.d, f.Column)))
		if a.t != nil {
			a.t.columnKeys(cd)
		}
		return
	}
	f.Reason = fmt.Sprintf("adds column %s.%s, nullable or with a default: the previous release ignores it", a.d, f.Column)
	c.add(a.st, f)
	// Keys declared on the column are judged like ALTER TABLE … ADD
	// CONSTRAINT: a UNIQUE column with a constant default repeats it.
	for _, n := range cd.GetConstraints() {
		con := n.GetConstraint()
		col := &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{pg.MakeStrNode(f.Column)}}}}
		switch con.GetContype() {
		case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE:
			kind := "unique"
			if con.GetContype() == pg.ConstrType_CONSTR_PRIMARY {
				kind = "primary key"
			}
			c.add(a.st, c.unique(a, fmt.Sprintf("adds %s constraint%s on %s", kind, named(con.GetConname()), qualify(a.d, []string{f.Column})), con.GetConname(), []*pg.Node{col}, nil, con.GetNullsNotDistinct()))
		case pg.ConstrType_CONSTR_FOREIGN:
			c.add(a.st, c.foreignKey(a, con, []string{f.Column}))
		case pg.ConstrType_CONSTR_CHECK:
			c.add(a.st, c.check(a, con))
		}
	}
}

func (c *classifier) dropColumn(a alter) {
	name := a.cmd.GetName()
	_, shipped, why := c.column(a, name)
	if a.t != nil {
		delete(a.t.cols, name)
	}
	c.add(a.st, verdict(a.finding(DropColumn), shipped, cmp.Or(why, a.why), fmt.Sprintf("drops column %s.%s: the previous release has it, and its queries that name it fail (Drizzle's select() and insert() name every column of the table)", a.d, name)))
}

func (c *classifier) alterColumnType(a alter) {
	name := a.cmd.GetName()
	col, shipped, why := c.column(a, name)
	to, _ := typeOf(a.cmd.GetDef().GetColumnDef().GetTypeName())
	f := a.finding(AlterColumnType)
	switch {
	case !shipped:
		f.Reason = fmt.Sprintf("changes the type of %s.%s to %s; %s", a.d, name, to, cmp.Or(why, a.why))
	case col == nil:
		f.Review = true
		f.Reason = fmt.Sprintf("changes the type of %s.%s to %s, but %s: check that the values the previous release writes and reads there fit the new type", a.d, name, to, cmp.Or(why, "the analyser cannot see the column's previous type"))
	default:
		ok, r := c.s.widening(col.baseTyp, to)
		f.Breaking, f.Reason = !ok, r
	}
	if col != nil {
		col.typ = to
	}
	c.add(a.st, f)
}

func (c *classifier) setNotNull(a alter) {
	name := a.cmd.GetName()
	col, shipped, why := c.column(a, name)
	f := a.finding(SetNotNull)
	switch {
	case shipped && col != nil && col.baseNotNull:
		f.Reason = "the column was already NOT NULL in the previous release"
	case shipped:
		f = verdict(f, shipped, cmp.Or(why, a.why), fmt.Sprintf("makes %s.%s NOT NULL: the previous release may write NULL there", a.d, name))
	case !a.shipped || col == nil:
		f.Reason = fmt.Sprintf("makes %s.%s NOT NULL; %s", a.d, name, cmp.Or(a.why, why))
	case col.hasDefault():
		f.Reason = fmt.Sprintf("makes %s.%s NOT NULL: the column is added in this range with a default, so rows the previous release inserts (without it) get %s", a.d, name, col.def.describe())
	default:
		// A column added in the range is harmless to the previous
		// release only while it is nullable or has a default.
		f.Breaking = true
		f.Reason = fmt.Sprintf("makes %s.%s NOT NULL: the column is added in this range without a default, so every row the previous release inserts (it never names the column) has NULL there and fails", a.d, name)
		if c.notNullNoDefault == nil {
			c.notNullNoDefault = map[string]int{}
		}
		c.notNullNoDefault[a.d+"."+name] = len(c.out)
	}
	if col != nil {
		col.notNull = true
	}
	c.add(a.st, f)
}

func (c *classifier) dropNotNull(a alter) {
	name := a.cmd.GetName()
	if col, _, _ := c.column(a, name); col != nil {
		col.notNull = false
	}
	f := a.finding(Other)
	f.Reason = fmt.Sprintf("allows NULL in %s.%s: the previous release can still write; it may read NULLs this release writes", a.d, name)
	c.add(a.st, f)
}

// columnDefault classifies SET DEFAULT and DROP DEFAULT. Setting a default
// again later in the same file cancels a DROP DEFAULT's verdict (drizzle-kit
// 1.0 does so around an enum rewrite), and the verdict of making a column
// added in the range NOT NULL without a default.
func (c *classifier) columnDefault(a alter) {
	name := a.cmd.GetName()
	col, shipped, why := c.column(a, name)
	key := a.d + "." + name
	if a.cmd.GetDef() != nil {
		def := defaultOf(a.cmd.GetDef())
		if col != nil {
			col.def = def
		}
		if i, ok := c.dropDefault[key]; ok && c.out[i].Breaking && def.kind != noDefault {
			c.out[i].Breaking, c.out[i].Level = false, LevelInfo
			c.out[i].Reason = fmt.Sprintf("drops the default of %s.%s and sets one again at line %d of this file", a.d, name, a.st.line)
		}
		delete(c.dropDefault, key)
		if i, ok := c.notNullNoDefault[key]; ok && c.out[i].Breaking && def.kind != noDefault {
			c.out[i].Breaking, c.out[i].Level = false, LevelInfo
			c.out[i].Reason = fmt.Sprintf("makes %s.%s NOT NULL: the column is added in this range and gets a default at line %d of this file, so rows the previous release inserts (without it) get %s", a.d, name, a.st.line, def.describe())
		}
		delete(c.notNullNoDefault, key)
		f := a.finding(Additive)
		f.Reason = fmt.Sprintf("sets a default on %s.%s", a.d, name)
		c.add(a.st, f)
		return
	}
	if col != nil {
		col.def = colDefault{}
	}
	if c.dropDefault == nil {
		c.dropDefault = map[string]int{}
	}
	c.dropDefault[key] = len(c.out)
	f := a.finding(DropDefault)
	switch {
	case shipped && col != nil && !col.notNull && !col.baseNotNull:
		// The previous release's inserts that leave the column out still
		// succeed, with NULL instead of the default: a change of data the
		// analyser cannot judge.
		f.Review = true
		f.Reason = fmt.Sprintf("drops the default of %s.%s, a nullable column the previous release has: its inserts that leave the column out now store NULL there instead of the default; check that it copes", a.d, name)
	case shipped:
		f = verdict(f, shipped, cmp.Or(why, a.why), fmt.Sprintf("drops the default of %s.%s: the previous release inserts rows relying on it", a.d, name))
	case a.shipped && col != nil && col.notNull:
		f.Breaking = true
		f.Reason = fmt.Sprintf("drops the default of %s.%s, a NOT NULL column added in this range: every row the previous release inserts (it never names the column) now has NULL there and fails", a.d, name)
	default:
		f.Reason = fmt.Sprintf("drops the default of %s.%s; %s", a.d, name, cmp.Or(why, a.why))
		if a.shipped && col != nil {
			f.Reason = fmt.Sprintf("drops the default of %s.%s, a nullable column added in this range: rows the previous release inserts get NULL there", a.d, name)
		}
	}
	c.add(a.st, f)
}

func (c *classifier) addConstraint(a alter) {
	con := a.cmd.GetDef().GetConstraint()
	switch con.GetContype() {
	case pg.ConstrType_CONSTR_FOREIGN:
		c.add(a.st, c.foreignKey(a, con, stringList(con.GetFkAttrs())))
		return
	case pg.ConstrType_CONSTR_CHECK:
		c.add(a.st, c.check(a, con))
		return
	case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE:
		keys := stringList(con.GetKeys())
		if con.GetIndexname() != "" && len(keys) == 0 {
			break // USING INDEX: the index was judged when it was made
		}
		kind := "unique"
		if con.GetContype() == pg.ConstrType_CONSTR_PRIMARY {
			kind = "primary key"
		}
		elems := make([]*pg.Node, 0, len(keys))
		for _, k := range keys {
			elems = append(elems, &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{pg.MakeStrNode(k)}}}})
		}
		f := c.unique(a, fmt.Sprintf("adds %s constraint%s on %s", kind, named(con.GetConname()), qualify(a.d, keys)), con.GetConname(), elems, nil, con.GetNullsNotDistinct())
		if con.GetContype() == pg.ConstrType_CONSTR_PRIMARY && !f.Breaking && a.shipped && a.t != nil {
			// A primary key is also NOT NULL on its columns.
			for _, k := range keys {
				if col := a.t.cols[k]; col != nil && !col.notNull && (col.shipped || !col.hasDefault()) {
					f.Breaking, f.Review = true, false
					f.Reason = fmt.Sprintf("adds primary key constraint%s on %s: it makes %s.%s NOT NULL, and the previous release may leave it NULL", named(con.GetConname()), qualify(a.d, keys), a.d, k)
				}
			}
		}
		c.add(a.st, f)
		return
	}
	f := a.finding(AddConstraint)
	kind := strings.ToLower(strings.TrimPrefix(con.GetContype().String(), "CONSTR_"))
	f.Column = first(stringList(con.GetKeys()))
	c.add(a.st, verdict(f, a.shipped, a.why, fmt.Sprintf("adds %s constraint%s on %s: rows the previous release writes may violate it", kind, named(con.GetConname()), a.d)))
}
