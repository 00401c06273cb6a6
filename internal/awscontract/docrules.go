package awscontract

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Clause is a rule the API reference states in words. Sentence is a regular
// expression (Go syntax) that must match the member's documentation; its
// named groups carry the rule's parameters, so the numbers and characters come
// from the text, and a reworded or removed sentence fails the load.
type Clause struct {
	Kind ClauseKind
	// Sentence must match the docs text (HTML tags and entities removed,
	// white space collapsed).
	Sentence string
	// In names other docs text to search: "Shape$Member" for a member's
	// documentation, "Shape" for a shape's. By default it is the rule's
	// member's own text followed by its shape's.
	In string
	// Advisory marks what AWS advises against but does not refuse.
	Advisory bool
	// NotEnforced, when set, says why the clause is read but not enforced:
	// AWS changed the limit after the SDK's last model update, or the text
	// contradicts itself. The sentence must still be there.
	NotEnforced string
}

// ClauseKind says what a Clause's sentence means, and which named groups its
// Sentence must capture.
type ClauseKind string

// The kinds of docs rules.
const (
	// Length: groups min and/or max, in characters (digits or words: "six").
	Length ClauseKind = "length"
	// Charset: group set, an English list of the allowed characters:
	// "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*", "letters
	// (uppercase and lowercase), numbers, underscores, and hyphens".
	Charset ClauseKind = "charset"
	// FirstLetter: the first character must be an ASCII letter.
	FirstLetter ClauseKind = "first-letter"
	// NoLeadingHyphen, NoTrailingHyphen, NoDoubleHyphen: what they say.
	NoLeadingHyphen  ClauseKind = "no-leading-hyphen"
	NoTrailingHyphen ClauseKind = "no-trailing-hyphen"
	NoDoubleHyphen   ClauseKind = "no-double-hyphen"
	// NotPrefix: group prefix, which the value must not begin with.
	NotPrefix ClauseKind = "not-prefix"
	// NotValue: group value, which the value must not be (in any case).
	NotValue ClauseKind = "not-value"
	// Range: groups min and/or max, numbers (commas allowed: 2,147,483,647).
	Range ClauseKind = "range"
	// OneOf: group values, a list separated by commas, "and", "or" or "|".
	OneOf ClauseKind = "one-of"
	// HalfStep: the number must be a multiple of 0.5.
	HalfStep ClauseKind = "half-step"
	// HyphenSuffix: group n; the value must not end with a hyphen followed
	// by n characters.
	HyphenSuffix ClauseKind = "hyphen-suffix"
	// Pattern: group re, a Java regular expression quoted in the text, in
	// Java string literal form ("^([\\p{L}...]*)$").
	Pattern ClauseKind = "pattern"
	// NotSuffix: group suffix, which the value must not end with.
	NotSuffix ClauseKind = "not-suffix"
	// CIDR: the value is an IPv4 or IPv6 address block in CIDR notation
	// (192.0.2.0/24, 2001:db8::/32).
	CIDR ClauseKind = "cidr"
	// ARNRegion: group region; the value is an ARN in that region.
	ARNRegion ClauseKind = "arn-region"
	// FargateSizes: the list of CPU sizes and the memory sizes each allows,
	// read from the text that follows the sentence. The rule's field is the
	// CPU; the memory is read from the memory field beside it.
	FargateSizes ClauseKind = "fargate-sizes"
)

func compileClause(svc *service, m member, cl Clause) (valueCheck, string, error) {
	where := cl.In
	var text string
	if where == "" {
		where = m.parent + "$" + m.name
		text = svc.memberDocs(m)
	} else {
		t, ok := svc.docText(cl.In)
		if !ok {
			return valueCheck{}, "", fmt.Errorf("docs-2.json has no text for %s", cl.In)
		}
		text = t
	}
	re, err := regexp.Compile(cl.Sentence)
	if err != nil {
		return valueCheck{}, "", fmt.Errorf("bad sentence pattern %q: %w", cl.Sentence, err)
	}
	loc := re.FindStringSubmatchIndex(text)
	if loc == nil {
		return valueCheck{}, "", fmt.Errorf("the docs sentence /%s/ is no longer in the docs-2.json text of %s: %q", cl.Sentence, where, text)
	}
	group := map[string]string{}
	for i, name := range re.SubexpNames() {
		if name != "" && loc[2*i] >= 0 {
			group[name] = text[loc[2*i]:loc[2*i+1]]
		}
	}
	sentence := text[loc[0]:loc[1]]
	vc := valueCheck{source: fmt.Sprintf("docs-2.json %s: %q", where, sentence), advisory: cl.Advisory}
	var desc string
	vc.test, desc, err = clauseTest(cl, group, text[loc[1]:])
	if err != nil {
		return valueCheck{}, "", fmt.Errorf("docs sentence %q of %s: %w", sentence, where, err)
	}
	label := vc.source + " -> " + desc
	switch {
	case cl.NotEnforced != "":
		label += " [not enforced: " + cl.NotEnforced + "]"
	case cl.Advisory:
		label += " [advisory]"
	}
	return vc, label, nil
}

type testFunc = func(v any, fp map[string]any) string

// clauseBuilder builds the test of a clause from its captured groups; rest
// is the text after the sentence (FargateSizes reads its list there). It
// also returns what the test enforces, for Rules.
type clauseBuilder func(g map[string]string, rest string) (testFunc, string, error)

var clauseBuilders = map[ClauseKind]clauseBuilder{
	Length:           lengthClause,
	Charset:          charsetClause,
	FirstLetter:      fixedClause("first character a letter", "does not begin with a letter", func(s string) bool { return s != "" && isASCIILetter(rune(s[0])) }),
	NoLeadingHyphen:  fixedClause("no leading hyphen", "begins with a hyphen", func(s string) bool { return !strings.HasPrefix(s, "-") }),
	NoTrailingHyphen: fixedClause("no trailing hyphen", "ends with a hyphen", func(s string) bool { return !strings.HasSuffix(s, "-") }),
	NoDoubleHyphen:   fixedClause("no two consecutive hyphens", "has two consecutive hyphens", func(s string) bool { return !strings.Contains(s, "--") }),
	NotPrefix:        notPrefixClause,
	NotSuffix:        notSuffixClause,
	CIDR:             fixedClause("an address block in CIDR notation", "is not an address block in CIDR notation", isCIDR),
	ARNRegion:        arnRegionClause,
	NotValue:         notValueClause,
	Range:            rangeClause,
	OneOf:            oneOfClause,
	HalfStep:         halfStepClause,
	HyphenSuffix:     hyphenSuffixClause,
	Pattern:          patternClause,
	FargateSizes:     fargateClause,
}

func clauseTest(cl Clause, g map[string]string, rest string) (testFunc, string, error) {
	build, ok := clauseBuilders[cl.Kind]
	if !ok {
		return nil, "", fmt.Errorf("unknown clause kind %q", cl.Kind)
	}
	return build(g, rest)
}

// onString adapts a test of the value as a string.
func onString(f func(s string) string) testFunc {
	return func(v any, _ map[string]any) string { return f(toString(v)) }
}

// fixedClause is a clause without parameters: ok says whether a value meets
// it, and problem what is wrong when it does not.
func fixedClause(desc, problem string, ok func(string) bool) clauseBuilder {
	return func(map[string]string, string) (testFunc, string, error) {
		return onString(func(s string) string {
			if ok(s) {
				return ""
			}
			return problem
		}), desc, nil
	}
}

func lengthClause(g map[string]string, _ string) (testFunc, string, error) {
	lo, hi := -1, -1
	var err error
	if s, ok := g["min"]; ok {
		if lo, err = number(s); err != nil {
			return nil, "", err
		}
	}
	if s, ok := g["max"]; ok {
		if hi, err = number(s); err != nil {
			return nil, "", err
		}
	}
	if lo < 0 && hi < 0 {
		return nil, "", errors.New("a length clause needs a min or max group")
	}
	return onString(func(s string) string {
		n := len([]rune(s))
		if (lo >= 0 && n < lo) || (hi >= 0 && n > hi) {
			return fmt.Sprintf("is %d characters long, not %s", n, bounds(lo, hi))
		}
		return ""
	}), bounds(lo, hi) + " characters", nil
}

func charsetClause(g map[string]string, _ string) (testFunc, string, error) {
	allowed, err := parseCharset(g["set"])
	if err != nil {
		return nil, "", err
	}
	return onString(func(s string) string {
		for _, r := range s {
			if !allowed(r) {
				return fmt.Sprintf("has the character %q, which is not allowed", string(r))
			}
		}
		return ""
	}), "only " + g["set"], nil
}

func notPrefixClause(g map[string]string, _ string) (testFunc, string, error) {
	p := g["prefix"]
	if p == "" {
		return nil, "", errors.New("a not-prefix clause needs a prefix group")
	}
	return onString(func(s string) string {
		if strings.HasPrefix(s, p) {
			return fmt.Sprintf("begins with %q", p)
		}
		return ""
	}), fmt.Sprintf("not beginning with %q", p), nil
}

func notSuffixClause(g map[string]string, _ string) (testFunc, string, error) {
	p := g["suffix"]
	if p == "" {
		return nil, "", errors.New("a not-suffix clause needs a suffix group")
	}
	return onString(func(s string) string {
		if strings.HasSuffix(s, p) {
			return fmt.Sprintf("ends with %q", p)
		}
		return ""
	}), fmt.Sprintf("not ending with %q", p), nil
}

func isCIDR(s string) bool {
	_, err := netip.ParsePrefix(s)
	return err == nil
}

func arnRegionClause(g map[string]string, _ string) (testFunc, string, error) {
	region := g["region"]
	if region == "" {
		return nil, "", errors.New("an arn-region clause needs a region group")
	}
	return onString(func(s string) string {
		// arn:partition:service:region:account-id:resource
		parts := strings.SplitN(s, ":", 6)
		switch {
		case len(parts) < 6 || parts[0] != "arn":
			return "is not an ARN"
		case parts[3] != region:
			return fmt.Sprintf("is in region %q, not %s", parts[3], region)
		}
		return ""
	}), "an ARN in " + region, nil
}

func notValueClause(g map[string]string, _ string) (testFunc, string, error) {
	bad := g["value"]
	if bad == "" {
		return nil, "", errors.New("a not-value clause needs a value group")
	}
	return onString(func(s string) string {
		if strings.EqualFold(s, bad) {
			return fmt.Sprintf("is %q", bad)
		}
		return ""
	}), fmt.Sprintf("not %q", bad), nil
}

func rangeClause(g map[string]string, _ string) (testFunc, string, error) {
	lo, hi := math.Inf(-1), math.Inf(1)
	for name, dst := range map[string]*float64{"min": &lo, "max": &hi} {
		s, ok := g[name]
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
		if err != nil {
			return nil, "", fmt.Errorf("range bound %q is not numeric", s)
		}
		*dst = f
	}
	if math.IsInf(lo, -1) && math.IsInf(hi, 1) {
		return nil, "", errors.New("a range clause needs a min or max group")
	}
	return func(v any, _ map[string]any) string {
		f, ok := toNumber(v)
		switch {
		case !ok:
			return "is not a number"
		case f < lo || f > hi:
			return "is outside " + span(lo, hi)
		}
		return ""
	}, span(lo, hi), nil
}

func oneOfClause(g map[string]string, _ string) (testFunc, string, error) {
	values := splitList(g["values"])
	if len(values) < 2 {
		return nil, "", fmt.Errorf("list %q has fewer than two values", g["values"])
	}
	return onString(func(s string) string {
		if !slices.Contains(values, s) {
			return "is not one of " + strings.Join(values, ", ")
		}
		return ""
	}), "one of " + strings.Join(values, ", "), nil
}

func halfStepClause(map[string]string, string) (testFunc, string, error) {
	return func(v any, _ map[string]any) string {
		f, ok := toNumber(v)
		switch {
		case !ok:
			return "is not a number"
		case f*2 != math.Trunc(f*2):
			return "is not a multiple of 0.5"
		}
		return ""
	}, "a multiple of 0.5", nil
}

func hyphenSuffixClause(g map[string]string, _ string) (testFunc, string, error) {
	n, err := number(g["n"])
	if err != nil {
		return nil, "", err
	}
	return onString(func(s string) string {
		r := []rune(s)
		if len(r) > n && r[len(r)-n-1] == '-' {
			return fmt.Sprintf("ends with a hyphen and %d characters (%q), which Secrets Manager can take for the random suffix it adds to the ARN", n, string(r[len(r)-n-1:]))
		}
		return ""
	}), fmt.Sprintf("not ending with a hyphen and %d characters", n), nil
}

func patternClause(g map[string]string, _ string) (testFunc, string, error) {
	// The text quotes the pattern as a Java string literal.
	src := strings.ReplaceAll(g["re"], `\\`, `\`)
	re, err := compileJava(src)
	if err != nil {
		return nil, "", err
	}
	return onString(func(s string) string {
		switch ok, err := re.matches(s); {
		case err != nil:
			return err.Error()
		case !ok:
			return "does not match " + src
		}
		return ""
	}), "pattern " + src, nil
}

func fargateClause(_ map[string]string, rest string) (testFunc, string, error) {
	sizes, err := parseFargateSizes(rest)
	if err != nil {
		return nil, "", err
	}
	return fargateTest(sizes), describeFargate(sizes), nil
}

func bounds(lo, hi int) string {
	switch {
	case lo >= 0 && hi >= 0:
		return fmt.Sprintf("%d..%d", lo, hi)
	case lo >= 0:
		return fmt.Sprintf("at least %d", lo)
	}
	return fmt.Sprintf("at most %d", hi)
}

func span(lo, hi float64) string {
	switch {
	case math.IsInf(lo, -1):
		return "at most " + num(hi)
	case math.IsInf(hi, 1):
		return "at least " + num(lo)
	}
	return num(lo) + ".." + num(hi)
}

var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

// number reads "63", "2,147,483,647" or "six".
func number(s string) (int, error) {
	if n, ok := numberWords[strings.ToLower(s)]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return n, nil
}

var reListSep = regexp.MustCompile(`\s*(?:,|\|)\s*(?:and |or )?|\s+(?:and|or)\s+`)

// splitList reads "a, b, and c", "a | b | c", or, with no separator at all,
// "a b c".
func splitList(s string) []string {
	parts := reListSep.Split(s, -1)
	if len(parts) == 1 {
		parts = strings.Fields(s)
	}
	var out []string
	for _, v := range parts {
		if v = strings.TrimSuffix(strings.TrimSpace(v), "."); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// charsetWords are the names the API reference gives sets of characters.
// They are English, not a contract: what each rule allows is the list the
// docs sentence gives.
var charsetWords = []struct {
	word  string
	match func(rune) bool
}{
	{"letters (uppercase and lowercase)", isASCIILetter},
	{"upper and lowercase alphanumeric characters", isASCIIAlnum},
	{"alphanumeric characters", isASCIIAlnum},
	{"ASCII letters", isASCIILetter},
	{"lowercase letters", func(r rune) bool { return r >= 'a' && r <= 'z' }},
	{"uppercase letters", func(r rune) bool { return r >= 'A' && r <= 'Z' }},
	{"letters", isASCIILetter},
	{"numbers", isASCIIDigit},
	{"digits", isASCIIDigit},
	{"spaces", func(r rune) bool { return r == ' ' }},
	{"hyphens", is('-')},
	{"underscores", is('_')},
	{"periods", is('.')},
	{"colons", is(':')},
	{"forward slashes", is('/')},
	{"number signs", is('#')},
}

func is(c rune) func(rune) bool { return func(r rune) bool { return r == c } }

func isASCIILetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

func isASCIIAlnum(r rune) bool { return isASCIILetter(r) || isASCIIDigit(r) }

var (
	reCharsetSkip  = regexp.MustCompile(`^(?:[,\s]+|and\s|or\s|the following characters:|\([^()\s]\)|\((?:hyphen|underscore|period|colon)\))`)
	reCharsetRange = regexp.MustCompile(`^([A-Za-z0-9])-([A-Za-z0-9])(?:[,\s]|$)`)
	reCharsetRun   = regexp.MustCompile(`^[^\sA-Za-z0-9]+`)
)

// parseCharset reads an English list of allowed characters. Every part must
// be understood: a word this file does not know fails the load.
func parseCharset(s string) (func(rune) bool, error) {
	var parts []func(rune) bool
	for rest := strings.TrimSpace(s); rest != ""; {
		if m := reCharsetSkip.FindString(rest); m != "" {
			rest = rest[len(m):]
			continue
		}
		if m := reCharsetRange.FindStringSubmatch(rest); m != nil {
			lo, hi := rune(m[1][0]), rune(m[2][0])
			parts = append(parts, func(r rune) bool { return r >= lo && r <= hi })
			rest = rest[len(m[1])+1+len(m[2]):]
			continue
		}
		found := false
		for _, w := range charsetWords {
			if strings.HasPrefix(rest, w.word) {
				parts = append(parts, w.match)
				rest = rest[len(w.word):]
				found = true
				break
			}
		}
		if found {
			continue
		}
		if m := reCharsetRun.FindString(rest); m != "" {
			run := m
			parts = append(parts, func(r rune) bool { return strings.ContainsRune(run, r) })
			rest = rest[len(m):]
			continue
		}
		return nil, fmt.Errorf("cannot read the character list %q at %q", s, rest)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("empty character list %q", s)
	}
	return func(r rune) bool {
		for _, p := range parts {
			if p(r) {
				return true
			}
		}
		return false
	}, nil
}

// fargateSize is one CPU size and the memory sizes (MiB) it allows.
type fargateSize struct {
	cpu    int
	memory []int
}

var (
	reFargateItem = regexp.MustCompile(`(\d+) \(([^)]*vCPU)\) - Available memory values: `)
	reFargateStep = regexp.MustCompile(`^(?:Between )?(\d+ ?GB|\d+ \([^)]*\)) and (\d+ ?GB|\d+ \([^)]*\)) in (?:increments of (\d+ ?GB|\d+ \([^)]*\))|(\d+ ?GB) increments)`)
	reFargateList = regexp.MustCompile(`^\d+ \([\d.]+ GB\)(?:, \d+ \([\d.]+ GB\))*`)
	reFargateQty  = regexp.MustCompile(`^(\d+) ?(GB)?`)
)

// parseFargateSizes reads the CPU sizes that follow the Fargate sentence of
// RegisterTaskDefinition's cpu member: "256 (.25 vCPU) - Available memory
// values: 512 (0.5 GB), 1024 (1 GB), 2048 (2 GB)", "2048 (2 vCPU) - ...
// 4096 (4 GB) and 16384 (16 GB) in increments of 1024 (1 GB)", "8192 (8
// vCPU) - ... 16 GB and 60 GB in 4 GB increments".
func parseFargateSizes(text string) ([]fargateSize, error) {
	items := reFargateItem.FindAllStringSubmatchIndex(text, -1)
	if len(items) < 5 {
		return nil, fmt.Errorf("found %d Fargate CPU sizes in %q, expected the list of them", len(items), text)
	}
	var sizes []fargateSize
	for i, loc := range items {
		cpu, _ := strconv.Atoi(text[loc[2]:loc[3]])
		end := len(text)
		if i+1 < len(items) {
			end = items[i+1][0]
		}
		spec := strings.TrimSpace(text[loc[1]:end])
		mem, err := fargateMemory(spec)
		if err != nil {
			return nil, fmt.Errorf("CPU %d: %w", cpu, err)
		}
		sizes = append(sizes, fargateSize{cpu: cpu, memory: mem})
	}
	return sizes, nil
}

func fargateMemory(spec string) ([]int, error) {
	if m := reFargateStep.FindStringSubmatch(spec); m != nil {
		lo, hi := mib(m[1]), mib(m[2])
		step := mib(m[3] + m[4])
		if lo <= 0 || hi < lo || step <= 0 {
			return nil, fmt.Errorf("cannot read the memory range %q", spec)
		}
		var out []int
		for v := lo; v <= hi; v += step {
			out = append(out, v)
		}
		return out, nil
	}
	if list := reFargateList.FindString(spec); list != "" {
		var out []int
		for _, part := range strings.Split(list, ", ") {
			out = append(out, mib(part))
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot read the memory values %q", spec)
}

// mib reads "4096 (4 GB)" (MiB, with GB in words) or "16 GB" / "32GB".
func mib(q string) int {
	m := reFargateQty.FindStringSubmatch(strings.TrimSpace(q))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] == "GB" {
		n *= 1024
	}
	return n
}

func fargateTest(sizes []fargateSize) testFunc {
	byCPU := map[int][]int{}
	var cpus []string
	for _, s := range sizes {
		byCPU[s.cpu] = s.memory
		cpus = append(cpus, strconv.Itoa(s.cpu))
	}
	return func(v any, fp map[string]any) string {
		c, ok := toNumber(v)
		if !ok {
			return "" // "1 vCPU" is also allowed; only CPU units are read here
		}
		mem, ok := byCPU[int(c)]
		if !ok || c != math.Trunc(c) {
			return "is not a Fargate CPU size: one of " + strings.Join(cpus, ", ")
		}
		m, ok := toNumber(fp["memory"])
		if !ok {
			return ""
		}
		if !slices.Contains(mem, int(m)) {
			return fmt.Sprintf("with memory %s: Fargate offers CPU %d with memory %s MiB", num(m), int(c), spans(mem))
		}
		return ""
	}
}

func describeFargate(sizes []fargateSize) string {
	parts := make([]string, 0, len(sizes))
	for _, s := range sizes {
		parts = append(parts, fmt.Sprintf("%d: %s", s.cpu, spans(s.memory)))
	}
	return "Fargate CPU: memory MiB " + strings.Join(parts, "; ")
}

// spans writes sorted sizes compactly: "4096..16384 step 1024" or a list.
func spans(v []int) string {
	v = slices.Clone(v)
	sort.Ints(v)
	if len(v) > 3 {
		step := v[1] - v[0]
		even := true
		for i := 2; i < len(v); i++ {
			even = even && v[i]-v[i-1] == step
		}
		if even {
			return fmt.Sprintf("%d..%d step %d", v[0], v[len(v)-1], step)
		}
	}
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
