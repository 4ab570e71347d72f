#!/usr/bin/env bash
# User-space instructions per request of Ferry's router, counted by valgrind's callgrind: a
# figure the noise of a shared machine does not move (wall-clock CPU per request moved ±30 %
# between runs here). The router (this build's dist/, as `npm run build` leaves it) serves
# GET / of examples/hello; wrk -t1 -c32 loads it for 20 s of warm-up, then the counters are
# zeroed and 30 s of load are counted.
#
#   bash bench/router-instructions.sh [dist-root]    # default: this checkout
#   BY_FUNCTION=1 bash bench/router-instructions.sh  # and where they go, by function
#
# Needs valgrind and wrk (apt-get install valgrind wrk). Prints requests, instructions and
# instructions per request. Compare two builds by passing another checkout's root. BY_FUNCTION=1
# also has V8 log where it puts compiled code (--log-code) and prints the 30 functions that spent
# the most instructions a request themselves, JavaScript ones named with their tier
# (bench/support/jit-functions.ts, from this checkout's dist/: run `npm run build` first).
set -euo pipefail
root=$(cd "${1:-$(dirname "$0")/..}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill -9 ${vg:-} ${hello:-} 2>/dev/null || true; rm -rf "$work"' EXIT
for tool in valgrind callgrind_control wrk; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install valgrind wrk)" >&2; exit 2; }
done
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
upstream=$(free_port)
port=$(free_port)
PORT=$upstream node "$here/examples/hello/server.js" >/dev/null 2>&1 &
hello=$!
cat >"$work/router.mjs" <<'EOF'
const root = process.env.ROUTER_ROOT;
const { Registry } = await import(`${process.env.MODULES}/prom-client/index.js`);
const { Router } = await import(`${root}/dist/src/traffic/router/router.js`);
const { createRouterMetrics } = await import(`${root}/dist/src/traffic/router/router-metrics.js`);
const router = new Router({ metrics: createRouterMetrics(new Registry()) });
await router.apply({
  service: 'bench',
  environment: 'bench',
  listen: { host: '127.0.0.1', port: Number(process.env.PORT) },
  backends: {
    stable: [{ id: 'hello', host: '127.0.0.1', port: Number(process.env.UPSTREAM_PORT), version: 'v1' }],
  },
});
console.log('ready');
EOF
code_log=()
[ "${BY_FUNCTION:-0}" = 1 ] && code_log=(--log-code "--logfile=$work/code.log" --no-logfile-per-isolate)
ROUTER_ROOT=$root MODULES=$here/node_modules PORT=$port UPSTREAM_PORT=$upstream \
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  node "${code_log[@]}" --max-semi-space-size=16 "$work/router.mjs" >"$work/router.log" 2>&1 &
vg=$!
for _ in $(seq 1 120); do grep -q ready "$work/router.log" 2>/dev/null && break; sleep 1; done
grep -q ready "$work/router.log" || { echo "the router did not start under valgrind" >&2; exit 1; }
wrk -t1 -c32 -d20s "http://127.0.0.1:$port/" >/dev/null
callgrind_control -z "$vg" >/dev/null 2>&1
wrk -t1 -c32 -d30s "http://127.0.0.1:$port/" >"$work/wrk.txt"
callgrind_control -d "$vg" >/dev/null 2>&1
sleep 2
requests=$(grep -o '[0-9]* requests in' "$work/wrk.txt" | cut -d' ' -f1)
dump=$(ls -t "$work"/callgrind.out* | head -1)
instructions=$(grep -m1 '^summary:\|^totals:' "$dump" | awk '{print $2}')
echo "router_instructions_per_request $((instructions / requests)) (requests $requests, instructions $instructions, build $root)"
if [ "${BY_FUNCTION:-0}" = 1 ]; then
  node "$here/dist/bench/support/jit-functions.js" "$dump" "$work/code.log" "$requests"
fi
