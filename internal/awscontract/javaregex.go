package awscontract

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
)

// AWS models write their patterns in java.util.regex syntax, and some use
// what RE2 (Go's regexp) refuses: lookaheads ((?!-) in ACM domain labels,
// (?=^.{1,127}$) in Cloud Map service names), \uXXXX escapes and UTF-16
// surrogate pairs (\uD800\uDC00-\uDBFF\uDFFF in Application Auto Scaling).
// Rewriting those by hand would be retyping the contract, so this file is a
// small backtracking matcher for the subset of Java syntax the models use.
// Anything outside that subset is a compile error, which Load reports, so a
// model that starts using it is noticed rather than silently skipped.
//
// The services match a pattern against the whole value (IAM refuses the role
// name "a b" although [\w+=,.@-]+ finds "a" in it), so a match must span the
// input, as Java's Matcher.matches does.

// maxSteps bounds the work of one match, so that a pathological pattern and
// a long value cannot hang a test.
const maxSteps = 2_000_000

var errTooCostly = errors.New("the pattern needs too many steps on this value")

type javaRegex struct {
	source string
	root   reNode
}

// reNode is a parsed pattern node. matchAt calls k with every position where
// the node can end a match that begins at i, until k accepts.
type reNode interface {
	matchAt(m *reMatcher, i int, k func(int) bool) bool
}

type (
	reClass  struct{ match func(rune) bool }
	reSeq    []reNode
	reAlt    []reNode
	reRepeat struct {
		sub      reNode
		min, max int // max < 0: unbounded
		lazy     bool
	}
	reLook struct {
		sub    reNode
		negate bool
	}
	reBegin struct{}
	reEnd   struct{}
)

func (n reClass) matchAt(m *reMatcher, i int, k func(int) bool) bool {
	return i < len(m.in) && n.match(m.in[i]) && k(i+1)
}

func (n reSeq) matchAt(m *reMatcher, i int, k func(int) bool) bool {
	if len(n) == 0 {
		return k(i)
	}
	return m.match(n[0], i, func(j int) bool { return m.match(n[1:], j, k) })
}

func (n reAlt) matchAt(m *reMatcher, i int, k func(int) bool) bool {
	for _, alt := range n {
		if m.match(alt, i, k) {
			return true
		}
	}
	return false
}

func (n reRepeat) matchAt(m *reMatcher, i int, k func(int) bool) bool {
	if c, ok := n.sub.(reClass); ok && !n.lazy {
		return m.repeatClass(c, n, i, k)
	}
	return m.repeat(n, 0, i, k)
}

func (n reLook) matchAt(m *reMatcher, i int, k func(int) bool) bool {
	found := m.match(n.sub, i, func(int) bool { return true })
	return found != n.negate && k(i)
}

func (reBegin) matchAt(_ *reMatcher, i int, k func(int) bool) bool { return i == 0 && k(i) }

func (reEnd) matchAt(m *reMatcher, i int, k func(int) bool) bool { return i == len(m.in) && k(i) }

// compileJava parses a java.util.regex pattern.
func compileJava(pattern string) (*javaRegex, error) {
	p := &reParser{src: []rune(pattern)}
	root, err := p.alternation()
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("pattern %q: unexpected %q at %d", pattern, p.src[p.pos], p.pos)
	}
	return &javaRegex{source: pattern, root: root}, nil
}

// matches reports whether the whole of s matches.
func (re *javaRegex) matches(s string) (bool, error) {
	m := &reMatcher{in: []rune(s)}
	ok := m.match(re.root, 0, func(i int) bool { return i == len(m.in) })
	if m.steps > maxSteps {
		return false, errTooCostly
	}
	return ok, nil
}

type reParser struct {
	src []rune
	pos int
}

func (p *reParser) peek() (rune, bool) {
	if p.pos < len(p.src) {
		return p.src[p.pos], true
	}
	return 0, false
}

func (p *reParser) alternation() (reNode, error) {
	var alts reAlt
	for {
		seq, err := p.sequence()
		if err != nil {
			return nil, err
		}
		alts = append(alts, seq)
		if r, ok := p.peek(); !ok || r != '|' {
			break
		}
		p.pos++
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alts, nil
}

func (p *reParser) sequence() (reNode, error) {
	var seq reSeq
	for {
		r, ok := p.peek()
		if !ok || r == '|' || r == ')' {
			return seq, nil
		}
		atom, err := p.atom()
		if err != nil {
			return nil, err
		}
		if atom, err = p.quantifier(atom); err != nil {
			return nil, err
		}
		seq = append(seq, atom)
	}
}

func (p *reParser) atom() (reNode, error) {
	r := p.src[p.pos]
	p.pos++
	switch r {
	case '(':
		return p.group()
	case '[':
		return p.class()
	case '.':
		return reClass{func(c rune) bool { return !isLineTerminator(c) }}, nil
	case '^':
		return reBegin{}, nil
	case '$':
		return reEnd{}, nil
	case '\\':
		match, lit, err := p.escape()
		if err != nil {
			return nil, err
		}
		if match != nil {
			return reClass{match}, nil
		}
		return literal(lit), nil
	case '*', '+', '?', '{':
		return nil, fmt.Errorf("dangling %q at %d", r, p.pos-1)
	}
	return literal(r), nil
}

func literal(r rune) reClass { return reClass{func(c rune) bool { return c == r }} }

func (p *reParser) group() (reNode, error) {
	look, negate := false, false
	if r, ok := p.peek(); ok && r == '?' {
		if p.pos+1 >= len(p.src) {
			return nil, errors.New("unterminated group")
		}
		switch p.src[p.pos+1] {
		case ':':
		case '=':
			look = true
		case '!':
			look, negate = true, true
		default:
			return nil, fmt.Errorf("unsupported group construct (?%c at %d", p.src[p.pos+1], p.pos-1)
		}
		p.pos += 2
	}
	sub, err := p.alternation()
	if err != nil {
		return nil, err
	}
	if r, ok := p.peek(); !ok || r != ')' {
		return nil, errors.New("missing )")
	}
	p.pos++
	if look {
		return reLook{sub: sub, negate: negate}, nil
	}
	return sub, nil
}

func (p *reParser) quantifier(atom reNode) (reNode, error) {
	r, ok := p.peek()
	if !ok {
		return atom, nil
	}
	rep := reRepeat{sub: atom}
	switch r {
	case '*':
		rep.min, rep.max = 0, -1
		p.pos++
	case '+':
		rep.min, rep.max = 1, -1
		p.pos++
	case '?':
		rep.min, rep.max = 0, 1
		p.pos++
	case '{':
		end := strings.IndexRune(string(p.src[p.pos:]), '}')
		if end < 0 {
			return nil, fmt.Errorf("unterminated repetition at %d", p.pos)
		}
		body := string(p.src[p.pos+1 : p.pos+end])
		lo, hi, found := strings.Cut(body, ",")
		var err error
		if rep.min, err = strconv.Atoi(lo); err != nil {
			return nil, fmt.Errorf("illegal repetition {%s}", body)
		}
		switch {
		case !found:
			rep.max = rep.min
		case hi == "":
			rep.max = -1
		default:
			if rep.max, err = strconv.Atoi(hi); err != nil || rep.max < rep.min {
				return nil, fmt.Errorf("illegal repetition {%s}", body)
			}
		}
		p.pos += len([]rune(body)) + 2
	default:
		return atom, nil
	}
	// Lazy (*?) changes which match is found, not whether one is; possessive
	// (*+) could, so it is refused rather than read as greedy.
	if r, ok := p.peek(); ok {
		switch r {
		case '?':
			rep.lazy = true
			p.pos++
		case '+':
			return nil, fmt.Errorf("possessive quantifiers are not supported (at %d)", p.pos)
		}
	}
	return rep, nil
}

// class parses a character class after its [.
func (p *reParser) class() (reNode, error) {
	negate := false
	if r, ok := p.peek(); ok && r == '^' {
		negate = true
		p.pos++
	}
	var items []func(rune) bool
	for first := true; ; first = false {
		r, ok := p.peek()
		if !ok {
			return nil, errors.New("unterminated character class")
		}
		if r == ']' && !first {
			p.pos++
			break
		}
		item, err := p.classItem()
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return reClass{func(c rune) bool {
		for _, m := range items {
			if m(c) {
				return !negate
			}
		}
		return negate
	}}, nil
}

// classItem reads a character, a range lo-hi, or a predefined class.
func (p *reParser) classItem() (func(rune) bool, error) {
	if r := p.src[p.pos]; r == '[' || (r == '&' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '&') {
		return nil, fmt.Errorf("class unions and intersections are not supported (at %d)", p.pos)
	}
	lo, match, err := p.classAtom()
	if err != nil || match != nil {
		return match, err
	}
	// A - that ends the class is a literal.
	if p.pos+1 >= len(p.src) || p.src[p.pos] != '-' || p.src[p.pos+1] == ']' {
		return func(c rune) bool { return c == lo }, nil
	}
	p.pos++
	hi, hiMatch, err := p.classAtom()
	if err != nil {
		return nil, err
	}
	if hiMatch != nil || hi < lo {
		return nil, fmt.Errorf("illegal character range at %d", p.pos)
	}
	return func(c rune) bool { return c >= lo && c <= hi }, nil
}

// classAtom reads one character of a class, or a predefined class (\d, \p{L}).
// A UTF-16 surrogate pair written as two \u escapes is one character.
func (p *reParser) classAtom() (rune, func(rune) bool, error) {
	r := p.src[p.pos]
	p.pos++
	if r != '\\' {
		return r, nil, nil
	}
	match, lit, err := p.escape()
	if err != nil || match != nil {
		return 0, match, err
	}
	if utf16.IsSurrogate(lit) && lit < 0xDC00 && p.pos+1 < len(p.src) && p.src[p.pos] == '\\' && p.src[p.pos+1] == 'u' {
		save := p.pos
		p.pos++
		_, low, err := p.escape()
		if err == nil && low >= 0xDC00 && low <= 0xDFFF {
			return utf16.DecodeRune(lit, low), nil, nil
		}
		p.pos = save
	}
	return lit, nil, nil
}

// Escapes that stand for a predefined class or a control character.
var (
	escapeClasses = map[rune]func(rune) bool{
		'd': isASCIIDigit, 'D': not(isASCIIDigit),
		'w': isWord, 'W': not(isWord),
		's': isJavaSpace, 'S': not(isJavaSpace),
	}
	escapeChars = map[rune]rune{'t': '\t', 'n': '\n', 'r': '\r', 'f': '\f', 'a': '\a', 'e': 0x1B}
)

// escape reads what follows a backslash: a predefined class or a literal.
func (p *reParser) escape() (func(rune) bool, rune, error) {
	r, ok := p.peek()
	if !ok {
		return nil, 0, errors.New("trailing backslash")
	}
	p.pos++
	if match, ok := escapeClasses[r]; ok {
		return match, 0, nil
	}
	if c, ok := escapeChars[r]; ok {
		return nil, c, nil
	}
	switch r {
	case 'p', 'P':
		name, err := p.braced()
		if err != nil {
			return nil, 0, err
		}
		match, err := propertyClass(name)
		if err != nil {
			return nil, 0, err
		}
		if r == 'P' {
			match = not(match)
		}
		return match, 0, nil
	case 'u':
		return p.hex(4)
	case 'x':
		return p.hexX()
	}
	if r < unicode.MaxASCII && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return nil, r, nil // an escaped metacharacter or punctuation
	}
	return nil, 0, fmt.Errorf("unsupported escape \\%c", r)
}

// hexX reads \xHH or \x{H...} after the x.
func (p *reParser) hexX() (func(rune) bool, rune, error) {
	if next, ok := p.peek(); !ok || next != '{' {
		return p.hex(2)
	}
	digits, err := p.braced()
	if err != nil {
		return nil, 0, err
	}
	v, err := strconv.ParseUint(digits, 16, 32)
	if err != nil {
		return nil, 0, fmt.Errorf("bad \\x{%s}", digits)
	}
	return nil, rune(v), nil
}

func (p *reParser) braced() (string, error) {
	if r, ok := p.peek(); !ok || r != '{' {
		return "", fmt.Errorf("expected { at %d", p.pos)
	}
	end := strings.IndexRune(string(p.src[p.pos:]), '}')
	if end < 0 {
		return "", errors.New("unterminated {")
	}
	s := string(p.src[p.pos+1 : p.pos+end])
	p.pos += len([]rune(s)) + 2
	return s, nil
}

func (p *reParser) hex(n int) (func(rune) bool, rune, error) {
	if p.pos+n > len(p.src) {
		return nil, 0, errors.New("short hex escape")
	}
	v, err := strconv.ParseUint(string(p.src[p.pos:p.pos+n]), 16, 32)
	if err != nil {
		return nil, 0, fmt.Errorf("bad hex escape %q", string(p.src[p.pos:p.pos+n]))
	}
	p.pos += n
	return nil, rune(v), nil
}

// posixClasses are Java's POSIX names, which are ASCII-only unless the
// pattern asks for UNICODE_CHARACTER_CLASS (the models never do).
var posixClasses = map[string]func(rune) bool{
	"Lower":  func(c rune) bool { return c >= 'a' && c <= 'z' },
	"Upper":  func(c rune) bool { return c >= 'A' && c <= 'Z' },
	"ASCII":  func(c rune) bool { return c <= 0x7F },
	"Alpha":  func(c rune) bool { return c < 0x80 && unicode.IsLetter(c) },
	"Digit":  isASCIIDigit,
	"Alnum":  func(c rune) bool { return c < 0x80 && (unicode.IsLetter(c) || unicode.IsDigit(c)) },
	"Punct":  isASCIIPunct,
	"Graph":  func(c rune) bool { return c > 0x20 && c < 0x7F },
	"Print":  func(c rune) bool { return c >= 0x20 && c < 0x7F },
	"Blank":  func(c rune) bool { return c == ' ' || c == '\t' },
	"Cntrl":  func(c rune) bool { return c < 0x20 || c == 0x7F },
	"XDigit": func(c rune) bool { return isASCIIDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') },
	"Space":  isJavaSpace,
}

// propertyClass maps \p{Name}: a POSIX name, or a Unicode category or
// script (L, Z, N, Latin).
func propertyClass(name string) (func(rune) bool, error) {
	if m, ok := posixClasses[name]; ok {
		return m, nil
	}
	key := strings.TrimPrefix(name, "Is")
	if t, ok := unicode.Categories[key]; ok {
		return func(c rune) bool { return unicode.Is(t, c) }, nil
	}
	if t, ok := unicode.Scripts[key]; ok {
		return func(c rune) bool { return unicode.Is(t, c) }, nil
	}
	return nil, fmt.Errorf("unsupported property \\p{%s}", name)
}

func isASCIIDigit(c rune) bool { return c >= '0' && c <= '9' }

func isWord(c rune) bool {
	return c == '_' || isASCIIDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isJavaSpace(c rune) bool { return strings.ContainsRune(" \t\n\x0B\f\r", c) }

func isASCIIPunct(c rune) bool {
	return c < 0x80 && strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c)
}

func isLineTerminator(c rune) bool {
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029
}

func not(f func(rune) bool) func(rune) bool { return func(c rune) bool { return !f(c) } }

// reMatcher is a backtracking matcher in continuation-passing style: each
// node calls k with every position where it can end, until k accepts.
type reMatcher struct {
	in    []rune
	steps int
}

func (m *reMatcher) match(n reNode, i int, k func(int) bool) bool {
	m.steps++
	if m.steps > maxSteps {
		return false
	}
	return n.matchAt(m, i, k)
}

// repeatClass repeats a single-character class greedily without recursing
// once per character, which keeps long values (policy documents) cheap.
func (m *reMatcher) repeatClass(c reClass, n reRepeat, i int, k func(int) bool) bool {
	j := i
	for j < len(m.in) && (n.max < 0 || j-i < n.max) && c.match(m.in[j]) {
		j++
	}
	for ; j-i >= n.min; j-- {
		m.steps++
		if m.steps > maxSteps {
			return false
		}
		if k(j) {
			return true
		}
	}
	return false
}

func (m *reMatcher) repeat(n reRepeat, count, i int, k func(int) bool) bool {
	more := func() bool {
		if n.max >= 0 && count >= n.max {
			return false
		}
		return m.match(n.sub, i, func(j int) bool {
			// An iteration that consumed nothing cannot help past the minimum
			// and would loop; below it, it counts (a repeated lookahead).
			return (j != i || count < n.min) && m.repeat(n, count+1, j, k)
		})
	}
	done := func() bool { return count >= n.min && k(i) }
	if n.lazy {
		return done() || more()
	}
	return more() || done()
}
