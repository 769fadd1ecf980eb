#!/bin/bash
# Runs once, when the influxdb:2.7 container sets itself up (DOCKER_INFLUXDB_INIT_MODE=setup): maps the InfluxQL
# database/retention policy "<bucket>/autogen" to the telemetry bucket, so the platform's history reads (InfluxQL over
# /query, docs/storage.md) find it. The image runs this with the influx CLI already configured with the admin token and
# DOCKER_INFLUXDB_INIT_BUCKET_ID set to the bucket it created.
set -euo pipefail

influx v1 dbrp create \
  --org "${DOCKER_INFLUXDB_INIT_ORG}" \
  --bucket-id "${DOCKER_INFLUXDB_INIT_BUCKET_ID}" \
  --db "${DOCKER_INFLUXDB_INIT_BUCKET}" \
  --rp autogen \
  --default
