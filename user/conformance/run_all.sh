#!/bin/sh
# Strix conformance suite runner (POSIX sh; works with busybox). Runs every executable
# program in this script's directory, shows their output as it comes, and totals their
# SUMMARY lines into one final line:
#     CONFORMANCE passed=N failed=M programs=K skipped=S
# Exit status 0 iff no case failed and every program ran to its SUMMARY.
# A program that crashes, hangs (killed by `timeout` after 600 s when available) or
# exits non-zero without reporting a failure counts as one failed case.
dir=$(dirname "$0")
self=$(basename "$0")
work=$(mktemp -d "${TMPDIR:-/tmp}/conformance-run.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

runner=""
if command -v timeout >/dev/null 2>&1; then
	runner="timeout 600"
fi

passed=0
failed=0
skipped=0
programs=0
for program in "$dir"/*; do
	name=$(basename "$program")
	[ "$name" = "$self" ] && continue
	[ -f "$program" ] && [ -x "$program" ] || continue
	case "$name" in *.sh | *.txt | *.md | *.log) continue ;; esac
	programs=$((programs + 1))
	( $runner "$program"; echo $? >"$work/status" ) 2>&1 | tee "$work/log"
	status=$(cat "$work/status" 2>/dev/null)
	summary=$(grep '^SUMMARY ' "$work/log" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "FAIL $name: no SUMMARY line (exit status ${status:-unknown})"
		failed=$((failed + 1))
		continue
	fi
	p=$(echo "$summary" | sed -n 's/.* passed=\([0-9]*\).*/\1/p')
	f=$(echo "$summary" | sed -n 's/.* failed=\([0-9]*\).*/\1/p')
	s=$(echo "$summary" | sed -n 's/.* skipped=\([0-9]*\).*/\1/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
	skipped=$((skipped + ${s:-0}))
	if [ "${f:-1}" = 0 ] && [ "$status" != 0 ]; then
		echo "FAIL $name: exit status ${status:-unknown} although SUMMARY reports no failure"
		failed=$((failed + 1))
	fi
done

echo "CONFORMANCE passed=$passed failed=$failed programs=$programs skipped=$skipped"
[ "$failed" = 0 ] && [ "$programs" -gt 0 ]
