#!/usr/bin/env bash
# Drop-in for docker-library/bashbrew's scripts/github-actions/generate.sh (action.yml exports
# BASHBREW_SCRIPTS, so workflows calling "$BASHBREW_SCRIPTS/github-actions/generate.sh" keep
# working): writes the image's library file with ./generate-stackbrew-library.sh (or the
# $GENERATE_STACKBREW_LIBRARY command), then prints `bashbrew ci github-matrix` of it, which does
# the rest natively (fetching the checkout's HEAD when commits only exist on this branch).
set -Eeuo pipefail

image="${GITHUB_REPOSITORY##*/}" # "python", "golang", ...
if [ -z "${GENERATE_STACKBREW_LIBRARY:-}" ] && [ ! -x ./generate-stackbrew-library.sh ]; then
	echo >&2 'error: neither $GENERATE_STACKBREW_LIBRARY nor an executable ./generate-stackbrew-library.sh'
	exit 1
fi

if ! command -v bashbrew > /dev/null; then
	PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../bin" && pwd -P):$PATH"
fi

library="$(mktemp -d)"
trap 'rm -rf "$library"' EXIT

# the generator still sees the caller's BASHBREW_LIBRARY (some change their output with it)
eval "${GENERATE_STACKBREW_LIBRARY:-./generate-stackbrew-library.sh}" > "$library/$image"

BASHBREW_LIBRARY="$library" bashbrew ci github-matrix "$image"
