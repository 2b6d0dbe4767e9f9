// Package packages is the model of packages.yaml: it loads the file,
// validates its keys and selects the package requests that apply to one
// target distribution.
//
// # Format
//
// The top level is a mapping. Each key maps to one of:
//
//   - a sequence of package specs (strings): the key is a selector key;
//   - a mapping: a group. The group key is a free label (for example
//     "kubespray"); it does not narrow selection. The inner keys follow the
//     same rules as top-level keys, so groups may nest;
//   - for the reserved key "optional" (allowed at any level): a mapping of
//     the same shape whose packages are all optional;
//   - for the reserved top-level key "repobuild": a mapping of options,
//     read by [File.ParseOptions]: extra yum/dnf repositories,
//     distro repositories to enable, and the distros and arches the file
//     is built for.
//
// A selector key is common, a package manager (apt, yum, dnf), an OS id
// (debian, centos), an OS id with version (debian12, centos7) or a codename
// (bookworm). Which keys exist is decided by the caller: see
// [File.Validate]. A list applies to a target when its selector key is one
// of [Selector.Keys]; group labels and "optional" are ignored for matching.
// A key whose value is null is an empty list.
//
// # Package specs
//
// A spec is a non-empty string without whitespace, control characters or
// shell metacharacters (|&;<>()$`\"'*?[]{}#!), not starting with "-": the
// scripts hand specs to the package manager as unquoted words, so [Parse]
// refuses what the shell or the manager would read as anything but a
// package. A trailing "?" marks the package optional ("debian-builder?").
//
// [File.Select] then checks each spec against its target manager's grammar.
// For apt (Debian policy), NAME[:ARCH][=VERSION | /RELEASE]: the name of
// lowercase letters, digits and "+-.", starting with a letter or digit, at
// least 2 characters; "name=version" is a pin ([EPOCH:]VERSION),
// "name/release" selects a release and "name:arch" an architecture. For yum
// and dnf, NAME[-[EPOCH:]VERSION[-RELEASE]][.ARCH] of letters, digits and
// "._+~^-" (a ":" only after "-EPOCH"); the spec is handed over as is
// ("docker-ce-3:24.0.9-1.el8"), because rpm versions cannot be split from
// names syntactically. Globs are refused for every manager. In YAML flow
// sequences ("[a, b]"), quote specs that end in "?"; quote specs that start
// with "{{" everywhere.
//
// # Templates
//
// A spec containing "{{" is a Go text/template executed once per target,
// for example "docker-ce=5:20.10.5~3-0~{{ .ID }}-{{ .Codename }}" or
// "docker-ce-20.10.5-3.el{{ .Major }}". It is rendered by package
// [github.com/repobuild/repobuild/distros/tmpl], whose documentation is the
// one list of the variables and their values; specs may use .ID,
// .Version, .Major, .Minor, .Codename, .Arch and .Manager
// ([tmpl.SpecVars]). Any other variable is an error reported by [Parse],
// and so is a range, template, define or block action (they can loop or
// recurse); a spec that renders past 4096 bytes is an error of
// [File.Select].
//
// # Duplicates
//
// When the same spec is selected from several lists, the requests are
// merged: the first position is kept and every source is recorded; if any
// occurrence is required the request is required. The same spec twice in
// one list is reported as a warning.
//
// Different specs of one apt package (containerd.io=1.6.32-1,
// containerd.io=1.7.27-1, containerd.io, nginx/bookworm-backports) in one
// list are all kept: a repository may carry several versions, as kubean's
// file asks. The same package in different versions from different lists
// that apply to one target (common: [containerd.io], debian12:
// [containerd.io=1.6.32-1]) is an error, [ErrConflictingPins]: whether the
// more specific list meant to replace the other or to add to it cannot be
// told, so the file must say it by listing the versions under one key.
// rpm specs cannot be split into name and version and are never in
// conflict.
//
// # Errors
//
// Problems are collected rather than stopping at the first one and are
// returned as [Errors], which prints one "file:line:column: message" line
// per problem.
package packages
