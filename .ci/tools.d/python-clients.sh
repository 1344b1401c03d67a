# Python's own clients for the native Python index's tests (docs/python.md): twine uploads, pip
# and uv install, one venv, pinned. twine 6.2 and later refuse --skip-existing for any index but
# PyPI's, so a second venv holds twine 6.1.0 for that case alone.
# AIRLOCK_PYTHON_CLIENTS names the main venv's bin directory, AIRLOCK_TWINE_SKIP that twine.
pyclients="${AIRLOCK_TOOLS:-$HOME/.cache/airlock-tools}/python-clients"
pyclients_want='twine==7.0.0 pip==26.3 uv==0.13.9 | twine==6.1.0'
if [ "$(cat "$pyclients/.pinned" 2>/dev/null)" != "$pyclients_want" ]; then
  rm -rf "$pyclients"
  python3 -m venv "$pyclients"
  "$pyclients/bin/pip" install --quiet --disable-pip-version-check twine==7.0.0 pip==26.3 uv==0.13.9
  python3 -m venv "$pyclients/twine-skip"
  "$pyclients/twine-skip/bin/pip" install --quiet --disable-pip-version-check twine==6.1.0
  echo "$pyclients_want" >"$pyclients/.pinned"
fi
export AIRLOCK_PYTHON_CLIENTS="$pyclients/bin"
export AIRLOCK_TWINE_SKIP="$pyclients/twine-skip/bin/twine"
"$AIRLOCK_PYTHON_CLIENTS/twine" --version >/dev/null
"$AIRLOCK_PYTHON_CLIENTS/uv" --version >/dev/null
"$AIRLOCK_TWINE_SKIP" --version >/dev/null
