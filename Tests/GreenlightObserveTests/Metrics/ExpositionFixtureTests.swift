import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

/// The captured expositions in Tests/GreenlightObserveTests/Fixtures (see its README).
enum ExpositionFixtures {
    static let prometheus = "prometheus-2.42.txt"
    static let alertmanager = "alertmanager-0.25.txt"
    static let pythonOpenMetrics = "python-client-openmetrics.txt"
    static let all = [prometheus, alertmanager, pythonOpenMetrics]

    static func bytes(_ name: String) throws -> [UInt8] {
        let url = SpecFixtures.repository.appendingPathComponent("Tests/GreenlightObserveTests/Fixtures/\(name)")
        return [UInt8](try Data(contentsOf: url))
    }
}

/// Every sample of every family is named after its family as the family's type allows.
func expectGrouped(_ exposition: Exposition, sourceLocation: SourceLocation = #_sourceLocation) {
    for family in exposition.families {
        let allowed = Set(MetricFamily.suffixes(of: family.type).map { family.name + $0 })
        for sample in family.samples where !allowed.contains(sample.name) {
            Issue.record("\(sample.name) is in family \(family.name) (\(family.type))", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Exposition parser: real expositions")
struct ExpositionFixtureTests {
    @Test("Prometheus 2.42's own /metrics: every family typed, grouped, with help")
    func prometheus() throws {
        let exposition = try ExpositionParser.parse(
            try ExpositionFixtures.bytes(ExpositionFixtures.prometheus), contentType: "text/plain; version=0.0.4")
        #expect(exposition.families.count == 169)
        #expect(exposition.families.allSatisfy { $0.type != .unknown && $0.help != nil })
        expectGrouped(exposition)
        #expect(exposition.family(named: "prometheus_build_info")?.type == .gauge)
        #expect(exposition.family(named: "prometheus_build_info")?.samples.first?.label("version") == "2.42.0+ds")
        let gc = try #require(exposition.family(named: "go_gc_duration_seconds"))
        #expect(gc.type == .summary)
        #expect(gc.samples.compactMap { $0.label("quantile") } == ["0", "0.25", "0.5", "0.75", "1"])
        #expect(gc.samples.map(\.name).suffix(2) == ["go_gc_duration_seconds_sum", "go_gc_duration_seconds_count"])
        let duration = try #require(exposition.family(named: "prometheus_http_request_duration_seconds"))
        #expect(duration.type == .histogram)
        #expect(duration.samples.contains { $0.label("le") == "+Inf" })
        #expect(exposition.family(named: "prometheus_http_requests_total")?.type == .counter)
    }

    @Test("Alertmanager 0.25's own /metrics")
    func alertmanager() throws {
        let exposition = try ExpositionParser.parse(
            try ExpositionFixtures.bytes(ExpositionFixtures.alertmanager), contentType: nil)
        #expect(exposition.format == .prometheusText)
        expectGrouped(exposition)
        let notifications = try #require(exposition.family(named: "alertmanager_notifications_total"))
        #expect(notifications.type == .counter)
        #expect(notifications.samples.contains { $0.label("integration") == "webhook" })
        #expect(exposition.family(named: "alertmanager_build_info")?.type == .gauge)
        #expect(exposition.family(named: "alertmanager_http_request_duration_seconds")?.type == .histogram)
    }

    @Test("the Python client's OpenMetrics: all eight types, units, _created, exemplars, escapes")
    func pythonOpenMetrics() throws {
        let exposition = try ExpositionParser.parse(
            try ExpositionFixtures.bytes(ExpositionFixtures.pythonOpenMetrics),
            contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(exposition.format == .openMetrics)
        expectGrouped(exposition)
        #expect(
            exposition.families.map(\.name) == [
                "http_requests", "queue_depth_bytes", "http_request_duration_seconds", "payload_size_bytes", "build",
                "shop_state", "cart_items", "legacy_thing",
            ])
        #expect(
            exposition.families.map(\.type) == [
                .counter, .gauge, .histogram, .summary, .info, .stateset, .gaugehistogram, .unknown,
            ])
        let requests = exposition.families[0]
        #expect(requests.help == "HTTP requests answered, by \"route\" and method.\nSecond line \\ with a backslash.")
        #expect(requests.samples.filter { $0.name == "http_requests_total" }.map(\.value) == [1042, 7, 1])
        #expect(requests.samples[2].exemplar?.labels == [.init("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")])
        #expect(requests.samples[4].label("route") == "quote\"back\\slash\nnewline")
        #expect(exposition.families[1].unit == "bytes")
        #expect(exposition.families[2].unit == "seconds")
        #expect(exposition.families[2].samples[1].exemplar?.value == 0.05)
        let legacy = exposition.families[7].samples
        #expect(legacy[0].value.isNaN)
        #expect(legacy[1].value == -.infinity)
        #expect(legacy[1].timestamp == 1_700_000_000.5)
    }
}
