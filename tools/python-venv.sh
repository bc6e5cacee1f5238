#!/usr/bin/env bash
# The Python venv the client's framework tests run in: torch (CPU), transformers, Lightning, TensorBoard, fastavro from
# the machine's wheel index, and Debian's confluent-kafka and numpy through --system-site-packages (the index has no
# confluent-kafka). Kept at ${HEADGEO_VENV:-~/.cache/headgeo/venv} between runs; rebuilt when the pins below change.
# The tests find it there (or at $HEADGEO_PYTHON).
set -euo pipefail
venv=${HEADGEO_VENV:-$HOME/.cache/headgeo/venv}
pins=("torch==2.13.0+cpu" "transformers==5.18.0" "accelerate==1.15.0" "lightning==2.6.6" "tensorboard==2.21.0"
      "fastavro==1.12.2" "jsonschema==4.25.1" "pandas==3.0.6"
      "nbclient==0.11.0" "nbformat==5.11.1" "ipykernel==7.4.0" "matplotlib==3.11.2" "ruff==0.16.9")
stamp=$venv/.headgeo-pins
if [[ -x $venv/bin/python && -f $stamp && "$(cat "$stamp")" == "${pins[*]}" ]]; then
  exit 0
fi
echo "building the Python venv at $venv (about a minute, offline)"
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
/usr/bin/python3 -m venv --system-site-packages "$venv"
# --retries 0: only the local index answers here, and pip would otherwise retry an unreachable default index per package
"$venv/bin/pip" install --quiet --disable-pip-version-check --retries 0 --timeout 10 "${pins[@]}" 2>&1 \
  | grep -v -e 'Retrying' -e 'NewConnectionError' -e 'is ignored: it is neither' || true
"$venv/bin/python" -c 'import torch, transformers, lightning, tensorboard, fastavro, confluent_kafka, numpy, pandas, nbclient, ipykernel, matplotlib, ruff' \
  || { echo "the venv at $venv is incomplete"; exit 1; }
echo "${pins[*]}" > "$stamp"
