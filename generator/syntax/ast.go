package syntax

import "github.com/alecthomas/participle/v2/lexer"

// The AST mirrors the grammar of LANGUAGE.md §1–§4 and §10. Every node
// carries Pos and EndPos (filled by participle) so later stages can point
// at exact spans. Struct tags are the grammar.

// File is one .neural source file.
type File struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Items []*Item `@@*`
}

// Item is a top-level declaration.
type Item struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Define   *Define   `  @@`
	Network  *Network  `| @@`
	Research *Research `| @@`
}

// Ident is a name with its position.
type Ident struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name string `@Ident`
}

// Define is a macro: `define Name(p1, p2) { layer… }`.
type Define struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name      *Ident   `"define" @@`
	HasParams bool     `( @"("`
	Params    []*Ident `  ( @@ ( "," @@ )* ","? )? ")" )?`
	Body      []*Stmt  `"{" @@* "}"`
}

// Network is `network Name { section… }`.
type Network struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name     *Ident     `"network" @@ "{"`
	Sections []*Section `@@* "}"`
}

// Research is `research Name { key { … } … }`: metadata kept in the IR.
type Research struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name *Ident `"research" @@`
	Body *Dict  `@@`
}

// Section is one network section. `layers:` has its own form because its
// statements run until the next section; every other section is a name and
// a value (`loss: "mse"`, `train { … }`, `optimizer: "Adam" { … }`).
type Section struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Layers  *LayersSection `  @@`
	Generic *Generic       `| @@`
}

// LayersSection is `layers: stmt…` or the bracketed `layers: [a, b, ]`.
type LayersSection struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Keyword   *Ident  `(?= "layers" ":" ) @@ ":"`
	Bracketed bool    `( @"["`
	Listed    []*Stmt `  ( @@ ( "," @@ )* ","? )? "]"`
	Stmts     []*Stmt `| @@+ )`
}

// Generic is any non-layers section.
type Generic struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name  *Ident `@@`
	Colon bool   `@":"?`
	Value *Expr  `@@`
	Extra *Dict  `@@?`
}

// Stmt is a statement in a layer body: a branch or a layer (or macro call).
type Stmt struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Branch *Branch `  @@`
	Layer  *Layer  `| @@`
}

// Branch is `name: { stmt… }`: a branch over a named input, or a
// ResidualConnection's `shortcut: { … }`.
type Branch struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name *Ident  `(?! ( "input" | "layers" | "loss" | "optimizer" | "metrics" | "train" | "training" | "execute" | "execution" | "lr_schedule" ) ( ":" | "{" ) ) @@ ":"`
	Body []*Stmt `"{" @@* "}"`
}

// Layer is `Name(args) [@ device] [{ block }] [* N]`.
type Layer struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name     *Ident  `(?! ( "input" | "layers" | "loss" | "optimizer" | "metrics" | "train" | "training" | "execute" | "execution" | "lr_schedule" ) ( ":" | "{" ) ) (?! Ident ":" ) @@`
	HasArgs  bool    `( @"("`
	Args     []*Arg  `  ( @@ ( "," @@ )* ","? )? ")" )?`
	Device   *Expr   `( "@" @@ )?`
	HasBlock bool    `( @"{"`
	Block    []*Stmt `  @@* "}" )?`
	Repeat   *Expr   `( "*" @@ )?`
}

// Arg is a call argument: positional `32`, named `filters=32` or the old
// spelling `filters: 32`.
type Arg struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name  *Ident `( (?= Ident ( "=" | ":" ) ) @@ ( "=" | ":" ) )?`
	Value *Expr  `@@`
}

// Expr is a sum of terms.
type Expr struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Left *Term     `@@`
	Rest []*OpTerm `@@*`
}

// OpTerm is `+ term` or `- term`.
type OpTerm struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Op   string `@( "+" | "-" )`
	Term *Term  `@@`
}

// Term is a product of unary expressions.
type Term struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Left *Unary     `@@`
	Rest []*OpUnary `@@*`
}

// OpUnary is `* unary` or `/ unary`.
type OpUnary struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Op    string `@( "*" | "/" )`
	Unary *Unary `@@`
}

// Unary is an optionally negated primary.
type Unary struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Neg     bool     `@( "-" )?`
	Primary *Primary `@@`
}

// Primary is an atom of an expression.
type Primary struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Float  *string `  @Float`
	Int    *string `| @Int`
	String *string `| @String`
	Var    *string `| @Var`
	Call   *Call   `| @@`
	Ident  *string `| @Ident`
	Paren  *Paren  `| @@`
	List   *List   `| @@`
	Dict   *Dict   `| @@`
}

// Call is `Name(args)`: a nested layer, an optimizer, a schedule, HPO(…).
type Call struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Name *Ident `@@ "("`
	Args []*Arg `( @@ ( "," @@ )* ","? )? ")"`
}

// Paren is `(e)` (grouping) or a tuple `(a, b)`, `(a,)`, `()`.
type Paren struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Elems         []*Expr `"(" ( @@ ( "," @@ )*`
	TrailingComma bool    `  @","? )? ")"`
}

// List is `[a, b, …]`.
type List struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Elems []*Expr `"[" ( @@ ( "," @@ )* ","? )? "]"`
}

// Dict is `{ key: value … }` with optional commas; a key may take a nested
// dict without a colon (`metrics { accuracy: 0.9 }`).
type Dict struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Entries []*Entry `"{" ( @@ ","? )* "}"`
}

// Entry is one `key: value` of a Dict.
type Entry struct {
	Pos    lexer.Position
	EndPos lexer.Position

	Key   *Ident `@@`
	Colon bool   `@":"?`
	Value *Expr  `@@`
}
