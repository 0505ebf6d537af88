#!/bin/sh
# Makes jtai's namespace (with its retention) and registers the search attributes the worker sets.
# The list must match SEARCH_ATTRIBUTES in src/workflows/search-attributes.ts (test/deploy checks it).
# Safe to run again: an existing namespace or attribute is left as it is.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${JTAI_NAMESPACE:?}" "${JTAI_RETENTION:?}"

until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  echo 'waiting for the Temporal server'
  sleep 3
done

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$JTAI_NAMESPACE" >/dev/null 2>&1; then
  echo "Namespace $JTAI_NAMESPACE exists."
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$JTAI_NAMESPACE" --retention "$JTAI_RETENTION"
fi

# A new namespace reaches every part of the server after a few seconds: wait until its attributes can be listed.
tries=0
until temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" -n "$JTAI_NAMESPACE" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "Namespace $JTAI_NAMESPACE never became usable." >&2; exit 1; fi
  sleep 2
done

for attribute in JtaiLocalAuthority=Keyword JtaiStage=Keyword JtaiNextDue=Datetime JtaiOverdue=Int JtaiMailFailing=Int; do
  name="${attribute%%=*}"
  type="${attribute#*=}"
  if temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" -n "$JTAI_NAMESPACE" -o json | grep -q "\"$name\""; then
    echo "Search attribute $name exists."
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" -n "$JTAI_NAMESPACE" --name "$name" --type "$type"
  fi
done
echo "Namespace $JTAI_NAMESPACE is ready for jtai."
