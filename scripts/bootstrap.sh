#!/usr/bin/env bash
# Install everything this project needs on a fresh Debian 12 machine, then the Python
# package into ./.venv. Idempotent: apt runs only when a package is missing.
#   scripts/bootstrap.sh          the kiosk and the central service, for the demo (.[kiosk,central])
#   scripts/bootstrap.sh --test   both, plus what the test suite needs (.[test])
# A station or a service host installs only its own extra: deploy/kiosk/install.sh (.[kiosk]),
# deploy/central/install.sh (.[central]).
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_apt=(
  python3-venv python3-dev gcc libpcsclite-dev pcscd vsmartcard-vpcd pcsc-tools
  libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libglx-mesa0 libmtdev1
  libxext6 libxrender1 libxi6 libxrandr2 libxcursor1 libxss1 libxxf86vm1 libxfixes3
  xvfb xauth fonts-dejavu-core espeak-ng
)
test_apt=(postgresql imagemagick xdotool zbar-tools systemd shellcheck nginx openssl x11-xserver-utils debootstrap chromium)

want=("${runtime_apt[@]}")
extras="[kiosk,central]"
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_apt[@]}")
  extras="[test]"
fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed${extras}"
# Reinstall when the dependencies or a translation changed (the install compiles catalogs).
newer=$(find pyproject.toml setup.py screens/locale -newer "$stamp" -print -quit 2>/dev/null || true)
if [[ ! -f "$stamp" || -n "$newer" ]]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${extras}"
  touch "$stamp"
fi
