package migrations

import (
	pg "github.com/pganalyze/pg_query_go/v6"
)

// parseCache keeps what PostgreSQL's parser and scanner made of each piece
// of SQL, so that a History parses every migration once however many
// releases it is judged against (two thirds of classifying a file is
// parsing and scanning it). The results are only read by the classifier,
// never changed. Not safe for concurrent use.
type parseCache struct {
	trees  map[string]result[*pg.ParseResult]
	tokens map[string]result[*pg.ScanResult]
	pl     map[string]result[string]
}

type result[T any] struct {
	v   T
	err error
}

func newParseCache() *parseCache {
	return &parseCache{
		trees:  map[string]result[*pg.ParseResult]{},
		tokens: map[string]result[*pg.ScanResult]{},
		pl:     map[string]result[string]{},
	}
}

// memo returns f(sql), computed once per sql.
func memo[T any](m map[string]result[T], sql string, f func(string) (T, error)) (T, error) {
	r, ok := m[sql]
	if !ok {
		r.v, r.err = f(sql)
		m[sql] = r
	}
	return r.v, r.err
}

// parse is pg.Parse, through the schema's cache when it has one.
func (c *classifier) parse(sql string) (*pg.ParseResult, error) {
	if c.s.parses == nil {
		return pg.Parse(sql)
	}
	return memo(c.s.parses.trees, sql, pg.Parse)
}

// scanTokens is pg.Scan, through the schema's cache when it has one.
func (c *classifier) scanTokens(sql string) (*pg.ScanResult, error) {
	if c.s.parses == nil {
		return pg.Scan(sql)
	}
	return memo(c.s.parses.tokens, sql, pg.Scan)
}

// parsePL is pg.ParsePlPgSqlToJSON, through the schema's cache when it has
// one.
func (c *classifier) parsePL(sql string) (string, error) {
	if c.s.parses == nil {
		return pg.ParsePlPgSqlToJSON(sql)
	}
	return memo(c.s.parses.pl, sql, pg.ParsePlPgSqlToJSON)
}
