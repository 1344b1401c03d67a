# The peers the Python index's benchmark (bench/pypi.ts) measures itself against, each pinned in
# its own venv: devpi-server, and pypiserver set up as its docs advise for serving (the gunicorn
# server, the watchdog listing cache) apart from the plain pypiserver the tests use.
# AIRLOCK_DEVPI and AIRLOCK_PYPISERVER_BENCH name the two venvs' bin directories. Only the
# benchmark needs them, so one that does not install is a note, not a failed run: the benchmark
# leaves that peer out and says why.
pypi_peers_dir="${AIRLOCK_TOOLS:-$HOME/.cache/airlock-tools}"
pypi_peers_install() { # <venv> <pins…>: (re)creates the venv when its pins changed
  local venv="$1"
  shift
  if [ "$(cat "$venv/.pinned" 2>/dev/null)" != "$*" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" &&
      "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" &&
      echo "$*" >"$venv/.pinned"
  fi
}
pypi_peers_install "$pypi_peers_dir/devpi" devpi-server==6.20.3 ||
  echo "note: devpi-server did not install; the pypi benchmark leaves it out"
pypi_peers_install "$pypi_peers_dir/pypiserver-bench" 'pypiserver[cache]==2.4.2' gunicorn==27.0.1 ||
  echo "note: pypiserver with gunicorn did not install; the pypi benchmark leaves it out"
export AIRLOCK_DEVPI="$pypi_peers_dir/devpi/bin"
export AIRLOCK_PYPISERVER_BENCH="$pypi_peers_dir/pypiserver-bench/bin"
