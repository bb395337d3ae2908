package migrations

import (
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
	dropped map[string]*enum // shipped enums dropped in the range, by name
	objects map[string]bool  // other named objects ("view public.v"): shipped?
	// parses, when set, keeps parse results for the next schema (History).
	parses *parseCache
}

type table struct {
	name    string // display name: schema-qualified unless public
	shipped bool
	cols    map[string]*column
}

type column struct {
	typ         typ
	notNull     bool
	hasDefault  bool
	shipped     bool
	baseTyp     typ // the type the previous release had (when shipped)
	baseNotNull bool
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
	}
}

// Baseline marks everything the schema holds now as shipped: what the
// previous release runs against. Call it after replaying the migrations of
// the previous release and before classifying the range.
func (s *Schema) Baseline() {
	for _, t := range s.tables {
		t.shipped = true
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
