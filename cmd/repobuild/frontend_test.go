package main

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCheckBinary: only a static Linux build of cmd/repobuild-frontend
// for the platform's architecture goes into the frontend image.
func TestCheckBinary(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the test binary is the ELF file checked")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[runtime.GOARCH]
	text := filepath.Join(t.TempDir(), "repobuild-frontend")
	if err := os.WriteFile(text, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, arch, want string
	}{
		{text, "amd64", "not a Linux executable"},
		{self, other, "built for EM_"},
		// The test binary is dynamically linked, or not the frontend.
		{self, runtime.GOARCH, ""},
	}
	for _, tt := range tests {
		_, err := checkBinary(tt.path, tt.arch)
		if err == nil {
			t.Errorf("%s for %s: accepted", tt.path, tt.arch)
			continue
		}
		if tt.want == "" && !strings.Contains(err.Error(), "dynamically linked") && !strings.Contains(err.Error(), "not the repobuild frontend") {
			t.Errorf("%s for %s: %v", tt.path, tt.arch, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s for %s: %v, want %q", tt.path, tt.arch, err, tt.want)
		}
	}
}

// TestCompiledBinary: the binary the command compiles from the checkout
// is one it accepts, carrying the checkout's version.
func TestCompiledBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the frontend")
	}
	dir := t.TempDir()
	f := &frontendFlags{source: filepath.Join("..", "..")}
	for _, arch := range []string{"amd64", "arm64"} {
		if err := binary(t.Context(), f, arch, filepath.Join(dir, arch), io.Discard); err != nil {
			t.Fatal(err)
		}
		v, err := checkBinary(filepath.Join(dir, arch, "repobuild-frontend"), arch)
		if err != nil {
			t.Fatal(err)
		}
		if want := checkoutVersion(t.Context(), f.source); v != want || want == "" {
			t.Errorf("%s binary's version %q, want the checkout's %q", arch, v, want)
		}
	}
}
