# Verdaccio, a real npm registry the upstream tests proxy and cache (docs/upstreams.md).
verdaccio_version=6.8.0
verdaccio_dir="${AIRLOCK_TOOLS:-$HOME/.cache/airlock-tools}/verdaccio"
if [ "$(cat "$verdaccio_dir/.version" 2>/dev/null)" != "$verdaccio_version" ]; then
  rm -rf "$verdaccio_dir"
  mkdir -p "$verdaccio_dir"
  npm install --prefix "$verdaccio_dir" --no-save --no-audit --no-fund --loglevel=error \
    "verdaccio@$verdaccio_version" >/dev/null
  echo "$verdaccio_version" >"$verdaccio_dir/.version"
fi
export AIRLOCK_VERDACCIO="$verdaccio_dir/node_modules/.bin/verdaccio"
"$AIRLOCK_VERDACCIO" --version >/dev/null
