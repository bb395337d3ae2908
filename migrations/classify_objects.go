package migrations

import (
	pg "github.com/pganalyze/pg_query_go/v6"
)

// trigger classifies CREATE TRIGGER.
func (c *classifier) trigger(st stmtCtx, tr *pg.CreateTrigStmt) {
	_, d, shipped, why := c.table(tr.GetRelation())
	f := Finding{Class: Other, Table: d, Breaking: shipped, Reason: "adds a trigger to a table the previous release writes: the analyser cannot see what the trigger rejects; judged breaking"}
	if !shipped {
		f.Reason = "adds a trigger; " + why
	}
	c.add(st, f)
}

// replaceable classifies CREATE [OR REPLACE] of a view or function.
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
