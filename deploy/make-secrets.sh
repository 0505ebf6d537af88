#!/bin/sh
# Makes the secret files docker-compose.yml mounts, in ./secrets (or the folder given), each from the
# system's random source; an existing file is never overwritten. Run it once, as the user that runs
# docker-compose, then back the folder up somewhere safe and offline (docs/deploy.md, "Backups").
#
#   deploy/make-secrets.sh [folder]
#
# smtp_url is written for a trial (Mailpit); put your mail relay's URL in it for real use.
set -eu
dir="${1:-secrets}"
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

random() { head -c "$1" /dev/urandom | base64 | tr -d '\n'; }
alnum() { head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }
make() { # make <name> <value>
  if [ -e "$dir/$1" ]; then echo "kept    $dir/$1"; return; fi
  printf '%s\n' "$2" > "$dir/$1"
  echo "made    $dir/$1"
}

for key in files payloads links web-session; do make "$key.key" "$(random 32)"; done
make postgres_password "$(alnum 32)"
make minio_root_user "jtai-root-$(alnum 8)"
make minio_root_password "$(alnum 40)"
make s3_access_key_id "jtai-app-$(alnum 12)"
make s3_secret_access_key "$(alnum 40)"
make smtp_url 'smtp://mailpit:1025'

# The containers run as other users (postgres, temporal, node): they read these through bind mounts, so the
# files must be readable to them while the folder above keeps everyone else on this host out.
chmod 444 "$dir"/*
