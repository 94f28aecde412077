#!/usr/bin/env bash
# Checks the dependency rule between the source folders by reading their #include lines.
#
#   model <- explorer <- properties <- traces <- api <- cli,   model <- frontend <- api
#
# A folder may include its own headers and those of the folders it may depend on; Boost is
# confined to the graph analysis translation unit so that it never leaks into headers.
#
# Usage: check_layering.sh [repository root]   (default: two folders above this script)
set -euo pipefail

root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cd "${root}"

# Library folders, lowest layer first.
readonly LAYERS=(model explorer properties traces frontend api cli)

# Project folders that no library folder may include at all.
readonly NON_LIBRARY_FOLDERS=(tests bench examples)

# What each folder may include besides itself.
declare -A ALLOWED=(
    [model]=""
    [explorer]="model"
    [properties]="explorer model"
    [traces]="properties explorer model"
    [frontend]="model"
    [api]="traces properties explorer model frontend"
    [cli]="api"
)

# The only file that may include Boost headers.
readonly BOOST_ALLOWED_FILE="explorer/graph_analysis.cpp"

readonly INCLUDE_PATTERN='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]*)[>"]'

contains() {
    local needle="$1"
    shift
    local item
    for item in "$@"; do
        [[ "${item}" == "${needle}" ]] && return 0
    done
    return 1
}

violations=0
files_checked=0
folders_checked=()

report() {
    printf 'layering violation: %s\n' "$*" >&2
    violations=$((violations + 1))
}

check_file() {
    local folder="$1" file="$2"
    local line_number=0 line included target
    local allowed
    read -r -a allowed <<<"${ALLOWED[${folder}]}"

    while IFS= read -r line || [[ -n "${line}" ]]; do
        line_number=$((line_number + 1))
        [[ "${line}" =~ ${INCLUDE_PATTERN} ]] || continue
        included="${BASH_REMATCH[1]}"
        local where="${file}:${line_number}"

        if [[ "${included}" == boost/* ]]; then
            if [[ "${file}" != "${BOOST_ALLOWED_FILE}" ]]; then
                report "${where}: includes <${included}>; Boost may only be used in ${BOOST_ALLOWED_FILE}"
            fi
            continue
        fi

        # Headers of other libraries (<vector>, <gtest/gtest.h>, ...) are not our concern.
        [[ "${line}" == *'"'* ]] || continue

        if [[ "${included}" == ../* || "${included}" == */../* ]]; then
            report "${where}: includes \"${included}\"; include project headers relative to the repository root"
            continue
        fi

        [[ "${included}" == */* ]] || continue
        target="${included%%/*}"
        [[ "${target}" == "${folder}" ]] && continue

        if contains "${target}" "${NON_LIBRARY_FOLDERS[@]}"; then
            report "${where}: includes \"${included}\"; library code may not depend on ${target}/"
        elif contains "${target}" "${LAYERS[@]}" && ! contains "${target}" "${allowed[@]}"; then
            local may="${ALLOWED[${folder}]:-nothing}"
            report "${where}: ${folder}/ may not include \"${included}\" (${folder}/ may depend on: ${may// /, })"
        fi
    done <"${file}"
}

for folder in "${LAYERS[@]}"; do
    [[ -d "${folder}" ]] || continue
    folders_checked+=("${folder}")
    while IFS= read -r -d '' file; do
        files_checked=$((files_checked + 1))
        check_file "${folder}" "${file#./}"
    done < <(find "${folder}" -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \
        -o -name '*.cc' -o -name '*.ipp' -o -name '*.inl' -o -name '*.def' \) -print0 | sort -z)
done

if ((violations > 0)); then
    printf '\nlayering: %d violation(s). Allowed dependencies:\n' "${violations}" >&2
    for folder in "${LAYERS[@]}"; do
        printf '  %-10s -> %s\n' "${folder}" "${ALLOWED[${folder}]:-(nothing)}" >&2
    done
    exit 1
fi

printf 'layering: OK (%d files in %s)\n' "${files_checked}" "${folders_checked[*]:-no folders}"
