#!/bin/sh
# One-shot job (temporalio/admin-tools image): waits for the Temporal frontend, creates the
# namespace and registers the search attributes our claim workflows set (the list comes from
# docker-compose.yml, SEARCH_ATTRIBUTES="Name=Type ..."). Idempotent: safe to re-run on every `up`.
set -eu

: "${TEMPORAL_ADDRESS:?}" "${NAMESPACE:?}" "${SEARCH_ATTRIBUTES:?}"
RETENTION="${NAMESPACE_RETENTION:-72h}"

# As in Temporal's own compose samples: reach the frontend by its IPv4 address when the name
# resolves to one (the CLI has tripped over service-name resolution inside compose networks).
host=${TEMPORAL_ADDRESS%:*}
port=${TEMPORAL_ADDRESS##*:}
ip=$(getent ahosts "$host" 2>/dev/null | awk '/STREAM/ && $1 ~ /^[0-9.]+$/ { print $1; exit }') || ip=
if [ -n "$ip" ]; then TEMPORAL_ADDRESS="$ip:$port"; fi
export TEMPORAL_ADDRESS # the temporal CLI reads it

# retry <what> <command...>: a freshly started server (or a just-created namespace) takes a moment.
retry() {
  what=$1
  shift
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge 30 ]; then
      echo "giving up: $what" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

retry "Temporal at $TEMPORAL_ADDRESS is not healthy" temporal operator cluster health

if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  retry "cannot create namespace $NAMESPACE" \
    temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
  echo "namespace $NAMESPACE created"
fi

list_attributes() {
  temporal operator search-attribute list --namespace "$NAMESPACE"
}

for spec in $SEARCH_ATTRIBUTES; do
  name=${spec%%=*}
  type=${spec#*=}
  existing=$(retry "cannot list search attributes of $NAMESPACE" list_attributes)
  if printf '%s\n' "$existing" | grep -Eq "^[[:space:]]*${name}[[:space:]]+${type}[[:space:]]*\$"; then
    echo "search attribute $name ($type) exists"
  elif printf '%s\n' "$existing" | grep -Eq "^[[:space:]]*${name}[[:space:]]"; then
    echo "search attribute $name exists with a type other than $type: fix it by hand" >&2
    exit 1
  else
    retry "cannot create search attribute $name" \
      temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
    echo "search attribute $name ($type) created"
  fi
done

# Done only when every attribute is visible, so services that wait for this job can use them.
all_registered() {
  listed=$(list_attributes) || return 1
  for spec in $SEARCH_ATTRIBUTES; do
    printf '%s\n' "$listed" | grep -Eq "^[[:space:]]*${spec%%=*}[[:space:]]+${spec#*=}[[:space:]]*\$" || return 1
  done
}
retry "search attributes are not visible yet" all_registered
echo "namespace $NAMESPACE is ready: $SEARCH_ATTRIBUTES"
