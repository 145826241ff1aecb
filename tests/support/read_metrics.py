"""Reads a /metrics scrape as Prometheus would, for the metrics tests.

The scrape comes on stdin; it is parsed by prometheus_client's parser of
the Prometheus text format (an error exits non-zero with the reason). One
JSON object goes to stdout: `{"families": {name: type}, "samples":
[{"name", "labels", "value"}]}`.
"""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    families = {}
    samples = []
    for family in text_string_to_metric_families(text):
        families[family.name] = family.type
        for sample in family.samples:
            samples.append(
                {"name": sample.name, "labels": sample.labels, "value": sample.value}
            )
    json.dump({"families": families, "samples": samples}, sys.stdout)


if __name__ == "__main__":
    main()
