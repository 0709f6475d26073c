# Shared by scripts/demo.sh and scripts/test.sh: repository root, progress output, and the
# Debian packages the project needs (installed only when missing).
set -euo pipefail
XENABI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export XENABI_ROOT

step() { printf '\n==> %s\n' "$*"; }

# Debian packages: compilers, build tools, libraries, docs, the Xen headers used as a test
# oracle, and multilib for the 32-bit (i386) ABI checks.
XENABI_PACKAGES=(cmake ninja-build g++ clang libclang-rt-14-dev g++-multilib
                 libboost-dev libmsgsl-dev catch2 doxygen graphviz libbenchmark-dev libxen-dev
                 binutils python3)

ensure_packages() {
  local missing=()
  for p in "${XENABI_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]})); then
    step "installing missing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
  else
    step "Debian packages present"
  fi
}

# configure DIR CXX CC [cmake args...]: configure a build tree with Ninja (ccache when present).
configure() {
  local dir=$1 cxx=$2 cc=$3
  shift 3
  local launcher=()
  if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S "$XENABI_ROOT" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" \
    "${launcher[@]}" "$@"
}
