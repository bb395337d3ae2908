package migrations

import "slices"

// clone returns a deep copy of s that shares only the parse cache: the
// History replays the migrations a release has into a schema once, and
// starts the schema of a release that has more from a copy.
//
// Every field of Schema, table, column and enum is copied here; the test
// TestSchemaCloneFields fails when one is added, so that it is copied too.
func (s *Schema) clone() *Schema {
	c := &Schema{
		tables:  make(map[string]*table, len(s.tables)),
		enums:   make(map[string]*enum, len(s.enums)),
		dropped: make(map[string]*enum, len(s.dropped)),
		objects: make(map[string]bool, len(s.objects)),
		indexes: make(map[string]string, len(s.indexes)),
		parses:  s.parses,
	}
	for k, v := range s.indexes {
		c.indexes[k] = v
	}
	for k, t := range s.tables {
		tc := &table{name: t.name, shipped: t.shipped, cols: make(map[string]*column, len(t.cols)),
			fks: cloneFKs(t.fks), uniques: cloneUniques(t.uniques), baseFKs: cloneFKs(t.baseFKs), baseUniques: cloneUniques(t.baseUniques)}
		for name, col := range t.cols {
			cc := *col
			cc.typ.mods = slices.Clone(col.typ.mods)
			cc.baseTyp.mods = slices.Clone(col.baseTyp.mods)
			cc.def.val.vals = slices.Clone(col.def.val.vals)
			tc.cols[name] = &cc
		}
		c.tables[k] = tc
	}
	enums := map[*enum]*enum{} // an enum may be in both maps: keep it one
	cloneEnum := func(e *enum) *enum {
		if ec, ok := enums[e]; ok {
			return ec
		}
		ec := &enum{name: e.name, values: slices.Clone(e.values), shipped: e.shipped, base: slices.Clone(e.base)}
		enums[e] = ec
		return ec
	}
	for k, e := range s.enums {
		c.enums[k] = cloneEnum(e)
	}
	for k, e := range s.dropped {
		c.dropped[k] = cloneEnum(e)
	}
	for k, v := range s.objects {
		c.objects[k] = v
	}
	return c
}

func cloneFKs(fks []foreignKey) []foreignKey {
	if fks == nil {
		return nil
	}
	out := make([]foreignKey, len(fks))
	for i, fk := range fks {
		fk.cols, fk.refCols = slices.Clone(fk.cols), slices.Clone(fk.refCols)
		out[i] = fk
	}
	return out
}

func cloneUniques(us []uniqueKey) []uniqueKey {
	if us == nil {
		return nil
	}
	out := make([]uniqueKey, len(us))
	for i, u := range us {
		u.cols, u.where = slices.Clone(u.cols), slices.Clone(u.where)
		out[i] = u
	}
	return out
}
