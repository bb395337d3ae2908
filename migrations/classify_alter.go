package migrations

import (
	"cmp"
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
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
		c.add(st, Finding{Class: Other, Breaking: true, Reason: fmt.Sprintf("alters a %s; the analyser only judges tables; judged breaking", strings.ToLower(strings.TrimPrefix(at.GetObjtype().String(), "OBJECT_")))})
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
	default:
		c.add(a.st, verdict(a.finding(Other), a.shipped, a.why, fmt.Sprintf("ALTER TABLE %s (%s): the analyser cannot tell whether the previous release still works; judged breaking", a.d, strings.TrimPrefix(a.cmd.GetSubtype().String(), "AT_"))))
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
	if nc.notNull && !nc.hasDefault {
		f.Class = AddRequiredColumn
		c.add(a.st, verdict(f, a.shipped, a.why, fmt.Sprintf("adds NOT NULL column %s.%s without a default: the previous release inserts rows without it, and they fail", a.d, f.Column)))
		return
	}
	f.Reason = fmt.Sprintf("adds column %s.%s, nullable or with a default: the previous release ignores it", a.d, f.Column)
	c.add(a.st, f)
}

func (c *classifier) dropColumn(a alter) {
	name := a.cmd.GetName()
	_, shipped, why := c.column(a, name)
	if a.t != nil {
		delete(a.t.cols, name)
	}
	c.add(a.st, verdict(a.finding(DropColumn), shipped, cmp.Or(why, a.why), fmt.Sprintf("drops column %s.%s: the previous release reads and writes it", a.d, name)))
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
		f.Breaking = true
		f.Reason = cmp.Or(why, "the analyser cannot see the column's previous type") + "; changing its type to " + to.String() + " is judged breaking"
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
	if shipped && col != nil && col.baseNotNull {
		f.Reason = "the column was already NOT NULL in the previous release"
	} else {
		f = verdict(f, shipped, cmp.Or(why, a.why), fmt.Sprintf("makes %s.%s NOT NULL: the previous release may write NULL there", a.d, name))
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
// 1.0 does so around an enum rewrite).
func (c *classifier) columnDefault(a alter) {
	name := a.cmd.GetName()
	col, shipped, why := c.column(a, name)
	key := a.d + "." + name
	if a.cmd.GetDef() != nil {
		if col != nil {
			col.hasDefault = true
		}
		if i, ok := c.dropDefault[key]; ok && c.out[i].Breaking {
			c.out[i].Breaking, c.out[i].Level = false, LevelInfo
			c.out[i].Reason = fmt.Sprintf("drops the default of %s.%s and sets one again at line %d of this file", a.d, name, a.st.line)
		}
		delete(c.dropDefault, key)
		f := a.finding(Additive)
		f.Reason = fmt.Sprintf("sets a default on %s.%s", a.d, name)
		c.add(a.st, f)
		return
	}
	if col != nil {
		col.hasDefault = false
	}
	if c.dropDefault == nil {
		c.dropDefault = map[string]int{}
	}
	c.dropDefault[key] = len(c.out)
	c.add(a.st, verdict(a.finding(DropDefault), shipped, cmp.Or(why, a.why), fmt.Sprintf("drops the default of %s.%s: the previous release inserts rows relying on it", a.d, name)))
}

func (c *classifier) addConstraint(a alter) {
	con := a.cmd.GetDef().GetConstraint()
	f := a.finding(AddConstraint)
	kind := strings.ToLower(strings.TrimPrefix(con.GetContype().String(), "CONSTR_"))
	switch con.GetContype() {
	case pg.ConstrType_CONSTR_FOREIGN:
		kind = "foreign key"
		f.Column = firstString(con.GetFkAttrs())
	case pg.ConstrType_CONSTR_PRIMARY:
		kind = "primary key"
		f.Column = firstString(con.GetKeys())
	case pg.ConstrType_CONSTR_CHECK:
		f.Column = firstColumnRef(con.GetRawExpr().ProtoReflect())
	default:
		f.Column = firstString(con.GetKeys())
	}
	name := con.GetConname()
	if name != "" {
		name = " " + name
	}
	c.add(a.st, verdict(f, a.shipped, a.why, fmt.Sprintf("adds %s constraint%s on %s: rows the previous release writes may violate it", kind, name, a.d)))
}

// firstColumnRef returns the last name part of the first column reference
// in an expression tree ("score" in "users"."score" >= 0), or "".
func firstColumnRef(m protoreflect.Message) string {
	if !m.IsValid() {
		return ""
	}
	if cr, ok := m.Interface().(*pg.ColumnRef); ok {
		if f := stringList(cr.GetFields()); len(f) > 0 {
			return f[len(f)-1]
		}
		return ""
	}
	found := ""
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len() && found == ""; i++ {
				found = firstColumnRef(l.Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			found = firstColumnRef(v.Message())
		}
		return found == ""
	})
	return found
}

func firstString(nodes []*pg.Node) string {
	if l := stringList(nodes); len(l) > 0 {
		return l[0]
	}
	return ""
}
