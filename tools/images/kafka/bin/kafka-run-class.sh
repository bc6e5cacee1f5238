#!/bin/bash
# kafka-run-class.sh CLASS ARGS…: Kafka's tool launcher, reduced to what the compose files use.
cp=""
for jar in /opt/kafka/libs/*.jar; do cp+="$jar:"; done
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} -Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties -cp "$cp" "$@"
