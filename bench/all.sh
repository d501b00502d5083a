#!/usr/bin/env bash
# Reruns every figure of bench/RESULTS.md (about 50 minutes on 2 cores, 17 of them
# generating the cities the first time; a city already generated is reused):
#
#   python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && apt-get install wrk
#   bash bench/all.sh                 # SCALES="0.1 1" by default; the last one gets the plans
#   SCALES="1 10" bash bench/all.sh   # the S=10 city needs ~1 h and ~70 GB here
#   RUN_ARGS="--duration 1 --repeat 1" SCALES=0.01 bash bench/all.sh   # a quick dry run
#
# Needs a PostgreSQL server (SERVER, default 127.0.0.1:5432, user postgres) where it may
# create databases partygrid_bench_s<scale> and partygrid_bench_bulk_*.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER="${SERVER:-postgresql://postgres@127.0.0.1:5432}"
SCALES="${SCALES:-0.1 1}"
UNTIL="${UNTIL:-2026-11-30}"  # tickets cover the two years before it
read -r -a run_args <<<"${RUN_ARGS:-}"  # extra options for every bench/run.py pass
BIN="${VENV:-.venv}/bin"
export PATH="$BIN:$PATH"

generated() {  # the database exists and holds a generated city
  psql "$SERVER/$1" -Atc "SELECT 1 FROM users WHERE username = 'city.admin'" 2>/dev/null \
    | grep -qx 1
}

results=()
for scale in $SCALES; do
  db="partygrid_bench_s${scale//./_}"
  if ! generated "$db"; then
    echo "--- generating S=$scale into $db"
    psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    DATABASE_URL="$SERVER/$db" partygrid migrate
    DATABASE_URL="$SERVER/$db" partygrid generate --scale "$scale" --until "$UNTIL" \
      | tee "bench/results/generate-S$scale.txt"
  fi
  echo "--- scenarios at S=$scale"
  out="bench/results/S$scale.json"
  python bench/run.py --scale "$scale" --out "$out" "${run_args[@]}"
  results+=("$out")
done

if [[ ${#results[@]} -ge 2 ]]; then
  echo "--- list latency growth, S=${SCALES%% *} -> S=${SCALES##* }"
  python bench/run.py compare "${results[0]}" "${results[-1]}" | tee bench/results/growth.md
fi

last="${SCALES##* }"
# A street's statistics at 64 connections queue for seconds and spill from one pass into
# the next; at 8 connections the passes agree (RESULTS.md reports both).
echo "--- ticket_stats at 8 connections (S=$last)"
python bench/run.py --scale "$last" --scenarios ticket_stats --connections 8 --no-plans \
  --city-reps 3 --out "bench/results/S$last-ticket_stats-c8.json" "${run_args[@]}"

echo "--- where a request's CPU goes (in-process, S=$last)"
DATABASE_URL="$SERVER/partygrid_bench_s${last//./_}" \
  python bench/where_time_goes.py --out bench/results/layers.md

echo "--- bulk load against raw COPY (S=0.1)"
DATABASE_URL="$SERVER/postgres" python bench/bulk_load.py --scale 0.1 \
  | tee bench/results/bulk_load.txt
