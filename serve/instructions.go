package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/repobuild/repobuild/clients"
)

// clientsDir holds the files of package clients the instructions read:
// clients/*.list, clients/*.repo, clients/install.sh.
const clientsDir = clients.Dir

// Instructions tells what a host needs to install from the tree in dir
// served at url: the install.sh line, and each distro's repository lines
// from the tree's client files with url in place.
func Instructions(dir, url string) (string, error) {
	url = strings.TrimSuffix(url, "/")
	var b strings.Builder
	fmt.Fprintf(&b, "serving %s at %s/ (health: %s%s)\n", dir, url, url, HealthPath)
	if _, err := os.Stat(filepath.Join(dir, clientsDir, "install.sh")); err == nil {
		fmt.Fprintf(&b, "\non each host, as root (sh install.sh --restore puts its own configuration back):\n")
		fmt.Fprintf(&b, "  curl -fsSL %s/%s/install.sh | sh -s -- %s\n", url, clientsDir, url)
	}
	var files []string
	for _, pattern := range []string{"*.list", "*.repo"} {
		m, err := filepath.Glob(filepath.Join(dir, clientsDir, pattern))
		if err != nil {
			return "", err
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) > 0 {
		fmt.Fprintf(&b, "\nor by hand:\n")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "  %s/%s:\n", clientsDir, filepath.Base(f))
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
				continue
			}
			fmt.Fprintf(&b, "    %s\n", strings.ReplaceAll(line, "http://"+clients.Host, url))
		}
	}
	return b.String(), nil
}

// URL is the address hosts reach a server listening at addr on: its own
// host when it names one, else this machine's first address that is not
// loopback.
func URL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
					ip = n.IP
					break
				}
			}
		}
	}
	return "http://" + net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}
