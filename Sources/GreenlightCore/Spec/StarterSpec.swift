import Foundation

/// The commented spec `greenlight init` writes; a test checks that it validates.
public enum StarterSpec {
    public static func text(service: String) -> String {
        template.replacingOccurrences(of: "{{service}}", with: service)
    }

    static let template = """
        # greenlight release spec; docs/release-spec.md in greenlight's repository documents every field.
        # Validate with `greenlight validate release.yaml`; run the gate with `greenlight check release.yaml`.
        # ${NAME} and ${NAME:-default} take values from the environment; such values are never printed.
        version: 1

        service:
          name: {{service}}
          version: 0.1.0                       # the version being released
          owner: my-team                       # the team that owns it
          # author: you@example.com            # who made the change; may not approve their own waivers
          # ticket: https://tracker.example.com/browse/REL-1

        environments:
          staging:
            url: http://127.0.0.1:8080         # base URL of staging
            descriptor: ./env/staging.json     # parity descriptor: JSON, YAML or .env file, or { url: … }
          production:
            url: https://{{service}}.example.com
            descriptor: ./env/production.json

        parity:
          compare: [staging, production]
          ignore: [hostname, "secrets.*"]      # keys expected to differ

        traffic:
          expected_peak_rps: 100               # requests per second at peak

        checklist:
          # The four non-negotiable items (environment-parity, load-testing, monitoring-hooks,
          # rollback-plan) are always checked. Add your own, each backed by evidence:
          custom:
            - id: runbook-reviewed
              title: On-call runbook reviewed
              evidence: { file: docs/runbook.md }          # or { url: … } or { command: …, timeout: 60s }
          # A waiver excuses an item for a while; it needs a reason, an approver and an expiry:
          # waivers:
          #   - item: environment-parity
          #     reason: the production info endpoint ships next sprint
          #     approver: sre-lead@example.com
          #     expires: 2030-01-31

        smoke:
          scenarios:
            - name: service is healthy
              steps:
                - request: { method: GET, path: /healthz }
                  expect: { status: 200, duration: "< 500ms" }

        load:
          model: open                          # open: arrival rate; closed: virtual users
          multiplier: 3                        # x traffic.expected_peak_rps; at least 3
          duration: 10m
          ramp_up: 1m
          mix:
            - { weight: 1, scenario: service is healthy }
          thresholds:
            - "p99 < 300ms"
            - "error_rate < 0.1%"

        dependencies:
          - { name: database, kind: tcp, address: "127.0.0.1:5432", timeout: 2s }

        observability:
          metrics: { endpoint: /metrics }
          health: { path: /healthz, within: 30s }

        risk:
          summary: what changes, and what could break
          likelihood: 2                        # 1 (rare) to 5 (almost certain)
          blast_radius: service                # component | feature | service | product | platform
          recovery_minutes: 10
          users_affected_percent: 20
          revenue_per_minute: 0

        rollout:
          strategy: canary
          steps: [5, 25, 50, 100]
          bake: 10m
          feature_flag: {{service}}-enabled    # the kill switch

        rollback:
          runbook: docs/runbook.md
          command: ./scripts/rollback.sh
          # rehearsed: YYYY-MM-DD              # when the rollback was last rehearsed; until then rollback-plan fails
          automated: true

        signoff:
          required: [engineering, product, sre]
          forbid_author_approval: true

        """
}
