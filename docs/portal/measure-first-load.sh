#!/usr/bin/env bash
# First page load of the portal against a running `serve` (docs/portal.md, "First page load").
# Usage: docs/portal/measure-first-load.sh [BASE_URL] BUYER_KEY
#   BASE_URL defaults to http://127.0.0.1:5080; BUYER_KEY is a buyer's cnk_… key (POST /v1/parties/{id}/keys).
# For each page: time to first byte and total of the HTML, then of its stylesheet and script fetched one after the other
# (a browser fetches them in parallel, so "full" here is an upper bound of the full load). The first request of each
# page after the host started is the cold one; the script then loads each page 20 times more and prints the median.
set -euo pipefail
base="${1:-http://127.0.0.1:5080}"
key="${2:?a buyer key (cnk_…) is needed}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
jar="$work/cookies"

fetch() { # url -> "ttfb total" in ms; body in $work/body
    curl -s -b "$jar" -c "$jar" -o "$work/body" -w '%{time_starttransfer} %{time_total} %{http_code}\n' "$1" |
        awk '{ printf "%.1f %.1f %s\n", $1 * 1000, $2 * 1000, $3 }'
}

page() { # name path -> one line per load: ttfb html-total full
    local name="$1" path="$2"
    read -r ttfb total code < <(fetch "$base$path")
    [ "$code" = 200 ] || { echo "$name: HTTP $code" >&2; exit 1; }
    local full="$total"
    for asset in $(grep -o '/assets/[a-z.]*?v=[0-9a-f]*' "$work/body" | sort -u); do
        read -r _ t _ < <(fetch "$base$asset")
        full=$(awk -v a="$full" -v b="$t" 'BEGIN { printf "%.1f", a + b }')
    done
    echo "$ttfb $total $full"
}

report() { # name path
    local name="$1" path="$2"
    read -r ttfb total full < <(page "$name" "$path")
    printf '%-22s first load: TTFB %7.1f ms, HTML %7.1f ms, full %7.1f ms\n' "$name" "$ttfb" "$total" "$full"
    for _ in $(seq 20); do page "$name" "$path"; done | sort -n -k3 | sed -n 10p |
        awk -v n="$name" '{ printf "%-22s median of 20: TTFB %7.1f ms, HTML %7.1f ms, full %7.1f ms\n", n, $1, $2, $3 }'
}

report "sign-in page" /signin
fetch "$base/signin" > /dev/null
token="$(grep -o 'name="__RequestVerificationToken" value="[^"]*"' "$work/body" | head -1 | sed 's/.*value="//; s/"$//')"
curl -s -b "$jar" -c "$jar" -o /dev/null -w 'sign-in post: HTTP %{http_code} in %{time_total}s\n' \
    --data-urlencode "key=$key" --data-urlencode "__RequestVerificationToken=$token" --data-urlencode "_handler=signin" \
    --data-urlencode "returnUrl=/" "$base/signin"
report "buyer home" /
report "buyer market depth" "/buyer/market"
report "buyer invoices" "/buyer/invoices"
