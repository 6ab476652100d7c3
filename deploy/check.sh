#!/usr/bin/env bash
# Checks the production configuration under deploy/ with the tools that will run it, on this machine only:
# the example addresses (10.20.0.x) are mapped to loopback addresses (127.0.0.x), paths to a scratch folder.
#   - etcd: the three members of deploy/etcd/etcd.conf.yml start as a cluster and report healthy;
#   - Patroni: `patroni --validate-config` on deploy/patroni/patroni.yml (it connects to the etcd members);
#   - HAProxy: `haproxy -c -f` on both files (a throwaway self-signed certificate stands in for the real one);
#   - PgBouncer: deploy/pgbouncer/pgbouncer.ini starts and answers its admin console;
#   - systemd: `systemd-analyze verify` on deploy/systemd/computenet.service.
# Needs (Debian): apt-get install -y etcd-server etcd-client patroni haproxy pgbouncer postgresql-client openssl systemd
# Everything it starts is stopped again (by process id) before it exits. Exit code 0 when every check passes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d /tmp/computenet-deploy-check.XXXXXX)"
chmod 755 "$work"
pids=()
failed=0

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failed=1; }

# 10.20.0.11 -> 127.0.0.11 and so on: every example address becomes a loopback address of the same last octet.
loopback() { sed -E 's/10\.20\.0\.([0-9]+)\b/127.0.0.\1/g' "$@"; }

# etcd: three members on 127.0.0.11-13, each from the committed file with its name, URLs and data folder changed.
for n in 1 2 3; do
    loopback "$here/etcd/etcd.conf.yml" \
        | sed -E "s/^name: db1/name: db$n/; s#^data-dir: .*#data-dir: $work/etcd-db$n#" \
        | sed -E "/^(listen-peer-urls|initial-advertise-peer-urls|listen-client-urls|advertise-client-urls):/ s/127\.0\.0\.11/127.0.0.1$n/g" \
        | sed -E "s#,http://127\.0\.0\.1:2379##" \
        > "$work/etcd-db$n.yml"
    etcd --config-file "$work/etcd-db$n.yml" > "$work/etcd-db$n.log" 2>&1 &
    pids+=($!)
done
endpoints=http://127.0.0.11:2379,http://127.0.0.12:2379,http://127.0.0.13:2379
healthy=0
for _ in $(seq 60); do
    if ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint health > "$work/etcd-health.txt" 2>&1; then healthy=1; break; fi
    sleep 0.5
done
if [ "$healthy" = 1 ] && curl -fsS -X POST -d '{}' http://127.0.0.11:2379/v3/cluster/member/list > /dev/null 2>&1; then
    ok "etcd: three members from etcd/etcd.conf.yml form a cluster ($(ETCDCTL_API=3 etcdctl --endpoints="$endpoints" member list | wc -l) members, all healthy) and serve the v3 JSON gateway Patroni uses"
else
    fail "etcd: the members are not healthy or do not serve /v3/ (Patroni's etcd3 API):"; cat "$work/etcd-health.txt"; tail -5 "$work/etcd-db1.log"
fi

# Patroni: validate against the running etcd; listen ports must be free, bin_dir must hold PostgreSQL 15.
loopback "$here/patroni/patroni.yml" > "$work/patroni.yml"
if patroni --validate-config "$work/patroni.yml" > "$work/patroni-validate.txt" 2>&1; then
    ok "patroni --validate-config patroni/patroni.yml"
else
    fail "patroni --validate-config:"; cat "$work/patroni-validate.txt"
fi

# HAProxy: syntax and semantics (certificates, users, addresses).
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=computenet.test -days 1 \
    -keyout "$work/cert.key" -out "$work/cert.crt" > /dev/null 2>&1
cat "$work/cert.crt" "$work/cert.key" > "$work/computenet.pem"
mkdir -p "$work/run"
for f in haproxy-lb.cfg haproxy-db.cfg; do
    loopback "$here/haproxy/$f" \
        | sed -e "s#/etc/haproxy/certs/computenet.pem#$work/computenet.pem#; s#/run/haproxy/admin.sock#$work/run/admin.sock#" \
        > "$work/$f"
    if haproxy -c -f "$work/$f" > "$work/$f.txt" 2>&1; then
        ok "haproxy -c -f haproxy/$f"
    else
        fail "haproxy -c -f haproxy/$f:"; cat "$work/$f.txt"
    fi
done

# PgBouncer: start it from the committed file (loopback address, scratch log/pid/socket folder, a throwaway admin),
# ask its admin console for the settings ComputeNet depends on, stop it.
loopback "$here/pgbouncer/pgbouncer.ini" \
    | sed -e "s#^logfile = .*#logfile = $work/pgbouncer.log#; s#^pidfile = .*#pidfile = $work/pgbouncer.pid#" \
          -e "s#^unix_socket_dir = .*#unix_socket_dir = $work#; s#^auth_file = .*#auth_file = $work/userlist.txt#" \
    > "$work/pgbouncer.ini"
cp "$here/pgbouncer/userlist.txt" "$work/userlist.txt"
echo '"pgbouncer_admin" "check-only-password"' >> "$work/userlist.txt"
chown -R postgres: "$work"
runuser -u postgres -- pgbouncer "$work/pgbouncer.ini" > "$work/pgbouncer.out" 2>&1 &
pids+=($!)
settings=""
for _ in $(seq 30); do
    if settings="$(PGPASSWORD=check-only-password psql -X -At -h 127.0.0.11 -p 6432 -U pgbouncer_admin pgbouncer -c 'show config' 2>/dev/null)"; then break; fi
    sleep 0.2
done
mode="$(echo "$settings" | awk -F'|' '$1 == "pool_mode" { print $2 }')"
idle="$(echo "$settings" | awk -F'|' '$1 == "idle_transaction_timeout" { print $2 }')"
if [ "$mode" = session ] && [ "$idle" = 0 ]; then
    ok "pgbouncer pgbouncer/pgbouncer.ini starts; pool_mode=$mode, idle_transaction_timeout=$idle"
else
    fail "pgbouncer: pool_mode='$mode' idle_transaction_timeout='$idle'"; tail -5 "$work/pgbouncer.log" "$work/pgbouncer.out" 2>/dev/null || true
fi

# systemd: the unit as systemd reads it (ExecStart pointed at a stand-in executable, the environment file at the
# committed example).
printf '#!/bin/sh\nexit 0\n' > "$work/computenet"
chmod 755 "$work/computenet"
sed -e "s#/opt/computenet/computenet#$work/computenet#; s#^EnvironmentFile=.*#EnvironmentFile=$here/systemd/computenet.env#" \
    "$here/systemd/computenet.service" > "$work/computenet.service"
if systemd-analyze verify "$work/computenet.service" > "$work/systemd.txt" 2>&1 && ! grep -qi "unknown\|invalid\|bad" "$work/systemd.txt"; then
    ok "systemd-analyze verify systemd/computenet.service"
else
    fail "systemd-analyze verify:"; cat "$work/systemd.txt"
fi

exit "$failed"
