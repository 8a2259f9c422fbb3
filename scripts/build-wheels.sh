#!/usr/bin/env bash
# Builds what a release publishes, into dist/: the abi3 wheel for manylinux2014 (glibc 2.17) on x86_64, the same
# for aarch64 where its Rust target and libgcc_s are here, and the sdist. zig (the `ziglang` package) links
# against glibc 2.17's symbols, so no manylinux container is needed. Usage: bash scripts/build-wheels.sh
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet "maturin>=1.9.4,<2" "ziglang==0.17.0"
rm -rf dist
mkdir -p dist

# zig links LLVM's libunwind into the module, but glibc unwinds a thread that Python ends at exit (pthread_exit
# while it waits for the GIL) with the libgcc_s it loads: two unwinders reading each other's frames crash the
# process. Naming the target's libgcc_s.so.1 on the module's link line makes every _Unwind_* call use it (a
# library every manylinux system has). `--` passes the flag to the final crate only.
build_wheel() {
  local target=$1 libgcc_s=$2
  # The Rust build uses every core it is given; `nice` keeps a shared machine usable meanwhile.
  nice -n 19 maturin build --release --zig --compatibility manylinux2014 --target "$target" --out dist --quiet \
    -- -C "link-arg=$libgcc_s"
}

build_wheel x86_64-unknown-linux-gnu "$(realpath "$(gcc -print-file-name=libgcc_s.so.1)")"
arm_libgcc_s=/usr/aarch64-linux-gnu/lib/libgcc_s.so.1 # Debian's libgcc-s1-arm64-cross
if ! rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
  echo "build-wheels: no aarch64 wheel: the Rust target is missing (rustup target add aarch64-unknown-linux-gnu)" >&2
elif [ ! -e "$arm_libgcc_s" ]; then
  echo "build-wheels: no aarch64 wheel: $arm_libgcc_s is missing (apt-get install libgcc-s1-arm64-cross)" >&2
else
  build_wheel aarch64-unknown-linux-gnu "$arm_libgcc_s"
fi
maturin sdist --out dist
ls -l dist
