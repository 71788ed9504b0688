#!/bin/sh
# bearerbox must accept smsbox connections before smsbox starts: smsbox does not retry.
set -e
/usr/sbin/bearerbox /etc/kannel/kannel.conf &
bearer=$!
until nc -z 127.0.0.1 13001; do sleep 0.2; done
/usr/sbin/smsbox /etc/kannel/kannel.conf &
smsbox=$!
trap 'kill -TERM $smsbox $bearer; wait' TERM INT
wait $bearer
