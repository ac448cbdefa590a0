#!/usr/bin/env bash
# Install (or update) the central balance service on a Debian 12 server: the app in its own
# virtual environment, a local PostgreSQL database (unless --database-url names another),
# the systemd unit, and nginx with TLS in front. Idempotent: run it again to upgrade.
#
#   sudo deploy/central/install.sh --tls-cert server.crt --tls-key server.key \
#        [--database-url URL] [--wheel opet_kiosk-X.whl] [--root DIR]
#
# --tls-cert/--tls-key  from deploy/central/make-ca.sh (required on the first install)
# --database-url URL    a PostgreSQL URL; default: a local database "opet_central" reached over
#                       the Unix socket with peer authentication (no password anywhere)
# --wheel FILE          install the app from this wheel; default: this source tree
# --root DIR            write everything under DIR instead of / (see deploy/lib/common.sh)
set -euo pipefail

SCRIPT_NAME="opet-central install"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$here/../lib/common.sh"

local_database_url="postgresql://opet-central@/opet_central?host=/run/postgresql"
tls_cert="" tls_key="" database_url="" app_spec="$(cd "$here/../.." && pwd)"
while (($#)); do
  case "$1" in
    --tls-cert) tls_cert="$2"; shift 2 ;;
    --tls-key) tls_key="$2"; shift 2 ;;
    --database-url) database_url="$2"; shift 2 ;;
    --wheel) app_spec="$(realpath "$2")"; shift 2 ;;
    --root) set_root "$2"; shift 2 ;;
    *) die "unknown argument: $1 (see the comment at the top of $0)" ;;
  esac
done
require_root_user

tls_dir=/etc/opet-central/tls
if [[ ! -f "$ROOT$tls_dir/server.crt" && ( -z "$tls_cert" || -z "$tls_key" ) ]]; then
  die "first install: give --tls-cert and --tls-key (made by deploy/central/make-ca.sh)"
fi

# The central extra has wheels for all it needs: no compiler, no PC/SC headers (pyscard is the kiosk's).
central_apt=(python3-venv nginx tzdata)
[[ -n "$database_url" ]] || central_apt+=(postgresql)
apt_install "${central_apt[@]}"
# The service's dates (earning rules, SMS birth dates) are Europe/Istanbul whatever the host's
# zone; the host's own clock shows it too, so its logs read like the stations'.
set_station_timezone

ensure_system_user opet-central /var/lib/opet-central

put_dir /opt/opet-central 0755 root root
install_app /opt/opet-central/venv "$app_spec" central

put_dir /etc/opet-central 0750 root opet-central
env_file=/etc/opet-central/central.env
if [[ ! -f "$ROOT$env_file" ]]; then
  template="$(<"$here/central.env")"
  tmp="$(mktemp)"
  trap 'rm -f "$tmp"' EXIT
  printf '%s\n' "${template//@DATABASE_URL@/${database_url:-$local_database_url}}" > "$tmp"
  put_file "$tmp" "$env_file" 0640 root opet-central
  log "wrote $env_file"
else
  log "kept the existing $env_file"
fi

if [[ -z "$database_url" ]]; then
  # Role and database named after the system user: PostgreSQL's peer authentication over the
  # Unix socket then admits the service with no password to store.
  if live; then
    psql_as_postgres() { runuser -u postgres -- psql --quiet --no-psqlrc --tuples-only --no-align "$@"; }
    [[ "$(psql_as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'opet-central'")" == 1 ]] \
      || runuser -u postgres -- createuser opet-central
    [[ "$(psql_as_postgres -c "SELECT 1 FROM pg_database WHERE datname = 'opet_central'")" == 1 ]] \
      || runuser -u postgres -- createdb --owner=opet-central opet_central
  else
    plan "createuser opet-central; createdb --owner=opet-central opet_central (as postgres)"
  fi
fi

put_dir "$tls_dir" 0750 root root
[[ -z "$tls_cert" ]] || put_file "$tls_cert" "$tls_dir/server.crt" 0644 root root
[[ -z "$tls_key" ]] || put_file "$tls_key" "$tls_dir/server.key" 0600 root root

put_file "$here/nginx-opet-central.conf" /etc/nginx/sites-available/opet-central 0644 root root
put_dir /etc/nginx/sites-enabled 0755 root root
ln -sfn ../sites-available/opet-central "$ROOT/etc/nginx/sites-enabled/opet-central"
# Debian's default site is a welcome page on port 80: nothing a service host should show.
rm -f "$ROOT/etc/nginx/sites-enabled/default"

put_file "$here/opet-central.service" /etc/systemd/system/opet-central.service 0644 root root
systemd_running && systemctl daemon-reload
systemctl_target enable opet-central.service nginx.service

if systemd_running; then
  systemctl restart opet-central.service
  nginx -t -q && systemctl reload-or-restart nginx.service
  log "installed and started; check: curl --cacert ca.pem https://<server name>/healthz"
else
  plan "systemctl restart opet-central.service; nginx -t && systemctl reload nginx.service"
fi
