// Package inputerr marks errors as unusable input: the input a caller gave
// cannot be used as it is, and another try with the same input fails the
// same way. Such an error has a BadInput method that reports true (the CLI
// exits 2 on it), the convention every library package of sonic-release
// follows (with Refused for policy refusals). Packages with input errors of
// their own shape (tagging.InputError, …) implement BadInput themselves.
package inputerr

import "fmt"

// Error is an error marked as unusable input.
type Error struct{ err error }

func (e *Error) Error() string { return e.err.Error() }

// Unwrap returns the error that was marked.
func (e *Error) Unwrap() error { return e.err }

// BadInput reports that the input cannot be used.
func (e *Error) BadInput() bool { return true }

// New marks err as unusable input; nil stays nil.
func New(err error) error {
	if err == nil {
		return nil
	}
	return &Error{err}
}

// Errorf is New(fmt.Errorf(format, args...)).
func Errorf(format string, args ...any) error {
	return &Error{fmt.Errorf(format, args...)}
}
