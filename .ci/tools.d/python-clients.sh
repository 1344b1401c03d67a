# Python's own clients (twine uploads, pip and uv install) for the native Python index's tests
# (docs/python.md). One venv, pinned; AIRLOCK_PYTHON_CLIENTS names its bin directory.
pyclients="${AIRLOCK_TOOLS:-$HOME/.cache/airlock-tools}/python-clients"
pyclients_want='twine==7.0.0 pip==26.3 uv==0.13.9'
if [ "$(cat "$pyclients/.pinned" 2>/dev/null)" != "$pyclients_want" ]; then
  rm -rf "$pyclients"
  python3 -m venv "$pyclients"
  # shellcheck disable=SC2086 # the pins are separate words on purpose
  "$pyclients/bin/pip" install --quiet --disable-pip-version-check $pyclients_want
  echo "$pyclients_want" >"$pyclients/.pinned"
fi
export AIRLOCK_PYTHON_CLIENTS="$pyclients/bin"
"$AIRLOCK_PYTHON_CLIENTS/twine" --version >/dev/null
"$AIRLOCK_PYTHON_CLIENTS/uv" --version >/dev/null
