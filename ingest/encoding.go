package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Text encodings. Every reader takes UTF-8. The CSV readers (official
// lists, findings) also take Windows-1252, in which several official files
// and every spreadsheet saved on Windows are written: a file that is not
// UTF-8 is read as Windows-1252, and the summary says so. A UTF-16 file
// (with its byte-order mark, as Excel writes "Unicode text") is decoded.
// JSON lines must be UTF-8, as FollowTheMoney and JSON require; XML files
// say their encoding in their declaration. Nothing is ever stored with a
// U+FFFD in place of a byte that did not decode: a file that is neither is
// refused, naming the line and byte offset.

// Encodings a text reader reports in Summary.Encoding.
const (
	EncodingUTF8        = "utf-8"
	EncodingWindows1252 = "windows-1252"
	EncodingUTF16       = "utf-16"
)

// decodeUTF16 replaces in by a UTF-8 reader of its content if it starts
// with a UTF-16 byte-order mark.
func decodeUTF16(in *bufio.Reader) (*bufio.Reader, bool) {
	bom, _ := in.Peek(2)
	if len(bom) < 2 || !(bom[0] == 0xff && bom[1] == 0xfe || bom[0] == 0xfe && bom[1] == 0xff) {
		return in, false
	}
	dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
	return bufio.NewReaderSize(transform.NewReader(in, dec), 1<<20), true
}

// textReader passes UTF-8 text through unchanged and checks it. At the
// first byte that is not UTF-8 it either switches to reading Windows-1252
// (when the format allows it and everything before was ASCII, so that the
// two readings agree on it) or fails with an error naming the line and the
// byte offset.
type textReader struct {
	name        string
	in          io.Reader
	allow1252   bool
	cp1252      bool   // reading Windows-1252 from now on
	c1          bool   // with cp1252: the bytes Windows-1252 leaves undefined are ISO-8859-1's C1 controls
	multibyte   bool   // a multi-byte UTF-8 character was seen
	line        int    // current line, from 1
	off         int64  // bytes of input consumed
	pending     []byte // an incomplete UTF-8 sequence from the last read
	buf, outbuf []byte
	err         error
}

func newTextReader(name string, in io.Reader, allow1252 bool) *textReader {
	return &textReader{name: name, in: in, allow1252: allow1252, line: 1, buf: make([]byte, 64<<10)}
}

// Encoding returns the encoding read so far.
func (t *textReader) Encoding() string {
	if t.cp1252 {
		return EncodingWindows1252
	}
	return EncodingUTF8
}

func (t *textReader) Read(p []byte) (int, error) {
	// outbuf may share t.buf: it is drained before t.buf is read into again.
	for len(t.outbuf) == 0 {
		if t.err != nil {
			return 0, t.err
		}
		n, err := t.in.Read(t.buf)
		data := t.buf[:n]
		if len(t.pending) > 0 {
			data = append(t.pending, data...)
			t.pending = nil
		}
		eof := err == io.EOF
		if err != nil && !eof {
			t.err = err
		}
		t.outbuf = t.convert(data, eof)
		if eof && t.err == nil {
			t.err = io.EOF
		}
	}
	n := copy(p, t.outbuf)
	t.outbuf = t.outbuf[n:]
	return n, nil
}

// convert checks or decodes data; an incomplete UTF-8 sequence at its end
// is kept for the next read unless the input ended.
func (t *textReader) convert(data []byte, eof bool) []byte {
	if t.cp1252 {
		return t.windows1252(data)
	}
	if !eof {
		if cut := completeLen(data); cut < len(data) {
			t.pending = append([]byte(nil), data[cut:]...)
			data = data[:cut]
		}
	}
	if utf8.Valid(data) { // the common case, at the speed of the library
		t.line += bytes.Count(data, []byte{'\n'})
		if !t.multibyte {
			t.multibyte = !isASCII(data)
		}
		t.off += int64(len(data))
		return data
	}
	i := 0
	for i < len(data) {
		c := data[i]
		if c < utf8.RuneSelf {
			if c == '\n' {
				t.line++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			if t.allow1252 && !t.multibyte {
				t.cp1252 = true
				t.off += int64(i)
				out := append([]byte(nil), data[:i]...)
				return append(out, t.windows1252(data[i:])...)
			}
			what := "not UTF-8"
			if t.allow1252 {
				what = "neither UTF-8 (the file has UTF-8 characters before it) nor Windows-1252"
			}
			t.err = &FileError{File: t.name, Line: t.line,
				Msg: fmt.Sprintf("byte offset %d: byte 0x%02x: the text is %s; save the file as UTF-8", t.off+int64(i), c, what)}
			t.pending = nil
			return data[:i]
		}
		t.multibyte = true
		i += size
	}
	t.off += int64(len(data))
	return data
}

// completeLen returns the length of data without an incomplete UTF-8
// sequence at its end.
func completeLen(data []byte) int {
	for j := len(data) - 1; j >= 0 && j >= len(data)-utf8.UTFMax; j-- {
		if c := data[j]; c < utf8.RuneSelf {
			return len(data)
		} else if utf8.RuneStart(c) {
			if utf8.FullRune(data[j:]) {
				return len(data)
			}
			return j
		}
	}
	return len(data)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// windows1252 decodes Windows-1252 bytes to UTF-8. The five bytes the
// code page leaves undefined fail the file.
func (t *textReader) windows1252(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/8)
	for i, c := range data {
		switch {
		case c == '\n':
			t.line++
			out = append(out, c)
		case c < 0x80:
			out = append(out, c)
		case c < 0xa0:
			r := cp1252[c-0x80]
			if r == 0 && t.c1 {
				r = rune(c)
			}
			if r == 0 {
				t.err = &FileError{File: t.name, Line: t.line,
					Msg: fmt.Sprintf("byte offset %d: byte 0x%02x is not a character in UTF-8 nor in Windows-1252", t.off+int64(i), c)}
				t.off += int64(i)
				return out
			}
			out = utf8.AppendRune(out, r)
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	t.off += int64(len(data))
	return out
}

// cp1252 maps the bytes 0x80-0x9F of Windows-1252 to runes; 0 is undefined.
var cp1252 = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// charsetReader is the XML decoders' CharsetReader: it reads the
// encodings official lists are published in besides UTF-8 (an XML
// declaration of ISO-8859-1 or Windows-1252; ISO-8859-1 is read as its
// superset Windows-1252, as browsers do).
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii":
		t := newTextReader("", in, true)
		t.cp1252, t.c1 = true, true
		return t, nil
	case "utf8", "utf-8":
		return in, nil
	}
	return nil, fmt.Errorf("unsupported character set %q (UTF-8, ISO-8859-1 and Windows-1252 are read)", label)
}

// hasUTF8BOM reports whether b starts with the UTF-8 byte-order mark.
func hasUTF8BOM(b []byte) bool { return bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) }
