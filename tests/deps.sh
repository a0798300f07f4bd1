#!/bin/sh
# deps.sh - install the Debian packages tcpsift needs, or say how.
#
#   sh tests/deps.sh build   compiler, pkg-config, libpcap, libzstd and libsqlite3 headers
#   sh tests/deps.sh test    the above plus tshark (the oracle), python3, clang (fuzzing)
#   sh tests/deps.sh bench   the above plus the peers and GNU time
#
# As root it runs `apt-get update` once and installs what is missing; as
# anyone else it prints the exact command and fails.  Nothing is installed
# when everything is already there.
set -eu

want="gcc make pkg-config libpcap-dev libzstd-dev libsqlite3-dev"
case ${1:-build} in
test) want="$want tshark python3 clang" ;;
bench) want="$want tshark python3 clang tcptrace argus-server time" ;;
esac

missing=""
for pkg in $want; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $pkg"
done
# python3 may come from outside Debian (pyenv); a working one will do
case " $missing " in *" python3 "*)
	command -v python3 >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ python3//') ;;
esac
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "tcpsift needs these Debian packages:$missing" >&2
	echo "install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing Debian packages:$missing" >&2
apt-get update -qq
# tshark asks whether non-root users may capture: answer the default
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$missing >/dev/null
