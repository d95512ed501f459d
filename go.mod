module github.com/rules-neural/rules_neural

go 1.19

require github.com/alecthomas/participle/v2 v2.1.1
