# moto's standalone S3 server, for the S3 blob store's tests (docs/storage.md says why moto).
venv="${AIRLOCK_VENV:-$HOME/.cache/airlock-venv}"
if ! "$venv/bin/python" -c 'import sys, moto; sys.exit(moto.__version__ != "5.2.1")' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.1'
fi
export PATH="$venv/bin:$PATH"
moto_server --help >/dev/null
