package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// link matches a Markdown link or image: [text](target) or ![alt](target).
var link = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)

// code matches fenced code blocks and inline code, where brackets and
// parentheses are code, not links.
var code = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`")

// heading matches a Markdown heading.
var heading = regexp.MustCompile(`(?m)^#{1,6} +(.+)$`)

// anchor is the fragment GitHub gives a heading: lower case, punctuation
// dropped, spaces as hyphens.
func anchor(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(title)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && !strings.ContainsRune("—–×·…’“”‖", r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestLinks follows every relative link of README.md, BENCHMARKS.md and the
// pages here: the file it names must exist, and an #anchor must be a heading
// of it. Web links are not followed.
func TestLinks(t *testing.T) {
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join("..", "README.md"), filepath.Join("..", "BENCHMARKS.md"))
	if len(pages) < 10 {
		t.Fatalf("found the pages %v, want the docs beside README.md", pages)
	}
	links := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(code.ReplaceAllString(string(b), ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			links++
			file, frag, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), file)
			}
			content, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s: link %s: %v", page, target, err)
				continue
			}
			if frag == "" {
				continue
			}
			found := false
			for _, h := range heading.FindAllStringSubmatch(string(content), -1) {
				found = found || anchor(strings.Trim(h[1], "`")) == frag || anchor(h[1]) == frag
			}
			if !found {
				t.Errorf("%s: link %s: %s has no heading #%s", page, target, path, frag)
			}
		}
	}
	if links == 0 {
		t.Error("no links found: the pattern is wrong")
	}
}

// TestEveryPageIsLinked: a page no one links to is lost; README.md is the
// map of the docs.
func TestEveryPageIsLinked(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if !strings.Contains(string(readme), "(docs/"+p+")") {
			t.Errorf("README.md does not link docs/%s", p)
		}
	}
}
