import ArgumentParser
import Foundation
import GreenlightCanary

extension Greenlight {
    struct RouterCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "router",
            abstract: "Split traffic between a baseline and a canary upstream, sticky per user.",
            discussion: """
                An HTTP/1.1 reverse proxy. A request goes to the canary when its bucket (1…100, the \
                murmur3 rule of Unleash's SDKs over "<group>:<key>") is at most --weight; the key is the \
                --sticky-header or --sticky-cookie value, else the client IP. Responses carry \
                X-Greenlight-Arm. With --admin-port: GET /metrics, GET /status, POST /weight {"weight": N}, \
                POST /drain (weight 0: no new canary requests, in-flight ones finish).

                  greenlight router --listen 127.0.0.1:8000 --baseline http://127.0.0.1:8080 \\
                    --canary http://127.0.0.1:8081 --weight 5 --group checkout --sticky-header X-User
                """)

        @Option(help: ArgumentHelp("Where to listen, HOST:PORT.", valueName: "host:port"))
        var listen = "127.0.0.1:8000"

        @Option(help: ArgumentHelp("The baseline upstream, http://host:port.", valueName: "url"))
        var baseline: String

        @Option(help: ArgumentHelp("The canary upstream, http://host:port.", valueName: "url"))
        var canary: String

        @Option(help: "The canary's share, 0 to 100 (0 drains the canary).")
        var weight = 0

        @Option(
            help: ArgumentHelp(
                "The bucketing group: the rollout's feature flag, else the service name.", valueName: "name"))
        var group = "greenlight"

        @Option(help: ArgumentHelp("Stick users by this request header.", valueName: "name"))
        var stickyHeader: String?

        @Option(help: ArgumentHelp("Stick users by this cookie.", valueName: "name"))
        var stickyCookie: String?

        @Option(help: ArgumentHelp("The admin listener's port (on --admin-host); none by default.", valueName: "port"))
        var adminPort: Int?

        @Option(help: ArgumentHelp("The admin listener's host.", valueName: "host"))
        var adminHost = "127.0.0.1"

        @Option(
            help: ArgumentHelp(
                "The environment variable holding the admin bearer token (required off loopback).", valueName: "name"))
        var adminTokenEnv = "GREENLIGHT_ROUTER_TOKEN"

        @Option(help: "Connect timeout, seconds.")
        var connectTimeout = 3.0

        @Option(help: "Response header timeout, seconds.")
        var responseTimeout = 30.0

        @Option(help: "Idle timeout, seconds.")
        var idleTimeout = 60.0

        @Option(help: "Event loop threads (0: one per core).")
        var threads = 0

        func validate() throws {
            guard (0...100).contains(weight) else { throw ValidationError("--weight must be 0 to 100, got \(weight).") }
            guard RouterUpstream(url: baseline) != nil else {
                throw ValidationError("--baseline must be http://host:port, got '\(baseline)'.")
            }
            guard RouterUpstream(url: canary) != nil else {
                throw ValidationError("--canary must be http://host:port, got '\(canary)'.")
            }
            guard Self.hostPort(listen) != nil else {
                throw ValidationError("--listen must be HOST:PORT, got '\(listen)'.")
            }
            if stickyHeader != nil, stickyCookie != nil {
                throw ValidationError("give --sticky-header or --sticky-cookie, not both.")
            }
        }

        static func hostPort(_ text: String) -> (String, Int)? {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port)
            else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return (host.isEmpty ? "0.0.0.0" : host, port)
        }

        func run() async throws {
            var config = RouterConfiguration(
                baseline: RouterUpstream(url: baseline)!, canary: RouterUpstream(url: canary)!)
            let (host, port) = Self.hostPort(listen)!
            config.listenHost = host
            config.listenPort = port
            config.weight = weight
            config.group = group
            if let stickyHeader { config.stickiness = .header(stickyHeader) }
            if let stickyCookie { config.stickiness = .cookie(stickyCookie) }
            config.adminPort = adminPort
            config.adminHost = adminHost
            config.adminToken = ProcessInfo.processInfo.environment[adminTokenEnv]
            config.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
            config.responseHeaderTimeout = .milliseconds(Int64(responseTimeout * 1000))
            config.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
            config.threads = threads
            let router = try await CanaryRouter.start(config)
            var line =
                "router on \(host):\(router.port): baseline \(config.baseline), canary \(config.canary), weight \(weight)"
            if let admin = router.adminPort { line += "; admin on \(adminHost):\(admin)" }
            Terminal.error(line + "; Ctrl-C stops it")
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Interrupts.onFirstSignal { _ in done.resume() }
            }
            await router.stop()
        }
    }
}
