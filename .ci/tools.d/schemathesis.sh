# schemathesis, which fuzzes the service from its own OpenAPI document (test/fuzz/), in a venv of
# its own under $AIRLOCK_TOOLS, pinned. AIRLOCK_SCHEMATHESIS names its command.
schemathesis_version=4.32.5
schemathesis_dir="${AIRLOCK_TOOLS:-$HOME/.cache/airlock-tools}/schemathesis"
if [ "$(cat "$schemathesis_dir/.version" 2>/dev/null)" != "$schemathesis_version" ]; then
  rm -rf "$schemathesis_dir"
  python3 -m venv "$schemathesis_dir"
  "$schemathesis_dir/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
  echo "$schemathesis_version" >"$schemathesis_dir/.version"
fi
export AIRLOCK_SCHEMATHESIS="$schemathesis_dir/bin/st"
"$AIRLOCK_SCHEMATHESIS" --version >/dev/null
