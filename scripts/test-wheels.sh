#!/usr/bin/env bash
# Installs the x86_64 wheel from dist/ into a fresh venv of every CPython 3.9-3.13 it finds (on PATH, or under
# pyenv) and runs `python -m hcims demo` and the smoke tests there (pytest -m smoke). A version that is not
# found is reported and skipped; any failure fails the script after every version has run.
# Usage: bash scripts/test-wheels.sh   (after scripts/build-wheels.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

shopt -s nullglob
wheels=(dist/hcims-*-abi3-*x86_64*.whl)
[ ${#wheels[@]} -eq 1 ] || { echo "test-wheels: want one x86_64 wheel in dist/, found ${#wheels[@]}" >&2; exit 1; }
wheel="$repo/${wheels[0]}"
find_python() {
  local version=$1 candidate
  # pyenv's shims answer for versions that are not active: a candidate counts only if it runs.
  for candidate in "python$version" "$HOME"/.pyenv/versions/"$version".*/bin/python"$version"; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$version" ]; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

# Only the files that hold smoke tests: the others may import test dependencies the smoke extra leaves out.
mapfile -t smoke_files < <(grep -l '@pytest.mark.smoke' "$repo"/tests/test_*.py)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=()
failed=0
for version in 3.9 3.10 3.11 3.12 3.13; do
  if ! python=$(find_python "$version"); then
    results+=("$version: not found, skipped")
    continue
  fi
  full=$("$python" -c 'import platform; print(platform.python_version())')
  echo "== CPython $full ($python)"
  venv="$work/venv-$version"
  log="$work/$version.log"
  if "$python" -m venv "$venv" &&
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel[smoke]" &&
    # From outside the clone, so that nothing but the installed wheel can be imported as hcims.
    (cd "$work" && "$venv/bin/python" -c 'import hcims, sys; assert "site-packages" in hcims.__file__, hcims.__file__' &&
      "$venv/bin/python" -m hcims demo >"$log" 2>&1) &&
    "$venv/bin/python" -m pytest -q -p no:cacheprovider -m smoke --rootdir "$repo" -c "$repo/pyproject.toml" \
      "${smoke_files[@]}" 2>&1 | tee -a "$log" | tail -n 1 | tee "$work/$version.summary"; then
    results+=("$full: demo ok; smoke $(cat "$work/$version.summary")")
  else
    results+=("$full: FAILED (log below)")
    cat "$log" >&2 || true
    failed=1
  fi
done

echo "== test-wheels: $(basename "$wheel")"
printf '  %s\n' "${results[@]}"
exit "$failed"
