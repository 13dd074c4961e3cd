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

# The private PostgreSQL, Redis and IMAP server of bin/serve, bin/test and bench/run.
SERVICE_PACKAGES=(postgresql redis-server dovecot-imapd)

pg_bindir() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

# pg_as_owner CMD...: run a PostgreSQL program as the user that owns the cluster
# (postgres when we are root: initdb and postgres refuse root), from / so that
# a private working directory (under /root) is never in its way.
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# pg_datadir WANT: create and print the data directory for a cluster meant to
# live at WANT (e.g. var/pgdata). The server runs as the postgres user, which
# must be able to enter every parent directory; a checkout under a private
# directory such as /root (mode 700) is out of its reach. Then the cluster
# lives in /var/lib/servicedesk/<hash of WANT>/pgdata, owned by postgres, and
# WANT is a symlink to it: nothing of /root is opened up.
pg_datadir() {
    local want="$1" real
    mkdir -p "$(dirname "$want")"
    if [ -L "$want" ]; then
        real="$(readlink "$want")"
    elif [ "$(id -u)" -ne 0 ] || (cd / && runuser -u postgres -- test -x "$(dirname "$want")"); then
        real="$want"
    else
        real="$(pg_private_dir "$want")"
        # A directory left by a run that could not use it holds no cluster.
        [ -d "$want" ] && [ ! -f "$want/PG_VERSION" ] && rm -rf "$want"
        if [ -f "$real/PG_VERSION" ]; then
            log "a checkout that was at this path before left its cluster in $real: reusing it"
        fi
        ln -sfn "$real" "$want"
    fi
    if [ "$real" != "$want" ]; then
        log "postgres cannot enter $(dirname "$want"): cluster kept in $real, ${want#"$ROOT"/} links to it"
    fi
    if [ "$(id -u)" -eq 0 ]; then
        install -d -o postgres -g postgres -m 755 "$(dirname "$real")"
        install -d -o postgres -g postgres -m 700 "$real"
        install -d -o postgres -g postgres -m 755 "$real.sock"
    else
        mkdir -p -m 700 "$real"
        mkdir -p "$real.sock"
    fi
    printf '%s\n' "$real"
}

# pg_datadir_remove WANT: delete a throwaway cluster's files, wherever they live.
pg_datadir_remove() {
    local want="$1" real="$1" private
    [ -L "$want" ] && real="$(readlink "$want")"
    # A checkout deleted and cloned again at the same path has no symlink any
    # more, but its cluster is still where the symlink pointed.
    private="$(pg_private_dir "$want")"
    rm -rf "$real" "$real.sock" "$private" "$private.sock"
    rm -rf "$want" "$want.sock"
}

# pg_private_dir WANT: where a cluster meant for WANT lives when postgres cannot enter WANT's parent.
pg_private_dir() {
    printf '/var/lib/servicedesk/%s/pgdata\n' "$(printf %s "$1" | sha1sum | cut -c1-12)"
}

# A private IMAP server (Debian's dovecot) on loopback: the mailbox the demo's and the
# tests' mail intake reads. Any user name logs in with the one password, each its own
# mailbox. Mail is kept as the dovecot user, which (like postgres) cannot enter a
# checkout under /root: then its files live in /var/lib/servicedesk/<hash>/imap.
imap_dir() {
    if [ "$(id -u)" -eq 0 ] && ! (cd / && runuser -u dovecot -- test -x "$(dirname "$1")" \
        && runuser -u dovenull -- test -x "$(dirname "$1")") 2>/dev/null; then
        printf '/var/lib/servicedesk/%s/imap\n' "$(printf %s "$1" | sha1sum | cut -c1-12)"
    else
        printf '%s\n' "$1"
    fi
}

# imap_system_off: Debian's package starts a system-wide dovecot (ports 143 and 993, logins of
# the machine's users) where systemd runs; the desk needs only its private one.
imap_system_off() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
    fi
}

# imap_conf WANT PORT PASSWORD [LOG]: write the server's configuration; prints its path.
imap_conf() {
    local dir port="$2" password="$3" owner log
    dir="$(imap_dir "$1")"
    log="${4:-$dir/dovecot.log}"
    owner="$(id -un)"
    [ "$(id -u)" -eq 0 ] && owner=dovecot
    mkdir -p "$dir/run" "$dir/state" "$dir/mail"
    [ "$(id -u)" -eq 0 ] && chown dovecot:dovecot "$dir/mail" && chmod 755 "$(dirname "$dir")" "$dir"
    local internal=""
    [ "$(id -u)" -ne 0 ] && internal="default_internal_user = $owner
default_login_user = $owner"
    (umask 077 && cat >"$dir/dovecot.conf" <<CONF
# Written by bin/lib.sh (imap_conf) on every start.
base_dir = $dir/run
state_dir = $dir/state
log_path = $log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = $(id -u "$owner")
$internal
passdb {
  driver = static
  args = password=$(printf %s "$password" | sed 's/%/%%/g')
}
userdb {
  driver = static
  args = uid=$(id -u "$owner") gid=$(id -g "$owner") home=$dir/mail/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
CONF
    )
    printf '%s\n' "$dir/dovecot.conf"
}

# imap_remove WANT: delete a throwaway IMAP server's mail and state.
imap_remove() {
    rm -rf "$(imap_dir "$1")"
}
