# Services the tests need: a throwaway PostgreSQL server for the state store's Postgres tests.
# Sourced by scripts/test.sh (services_start before the tests, services_stop on exit); tests that find no
# LP_TEST_POSTGRES outside CI source it themselves. Works on a fresh Debian machine (installs PostgreSQL from
# Debian's packages when missing) and when run again and again: every start makes a new cluster in a temp dir.

_lp_pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; fi
}

# A port nothing listens on now (bash's /dev/tcp connect fails on a free port).
_lp_free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

services_start() {
  local bindir user port attempt
  bindir=$(_lp_pg_bindir)
  if [ -z "$bindir" ]; then
    echo "services: installing PostgreSQL from Debian's packages" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bindir=$(_lp_pg_bindir)
    [ -n "$bindir" ] || { echo "services: PostgreSQL binaries not found after install" >&2; return 1; }
  fi
  # initdb and postgres refuse to run as root: run them as the package's postgres user (or a user we make).
  user=postgres
  if [ "$(id -u)" -eq 0 ]; then
    id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  else
    user=$(id -un)
  fi

  # Under /tmp, not $TMPDIR: the cluster user must reach it, and the socket path must stay short.
  LP_PG_DIR=$(mktemp -d /tmp/lp-pg.XXXXXX)
  export LP_PG_DIR LP_PG_BINDIR="$bindir" LP_PG_USER="$user"
  chmod 755 "$LP_PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown "$user" "$LP_PG_DIR"; fi
  _lp_as "$bindir/initdb" -D "$LP_PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$LP_PG_DIR/initdb.log" 2>&1 \
    || { cat "$LP_PG_DIR/initdb.log" >&2; return 1; }

  for attempt in 1 2 3 4 5; do
    port=$(_lp_free_port) || { echo "services: no free port" >&2; return 1; }
    # Durability is irrelevant for a throwaway test cluster; fsync off keeps CREATE DATABASE per test fast.
    if _lp_as "$bindir/pg_ctl" -D "$LP_PG_DIR/data" -l "$LP_PG_DIR/server.log" -w -t 60 \
         -o "-p $port -k $LP_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
         start >/dev/null 2>&1; then
      break
    fi
    echo "services: PostgreSQL did not start on port $port (attempt $attempt)" >&2
    port=""
  done
  [ -n "$port" ] || { tail -n 20 "$LP_PG_DIR/server.log" >&2; return 1; }
  for _ in $(seq 1 60); do
    "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" || { echo "services: PostgreSQL not ready on port $port" >&2; return 1; }
  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres lp_test
  export LP_PG_PORT="$port"
  export LP_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=lp_test;Timeout=30;Command Timeout=60"
  echo "services: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $LP_PG_DIR)" >&2
}

services_stop() {
  if [ -n "${LP_PG_DIR:-}" ] && [ -d "$LP_PG_DIR" ]; then
    if [ -f "$LP_PG_DIR/data/postmaster.pid" ]; then
      _lp_as "$LP_PG_BINDIR/pg_ctl" -D "$LP_PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$LP_PG_DIR"
  fi
  unset LP_PG_DIR LP_PG_PORT LP_TEST_POSTGRES
}

# Runs a server binary as the cluster's user, from a folder that user can read.
_lp_as() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$LP_PG_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}
