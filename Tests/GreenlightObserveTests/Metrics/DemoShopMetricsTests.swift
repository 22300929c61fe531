import Foundation
import GreenlightDemo
import GreenlightHTTP
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightObserve

@Suite("Metrics of DemoShop")
struct DemoShopMetricsTests {
    static let required = """
        - { name: http_requests_total, type: counter, labels: [route, method, status], moves: true }
        - { name: http_request_duration_seconds, type: histogram, labels: [route], moves: true }
        - { name: demoshop_build_info, type: gauge, labels: [version] }
        """

    @Test("DemoShop's /metrics parses, passes the check, and its counters move with greenlight's requests")
    func demoShop() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        let scraper = try MetricsScraper()
        let session = try HTTPSession()
        do {
            let url = MetricsScraper.url(of: "/metrics", base: shop.baseURL + "/")
            let before = try await scraper.scrape(url)
            #expect(before.format == .prometheusText)
            let requests = 20
            for index in 0..<requests {
                let path = index % 2 == 0 ? "/healthz" : "/api/products"
                let request = HTTPRequestRecord(method: "GET", url: shop.baseURL + path, headers: [], body: Data())
                let response = try await session.send(request, timeout: .seconds(5))
                #expect(response.status == 200)
            }
            let after = try await scraper.scrape(url)
            expectGrouped(after)
            let counted = try #require(after.family(for: "http_requests_total"))
            #expect(counted.samples.contains { $0.label("route") == "/healthz" && $0.value == 10 })
            let check = MetricsCheck(required: try requiredMetrics(Self.required))
            let result = check.run(after, before: before, requests: requests, source: url)
            #expect(result.status == .pass, "\(result.details)")
            #expect(
                result.summary
                    == "3 metric families checked: present, typed and labelled as required, 2 moving with greenlight's requests"
            )
            // Read twice with nothing in between but the scrape itself: the histogram of /healthz stays put.
            let still = MetricsCheck(
                required: try requiredMetrics("- { name: http_request_duration_seconds, moves: true }"))
            let again = try await scraper.scrape(url)
            let healthz = { (exposition: Exposition) in
                Exposition(
                    format: exposition.format,
                    families: exposition.families.map { family in
                        var family = family
                        family.samples = family.samples.filter { $0.label("route") == "/healthz" }
                        return family
                    })
            }
            #expect(
                still.run(healthz(again), before: healthz(after), requests: 0).details == [
                    "http_request_duration_seconds did not move: 10 before and after greenlight's requests"
                ])
        } catch {
            await session.shutdown()
            await scraper.shutdown()
            await shop.stop()
            throw error
        }
        await session.shutdown()
        await scraper.shutdown()
        await shop.stop()
    }

    @Test("scraping a path that is not there, or a port that refuses, fails with the URL and the reason")
    func unreachable() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        let scraper = try MetricsScraper(timeout: .seconds(5))
        await #expect {
            try await scraper.scrape(shop.baseURL + "/nothing-here")
        } throws: { error in
            "\(error)".hasPrefix("GET \(shop.baseURL)/nothing-here answered HTTP 404")
        }
        let port = Loopback.closedPort()
        await #expect {
            try await scraper.scrape("http://127.0.0.1:\(port)/metrics")
        } throws: { error in
            "\(error)" == "GET http://127.0.0.1:\(port)/metrics: connection refused"
        }
        await scraper.shutdown()
        await shop.stop()
    }

    @Test("a body past the limit and a broken exposition are reasons too")
    func tooLargeAndBroken() async throws {
        let big = String(repeating: "a 1\n", count: 5000)
        let server = try await LoopbackHTTPServer(
            .respond { head in
                head.hasPrefix("GET /big")
                    ? .init(headers: [("Content-Type", "text/plain; version=0.0.4")], body: big)
                    : .init(headers: [("Content-Type", "application/openmetrics-text; version=1.0.0")], body: "a 1\n")
            })
        let scraper = try MetricsScraper(timeout: .seconds(5), bodyLimit: 1024)
        await #expect {
            try await scraper.scrape(server.url + "big")
        } throws: { error in
            "\(error)" == "GET \(server.url)big: the response body is larger than 1.0 KiB"
        }
        await #expect {
            try await scraper.scrape(server.url + "broken")
        } throws: { error in
            let error = error as? MetricsReadError
            return error?.parseError?.line == 2
                && error?.description
                    == "GET \(server.url)broken: the OpenMetrics 1.0 is invalid at line 2, column 1: the text ends without '# EOF', which OpenMetrics requires as its last line (was it cut short?)"
        }
        let requests = server.requests.withValue { $0 }
        #expect(requests.allSatisfy { $0.lowercased().contains("accept: \(ExpositionParser.accept)") })
        await scraper.shutdown()
        await server.shutdown()
    }

    @Test("an endpoint is a path under the environment's URL or a URL of its own")
    func urls() {
        #expect(MetricsScraper.url(of: "/metrics", base: "http://a:1/") == "http://a:1/metrics")
        #expect(MetricsScraper.url(of: "/metrics", base: "http://a:1") == "http://a:1/metrics")
        #expect(MetricsScraper.url(of: "metrics", base: "http://a:1/app") == "http://a:1/app/metrics")
        #expect(MetricsScraper.url(of: "https://b/m", base: "http://a:1") == "https://b/m")
    }
}
