# Shared by bin/serve and bin/test: install what is missing, never by hand.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# apt_ensure PKG...: install the Debian packages that are not installed yet.
apt_ensure() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "apt-get install ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Libraries WeasyPrint loads, a font that covers Chinese, and gettext for translations.
RUNTIME_PACKAGES=(
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
    fonts-wqy-microhei gettext
)
TEST_PACKAGES=(postgresql redis-server poppler-utils chromium)

python_ensure() {
    if ! command -v python3 >/dev/null; then
        apt_ensure python3 python3-venv python3-dev
    fi
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        apt_ensure python3-venv
    fi
}

# venv_ensure [EXTRA]: create .venv and install the project when pyproject.toml changed.
venv_ensure() {
    local extra="${1:-}"
    python_ensure
    [ -x "$PY" ] || { log "creating virtualenv .venv"; python3 -m venv "$VENV"; }
    local spec="."
    [ -n "$extra" ] && spec=".[$extra]"
    local stamp="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)-${extra:-base}"
    if [ ! -f "$stamp" ]; then
        log "pip install -e $spec"
        "$PY" -m pip install -q --upgrade pip
        "$PY" -m pip install -q -e "$ROOT/$spec"
        touch "$stamp"
    fi
}

messages_compile() {
    (cd "$ROOT" && "$PY" manage.py compilemessages -v0 --ignore=.venv)
}
