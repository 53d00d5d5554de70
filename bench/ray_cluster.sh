#!/usr/bin/env bash
# Runs a command against a real local Ray cluster (a head plus NODES-1 nodes joined to it, CPUS each),
# inside fresh network and PID namespaces: only loopback is up, so Ray registers 127.0.0.1 and sends nothing
# off the machine, and `ray stop` (or the namespace ending) stops this cluster's processes only.
# Usage: bash bench/ray_cluster.sh PORT NODES CPUS COMMAND...   (COMMAND sees RAY_ADDRESS=127.0.0.1:PORT)
# Needs root (or unprivileged user namespaces) for unshare; RAY_BIN names the `ray` script (default: on PATH).
set -euo pipefail
if [ -z "${COUNTERCLAIM_RAY_NETNS:-}" ]; then
  exec env COUNTERCLAIM_RAY_NETNS=1 unshare --net --pid --fork --mount-proc bash "$0" "$@"
fi
port=$1 nodes=$2 cpus=$3
shift 3
ray=${RAY_BIN:-ray}
ip link set lo up
export RAY_USAGE_STATS_ENABLED=0 RAY_ADDRESS="127.0.0.1:$port"
# A small object store: partitions of articles and their records are megabytes, not gigabytes.
common=(--node-ip-address 127.0.0.1 --num-cpus "$cpus" --disable-usage-stats --object-store-memory 100000000)
trap '"$ray" stop --force >/dev/null 2>&1 || true' EXIT
"$ray" start --head --port "$port" --include-dashboard false "${common[@]}" >&2
for _ in $(seq 2 "$nodes"); do
  "$ray" start --address "$RAY_ADDRESS" "${common[@]}" >&2
done
"$@"
