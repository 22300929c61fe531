import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

/// A sample line of the Prometheus text format: `name{labels} value`.
struct Sample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double

    /// The samples of an exposition, or nil if a line breaks the format.
    static func parse(_ text: String) -> [Sample]? {
        var samples: [Sample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                return nil
            }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                samples.append(Sample(name: String(series), labels: [:], value: value))
                continue
            }
            guard series.last == "}" else { return nil }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",")
            {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[1].count >= 2, parts[1].first == "\"", parts[1].last == "\"" else {
                    return nil
                }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            samples.append(Sample(name: String(series[..<brace]), labels: labels, value: value))
        }
        return samples
    }
}

struct MetricsTests {
    @Test func countersIncreasePerRouteTemplate() async throws {
        try await makeShop().test(.router) { client in
            for sku in ["SKU-1", "SKU-2", "SKU-9"] {
                _ = try await client.execute(uri: "/api/products/\(sku)", method: .get)
            }
            _ = try await client.execute(uri: "/api/products", method: .get)
            let first = try await client.execute(uri: "/metrics", method: .get)
            #expect(first.status == .ok)
            #expect(first.headers[.contentType] == "text/plain; version=0.0.4")
            let text = String(buffer: first.body)
            #expect(!text.contains("SKU-"))
            let samples = try #require(Sample.parse(text))

            func count(_ samples: [Sample], route: String, status: String) -> Double? {
                samples.first {
                    $0.name == "http_requests_total"
                        && $0.labels == ["route": route, "method": "GET", "status": status]
                }?.value
            }
            #expect(count(samples, route: "/api/products/{sku}", status: "200") == 2)
            #expect(count(samples, route: "/api/products/{sku}", status: "404") == 1)
            #expect(count(samples, route: "/api/products", status: "200") == 1)

            _ = try await client.execute(uri: "/api/products/SKU-3", method: .get)
            let second = try #require(
                Sample.parse(String(buffer: try await client.execute(uri: "/metrics", method: .get).body)))
            #expect(count(second, route: "/api/products/{sku}", status: "200") == 3)
            #expect(count(second, route: "/metrics", status: "200") == 1)
        }
    }

    @Test func exportsWellFormedHistogramsAndBuildInfo() async throws {
        try await makeShop { $0.version = "v2" }.test(.router) { client in
            for _ in 0..<3 {
                _ = try await client.execute(uri: "/healthz", method: .get)
            }
            _ = try await client.execute(uri: "/nowhere", method: .get)
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            let samples = try #require(Sample.parse(text))

            for family in [
                "http_requests_total counter", "http_request_duration_seconds histogram", "demoshop_build_info gauge",
            ] {
                let name = family.split(separator: " ")[0]
                #expect(text.contains("# HELP \(name) "))
                #expect(text.contains("# TYPE \(family)\n"))
            }
            #expect(samples.contains(Sample(name: "demoshop_build_info", labels: ["version": "v2"], value: 1)))

            let routes = Set(
                samples.filter { $0.name.hasPrefix("http_request_duration_seconds") }.compactMap { $0.labels["route"] })
            #expect(routes == ["/healthz", "unmatched"])
            for route in routes {
                let buckets = samples.filter {
                    $0.name == "http_request_duration_seconds_bucket" && $0.labels["route"] == route
                }
                #expect(
                    buckets.map { $0.labels["le"] } == [
                        "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf",
                    ])
                #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.value <= $1.value }, "buckets are cumulative")
                let count = samples.first {
                    $0.name == "http_request_duration_seconds_count" && $0.labels == ["route": route]
                }
                let sum = samples.first {
                    $0.name == "http_request_duration_seconds_sum" && $0.labels == ["route": route]
                }
                #expect(buckets.last?.value == count?.value)
                #expect((sum?.value ?? -1) >= 0)
            }
            let healthCount = samples.first {
                $0.name == "http_request_duration_seconds_count" && $0.labels["route"] == "/healthz"
            }
            #expect(healthCount?.value == 3)
        }
    }

    @Test func labelValuesAreEscaped() {
        #expect(Metrics.escapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }

    @Test func observationsLandInTheRightBuckets() throws {
        let metrics = Metrics(version: "v1")
        metrics.record(route: "/r", method: "GET", status: 200, duration: .milliseconds(3))
        metrics.record(route: "/r", method: "GET", status: 200, duration: .milliseconds(70))
        metrics.record(route: "/r", method: "GET", status: 500, duration: .seconds(12))
        let samples = try #require(Sample.parse(metrics.exposition()))
        func bucket(_ le: String) -> Double? {
            samples.first { $0.name == "http_request_duration_seconds_bucket" && $0.labels["le"] == le }?.value
        }
        #expect(bucket("0.005") == 1)
        #expect(bucket("0.05") == 1)
        #expect(bucket("0.1") == 2)
        #expect(bucket("10") == 2)
        #expect(bucket("+Inf") == 3)
        let sum = samples.first { $0.name == "http_request_duration_seconds_sum" }?.value ?? 0
        #expect(abs(sum - 12.073) < 1e-9)
    }
}
