#!/usr/bin/env bash
# Builds every image docker-compose.yml, docker-compose.cluster.yml and the *ContainerIT tests need,
# from Debian packages and Maven Central, for machines where no image registry answers:
#
#   headgeo-local/base:bookworm        Debian bookworm (debootstrap) + OpenJDK 17 JRE + Prometheus + Alertmanager
#   headgeo-local/kafka:4.4.0          Kafka's release jars, configured like apache/kafka (KAFKA_* variables)
#   headgeo-local/headgeo:latest       ./Dockerfile on that base, with target/headgeo.jar
#   headgeo-local/prometheus:bookworm  Debian's Prometheus, laid out like prom/prometheus
#   headgeo-local/alertmanager:bookworm
#
# and writes target/local-images.env (KAFKA_IMAGE=…, HEADGEO_IMAGE=…, …) for `docker compose --env-file`
# and the tests. Where the public images can be pulled, none of this is needed.
#
# Idempotent: the base is made once (1-3 min) and kept; the other images are rebuilt from Docker's
# layer cache (seconds). Needs: a running Docker engine, debootstrap (first run), Maven, and
# target/headgeo.jar (mvn -B -DskipTests package) for the headgeo image.
#   --rebuild-base   make the base again
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=headgeo-local/base:bookworm
KAFKA=headgeo-local/kafka:4.4.0
HEADGEO=headgeo-local/headgeo:latest
PROMETHEUS=headgeo-local/prometheus:bookworm
ALERTMANAGER=headgeo-local/alertmanager:bookworm
STAGE=target/images

say() { echo "local-images: $*"; }
fail() { echo "local-images: $*" >&2; exit 1; }

docker info >/dev/null 2>&1 || fail "no Docker engine answers (start one: dockerd --iptables=false --storage-driver=overlay2 &)"
[[ -f target/headgeo.jar ]] || fail "target/headgeo.jar is missing: run 'mvn -B -DskipTests package' first"
mkdir -p "$STAGE"

# the Debian mirror apt already uses (no other address is reachable here)
mirror() {
  local uri
  uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  [[ -n $uri ]] || uri=$(awk '/^deb / && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}

if [[ ${1:-} == --rebuild-base ]] || ! docker image inspect "$BASE" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || fail "debootstrap is missing (apt-get install debootstrap)"
  root=$(mktemp -d /var/tmp/headgeo-base.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  say "making $BASE with debootstrap from $(mirror) (1-3 minutes, once)"
  t0=$SECONDS
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,passwd,prometheus,prometheus-alertmanager \
    bookworm "$root" "$(mirror)" >"$STAGE/debootstrap.log" 2>&1 || fail "debootstrap failed: $(tail -3 "$STAGE/debootstrap.log")"
  # no daemons start inside an image, and apt's lists are not needed at run time
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | docker import -c 'ENV LANG=C.UTF-8' - "$BASE" >/dev/null
  rm -rf "$root"
  trap - EXIT
  say "$BASE made in $((SECONDS - t0)) s"
else
  say "$BASE is there"
fi

build() { # build IMAGE CONTEXT [docker build args…]
  local image=$1 context=$2 log
  shift 2
  log="$STAGE/build-$(tr '/:' '__' <<<"$image").log"
  docker build --build-arg BASE_IMAGE="$BASE" -t "$image" "$@" "$context" >"$log" 2>&1 \
    || fail "docker build of $image failed: $(tail -5 "$log")"
  say "$image built"
}

# Kafka: its release jars (and those of kafka-tools) from Maven Central, copied once
kafka_ctx="$STAGE/kafka"
mkdir -p "$kafka_ctx"
if [[ ! -f $kafka_ctx/libs/kafka_2.13-4.4.0.jar ]]; then
  rm -rf "$kafka_ctx/libs"
  mvn -B -q -f tools/images/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$PWD/$kafka_ctx/libs" || fail "could not fetch Kafka's jars from Maven Central"
fi
cp -r tools/images/kafka/Dockerfile tools/images/kafka/run tools/images/kafka/bin tools/images/kafka/*.properties "$kafka_ctx/"
build "$KAFKA" "$kafka_ctx"
build "$PROMETHEUS" tools/images/prometheus
build "$ALERTMANAGER" tools/images/alertmanager
build "$HEADGEO" .

cat >target/local-images.env <<EOF
# written by tools/local-images.sh: images built here, for docker compose --env-file and the container tests
KAFKA_IMAGE=$KAFKA
HEADGEO_IMAGE=$HEADGEO
HEADGEO_BASE_IMAGE=$BASE
PROMETHEUS_IMAGE=$PROMETHEUS
ALERTMANAGER_IMAGE=$ALERTMANAGER
EOF
say "wrote target/local-images.env"
