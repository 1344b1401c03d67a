# pypiserver, a real Python index the index's upstream tests proxy and cache (docs/python.md).
pypiserver_version=2.4.2
pypiserver_dir="${AIRLOCK_TOOLS:-$HOME/.cache/airlock-tools}/pypiserver"
if [ "$(cat "$pypiserver_dir/.version" 2>/dev/null)" != "$pypiserver_version" ]; then
  rm -rf "$pypiserver_dir"
  python3 -m venv "$pypiserver_dir"
  "$pypiserver_dir/bin/pip" install --quiet --disable-pip-version-check "pypiserver==$pypiserver_version"
  echo "$pypiserver_version" >"$pypiserver_dir/.version"
fi
export AIRLOCK_PYPISERVER="$pypiserver_dir/bin/pypi-server"
"$AIRLOCK_PYPISERVER" --version >/dev/null
