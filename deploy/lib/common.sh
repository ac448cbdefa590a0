# Helpers shared by deploy/kiosk/install.sh and deploy/central/install.sh (sourced, not run).
#
# Both installers take --root DIR: every file is then written under DIR instead of /, users are
# created in DIR/etc with `useradd --root`, units are enabled with `systemctl --root`, and the
# steps that need the target's package manager or running services (apt-get, PostgreSQL,
# restarting units) are printed as "plan: ..." lines instead of being run. The tests use this
# to install into a throwaway directory; on a station the root is / and everything runs.
# shellcheck shell=bash

ROOT=""

log() { echo "${SCRIPT_NAME}: $*"; }
die() { echo "${SCRIPT_NAME}: error: $*" >&2; exit 1; }
plan() { echo "plan: $*"; }
live() { [[ -z "$ROOT" ]]; }

# systemd is PID 1 (not a chroot, container build or CI runner): units can be reloaded and started.
systemd_running() { live && [[ -d /run/systemd/system ]]; }

set_root() {
  [[ -d "$1" ]] || die "--root $1 is not a directory"
  ROOT="$(cd "$1" && pwd)"
  [[ "$ROOT" == "/" ]] && ROOT=""
  return 0
}

require_root_user() {
  # Files are chowned to system users and units are enabled: only root can do that.
  [[ $(id -u) -eq 0 ]] || die "run as root (sudo $0 ...)"
}

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Status}' "$pkg" 2>/dev/null \
      | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if ! live; then
    plan "apt-get install --no-install-recommends ${missing[*]}"
    return 0
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  # No recommends: a kiosk gets exactly this list, nothing that widens what it runs.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

package_installed() {
  dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# ensure_system_user NAME HOME [GROUP...]: a system user with its own group, no login shell,
# member of the given groups (created as system groups if the machine lacks one).
ensure_system_user() {
  local name="$1" home="$2" group
  shift 2
  local rootopt=()
  live || rootopt=(--root "$ROOT")
  for group in "$@"; do
    groupadd "${rootopt[@]}" --force --system "$group"
  done
  local groups_csv
  groups_csv="$(IFS=,; echo "$*")"
  if grep -q "^${name}:" "$ROOT/etc/passwd"; then
    [[ -z "$groups_csv" ]] || usermod "${rootopt[@]}" --append --groups "$groups_csv" "$name"
  else
    log "creating system user $name"
    useradd "${rootopt[@]}" --system --user-group --home-dir "$home" --no-create-home \
      --shell /usr/sbin/nologin ${groups_csv:+--groups "$groups_csv"} "$name"
  fi
}

# Numeric ids from the target's own databases: under --root the host does not know its users.
uid_of() { awk -F: -v name="$1" '$1 == name { print $3 }' "$ROOT/etc/passwd"; }
gid_of() { awk -F: -v name="$1" '$1 == name { print $3 }' "$ROOT/etc/group"; }

# put_file SRC DEST MODE OWNER GROUP: copy with exact mode and ownership (replaces DEST).
put_file() {
  install -D -m "$3" -o "$(uid_of "$4")" -g "$(gid_of "$5")" "$1" "$ROOT$2"
}

# put_dir DEST MODE OWNER GROUP
put_dir() {
  install -d -m "$2" -o "$(uid_of "$3")" -g "$(gid_of "$4")" "$ROOT$1"
}

# install_app VENV SPEC EXTRA: the app with the dependencies of one product (EXTRA: kiosk or
# central, pyproject.toml's extras) in a virtual environment of its own. SPEC is a wheel file
# or a source tree; PIP_* variables (PIP_NO_INDEX, PIP_FIND_LINKS) pass through for stations
# that install offline from a wheelhouse.
install_app() {
  local venv="$ROOT$1" spec="$2" extra="$3"
  [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
  log "installing ${spec}[${extra}] into $1"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "${spec}[${extra}]"
}

# The programme's zone (Europe/Istanbul) as the machine's own: the journal, log lines and any
# local time a technician reads match the stations' clocks. The apps use Europe/Istanbul for
# every date and time they show or check whatever this says (opetcard/station_time.py); this
# is for the people reading the machine. Needs the tzdata package (the installers ask for it).
STATION_ZONE=Europe/Istanbul
set_station_timezone() {
  ln -sfn "/usr/share/zoneinfo/$STATION_ZONE" "$ROOT/etc/localtime"
  echo "$STATION_ZONE" > "$ROOT/etc/timezone"
  log "time zone: $STATION_ZONE"
}

systemctl_target() {
  if live; then systemctl "$@"; else systemctl --root="$ROOT" "$@"; fi
}
