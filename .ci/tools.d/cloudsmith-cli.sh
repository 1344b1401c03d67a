# The official Cloudsmith CLI, which test/cloudsmith-cli/ drives against the service unchanged
# (docs/cloudsmith-cli.md). A venv of its own so its pinned dependencies never meet moto's.
cscli_version=1.30.0
cscli_dir="${AIRLOCK_TOOLS:-$HOME/.cache/airlock-tools}/cloudsmith-cli"
if ! "$cscli_dir/bin/python" -c "import sys, importlib.metadata as m; sys.exit(m.version('cloudsmith-cli') != '$cscli_version')" 2>/dev/null; then
  rm -rf "$cscli_dir"
  python3 -m venv "$cscli_dir"
  "$cscli_dir/bin/pip" install --quiet --disable-pip-version-check "cloudsmith-cli==$cscli_version"
fi
export AIRLOCK_CLOUDSMITH_CLI="$cscli_dir/bin/cloudsmith"
"$AIRLOCK_CLOUDSMITH_CLI" --version >/dev/null
