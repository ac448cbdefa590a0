#!/usr/bin/env bash
# The README's demo command: installs what is needed on a fresh Debian machine, then runs the
# kiosk on the embedded default: the central service on SQLite with demo cards, pcscd with
# vsmartcard's virtual reader (when run as root), and the kiosk with demo "tap" buttons; it prints
# the address of the service's web console with the demo agent's and admin's sign-in.
#   scripts/demo.sh              windowed 1280x800
#   scripts/demo.sh --fullscreen as on a station
# Everything it starts is stopped when the kiosk window closes. Data lives in var/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

port="${OPET_DEMO_PORT:-8600}"
data="var/demo"
mkdir -p "$data"
bin=".venv/bin"
database="sqlite:///$PWD/$data/central.db"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$bin/opet-central" demo-data --database "$database"
if [[ ! -s "$data/kiosk-token" ]]; then
  rm -f "$data/kiosk-token"
  "$bin/opet-central" add-device --kind kiosk --name "demo kiosk" --database "$database" --token-file "$data/kiosk-token"
fi
"$bin/opet-central" serve --host 127.0.0.1 --port "$port" --database "$database" > "$data/central.log" 2>&1 &
pids+=($!)

if ! pgrep -x pcscd >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    # Debian's vsmartcard-vpcd puts its virtual reader into /etc/reader.conf.d/.
    pcscd --foreground > "$data/pcscd.log" 2>&1 &
    pids+=($!)
  else
    echo "demo: pcscd is not running and this is not root: demo taps use the stand-in demo reader"
  fi
fi

cat > "$data/kiosk.toml" <<TOML
[service]
url = "http://127.0.0.1:$port"
token_file = "$PWD/$data/kiosk-token"

[screen]
idle_timeout_seconds = 30

[attendant]
technician_codes = ["1001"]   # the demo attendant also sees the technician's self-test

[demo]
# The demo cards loaded by 'opet-central demo-data' (docs/ARCHITECTURE.md).
cards = ["7000070012806566", "7000071234567895", "7000079876543215", "7000075555000014",
         "7000072026000012", "7000072026000020"]
TOML

"$bin/python" - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("demo: the central service did not start; see var/demo/central.log")
PY
cat <<TEXT
demo: the web console (call centre and head office) is at http://127.0.0.1:$port/console
demo:   call-centre agent: demo-agent / demo-agent-pass    back office admin: demo-admin / demo-admin-pass
TEXT

window=(--windowed)
[[ "${1:-}" == "--fullscreen" ]] && window=()
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "demo: no display found; starting the kiosk on a virtual display (Xvfb :99)."
  Xvfb :99 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  pids+=($!)
  export DISPLAY=:99
  sleep 0.5
fi
"$bin/opet-kiosk" "${window[@]}" --config "$data/kiosk.toml" --demo-cards
