package migrations

import (
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSchemaCloneFields fails when a field is added to the schema's types:
// Schema.clone must copy it (deeply when it is a map, slice or pointer).
func TestSchemaCloneFields(t *testing.T) {
	known := map[string][]string{
		"Schema": {"tables", "enums", "dropped", "objects", "indexes", "parses"},
		"table":  {"name", "shipped", "cols", "fks", "uniques", "baseFKs", "baseUniques"},
		"column": {"typ", "notNull", "def", "shipped", "baseTyp", "baseNotNull"},
		"enum":   {"name", "values", "shipped", "base"},
		"typ":    {"name", "mods", "array"},
		// Copied by cloneFKs, cloneUniques and the column copy.
		"foreignKey": {"name", "cols", "refCols", "ref", "refDisplay", "onDelete", "onUpdate", "matchFull"},
		"uniqueKey":  {"name", "cols", "where", "exact"},
		"colDefault": {"kind", "val"},
		"value":      {"null", "any", "vals"},
	}
	for _, v := range []any{Schema{}, table{}, column{}, enum{}, typ{}, foreignKey{}, uniqueKey{}, colDefault{}, value{}} {
		rt := reflect.TypeOf(v)
		var fields []string
		for i := range rt.NumField() {
			fields = append(fields, rt.Field(i).Name)
		}
		if !slices.Equal(fields, known[rt.Name()]) {
			t.Errorf("%s has fields %v, Schema.clone knows %v: copy the new ones in schemaclone.go and list them here", rt.Name(), fields, known[rt.Name()])
		}
	}
}

// TestSchemaClone: a copy judges the next migrations as the original
// does, and changing one does not change the other.
func TestSchemaClone(t *testing.T) {
	s := NewSchema()
	for _, sql := range []string{
		`CREATE TYPE "status" AS ENUM('a', 'b'); CREATE TABLE "users" ("id" serial PRIMARY KEY, "name" varchar(20), "st" "status");`,
		`ALTER TYPE "status" ADD VALUE 'c'; ALTER TABLE "users" ADD COLUMN "email" text;`,
	} {
		if _, err := ClassifyFile("x.sql", []byte(sql), s); err != nil {
			t.Fatal(err)
		}
	}
	s.Baseline()
	c := s.clone()
	next := []string{
		`ALTER TYPE "status" ADD VALUE 'd'; ALTER TABLE "users" ALTER COLUMN "name" TYPE varchar(10);`,
		`ALTER TABLE "users" DROP COLUMN "email"; ALTER TABLE "users" RENAME COLUMN "name" TO "n";`,
		`ALTER TYPE "status" RENAME VALUE 'a' TO 'z'; ALTER TABLE "users" ALTER COLUMN "n" SET NOT NULL;`,
	}
	for _, sql := range next {
		want, err := ClassifyFile("y.sql", []byte(sql), s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ClassifyFile("y.sql", []byte(sql), c)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: the copy judges otherwise (-original +copy):\n%s", sql, diff)
		}
	}
	// The original, changed above, leaves a copy made before alone.
	c2 := NewSchema()
	if _, err := ClassifyFile("x.sql", []byte(`CREATE TABLE "t" ("id" int, "v" varchar(5));`), c2); err != nil {
		t.Fatal(err)
	}
	c3 := c2.clone()
	if _, err := ClassifyFile("z.sql", []byte(`ALTER TABLE "t" DROP COLUMN "v"; DROP TABLE "t";`), c2); err != nil {
		t.Fatal(err)
	}
	if got := c3.Tables(); !slices.Equal(got, []string{"t"}) || c3.tables["public.t"].cols["v"] == nil {
		t.Errorf("the copy changed with the original: tables %v", got)
	}
}
