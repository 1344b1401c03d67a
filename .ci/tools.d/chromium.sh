# Debian's Chromium, driven by playwright-core for the web interface's browser tests (test/web).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export AIRLOCK_CHROMIUM=/usr/bin/chromium
/usr/bin/chromium --version
