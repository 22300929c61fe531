"""Evaluates flags with the OpenFeature Python SDK and its OFREP provider (PyPI: openfeature-sdk,
openfeature-provider-ofrep) against a greenlight OFREP server.

    python3 openfeature_client.py BASE_URL CALLS_JSON

CALLS_JSON is a list of {"flag", "type": boolean|string|integer|float|object, "default", "context"};
prints a JSON list of {"flag", "value", "reason", "variant", "error_code"} as the SDK resolved them.
"""
import json
import sys

from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext

api.set_provider(OFREPProvider(base_url=sys.argv[1], timeout=5.0))
client = api.get_client()
results = []
for call in json.loads(sys.argv[2]):
    given = dict(call.get("context") or {})
    context = EvaluationContext(targeting_key=given.pop("targetingKey", None), attributes=given)
    method = getattr(client, "get_%s_details" % call["type"])
    details = method(call["flag"], call["default"], context)
    results.append(
        {
            "flag": call["flag"],
            "value": details.value,
            "reason": str(details.reason.value if hasattr(details.reason, "value") else details.reason),
            "variant": details.variant,
            "error_code": details.error_code.value if details.error_code else None,
        }
    )
print(json.dumps(results))
