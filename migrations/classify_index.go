package migrations

import (
	"cmp"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

func (c *classifier) index(st stmtCtx, is *pg.IndexStmt) {
	t, d, shipped, why := c.table(is.GetRelation())
	if !is.GetUnique() {
		c.add(st, Finding{Class: Additive, Table: d, Reason: "creates an index: queries return the same rows"})
		return
	}
	var elems []*pg.Node
	for _, p := range is.GetIndexParams() {
		ie := p.GetIndexElem()
		if ie.GetName() != "" {
			elems = append(elems, &pg.Node{Node: &pg.Node_ColumnRef{ColumnRef: &pg.ColumnRef{Fields: []*pg.Node{pg.MakeStrNode(ie.GetName())}}}})
		} else {
			elems = append(elems, ie.GetExpr())
		}
	}
	if is.GetIdxname() != "" && t != nil {
		key, _ := relKey(is.GetRelation())
		schema := is.GetRelation().GetSchemaname()
		c.s.indexes[cmp.Or(schema, "public")+"."+is.GetIdxname()] = key
	}
	a := alter{st: st, t: t, d: d, shipped: shipped, why: why}
	c.add(st, c.unique(a, fmt.Sprintf("creates unique index%s on %s", named(is.GetIdxname()), d), is.GetIdxname(), elems, is.GetWhereClause(), is.GetNullsNotDistinct()))
}

// dropIndex forgets the unique key of a dropped index.
func (c *classifier) dropIndex(key string) {
	tk, ok := c.s.indexes[key]
	if !ok {
		return
	}
	delete(c.s.indexes, key)
	if t := c.s.tables[tk]; t != nil {
		t.dropKey(key[strings.LastIndex(key, ".")+1:])
	}
}
