package dispatch

import (
	"errors"
	"time"

	"github.com/ownershipbot/ownershipbot/app/ghclient"
)

// permanentError marks an error that no retry can fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Permanent marks an error that no retry can fix, such as a payload that
// does not decode: the pool keeps the delivery as failed at once.
func Permanent(err error) error { return permanentError{err} }

// Classify tells the worker pool whether an error is permanent (a payload
// that does not decode, a request GitHub refuses for good) and, for rate
// limits, when to retry.
func Classify(err error) (permanent bool, retryAt time.Time) {
	var p permanentError
	if errors.As(err, &p) || ghclient.IsPermanent(err) {
		return true, time.Time{}
	}
	return false, ghclient.RetryAt(err, time.Now())
}

// ErrForget is returned by a handler whose work is done and must leave no
// trace, not even the delivery that asked for it (an uninstall that purged
// its installation): the pool deletes the delivery instead of keeping it
// as done.
var ErrForget = errors.New("done; the delivery is forgotten")
