import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightCore

/// Smoke steps that cannot run: bad JSONPath, unknown assertions, variables used before capture, no request.
let malformedSmoke: [Malformed] = [
    Malformed(
        "invalid JSONPath in an assertion",
        SpecFixtures.minimal + """
            smoke:
              scenarios:
                - name: s
                  steps:
                    - request: { path: / }
                      expect: { jsonpath: { "$.items[": { exists: true } } }

            """,
        [
            "t.yaml:14:33: smoke.scenarios[0].steps[0].expect.jsonpath[\"$.items[\"]: invalid JSONPath '$.items[': unexpected end of the expression; expected a selector: a quoted name, '*', an index, a slice (start:end:step) or a filter (?…)"
        ]),
    Malformed(
        "unknown assertion",
        SpecFixtures.minimal + """
            smoke:
              scenarios:
                - name: s
                  steps:
                    - request: { path: / }
                      expect: { statuss: 200 }

            """,
        [
            "t.yaml:14:21: smoke.scenarios[0].steps[0].expect.statuss: unknown field; did you mean 'status'? (expect takes: status, headers, jsonpath, body_contains, duration, tls_min_days_valid)"
        ]),
    Malformed(
        "variable used before it is captured",
        SpecFixtures.minimal + """
            smoke:
              scenarios:
                - name: s
                  steps:
                    - request: { path: "/orders/{{order}}", headers: { Authorization: "Bearer {{token}}" } }
                    - request: { method: POST, path: /login }
                      capture: { token: { jsonpath: "$.token" } }

            """,
        [
            "t.yaml:13:28: smoke.scenarios[0].steps[0].request.path: uses {{order}} before any step captures it (nothing is captured before this step)",
            "t.yaml:13:75: smoke.scenarios[0].steps[0].request.headers.Authorization: uses {{token}} before any step captures it (nothing is captured before this step)",
        ]),
    Malformed(
        "expectation using a value never captured",
        SpecFixtures.minimal + """
            smoke:
              scenarios:
                - name: s
                  steps:
                    - request: { path: /me }
                      expect: { jsonpath: { "$.user": { equals: "{{user}}" } } }

            """,
        [
            "t.yaml:14:53: smoke.scenarios[0].steps[0].expect.jsonpath[\"$.user\"].equals: uses {{user}}, which no step captures before this check"
        ]),
    Malformed(
        "step with no request",
        SpecFixtures.minimal + """
            smoke:
              scenarios:
                - name: s
                  steps:
                    - name: forgot the request
                      expect: { status: 200 }

            """,
        [
            "t.yaml:13:11: smoke.scenarios[0].steps[0].request: is required but missing (the request to send)"
        ]),
    Malformed(
        "invalid capture regex",
        SpecFixtures.minimal + """
            smoke:
              scenarios:
                - name: s
                  steps:
                    - request: { path: / }
                      capture: { id: { regex: "id=([0-9]+" } }

            """,
        [
            "t.yaml:14:35: smoke.scenarios[0].steps[0].capture.id.regex: is not a valid regular expression: 'id=([0-9]+'"
        ]),
]

extension MalformedSpecTests {
    @Test("smoke steps that cannot run are rejected with exact diagnostics", arguments: malformedSmoke)
    func smokeRejected(_ c: Malformed) {
        #expect(SpecFixtures.diagnostics(c.bytes, env: c.env) == c.expected)
    }
}
