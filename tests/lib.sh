# shellcheck shell=bash
# tests/lib.sh: helpers sourced by every test layer script (tests/t-*.sh).
#
# Sourcing it sets:
#   ROOT    absolute path of the repository root
#   BIN     directory holding tcpsift-extract and tcpsift-analyze
#           ($TCPSIFT_BIN, default build/; a relative path is taken from ROOT)
#   SHARED  public captures folder ($TCPSIFT_SHARED, default ../shared/pcaps
#           next to the repository); may not exist, see have_shared
#   TMP     a private temporary directory, removed when the script exits
# and defines pass / fail / skip, which print the result lines run.sh
# collects ("PASS name", "FAIL name: reason", "SKIP name: reason"), and
# finish, which exits 1 when any FAIL was printed.
#
# Invariant: result lines go to stdout and start in column 0; any other
# output of a layer (details) must not start with PASS, FAIL or SKIP.
# This file does not run tests or build anything.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

BIN=${TCPSIFT_BIN:-build}
case $BIN in
/*) ;;
*) BIN=$ROOT/$BIN ;;
esac

SHARED=${TCPSIFT_SHARED:-$ROOT/../shared/pcaps}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tcpsift-test.XXXXXX") || {
	echo "lib.sh: cannot create a temporary directory" >&2
	exit 1
}
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

_lib_failed=0

pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; _lib_failed=$((_lib_failed + 1)); }
skip() { printf 'SKIP %s: %s\n' "$1" "$2"; }

# have_bin NAME: true when $BIN/NAME is an executable file.
have_bin() { [ -x "$BIN/$1" ]; }

# have_shared: true when the shared public captures folder is present.
have_shared() { [ -d "$SHARED" ]; }

# finish: end a layer script; exit status 1 when any test failed.
finish() { [ "$_lib_failed" -eq 0 ] && exit 0; exit 1; }
