package migrations

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// Schema is what the analyser knows of the database: the tables, columns
// and enums made by the migrations it has read, and for each whether the
// previous release had it ("shipped"). Statements are judged against the
// shipped state; objects created after the baseline are new in the range.
//
// A Schema is built by replaying shipped migrations through ClassifyFile,
// then calling Baseline, then classifying the migrations of the range.
// The zero value is not usable: call NewSchema.
type Schema struct {
	tables  map[string]*table
	enums   map[string]*enum
	dropped map[string]*enum  // shipped enums dropped in the range, by name
	objects map[string]bool   // other named objects ("view public.v"): shipped?
	indexes map[string]string // unique index ("public.users_email_idx") to its table's key
	// parses, when set, keeps parse results for the next schema (History).
	parses *parseCache
}

type table struct {
	name    string // display name: schema-qualified unless public
	shipped bool
	cols    map[string]*column
	fks     []foreignKey
	uniques []uniqueKey // primary keys, unique constraints, unique indexes without WHERE
	// The keys the previous release's writes obey (set by Baseline): they
	// stay even when the range drops them.
	baseFKs     []foreignKey
	baseUniques []uniqueKey
}

type column struct {
	typ         typ
	notNull     bool
	def         colDefault
	shipped     bool
	baseTyp     typ // the type the previous release had (when shipped)
	baseNotNull bool
}

func (c *column) hasDefault() bool { return c.def.kind != noDefault }

// colDefault is what a column gets in a row an INSERT does not give it.
type colDefault struct {
	kind defaultKind
	val  value // the constant, for constDefault
}

type defaultKind byte

const (
	noDefault     defaultKind = iota // NULL
	constDefault                     // the same constant in every row
	uniqueDefault                    // a new value in every row: a sequence, an identity, a random UUID
	generated                        // computed from the row's other columns
	exprDefault                      // another expression (now(), a function)
)

// describe renders the default for a reason: "NULL", "'a'", "a new value
// per row".
func (d colDefault) describe() string {
	switch d.kind {
	case noDefault:
		return "NULL"
	case constDefault:
		return d.val.String()
	case uniqueDefault:
		return "a new value per row"
	case generated:
		return "a value computed from its other columns"
	}
	return "its default expression"
}

// uniqueDefaults are the functions whose default gives every row a new value.
var uniqueDefaults = map[string]bool{
	"nextval": true, "gen_random_uuid": true, "uuid_generate_v1": true, "uuid_generate_v1mc": true,
	"uuid_generate_v4": true, "uuid_generate_v7": true, "uuidv4": true, "uuidv7": true,
}

// defaultOf classifies a DEFAULT expression.
func defaultOf(n *pg.Node) colDefault {
	if n == nil {
		return colDefault{}
	}
	v := constant(n)
	if v.isNull() {
		return colDefault{}
	}
	if _, ok := v.constant(); ok {
		return colDefault{kind: constDefault, val: v}
	}
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().GetArg()
	}
	if f := n.GetFuncCall(); f != nil {
		if names := stringList(f.GetFuncname()); len(names) > 0 && uniqueDefaults[names[len(names)-1]] {
			return colDefault{kind: uniqueDefault}
		}
	}
	return colDefault{kind: exprDefault}
}

// foreignKey is a FOREIGN KEY constraint: cols of the table reference
// refCols of ref (a table key).
type foreignKey struct {
	name               string
	cols, refCols      []string
	ref, refDisplay    string
	onDelete, onUpdate string // PostgreSQL's action letters: a no action, r restrict, c cascade, n set null, d set default
	matchFull          bool
}

func newForeignKey(con *pg.Constraint, cols []string) foreignKey {
	ref, refD := relKey(con.GetPktable())
	return foreignKey{
		name: con.GetConname(), cols: cols, refCols: stringList(con.GetPkAttrs()), ref: ref, refDisplay: refD,
		onDelete: cmp.Or(con.GetFkDelAction(), "a"), onUpdate: cmp.Or(con.GetFkUpdAction(), "a"), matchFull: con.GetFkMatchtype() == "f",
	}
}

// sameKey reports whether two foreign keys check the same thing: the same
// columns referencing the same columns of the same table.
func (k foreignKey) sameKey(o foreignKey) bool {
	return slices.Equal(k.cols, o.cols) && k.ref == o.ref && (slices.Equal(k.refCols, o.refCols) || len(k.refCols) == 0 || len(o.refCols) == 0)
}

// uniqueKey is a set of columns no two rows share (among the rows a
// partial index's WHERE keeps).
type uniqueKey struct {
	name  string
	cols  []string // the key's plain columns
	where []string // the conjuncts of a partial index's WHERE, normalised (exprKey)
	exact bool     // every element of the key is a plain column
}

// implies reports whether u, kept by the previous release, makes every
// write that satisfied it satisfy k too: u's columns are among k's and
// every row k's index holds u's index held (u's WHERE conditions are all
// among k's), so two rows colliding in k collided in u.
func (u uniqueKey) implies(k uniqueKey) bool {
	if !u.exact || len(u.cols) == 0 {
		return false
	}
	for _, c := range u.cols {
		if !slices.Contains(k.cols, c) {
			return false
		}
	}
	for _, w := range u.where {
		if !slices.Contains(k.where, w) {
			return false
		}
	}
	return true
}

func (u uniqueKey) whereText() string {
	if len(u.where) == 0 {
		return ""
	}
	return " (in the rows of a partial index)"
}

type enum struct {
	name    string
	values  []string
	shipped bool
	base    []string // the values the previous release had (when shipped)
}

// typ is a column type, normalised: "varchar" with mods [64], "text",
// "int4", "status" (an enum, unqualified when in public).
type typ struct {
	name  string
	mods  []int64
	array int
}

func (t typ) String() string {
	var b strings.Builder
	b.WriteString(t.name)
	if len(t.mods) > 0 {
		b.WriteString("(")
		for i, m := range t.mods {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprint(&b, m)
		}
		b.WriteString(")")
	}
	for range t.array {
		b.WriteString("[]")
	}
	return b.String()
}

func (t typ) equal(u typ) bool {
	return t.name == u.name && t.array == u.array && slices.Equal(t.mods, u.mods)
}

// NewSchema returns an empty schema: a database no migration has touched.
func NewSchema() *Schema {
	return &Schema{
		tables:  map[string]*table{},
		enums:   map[string]*enum{},
		dropped: map[string]*enum{},
		objects: map[string]bool{},
		indexes: map[string]string{},
	}
}

// Baseline marks everything the schema holds now as shipped: what the
// previous release runs against. Call it after replaying the migrations of
// the previous release and before classifying the range.
func (s *Schema) Baseline() {
	for _, t := range s.tables {
		t.shipped = true
		t.baseFKs = slices.Clone(t.fks)
		t.baseUniques = slices.Clone(t.uniques)
		for _, c := range t.cols {
			c.shipped = true
			c.baseTyp = c.typ
			c.baseNotNull = c.notNull
		}
	}
	for _, e := range s.enums {
		e.shipped = true
		e.base = slices.Clone(e.values)
	}
	clear(s.dropped)
	for k := range s.objects {
		s.objects[k] = true
	}
}

// Tables returns the names of the tables the schema knows, sorted.
func (s *Schema) Tables() []string {
	out := make([]string, 0, len(s.tables))
	for _, t := range s.tables {
		out = append(out, t.name)
	}
	slices.Sort(out)
	return out
}

// relKey returns the lookup key ("public.users") and display name ("users")
// of a relation.
func relKey(rv *pg.RangeVar) (key, display string) {
	schema := rv.GetSchemaname()
	if schema == "" {
		schema = "public"
	}
	display = rv.GetRelname()
	if schema != "public" {
		display = schema + "." + display
	}
	return schema + "." + rv.GetRelname(), display
}

// nameKey does the same for a qualified name given as a list of String nodes.
func nameKey(nodes []*pg.Node) (key, display string) {
	parts := stringList(nodes)
	switch len(parts) {
	case 0:
		return "", ""
	case 1:
		return "public." + parts[0], parts[0]
	}
	schema, name := parts[len(parts)-2], parts[len(parts)-1]
	if schema == "public" {
		return "public." + name, name
	}
	return schema + "." + name, schema + "." + name
}

func stringList(nodes []*pg.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.GetSval())
		}
	}
	return out
}

// serialTypes are the pseudo-types that make an integer column with a
// sequence default.
var serialTypes = map[string]string{
	"serial": "int4", "serial4": "int4", "bigserial": "int8", "serial8": "int8",
	"smallserial": "int2", "serial2": "int2",
}

// typeOf normalises a parsed type name. serial reports a serial pseudo-type.
func typeOf(tn *pg.TypeName) (t typ, serial bool) {
	if tn == nil {
		return typ{}, false
	}
	names := stringList(tn.GetNames())
	if len(names) > 1 && (names[0] == "pg_catalog" || names[0] == "public") {
		names = names[1:]
	}
	t.name = strings.Join(names, ".")
	if base, ok := serialTypes[t.name]; ok {
		t.name, serial = base, true
	}
	for _, m := range tn.GetTypmods() {
		if c := m.GetAConst(); c != nil && c.GetIval() != nil {
			t.mods = append(t.mods, int64(c.GetIval().GetIval()))
		}
	}
	t.array = len(tn.GetArrayBounds())
	return t, serial
}

// widening reports whether a column of type from can become type to while
// the previous release keeps working: the same type, varchar(n) to
// varchar(m >= n) or unbounded, varchar to text, numeric(p,s) to
// numeric(q >= p, s) or unbounded, an enum to text.
func (s *Schema) widening(from, to typ) (bool, string) {
	if from.equal(to) {
		return true, "the type is the one the previous release had (" + from.String() + ")"
	}
	if from.array != to.array {
		return false, fmt.Sprintf("changes the type from %s to %s", from, to)
	}
	switch {
	case from.name == "varchar" && to.name == "varchar":
		if len(to.mods) == 0 || (len(from.mods) > 0 && to.mods[0] >= from.mods[0]) {
			return true, fmt.Sprintf("widens %s to %s: binary-compatible, nothing is rewritten", from, to)
		}
	case from.name == "varchar" && to.name == "text":
		return true, fmt.Sprintf("widens %s to text: binary-compatible, nothing is rewritten", from)
	case from.name == "numeric" && to.name == "numeric":
		if len(to.mods) == 0 || (len(from.mods) > 0 && to.mods[0] >= from.mods[0] && modAt(to.mods, 1) == modAt(from.mods, 1)) {
			return true, fmt.Sprintf("widens %s to %s", from, to)
		}
	case to.name == "text" || (to.name == "varchar" && len(to.mods) == 0):
		if s.isEnum(from.name) {
			return true, fmt.Sprintf("enum %s to %s: every value the previous release writes or reads is still valid", from, to)
		}
	}
	return false, fmt.Sprintf("changes the type from %s to %s: the previous release may read or write values the new type rejects or returns differently", from, to)
}

func modAt(m []int64, i int) int64 {
	if i < len(m) {
		return m[i]
	}
	return 0
}

func (s *Schema) isEnum(name string) bool {
	key := name
	if !strings.Contains(key, ".") {
		key = "public." + key
	}
	if _, ok := s.enums[key]; ok {
		return true
	}
	_, ok := s.dropped[key]
	return ok
}

// columnOfType names a column ("users.mood") whose type is the type key
// ("public.mood"), or "".
func (s *Schema) columnOfType(key string) string {
	name := strings.TrimPrefix(key, "public.")
	var found []string
	for _, t := range s.tables {
		for cn, c := range t.cols {
			if c.typ.name == name {
				found = append(found, t.name+"."+cn)
			}
		}
	}
	slices.Sort(found)
	if len(found) == 0 {
		return ""
	}
	return found[0]
}

// moveTable renames a table (key to newKey): the table keeps its columns
// and keys, and the foreign keys that reference it follow it, the
// previous release's ones too (they name the same table).
func (s *Schema) moveTable(key, newKey string) {
	t := s.tables[key]
	if t == nil {
		return
	}
	delete(s.tables, key)
	t.name = strings.TrimPrefix(newKey, "public.")
	s.tables[newKey] = t
	for _, o := range s.tables {
		for _, fks := range [][]foreignKey{o.fks, o.baseFKs} {
			for i := range fks {
				if fks[i].ref == key {
					fks[i].ref, fks[i].refDisplay = newKey, t.name
				}
			}
		}
	}
	for name, tk := range s.indexes {
		if tk == key {
			s.indexes[name] = newKey
		}
	}
}

// renameColumn renames a column; the keys on it, the previous release's
// ones too, follow it.
func (t *table) renameColumn(from, to string) {
	if c := t.cols[from]; c != nil {
		delete(t.cols, from)
		t.cols[to] = c
	}
	rename := func(cols []string) {
		for i, c := range cols {
			if c == from {
				cols[i] = to
			}
		}
	}
	for _, k := range t.fks {
		rename(k.cols)
	}
	for _, k := range t.baseFKs {
		rename(k.cols)
	}
	for _, k := range t.uniques {
		rename(k.cols)
	}
	for _, k := range t.baseUniques {
		rename(k.cols)
	}
}

// shippedEnum returns the values the previous release had in the enum t
// names, or nil when t is not such an enum (or an array of it).
func (s *Schema) shippedEnum(t typ) []string {
	if t.array > 0 || t.name == "" {
		return nil
	}
	key := t.name
	if !strings.Contains(key, ".") {
		key = "public." + key
	}
	e := s.enums[key]
	if e == nil {
		e = s.dropped[key]
	}
	if e == nil || !e.shipped {
		return nil
	}
	return e.base
}
