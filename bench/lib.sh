# Shared by the bench scripts (sourced): wrk, and an owner's console session.

need_wrk() {
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
}

# The release binary: $BIN when set, else built by cargo into its target directory (as cargo
# does: $CARGO_TARGET_DIR when set, ./target otherwise). Prints its path.
release_bin() {
  if [ -n "${BIN:-}" ]; then echo "$BIN"; return; fi
  cargo build --release --quiet >&2
  echo "${CARGO_TARGET_DIR:-$PWD/target}/release/roster"
}

# The value of a page's CSRF field, read from stdin.
csrf_field() {
  grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"$//'
}

# Signs in to an area ("console" or "myaccount") at $2 as $3 with password $4, keeping cookies
# in the jar $5; prints the Cookie header value of that area's session.
session_cookie() {
  local area="$1" base="$2" email="$3" password="$4" jar="$5" token code
  token=$(curl -fs -c "$jar" -b "$jar" "$base/$area/login" | csrf_field)
  code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
    --data-urlencode "csrf_token=$token" --data-urlencode "email=$email" \
    --data-urlencode "password=$password" "$base/$area/login")
  [ "$code" = 303 ] || { echo "$area sign-in failed: $code" >&2; return 1; }
  echo "roster_$area=$(awk -v c="roster_$area" '$6 == c {print $7}' "$jar")"
}
