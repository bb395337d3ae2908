package migrations

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// trigger classifies CREATE TRIGGER.
func (c *classifier) trigger(st stmtCtx, tr *pg.CreateTrigStmt) {
	_, d, shipped, why := c.table(tr.GetRelation())
	key, _ := nameKey([]*pg.Node{pg.MakeStrNode(tr.GetRelation().GetRelname()), pg.MakeStrNode(tr.GetTrigname())})
	if _, known := c.s.objects["trigger "+key]; !known || !tr.GetReplace() {
		c.s.objects["trigger "+key] = false
	}
	f := Finding{Class: Other, Table: d, Review: shipped, Reason: fmt.Sprintf("adds trigger %s on %s, which the previous release writes: the analyser cannot see what the trigger does; read %s: does it reject or change rows the previous release writes?", tr.GetTrigname(), d, triggerFunc(tr))}
	if !shipped {
		f.Reason = "adds a trigger; " + why
	}
	c.add(st, f)
}

// replaceable classifies CREATE [OR REPLACE] of a view or function. Only
// replacing one an earlier migration made needs review; one no migration
// made is judged new.
func (c *classifier) replaceable(st stmtCtx, key, display string, replace bool) {
	shipped, known := c.s.objects[key]
	switch {
	case replace && shipped:
		c.add(st, Finding{Class: Other, Review: true, Reason: "replaces " + display + ", which the previous release has: the analyser cannot compare the definitions; check that what the previous release relies on (its result, the rows a trigger lets through) is unchanged"})
	case replace && !known:
		c.add(st, Finding{Class: Additive, Reason: "creates " + display + ": no earlier migration made one (one made by other means would be replaced)"})
	default:
		c.add(st, Finding{Class: Additive, Reason: "creates " + display})
	}
	if !known {
		c.s.objects[key] = false
	}
}

// createFunction classifies CREATE [OR REPLACE] FUNCTION or PROCEDURE and
// keeps a PL/pgSQL procedure's body for CALL.
func (c *classifier) createFunction(st stmtCtx, f *pg.CreateFunctionStmt) {
	key, d := nameKey(f.GetFuncname())
	kind := "function"
	if f.GetIsProcedure() {
		kind = "procedure"
		if body, lang := routineBody(f.GetOptions()); lang == "plpgsql" && body != "" {
			if c.procs == nil {
				c.procs = map[string]string{}
			}
			c.procs[key] = body
		}
	}
	c.replaceable(st, kind+" "+key, kind+" "+d, f.GetReplace())
}

// routineBody returns the AS body and the LANGUAGE of a routine's options.
func routineBody(opts []*pg.Node) (body, lang string) {
	for _, o := range opts {
		de := o.GetDefElem()
		switch de.GetDefname() {
		case "as":
			if l := de.GetArg().GetList(); l != nil {
				body = first(stringList(l.GetItems()))
			} else {
				body = de.GetArg().GetString_().GetSval()
			}
		case "language":
			lang = de.GetArg().GetString_().GetSval()
		}
	}
	return body, lang
}

// call classifies CALL: a PL/pgSQL procedure created earlier in the file
// is judged by the statements of its body, as a DO block is; any other
// needs review.
func (c *classifier) call(st stmtCtx, cs *pg.CallStmt) {
	key, d := nameKey(cs.GetFunccall().GetFuncname())
	if body, ok := c.procs[key]; ok {
		delete(c.procs, key) // a procedure that calls itself is judged once
		c.plpgsql(st, body, "procedure "+d)
		c.procs[key] = body
		return
	}
	c.add(st, Finding{Class: Other, Review: true, Reason: fmt.Sprintf("calls procedure %s, whose body the analyser cannot see here: read what it changes and check that the previous release still works after it", d)})
}

// triggerFunc names the function a trigger runs ("function f").
func triggerFunc(tr *pg.CreateTrigStmt) string {
	if names := stringList(tr.GetFuncname()); len(names) > 0 {
		return "function " + strings.Join(names, ".")
	}
	return "its function"
}
