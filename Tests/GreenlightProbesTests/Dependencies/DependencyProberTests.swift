import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightProbes

/// The prober as a whole, and the tcp and dns kinds, against sockets the tests open on loopback.
@Suite("Dependency prober")
struct DependencyProberTests {
    typealias Fixtures = DependencyFixtures

    @Test("results come in spec order, named after each dependency")
    func orderAndNames() async {
        let listener = SilentListener()
        let hanging = HangingPort()
        defer {
            listener.close()
            hanging.close()
        }
        let closed = Loopback.closedPort()
        let results = await DependencyProber().run([
            .make("slow-first", .tcp, timeout: 0.3) { $0.address = "127.0.0.1:\(hanging.port)" },
            .make("open", .tcp) { $0.address = "127.0.0.1:\(listener.port)" },
            .make("closed", .tcp) { $0.address = "127.0.0.1:\(closed)" },
        ])
        #expect(results.map(\.id) == ["dependencies.slow-first", "dependencies.open", "dependencies.closed"])
        #expect(results.map(\.title) == ["slow-first (tcp)", "open (tcp)", "closed (tcp)"])
        #expect(results.allSatisfy { $0.category == .dependencies })
        #expect(results.map(\.status) == [.fail, .pass, .fail])
    }

    @Test("tcp: a listening port connects")
    func tcpConnects() async {
        let listener = SilentListener()
        defer { listener.close() }
        let result = await DependencyProber().result(
            of: .make("cache", .tcp) { $0.address = "127.0.0.1:\(listener.port)" })
        #expect(result.status == .pass)
        #expect(result.summary.hasPrefix("connected to 127.0.0.1:\(listener.port) in"))
        #expect(result.measurement("latency_ms") != nil)
    }

    @Test("tcp: a closed port says connection refused")
    func tcpRefused() async {
        let port = Loopback.closedPort()
        let result = await DependencyProber().result(of: .make("cache", .tcp) { $0.address = "127.0.0.1:\(port)" })
        #expect(result.status == .fail)
        #expect(result.summary == "connection refused by 127.0.0.1:\(port)")
    }

    @Test("tcp: a port that drops connections times out within the budget")
    func tcpTimesOut() async {
        let hanging = HangingPort()
        defer { hanging.close() }
        let (result, elapsed) = await Fixtures.measured {
            await DependencyProber().result(
                of: .make("cache", .tcp, timeout: 1) { $0.address = "127.0.0.1:\(hanging.port)" })
        }
        #expect(result.status == .fail)
        #expect(result.summary == "timed out after 1s while connecting to 127.0.0.1:\(hanging.port)")
        #expect((0.8...1.2).contains(result.durationSeconds), "\(result.durationSeconds) s")
        #expect((0.8...1.2).contains(elapsed), "took \(elapsed) s")
    }

    @Test("tcp: a host under .invalid does not resolve")
    func tcpInvalidHost() async {
        let result = await DependencyProber().result(of: .make("cache", .tcp) { $0.address = "cache.invalid:6379" })
        #expect(result.status == .fail)
        #expect(result.summary.hasPrefix("host does not resolve: cache.invalid"))
    }

    @Test("dns: a name under .invalid does not exist")
    func dnsInvalid() async {
        let result = await DependencyProber().result(of: .make("api-name", .dns) { $0.host = "api.greenlight.invalid" })
        #expect(result.status == .fail)
        #expect(result.summary == "api.greenlight.invalid does not exist (NXDOMAIN)")
    }

    @Test("dns: localhost resolves, with its addresses in the details")
    func dnsResolves() async {
        let result = await DependencyProber().result(
            of: .make("local", .dns) {
                $0.host = "localhost"
                $0.expectAddresses = ["127.0.0.1"]
            })
        #expect(result.status == .pass, "\(result.summary)")
        #expect(result.summary.hasPrefix("localhost resolves to"))
        #expect(result.details.contains { $0.hasPrefix("addresses:") && $0.contains("127.0.0.1") })
    }

    @Test("dns: an expected address that is not among the answers fails")
    func dnsMissingAddress() async {
        let result = await DependencyProber().result(
            of: .make("local", .dns) {
                $0.host = "localhost"
                $0.expectAddresses = ["127.0.0.1", "192.0.2.7"]
            })
        #expect(result.status == .fail)
        #expect(result.summary.contains("not to the expected 192.0.2.7"))
    }

    @Test("a dependency without its required field is an error, not a crash")
    func missingField() async {
        let result = await DependencyProber().result(of: .make("cache", .tcp))
        #expect(result.status == .error)
        #expect(result.summary.contains("no address given"))
    }

    @Test("twenty unreachable dependencies with a 1 s timeout finish in about 1 s, not 20")
    func twentyUnreachable() async {
        let hanging = HangingPort()
        let silent = SilentListener()
        defer {
            hanging.close()
            silent.close()
        }
        var dependencies: [DependencySpec] = []
        for index in 0..<20 {
            let name = "unreachable-\(index)"
            switch index % 5 {
            case 0: dependencies.append(.make(name, .tcp, timeout: 1) { $0.address = "127.0.0.1:\(hanging.port)" })
            case 1:
                dependencies.append(
                    .make(name, .http, timeout: 1) { $0.url = "http://127.0.0.1:\(silent.port)/health" })
            case 2:
                dependencies.append(
                    .make(name, .postgres, timeout: 1) { $0.url = "postgres://app:pw@127.0.0.1:\(silent.port)/app" })
            case 3: dependencies.append(.make(name, .redis, timeout: 1) { $0.address = "127.0.0.1:\(hanging.port)" })
            default:
                dependencies.append(
                    .make(name, .tls, timeout: 1) {
                        $0.host = "127.0.0.1"
                        $0.port = silent.port
                    })
            }
        }
        let (results, elapsed) = await Fixtures.measured { await DependencyProber(concurrency: 20).run(dependencies) }
        #expect(elapsed < 3, "20 checks of 1 s each took \(elapsed) s")
        #expect(elapsed >= 0.9)
        #expect(results.count == 20)
        for result in results {
            #expect(result.status == .fail)
            #expect(result.summary.hasPrefix("timed out after 1s while"), "\(result.id): \(result.summary)")
        }
    }

    @Test("no more than `concurrency` checks run at once")
    func concurrencyBound() async {
        let hanging = HangingPort()
        defer { hanging.close() }
        let dependencies = (0..<8).map { index in
            DependencySpec.make("slow-\(index)", .tcp, timeout: 0.5) { $0.address = "127.0.0.1:\(hanging.port)" }
        }
        let (_, elapsed) = await Fixtures.measured { await DependencyProber(concurrency: 4).run(dependencies) }
        // Two waves of four checks of 0.5 s each.
        #expect((0.9...1.6).contains(elapsed), "took \(elapsed) s")
    }

}
