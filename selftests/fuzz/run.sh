#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh TARGET...: run each fuzz target for $FUZZ_TIME seconds from its
# seed corpus (corpus/TARGET), printing one TAP line per target with what
# libFuzzer counted, and the report of any crash (the input is kept as
# $OUT/TARGET-crash-*); the targets in $FUZZ_SKIP (not built) as skipped.
# Run by "make run".

cd "$(dirname "$0")" || exit 1
: "${OUT:?}" "${FUZZ_TIME:?}"
declare -A MAX_LEN=([addr]=300 [udp]=600 [chunk]=40000 [sip022]=1400 [link]=512
	[window]=36864)	# 4096 operations of 9 bytes
n=0
failed=0

echo "TAP version 13"
for t in "$@"; do
	n=$((n + 1))
	mkdir -p "$OUT/corpus-$t"
	log=$OUT/$t.log
	rm -f "$OUT/$t"-crash-* "$OUT/$t"-leak-* "$OUT/$t"-timeout-* "$OUT/$t"-oom-*
	"$OUT/$t-fuzz" -max_total_time="$FUZZ_TIME" -max_len="${MAX_LEN[$t]:-4096}" \
		-print_final_stats=1 -rss_limit_mb=1024 -artifact_prefix="$OUT/$t-" \
		"$OUT/corpus-$t" "corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	units=$(ls "$OUT/corpus-$t" | wc -l)
	what="$t: ${runs:-?} runs in ${FUZZ_TIME} s (${rate:-?}/s), $units inputs found beside $(ls "corpus/$t" | wc -l) seeds"
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok $n - $what"
	else
		failed=$((failed + 1))
		echo "not ok $n - $what: exit $rc"
		grep -E -A 30 'ERROR|check failed|runtime error|SUMMARY' "$log" | head -n 60 | sed 's/^/# /'
		ls "$OUT/$t"-crash-* "$OUT/$t"-leak-* "$OUT/$t"-timeout-* "$OUT/$t"-oom-* 2>/dev/null |
			sed 's/^/# kept: /'
	fi
done
for t in ${FUZZ_SKIP:-}; do
	n=$((n + 1))
	echo "ok $n - $t # SKIP not built: kmod/relay.h has no ss_chunk_len()"
done
echo "1..$n"
[ "$failed" -eq 0 ]
