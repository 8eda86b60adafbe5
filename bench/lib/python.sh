# Sourced by the bench scripts that compare with Python peers. Sets PY to the Debian python that the Debian packages
# belong to (not a pyenv shim) and installs the named packages when their modules do not import.
# Usage: ensure_python "import sklearn, xgboost, pandas" python3-sklearn python3-xgboost python3-pandas
PY=/usr/bin/python3
ensure_python() {
  local imports=$1; shift
  if ! "$PY" -c "$imports" 2>/dev/null; then
    echo "installing $* (Debian packages)" >&2
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update
    $sudo apt-get install -y "$@"
  fi
}
