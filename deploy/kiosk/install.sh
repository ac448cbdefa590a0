#!/usr/bin/env bash
# Install (or update) the Opet Kart kiosk on a Debian 12 machine. Idempotent: run it again to
# upgrade the app; the configuration and the token are kept unless new ones are given.
#
#   sudo deploy/kiosk/install.sh --service-url https://central.example:443 \
#        --token-file device-token --ca-file ca.pem [--wheel opet_kiosk-X.whl] [--root DIR]
#
# --service-url  written into /etc/opet-kiosk/kiosk.toml on the first install (required then)
# --token-file   the token printed by `opet-central add-device --kind kiosk`
# --ca-file      the private CA that signed the service's certificate (deploy/central/make-ca.sh)
# --wheel FILE   install the app from this wheel; default: this source tree
# --root DIR     write everything under DIR instead of / (see deploy/lib/common.sh)
# --insecure     accept a plain http:// --service-url (a test bench only: the device token and
#                every card number would cross the network in clear text)
set -euo pipefail

SCRIPT_NAME="opet-kiosk install"
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$here/../lib/common.sh"

service_url="" token_file="" ca_file="" insecure="" app_spec="$(cd "$here/../.." && pwd)"
while (($#)); do
  case "$1" in
    --service-url) service_url="$2"; shift 2 ;;
    --token-file) token_file="$2"; shift 2 ;;
    --ca-file) ca_file="$2"; shift 2 ;;
    --wheel) app_spec="$(realpath "$2")"; shift 2 ;;
    --root) set_root "$2"; shift 2 ;;
    --insecure) insecure=1; shift ;;
    *) die "unknown argument: $1 (see the comment at the top of $0)" ;;
  esac
done
require_root_user

# vsmartcard's virtual reader listens on every network interface: anyone on the station's
# network could present a fake card. It belongs on development machines only.
if package_installed vsmartcard-vpcd || grep -qrs libifdvpcd "$ROOT/etc/reader.conf.d/"; then
  die "vsmartcard-vpcd (the virtual card reader) is installed: remove it first (apt-get purge vsmartcard-vpcd)"
fi

config="/etc/opet-kiosk/kiosk.toml"
if [[ ! -f "$ROOT$config" && -z "$service_url" ]]; then
  die "first install: give --service-url (the central service, https://...)"
fi
# Over plain http the device token and every looked-up card number cross the network in clear.
case "$service_url" in
  "" | https://*) ;;
  http://*)
    [[ -n "$insecure" ]] \
      || die "--service-url must be https:// (got $service_url); only a test bench may give --insecure"
    log "warning: --insecure: the token and card numbers cross the network to $service_url unencrypted" ;;
  *) die "--service-url must be https://... (got $service_url)" ;;
esac

kiosk_apt=(
  # the app's virtual environment, and what pip needs to build pyscard (it has no Linux wheel)
  python3-venv python3-dev gcc libpcsclite-dev
  # card readers: pcscd, the CCID driver of USB contactless readers, and pcsc-tools for
  # opet-reader probe (its smartcard_list.txt names card families by ATR)
  pcscd libccid pcsc-tools
  # a bare X server started by xinit, plus xset/xrandr for the session script
  xserver-xorg-core xserver-xorg-input-libinput xinit xauth x11-xserver-utils
  # the logind session that lets Xorg run without root
  libpam-systemd dbus
  # GL for Kivy (Mesa; llvmpipe when there is no GPU) and the X client libraries SDL loads
  libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libglx-mesa0 libmtdev1 fonts-dejavu-core
  libxext6 libxrender1 libxi6 libxrandr2 libxcursor1 libxss1 libxxf86vm1 libxfixes3
  # the balance read aloud (offline speech, to the audio output through ALSA)
  espeak-ng
  # the zone database: the machine runs on Europe/Istanbul, the stations' time
  tzdata
)
apt_install "${kiosk_apt[@]}"
set_station_timezone

# video/render: the GPU; input: touch screens and keyboards when logind does not hand them over;
# audio: the sound card the balance is read aloud on.
ensure_system_user opet-kiosk /var/lib/opet-kiosk video render input audio

put_dir /opt/opet-kiosk 0755 root root
install_app /opt/opet-kiosk/venv "$app_spec" kiosk
put_file "$here/session" /opt/opet-kiosk/session 0755 root root

put_dir /etc/opet-kiosk 0750 root opet-kiosk
if [[ ! -f "$ROOT$config" ]]; then
  template="$(<"$here/kiosk.toml")"
  tmp="$(mktemp)"
  trap 'rm -f "$tmp"' EXIT
  installed_ca=""
  [[ -z "$ca_file" ]] || installed_ca=/etc/opet-kiosk/ca.pem
  template="${template//@SERVICE_URL@/$service_url}"
  printf '%s\n' "${template//@CA_FILE@/$installed_ca}" > "$tmp"
  put_file "$tmp" "$config" 0640 root opet-kiosk
  log "wrote $config"
else
  log "kept the existing $config"
fi
[[ -z "$token_file" ]] || put_file "$token_file" /etc/opet-kiosk/device-token 0600 root root
[[ -z "$ca_file" ]] || put_file "$ca_file" /etc/opet-kiosk/ca.pem 0644 root root
[[ -f "$ROOT/etc/opet-kiosk/device-token" ]] \
  || log "warning: no device token yet: give --token-file (the kiosk cannot start without it)"

put_file "$here/10-opet-kiosk.conf" /etc/X11/xorg.conf.d/10-opet-kiosk.conf 0644 root root
put_file "$here/logind-opet-kiosk.conf" /etc/systemd/logind.conf.d/opet-kiosk.conf 0644 root root
put_file "$here/sysctl-opet-kiosk.conf" /etc/sysctl.d/60-opet-kiosk.conf 0644 root root
put_file "$here/opet-kiosk.service" /etc/systemd/system/opet-kiosk.service 0644 root root

systemd_running && systemctl daemon-reload
systemctl_target enable opet-kiosk.service pcscd.socket
# The kiosk takes tty1 from the login prompt (a technician can still start getty@tty1 by hand).
systemctl_target disable getty@tty1.service
# Ctrl+Alt+Del on a text console would reboot the station.
systemctl_target mask ctrl-alt-del.target

if systemd_running; then
  log "installed; reboot to start the kiosk session (or: systemctl restart opet-kiosk)"
else
  plan "reboot (systemd is not running here: units are enabled, nothing was started)"
fi
