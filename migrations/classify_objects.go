package migrations

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// trigger classifies CREATE TRIGGER.
func (c *classifier) trigger(st stmtCtx, tr *pg.CreateTrigStmt) {
	_, d, shipped, why := c.table(tr.GetRelation())
	f := Finding{Class: Other, Table: d, Review: shipped, Reason: fmt.Sprintf("adds trigger %s on %s, which the previous release writes: the analyser cannot see what the trigger does; read %s: does it reject or change rows the previous release writes?", tr.GetTrigname(), d, triggerFunc(tr))}
	if !shipped {
		f.Reason = "adds a trigger; " + why
	}
	c.add(st, f)
}

// replaceable classifies CREATE [OR REPLACE] of a view or function.
func (c *classifier) replaceable(st stmtCtx, key, display string, replace bool) {
	shipped, known := c.s.objects[key]
	if replace && (shipped || !known) {
		c.add(st, Finding{Class: Other, Review: true, Reason: "replaces " + display + ", which the previous release has: the analyser cannot compare the definitions; check that what the previous release relies on (its result, the rows a trigger lets through) is unchanged"})
	} else {
		c.add(st, Finding{Class: Additive, Reason: "creates " + display})
	}
	if !known {
		c.s.objects[key] = false
	}
}

// triggerFunc names the function a trigger runs ("function f").
func triggerFunc(tr *pg.CreateTrigStmt) string {
	if names := stringList(tr.GetFuncname()); len(names) > 0 {
		return "function " + strings.Join(names, ".")
	}
	return "its function"
}
