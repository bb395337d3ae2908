package migrations

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// do classifies a DO block: its body is parsed with PostgreSQL's PL/pgSQL
// parser and every SQL statement in it is classified as if it stood alone.
// Dynamic SQL (EXECUTE) cannot be seen and needs review.
func (c *classifier) do(st stmtCtx, ds *pg.DoStmt) {
	body, lang := "", "plpgsql"
	for _, a := range ds.GetArgs() {
		de := a.GetDefElem()
		switch de.GetDefname() {
		case "as":
			body = de.GetArg().GetString_().GetSval()
		case "language":
			lang = de.GetArg().GetString_().GetSval()
		}
	}
	if lang != "plpgsql" {
		c.add(st, Finding{Class: Other, Review: true, Reason: fmt.Sprintf("DO block in language %s: the analyser cannot see into it; read what it changes and check that the previous release still works after it", lang)})
		return
	}
	c.plpgsql(st, body, "DO block")
}

// plpgsql classifies the SQL statements of a PL/pgSQL body (a DO block's,
// or a called procedure's: what names it in reasons). Inner statements are
// on their own lines when the body is in st's text, else on st's line.
func (c *classifier) plpgsql(st stmtCtx, body, what string) {
	// The PL/pgSQL parser takes a function: wrap the body in one, with a
	// dollar-quote tag the body does not contain.
	tag := "$sonic$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$sonic%d$", i)
	}
	js, err := c.parsePL("CREATE FUNCTION sonic_do() RETURNS void LANGUAGE plpgsql AS " + tag + body + tag)
	if err != nil {
		c.add(st, Finding{Class: Other, Breaking: true, Level: LevelError, Reason: fmt.Sprintf("%s does not parse as PL/pgSQL (%s); judged breaking", what, err.Error())})
		return
	}
	var tree any
	if err := json.Unmarshal([]byte(js), &tree); err != nil {
		c.add(st, Finding{Class: Other, Review: true, Reason: fmt.Sprintf("%s: reading the PL/pgSQL parse tree: %v; read what it changes and check that the previous release still works after it", what, err)})
		return
	}
	var inner []plStmt
	walkPL(tree, &inner)
	sort.SliceStable(inner, func(i, j int) bool { return inner[i].lineno < inner[j].lineno })
	// Lines inside the body count from the line where the body starts.
	bodyLine, inText := st.line, false
	if i := strings.Index(st.text, body); i >= 0 && body != "" {
		bodyLine, inText = st.line+strings.Count(st.text[:i], "\n"), true
	}
	if len(inner) == 0 {
		c.add(st, Finding{Class: Other, Reason: what + " runs no SQL statement"})
		return
	}
	for _, s := range inner {
		line := bodyLine
		if inText {
			line += max(s.lineno, 1) - 1
		}
		ist := stmtCtx{offset: st.offset, line: line, text: clip(strings.TrimSpace(s.query))}
		if s.dynamic {
			c.add(ist, Finding{Class: Other, Review: true, Reason: "dynamic SQL (EXECUTE) in a " + what + ": the analyser cannot see the statement; read what it builds and check that the previous release still works after it"})
			continue
		}
		tree, err := c.parse(s.query)
		if err != nil {
			c.add(ist, Finding{Class: Other, Breaking: true, Level: LevelError, Reason: fmt.Sprintf("statement in a %s does not parse (%s); judged breaking", what, err.Error())})
			continue
		}
		for _, raw := range tree.GetStmts() {
			c.stmt(ist, raw.GetStmt())
		}
	}
}

type plStmt struct {
	lineno  int
	query   string
	dynamic bool
}

// walkPL collects the SQL statements of a PL/pgSQL parse tree (as JSON):
// PLpgSQL_stmt_execsql nodes, and the dynamic ones (EXECUTE, FOR … IN
// EXECUTE, OPEN … FOR EXECUTE), wherever they are nested.
func walkPL(v any, out *[]plStmt) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkPL(e, out)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e := x[k]
			m, _ := e.(map[string]any)
			switch k {
			case "PLpgSQL_stmt_execsql":
				*out = append(*out, plStmt{lineno: intOf(m["lineno"]), query: exprQuery(m["sqlstmt"])})
				continue
			case "PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_dynfors":
				*out = append(*out, plStmt{lineno: intOf(m["lineno"]), query: "EXECUTE " + exprQuery(m["query"]), dynamic: true})
				continue
			case "PLpgSQL_stmt_open":
				if q, ok := m["dynquery"]; ok {
					*out = append(*out, plStmt{lineno: intOf(m["lineno"]), query: "EXECUTE " + exprQuery(q), dynamic: true})
					continue
				}
			}
			walkPL(e, out)
		}
	}
}

func exprQuery(v any) string {
	m, _ := v.(map[string]any)
	e, _ := m["PLpgSQL_expr"].(map[string]any)
	q, _ := e["query"].(string)
	return q
}

func intOf(v any) int {
	f, _ := v.(float64)
	return int(f)
}
