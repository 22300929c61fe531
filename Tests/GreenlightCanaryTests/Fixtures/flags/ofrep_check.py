"""Checks OFREP answers against the schemas of the OFREP OpenAPI document (Fixtures/ofrep/openapi.yaml).

    python3 ofrep_check.py openapi.yaml cases.json

cases.json is a list of {"schema": "<components.schemas name>", "body": <the JSON answer>}. Prints
"ok N" or, for each answer that does not validate, its schema, the answer and why; exits 1 then.

One change is made to the document before validating, and only to `evaluationSuccess`: its `oneOf`
over the value types is checked as `anyOf`. As written no answer can satisfy it: `codeDefaultFlag`
(`type: object`, no required member) matches every object, and `floatFlag` (`type: number`) matches
every integer, so a boolean answer matches two branches and an integer three. Everything else (the
reason enum, the error code enums, required members, metadata value types) is checked as written.
"""
import json
import sys

import jsonschema
import yaml

document = yaml.safe_load(open(sys.argv[1]))
success = document["components"]["schemas"]["evaluationSuccess"]
for part in success["allOf"]:
    if "oneOf" in part:
        part["anyOf"] = part.pop("oneOf")
cases = json.load(open(sys.argv[2]))
failures = []
for case in cases:
    root = dict(document)
    root["$ref"] = "#/components/schemas/" + case["schema"]
    validator = jsonschema.Draft202012Validator(root)
    errors = list(validator.iter_errors(case["body"]))
    if errors:
        failures.append(
            "%s: %s\n  %s" % (case["schema"], json.dumps(case["body"]), "\n  ".join(e.message for e in errors))
        )
# A bulk answer's items are each a success or a failure: both branches, strict.
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok %d" % len(cases))
