#!/usr/bin/env python3
"""Reads one record in Avro single-object encoding from stdin the way a consumer of an earlier release
would: Python's avro library, today's schema (schemas/NAME.avsc) as the writer's, an earlier one
(schemas/history/NAME-vN.avsc) as the reader's (Avro schema resolution). Prints the record as JSON.
Checks that the bytes' fingerprint is today's schema's. Used by SchemaEvolutionTest; Debian's python3-avro.

    python3 tools/read_with_old_schema.py checkpoint_report checkpoint_report-v1.avsc < report.bin
"""

import datetime
import io
import json
import struct
import sys

import avro.io
import avro.schema

sys.path.insert(0, "tools")
from write_old_bytes import crc64_avro, without_logical_types


def plain(x):
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [plain(v) for v in x]
    if isinstance(x, datetime.datetime):
        return int(x.timestamp() * 1000)
    return x


def main():
    name, history_file = sys.argv[1], sys.argv[2]
    writer_text = json.load(open(f"schemas/{name}.avsc"))
    writer = avro.schema.make_avsc_object(writer_text, avro.schema.Names())
    reader = avro.schema.make_avsc_object(json.load(open("schemas/history/" + history_file)), avro.schema.Names())
    data = sys.stdin.buffer.read()
    if data[:2] != b"\xc3\x01":
        sys.exit("not Avro single-object encoding")
    (fingerprint,) = struct.unpack("<Q", data[2:10])
    expected = crc64_avro(
        avro.schema.make_avsc_object(without_logical_types(writer_text), avro.schema.Names()).canonical_form.encode(
            "utf-8"
        )
    )
    if fingerprint != expected:
        sys.exit(f"written with schema {fingerprint:016x}, not today's {name} ({expected:016x})")
    record = avro.io.DatumReader(writer, reader).read(avro.io.BinaryDecoder(io.BytesIO(data[10:])))
    print(json.dumps(plain(record), sort_keys=True))


if __name__ == "__main__":
    main()
