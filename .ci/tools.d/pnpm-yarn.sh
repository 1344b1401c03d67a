# pnpm and yarn (berry), pinned, for the npm registry's client tests (test/server/npm/pnpm-yarn.test.ts).
# Each is installed from its npm package into $AIRLOCK_TOOLS and found through AIRLOCK_PNPM / AIRLOCK_YARN.
pnpm_version=10.34.9
yarn_version=4.18.1
pnpm_dir="$AIRLOCK_TOOLS/pnpm-$pnpm_version"
yarn_dir="$AIRLOCK_TOOLS/yarn-$yarn_version"
if [ ! -x "$pnpm_dir/node_modules/.bin/pnpm" ]; then
  npm install --prefix "$pnpm_dir" --no-save --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >/dev/null
fi
if [ ! -f "$yarn_dir/node_modules/@yarnpkg/cli-dist/bin/yarn.js" ]; then
  npm install --prefix "$yarn_dir" --no-save --no-audit --no-fund --loglevel=error "@yarnpkg/cli-dist@$yarn_version" >/dev/null
fi
export AIRLOCK_PNPM="$pnpm_dir/node_modules/.bin/pnpm"
export AIRLOCK_YARN="$yarn_dir/node_modules/@yarnpkg/cli-dist/bin/yarn.js"
"$AIRLOCK_PNPM" --version >/dev/null
node "$AIRLOCK_YARN" --version >/dev/null
