package migrations

import (
	"cmp"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

func (c *classifier) rename(st stmtCtx, r *pg.RenameStmt) {
	switch r.GetRenameType() {
	case pg.ObjectType_OBJECT_TABLE:
		key, _ := relKey(r.GetRelation())
		_, d, shipped, why := c.table(r.GetRelation())
		newKey := key[:strings.LastIndex(key, ".")+1] + r.GetNewname()
		c.s.moveTable(key, newKey)
		c.add(st, verdict(Finding{Class: RenameTable, Table: d}, shipped, why, fmt.Sprintf("renames table %s to %s: the previous release still queries %s", d, r.GetNewname(), d)))
	case pg.ObjectType_OBJECT_COLUMN:
		t, d, tShipped, tWhy := c.table(r.GetRelation())
		col, shipped, why := c.col(t, tShipped, tWhy, r.GetSubname())
		if t != nil && col != nil {
			t.renameColumn(r.GetSubname(), r.GetNewname())
		}
		c.add(st, verdict(Finding{Class: RenameColumn, Table: d, Column: r.GetSubname()}, shipped, cmp.Or(why, tWhy), fmt.Sprintf("renames column %s.%s to %s: the previous release still reads and writes %s", d, r.GetSubname(), r.GetNewname(), r.GetSubname())))
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
		f := verdict(Finding{Class: Other}, e == nil || e.shipped, why,
			fmt.Sprintf("renames type %s to %s: columns of the type keep working, but the previous release may name it in casts or raw SQL: check that it does not", d, r.GetNewname()))
		// Columns follow a renamed type: only the type's name changes, which
		// the analyser cannot look for in the previous release's code.
		f.Breaking, f.Review = false, f.Breaking
		c.add(st, f)
	default:
		c.add(st, Finding{Class: Other, Review: true, Reason: fmt.Sprintf("renames a %s: the analyser does not judge it; check that the previous release does not use it by its old name", strings.ToLower(strings.TrimPrefix(r.GetRenameType().String(), "OBJECT_")))})
	}
}

func (c *classifier) setSchema(st stmtCtx, s *pg.AlterObjectSchemaStmt) {
	if s.GetObjectType() == pg.ObjectType_OBJECT_TABLE {
		key, _ := relKey(s.GetRelation())
		_, d, shipped, why := c.table(s.GetRelation())
		c.s.moveTable(key, s.GetNewschema()+"."+s.GetRelation().GetRelname())
		c.add(st, verdict(Finding{Class: RenameTable, Table: d}, shipped, why, fmt.Sprintf("moves table %s to schema %s: the previous release still queries %s", d, s.GetNewschema(), d)))
		return
	}
	c.add(st, Finding{Class: Other, Review: true, Reason: "moves an object to another schema: the analyser does not judge it; check that the previous release does not use it by its old name"})
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
			if user := c.s.columnOfType(key); user != "" || ds.GetBehavior() == pg.DropBehavior_DROP_CASCADE {
				if user != "" && ds.GetBehavior() != pg.DropBehavior_DROP_CASCADE {
					c.add(st, Finding{Class: Other, Breaking: true, Reason: "drops type " + d + ", which column " + user + " still has: PostgreSQL refuses it without CASCADE, and with CASCADE it drops the column the previous release uses"})
					continue
				}
				c.add(st, Finding{Class: Other, Breaking: true, Reason: "drops type " + d + " with CASCADE, which drops the columns of that type the previous release has"})
				continue
			}
			c.add(st, Finding{Class: Other, Reason: "drops type " + d + ": no column uses it any more (PostgreSQL refuses to drop a type in use), and the changes to the columns that used it are judged on their own"})
		case pg.ObjectType_OBJECT_INDEX:
			if l := obj.GetList(); l != nil {
				k, _ := nameKey(l.GetItems())
				c.dropIndex(k)
			}
			c.add(st, Finding{Class: Other, Reason: "drops an index: queries return the same rows (a unique index dropped only relaxes)"})
		default:
			kind := strings.ToLower(strings.TrimPrefix(ds.GetRemoveType().String(), "OBJECT_"))
			key, d := "", ""
			switch {
			case obj.GetList() != nil:
				key, d = nameKey(obj.GetList().GetItems())
			case obj.GetObjectWithArgs() != nil:
				key, d = nameKey(obj.GetObjectWithArgs().GetObjname())
			}
			shipped, known := c.s.objects[kind+" "+key]
			if known && !shipped {
				delete(c.s.objects, kind+" "+key)
				c.add(st, Finding{Class: Other, Reason: "drops " + kind + " " + d + ", created in this range"})
				continue
			}
			has := "which the previous release has"
			if !known {
				has = "which no earlier migration made (it may exist all the same)"
			}
			switch ds.GetRemoveType() {
			case pg.ObjectType_OBJECT_TRIGGER:
				c.add(st, Finding{Class: Other, Review: true, Reason: fmt.Sprintf("drops trigger %s, %s: the previous release's writes no longer fire it; check that it does not rely on what the trigger did", d, has)})
			case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE, pg.ObjectType_OBJECT_ROUTINE, pg.ObjectType_OBJECT_AGGREGATE:
				c.add(st, Finding{Class: Other, Review: true, Reason: fmt.Sprintf("drops %s %s, %s: check that the previous release does not call it", kind, d, has)})
			case pg.ObjectType_OBJECT_POLICY, pg.ObjectType_OBJECT_RULE:
				c.add(st, Finding{Class: Other, Review: true, Reason: fmt.Sprintf("drops %s %s, %s: check what the previous release relied on it for", kind, d, has)})
			default:
				c.add(st, Finding{Class: Other, Breaking: true, Reason: fmt.Sprintf("drops %s %s, %s: its queries that use it fail", kind, d, has)})
			}
		}
	}
}
