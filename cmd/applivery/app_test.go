package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/applivery/applivery-go"
	"github.com/applivery/applivery-go/appliverytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryCommandHasItsOwnHelp(t *testing.T) {
	t.Parallel()
	for _, cmd := range registry {
		t.Run(cmd.words, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, nil, "", append(strings.Fields(cmd.words), "--help")...)
			require.Equal(t, 0, r.code, r.stderr)
			help := r.stdout
			assert.True(t, strings.HasPrefix(help, "Usage: applivery "+cmd.words+" "+cmd.args+"\n"), help)
			flags := cmd.flagSet(&cli{app: &app{}})
			cmd.setup(&cli{app: &app{}}, flags)
			flags.VisitAll(func(f *flag.Flag) {
				_, usage := flag.UnquoteUsage(f)
				assert.Regexp(t, `(?m)^  --`+f.Name+`\b`, help, "the flag --%s", f.Name)
				assert.Contains(t, strings.Join(strings.Fields(help), " "), usage, "the help text of --%s", f.Name)
			})
			for _, other := range registry {
				if other != cmd {
					assert.NotContains(t, help, "applivery "+other.words+" ", "only this command's usage")
				}
			}
			assert.Less(t, strings.Count(help, "\n"), 100, "a screen, not the whole tool's help")
			assert.Equal(t, help, runCLI(t, nil, nil, "", append([]string{"help"}, strings.Fields(cmd.words)...)...).stdout,
				`"applivery help WORDS" says the same`)
		})
	}
}

func TestGroupHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args       []string
		want, not  []string
		wantStatus int
	}{
		{args: []string{"android", "--help"}, want: []string{"android commands cancel", "android devices move"}},
		{args: []string{"android", "commands", "--help"}, want: []string{"android commands cancel", "android commands cancel-pending"},
			not: []string{"android devices"}},
		{args: []string{"help", "android", "devices"}, want: []string{"android devices list", "android devices get"},
			not: []string{"android commands"}},
		{args: []string{"android", "devices", "-h"}, want: []string{"android devices move"}, not: []string{"android commands"}},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, nil, "", tt.args...)
		assert.Equal(t, 0, r.code, "%v: %s", tt.args, r.stderr)
		for _, w := range tt.want {
			assert.Contains(t, r.stdout, "applivery "+w+" ", "%v", tt.args)
		}
		for _, n := range tt.not {
			assert.NotContains(t, r.stdout, "applivery "+n, "%v", tt.args)
		}
	}

	r := runCLI(t, nil, nil, "", "android", "commands")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `"applivery android commands" needs a command: try cancel, get, list, create, wait or cancel-pending`)
	r = runCLI(t, nil, nil, "", "help", "android", "phones")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `unknown command "android phones"`)
}

func TestAUsageErrorPointsAtTheCommandsHelp(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, nil, "", "android", "commands", "cancel", "--org")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `Run "applivery android commands cancel --help" for usage.`)
}

func TestVersionLine(t *testing.T) {
	t.Parallel()
	head := "applivery " + applivery.Version + " (applivery-go " + applivery.Version + ", " + runtime.Version()
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build information", nil, false, head + ")"},
		{"no VCS revision recorded", &debug.BuildInfo{}, true, head + ")"},
		{"a revision", &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "4f2a9c1"}, {Key: "vcs.modified", Value: "false"}}}, true,
			head + ", revision 4f2a9c1)"},
		{"a revision with local changes", &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "4f2a9c1"}, {Key: "vcs.modified", Value: "true"}}}, true,
			head + ", revision 4f2a9c1 with local changes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, versionLine(tt.info, tt.ok))
		})
	}
}

// TestNoLongFunctions keeps each function of the command line short enough
// to read at once: a verb's work goes into functions with names.
func TestNoLongFunctions(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			var body *ast.BlockStmt
			switch fn := n.(type) {
			case *ast.FuncDecl:
				body = fn.Body
			case *ast.FuncLit:
				body = fn.Body
			}
			if body != nil {
				lines := fset.Position(body.End()).Line - fset.Position(body.Pos()).Line - 1
				assert.LessOrEqual(t, lines, 80, "the function at %s", fset.Position(n.Pos()))
			}
			return true
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"android", "commands", "cancel", "--help"}} {
		r := runCLI(t, nil, nil, "", args...)
		assert.Equal(t, 0, r.code, "%v", args)
		assert.Contains(t, r.stdout, "Exit status:\n  0  success\n")
		assert.Contains(t, r.stdout, "\n  2  usage or validation error")
		for code := 3; code <= 8; code++ {
			assert.Contains(t, r.stdout, fmt.Sprintf("\n  %d  ", code))
		}
		assert.Contains(t, r.stdout, "APPLIVERY_API_KEY")
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"version", "--version", "-version"} {
		r := runCLI(t, nil, nil, "", arg)
		assert.Equal(t, 0, r.code)
		assert.Equal(t, "applivery "+applivery.Version+" (applivery-go "+applivery.Version+", "+runtime.Version()+")\n", r.stdout)
	}
}

func TestVerboseNeverShowsTheKey(t *testing.T) {
	t.Parallel()
	srv := newServer(t, device)
	srv.Script(appliverytest.EndpointCancel, appliverytest.Fault{Status: 503}, appliverytest.Fault{Drop: true})
	cmd := srv.AddCommand(org, device, applivery.Command{})
	r := runCLI(t, srv, nil, "", cancelArgs(cmd.ID, "--verbose")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "applivery: retrying")
	assert.NotContains(t, r.stderr, srv.APIKey)
	assert.NotContains(t, r.stderr, "Bearer")
	assert.Regexp(t, `msg="applivery: answer" operation=android.commands.cancel status=200 attempts=3 request_id=req_[0-9a-f]{16}`, r.stderr,
		"--verbose prints each answer's request ID, which a support ticket quotes")
}
