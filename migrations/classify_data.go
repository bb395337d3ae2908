package migrations

import (
	pg "github.com/pganalyze/pg_query_go/v6"
)

// dataChange classifies INSERT, UPDATE, DELETE and TRUNCATE.
func (c *classifier) dataChange(st stmtCtx, n *pg.Node) {
	switch {
	case n.GetInsertStmt() != nil:
		_, d := relKey(n.GetInsertStmt().GetRelation())
		c.add(st, dataChangeFinding(d, "inserts rows into"))
	case n.GetUpdateStmt() != nil:
		_, d := relKey(n.GetUpdateStmt().GetRelation())
		c.add(st, dataChangeFinding(d, "updates rows of"))
	case n.GetDeleteStmt() != nil:
		_, d := relKey(n.GetDeleteStmt().GetRelation())
		c.add(st, dataChangeFinding(d, "deletes rows of"))
	case n.GetTruncateStmt() != nil:
		for _, r := range n.GetTruncateStmt().GetRelations() {
			_, d := relKey(r.GetRangeVar())
			c.add(st, dataChangeFinding(d, "empties"))
		}
	}
}

func dataChangeFinding(table, verb string) Finding {
	return Finding{Class: DataChange, Table: table, Reason: verb + " " + table + ": changes data, not the schema, so the previous release still runs; a rollback does not undo it"}
}
