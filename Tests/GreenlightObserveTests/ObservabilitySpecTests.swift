import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore

@Suite("The observability section")
struct ObservabilitySpecTests {
    @Test("every field is read, with its default")
    func fields() throws {
        let spec = try SpecFixtures.load(
            SpecFixtures.minimal + """
                observability:
                  metrics:
                    prometheus: { url: "http://127.0.0.1:9090", labels: { job: checkout }, job: checkout }
                    require:
                      - { name: http_requests_total, labels: [route], moves: true }
                      - { name: up }
                  logs:
                    file: app.log
                    require_fields: [ts, msg]
                  traces: { propagation: b3, backend: { kind: tempo, url: "http://127.0.0.1:3200" } }
                  health: { path: /healthz }
                  alerts:
                    rules: [rules.yml]
                    rule_tests: [rules_test.yml]
                    paging: [CheckoutDown]
                    alertmanager:
                      url: "http://127.0.0.1:9093"
                      receiver: oncall
                      config: alertmanager.yml
                      webhook: "127.0.0.1:9097"

                """)
        let o = try #require(spec.observability)
        #expect(o.metrics?.endpoint == nil)
        #expect(o.metrics?.prometheus?.labels.map(\.key) == ["job"])
        #expect(o.metrics?.require.map(\.moves) == [true, false])
        #expect(o.logs?.diagnosis.path == nil)
        #expect(o.logs?.diagnosis.within == SpecDuration(seconds: 60))
        #expect(o.traces?.backend?.kind == "tempo")
        #expect(o.traces?.backend?.within == SpecDuration(seconds: 30))
        #expect(o.alerts?.ruleTests == ["rules_test.yml"])
        #expect(o.alerts?.paging == ["CheckoutDown"])
        #expect(o.alerts?.alertmanager?.config == "alertmanager.yml")
        #expect(o.alerts?.alertmanager?.webhook == "127.0.0.1:9097")
    }

    @Test(
        "what the section refuses",
        arguments: [
            (
                "metrics: { require: [{ name: up }] }",
                "observability.metrics: needs one of endpoint, prometheus"
            ),
            (
                "logs: { file: a.log, diagnosis: { within: 10m } }",
                "observability.logs.diagnosis.within: must be at most 5m"
            ),
            ("traces: { propagation: w3c, backend: { kind: zipkin, url: \"http://127.0.0.1:9411\" } }", "zipkin"),
        ])
    func refused(section: String, message: String) {
        let diagnostics = SpecFixtures.diagnostics(SpecFixtures.minimal + "observability:\n  \(section)\n", env: [:])
        #expect(diagnostics.contains { $0.contains(message) }, "\(diagnostics)")
    }
}
