#!/bin/sh
# make-certs.sh DIR [HOST...] - a private certificate authority and a
# server certificate for a Touchline broker, for tests and first set-up.
# Production deployments may use certificates from their own CA instead.
#
#   DIR/ca.crt, ca.key          the CA (keep ca.key offline)
#   DIR/server.crt, server.key  for mosquitto; valid for each HOST given
#                               (default: localhost and 127.0.0.1)
#   DIR/client-NAME.crt/.key    with CLIENT=NAME set: a client certificate
set -eu
DIR=$1
shift
[ $# -gt 0 ] || set -- localhost 127.0.0.1
mkdir -p "$DIR"
umask 077
san=""
for h in "$@"; do
	case $h in
	*[!0-9.]*) san="$san${san:+,}DNS:$h" ;;
	*) san="$san${san:+,}IP:$h" ;;
	esac
done
if [ ! -f "$DIR/ca.key" ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Touchline private CA" \
		-keyout "$DIR/ca.key" -out "$DIR/ca.crt" 2>/dev/null
fi
openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$DIR/server.key" \
	-out "$DIR/server.csr" 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" > "$DIR/server.ext"
openssl x509 -req -in "$DIR/server.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" \
	-CAcreateserial -days 825 -extfile "$DIR/server.ext" -out "$DIR/server.crt" 2>/dev/null
if [ -n "${CLIENT:-}" ]; then
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$CLIENT" -keyout "$DIR/client-$CLIENT.key" \
		-out "$DIR/client.csr" 2>/dev/null
	printf 'extendedKeyUsage=clientAuth\n' > "$DIR/client.ext"
	openssl x509 -req -in "$DIR/client.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" \
		-CAcreateserial -days 825 -extfile "$DIR/client.ext" \
		-out "$DIR/client-$CLIENT.crt" 2>/dev/null
fi
rm -f "$DIR"/*.csr "$DIR"/*.ext "$DIR/ca.srl"
chmod 644 "$DIR/ca.crt" "$DIR/server.crt"
echo "certificates in $DIR: ca.crt, server.crt, server.key (for: $*)"
