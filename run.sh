#!/usr/bin/env bash
# Single entry point for building, trying and testing mpcheck.
#
#   ./run.sh example   build (Release) and check examples/python/seed.py with mpcheck
#   ./run.sh test      warnings-as-errors build + all tests, sanitizer build + tests, format check
#   ./run.sh build     install what is missing, configure and build build/
#   ./run.sh format    reformat every C++ source in place
#
# Missing Debian packages are installed with apt-get (sudo is used only when not root).
# Environment: MPCHECK_JOBS (parallelism, default: number of cores),
#              MPCHECK_SKIP_DEPS=1 (do not check or install packages).
set -Eeuo pipefail

# Everything the build, the tests and the checks need, as Debian 12 package names.
readonly PACKAGES=(
    build-essential
    cmake
    ninja-build
    libgtest-dev
    libgmock-dev
    libbenchmark-dev
    librapidcheck-dev
    libboost-graph-dev
    nlohmann-json3-dev
    libcli11-dev
    clang-format
    python3
)

# Paths are relative to the repository root, which main() makes the working directory.
readonly BUILD_DIR=build
readonly ASAN_BUILD_DIR=build-asan
readonly PROFILE_BUILD_DIR=build-profile
# The training run of the profile-guided build: every example program, checked.
readonly TRAINING_SCRIPTS=(examples/python/*.py)
readonly CLI_PROGRAM="${BUILD_DIR}/cli/mpcheck"
readonly EXAMPLE_SCRIPT=examples/python/seed.py
readonly API_EXAMPLE_PROGRAM="${BUILD_DIR}/examples/api_seed_deadlock"

phase="startup"
start_seconds=${SECONDS}
jobs=""

usage() {
    cat <<EOF
Usage: ./run.sh <command>

Commands:
  example   install missing packages, build (Release), check examples/python/seed.py
  test      install missing packages, then run every check:
              1. warnings-as-errors Release build in build/ and all its tests
              2. address+undefined sanitizer build in build-asan/ and its tests
                 (tests labelled 'slow', 'conformance' or 'package' are skipped there)
              3. clang-format check of every C++ source
  build     install missing packages, configure and build build/
  format    reformat every C++ source in place with clang-format
  --help    show this message

Environment:
  MPCHECK_JOBS=N        build and test with N parallel jobs (default: number of cores)
  MPCHECK_SKIP_DEPS=1   do not check for or install Debian packages
  MPCHECK_PGO=0         build build/ without profile-guided and link-time optimization
                        (by default, with GCC, an instrumented build in build-profile/ first
                        checks the example programs, and build/ is optimized with that
                        profile at link time: about 15% faster searches, a longer build)
EOF
}

banner() {
    phase="$1"
    printf '\n==== %s ====\n' "$1"
}

die() {
    trap - ERR
    printf '\nrun.sh: error: %s\n' "$*" >&2
    printf 'run.sh: FAILED during "%s"\n' "${phase}" >&2
    exit 1
}

on_error() {
    local status=$?
    trap - ERR
    printf '\nrun.sh: FAILED during "%s" (exit status %d)\n' "${phase}" "${status}" >&2
    exit "${status}"
}
trap on_error ERR

elapsed() {
    local seconds=$((SECONDS - start_seconds))
    printf '%dm%02ds' $((seconds / 60)) $((seconds % 60))
}

choose_jobs() {
    jobs="${MPCHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}"
    [[ "${jobs}" =~ ^[1-9][0-9]*$ ]] || die "MPCHECK_JOBS must be a positive integer, got '${jobs}'"
}

package_installed() {
    # A multi-arch package may be listed once per architecture; any installed copy counts.
    dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qx installed
}

install_missing_packages() {
    banner "dependencies"
    if [[ "${MPCHECK_SKIP_DEPS:-0}" == 1 ]]; then
        echo "MPCHECK_SKIP_DEPS=1: not checking Debian packages"
        return
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "warning: not a Debian-based system; make sure these (or equivalents) are installed:"
        echo "  ${PACKAGES[*]}"
        return
    fi

    local missing=()
    local package
    for package in "${PACKAGES[@]}"; do
        package_installed "${package}" || missing+=("${package}")
    done
    if ((${#missing[@]} == 0)); then
        echo "all ${#PACKAGES[@]} packages already installed"
        return
    fi

    echo "installing missing packages: ${missing[*]}"
    local privilege=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 ||
            die "not root and sudo is unavailable; install as root: apt-get install ${missing[*]}"
        privilege=(sudo)
    fi
    # sudo resets the environment, so the variable is passed as an assignment on its command line.
    "${privilege[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${privilege[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"

    for package in "${missing[@]}"; do
        package_installed "${package}" || die "package ${package} is still not installed"
    done
}

# configure <build dir> <cmake arguments...>
configure() {
    local dir="$1"
    shift
    local generator=()
    # An existing build directory keeps the generator it was created with.
    if [[ ! -f "${dir}/CMakeCache.txt" ]] && command -v ninja >/dev/null 2>&1; then
        generator=(-G Ninja)
    fi
    cmake -S . -B "${dir}" "${generator[@]}" "$@"
}

build() {
    cmake --build "$1" --parallel "${jobs}"
}

run_tests() {
    local dir="$1"
    shift
    ctest --test-dir "$dir" --output-on-failure --no-tests=error \
        --parallel "${jobs}" "$@"
}

# Profile-guided optimization, first half: an instrumented mpcheck in build-profile/ checks
# every example program and leaves its profile in build-profile/profile/; profile_args become
# the CMake arguments that optimize build/ with it, at link time (about 15% faster searches on
# the benchmark, for about three minutes more of building on two cores). Skipped with
# MPCHECK_PGO=0 or a compiler other than GCC.
train_profile() {
    profile_args=(-DMPCHECK_PROFILE= -DMPCHECK_LTO=OFF)
    if [[ "${MPCHECK_PGO:-1}" == 0 ]]; then return; fi
    if ! "${CXX:-c++}" --version 2>/dev/null | grep -q "Free Software Foundation"; then return; fi
    local profile="${PWD}/${PROFILE_BUILD_DIR}/profile"
    banner "configure ${PROFILE_BUILD_DIR}/ (Release, instrumented for profile-guided optimization)"
    configure "${PROFILE_BUILD_DIR}" -DCMAKE_BUILD_TYPE=Release -DMPCHECK_WERROR=ON \
        -DMPCHECK_BUILD_TESTS=OFF -DMPCHECK_BUILD_BENCH=OFF \
        -DMPCHECK_PROFILE=generate -DMPCHECK_PROFILE_DIR="${profile}"
    banner "build ${PROFILE_BUILD_DIR}/ (${jobs} jobs)"
    cmake --build "${PROFILE_BUILD_DIR}" --parallel "${jobs}" --target mpcheck
    banner "training: the instrumented mpcheck checks ${#TRAINING_SCRIPTS[@]} example programs"
    rm -rf "${profile}"
    local script status
    for script in "${TRAINING_SCRIPTS[@]}"; do
        status=0
        "${PROFILE_BUILD_DIR}/cli/mpcheck" check "${script}" >/dev/null || status=$?
        # Each example is either clean (0) or has a violation (1).
        ((status <= 1)) || die "training: mpcheck check ${script} exited with ${status}"
    done
    echo "profile written to ${profile}"
    profile_args=(-DMPCHECK_PROFILE=use -DMPCHECK_PROFILE_DIR="${profile}" -DMPCHECK_LTO=ON)
}

# The main build is configured the same way for every command, so that switching between
# `example` and `test` never triggers a full rebuild.
build_main() {
    local profile_args
    train_profile
    if [[ "${profile_args[0]}" == -DMPCHECK_PROFILE=use ]]; then
        banner "configure build/ (Release, warnings as errors, link-time optimized with the profile)"
    else
        banner "configure build/ (Release, warnings as errors)"
    fi
    configure "${BUILD_DIR}" -DCMAKE_BUILD_TYPE=Release -DMPCHECK_WERROR=ON "${profile_args[@]}"
    banner "build build/ (${jobs} jobs)"
    build "${BUILD_DIR}"
}

cpp_sources() {
    # Tracked sources plus new ones not yet added (but never ignored ones such as build trees).
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard -- '*.hpp' '*.cpp' |
            while IFS= read -r -d '' file; do
                # Files deleted from the working tree are still listed by --cached.
                if [[ -f "${file}" ]]; then printf '%s\0' "${file}"; fi
            done
    else
        find . -path ./.git -prune -o -path './build*' -prune -o \
            -type f \( -name '*.hpp' -o -name '*.cpp' \) -printf '%P\0'
    fi
}

check_format() {
    banner "format check"
    clang-format --version
    local files=() unformatted=() file
    while IFS= read -r -d '' file; do files+=("${file}"); done < <(cpp_sources)
    for file in "${files[@]}"; do
        clang-format --dry-run --Werror "${file}" >/dev/null 2>&1 || unformatted+=("${file}")
    done
    if ((${#unformatted[@]} > 0)); then
        for file in "${unformatted[@]}"; do
            printf '\n%s is not clang-format clean; the change clang-format wants begins:\n' "${file}"
            diff -u "${file}" <(clang-format "${file}") | sed -n '3,22p' || true
        done
        printf '\n%d of %d files are not clang-format clean; ./run.sh format fixes them\n' \
            "${#unformatted[@]}" "${#files[@]}" >&2
        return 1
    fi
    echo "${#files[@]} files are clang-format clean"
}

command_example() {
    install_missing_packages
    build_main
    banner "run example: ${CLI_PROGRAM} check ${EXAMPLE_SCRIPT}"
    [[ -x "${CLI_PROGRAM}" ]] || die "${CLI_PROGRAM} was not built (is the cli/ target defined?)"
    local status=0
    "${CLI_PROGRAM}" check "${EXAMPLE_SCRIPT}" || status=$?
    # The seed program deadlocks, so a violation (exit status 1) is the expected answer.
    ((status == 1)) ||
        die "mpcheck check ${EXAMPLE_SCRIPT} exited with ${status}; expected 1 (a violation)"
    printf '\nrun.sh example: mpcheck found the deadlock (exit status 1, as expected) in %s\n' \
        "$(elapsed)"
    printf 'Also try: %s check examples/python/seed_fixed.py; %s (the C++ API)\n' \
        "${CLI_PROGRAM}" "${API_EXAMPLE_PROGRAM}"
}

command_test() {
    install_missing_packages
    build_main
    banner "tests (build/)"
    run_tests "${BUILD_DIR}"

    banner "configure build-asan/ (Debug, address + undefined sanitizers)"
    configure "${ASAN_BUILD_DIR}" -DCMAKE_BUILD_TYPE=Debug -DMPCHECK_SANITIZE=address,undefined \
        -DMPCHECK_WERROR=ON -DMPCHECK_BUILD_BENCH=OFF
    banner "build build-asan/ (${jobs} jobs)"
    build "${ASAN_BUILD_DIR}"
    banner "sanitizer tests (build-asan/, without slow, conformance and package tests)"
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
        run_tests "${ASAN_BUILD_DIR}" -LE 'slow|conformance|package'

    check_format
    printf '\nrun.sh test: PASSED (release tests, sanitizer tests, format check) in %s\n' "$(elapsed)"
}

command_build() {
    install_missing_packages
    build_main
    printf '\nrun.sh build: built build/ in %s\n' "$(elapsed)"
}

command_format() {
    banner "format"
    cpp_sources | xargs -0 --no-run-if-empty clang-format -i
    echo "formatted $(cpp_sources | tr -cd '\0' | wc -c) files"
}

main() {
    cd "$(dirname "${BASH_SOURCE[0]}")"
    if (($# != 1)); then
        usage >&2
        exit 2
    fi
    case "$1" in
    example | test | build) choose_jobs ;;
    esac
    case "$1" in
    example) command_example ;;
    test) command_test ;;
    build) command_build ;;
    format) command_format ;;
    -h | --help | help) usage ;;
    *)
        printf 'run.sh: unknown command "%s"\n\n' "$1" >&2
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
