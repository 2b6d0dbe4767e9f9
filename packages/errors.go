package packages

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Classes of problems. Every [Problem] wraps exactly one of them, so callers
// can test with errors.Is.
var (
	ErrYAML         = errors.New("bad YAML")
	ErrWrongType    = errors.New("wrong type")
	ErrEmptySpec    = errors.New("empty package spec")
	ErrInvalidSpec  = errors.New("invalid package spec")
	ErrDuplicateKey = errors.New("duplicate key")
	ErrReservedKey  = errors.New("misplaced reserved key")
	ErrUnknownKey   = errors.New("unknown key")
	ErrGroupKey     = errors.New("selector key used as group label")
	ErrTemplate     = errors.New("template error")
	// ErrConflictingPins: one package asked for in different versions by
	// different lists that apply to one target.
	ErrConflictingPins = errors.New("conflicting pins")
)

// Problem is one error found in a packages file, with its position.
type Problem struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	Kind   error
	Msg    string
	Err    error // underlying cause, if any
}

// Error returns "file:line:column: message", leaving out unknown parts of
// the position.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	return b.String()
}

// Unwrap returns the problem class and the underlying cause.
func (p *Problem) Unwrap() []error {
	if p.Err != nil {
		return []error{p.Kind, p.Err}
	}
	return []error{p.Kind}
}

// Errors is the list of problems returned by [Parse], [File.Validate] and
// [File.Select]. It prints one problem per line.
type Errors []*Problem

// Error joins the problems with newlines.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (e Errors) Unwrap() []error {
	errs := make([]error, len(e))
	for i, p := range e {
		errs[i] = p
	}
	return errs
}

// problems collects problems while walking a file.
type problems struct {
	list Errors
}

func (ps *problems) add(src Source, kind error, cause error, format string, args ...any) {
	ps.list = append(ps.list, &Problem{
		File:   src.File,
		Line:   src.Line,
		Column: src.Column,
		Kind:   kind,
		Msg:    fmt.Sprintf(format, args...),
		Err:    cause,
	})
}

// err returns the collected problems sorted by position, or nil.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	slices.SortStableFunc(ps.list, func(a, b *Problem) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
		)
	})
	return ps.list
}
