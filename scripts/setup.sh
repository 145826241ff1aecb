# Installs what Taskward's commands need, each piece only when it is missing.
# Sourced by scripts/dev and scripts/test; not run on its own.

CARGO_LEPTOS_VERSION="0.3.10" # 0.3.11 needs a newer rustc than the pinned toolchain

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
fail() {
  printf '\033[1;31merror:\033[0m %s\n' "$*" >&2
  exit 1
}

require_command() { # command, what to do when it is missing
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed. $2"
}

ensure_rust() {
  require_command cargo "Install Rust from rustup (https://rustup.rs), then run this again."
  require_command rustup "Install Rust with rustup so the wasm32 target can be added."
  # rust-toolchain.toml lists the target; this makes sure it is present.
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown || fail "could not add the wasm32-unknown-unknown target (rustup target add wasm32-unknown-unknown)"
  fi
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q " ${CARGO_LEPTOS_VERSION}\$"; then
    return
  fi
  say "Installing cargo-leptos ${CARGO_LEPTOS_VERSION} (once; about 15 minutes on 2 cores)"
  cargo install "cargo-leptos@${CARGO_LEPTOS_VERSION}" --locked ||
    fail "could not install cargo-leptos ${CARGO_LEPTOS_VERSION} (cargo install cargo-leptos@${CARGO_LEPTOS_VERSION} --locked)"
}

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock, and
# cargo-leptos would otherwise try to download one.
ensure_wasm_bindgen() {
  local wanted
  wanted="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  [ -n "$wanted" ] || fail "could not read the wasm-bindgen version from Cargo.lock"
  if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen ${wanted}" ]; then
    return
  fi
  say "Installing wasm-bindgen-cli ${wanted} (once; a few minutes)"
  # Not --locked: its lockfile names a webpki-roots release the registry lacks.
  cargo install wasm-bindgen-cli --version "${wanted}" ||
    fail "could not install wasm-bindgen-cli ${wanted} (cargo install wasm-bindgen-cli --version ${wanted})"
}

APT_UPDATED=""
ensure_debian_package() { # command it provides, Debian package
  command -v "$1" >/dev/null 2>&1 && return
  install_debian_package "$2" "$1"
  command -v "$1" >/dev/null 2>&1 || fail "$2 was installed but $1 is still not on PATH"
}

install_debian_package() { # Debian package, what it is for
  local apt=()
  if [ "$(id -u)" -eq 0 ]; then
    apt=(apt-get)
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    apt=(sudo apt-get)
  else
    fail "$2 is missing. Install the Debian package '$1' (sudo apt-get install -y $1) and run this again."
  fi
  say "Installing the Debian package $1 (for $2)"
  if [ -z "$APT_UPDATED" ]; then
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -qq || fail "apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq "$1" >/dev/null ||
    fail "could not install the Debian package $1"
}

# npm packages of end2end/: Playwright for the browser tests, and binaryen,
# whose wasm-opt shrinks the release bundle (Debian's wasm-opt 108 corrupts
# the externref table that wasm-bindgen emits, so the page never hydrates).
# Reinstalled only when the lockfile changes.
ensure_end2end_packages() {
  require_command node "Install Node.js 20 or newer, then run this again."
  require_command npm "Install npm (it comes with Node.js), then run this again."
  local stamp="end2end/node_modules/.taskward-lock" lock_sum
  lock_sum="$(sha256sum end2end/package-lock.json | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
    return
  fi
  say "Installing the end-to-end test packages (npm ci)"
  # Playwright must not download a browser: the tests use Debian's Chromium.
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) ||
    fail "npm ci failed in end2end/"
  echo "$lock_sum" >"$stamp"
}

# Puts the npm-installed wasm-opt first on PATH, where cargo-leptos looks.
use_npm_wasm_opt() {
  export PATH="$(pwd)/end2end/node_modules/.bin:$PATH"
}

# The HTTP load generator the benchmark drives.
OHA_VERSION="1.16.0"
ensure_oha() {
  if [ "$(oha --version 2>/dev/null)" = "oha ${OHA_VERSION}" ]; then
    return
  fi
  say "Installing oha ${OHA_VERSION} (once; a few minutes)"
  cargo install oha --version "${OHA_VERSION}" --locked ||
    fail "could not install oha ${OHA_VERSION} (cargo install oha --version ${OHA_VERSION} --locked)"
}

# cargo-fuzz builds and runs scripts/fuzz's targets under libFuzzer.
CARGO_FUZZ_VERSION="0.13.2"
ensure_cargo_fuzz() {
  if [ "$(cargo fuzz --version 2>/dev/null)" = "cargo-fuzz ${CARGO_FUZZ_VERSION}" ]; then
    return
  fi
  say "Installing cargo-fuzz ${CARGO_FUZZ_VERSION} (once; about a minute)"
  cargo install cargo-fuzz --version "${CARGO_FUZZ_VERSION}" --locked ||
    fail "could not install cargo-fuzz ${CARGO_FUZZ_VERSION} (cargo install cargo-fuzz --version ${CARGO_FUZZ_VERSION} --locked)"
}

# The tests' Python tools, from PyPI: schemathesis checks the JSON API
# against its OpenAPI document; aiosmtpd is the real SMTP server the mail
# tests start. One virtualenv outside the checkout, rebuilt only when
# end2end/api/requirements.txt changes; the Rust tests find it at
# $PYTHON_VENV (or TASKWARD_TEST_PYTHON).
PYTHON_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/taskward/python-venv"
ensure_python_tools() {
  local stamp="$PYTHON_VENV/.taskward-requirements" wanted
  wanted="$(sha256sum end2end/api/requirements.txt | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -x "$PYTHON_VENV/bin/schemathesis" ]; then
    return
  fi
  ensure_debian_package python3 python3
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    install_debian_package python3-venv "Python virtualenvs"
  fi
  say "Installing schemathesis and aiosmtpd into $PYTHON_VENV (once; about a minute)"
  rm -rf "$PYTHON_VENV"
  python3 -m venv "$PYTHON_VENV" || fail "could not create a Python virtualenv (sudo apt-get install -y python3-venv)"
  "$PYTHON_VENV/bin/pip" install --quiet --disable-pip-version-check -r end2end/api/requirements.txt ||
    fail "could not install the Python test tools from PyPI (see end2end/api/requirements.txt)"
  echo "$wanted" >"$stamp"
}
