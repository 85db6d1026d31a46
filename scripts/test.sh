#!/usr/bin/env bash
# Every check of the repository, then every test; ends with the summary line counted from
# vitest's own JSON results.
set -uo pipefail
mkdir -p .reports
status=0
pnpm exec turbo run typecheck --output-logs=errors-only || status=1
pnpm exec biome check . || status=1
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.reports/vitest.json "$@"
vitest_status=$?
node scripts/summarize-tests.mjs .reports/vitest.json || status=1
[ "$vitest_status" -eq 0 ] || status=$vitest_status
exit "$status"
