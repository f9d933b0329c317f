#!/bin/sh
# contrib/checksrc.sh: fail on banned C calls (STYLE.md habit 16)
#
#   contrib/checksrc.sh [TOP_SRCDIR]     (make check runs it)
#
# Banned everywhere in fcgi/ handlers/ providers/ and top-level *.c:
#   sprintf vsprintf strcpy strcat strtok atoi atol gets system popen
# (unbounded writes, hidden state, no error reporting, shell-outs).
# printf/puts are allowed only in fcgi/ (main's --help/--version, CGI output)
# and the logging module fcgi/log.c; everywhere else output goes through
# struct resp or log_*(), never straight to stdout, which is the CGI channel.
#
# Comments and string literals are blanked before matching, so the word
# "sprintf" in a comment is fine. snprintf, vsnprintf, fprintf, strtok_r and
# strtol are not matched (whole-word match on the call name + "(").
# Prints file:line: text for every hit and exits 1 if there are any.
set -eu

top="${1:-$(dirname "$0")/..}"
cd "$top"

# strip FILE: print FILE with comments and string/char literals replaced by
# spaces, keeping line numbers (a small state machine in awk).
strip() {
	awk '
	BEGIN { inc = 0 }
	{
		out = ""; n = length($0); i = 1
		while (i <= n) {
			c = substr($0, i, 1); d = substr($0, i, 2)
			if (inc) {
				if (d == "*/") { inc = 0; out = out "  "; i += 2 } else { out = out " "; i++ }
			} else if (d == "/*") { inc = 1; out = out "  "; i += 2
			} else if (d == "//") { break
			} else if (c == "\"" || c == "\047") {
				q = c; out = out " "; i++
				while (i <= n) {
					c = substr($0, i, 1)
					if (c == "\\") { out = out "  "; i += 2; continue }
					out = out " "; i++
					if (c == q) break
				}
			} else { out = out c; i++ }
		}
		print out
	}' "$1"
}

banned='sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets|system|popen'
fail=0
dirs=""
for d in fcgi handlers providers; do
	if [ -d "$d" ]; then dirs="$dirs $d"; fi
done
# shellcheck disable=SC2086 # $dirs is a list of plain directory names
files=$( { if [ -n "$dirs" ]; then find $dirs -name '*.[ch]'; fi; find . -maxdepth 1 -name '*.c'; } | sort)

for f in $files; do
	f="${f#./}"
	# What counts as a call: the name as a whole word followed by "(".
	case "$f" in
	fcgi/*) pat="(^|[^A-Za-z0-9_])($banned)[[:space:]]*\\(" ;;
	*) pat="(^|[^A-Za-z0-9_])($banned|printf|puts)[[:space:]]*\\(" ;;
	esac
	hits=$(strip "$f" | grep -nE "$pat" || true)
	if [ -n "$hits" ]; then
		fail=1
		echo "$hits" | while IFS= read -r h; do
			line="${h%%:*}"
			echo "$f:$line: $(sed -n "${line}p" "$f" | sed 's/^[[:space:]]*//')"
		done
	fi
done

if [ "$fail" -ne 0 ]; then
	echo "checksrc: banned calls found (see STYLE.md habit 16)" >&2
	exit 1
fi
echo "checksrc: OK"
