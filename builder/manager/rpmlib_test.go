package manager

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRPMVerifyAndPublish runs rpm/lib.sh's rb_verify and rb_publish with
// the host's rpm on the fixture world (testdata/rpmworld): the signed
// closure passes and is locked with each file's URL, size and SHA256; a
// package whose signature was removed, among signed ones, fails the check
// by name.
func TestRPMVerifyAndPublish(t *testing.T) {
	for _, tool := range []string{"rpm", "rpmbuild", "rpmsign", "createrepo_c", "gpg", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/setup.sh installs it)", tool)
		}
	}
	lib := scriptFile(t, "rpm/lib.sh")
	dir := t.TempDir()
	world := filepath.Join(dir, "world")
	if out, err := exec.Command(filepath.Join("..", "..", "testdata", "rpmworld", "build.sh"), world).CombinedOutput(); err != nil {
		t.Fatalf("rpmworld/build.sh: %v\n%s", err, out)
	}
	closure, err := filepath.Glob(filepath.Join(world, "base", "Packages", "*.x86_64.rpm"))
	if err != nil || len(closure) < 5 {
		t.Fatalf("the fixture world has %d x86_64 packages (%v)", len(closure), err)
	}
	repos := filepath.Join(dir, "repos.d")
	if err := os.Mkdir(repos, 0o755); err != nil {
		t.Fatal(err)
	}
	repo := "[fx-base]\nbaseurl=http://127.0.0.1:1/base/\ngpgcheck=1\ngpgkey=file://" + filepath.Join(world, "RPM-GPG-KEY-fixture") + "\n"
	if err := os.WriteFile(filepath.Join(repos, "fixture.repo"), []byte(repo), 0o644); err != nil {
		t.Fatal(err)
	}

	const tree = "fixture/9/os/x86_64"
	// run makes the directories rb_init would (under dir, not /repobuild),
	// links names into $dl as the dnf plugin's closure does, and runs
	// script with lib.sh sourced. It returns what the script appended to
	// $rb_lock (common/report.sh).
	run := func(t *testing.T, files []string, urls, script string) (string, string, error) {
		t.Helper()
		base := t.TempDir()
		vars := map[string]string{}
		for _, d := range []string{"work", "root", "dl", "out/" + tree + "/Packages", "report", "home"} {
			vars[d] = filepath.Join(base, d)
			if err := os.MkdirAll(vars[d], 0o755); err != nil {
				t.Fatal(err)
			}
		}
		vars["pkgs"] = vars["out/"+tree+"/Packages"]
		for _, f := range files {
			if err := os.Symlink(f, filepath.Join(vars["dl"], filepath.Base(f))); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(base, "urls"), []byte(urls), 0o644); err != nil {
			t.Fatal(err)
		}
		sh := fmt.Sprintf(`set -eu
. %q
arch=x86_64 work=%q root=%q dl=%q pkgs=%q report=%q rb_lock=%q reposdir=%q HOME=%q
echo '%%_dbpath /var/lib/rpm' >"$HOME/.rpmmacros"
rpm --root "$root" --initdb
: >"$rb_lock"
%s`, lib, vars["work"], vars["root"], vars["dl"], vars["pkgs"], vars["report"], filepath.Join(vars["report"], "lock"), repos, vars["home"], script)
		cmd := exec.Command("sh", "-c", sh)
		cmd.Env = append(os.Environ(), "REPOBUILD_RELEASEVER=9", "REPOBUILD_TREE="+tree, "HOME="+vars["home"])
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		lock, _ := os.ReadFile(filepath.Join(vars["report"], "lock"))
		return string(lock), stdout.String() + stderr.String(), err
	}

	t.Run("signed", func(t *testing.T) {
		// Every package's URL but the first one's.
		var urls strings.Builder
		for _, f := range closure[1:] {
			fmt.Fprintf(&urls, "http://127.0.0.1:1/base/Packages/%s\n", filepath.Base(f))
		}
		lock, out, err := run(t, closure, urls.String(), `rb_verify && rb_publish "$work/../urls"`)
		if err != nil {
			t.Fatalf("rb_verify, rb_publish: %v\n%s", err, out)
		}
		if want := fmt.Sprintf("repobuild: %d packages for x86_64", len(closure)); !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
		var want []string
		for i, f := range closure {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			url := "-"
			if i > 0 {
				url = "http://127.0.0.1:1/base/Packages/" + filepath.Base(f)
			}
			want = append(want, fmt.Sprintf("%s %s/Packages/%s %d %s", url, tree, filepath.Base(f), len(data), hex.EncodeToString(sum[:])))
		}
		got := strings.Split(strings.TrimSpace(lock), "\n")
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("the lock:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("one unsigned", func(t *testing.T) {
		unsigned := filepath.Join(t.TempDir(), filepath.Base(closure[2]))
		data, err := os.ReadFile(closure[2])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(unsigned, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("rpmsign", "--delsign", unsigned).CombinedOutput(); err != nil {
			t.Fatalf("rpmsign --delsign: %v\n%s", err, out)
		}
		files := slices.Clone(closure)
		files[2] = unsigned
		_, out, err := run(t, files, "", `rb_verify`)
		if err == nil {
			t.Fatalf("rb_verify passed a package without a signature:\n%s", out)
		}
		for _, want := range []string{"not signed by a key of their repository", filepath.Base(unsigned) + ":", fmt.Sprintf("%d of %d packages verified", len(files)-1, len(files))} {
			if !strings.Contains(out, want) {
				t.Errorf("the output does not say %q:\n%s", want, out)
			}
		}
		for _, f := range files {
			if f != unsigned && strings.Contains(out, filepath.Base(f)+":") {
				t.Errorf("the output names the signed %s:\n%s", filepath.Base(f), out)
			}
		}
	})
}
