package migrations

import (
	"fmt"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

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
