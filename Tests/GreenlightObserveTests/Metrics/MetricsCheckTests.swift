import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightObserve

/// The required metrics of a spec's `observability.metrics.require` list, read as a spec reads them.
func requiredMetrics(_ yaml: String) throws -> [MetricsSpec.RequiredMetric] {
    let spec = try SpecFixtures.load(
        SpecFixtures.minimal + """
            observability:
              metrics:
                endpoint: /metrics
                require:
            \(yaml.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))

            """)
    return try #require(spec.observability?.metrics?.require)
}

@Suite("The metrics check")
struct MetricsCheckTests {
    static let shop = """
        # HELP http_requests_total Requests.
        # TYPE http_requests_total counter
        http_requests_total{route="/",method="GET",status="200"} 1000
        http_requests_total{route="/buy",method="POST",status="201"} 42
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{route="/",le="+Inf"} 1042
        http_request_duration_seconds_sum{route="/"} 12.5
        http_request_duration_seconds_count{route="/"} 1042
        # TYPE up gauge
        up 1

        """

    @Test("present, typed and labelled families pass; the summary counts the families checked")
    func passes() throws {
        let check = MetricsCheck(
            required: try requiredMetrics(
                """
                - { name: http_requests_total, type: counter, labels: [route, method, status] }
                - { name: http_request_duration_seconds, type: histogram, labels: [route] }
                - { name: up, type: gauge }
                """))
        let result = check.run(try parse(Self.shop), source: "http://127.0.0.1:8080/metrics")
        #expect(result.id == ObservabilityCheck.metrics)
        #expect(result.category == .observability)
        #expect(result.status == .pass)
        #expect(result.summary == "3 metric families checked: present, typed and labelled as required")
        #expect(result.details == ["read from http://127.0.0.1:8080/metrics (Prometheus text 0.0.4, 3 families)"])
    }

    @Test("a missing family fails and is named, with the closest name exposed")
    func missing() throws {
        let check = MetricsCheck(
            required: try requiredMetrics(
                """
                - { name: http_request_total }
                - { name: orders_placed_total }
                - { name: up }
                """))
        let result = check.run(try parse(Self.shop))
        #expect(result.status == .fail)
        #expect(result.summary == "2 problems in 3 metric families checked")
        #expect(
            result.details == [
                "http_request_total is not exposed; did you mean 'http_requests_total'?",
                "orders_placed_total is not exposed",
            ])
    }

    @Test("a label missing on one series names that series")
    func missingLabel() throws {
        let exposition = try parse(
            """
            # TYPE http_requests_total counter
            http_requests_total{method="GET",route="/"} 1
            http_requests_total{method="GET"} 2
            http_requests_total{method="POST"} 3

            """)
        let check = MetricsCheck(
            required: try requiredMetrics("- { name: http_requests_total, labels: [method, route] }"))
        let result = check.run(exposition)
        #expect(result.status == .fail)
        #expect(
            result.details == [
                #"http_requests_total{method="GET"} has no label 'route' (2 of 3 samples lack it)"#
            ])
    }

    @Test("a wrong type fails; an untyped family has no type")
    func types() throws {
        let exposition = try parse("# TYPE a gauge\na 1\nb 2\n")
        let check = MetricsCheck(
            required: try requiredMetrics(
                """
                - { name: a, type: counter }
                - { name: b, type: counter }
                """))
        #expect(
            check.run(exposition).details == [
                "a is a gauge, not a counter",
                "b has no type (no '# TYPE' line, or untyped); it must be a counter",
            ])
    }

    @Test("a family declared without series fails")
    func noSeries() throws {
        let check = MetricsCheck(required: try requiredMetrics("- { name: a, type: counter }"))
        #expect(check.run(try parse("# TYPE a counter\n")).details == ["a is declared but has no series"])
    }

    @Test("a counter that does not move over greenlight's requests fails, with both readings")
    func doesNotMove() throws {
        let check = MetricsCheck(required: try requiredMetrics("- { name: http_requests_total, moves: true }"))
        let before = try parse(Self.shop)
        let result = check.run(try parse(Self.shop), before: before, requests: 20)
        #expect(result.status == .fail)
        #expect(result.details == ["http_requests_total did not move: 1042 before and after greenlight's 20 requests"])
    }

    @Test("a counter that rises by less than greenlight's requests (one counting the scrapes) fails")
    func movesTooLittle() throws {
        let check = MetricsCheck(required: try requiredMetrics("- { name: http_requests_total, moves: true }"))
        let before = try parse("# TYPE http_requests_total counter\nhttp_requests_total{route=\"/metrics\"} 7\n")
        let after = try parse("# TYPE http_requests_total counter\nhttp_requests_total{route=\"/metrics\"} 8\n")
        let result = check.run(after, before: before, requests: 10)
        #expect(result.status == .fail)
        #expect(
            result.details == [
                "http_requests_total rose by 1 during greenlight's 10 requests: fewer than the requests, so it does not count them"
            ])
        let enough = try parse("# TYPE http_requests_total counter\nhttp_requests_total{route=\"/\"} 17\n")
        #expect(check.run(enough, before: before, requests: 10).status == .pass)
    }

    @Test("{{environment}} in a Prometheus label value selects the checked environment's series")
    func environmentLabels() throws {
        let spec = try SpecFixtures.load(
            SpecFixtures.minimal + """
                observability:
                  metrics:
                    prometheus:
                      url: http://127.0.0.1:9090
                      labels: { job: checkout, env: "{{environment}}", zone: "{{environment}}-a" }
                    require:
                      - { name: up }

                """)
        let metrics = try #require(spec.observability?.metrics)
        let staging = ObservabilityRunner.labelled(metrics, "staging").prometheus?.labels ?? []
        #expect(staging.map(\.key) == ["job", "env", "zone"])
        #expect(staging.map(\.value) == ["checkout", "staging", "staging-a"])
        #expect(ObservabilityRunner.labelled(metrics, "production").prometheus?.labels[1].value == "production")
        #expect(ObservabilityRunner.labelled(metrics, nil).prometheus?.labels[1].value == "{{environment}}")
    }

    @Test("moving families pass: counters summed, histograms by _count, absent before counts as zero")
    func moves() throws {
        let check = MetricsCheck(
            required: try requiredMetrics(
                """
                - { name: http_requests_total, moves: true }
                - { name: http_request_duration_seconds, moves: true }
                """))
        let before = try parse(
            Self.shop.replacingOccurrences(of: "} 1000", with: "} 980").replacingOccurrences(
                of: "_count{route=\"/\"} 1042", with: "_count{route=\"/\"} 1022"))
        let result = check.run(try parse(Self.shop), before: before, requests: 20)
        #expect(result.status == .pass)
        #expect(
            result.summary
                == "2 metric families checked: present, typed and labelled as required, 2 moving with greenlight's requests"
        )
        #expect(check.run(try parse(Self.shop), before: try parse("up 1\n"), requests: 20).status == .pass)
    }

    @Test("a total that went down, a missing earlier reading and NaN are problems")
    func oddMoves() throws {
        let check = MetricsCheck(required: try requiredMetrics("- { name: up, moves: true }"))
        #expect(
            check.run(try parse("up 1\n"), before: try parse("up 2\n"), requests: 1).details == [
                "up went down from 2 to 1 during greenlight's 1 request (was the service restarted?)"
            ])
        #expect(
            check.run(try parse("up 1\n")).details == [
                "up must move, but there is no reading from before greenlight's requests to compare with"
            ])
        #expect(
            check.run(try parse("up NaN\n"), before: try parse("up 1\n")).details == [
                "up cannot be compared: its total is NaN"
            ])
    }

    @Test("OpenMetrics counters: http_requests_total names the family http_requests; _created is not counted")
    func openMetricsCounter() throws {
        let after = try parse(
            """
            # TYPE http_requests counter
            http_requests_total{route="/"} 5
            http_requests_created{route="/"} 1700000000
            # EOF

            """, openMetrics: true)
        let before = try parse(
            "# TYPE http_requests counter\nhttp_requests_total{route=\"/\"} 5\nhttp_requests_created{route=\"/\"} 1600000000\n# EOF\n",
            openMetrics: true)
        let check = MetricsCheck(
            required: try requiredMetrics(
                "- { name: http_requests_total, type: counter, labels: [route], moves: true }"))
        #expect(
            check.run(after, before: before, requests: 3).details == [
                "http_requests_total did not move: 5 before and after greenlight's 3 requests"
            ])
        #expect(MetricsCheck.total(of: after.families[0], name: "http_requests_total") == 5)
    }

    @Test("unreadable metrics fail the check with the reason")
    func unreadable() {
        let result = MetricsCheck.unreadable("GET http://127.0.0.1:1/metrics: connection refused")
        #expect(result.status == .fail)
        #expect(result.id == ObservabilityCheck.metrics)
        #expect(result.details == ["GET http://127.0.0.1:1/metrics: connection refused"])
    }
}
