import Foundation
import GreenlightCore
import GreenlightTestSupport

/// Rule files, Alertmanager configurations and specs for the alert tests.
enum AlertFixtures {
    /// The `alerts:` section of a spec in `folder`, written as YAML (indented under `alerts:`).
    static func alerts(_ yaml: String, in folder: TemporaryFolder) throws -> AlertsSpec {
        let indented = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            .joined(separator: "\n")
        let spec = try SpecFixtures.load(
            SpecFixtures.minimal + "observability:\n  alerts:\n" + indented + "\n", directory: folder.path)
        guard let alerts = spec.observability?.alerts else { throw CommandFailure("the spec has no alerts section") }
        return alerts
    }

    /// An alerting rule in a group of its own, indented as a rule file lists rules.
    static func ruleFile(_ rules: String) -> String {
        "groups:\n  - name: checkout\n    rules:\n" + rules
    }

    /// A realistic routing tree: nested routes, `continue`, regex and negative matchers, the deprecated
    /// `match` and `match_re`, matchers as a list and comma-separated.
    static let routing = """
        global:
          resolve_timeout: 5m
        route:
          receiver: default
          group_by: [alertname, service]
          routes:
            # Everything that pages reaches on-call, and may go on to a team as well.
            - matchers: ['severity=~"page|critical"', 'env!="staging"']
              receiver: oncall
              continue: true
              routes:
                - matchers: [team="db"]
                  receiver: db-pager
            # The database team still writes the old syntax.
            - match: { team: db }
              receiver: db-team
              routes:
                - match_re: { service: "postgres|redis" }
                  receiver: db-storage
            - matchers:
                - service=~"checkout(-.*)?", severity!~"info|debug"
              receiver: checkout
              group_by: [alertname]
              routes:
                - matchers: ['env="staging"']
                  receiver: staging-sink
            - matchers: [audit="true"]
              receiver: audit
              continue: true
            - matchers: ['alertname="Watchdog"']
              receiver: deadman
            - matchers: ['shard=~"\\d+"']
              receiver: shards
        receivers:
          - name: default
          - name: oncall
            webhook_configs: [{ url: "http://127.0.0.1:9/oncall" }]
          - name: db-pager
          - name: db-team
          - name: db-storage
          - name: checkout
          - name: staging-sink
          - name: audit
          - name: deadman
          - name: shards

        """

    /// Label sets and the receivers ``routing`` sends them to, in order.
    static let routingTable: [(labels: [String: String], receivers: [String])] = [
        (["alertname": "CheckoutDown", "severity": "page", "service": "checkout"], ["oncall", "checkout"]),
        (["severity": "critical", "team": "db", "service": "postgres"], ["db-pager", "db-storage"]),
        (["severity": "page", "env": "staging", "service": "checkout"], ["staging-sink"]),
        (["severity": "info", "service": "checkout"], ["default"]),
        (["service": "checkout"], ["checkout"]),
        (["service": "checkout-api", "severity": "warning"], ["checkout"]),
        (["service": "checkoutx", "severity": "warning"], ["default"]),
        (["service": "checkout\n"], ["default"]),
        (["team": "db", "service": "redis-cache"], ["db-team"]),
        (["severity": "page", "team": "db", "env": "staging"], ["db-team"]),
        (["severity": "Page"], ["default"]),
        (["audit": "true", "severity": "warning"], ["audit"]),
        (["audit": "true", "alertname": "Watchdog"], ["audit", "deadman"]),
        (["audit": "true", "severity": "page", "service": "checkout"], ["oncall", "checkout"]),
        (["shard": "12"], ["shards"]),
        (["shard": "\u{661}\u{662}"], ["default"]),
        ([:], ["default"]),
    ]
}
