package syntax

import "github.com/alecthomas/participle/v2/lexer"

// The AST mirrors the grammar of LANGUAGE.md §1–§4 and §10. Every node
// carries Pos and EndPos (filled by participle) so later stages can point
// at exact spans. Struct tags are the grammar.

// File is one .neural source file.
type File struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Items []*Item `parser:"@@*"`
}

// Item is a top-level declaration.
type Item struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Define   *Define   `parser:"  @@"`
	Network  *Network  `parser:"| @@"`
	Research *Research `parser:"| @@"`
}

// Ident is a name with its position.
type Ident struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name string `parser:"@Ident"`
}

// Define is a macro: `parser:"define Name(p1, p2) { layer… }"`.
type Define struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name      *Ident   `parser:"\"define\" @@"`
	HasParams bool     `parser:"( @\"(\""`
	Params    []*Ident `parser:"  ( @@ ( \",\" @@ )* \",\"? )? \")\" )?"`
	Body      []*Stmt  `parser:"\"{\" @@* \"}\""`
}

// Network is `parser:"network Name { section… }"`.
type Network struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name     *Ident     `parser:"\"network\" @@ \"{\""`
	Sections []*Section `parser:"@@* \"}\""`
}

// Research is `parser:"research Name { key { … } … }"`: metadata kept in the IR.
type Research struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name *Ident `parser:"\"research\" @@"`
	Body *Dict  `parser:"@@"`
}

// Section is one network section. `parser:"layers:"` has its own form because its
// statements run until the next section; every other section is a name and
// a value (`parser:"loss: \"mse\""`, `parser:"train { … }"`, `parser:"optimizer: \"Adam\" { … }"`).
type Section struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Layers  *LayersSection `parser:"  @@"`
	Generic *Generic       `parser:"| @@"`
}

// LayersSection is `parser:"layers: stmt…"` or the bracketed `parser:"layers: [a, b, ]"`.
type LayersSection struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Keyword   *Ident  `parser:"(?= \"layers\" \":\" ) @@ \":\""`
	Bracketed bool    `parser:"( @\"[\""`
	Listed    []*Stmt `parser:"  ( @@ ( \",\" @@ )* \",\"? )? \"]\""`
	Stmts     []*Stmt `parser:"| @@+ )"`
}

// Generic is any non-layers section.
type Generic struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name  *Ident `parser:"@@"`
	Colon bool   `parser:"@\":\"?"`
	Value *Expr  `parser:"@@"`
	Extra *Dict  `parser:"@@?"`
}

// Stmt is a statement in a layer body: a branch or a layer (or macro call).
type Stmt struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Branch *Branch `parser:"  @@"`
	Layer  *Layer  `parser:"| @@"`
}

// Branch is `parser:"name: { stmt… }"`: a branch over a named input, or a
// ResidualConnection's `parser:"shortcut: { … }"`.
type Branch struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name *Ident  `parser:"(?! ( \"input\" | \"layers\" | \"loss\" | \"optimizer\" | \"metrics\" | \"train\" | \"training\" | \"execute\" | \"execution\" | \"lr_schedule\" ) ( \":\" | \"{\" ) ) (?= Ident \":\" \"{\" ) @@ \":\""`
	Body []*Stmt `parser:"\"{\" @@* \"}\""`
}

// Layer is `parser:"Name(args) [@ device] [{ block }] [* N]"`.
type Layer struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name     *Ident  `parser:"(?! ( \"input\" | \"layers\" | \"loss\" | \"optimizer\" | \"metrics\" | \"train\" | \"training\" | \"execute\" | \"execution\" | \"lr_schedule\" ) ( \":\" | \"{\" ) ) (?! Ident \":\" ) @@"`
	HasArgs  bool    `parser:"( @\"(\""`
	Args     []*Arg  `parser:"  ( @@ ( \",\" @@ )* \",\"? )? \")\" )?"`
	Device   *Expr   `parser:"( \"@\" @@ )?"`
	HasBlock bool    `parser:"( @\"{\""`
	Block    []*Stmt `parser:"  @@* \"}\" )?"`
	Repeat   *Expr   `parser:"( \"*\" @@ )?"`
}

// Arg is a call argument: positional `parser:"32"`, named `parser:"filters=32"` or the old
// spelling `parser:"filters: 32"`.
type Arg struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name  *Ident `parser:"( (?= Ident ( \"=\" | \":\" ) ) @@ ( \"=\" | \":\" ) )?"`
	Value *Expr  `parser:"@@"`
}

// Expr is a sum of terms.
type Expr struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Left *Term     `parser:"@@"`
	Rest []*OpTerm `parser:"@@*"`
}

// OpTerm is `parser:"+ term"` or `parser:"- term"`.
type OpTerm struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Op   string `parser:"@( \"+\" | \"-\" )"`
	Term *Term  `parser:"@@"`
}

// Term is a product of unary expressions.
type Term struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Left *Unary     `parser:"@@"`
	Rest []*OpUnary `parser:"@@*"`
}

// OpUnary is `parser:"* unary"` or `parser:"/ unary"`.
type OpUnary struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Op    string `parser:"@( \"*\" | \"/\" )"`
	Unary *Unary `parser:"@@"`
}

// Unary is an optionally negated primary.
type Unary struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Neg     bool     `parser:"@( \"-\" )?"`
	Primary *Primary `parser:"@@"`
}

// Primary is an atom of an expression.
type Primary struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Float  *string `parser:"  @Float"`
	Int    *string `parser:"| @Int"`
	String *string `parser:"| @String"`
	Var    *string `parser:"| @Var"`
	Call   *Call   `parser:"| @@"`
	Ident  *string `parser:"| @Ident"`
	Paren  *Paren  `parser:"| @@"`
	List   *List   `parser:"| @@"`
	Dict   *Dict   `parser:"| @@"`
}

// Call is `parser:"Name(args)"`: a nested layer, an optimizer, a schedule, HPO(…).
type Call struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name *Ident `parser:"@@ \"(\""`
	Args []*Arg `parser:"( @@ ( \",\" @@ )* \",\"? )? \")\""`
}

// Paren is `parser:"(e)"` (grouping) or a tuple `parser:"(a, b)"`, `parser:"(a,)"`, `parser:"()"`.
type Paren struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Elems         []*Expr `parser:"\"(\" ( @@ ( \",\" @@ )*"`
	TrailingComma bool    `parser:"  @\",\"? )? \")\""`
}

// List is `parser:"[a, b, …]"`.
type List struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Elems []*Expr `parser:"\"[\" ( @@ ( \",\" @@ )* \",\"? )? \"]\""`
}

// Dict is `parser:"{ key: value … }"` with optional commas; a key may take a nested
// dict without a colon (`parser:"metrics { accuracy: 0.9 }"`).
type Dict struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Entries []*Entry `parser:"\"{\" ( @@ \",\"? )* \"}\""`
}

// Entry is one `parser:"key: value"` of a Dict.
type Entry struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Key   *Ident `parser:"@@"`
	Colon bool   `parser:"@\":\"?"`
	Value *Expr  `parser:"@@"`
}
