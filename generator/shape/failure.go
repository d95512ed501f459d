package shape

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/ir"
)

// failure is a shape error found by a rule. It is built only on the error
// path, so rules stay free of fmt while shapes check out.
type failure struct {
	msg     string
	hint    string
	related []diag.Related
	// at is the node the error belongs to when it is not the node whose
	// rule returned it (a layer wrapped by TimeDistributed or Bidirectional).
	at *ir.Node
	// quiet marks a failure that follows from an error an earlier stage
	// reports (a required parameter sema could not bind, a wrapper without
	// its layer): it is reported only when the list holds no errors yet,
	// so a mistake gives one error, not two.
	quiet bool
}

func (f *failure) Error() string { return f.msg }

func fail(format string, args ...interface{}) *failure {
	return &failure{msg: fmt.Sprintf(format, args...)}
}

// consequence returns a quiet failure (see failure.quiet).
func consequence(format string, args ...interface{}) *failure {
	f := fail(format, args...)
	f.quiet = true
	return f
}

func (f *failure) withHint(format string, args ...interface{}) *failure {
	f.hint = fmt.Sprintf(format, args...)
	return f
}

func (f *failure) withRelated(span diag.Span, format string, args ...interface{}) *failure {
	f.related = append(f.related, diag.Related{Span: span, Message: fmt.Sprintf(format, args...)})
	return f
}

// asFailure turns any error a rule returns into a failure.
func asFailure(err error) *failure {
	if f, ok := err.(*failure); ok {
		return f
	}
	return &failure{msg: err.Error()}
}

// fmtShape prints a shape the way messages show it: (26, 26, 32), with None
// for an unknown dimension and no batch dimension.
func fmtShape(s ir.Shape) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		if d == ir.Unknown {
			b.WriteString("None")
		} else {
			b.WriteString(strconv.Itoa(d))
		}
	}
	b.WriteByte(')')
	return b.String()
}

// nodeRef names a node in a message: `conv2d_1` (Conv2D).
func nodeRef(n *ir.Node) string {
	if n == nil {
		return "an earlier layer"
	}
	if n.Type == "Input" || n.Type == "" {
		return "input `" + n.Name + "`"
	}
	return "`" + n.Name + "` (" + n.Type + ")"
}
