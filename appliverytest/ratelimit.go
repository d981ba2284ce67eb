package appliverytest

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimit plays the API's rate limiter: see SetRateLimit. Its zero value
// has no limit.
type rateLimit struct {
	// mu makes each call's reading of the tokens one step, so that no other
	// call's token comes between them.
	mu     sync.Mutex
	tokens *rate.Limiter // nil: no limit
	// waiting holds when the calls refused lately were told to come back,
	// those still to come: each was told a token of its own.
	waiting []time.Time
}

// SetRateLimit makes the server answer 429 with a Retry-After, before
// anything else, to calls beyond perSecond a second (burst at once), as the
// API's rate limiter would, so that a test can see its fleet job slow down
// rather than fail. A refused call takes no token.
//
// Retry-After is in whole seconds, at least 1, as HTTP has it; the answer
// also carries the precise wait in the Appliverytest-Retry-After header (a
// Go duration, such as "1.9ms"). A client of [Server.TestClient] honours
// that one instead: a test paced near the limit then waits milliseconds, not
// seconds, and passes. The precise wait is until the next token that no
// call refused before is still waiting for (up to 64 of them), so that calls
// refused together do not all come back for the same token.
//
// perSecond 0 turns the limit off; a negative or NaN perSecond, or a burst
// below 1 with a limit, panics.
func (s *rateLimit) SetRateLimit(perSecond float64, burst int) {
	var tokens *rate.Limiter
	switch {
	case perSecond == 0:
	case !(perSecond > 0):
		panic(fmt.Sprintf("appliverytest: SetRateLimit: perSecond %v must be 0 (off) or more", perSecond))
	case burst < 1:
		panic(fmt.Sprintf("appliverytest: SetRateLimit: burst %d must be 1 or more", burst))
	default:
		tokens = rate.NewLimiter(rate.Limit(perSecond), burst)
	}
	s.mu.Lock()
	s.tokens, s.waiting = tokens, nil
	s.mu.Unlock()
}

// preciseRetryAfterHeader carries, on a 429 of the rate limit, the precise
// wait, which Retry-After rounds up to whole seconds.
const preciseRetryAfterHeader = "Appliverytest-Retry-After"

// maxWaiting bounds the refused calls a rateLimit keeps a token for, so that
// a test that calls on and on without waiting does not push the waits it is
// told ever further.
const maxWaiting = 64

// limitCall answers 429 to a call beyond the limit, with the whole seconds
// and the precise wait of refuse, and reports whether it did; a call within
// the limit takes its token.
func (s *rateLimit) limitCall(w http.ResponseWriter) bool {
	wait, refused := s.refuse()
	if !refused {
		return false
	}
	w.Header().Set("Retry-After", strconv.FormatInt(max(1, int64(math.Ceil(wait.Seconds()))), 10))
	w.Header().Set(preciseRetryAfterHeader, wait.String())
	writeError(w, errRateLimited)
	return true
}

// refuse takes a token and reports false if one is there now. Otherwise it
// takes none and reports true, with how long until the first token not
// promised to a call refused before (at most maxWaiting of them), rounded up
// to the microsecond.
func (s *rateLimit) refuse() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		return 0, false
	}
	now := time.Now()
	if s.tokens.AllowN(now, 1) { // a refusal leaves the tokens as they were
		return 0, false
	}
	s.waiting = slices.DeleteFunc(s.waiting, func(at time.Time) bool { return !at.After(now) })
	ahead := len(s.waiting)
	micros := math.Ceil((float64(ahead+1) - s.tokens.TokensAt(now)) / float64(s.tokens.Limit()) * 1e6)
	if micros >= math.MaxInt64/float64(time.Microsecond) {
		return math.MaxInt64, true // centuries: a limit of almost nothing
	}
	wait := max(time.Duration(micros), 1) * time.Microsecond
	if len(s.waiting) < maxWaiting {
		s.waiting = append(s.waiting, now.Add(wait))
	}
	return wait, true
}
