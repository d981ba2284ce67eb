package applivery

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientRejectsBadKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  string
	}{
		{"empty", ""},
		{"leading space", " " + testKey},
		{"trailing newline", testKey + "\n"},
		{"inner space", "sk_test 2f8b"},
		{"tab", "sk\ttest"},
		{"carriage return", "sk\rtest"},
		{"nul", "sk\x00test"},
		{"delete", "sk\x7ftest"},
		{"non-ascii", "sk_tést"},
		{"non-breaking space", "sk\u00a0test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.key)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrInvalidArgument)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "apiKey", ve.Field)
			assert.Empty(t, ve.Value, "the key must not be kept in the error")
			if tt.key != "" {
				assert.NotContains(t, err.Error(), strings.TrimSpace(tt.key))
			}
		})
	}
}

func TestWithBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		give string
		want string // the normalized base URL; "" when refused
	}{
		{"https://api.applivery.io/v1/", "https://api.applivery.io/v1/"},
		{"https://api.applivery.io/v1", "https://api.applivery.io/v1/"},
		{"https://proxy.example/applivery/v1", "https://proxy.example/applivery/v1/"},
		{"https://api.example", "https://api.example/"},
		{"http://localhost:8080/v1", "http://localhost:8080/v1/"},
		{"http://LOCALHOST/v1", "http://LOCALHOST/v1/"},
		{"http://127.0.0.1:1/v1", "http://127.0.0.1:1/v1/"},
		{"http://127.9.8.7/v1", "http://127.9.8.7/v1/"},
		{"http://[::1]:9000/v1", "http://[::1]:9000/v1/"},

		{"http://api.applivery.io/v1", ""},
		{"http://localhost.evil.example/v1", ""},
		{"http://127.0.0.1.nip.io/v1", ""},
		{"http://10.0.0.1/v1", ""},
		{"ftp://api.applivery.io/v1", ""},
		{"api.applivery.io/v1", ""},
		{"/v1", ""},
		{"", ""},
		{"https://", ""},
		{"https://api.applivery.io/v1?debug=1", ""},
		{"https://api.applivery.io/v1?", ""},
		{"https://api.applivery.io/v1#x", ""},
		{"https://user:hunter2@api.applivery.io/v1", ""},
		{"https://svc:hunter2@api.applivery.io:44x/v1", ""}, // does not parse
		{"https://svc:hun/ter2@api.applivery.io/v1", ""},    // a slash in the password
		{"https://svc:hunter2@api.applivery.io/v1?x#y", ""}, // and a query
		{"svc:hunter2@api.applivery.io/v1", ""},             // no scheme
		{"http://svc:hunter2@10.0.0.1/v1", ""},              // refused for plain http
		{"https://hunter2@api.applivery.io/v1", ""},         // a user name alone
		{"https://svc:hunter2%zz@api.applivery.io/v1", ""},  // a bad escape
		{"https://svc:hunter2@@api.applivery.io/v1", ""},    // two @
		{"https://api.applivery.io/%zz", ""},
		{"https://api.applivery.io/v1\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(testKey, WithBaseURL(tt.give))
			if tt.want == "" {
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "baseURL", ve.Field)
				assert.ErrorIs(t, err, ErrInvalidArgument)
				assert.NotContains(t, err.Error(), "hunter2")
				assert.NotContains(t, err.Error(), "hun/", "no part of the userinfo")
				assert.NotContains(t, err.Error(), "svc", "not even the user name")
				assert.NotContains(t, fmt.Sprintf("%#v", err), "hunter2")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.core.baseURL)
			assert.True(t, strings.HasSuffix(c.core.baseURL, c.core.basePath), "pathOf slices the path from the URL")
		})
	}
}

func TestBaseURLErrorsNeverQuoteUserinfo(t *testing.T) {
	t.Parallel()
	_, err := NewClient(testKey, WithBaseURL("https://svc:hunter2@api.applivery.io:44x/v1"))
	assert.EqualError(t, err, `applivery: invalid baseURL "https://[REDACTED]@api.applivery.io:44x/v1": not a URL`)
	_, err = NewClient(testKey, WithBaseURL("https://svc:hunter2@api.applivery.io/v1"))
	assert.EqualError(t, err, `applivery: invalid baseURL "https://[REDACTED]@api.applivery.io/v1": `+
		`must not contain credentials: the API key is sent as a bearer token`)
	assert.Equal(t, "https://api.applivery.io/v1", withoutUserinfo("https://api.applivery.io/v1"))
}

func TestOptionValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opt       Option
		wantField string // "" when accepted
	}{
		{"max retries zero", WithMaxRetries(0), ""},
		{"max retries negative", WithMaxRetries(-1), "maxRetries"},
		{"retry wait ok", WithRetryWait(time.Millisecond, time.Second), ""},
		{"retry wait equal bounds", WithRetryWait(time.Second, time.Second), ""},
		{"retry wait zero min", WithRetryWait(0, time.Second), "min"},
		{"retry wait negative min", WithRetryWait(-time.Second, time.Second), "min"},
		{"retry wait max below min", WithRetryWait(2*time.Second, time.Second), "max"},
		{"attempt timeout zero disables", WithAttemptTimeout(0), ""},
		{"attempt timeout negative", WithAttemptTimeout(-time.Second), "attemptTimeout"},
		{"user agent", WithUserAgent("fleet-sync/2.1 (+https://example.com)"), ""},
		{"user agent empty", WithUserAgent(""), ""},
		{"user agent with newline", WithUserAgent("x\r\nX-Evil: 1"), "product"},
		{"user agent with tab", WithUserAgent("x\ty"), "product"},
		{"nil logger", WithLogger(nil), ""},
		{"nil http client", WithHTTPClient(nil), ""},
		{"nil option", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(testKey, tt.opt)
			if tt.wantField == "" {
				require.NoError(t, err)
				assert.NotNil(t, c.AndroidCommands)
				return
			}
			assert.Nil(t, c)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidArgument)
		})
	}
}

func TestDefaultBaseURL(t *testing.T) {
	t.Parallel()
	c, err := NewClient(testKey)
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.core.baseURL)
	assert.Equal(t, "/v1/", c.core.basePath)
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	c, err := NewClient(testKey)
	require.NoError(t, err)
	assert.Equal(t, "applivery-go/"+Version, c.core.secret.headers.Get("User-Agent"))

	c, err = NewClient(testKey, WithUserAgent("fleet-sync/2.1"), WithUserAgent("later/1.0"))
	require.NoError(t, err)
	assert.Equal(t, "later/1.0 applivery-go/"+Version, c.core.secret.headers.Get("User-Agent"))
	assert.Equal(t, "later/1.0 applivery-go/"+Version, c.core.secret.jsonHeaders.Get("User-Agent"))
}

func TestClientFormattingNeverShowsKey(t *testing.T) {
	t.Parallel()
	c, err := NewClient(testKey,
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		WithHTTPClient(&http.Client{Timeout: time.Second}),
		WithUserAgent("x/1"))
	require.NoError(t, err)
	type exported struct{ C Client }
	type unexported struct {
		c  Client
		cp *Client
	}
	values := map[string]any{
		"pointer":               c,
		"value":                 *c,
		"service":               c.AndroidCommands,
		"service value":         *c.AndroidCommands,
		"in a struct":           exported{*c},
		"unexported in struct":  unexported{*c, c},
		"pointer to the struct": &unexported{*c, c},
		"in a slice":            []Client{*c},
		"in a map":              map[string]*Client{"k": c},
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%p"} {
		for name, v := range values {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, testKey, "%s of the %s", verb, name)
			assert.NotContains(t, out, fmt.Sprintf("%x", testKey), "%s of the %s", verb, name)
			assert.NotContains(t, strings.ToLower(out), strings.ToLower(fmt.Sprintf("%X", testKey)), "%s of the %s", verb, name)
		}
	}
}

func TestWithHTTPClientIsNotMutated(t *testing.T) {
	t.Parallel()
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 500, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
	})
	hc := &http.Client{Transport: rt, Timeout: 3 * time.Second}
	c, err := NewClient(testKey, WithHTTPClient(hc), WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.AndroidCommands.Cancel(context.Background(), validOrg, validDevice, validCommand)
	require.Error(t, err)

	assert.Nil(t, hc.CheckRedirect, "CheckRedirect of the caller's client")
	assert.Equal(t, 3*time.Second, hc.Timeout)
	_, same := hc.Transport.(roundTripFunc)
	assert.True(t, same, "Transport of the caller's client")
}

func TestNewClientFromEnv(t *testing.T) {
	// t.Setenv: not parallel.
	t.Run("missing key", func(t *testing.T) {
		t.Setenv("APPLIVERY_API_KEY", "")
		_, err := NewClientFromEnv()
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "APPLIVERY_API_KEY", ve.Field)
		assert.ErrorIs(t, err, ErrInvalidArgument)
	})
	t.Run("key with a newline", func(t *testing.T) {
		t.Setenv("APPLIVERY_API_KEY", testKey+"\n")
		_, err := NewClientFromEnv()
		assert.ErrorIs(t, err, ErrInvalidArgument)
		assert.NotContains(t, err.Error(), testKey)
	})
	t.Run("key and base url", func(t *testing.T) {
		t.Setenv("APPLIVERY_API_KEY", testKey)
		t.Setenv("APPLIVERY_BASE_URL", "http://127.0.0.1:9/custom")
		c, err := NewClientFromEnv()
		require.NoError(t, err)
		assert.Equal(t, "http://127.0.0.1:9/custom/", c.core.baseURL)
		assert.Equal(t, "Bearer "+testKey, c.core.secret.headers.Get("Authorization"))
	})
	t.Run("explicit option wins over the environment", func(t *testing.T) {
		t.Setenv("APPLIVERY_API_KEY", testKey)
		t.Setenv("APPLIVERY_BASE_URL", "http://127.0.0.1:9/env")
		c, err := NewClientFromEnv(WithBaseURL("https://api.example/explicit"))
		require.NoError(t, err)
		assert.Equal(t, "https://api.example/explicit/", c.core.baseURL)
	})
	t.Run("invalid base url in the environment", func(t *testing.T) {
		t.Setenv("APPLIVERY_API_KEY", testKey)
		t.Setenv("APPLIVERY_BASE_URL", "http://api.example/v1")
		_, err := NewClientFromEnv()
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "baseURL", ve.Field)
	})
	t.Run("default base url", func(t *testing.T) {
		t.Setenv("APPLIVERY_API_KEY", testKey)
		t.Setenv("APPLIVERY_BASE_URL", "")
		c, err := NewClientFromEnv()
		require.NoError(t, err)
		assert.Equal(t, DefaultBaseURL, c.core.baseURL)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
