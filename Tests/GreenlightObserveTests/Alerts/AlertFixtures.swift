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
}
