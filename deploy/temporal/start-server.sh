#!/bin/sh
# Starts the Temporal server with its database password read from the docker secret, so it never sits in the
# compose file or the container's configuration; then hands over to the image's own entrypoint.
set -eu
POSTGRES_PWD="$(cat "${POSTGRES_PASSWORD_FILE:?}")"
export POSTGRES_PWD
exec /etc/temporal/entrypoint.sh
