#!/bin/sh
# bearerbox must accept smsbox connections before smsbox starts: smsbox does not retry.
set -e
conf=/etc/kannel/kannel.conf
/usr/sbin/bearerbox "$conf" &
bearer=$!
until nc -z 127.0.0.1 13001; do sleep 0.2; done
/usr/sbin/smsbox "$conf" &
smsbox=$!
pids="$smsbox $bearer"
# Staging: the shipped configuration routes to Kannel's fake SMS centre, which needs its
# peer connected or every message waits in bearerbox's queue. A production configuration
# mounted over kannel.conf names the operator's SMSC instead and skips this. At debug level
# (-v 0) it prints each message it receives, which stands in for the phones in staging
# (scripts/images-smoke reads the operators' login codes there).
if grep -Eq '^smsc *= *fake' "$conf"; then
  port=$(sed -n 's/^port *= *\([0-9]*\)/\1/p' "$conf" | head -1)
  until nc -z 127.0.0.1 "$port"; do sleep 0.2; done
  /usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r "$port" -m 0 -v 0 "100 200 text staging" &
  pids="$! $pids"
fi
trap 'kill -TERM $pids; wait' TERM INT
wait $bearer
