package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/skip2/go-qrcode"
)

// The QR codes of enrollment tokens: their provisioning payload as a PNG file
// (--qr FILE.png, --qr-dir DIR) or in the terminal (--qr -).

const (
	// qrLevel is the error correction level: Medium restores up to 15% of
	// the code, enough for a photo of a screen, and leaves room for the
	// payload (Android's provisioning JSON is 300 to 700 bytes).
	qrLevel = qrcode.Medium
	// qrMaxBytes is the most bytes of any kind a QR code holds at level M
	// (version 40, byte mode). Digits and upper-case letters pack tighter,
	// so some longer payloads fit; none of more bytes is promised to.
	qrMaxBytes = 2331
	// qrModulePixels is the side of a module in the PNG: a camera reads it
	// from a screen or from paper, and a version 40 code stays under
	// 1,500 pixels.
	qrModulePixels = 8
)

// qrKind is where --qr sends the QR code.
type qrKind int

const (
	qrNone     qrKind = iota // no --qr: no QR code
	qrFile                   // --qr FILE.png: a PNG file
	qrTerminal               // --qr -: drawn on stdout, a terminal
)

// qrTarget decides from the value of --qr, and whether stdout is a
// terminal, where the QR code goes. "-" is the terminal, and only a
// terminal: half-block characters in a pipe or a file are no use to
// anyone, so it is a usage error that points to a PNG file instead.
func qrTarget(flag string, stdoutTerminal bool) (qrKind, error) {
	switch {
	case flag == "":
		return qrNone, nil
	case flag != "-":
		return qrFile, nil
	case stdoutTerminal:
		return qrTerminal, nil
	}
	return qrNone, &usageError{"--qr -: stdout is not a terminal to draw the QR code in; write it to a file with --qr FILE.png"}
}

// qrModules encodes payload, byte for byte, as a QR code at level M and
// returns its modules, true for dark, bitmap[y][x], quiet zone included
// (4 modules on every side). A payload too long, or empty, is an error.
func qrModules(payload []byte) (bitmap [][]bool, err error) {
	if len(payload) == 0 {
		return nil, errors.New("QR code: the payload is empty")
	}
	// The library panics on what it takes for its own bugs: an error here,
	// not a crash of the command line.
	defer func() {
		if r := recover(); r != nil {
			bitmap, err = nil, fmt.Errorf("QR code: encoding %d bytes: %v", len(payload), r)
		}
	}()
	code, err := qrcode.New(string(payload), qrLevel)
	if err != nil {
		if len(payload) > qrMaxBytes {
			return nil, fmt.Errorf("QR code: the payload is %d bytes, more than the %d a QR code holds at error correction level M", len(payload), qrMaxBytes)
		}
		return nil, fmt.Errorf("QR code: encoding %d bytes: %w", len(payload), err)
	}
	return code.Bitmap(), nil
}

// writeQRPNG writes payload as a QR code (level M) in a black-on-white PNG
// to w: qrModulePixels pixels a module, with the 4-module quiet zone.
func writeQRPNG(w io.Writer, payload []byte) error {
	bitmap, err := qrModules(payload)
	if err != nil {
		return err
	}
	side := len(bitmap) * qrModulePixels
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range side {
		row := bitmap[y/qrModulePixels]
		for x := range side {
			if row[x/qrModulePixels] {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("QR code: writing the PNG: %w", err)
	}
	return nil
}

// writeQRFile writes payload as a QR code PNG to path, mode 0644, replacing
// a file there. It writes a temporary file in the same directory and
// renames it: path is the whole PNG or is left as it was, never a part.
func writeQRFile(path string, payload []byte) error {
	// Encode first: a payload too long creates no file at all.
	var buf bytes.Buffer
	if err := writeQRPNG(&buf, payload); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("QR code: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("QR code: writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("QR code: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("QR code: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("QR code: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("QR code: %w", err)
	}
	done = true
	return nil
}

// printQRTerminal draws payload as a QR code (level M) on w with Unicode
// half blocks, two module rows a line, quiet zone included, every line as
// wide as the others.
//
// A block stands for a light module and a space for a dark one, the
// convention of "qrencode -t UTF8": a terminal's text is light on dark more
// often than not, and then the code comes out dark on light as printed,
// with its quiet zone drawn light around it. On a light terminal the code
// comes out inverted, which the cameras of phones read too; drawing dark
// modules as blocks would leave the quiet zone the terminal's own dark
// background, which no reader takes for a quiet zone.
func printQRTerminal(w io.Writer, payload []byte) error {
	bitmap, err := qrModules(payload)
	if err != nil {
		return err
	}
	// The side is odd: a light row below the quiet zone makes the rows go
	// in pairs.
	light := make([]bool, len(bitmap[0]))
	var b strings.Builder
	for y := 0; y < len(bitmap); y += 2 {
		top, bottom := bitmap[y], light
		if y+1 < len(bitmap) {
			bottom = bitmap[y+1]
		}
		for x := range top {
			b.WriteString(qrHalfBlock(!top[x], !bottom[x]))
		}
		b.WriteByte('\n')
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// qrHalfBlock is the character for two modules, one above the other, each
// drawn as a block when light.
func qrHalfBlock(topLight, bottomLight bool) string {
	switch {
	case topLight && bottomLight:
		return "█"
	case topLight:
		return "▀"
	case bottomLight:
		return "▄"
	}
	return " "
}
