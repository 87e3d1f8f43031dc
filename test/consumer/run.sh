#!/usr/bin/env bash
# Consumer test: packs the library, installs the tarball into a fresh app (once with the lowest
# version of every required peer, Nest 12.0 included, once with the newest), type-checks the app
# strictly against the published declarations, then boots it on the real PostgreSQL (a schema of
# its own) and Redis (a key prefix of its own) and drives login, a guarded request and a revocation.
# The newest install also type-checks the ```ts blocks of README.md and docs/ (extract-doc-blocks.mjs),
# and compiles and runs the app docs/getting-started.md builds (guide-drive.mjs).
# Usage: test/consumer/run.sh [lowest] [latest]   (both by default)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
variants=("${@:-lowest latest}")
read -r -a variants <<<"${variants[*]}"
work="$(mktemp -d /tmp/consumer.XXXXXX)"
trap 'rm -rf "$work"' EXIT

cd "$repo"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $(basename "$tarball")"

for variant in "${variants[@]}"; do
  started=$SECONDS
  app="$work/$variant"
  mkdir -p "$app"
  cp -R "$repo/test/consumer/app/." "$app/"
  node "$repo/test/consumer/consumer-manifest.mjs" "$variant" "$tarball" "$app"
  cd "$app"
  # @nestjs/core 12.0.0 itself declares a peer on @nestjs/common ^11 (fixed in 12.0.1): an app on
  # 12.0.0 needs --legacy-peer-deps whatever it installs. The latest install resolves peers strictly.
  peer_flags=()
  [ "$variant" = lowest ] && peer_flags=(--legacy-peer-deps)
  npm install --no-audit --no-fund --prefer-offline --ignore-scripts "${peer_flags[@]}" --loglevel=error
  if [ -e node_modules/nestjs-session-security/node_modules/@nestjs ]; then
    echo "$variant: a second Nest is nested inside the library" >&2
    exit 1
  fi
  for name in @nestjs/core typeorm bull ioredis; do
    printf '%s: %s %s\n' "$variant" "$name" "$(node -p "require('./node_modules/$name/package.json').version")"
  done
  npx tsc -p tsconfig.json --noEmit
  npx tsc -p tsconfig.json
  # The CLI ships with the package: its bin runs, and without a config it names --config (exit 3).
  ./node_modules/.bin/session-security --help >/dev/null
  cli_code=0
  ./node_modules/.bin/session-security jobs 2>cli.err || cli_code=$?
  if [ "$cli_code" != 3 ] || ! grep -q -- '--config' cli.err; then
    echo "$variant: session-security without a config exited $cli_code: $(cat cli.err)" >&2
    exit 1
  fi
  if [ "$variant" = latest ]; then
    node "$repo/test/consumer/extract-doc-blocks.mjs" doc-blocks guide
    npx tsc -p tsconfig.docs.json
    # The app docs/getting-started.md builds, from its `// file:` blocks: compiled with the
    # guide's own tsconfig.json, then run (guide-drive.mjs) as its reader would run it.
    printf '{ "private": true, "type": "module" }\n' >guide/package.json
    ln -s ../node_modules guide/node_modules
    cp "$repo/test/consumer/guide-drive.mjs" guide/
    (cd guide && npx tsc -p tsconfig.json && CONSUMER_SCHEMA="consumer_guide_$$" node guide-drive.mjs)
  fi
  CONSUMER_SCHEMA="consumer_${variant}_$$" node dist/main.js
  echo "$variant: passed in $((SECONDS - started)) s"
  cd "$repo"
done
