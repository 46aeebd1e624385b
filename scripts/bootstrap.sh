#!/usr/bin/env bash
# Installs what `make sim` / `make test` need, and only what is missing:
#   the virtual environment with this package (pip install -e .), Icarus Verilog from apt,
#   a C++ compiler for Verilator, and (with an argument) extra Debian tools such as yosys.
# Safe to run again: every step checks first.  Usage: scripts/bootstrap.sh [apt-tool ...]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

apt_install() {  # apt_install PKG...: as root directly, else through sudo, else explain.
    local runner=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            runner=(sudo)
        else
            echo "bootstrap: need to install Debian packages: $*" >&2
            echo "bootstrap: not root and no password-less sudo; run: sudo apt-get install -y $*" >&2
            exit 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "bootstrap: apt-get not found; install these packages by hand: $*" >&2
        exit 1
    fi
    echo "bootstrap: apt-get install $*"
    "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

missing=()
command -v iverilog >/dev/null 2>&1 || missing+=(iverilog)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
for tool in "$@"; do
    case "$tool" in
        liblz4-dev) [ -e /usr/include/lz4.h ] || missing+=(liblz4-dev) ;;
        *) command -v "$tool" >/dev/null 2>&1 || missing+=("$tool") ;;
    esac
done
if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
fi

stamp="$VENV/.sgdma-installed"
if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "bootstrap: pip install -e . (into $VENV)"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q -e .
    touch "$stamp"
fi
