import Foundation

/// The release spec `greenlight demo` runs against DemoShop, its policy, and the files it refers to.
public enum DemoRelease {
    /// The demo's policy file: the built-in policy with one section replaced (`demo --print-policy`).
    public static let policyYAML = """
        # The demo's risk policy: greenlight's built-in policy, except that a 4 s load test counts as
        # sustained so the demo finishes in seconds. A real release keeps the built-in 5m.
        load:
          min_multiplier: 3
          min_duration: 4s

        """

    /// The spec with the shops' ports, the staging shop's pid (its load test watches it), Alertmanager's
    /// and greenlight's webhook ports, and the dates (YYYY-MM-DD) of the alert-pipeline waiver's expiry
    /// (used only without Alertmanager) and of the last rollback rehearsal.
    public static func spec(
        stagingPort: Int, productionPort: Int, stagingPID: Int, waiverExpires: String, rehearsed: String,
        alertmanagerPort: Int, webhookPort: Int, alertmanagerInstalled: Bool
    ) -> String {
        // Without an Alertmanager on this machine, the alert pipeline alone is waived; every other
        // observability check still runs (the rules, and the routes walked offline).
        let waivers =
            alertmanagerInstalled
            ? ""
            : """
              waivers:
                - item: observability.alert-pipeline
                  reason: Alertmanager is not running on this machine (not installed, or it did not start), so no test alert can be sent
                  approver: sre-lead@example.com
                  expires: <expires>

            """
        return
            template
            .replacingOccurrences(of: "<waivers>", with: waivers)
            .replacingOccurrences(of: "<alertmanager>", with: String(alertmanagerPort))
            .replacingOccurrences(of: "<webhook>", with: String(webhookPort))
            .replacingOccurrences(of: "<staging>", with: String(stagingPort))
            .replacingOccurrences(of: "<production>", with: String(productionPort))
            .replacingOccurrences(of: "<staging-pid>", with: String(stagingPID))
            .replacingOccurrences(of: "<expires>", with: waiverExpires)
            .replacingOccurrences(of: "<rehearsed>", with: rehearsed)
    }

    /// Runbooks, data and the upload fixture, beside the spec.
    public static func writeSupportFiles(to folder: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("runbooks"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
        try Data(runbook.utf8).write(to: folder.appendingPathComponent("runbooks/demoshop.md"))
        try Data(rollback.utf8).write(to: folder.appendingPathComponent("runbooks/rollback.md"))
        try fm.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data("sku\nSKU-1\nSKU-2\nSKU-3\nSKU-4\n".utf8).write(to: folder.appendingPathComponent("data/skus.csv"))
        try Data("DemoShop receipt #1001: 1 x SKU-1, 19.99 EUR\n".utf8).write(
            to: folder.appendingPathComponent("fixtures/receipt.txt"))
        try fm.createDirectory(at: folder.appendingPathComponent("monitoring"), withIntermediateDirectories: true)
        try Data(alertRules.utf8).write(to: folder.appendingPathComponent("monitoring/demoshop-rules.yml"))
    }

    /// DemoShop's alert rules: two that page (each with a severity, a summary and a runbook), one ticket.
    public static let alertRules = """
        groups:
          - name: demoshop
            rules:
              - alert: DemoShopDown
                expr: up{job="demoshop"} == 0
                for: 1m
                labels: { severity: page, team: shop }
                annotations:
                  summary: DemoShop is not answering its scrapes
                  runbook_url: runbooks/demoshop.md
              - alert: DemoShopHighErrorRate
                expr: sum(rate(http_requests_total{job="demoshop",status=~"5.."}[5m])) / sum(rate(http_requests_total{job="demoshop"}[5m])) > 0.05
                for: 5m
                labels: { severity: critical, team: shop }
                annotations:
                  summary: More than 5% of DemoShop's requests fail
                  runbook_url: runbooks/demoshop.md
              - alert: DemoShopSlow
                expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="demoshop"}[5m]))) > 0.5
                for: 10m
                labels: { severity: ticket, team: shop }
                annotations:
                  summary: DemoShop's p99 latency is above 500 ms
                  runbook_url: runbooks/demoshop.md

        """

    static let runbook = """
        # DemoShop on-call runbook
        - Orders failing: turn off the demoshop-v2 flag, then check the payments dependency.
        - Slow responses: compare /metrics latency histograms between versions.

        """

    static let rollback = """
        # DemoShop rollback
        1. Turn off the demoshop-v2 feature flag.
        2. Redeploy v1: `greenlight demo shop --version v1`.
        3. Confirm /healthz answers and the error rate is back to baseline.

        """

    static let template = """
        # The release spec of `greenlight demo`: DemoShop 1.1.0, staging and production on loopback.
        # Ports are filled in when the demo starts the shops; everything else is as a team would write it.
        # Its 4 s load test needs the demo's policy: greenlight demo --print-policy > demo-policy.yaml,
        # then greenlight validate demo.yaml --policy demo-policy.yaml.
        version: 1

        service:
          name: demoshop
          version: 1.1.0
          owner: shop-team
          author: dev@example.com
          ticket: https://tracker.example.com/browse/SHOP-42

        environments:
          staging:
            url: http://127.0.0.1:<staging>
            descriptor: { url: "http://127.0.0.1:<staging>/internal/info" }
          production:
            url: http://127.0.0.1:<production>
            descriptor: { url: "http://127.0.0.1:<production>/internal/info" }

        parity:
          compare: [staging, production]
          ignore: [hostname]

        traffic:
          expected_peak_rps: 50

        checklist:
          custom:
            - id: runbook-reviewed
              title: On-call runbook reviewed
              evidence: { file: runbooks/demoshop.md }
            - id: upload-fixture
              title: Upload fixture in place
              evidence: { command: "test -s fixtures/receipt.txt", timeout: 5s }
        <waivers>
        smoke:
          scenarios:
            - name: browse the catalog
              steps:
                - request: { path: /api/products }
                  expect:
                    status: 200
                    jsonpath:
                      "$.products": { type: array, is_empty: false }
                      "$.products[?@.sku == 'SKU-1'].price_cents": { type: integer, greater_than: 0 }
            - name: sign in and buy
              steps:
                - name: sign in
                  request:
                    method: POST
                    path: /api/login
                    json: { user: demo@example.com, password: "${DEMO_PASSWORD:-demo-password}" }
                  expect:
                    status: 200
                    jsonpath: { "$.token": { exists: true } }
                  capture: { token: { jsonpath: "$.token" } }
                - name: the session cookie signs me in
                  request: { path: /api/me }
                  expect: { status: 200, jsonpath: { "$.user": { equals: demo@example.com } } }
                - name: buy one
                  request:
                    method: POST
                    path: /api/orders
                    headers: { Authorization: "Bearer {{token}}" }
                    json: { sku: SKU-1, quantity: 1, card: "4242424242424242" }
                  expect:
                    status: 201
                    duration: "< 500ms"
                    jsonpath: { "$.status": { equals: placed } }
                  capture: { order: { jsonpath: "$.order_id" } }
                - name: the order is confirmed
                  request: { path: "/api/orders/{{order}}" }
                  retry: { attempts: 20, interval: 100ms }
                  expect: { status: 200, jsonpath: { "$.status": { equals: confirmed } } }
            - name: upload a receipt
              steps:
                - request:
                    method: POST
                    path: /api/uploads
                    multipart:
                      - { name: file, file: fixtures/receipt.txt, content_type: text/plain }
                  expect:
                    status: 201
                    jsonpath: { "$.bytes": { equals: 45 }, "$.sha256": { matches: "^[0-9a-f]{64}$" } }
            - name: a declined card is refused
              steps:
                - request:
                    method: POST
                    path: /api/orders
                    json: { sku: SKU-1, quantity: 1, card: "4000000000000002" }
                  expect:
                    status: 402
                    jsonpath: { "$.error": { equals: card_declined } }
            - name: an empty shelf is refused
              steps:
                - request:
                    method: POST
                    path: /api/orders
                    json: { sku: SKU-5, quantity: 1, card: "4242424242424242" }
                  expect:
                    status: 409
                    jsonpath: { "$.error": { equals: out_of_stock } }

        load:
          model: open
          multiplier: 3                 # 150 req/s: three times the expected peak of 50
          ramp_up: 1s
          duration: 4s                  # the demo's policy counts 4 s as sustained; a release runs 5m or more
          connections: 64
          mix:
            - { weight: 6, scenario: browse the catalog }
            - { weight: 3, request: { path: "/api/products/{{sku}}" } }
            - { weight: 1, scenario: sign in and buy }
          data: { csv: data/skus.csv, mode: cyclic }
          watch: { pid: <staging-pid> }     # the staging DemoShop process the demo starts (its pid, filled in)
          thresholds:
            - "p99 < 500ms"
            - "error_rate < 1%"
            - "target.rss < 1GiB"

        dependencies:
          - { name: shop-health, kind: http, url: "http://127.0.0.1:<staging>/healthz", status: 200, latency: "< 500ms", timeout: 2s }
          - { name: shop-port, kind: tcp, address: "127.0.0.1:<staging>", timeout: 1s }
          - { name: localhost, kind: dns, host: localhost, timeout: 2s }

        observability:
          metrics:
            endpoint: /metrics
            require:
              - { name: http_requests_total, type: counter, labels: [route, method, status], moves: true }
              - { name: http_request_duration_seconds, type: histogram, labels: [route] }
          logs:
            file: staging.log               # the staging DemoShop writes one JSON line per request here
            require_fields: [ts, level, msg, trace_id]
            diagnosis: { within: 10s }      # a failing request must be found by its trace id
          traces: { propagation: w3c }
          health: { path: /healthz, within: 30s }
          alerts:
            rules: [monitoring/demoshop-rules.yml]
            alertmanager:
              url: http://127.0.0.1:<alertmanager>
              receiver: demoshop-oncall
              within: 10s
              config: alertmanager.yml        # its routes are walked offline too
              webhook: 127.0.0.1:<webhook>    # greenlight receives the page itself

        risk:
          summary: checkout flow reworked behind the demoshop-v2 flag
          likelihood: 3
          blast_radius: product
          recovery_minutes: 5
          users_affected_percent: 100
          revenue_per_minute: 500

        rollout:
          strategy: canary
          sticky_key: { header: X-User-Id }
          steps: [1, 5, 25, 50, 100]
          bake: 10m
          interval: 1m
          feature_flag: demoshop-v2
          analysis:
            metrics:
              - { name: error_rate, direction: increase, critical: true }
              - { name: latency_p99, direction: increase }

        rollback:
          runbook: runbooks/rollback.md
          command: greenlight demo shop --version v1
          rehearsed: <rehearsed>
          automated: true

        signoff:
          required: [engineering, product, sre]

        """
}
