package migrations

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// value is what an expression can be in a row the previous release
// writes: possibly NULL, possibly any non-NULL value, or one of a few known
// non-NULL values. A constant is one known value; an unknown is NULL or
// anything; a column of an enum the previous release had is one of its
// values. Only what is needed to judge a constraint on such a row is
// modelled: constants, comparisons, IN, IS [NOT] NULL, AND/OR/NOT,
// COALESCE, num_nulls / num_nonnulls and a few strict functions; anything
// else is unknown.
type value struct {
	null bool     // may be NULL
	any  bool     // may be any non-NULL value
	vals []scalar // the non-NULL values it may have besides (when not any)
}

// scalar is one non-NULL constant.
type scalar struct {
	kind byte // 's' string, 'n' number, 'b' boolean
	str  string
	num  *big.Rat
	b    bool
}

func (s scalar) String() string {
	switch s.kind {
	case 'n':
		return s.num.RatString()
	case 'b':
		return fmt.Sprint(s.b)
	}
	return "'" + s.str + "'"
}

var unknown = value{null: true, any: true}

func nullValue() value          { return value{null: true} }
func boolValue(b bool) value    { return value{vals: []scalar{{kind: 'b', b: b}}} }
func strValue(s string) value   { return value{vals: []scalar{{kind: 's', str: s}}} }
func numValue(n *big.Rat) value { return value{vals: []scalar{{kind: 'n', num: n}}} }

// isNull reports whether the value is NULL for sure.
func (v value) isNull() bool { return v.null && !v.any && len(v.vals) == 0 }

// constant returns the value's one non-NULL value, if it has exactly one.
func (v value) constant() (scalar, bool) {
	if v.null || v.any || len(v.vals) != 1 {
		return scalar{}, false
	}
	return v.vals[0], true
}

// String renders a value for a reason: "NULL", "'a'", "3".
func (v value) String() string {
	if c, ok := v.constant(); ok {
		return c.String()
	}
	if v.isNull() {
		return "NULL"
	}
	return "an unknown value"
}

func (v value) canBe(b bool) bool {
	if v.any {
		return true
	}
	for _, s := range v.vals {
		if s.kind != 'b' || s.b == b {
			return true
		}
	}
	return false
}

// passes reports whether a CHECK with this value holds for sure: it is
// never false (NULL and true pass).
func (v value) passes() bool { return !v.canBe(false) }

// excludes reports whether a partial index's WHERE with this value leaves
// the row out for sure: it is never true.
func (v value) excludes() bool { return !v.canBe(true) }

// union is a value that may be a or b.
func union(a, b value) value {
	u := value{null: a.null || b.null, any: a.any || b.any}
	if !u.any {
		u.vals = append(slices.Clone(a.vals), b.vals...)
	}
	return u
}

// env gives the value of a column in the row being judged.
type env func(column string) value

// constant evaluates an expression with no column (a default, a literal).
func constant(n *pg.Node) value {
	return eval(n, func(string) value { return unknown })
}

func eval(n *pg.Node, e env) value {
	switch {
	case n == nil:
		return unknown
	case n.GetAConst() != nil:
		return constValue(n.GetAConst())
	case n.GetTypeCast() != nil:
		return eval(n.GetTypeCast().GetArg(), e)
	case n.GetColumnRef() != nil:
		f := stringList(n.GetColumnRef().GetFields())
		if len(f) == 0 {
			return unknown
		}
		return e(f[len(f)-1])
	case n.GetNullTest() != nil:
		v := eval(n.GetNullTest().GetArg(), e)
		isNull := n.GetNullTest().GetNulltesttype() == pg.NullTestType_IS_NULL
		out := value{}
		if v.null {
			out = union(out, boolValue(isNull))
		}
		if v.any || len(v.vals) > 0 {
			out = union(out, boolValue(!isNull))
		}
		return out
	case n.GetBoolExpr() != nil:
		return evalBool(n.GetBoolExpr(), e)
	case n.GetAExpr() != nil:
		return evalAExpr(n.GetAExpr(), e)
	case n.GetCoalesceExpr() != nil:
		out := value{}
		for _, a := range n.GetCoalesceExpr().GetArgs() {
			v := eval(a, e)
			out = union(out, value{any: v.any, vals: v.vals})
			if !v.null {
				return out
			}
		}
		out.null = true
		return out
	case n.GetFuncCall() != nil:
		return evalFunc(n.GetFuncCall(), e)
	}
	return unknown
}

func constValue(c *pg.A_Const) value {
	switch {
	case c.GetIsnull():
		return nullValue()
	case c.GetIval() != nil:
		return numValue(new(big.Rat).SetInt64(int64(c.GetIval().GetIval())))
	case c.GetFval() != nil:
		if r, ok := new(big.Rat).SetString(c.GetFval().GetFval()); ok {
			return numValue(r)
		}
	case c.GetBoolval() != nil:
		return boolValue(c.GetBoolval().GetBoolval())
	case c.GetSval() != nil:
		return strValue(c.GetSval().GetSval())
	}
	return unknown
}

// outcomes lists what a boolean value may be: "t", "f", "n" (NULL).
func outcomes(v value) []byte {
	var out []byte
	if v.canBe(true) {
		out = append(out, 't')
	}
	if v.canBe(false) {
		out = append(out, 'f')
	}
	if v.null {
		out = append(out, 'n')
	}
	return out
}

func outcome(o byte) value {
	switch o {
	case 't':
		return boolValue(true)
	case 'f':
		return boolValue(false)
	}
	return nullValue()
}

// evalBool is SQL's three-valued AND, OR and NOT, over every outcome the
// operands may have.
func evalBool(b *pg.BoolExpr, e env) value {
	args := b.GetArgs()
	if len(args) == 0 {
		return unknown
	}
	if b.GetBoolop() == pg.BoolExprType_NOT_EXPR {
		out := value{}
		for _, o := range outcomes(eval(args[0], e)) {
			switch o {
			case 't':
				out = union(out, boolValue(false))
			case 'f':
				out = union(out, boolValue(true))
			default:
				out = union(out, nullValue())
			}
		}
		return out
	}
	and := b.GetBoolop() == pg.BoolExprType_AND_EXPR
	acc := outcomes(eval(args[0], e))
	for _, a := range args[1:] {
		next := outcomes(eval(a, e))
		var combined []byte
		for _, x := range acc {
			for _, y := range next {
				if r := and3(x, y, and); !slices.Contains(combined, r) {
					combined = append(combined, r)
				}
			}
		}
		acc = combined
	}
	out := value{}
	for _, o := range acc {
		out = union(out, outcome(o))
	}
	return out
}

// and3 is x AND y (or x OR y) in three-valued logic.
func and3(x, y byte, and bool) byte {
	win, lose := byte('f'), byte('t')
	if !and {
		win, lose = 't', 'f'
	}
	switch {
	case x == win || y == win:
		return win
	case x == 'n' || y == 'n':
		return 'n'
	}
	return lose
}

func evalAExpr(a *pg.A_Expr, e env) value {
	op := ""
	if names := stringList(a.GetName()); len(names) > 0 {
		op = names[len(names)-1]
	}
	switch a.GetKind() {
	case pg.A_Expr_Kind_AEXPR_OP:
		return compare(op, eval(a.GetLexpr(), e), eval(a.GetRexpr(), e))
	case pg.A_Expr_Kind_AEXPR_IN:
		// x IN (a, b) is x = a OR x = b; x NOT IN (…) is x <> a AND x <> b.
		var args []*pg.Node
		for _, item := range a.GetRexpr().GetList().GetItems() {
			args = append(args, pg.MakeAExprNode(pg.A_Expr_Kind_AEXPR_OP, []*pg.Node{pg.MakeStrNode(op)}, a.GetLexpr(), item, 0))
		}
		boolop := pg.BoolExprType_OR_EXPR
		if op == "<>" {
			boolop = pg.BoolExprType_AND_EXPR
		}
		return evalBool(&pg.BoolExpr{Boolop: boolop, Args: args}, e)
	}
	return unknown
}

// compare applies a comparison operator over every pair of values the
// operands may have; other operators are unknown, except that a NULL
// operand gives NULL (built-in operators are strict).
func compare(op string, l, r value) value {
	out := value{null: l.null || r.null}
	if l.isNull() || r.isNull() {
		return nullValue()
	}
	if l.any || r.any {
		out.any = true
		return out
	}
	for _, x := range l.vals {
		for _, y := range r.vals {
			res, ok := compare1(op, x, y)
			if !ok {
				out.any = true
				return out
			}
			out = union(out, boolValue(res))
		}
	}
	return out
}

func compare1(op string, x, y scalar) (bool, bool) {
	c, ok := order(x, y)
	if !ok {
		return false, false
	}
	switch op {
	case "=":
		return c == 0, true
	case "<>", "!=":
		return c != 0, true
	}
	if x.kind == 's' && y.kind == 's' {
		return false, false // string order depends on the collation
	}
	switch op {
	case "<":
		return c < 0, true
	case "<=":
		return c <= 0, true
	case ">":
		return c > 0, true
	case ">=":
		return c >= 0, true
	}
	return false, false
}

// order compares two constants of one kind; a string literal compared
// with a number is read as a number ('3' = 3).
func order(l, r scalar) (int, bool) {
	if l.kind == 's' && r.kind == 'n' {
		l, r = r, l
	}
	if l.kind == 'n' && r.kind == 's' {
		x, ok := new(big.Rat).SetString(strings.TrimSpace(r.str))
		if !ok {
			return 0, false
		}
		r = scalar{kind: 'n', num: x}
	}
	if l.kind != r.kind {
		return 0, false
	}
	switch l.kind {
	case 'n':
		return l.num.Cmp(r.num), true
	case 'b':
		switch {
		case l.b == r.b:
			return 0, true
		case r.b:
			return -1, true
		}
		return 1, true
	}
	return strings.Compare(l.str, r.str), true
}

// strictFuncs return NULL for a NULL argument (a few common ones; the
// others are unknown).
var strictFuncs = map[string]bool{
	"length": true, "char_length": true, "character_length": true, "octet_length": true,
	"lower": true, "upper": true, "btrim": true, "ltrim": true, "rtrim": true,
	"array_length": true, "cardinality": true, "jsonb_typeof": true, "json_typeof": true,
	"jsonb_array_length": true, "json_array_length": true, "abs": true,
}

func evalFunc(f *pg.FuncCall, e env) value {
	names := stringList(f.GetFuncname())
	if len(names) == 0 {
		return unknown
	}
	name := names[len(names)-1]
	switch {
	case name == "num_nulls" || name == "num_nonnulls":
		n := int64(0)
		for _, a := range f.GetArgs() {
			v := eval(a, e)
			isNull := v.isNull()
			if !isNull && v.null {
				return value{any: true} // a count is never NULL
			}
			if isNull == (name == "num_nulls") {
				n++
			}
		}
		return numValue(new(big.Rat).SetInt64(n))
	case strictFuncs[name]:
		out := value{any: true}
		for _, a := range f.GetArgs() {
			v := eval(a, e)
			if v.isNull() {
				return nullValue()
			}
			out.null = out.null || v.null
		}
		return out
	}
	return unknown
}

// columnsOf lists the columns an expression names (the last part of each
// column reference), in order, without repeats.
func columnsOf(n *pg.Node) []string {
	var out []string
	if n == nil {
		return nil
	}
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if !m.IsValid() {
			return
		}
		if cr, ok := m.Interface().(*pg.ColumnRef); ok {
			if f := stringList(cr.GetFields()); len(f) > 0 && !slices.Contains(out, f[len(f)-1]) {
				out = append(out, f[len(f)-1])
			}
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					walk(l.Get(i).Message())
				}
			case fd.Message() != nil && !fd.IsMap():
				walk(v.Message())
			}
			return true
		})
	}
	walk(n.ProtoReflect())
	return out
}

// conjuncts splits a WHERE into its top-level AND terms, each normalised
// by exprKey; nil for no WHERE.
func conjuncts(n *pg.Node) []string {
	if n == nil {
		return nil
	}
	if b := n.GetBoolExpr(); b != nil && b.GetBoolop() == pg.BoolExprType_AND_EXPR {
		var out []string
		for _, a := range b.GetArgs() {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []string{exprKey(n)}
}

// exprKey is a canonical text of an expression: its parse tree without
// source locations, with column references reduced to the column's name
// ("t"."c" and c are the same column of the table being judged).
func exprKey(n *pg.Node) string {
	m := proto.Clone(n).(*pg.Node)
	var clean func(protoreflect.Message)
	clean = func(m protoreflect.Message) {
		if cr, ok := m.Interface().(*pg.ColumnRef); ok {
			if f := cr.GetFields(); len(f) > 1 {
				cr.Fields = f[len(f)-1:]
			}
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.Name() == "location":
				m.Clear(fd)
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					clean(l.Get(i).Message())
				}
			case fd.Message() != nil && !fd.IsMap():
				clean(v.Message())
			}
			return true
		})
	}
	clean(m.ProtoReflect())
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return fmt.Sprint(m)
	}
	return string(b)
}
