#!/usr/bin/env bash
# Install (if missing) and start the development/test clamd for Antragsraum.
#
# Idempotent, run as root; fast when clamd already answers PING. Steps:
#   1. apt-get install clamav-daemon when clamd is missing;
#   2. write the local signature database: one .ndb line that detects the EICAR
#      test string (clamd will not start without a database and cannot download
#      the official ones here);
#   3. start clamd with scripts/clamd/clamd.conf unless it answers PING (RELOAD
#      it instead when the signature changed), wait until it answers;
#   4. print the address for app.scanning.ClamdClient.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
conf="$here/clamd.conf"

conf_value() { awk -v key="$1" '$1 == key { print $2; exit }' "$conf"; }
socket_path="$(conf_value LocalSocket)"
db_dir="$(conf_value DatabaseDirectory)"
log_file="$(conf_value LogFile)"
pid_file="$(conf_value PidFile)"
run_user="$(conf_value User)"
start_log="/tmp/clamd-antragsraum.start.log"
address="unix:$socket_path"

# Send one clamd command (z-form, NUL-terminated) and print the reply.
clamd_command() {
  python3 - "$socket_path" "$1" <<'PY' 2>/dev/null
import socket, sys
path, command = sys.argv[1], sys.argv[2]
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
    sock.settimeout(2)
    sock.connect(path)
    sock.sendall(b"z" + command.encode() + b"\0")
    reply = b""
    while not reply.endswith(b"\0"):
        data = sock.recv(4096)
        if not data:
            break
        reply += data
print(reply.rstrip(b"\0").decode(errors="replace"))
PY
}
clamd_answers() { [ "$(clamd_command PING || true)" = "PONG" ]; }

# The EICAR test string, assembled here so that the literal string never
# appears in the repository (it would trip scanners on every checkout).
eicar() {
  local a='X5O!P%@AP[4\PZX54(P^)7CC)7}' b='$EICAR-STANDARD-ANTIVIRUS' c='-TEST-FILE!$H+H*'
  printf '%s%s%s' "$a" "$b" "$c"
}

# 1. clamd installed?
if ! command -v clamd >/dev/null 2>&1 && [ ! -x /usr/sbin/clamd ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "clamd is not installed; run this script as root (make clamd)" >&2
    exit 1
  fi
  echo "Installing clamav-daemon (Debian)"
  if ! apt-cache policy clamav-daemon 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon >/dev/null
fi
clamd_bin="$(command -v clamd || echo /usr/sbin/clamd)"

# 2. Local signature database: "Name:TargetType:Offset:HexSignature" (.ndb),
# target type 0 = any file, offset * = anywhere (also inside archives).
signature="Antragsraum.Test.EICAR:0:*:$(eicar | od -An -v -tx1 | tr -d ' \n')"
sig_file="$db_dir/antragsraum-eicar.ndb"
sig_changed=no
if [ ! -f "$sig_file" ] || [ "$(cat "$sig_file")" != "$signature" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "writing $sig_file needs root (make clamd)" >&2; exit 1; }
  mkdir -p "$db_dir"
  printf '%s\n' "$signature" >"$sig_file.tmp"
  chmod 644 "$sig_file.tmp"
  mv "$sig_file.tmp" "$sig_file"
  chmod 755 "$db_dir"
  sig_changed=yes
fi

# 3. Running with the current configuration? Otherwise (re)start it.
conf_stamp="$(dirname "$pid_file")/clamd-antragsraum.conf.sha256"
conf_sum="$(sha256sum "$conf" | cut -d' ' -f1)"
if clamd_answers && [ "$(cat "$conf_stamp" 2>/dev/null || true)" != "$conf_sum" ]; then
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  if [ -n "$pid" ] && [ "$(id -u)" -eq 0 ]; then
    echo "clamd.conf changed: stopping clamd (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
fi
if clamd_answers; then
  if [ "$sig_changed" = yes ]; then
    echo "Signature database changed: $(clamd_command RELOAD || true)"
    for _ in $(seq 1 60); do clamd_answers && break; sleep 0.5; done
  fi
else
  [ "$(id -u)" -eq 0 ] || { echo "starting clamd needs root (make clamd)" >&2; exit 1; }
  for dir in "$(dirname "$socket_path")" "$(dirname "$pid_file")"; do
    mkdir -p "$dir"
    [ -z "$run_user" ] || chown "$run_user:" "$dir"
  done
  touch "$log_file"
  [ -z "$run_user" ] || chown "$run_user:" "$log_file"
  rm -f "$socket_path"  # stale: nothing answered PING on it
  echo "Starting clamd ($conf)"
  # Foreground no: clamd loads the database, then daemonizes (the parent exits
  # once the child is ready); its standard streams must not hold make's pipes.
  if ! "$clamd_bin" --config-file="$conf" </dev/null >"$start_log" 2>&1; then
    echo "clamd failed to start:" >&2
    cat "$start_log" >&2
    tail -n 20 "$log_file" >&2 || true
    exit 1
  fi
  for _ in $(seq 1 120); do clamd_answers && break; sleep 0.5; done
  echo "$conf_sum" >"$conf_stamp"
fi

if ! clamd_answers; then
  echo "clamd does not answer PING on $socket_path (log: $log_file)" >&2
  tail -n 20 "$log_file" >&2 || true
  exit 1
fi

# 4.
echo "clamd ready: $address ($(clamd_command VERSION))"
