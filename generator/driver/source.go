package driver

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rules-neural/rules_neural/generator/diag"
	"github.com/rules-neural/rules_neural/generator/syntax"
)

// StdinPath is the command-line spelling of standard input.
const StdinPath = "-"

// StdinName names standard input in diagnostics.
const StdinName = "<stdin>"

// Source is the text of one input file.
type Source struct {
	// Name is the path as given on the command line (relative paths stay
	// relative, so diagnostics and generated headers do not depend on the
	// machine), or StdinName.
	Name string
	Text []byte
}

// Sources returns the source as the lookup table diag.Render quotes from.
func (s *Source) Sources() diag.Sources { return diag.Sources{s.Name: s.Text} }

// LoadFile reads path, or the process's standard input when path is "-".
func LoadFile(path string) (*Source, error) { return Read(path, os.Stdin) }

// Read reads path, or stdin when path is "-". Sources larger than the
// parser's limit are refused here, before they are read into memory in full.
// Errors are *os.PathError values naming the file.
func Read(path string, stdin io.Reader) (*Source, error) {
	if path == StdinPath {
		text, err := readLimited(stdin)
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: StdinName, Err: err}
		}
		return &Source{Name: StdinName, Text: text}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return nil, &os.PathError{Op: "read", Path: path, Err: errIsDir}
	}
	text, err := readLimited(f)
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	return &Source{Name: path, Text: text}, nil
}

var errIsDir = errors.New("is a directory")

func readLimited(r io.Reader) ([]byte, error) {
	text, err := io.ReadAll(io.LimitReader(r, syntax.MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(text) > syntax.MaxFileSize {
		return nil, fmt.Errorf("file is larger than the %d-byte (10 MiB) limit", syntax.MaxFileSize)
	}
	return text, nil
}
