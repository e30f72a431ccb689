#!/usr/bin/env bash
# The second broker of CI (issue 13): RabbitMQ 4.0 from Debian trixie's packages, in a
# debootstrap chroot, listening on 127.0.0.1:5673 as node rabbit4@localhost, next to the
# machine's RabbitMQ 3.10 on 5672. `.ci/run` runs the broker-dependent tests against both.
#
# The chroot is cached under /var/cache (DOCINGEST_RABBITMQ4_ROOT overrides) and reused by
# every later run on this machine; a fresh machine builds it (about a minute: debootstrap
# --variant=minbase --include=rabbitmq-server from the mirror the machine's apt already uses).
# A build goes to a temporary directory that is renamed into place only when complete, so an
# interrupted build is never mistaken for a cache. Idempotent: when something already answers
# on the port, it checks that it is this node and a 4.x broker and leaves it running.
#
# Its CLI: chroot "$ROOT" rabbitmqctl -n rabbit4@localhost …
# /proc, /dev and /sys are bind-mounted into the chroot while the broker runs: to remove the
# cache, stop the node and `umount "$ROOT"/{proc,dev,sys}` first (rm -rf would reach the host's).
set -euo pipefail
ROOT="${DOCINGEST_RABBITMQ4_ROOT:-/var/cache/docingest-ci/rabbitmq4-trixie}"
PORT=5673
DIST_PORT=25673
NODE=rabbit4@localhost
SUITE=trixie

up() { (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; }
ctl() { chroot "$ROOT" env HOME=/var/lib/rabbitmq rabbitmqctl -n "$NODE" "$@"; }

# The Debian mirror this machine's apt uses (deb822 .sources first, then one-line lists).
mirror() {
  local m
  m=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  [ -n "$m" ] || m=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
  echo "${m:-http://deb.debian.org/debian}"
}

build() {
  command -v debootstrap >/dev/null || {
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >/dev/null
  }
  local tmp="$ROOT.building.$$" m
  m=$(mirror)
  mkdir -p "$(dirname "$ROOT")"
  rm -rf "$tmp"
  echo "building the RabbitMQ 4 chroot from $m ($SUITE) in $tmp"
  local t0=$SECONDS
  if ! debootstrap --variant=minbase --include=rabbitmq-server "$SUITE" "$tmp" "$m" >"$tmp.log" 2>&1; then
    tail -n 30 "$tmp.log" >&2
    echo "debootstrap failed (log: $tmp.log)" >&2
    exit 1
  fi
  rm -f "$tmp.log"
  # rabbitmq-server's postinst may have started nothing (no init in a chroot); configure it.
  cat >"$tmp/etc/rabbitmq/rabbitmq.conf" <<CONF
listeners.tcp.default = $PORT
loopback_users.guest = true
CONF
  cat >"$tmp/etc/rabbitmq/rabbitmq-env.conf" <<CONF
NODENAME=$NODE
NODE_PORT=$PORT
DIST_PORT=$DIST_PORT
CONF
  cp /etc/hosts "$tmp/etc/hosts"
  mv "$tmp" "$ROOT"
  echo "chroot built in $((SECONDS - t0)) s"
}

mounted() { mountpoint -q "$ROOT/$1"; }

start() {
  for fs in proc dev sys; do
    mounted "$fs" || mount --bind "/$fs" "$ROOT/$fs"
  done
  local log="$ROOT/var/log/rabbitmq/docingest-ci-start.log"
  # setsid: the broker outlives this script and the CI step that ran it.
  HOME=/var/lib/rabbitmq setsid chroot "$ROOT" /usr/sbin/rabbitmq-server >"$log" 2>&1 </dev/null &
  for _ in $(seq 120); do up && break; sleep 0.5; done
  if ! up || ! ctl await_startup --timeout 60 >/dev/null 2>&1; then
    echo "RabbitMQ 4 did not start on 127.0.0.1:$PORT; its log:" >&2
    tail -n 40 "$log" >&2 || true
    exit 1
  fi
}

if ! up; then
  [ -x "$ROOT/usr/sbin/rabbitmq-server" ] || build
  start
fi
version=$(ctl version 2>/dev/null || true)
case "$version" in
  4.*) echo "rabbitmq $version up on 127.0.0.1:$PORT (node $NODE, chroot $ROOT)" ;;
  *) echo "127.0.0.1:$PORT answers, but node $NODE in $ROOT reports version '${version}', not 4.x" >&2; exit 1 ;;
esac
