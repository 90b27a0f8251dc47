# Shared by the bench scripts (sourced): wrk, and an owner's console session.

need_wrk() {
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
}

# The value of a page's CSRF field, read from stdin.
csrf_field() {
  grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//;s/"$//'
}

# Signs in to the console at $1 as $2 with password $3, keeping cookies in the jar $4; prints
# the Cookie header value of the console session.
console_cookie() {
  local base="$1" email="$2" password="$3" jar="$4" token code
  token=$(curl -fs -c "$jar" -b "$jar" "$base/console/login" | csrf_field)
  code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
    --data-urlencode "csrf_token=$token" --data-urlencode "email=$email" \
    --data-urlencode "password=$password" "$base/console/login")
  [ "$code" = 303 ] || { echo "sign-in failed: $code" >&2; return 1; }
  echo "roster_console=$(awk '$6 == "roster_console" {print $7}' "$jar")"
}
