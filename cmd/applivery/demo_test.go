package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoServesEveryVerb(t *testing.T) {
	t.Parallel()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out, w := io.Pipe()
	var stderr strings.Builder
	done := make(chan int)
	go func() {
		a := &app{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: w, stderr: &stderr,
			demoDelay: 20 * time.Millisecond}
		done <- a.run(ctx, []string{"demo"})
		w.Close()
	}()

	// Read the instructions up to the line that says the demo serves.
	lines := bufio.NewScanner(out)
	env := map[string]string{}
	var commands [][]string
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if vars, ok := strings.CutPrefix(line, "export "); ok {
			for _, kv := range strings.Fields(vars) {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
		}
		if args, ok := strings.CutPrefix(line, "applivery "); ok {
			commands = append(commands, strings.Fields(args))
		}
		if strings.HasPrefix(line, "Serving until interrupted") {
			break
		}
	}
	rest := make(chan string)
	go func() { b, _ := io.ReadAll(out); rest <- string(b) }()
	require.Contains(t, env, "APPLIVERY_BASE_URL")
	require.Contains(t, env, "APPLIVERY_API_KEY")
	require.Len(t, commands, 15, "devices list, get and move; commands list, get, cancel, create --wait; two fleet runs over the lost devices and one over a site; a find by serial, the Apple devices and an Apple lock; the users and a token for one")

	environment := []string{"APPLIVERY_BASE_URL=" + env["APPLIVERY_BASE_URL"], "APPLIVERY_API_KEY=" + env["APPLIVERY_API_KEY"]}
	outputs := map[string]string{}
	for _, args := range commands {
		r := runCLI(t, nil, environment, "", args...)
		assert.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		assert.NotEmpty(t, r.stdout, "%v", args)
		outputs[strings.Join(args, " ")] = r.stdout
	}
	for cmd, out := range outputs {
		switch {
		case strings.Contains(cmd, "android devices list"):
			assert.Equal(t, 13, strings.Count(out, "\n"), "the devices of berlin, the featured one included: %s", out)
		case strings.Contains(cmd, "--dry-run"):
			assert.Equal(t, 4, strings.Count(out, "\twould cancel 1: "), "the four lost devices, one pending command each: %s", out)
		case strings.Contains(cmd, "--tag lost --output json"):
			assert.Equal(t, 4, strings.Count(out, `"ok":true,"canceled":["`), "the four lost devices: %s", out)
		case strings.Contains(cmd, "--tag madrid"):
			assert.Equal(t, 12, strings.Count(out, "\tok\tcommand "), "every device of madrid: %s", out)
			assert.Equal(t, 12, strings.Count(out, " LOCK DONE"), "each applied its lock: %s", out)
		case strings.Contains(cmd, "devices find"):
			assert.Contains(t, out, "apple", "found across platforms: %s", out)
		case strings.Contains(cmd, "apple devices list"):
			assert.Equal(t, 3, strings.Count(out, "\n"), "the three Apple devices: %s", out)
		case strings.Contains(cmd, "users list"):
			assert.Equal(t, 3, strings.Count(out, "@acme.example\t"), "the three users: %s", out)
		case strings.Contains(cmd, "enrollment-tokens create"):
			assert.Contains(t, out, "\tPENDING\t", "a token: %s", out)
		case strings.Contains(cmd, "REBOOT --wait"):
			assert.Contains(t, out, "\tREBOOT\tDONE\t", "an online device applies it")
		}
	}
	r := runCLI(t, nil, environment, "", "android", "commands", "list", "--org", demoOrg, "--device", demoDevice)
	assert.Equal(t, 4, strings.Count(r.stdout, "\n"), "the four seeded commands: %s", r.stdout)
	assert.Equal(t, 1, strings.Count(r.stdout, "\tLOCK\tCANCEL\t"), "the LOCK was canceled: %s", r.stdout)
	assert.Equal(t, 1, strings.Count(r.stdout, "\tREBOOT\tCANCEL\t"), "the REBOOT, by cancel-pending: %s", r.stdout)

	stop() // Ctrl-C
	assert.Equal(t, 0, <-done)
	assert.Equal(t, "Stopped.\n", <-rest)
	assert.Empty(t, stderr.String())
}

func TestDemoTakesNoArguments(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, nil, "", "demo", "--port", "80")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, `demo takes no arguments, got "--port 80"`)

	r = runCLI(t, nil, nil, "", "demo", "--help")
	assert.Equal(t, 0, r.code, "help is no error: %s", r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "Usage: applivery demo\n"), r.stdout)
}
