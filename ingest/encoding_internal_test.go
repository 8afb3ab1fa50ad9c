package ingest

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// The text reader gives the same text however the input is cut into reads
// (a UTF-8 character split across two reads stays whole).
func TestTextReader(t *testing.T) {
	tests := []struct {
		name, in  string
		allow1252 bool
		want      string
		enc       string
		errLine   int // 0: no error
	}{
		{"ascii", "a,b\nc,d\n", true, "a,b\nc,d\n", EncodingUTF8, 0},
		{"utf-8", "Müller\nПутин\n", false, "Müller\nПутин\n", EncodingUTF8, 0},
		{"windows-1252", "M\xfcller\n\x93q\x94\n", true, "Müller\n“q”\n", EncodingWindows1252, 0},
		{"not utf-8, json", "ok\nM\xfcller\n", false, "ok\nM", "", 2},
		{"undefined in 1252", "ok\n\x81\n", true, "ok\n", "", 2},
		{"utf-8 then latin-1", "Müller\n\xe9\n", true, "Müller\n", "", 2},
		{"cut sequence at the end", "ab\xc3", true, "abÃ", EncodingWindows1252, 0},
	}
	for _, tt := range tests {
		for _, oneByte := range []bool{false, true} {
			var in io.Reader = strings.NewReader(tt.in)
			if oneByte {
				in = iotest.OneByteReader(in)
			}
			tr := newTextReader("f", in, tt.allow1252)
			got, err := io.ReadAll(tr)
			var fe *FileError
			switch {
			case tt.errLine == 0 && err != nil:
				t.Errorf("%s (one byte %v): %v", tt.name, oneByte, err)
			case tt.errLine != 0 && (!errors.As(err, &fe) || fe.Line != tt.errLine):
				t.Errorf("%s (one byte %v): err = %v, want a file error at line %d", tt.name, oneByte, err, tt.errLine)
			}
			if string(got) != tt.want {
				t.Errorf("%s (one byte %v): text %q, want %q", tt.name, oneByte, got, tt.want)
			}
			if tt.enc != "" && tr.Encoding() != tt.enc {
				t.Errorf("%s: encoding %s, want %s", tt.name, tr.Encoding(), tt.enc)
			}
		}
	}
}
