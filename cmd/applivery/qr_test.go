package main

import (
	"bytes"
	"errors"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/skip2/go-qrcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// androidProvisioning is an Android enrollment token's provisioning payload
// as the API gives it.
const androidProvisioning = `{"android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME":"com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver","android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM":"I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg","android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION":"https://play.google.com/managed/downloadManagingApp?identifier=setup","android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE":{"com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN":"ABCDEFGHIJKLMNOPQRST"}}`

// randomBytes are n bytes of every value, invalid UTF-8 among them, the
// same on every run.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// qrPayloads are payloads a QR code holds, by name.
func qrPayloads() map[string][]byte {
	return map[string][]byte{
		"android provisioning JSON": []byte(androidProvisioning),
		"short URL":                 []byte("https://applivery.io/e/x7Kq"),
		"non-ASCII UTF-8":           []byte(`{"name":"Ñandú — 日本語 ✓ 🙂","city":"Málaga"}`),
		"digits, capitals and bytes": []byte("0123456789012345678901234567890123456789ABCDEFGHIJKLMNOPQRSTUV" +
			"WXYZ $%*+-./:ABCDEF and lower case 9876543210987654321"),
		"every byte value":           randomBytes(300),
		"1 byte":                     {0},
		"the most bytes of any kind": randomBytes(qrMaxBytes),
	}
}

// decodeQRPNG reads the QR code in a PNG and returns its payload's bytes.
func decodeQRPNG(t *testing.T, data []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	// ISO-8859-1 maps each byte to the rune of the same value: the text
	// gives the bytes back exactly, whatever they are, where a guess of
	// UTF-8 or Shift_JIS would change some.
	//
	// PURE_BARCODE: the PNG is the code alone, square to the pixels, and
	// the decoder reads each module at its centre. Without it gozxing's
	// finder pattern search stops at the first three it finds, and in the
	// Android payload's code (version 18) a finder-like pattern among the
	// data comes before the real bottom-left one.
	hints := map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_CHARACTER_SET: "ISO-8859-1",
		gozxing.DecodeHintType_PURE_BARCODE:  true,
	}
	result, err := gozxingqr.NewQRCodeReader().Decode(bmp, hints)
	require.NoError(t, err)
	text := result.GetText()
	payload := make([]byte, 0, len(text))
	for _, r := range text {
		require.Less(t, r, rune(256), "a rune of ISO-8859-1")
		payload = append(payload, byte(r))
	}
	return payload
}

// TestWriteQRPNGRoundTrip reads each payload back from its PNG, byte for
// byte, and finds the quiet zone and the size of a module.
func TestWriteQRPNGRoundTrip(t *testing.T) {
	t.Parallel()
	for name, payload := range qrPayloads() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, writeQRPNG(&buf, payload))
			assert.Equal(t, payload, decodeQRPNG(t, buf.Bytes()))

			modules, err := qrModules(payload)
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			side := len(modules) * qrModulePixels
			assert.Equal(t, side, img.Bounds().Dx())
			assert.Equal(t, side, img.Bounds().Dy())
			// The quiet zone: 4 light modules on every side.
			for _, p := range [][2]int{{0, 0}, {4*qrModulePixels - 1, side / 2}, {side - 1, side - 1}, {side / 2, side - 1}} {
				_, _, b, _ := img.At(p[0], p[1]).RGBA()
				assert.Equal(t, uint32(0xffff), b, "the pixel at %v is white", p)
			}
		})
	}
}

// TestQRPayloadTooLong: a payload a QR code cannot hold is an error that
// says how long it is and what fits, from each writer, and creates no file;
// an empty one is an error too.
func TestQRPayloadTooLong(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		payload []byte
		want    []string
	}{
		"one byte too many": {randomBytes(qrMaxBytes + 1), []string{"the payload is 2332 bytes", "the 2331 a QR code holds"}},
		"far too long": {
			bytes.Repeat([]byte(androidProvisioning), 10),
			[]string{"the payload is " + strconv.Itoa(10*len(androidProvisioning)) + " bytes", "the 2331 a QR code holds"},
		},
		"empty": {nil, []string{"the payload is empty"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var buf bytes.Buffer
			errs := []error{writeQRPNG(&buf, tc.payload), printQRTerminal(&buf, tc.payload),
				writeQRFile(filepath.Join(dir, "code.png"), tc.payload)}
			for _, err := range errs {
				require.Error(t, err)
				for _, w := range tc.want {
					assert.Contains(t, err.Error(), w)
				}
			}
			assert.Zero(t, buf.Len(), "nothing written")
			assertFiles(t, dir)
		})
	}
}

// assertFiles checks that dir holds the files named and nothing else: no
// temporary file is left behind.
func assertFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	got := []string{}
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, append([]string{}, names...), got)
}

// TestWriteQRFile: the file is the whole PNG or nothing, and no temporary
// file stays.
func TestWriteQRFile(t *testing.T) {
	t.Parallel()
	t.Run("writes a PNG that decodes, 0644", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "user@example.com.png")
		require.NoError(t, writeQRFile(path, []byte(androidProvisioning)))
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, []byte(androidProvisioning), decodeQRPNG(t, data))
		if runtime.GOOS != "windows" {
			info, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
		}
		assertFiles(t, dir, "user@example.com.png")
	})
	t.Run("replaces a file there", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "code.png")
		require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
		require.NoError(t, writeQRFile(path, []byte("https://applivery.io/e/x7Kq")))
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, []byte("https://applivery.io/e/x7Kq"), decodeQRPNG(t, data))
		assertFiles(t, dir, "code.png")
	})
	t.Run("a missing directory: an error and no file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		err := writeQRFile(filepath.Join(dir, "missing", "code.png"), []byte(androidProvisioning))
		require.Error(t, err)
		assert.ErrorIs(t, err, os.ErrNotExist)
		assertFiles(t, dir)
	})
	t.Run("a directory in the way: an error and no temporary file left", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(dir, "code.png"), 0o755))
		require.Error(t, writeQRFile(filepath.Join(dir, "code.png"), []byte(androidProvisioning)))
		assertFiles(t, dir, "code.png")
		info, err := os.Stat(filepath.Join(dir, "code.png"))
		require.NoError(t, err)
		assert.True(t, info.IsDir(), "left as it was")
	})
}

// errWriter fails every write.
type errWriter struct{}

// Write fails.
func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestQRWriteErrors: a failed write is an error.
func TestQRWriteErrors(t *testing.T) {
	t.Parallel()
	for name, write := range map[string]func() error{
		"PNG":      func() error { return writeQRPNG(errWriter{}, []byte(androidProvisioning)) },
		"terminal": func() error { return printQRTerminal(errWriter{}, []byte(androidProvisioning)) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.ErrorContains(t, write(), "disk full")
		})
	}
}

// readHalfBlocks turns printQRTerminal's lines back into modules, true for
// dark, two rows a line: a block, or its half, is light.
func readHalfBlocks(t *testing.T, out string) [][]bool {
	t.Helper()
	require.True(t, strings.HasSuffix(out, "\n"), "ends with a newline")
	var rows [][]bool
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var top, bottom []bool
		for _, r := range line {
			require.Contains(t, []rune{'█', '▀', '▄', ' '}, r)
			top = append(top, r != '█' && r != '▀')
			bottom = append(bottom, r != '█' && r != '▄')
		}
		rows = append(rows, top, bottom)
	}
	return rows
}

// TestPrintQRTerminal reads the half blocks back into modules and compares
// them with the library's own: a ▀ taken for a ▄ fails.
func TestPrintQRTerminal(t *testing.T) {
	t.Parallel()
	for name, payload := range qrPayloads() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, printQRTerminal(&buf, payload))
			out := buf.String()

			code, err := qrcode.New(string(payload), qrcode.Medium)
			require.NoError(t, err)
			want := code.Bitmap()
			side := len(want)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			require.Len(t, lines, (side+1)/2, "two rows a line")
			for i, line := range lines {
				assert.Equal(t, side, utf8.RuneCountInString(line), "the width of line %d", i)
				assert.True(t, strings.HasPrefix(line, "████") && strings.HasSuffix(line, "████"), "the quiet zone on the sides of line %d", i)
			}
			quiet := strings.Repeat("█", side)
			for _, i := range []int{0, 1, len(lines) - 2, len(lines) - 1} {
				assert.Equal(t, quiet, lines[i], "the quiet zone in line %d", i)
			}

			got := readHalfBlocks(t, out)
			// The side is odd: the last line's lower half is a light row
			// added to make the pairs.
			assert.Equal(t, make([]bool, side), got[side], "the added row is light")
			assert.Equal(t, want, got[:side])
		})
	}
}

// TestQRHalfBlock: a block, or the half of one, is a light module.
func TestQRHalfBlock(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		top, bottom bool
		want        string
	}{
		"both light":   {true, true, "█"},
		"top light":    {true, false, "▀"},
		"bottom light": {false, true, "▄"},
		"both dark":    {false, false, " "},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, qrHalfBlock(tc.top, tc.bottom))
		})
	}
}

// TestQRTarget: "--qr -" draws in a terminal and is a usage error anywhere
// else; any other value is a file.
func TestQRTarget(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		flag     string
		terminal bool
		want     qrKind
		err      string
	}{
		"no --qr":                       {"", true, qrNone, ""},
		"- to a terminal":               {"-", true, qrTerminal, ""},
		"- to a pipe or a file":         {"-", false, qrNone, "--qr -: stdout is not a terminal"},
		"a path, stdout a terminal":     {"code.png", true, qrFile, ""},
		"a path, stdout not a terminal": {"out/code.png", false, qrFile, ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			kind, err := qrTarget(tc.flag, tc.terminal)
			assert.Equal(t, tc.want, kind)
			if tc.err == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
			assert.Contains(t, err.Error(), "--qr FILE.png")
			assert.Equal(t, exitUsage, exitStatus(err), "a usage error")
		})
	}
}

// TestIsTerminal: what stdout is redirected to, a file or a pipe, is not a
// terminal, so --qr - is refused there.
func TestIsTerminal(t *testing.T) {
	t.Parallel()
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f), "a file")

	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.False(t, isTerminal(w), "a pipe")
}
