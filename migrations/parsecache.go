package migrations

import (
	"fmt"

	pg "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
	"google.golang.org/protobuf/encoding/protowire"
)

// parseCache keeps what PostgreSQL's parser and scanner made of each piece
// of SQL, so that a History parses every migration once however many
// releases it is judged against (two thirds of classifying a file is
// parsing and scanning it). The results are only read by the classifier,
// never changed. Not safe for concurrent use.
type parseCache struct {
	trees  map[string]result[*pg.ParseResult]
	tokens map[string]result[[]token]
	pl     map[string]result[string]
}

type result[T any] struct {
	v   T
	err error
}

func newParseCache() *parseCache {
	return &parseCache{
		trees:  map[string]result[*pg.ParseResult]{},
		tokens: map[string]result[[]token]{},
		pl:     map[string]result[string]{},
	}
}

// maxCachedFile is the largest migration file whose parse results the
// cache keeps: a History judges a file against several releases, but a
// huge file's trees would stay in memory for the whole history (tens of
// bytes of tree per byte of SQL), so a bigger file is parsed again each
// time instead.
const maxCachedFile = 1 << 20

// cache returns the schema's parse cache, or nil when there is none or the
// file is too big to cache.
func (c *classifier) cache() *parseCache {
	if len(c.src) > maxCachedFile {
		return nil
	}
	return c.s.parses
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
	pc := c.cache()
	if pc == nil {
		return pg.Parse(sql)
	}
	return memo(pc.trees, sql, pg.Parse)
}

// scanTokens is scanSQL, through the schema's cache when it has one.
func (c *classifier) scanTokens(sql string) ([]token, error) {
	pc := c.cache()
	if pc == nil {
		return scanSQL(sql)
	}
	return memo(pc.tokens, sql, scanSQL)
}

// token is one token of PostgreSQL's scanner: 12 bytes, where the
// pg.ScanToken protobuf message pg.Scan returns takes about ten times that
// (a 10 MB file holds two million tokens).
type token struct {
	start, end int32 // byte offsets in the scanned text
	kind       pg.Token
}

// scanSQL is pg.Scan decoded straight into tokens: it reads the scanner's
// protobuf ScanResult (field 2, repeated ScanToken: start 1, end 2, token 4)
// without building a message per token.
func scanSQL(sql string) ([]token, error) {
	b, err := pgparser.ScanToProtobuf(sql)
	if err != nil {
		return nil, err
	}
	toks := make([]token, 0, len(b)/16) // a token takes 12 to 20 bytes of protobuf
	err = fields(b, func(num protowire.Number, v uint64, msg []byte) error {
		if num != 2 || msg == nil {
			return nil
		}
		var t token
		err := fields(msg, func(num protowire.Number, v uint64, _ []byte) error {
			switch num {
			case 1:
				t.start = int32(v)
			case 2:
				t.end = int32(v)
			case 4:
				t.kind = pg.Token(v)
			}
			return nil
		})
		toks = append(toks, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the scanner's tokens: %w", err)
	}
	return toks, nil
}

// fields calls f with each field of the protobuf message b: its number and
// its value when a varint, its bytes when length-delimited (else nil).
func fields(b []byte, f func(num protowire.Number, v uint64, bytes []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v uint64
		var bytes []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			bytes, n = protowire.ConsumeBytes(b)
			if bytes == nil && n >= 0 {
				bytes = []byte{}
			}
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := f(num, v, bytes); err != nil {
			return err
		}
	}
	return nil
}

// parsePL is pg.ParsePlPgSqlToJSON, through the schema's cache when it has
// one.
func (c *classifier) parsePL(sql string) (string, error) {
	pc := c.cache()
	if pc == nil {
		return pg.ParsePlPgSqlToJSON(sql)
	}
	return memo(pc.pl, sql, pg.ParsePlPgSqlToJSON)
}
