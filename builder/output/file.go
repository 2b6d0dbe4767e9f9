package output

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// SumsFile is the checksum list written beside file outputs, in the format
// of sha256sum: `sha256sum -c SHA256SUMS` checks them.
const SumsFile = "SHA256SUMS"

// Compressions of tar outputs.
var Compressions = []string{"none", "gzip", "zstd"}

// File is a file on the client written atomically: the export streams into
// a temporary file beside Dest, compressed as asked, which replaces Dest on
// Commit, with its SHA-256 recorded in SHA256SUMS beside it.
type File struct {
	Dest        string
	Compression string

	tmp  string
	lock *os.File
	w    *fileWriter
	sum  string
}

// NewFile prepares a temporary file beside dest.
func NewFile(dest, compression string) (*File, error) {
	dest = filepath.Clean(dest)
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("output %s is a directory, want a file", dest)
	}
	tmp, lock, err := newTemp(dest, false)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", dest, err)
	}
	return &File{Dest: dest, Compression: compression, tmp: tmp, lock: lock}, nil
}

// Open returns the writer the export streams into. It has the signature
// of client.ExportEntry's Output.
func (f *File) Open(map[string]string) (io.WriteCloser, error) {
	if f.tmp == "" || f.w != nil {
		return nil, fmt.Errorf("output %s: opened twice", f.Dest)
	}
	out, err := os.OpenFile(f.tmp, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", f.Dest, err)
	}
	w := &fileWriter{file: out, hash: sha256.New()}
	sink := io.MultiWriter(out, w.hash)
	switch f.Compression {
	case "", "none":
		w.Writer = sink
	case "gzip":
		gz := gzip.NewWriter(sink)
		w.Writer, w.compressor = gz, gz
	case "zstd":
		zw, err := zstd.NewWriter(sink)
		if err != nil {
			out.Close()
			return nil, err
		}
		w.Writer, w.compressor = zw, zw
	default:
		out.Close()
		return nil, fmt.Errorf("output %s: unknown compression %q (%s)", f.Dest, f.Compression, strings.Join(Compressions, ", "))
	}
	f.w = w
	return w, nil
}

// fileWriter compresses into the file and hashes what it writes there.
type fileWriter struct {
	io.Writer
	compressor io.Closer
	file       *os.File
	hash       hash.Hash
	closed     bool
}

func (w *fileWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	var errs []error
	if w.compressor != nil {
		errs = append(errs, w.compressor.Close())
	}
	errs = append(errs, w.file.Sync(), w.file.Close())
	return errors.Join(errs...)
}

// Commit moves the finished file to Dest and records its checksum.
func (f *File) Commit() error {
	if f.tmp == "" {
		return errors.New("output: already committed or aborted")
	}
	if f.w == nil || !f.w.closed {
		f.Abort()
		return fmt.Errorf("output %s: the export did not finish", f.Dest)
	}
	f.sum = hex.EncodeToString(f.w.hash.Sum(nil))
	parent := filepath.Dir(f.Dest)
	unlock, err := lockDir(parent)
	if err != nil {
		return err
	}
	defer unlock()
	tmp := f.tmp
	f.tmp = ""
	defer f.lock.Close()
	if err := os.Rename(tmp, f.Dest); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("output %s: %w", f.Dest, err)
	}
	if err := writeSum(parent, filepath.Base(f.Dest), f.sum); err != nil {
		return fmt.Errorf("output %s: %s: %w", f.Dest, SumsFile, err)
	}
	return syncDir(parent)
}

// Abort removes the temporary file; Dest is untouched.
func (f *File) Abort() {
	if f.tmp != "" {
		if f.w != nil {
			_ = f.w.Close()
		}
		_ = os.Remove(f.tmp)
		f.tmp = ""
		f.lock.Close()
	}
}

// Sum is the SHA-256 of the committed file.
func (f *File) Sum() string { return f.sum }

// writeSum sets the checksum of name in dir's SHA256SUMS, keeping the
// lines of other files, and replaces the list atomically. The caller holds
// the lock of dir.
func writeSum(dir, name, sum string) error {
	path := filepath.Join(dir, SumsFile)
	var out bytes.Buffer
	if data, err := os.ReadFile(path); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := sc.Text()
			if _, file, ok := strings.Cut(line, "  "); ok && (file == name || file == "*"+name) {
				continue
			}
			if strings.TrimSpace(line) != "" {
				out.WriteString(line + "\n")
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	fmt.Fprintf(&out, "%s  %s\n", sum, name)
	tmp, err := os.CreateTemp(dir, "."+SumsFile+".repobuild-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := errors.Join(tmp.Chmod(0o644), tmp.Sync(), tmp.Close()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
