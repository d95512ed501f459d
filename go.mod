module github.com/rules-neural/rules_neural

go 1.19

require github.com/alecthomas/participle/v2 v2.1.1

require github.com/bazelbuild/buildtools v0.0.0-20221004120235-7186f635531b
