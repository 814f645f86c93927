#!/usr/bin/env bash
# Makes a Tor onion-service client-authorization key pair for one reviewer.
#
# Run it on the REVIEWER's machine: the private half never leaves it.
#   deploy/tor/client-auth-keygen.sh NAME ONION-ADDRESS [OUT-DIR]
# writes, mode 0600, into OUT-DIR (default: the current directory):
#   NAME.auth_private  -> the reviewer's ClientOnionAuthDir (keep it secret)
#   NAME.auth          -> send it to the operator, who installs it as
#                         /var/lib/tor/amanat-review/authorized_clients/NAME.auth
# Needs openssl and base32 (coreutils). It prints nothing secret.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 NAME ONION-ADDRESS [OUT-DIR]" >&2
  exit 2
fi
name=$1
onion=${2%.onion}
out=${3:-.}
case $name in
  *[!A-Za-z0-9_-]* | "") echo "NAME may hold only letters, digits, - and _" >&2; exit 2 ;;
esac
if ! [[ $onion =~ ^[a-z2-7]{56}$ ]]; then
  echo "ONION-ADDRESS must be a v3 address (56 base32 characters, .onion optional)" >&2
  exit 2
fi
umask 077
key=$(mktemp)
trap 'rm -f "$key"' EXIT
openssl genpkey -algorithm x25519 -out "$key"
# The raw 32-byte keys are the last 32 bytes of the DER encodings.
private=$(openssl pkey -in "$key" -outform DER | tail -c 32 | base32 | tr -d '=\n')
public=$(openssl pkey -in "$key" -pubout -outform DER | tail -c 32 | base32 | tr -d '=\n')
for f in "$out/$name.auth" "$out/$name.auth_private"; do
  if [ -e "$f" ]; then echo "$f exists; not overwriting" >&2; exit 1; fi
done
printf '%s:descriptor:x25519:%s\n' "$onion" "$private" >"$out/$name.auth_private"
printf 'descriptor:x25519:%s\n' "$public" >"$out/$name.auth"
echo "Wrote $out/$name.auth_private (keep it; move it into your ClientOnionAuthDir)"
echo "Wrote $out/$name.auth (send it to the operator)"
