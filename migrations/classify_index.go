package migrations

import (
	"fmt"

	pg "github.com/pganalyze/pg_query_go/v6"
)

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
