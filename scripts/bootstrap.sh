# Sourced by ./run: puts Node >= 22.12 and pnpm 10 on PATH, installs dependencies and builds.
# On a machine whose Node is older, node@24 and pnpm@10 come from the npm registry into .tools/
# (git-ignored), so nothing outside the repository is touched.
tools="$root/.tools"
# Node 22.12 is the first 22.x whose require() loads our ESM packages without a flag (engines says so).
node_ok() { [ "$(node -p 'const [a, b] = process.versions.node.split(".").map(Number); a > 22 || (a === 22 && b >= 12)' 2>/dev/null)" = true ]; }

if ! node_ok || ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != 10.* ]]; then
  if [ ! -x "$tools/node_modules/.bin/node" ] || [ ! -x "$tools/node_modules/.bin/pnpm" ]; then
    echo "bootstrap: installing node@24 and pnpm@10 into .tools/ (Node $(node --version 2>/dev/null || echo none) found)" >&2
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error node@24 pnpm@10 >&2
  fi
  export PATH="$tools/node_modules/.bin:$PATH"
fi

if ! node_ok; then
  echo "bootstrap: Node >= 22.12 is required and could not be installed" >&2
  exit 1
fi

export COREPACK_ENABLE_STRICT=0 TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
pnpm install --frozen-lockfile --prefer-offline --reporter=silent >&2
pnpm exec turbo run build --output-logs=errors-only >&2
