#!/usr/bin/env bash
# heal into PostgreSQL against a bare `psql \copy` of the same file, on a throwaway server (scripts/test-postgres).
# Usage: bench/postgres.sh [ROWS]   (default 1000000). Prints wall seconds, rows/s, peak RSS and the ratio.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
peers_dir="$repo/bench/peers"
rows=${1:-1000000}
work=${BENCH_DIR:-/tmp/heal-bench}
mkdir -p "$work"
export HEAL_TEST_PG_STATE="$work/postgres"
trap '"$repo/scripts/test-postgres" destroy' EXIT
eval "$("$repo/scripts/test-postgres" start)"
export PGPASSWORD=$HEAL_TEST_POSTGRES_PASSWORD
url=${HEAL_TEST_POSTGRES_URL/postgres:/postgresql:}
(cd "$repo" && swift build -c release --product heal >/dev/null)
heal="$repo/.build/release/heal"
data="$work/sales_$rows.csv"
[ -f "$data" ] || python3 "$peers_dir/gen_sales.py" --rows "$rows" --seed 42 --out "$data" --products "$work/products.csv" 2>/dev/null
measure() { # label, command...; sets $wall
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >"$work/stdout.txt" 2>"$work/stderr.txt" || { cat "$work/stdout.txt" "$work/stderr.txt" >&2; return 1; }
  read -r wall kb < "$work/time.txt"
  printf '%-30s %9s %8s %10.0f %9.0f\n' "$label" "$rows" "$wall" "$(echo "$rows / $wall" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
}
printf '%-30s %9s %8s %10s %9s\n' tool rows wall_s rows_per_s peak_MB
columns=$(head -1 "$data" | tr -d '\r' | sed 's/,/ text, /g; s/$/ text/')
psql -q -d "$url" -c "DROP TABLE IF EXISTS sales_copy; CREATE TABLE sales_copy ($columns)"
measure "psql \\copy (no checks)" psql -q -d "$url" -c "\\copy sales_copy FROM '$data' WITH (FORMAT csv, HEADER true)"; copy=$wall
home="$work/home-postgres"
rm -rf "$home" && cp -r "$repo/bench/home" "$home"
sed -i "s|target: sqlite:warehouse.db|target: $HEAL_TEST_POSTGRES_URL|" "$home/skills/load.yml"
measure "heal run -> PostgreSQL" "$heal" run bench-sales --date 2026-11-21 --home "$home" --var "input=$data" --var "products=$work/products.csv"; healwall=$wall
grep -E '^(succeeded|partial|healed)' "$work/stdout.txt" || true
printf 'loaded in PostgreSQL: %s rows (psql \\copy: %s)\n' "$(psql -Atq -d "$url" -c 'SELECT count(*) FROM sales')" "$(psql -Atq -d "$url" -c 'SELECT count(*) FROM sales_copy')"
printf 'ratio at %s rows: heal / psql \\copy = %.2f\n' "$rows" "$(echo "$healwall / $copy" | bc -l)"
