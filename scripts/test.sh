#!/usr/bin/env bash
# Every check of the repository, then every test; ends with the summary line counted from
# vitest's own JSON results.
set -uo pipefail
mkdir -p .reports
status=0
pnpm exec turbo run typecheck --output-logs=errors-only || status=1
pnpm exec biome check . || status=1
rm -rf .reports/conformance
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.reports/vitest.json "$@"
vitest_status=$?
# The conformance matrix; an unfiltered run also refreshes docs/conformance.md.
if [ "$#" -eq 0 ]; then conformance_out=(--write docs/conformance.md); else conformance_out=(); fi
node scripts/conformance-report.mjs .reports/conformance "${conformance_out[@]}" || status=1
node scripts/summarize-tests.mjs .reports/vitest.json || status=1
[ "$vitest_status" -eq 0 ] || status=$vitest_status
exit "$status"
