#!/usr/bin/env bash
# A failover drill of the production recipe on this machine's loopback addresses: three etcd members, three
# PostgreSQL 15 nodes under Patroni (deploy/patroni/patroni.yml), a PgBouncer per node (deploy/pgbouncer/pgbouncer.ini)
# and HAProxy routing 127.0.0.1:5000 to the leader (deploy/haproxy/haproxy-db.cfg), each from the committed file with
# the example addresses 10.20.0.x mapped to 127.0.0.x. It then
#   1. runs the one-day scenario through 127.0.0.1:5000 (computenet, SCRAM through PgBouncer, the leader's server),
#   2. switches the leader over with `patronictl switchover` and times until 127.0.0.1:5000 reaches the new leader,
#   3. crashes the leader (SIGKILL to Patroni and PostgreSQL) and times the same,
#   4. runs the scenario again on the new leader,
# and stops everything it started. As root; needs the packages deploy/check.sh names and a Release build of the CLI
# (dotnet build -c Release src/ComputeNet.Cli). Changes for loopback, besides the addresses: PostgreSQL listens on the
# node's address only (three nodes cannot share 127.0.0.1:5432), shared_buffers 128MB, WAL archiving to /bin/true
# (no pgBackRest repository here). Takes about 2 minutes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cli="$root/src/ComputeNet.Cli/bin/Release/net10.0/computenet"
work=/var/tmp/computenet/deploy-drill
[ -x "$cli" ] || { echo "build the CLI first: dotnet build -c Release src/ComputeNet.Cli"; exit 2; }
[ -e "$work" ] && { echo "$work exists: a drill is running or was not cleaned up; remove it first"; exit 2; }
mkdir -p "$work"; chown postgres: "$work"; chmod 755 "$work"
pids=()

export PATRONI_SUPERUSER_PASSWORD=drill-superuser PATRONI_REPLICATION_PASSWORD=drill-replication
export PATRONI_REWIND_PASSWORD=drill-rewind PATRONI_RESTAPI_USERNAME=drill PATRONI_RESTAPI_PASSWORD=drill-restapi
app_password=drill-computenet

patroni_pid() { cat "$work/patroni-db$1.pid" 2>/dev/null || true; }

# Two standbys running and replicating (Patroni 3.0.2 says "running" and shows their lag), one of them synchronous;
# at most 3 minutes.
wait_for_standbys() {
    for _ in $(seq 90); do
        [ "$(patronictl -c "$work/patroni-db1.yml" list -f json 2>/dev/null | python3 -c 'import json, sys
ms = json.load(sys.stdin)
ready = [m for m in ms if m["Role"] != "Leader" and m["State"] in ("running", "streaming") and "Lag in MB" in m]
print(len(ready) if any(m["Role"] in ("Sync Standby", "sync_standby") for m in ready) else 0)' 2>/dev/null)" = 2 ] && return
        sleep 1
    done
}

cleanup() {
    set +e
    for n in 1 2 3; do
        # Patroni stops its PostgreSQL when it stops.
        p="$(patroni_pid $n)"; [ -n "$p" ] && kill "$p" 2>/dev/null
    done
    for n in 1 2 3; do
        p="$(patroni_pid $n)"; [ -n "$p" ] && for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
        [ -f "$work/db$n/postmaster.pid" ] && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl stop -D "$work/db$n" -m immediate > /dev/null 2>&1 < /dev/null
        [ -f "$work/pgbouncer-db$n.pid" ] && kill "$(cat "$work/pgbouncer-db$n.pid")" 2>/dev/null
    done
    [ -f "$work/haproxy.pid" ] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

loopback() { sed -E 's/10\.20\.0\.([0-9]+)\b/127.0.0.\1/g' "$@"; }
now() { date +%s.%N; }
leader_behind_5000() {
    PGPASSWORD=$app_password psql -X -At -h 127.0.0.1 -p 5000 -U computenet computenet \
        -c "select host(inet_server_addr()) || ' in_recovery=' || pg_is_in_recovery()" 2>> "$work/probe.log" || true
}

# etcd, as deploy/check.sh starts it.
for n in 1 2 3; do
    loopback "$here/etcd/etcd.conf.yml" \
        | sed -E "s/^name: db1/name: db$n/; s#^data-dir: .*#data-dir: $work/etcd-db$n#" \
        | sed -E "/^(listen-peer-urls|initial-advertise-peer-urls|listen-client-urls|advertise-client-urls):/ s/127\.0\.0\.11/127.0.0.1$n/g" \
        | sed -E "s#,http://127\.0\.0\.1:2379##" > "$work/etcd-db$n.yml"
    etcd --config-file "$work/etcd-db$n.yml" > "$work/etcd-db$n.log" 2>&1 &
    pids+=($!)
done
for _ in $(seq 60); do
    ETCDCTL_API=3 etcdctl --endpoints=http://127.0.0.11:2379 endpoint health > /dev/null 2>&1 && break; sleep 0.5
done

# Patroni, one per node; db1 first so that it bootstraps the cluster.
for n in 1 2 3; do
    loopback "$here/patroni/patroni.yml" \
        | sed -E "s/^name: db1/name: db$n/; s/127\.0\.0\.11:(8008|5432|6432)/127.0.0.1$n:\1/g" \
        | sed -E "s#^  listen: 127\.0\.0\.11,127\.0\.0\.1:5432#  listen: 127.0.0.1$n:5432#" \
        | sed -E "s#^  data_dir: .*#  data_dir: $work/db$n#; s#^  pgpass: .*#  pgpass: $work/pgpass-db$n#" \
        | sed -E "s#^    unix_socket_directories: .*#    unix_socket_directories: $work/sock-db$n#" \
        | sed -E "s#^        shared_buffers: .*#        shared_buffers: 128MB#; s#^        archive_command: .*#        archive_command: /bin/true#" \
        | sed -E "/restore_command:/d; /^      recovery_conf:/d" > "$work/patroni-db$n.yml"
    mkdir -p "$work/sock-db$n"; chown postgres: "$work/sock-db$n"
    chown postgres: "$work/patroni-db$n.yml"
    runuser -u postgres -- sh -c "patroni '$work/patroni-db$n.yml' > '$work/patroni-db$n.log' 2>&1 & echo \$! > '$work/patroni-db$n.pid'" < /dev/null
    [ "$n" = 1 ] && for _ in $(seq 120); do
        curl -fsS -o /dev/null http://127.0.0.11:8008/primary 2>/dev/null && break; sleep 0.5
    done
done
echo "db1 leads; waiting for two running standbys"
wait_for_standbys
patronictl -c "$work/patroni-db1.yml" list

# The application's role and database, on the leader.
runuser -u postgres -- psql -X -q -h "$work/sock-db1" -d postgres \
    -c "create role computenet login password '$app_password'" -c "create database computenet owner computenet"
runuser -u postgres -- psql -X -At -h "$work/sock-db1" -d postgres \
    -c "select format('\"%s\" \"%s\"', rolname, rolpassword) from pg_authid where rolname = 'computenet'" > "$work/userlist.txt"

# PgBouncer on each node, in front of that node's PostgreSQL.
for n in 1 2 3; do
    loopback "$here/pgbouncer/pgbouncer.ini" \
        | sed -e "s#^computenet = host=127.0.0.1 #computenet = host=127.0.0.1$n #; s#^listen_addr = .*#listen_addr = 127.0.0.1$n#" \
              -e "s#^logfile = .*#logfile = $work/pgbouncer-db$n.log#; s#^pidfile = .*#pidfile = $work/pgbouncer-db$n.pid#" \
              -e "s#^unix_socket_dir = .*#unix_socket_dir = #; s#^auth_file = .*#auth_file = $work/userlist.txt#" \
        > "$work/pgbouncer-db$n.ini"
done
chown postgres: "$work"/pgbouncer-db*.ini "$work/userlist.txt"
for n in 1 2 3; do runuser -u postgres -- pgbouncer -d "$work/pgbouncer-db$n.ini"; done

# HAProxy as on an application host.
loopback "$here/haproxy/haproxy-db.cfg" > "$work/haproxy-db.cfg"
haproxy -D -p "$work/haproxy.pid" -f "$work/haproxy-db.cfg"
for _ in $(seq 40); do [ -n "$(leader_behind_5000)" ] && break; sleep 0.5; done
echo "127.0.0.1:5000 reaches: $(leader_behind_5000)"

db="Host=127.0.0.1;Port=5000;Database=computenet;Username=computenet;Password=$app_password;Maximum Pool Size=10;Timeout=5;Command Timeout=120"
scenario() {
    COMPUTENET_DB="$db" "$cli" scenario run "$root/docs/examples/one-day.json" --out "$work/scenario-$1" > "$work/scenario-$1.log" 2>&1 \
        && echo "scenario $1: $(grep -o 'billed (payable by the buyers) [0-9.]* yuan' "$work/scenario-$1.log")" \
        || { echo "scenario $1 failed:"; tail -5 "$work/scenario-$1.log"; }
}
scenario before

# Wait until 127.0.0.1:5000 reaches a primary other than $1; prints the seconds since $2.
until_moved_from() {
    local from=$1 started=$2 seen
    for _ in $(seq 600); do
        seen="$(leader_behind_5000)"
        if [ -n "$seen" ] && [ "${seen%% *}" != "$from" ] && [ "${seen##*=}" = false ]; then
            echo "$(echo "$(now) - $started" | bc | xargs printf '%.1f') s -> $seen"; return
        fi
        sleep 0.2
    done
    echo "not moved after 120 s"
}

sync="$(patronictl -c "$work/patroni-db1.yml" list -f json | python3 -c 'import json,sys; print(next(m["Member"] for m in json.load(sys.stdin) if m["Role"] in ("Sync Standby", "sync_standby")))')"
echo "switchover db1 -> $sync (planned):"
started=$(now)
patronictl -c "$work/patroni-db1.yml" switchover --leader db1 --candidate "$sync" --force > "$work/switchover.log" 2>&1
echo "  127.0.0.1:5000 moved after $(until_moved_from 127.0.0.11 "$started")"
leader="$sync"
wait_for_standbys
patronictl -c "$work/patroni-db1.yml" list

n=${leader#db}
echo "crash of $leader (SIGKILL to its Patroni and its PostgreSQL):"
started=$(now)
kill -9 "$(patroni_pid "$n")"
kill -9 "$(head -1 "$work/db$n/postmaster.pid")"
echo "  127.0.0.1:5000 moved after $(until_moved_from "127.0.0.1$n" "$started")"
patronictl -c "$work/patroni-db1.yml" list 2>/dev/null || patronictl -c "$work/patroni-db2.yml" list
scenario after
