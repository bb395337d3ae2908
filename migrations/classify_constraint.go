package migrations

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// A constraint is judged by what the previous release's writes can now run
// into. The previous release never names a column added in the range: every
// row it inserts holds that column's default there (NULL without one), and
// its updates leave the column as it is. So a constraint that only such
// columns decide never rejects its rows as long as NULL (or the default)
// satisfies it; a constraint on columns the previous release writes can.

// insertEnv is a row the previous release writes into t: a column added
// in the range holds its default (it never names the column); a column it
// has holds whatever it writes, which is never NULL when the column was
// NOT NULL in the previous release, and one of the enum's values then when
// its type is an enum the previous release had.
func (c *classifier) insertEnv(t *table) env {
	return func(name string) value {
		col := t.cols[name]
		switch {
		case col == nil || col.def.kind == generated:
			return unknown
		case !col.shipped && col.def.kind == noDefault:
			return nullValue()
		case !col.shipped && col.def.kind == constDefault:
			return col.def.val
		case !col.shipped:
			return value{any: true}
		}
		v := value{null: !col.baseNotNull, any: true}
		if vals := c.s.shippedEnum(col.baseTyp); vals != nil {
			v.any = false
			for _, x := range vals {
				v.vals = append(v.vals, scalar{kind: 's', str: x})
			}
		}
		return v
	}
}

// assumptions says what the analyser knows of the columns in a row the
// previous release writes: "kind = 'organization' (added in this range),
// organization_id is never NULL (NOT NULL in the previous release)".
func (c *classifier) assumptions(t *table, cols []string) string {
	var parts []string
	for _, name := range cols {
		col := t.cols[name]
		switch {
		case col == nil || col.def.kind == generated:
		case !col.shipped:
			parts = append(parts, fmt.Sprintf("%s = %s (added in this range, it never writes it)", name, col.def.describe()))
		case c.s.shippedEnum(col.baseTyp) != nil:
			parts = append(parts, fmt.Sprintf("%s is one of the values enum %s had in the previous release", name, col.baseTyp.name))
		case col.baseNotNull:
			parts = append(parts, fmt.Sprintf("%s is never NULL (NOT NULL in the previous release)", name))
		}
	}
	return strings.Join(parts, ", ")
}

// split sorts the columns a constraint names into those added in the range
// (the previous release never writes them) and the others (it writes them,
// or the analyser cannot tell).
func split(t *table, cols []string) (added, written []string) {
	for _, name := range cols {
		if col := t.cols[name]; col != nil && !col.shipped && col.def.kind != generated {
			added = append(added, name)
		} else {
			written = append(written, name)
		}
	}
	return added, written
}

// defaults lists the values the previous release's rows hold in added
// columns: "kind = NULL, plan = 'free'".
func defaults(t *table, added []string) string {
	parts := make([]string, 0, len(added))
	for _, name := range added {
		parts = append(parts, fmt.Sprintf("%s = %s", name, t.cols[name].def.describe()))
	}
	return strings.Join(parts, ", ")
}

func qualify(d string, cols []string) string {
	return d + "(" + strings.Join(cols, ", ") + ")"
}

// named is " name" or "".
func named(name string) string {
	if name == "" {
		return ""
	}
	return " " + name
}

// settled judges a constraint on a table created in the range (compatible:
// the previous release never uses it) or unknown (judged breaking); done is
// false for a table the previous release has.
func settled(a alter, f Finding, action string) (Finding, bool) {
	switch {
	case !a.shipped:
		f.Reason = action + "; " + a.why
		return f, true
	case a.t == nil:
		f.Breaking, f.Reason = true, action+": "+a.why
		return f, true
	}
	return f, false
}

// foreignKey judges a FOREIGN KEY on cols of a.t and records it.
func (c *classifier) foreignKey(a alter, con *pg.Constraint, cols []string) Finding {
	k := newForeignKey(con, cols)
	f := Finding{Class: AddConstraint, Table: a.d, Column: first(cols)}
	action := fmt.Sprintf("adds foreign key%s %s → %s", named(k.name), qualify(a.d, cols), qualify(k.refDisplay, k.refCols))
	if a.t != nil {
		a.t.fks = append(a.t.fks, k)
	}
	if f, done := settled(a, f, action); done {
		return f
	}
	for _, old := range a.t.baseFKs {
		if old.sameKey(k) {
			f.Reason = fmt.Sprintf("%s, which the previous release already had%s: its writes are checked as before; %s", action, named(old.name), k.changes(old, a.d))
			return f
		}
	}
	added, written := split(a.t, cols)
	var nullCols []string
	for _, name := range added {
		if a.t.cols[name].def.kind == noDefault {
			nullCols = append(nullCols, name)
		}
	}
	switch {
	case len(nullCols) > 0 && (!k.matchFull || len(nullCols) == len(cols)):
		f.Reason = fmt.Sprintf("%s: %s is added in this range and has no default, so every row the previous release writes keeps NULL there, and a NULL never violates a foreign key; %s",
			action, qualify(a.d, nullCols), k.deleteEffect(a.d, "rows this release wrote"))
	case len(written) == 0:
		f.Breaking = true
		f.Reason = fmt.Sprintf("%s: rows the previous release inserts get the default of %s (%s), which %s may not hold: they fail", action, qualify(a.d, added), defaults(a.t, added), k.refDisplay)
	default:
		f.Breaking = true
		f.Reason = fmt.Sprintf("%s: the previous release writes %s with values %s may not hold: those writes fail", action, qualify(a.d, written), k.refDisplay)
	}
	return f
}

var fkActions = map[string]string{"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}

// deleteEffect says what deleting a referenced row does to the rows of
// the table that reference it.
func (k foreignKey) deleteEffect(d, rows string) string {
	var does string
	switch k.onDelete {
	case "c":
		does = "also deletes the " + rows + " that reference it"
	case "n":
		does = "sets " + qualify(d, k.cols) + " to NULL in the " + rows + " that reference it"
	case "d":
		does = "sets " + qualify(d, k.cols) + " to its default in the " + rows + " that reference it"
	default:
		does = "fails while " + rows + " reference it"
	}
	return fmt.Sprintf("deleting a %s row now %s (ON DELETE %s)", k.refDisplay, does, fkActions[k.onDelete])
}

// changes says what a re-created foreign key changes.
func (k foreignKey) changes(old foreignKey, d string) string {
	var out []string
	if k.onDelete != old.onDelete {
		out = append(out, fmt.Sprintf("ON DELETE %s instead of %s: %s", fkActions[k.onDelete], fkActions[old.onDelete], k.deleteEffect(d, "rows")))
	}
	if k.onUpdate != old.onUpdate {
		out = append(out, fmt.Sprintf("ON UPDATE %s instead of %s changes what updating a referenced key does", fkActions[k.onUpdate], fkActions[old.onUpdate]))
	}
	if len(out) == 0 {
		return "the same actions"
	}
	return strings.Join(out, "; ")
}

// check judges a CHECK constraint on a.t.
func (c *classifier) check(a alter, con *pg.Constraint) Finding {
	expr := con.GetRawExpr()
	cols := columnsOf(expr)
	f := Finding{Class: AddConstraint, Table: a.d, Column: first(cols)}
	action := fmt.Sprintf("adds check constraint%s on %s", named(con.GetConname()), a.d)
	if f, done := settled(a, f, action); done {
		return f
	}
	added, written := split(a.t, cols)
	v := eval(expr, c.insertEnv(a.t))
	switch {
	case v.passes():
		f.Reason = fmt.Sprintf("%s: it holds for every row the previous release writes, where %s", action, c.assumptions(a.t, cols))
	case !v.canBe(true) && !v.null:
		f.Breaking = true
		f.Reason = fmt.Sprintf("%s: it fails for every row the previous release inserts, where %s: they fail", action, c.assumptions(a.t, cols))
	case len(written) > 0 || len(cols) == 0:
		f.Breaking = true
		f.Reason = fmt.Sprintf("%s: the previous release writes %s, and rows it writes may violate it", action, listOr(written, "the table"))
	default:
		f.Review = true
		f.Reason = fmt.Sprintf("%s: only columns added in this range decide it, and rows the previous release inserts have %s there, but the analyser cannot evaluate the check on them: check that they satisfy it", action, defaults(a.t, added))
	}
	return f
}

func listOr(cols []string, none string) string {
	if len(cols) == 0 {
		return none
	}
	return strings.Join(cols, ", ")
}

// unique judges a unique key (a UNIQUE or PRIMARY KEY constraint, a unique
// index) on a.t: elems are its columns or expressions, where the index's
// predicate (nil for all rows).
func (c *classifier) unique(a alter, action string, name string, elems []*pg.Node, where *pg.Node, nullsNotDistinct bool) Finding {
	var cols, plainCols []string
	for _, e := range elems {
		if names := stringList(e.GetColumnRef().GetFields()); len(names) > 0 {
			plainCols = append(plainCols, names[len(names)-1])
		}
		cols = append(cols, columnsOf(e)...)
	}
	cols = slices.Compact(cols)
	key := uniqueKey{name: name, cols: plainCols, where: conjuncts(where), exact: len(plainCols) == len(elems)}
	f := Finding{Class: AddConstraint, Table: a.d, Column: first(cols)}
	if a.t != nil && key.exact {
		a.t.uniques = append(a.t.uniques, key)
	}
	if f, done := settled(a, f, action); done {
		return f
	}
	for _, old := range a.t.baseUniques {
		if old.implies(key) {
			f.Reason = fmt.Sprintf("%s: the previous release already kept %s unique%s (%s), so no write of its that succeeded before collides now", action, qualify(a.d, old.cols), old.whereText(), cmp.Or(old.name, "unnamed"))
			return f
		}
	}
	row := c.insertEnv(a.t)
	added, written := split(a.t, cols)
	if where != nil {
		if w := eval(where, row); w.excludes() {
			f.Reason = fmt.Sprintf("%s: its WHERE leaves out every row the previous release writes, where %s", action, c.assumptions(a.t, columnsOf(where)))
			return f
		}
	}
	constants := 0
	for _, e := range elems {
		v := eval(e, row)
		if v.isNull() && !nullsNotDistinct {
			f.Reason = fmt.Sprintf("%s: rows the previous release inserts have %s (columns added in this range, which it never writes), and NULLs never collide in a unique key", action, defaults(a.t, added))
			return f
		}
		if _, ok := v.constant(); ok {
			constants++
		}
		if names := stringList(e.GetColumnRef().GetFields()); len(names) > 0 {
			name := names[len(names)-1]
			if col := a.t.cols[name]; col != nil && !col.shipped && col.def.kind == uniqueDefault {
				f.Reason = fmt.Sprintf("%s: rows the previous release inserts get a new value of %s.%s each (its default, in a column added in this range), so they never collide", action, a.d, name)
				return f
			}
		}
	}
	switch {
	case len(added) == 0:
		f.Breaking = true
		f.Reason = fmt.Sprintf("%s: the previous release writes %s and may repeat a value there: that write now fails", action, qualify(a.d, written))
	case constants == len(elems):
		f.Breaking = true
		f.Reason = fmt.Sprintf("%s: every row the previous release inserts has %s (columns added in this range, which it never writes), so the second such row collides and fails", action, defaults(a.t, added))
	case allConst(a.t, added):
		f.Breaking = true
		f.Reason = fmt.Sprintf("%s: rows the previous release inserts all have %s (columns added in this range), so two of them with the same %s collide and fail", action, defaults(a.t, added), strings.Join(written, ", "))
	default:
		f.Review = true
		f.Reason = fmt.Sprintf("%s: rows the previous release inserts have %s (columns added in this range), and the analyser cannot tell whether those repeat: check that they never collide", action, defaults(a.t, added))
	}
	return f
}

func allConst(t *table, added []string) bool {
	for _, name := range added {
		if t.cols[name].def.kind != constDefault {
			return false
		}
	}
	return true
}

func first(s []string) string {
	if len(s) > 0 {
		return s[0]
	}
	return ""
}
