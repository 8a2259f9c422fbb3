#!/usr/bin/env bash
# Builds what a release publishes, into dist/: the abi3 wheel for manylinux2014 (glibc 2.17) on x86_64, the same
# for aarch64 when the Rust target is installed, and the sdist. zig (the `ziglang` package) links against
# glibc 2.17's symbols, so no manylinux container is needed. Usage: bash scripts/build-wheels.sh
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet "maturin>=1.9.4,<2" "ziglang==0.17.0"
rm -rf dist
mkdir -p dist

# The Rust build uses every core it is given; `nice` keeps a shared machine usable meanwhile.
build_wheel() {
  nice -n 19 maturin build --release --zig --compatibility manylinux2014 --target "$1" --out dist --quiet
}

build_wheel x86_64-unknown-linux-gnu
if rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
  build_wheel aarch64-unknown-linux-gnu
else
  echo "build-wheels: no aarch64 wheel: the Rust target aarch64-unknown-linux-gnu is not installed" \
    "(rustup target add aarch64-unknown-linux-gnu)" >&2
fi
maturin sdist --out dist
ls -l dist
