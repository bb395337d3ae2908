package migrations

import (
	"fmt"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

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
			t.columnKeys(cd)
		}
		if con := e.GetConstraint(); con != nil {
			t.tableKey(con)
		}
	}
	c.s.tables[key] = t
	c.add(st, Finding{Class: Additive, Table: d, Reason: "creates table " + d + ": the previous release does not use it"})
}

// columnKeys records the keys declared on a column: PRIMARY KEY, UNIQUE,
// REFERENCES.
func (t *table) columnKeys(cd *pg.ColumnDef) {
	for _, n := range cd.GetConstraints() {
		con := n.GetConstraint()
		switch con.GetContype() {
		case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE:
			t.uniques = append(t.uniques, uniqueKey{name: con.GetConname(), cols: []string{cd.GetColname()}, exact: true})
		case pg.ConstrType_CONSTR_FOREIGN:
			t.fks = append(t.fks, newForeignKey(con, []string{cd.GetColname()}))
		}
	}
}

// tableKey records a table constraint that is a key: PRIMARY KEY, UNIQUE,
// FOREIGN KEY.
func (t *table) tableKey(con *pg.Constraint) {
	switch con.GetContype() {
	case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE:
		t.uniques = append(t.uniques, uniqueKey{name: con.GetConname(), cols: stringList(con.GetKeys()), exact: true})
	case pg.ConstrType_CONSTR_FOREIGN:
		t.fks = append(t.fks, newForeignKey(con, stringList(con.GetFkAttrs())))
	}
}

// dropKey forgets the key named name (a dropped constraint).
func (t *table) dropKey(name string) {
	t.fks = slices.DeleteFunc(t.fks, func(k foreignKey) bool { return k.name == name })
	t.uniques = slices.DeleteFunc(t.uniques, func(k uniqueKey) bool { return k.name == name })
}

func newColumn(cd *pg.ColumnDef) *column {
	t, serial := typeOf(cd.GetTypeName())
	col := &column{typ: t, notNull: cd.GetIsNotNull(), def: defaultOf(cd.GetRawDefault())}
	if serial || cd.GetIdentity() != "" {
		col.def = colDefault{kind: uniqueDefault}
	}
	if cd.GetGenerated() != "" {
		col.def = colDefault{kind: generated}
	}
	for _, n := range cd.GetConstraints() {
		con := n.GetConstraint()
		switch con.GetContype() {
		case pg.ConstrType_CONSTR_NOTNULL, pg.ConstrType_CONSTR_PRIMARY:
			col.notNull = true
		case pg.ConstrType_CONSTR_DEFAULT:
			col.def = defaultOf(con.GetRawExpr())
		case pg.ConstrType_CONSTR_IDENTITY:
			col.def = colDefault{kind: uniqueDefault}
		case pg.ConstrType_CONSTR_GENERATED:
			col.def = colDefault{kind: generated}
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
