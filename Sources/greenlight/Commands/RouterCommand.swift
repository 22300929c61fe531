import ArgumentParser
import Foundation
import GreenlightCanary
import GreenlightCore
import GreenlightLedger

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension Greenlight {
    struct RouterCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "router",
            abstract: "Split traffic between a baseline and a canary upstream, sticky per user.",
            discussion: """
                  greenlight router release.yaml --weight 1     run it (the default: serve)
                  greenlight router weight 5 \\
                      --admin http://10.0.0.7:8081 --admin http://10.0.0.8:8081
                  greenlight router drain --admin http://127.0.0.1:8081
                  greenlight router status --admin http://127.0.0.1:8081
                """,
            subcommands: [Serve.self, Weight.self, Drain.self, Status.self],
            defaultSubcommand: Serve.self)
    }
}

extension Greenlight.RouterCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Run the router (the default).",
            discussion: """
                An HTTP/1.1 reverse proxy. A request goes to the canary when its bucket (1…100, the \
                murmur3 rule of Unleash's SDKs over "<group>:<key>") is at most --weight; the key is the \
                --sticky-header or --sticky-cookie value, else the client IP. Responses carry \
                X-Greenlight-Arm. With --admin-port: GET /metrics, GET /status, POST /weight {"weight": N}, \
                POST /drain (weight 0: no new canary requests, in-flight ones finish).

                  greenlight router release.yaml --weight 1
                  greenlight router --listen 127.0.0.1:8000 --baseline http://127.0.0.1:8080 \\
                    --canary http://127.0.0.1:8081 --weight 5 --group checkout \\
                    --sticky-header X-User

                Given a spec, the router takes its rollout.proxy (listen, baseline, canary, admin_listen, \
                admin_token), its sticky_key, and its feature_flag (else the service name) as the group; \
                options override them. With a ledger (--ledger, GREENLIGHT_LEDGER, or the one beside the \
                spec), every weight change is recorded as a rollout event of the release (`greenlight \
                ledger show` lists them), and --flags-port serves the ledger's feature flags over OFREP \
                from the router process.
                """)

        @Argument(
            help: ArgumentHelp("A release spec whose rollout.proxy the router serves.", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
        var file: String?

        @OptionGroup var ledger: LedgerOptions

        @Option(
            help: ArgumentHelp(
                "The release whose rollout events are recorded, without a spec.", valueName: "service@version"))
        var release: String?

        @Option(
            help: ArgumentHelp(
                "Serve the ledger's feature flags over OFREP on this port (admin host).", valueName: "port"))
        var flagsPort: Int?

        @Option(help: ArgumentHelp("Where to listen, HOST:PORT (default 127.0.0.1:8000).", valueName: "host:port"))
        var listen: String?

        @Option(help: ArgumentHelp("The baseline upstream, http://host:port or https://host:port.", valueName: "url"))
        var baseline: String?

        @Option(help: ArgumentHelp("The canary upstream, http://host:port or https://host:port.", valueName: "url"))
        var canary: String?

        @Option(
            help: ArgumentHelp(
                "A CA certificate (PEM) to trust for https upstreams, besides the system store.", valueName: "file"))
        var upstreamCA: String?

        @Option(help: "The canary's share, 0 to 100, to hundredths (0 drains the canary).")
        var weight = 0.0

        @Option(
            help: ArgumentHelp(
                "The bucketing group: the rollout's feature flag, else the service name (default greenlight).",
                valueName: "name"))
        var group: String?

        @Option(help: ArgumentHelp("Stick users by this request header.", valueName: "name"))
        var stickyHeader: String?

        @Option(help: ArgumentHelp("Stick users by this cookie.", valueName: "name"))
        var stickyCookie: String?

        @Option(help: ArgumentHelp("The admin listener's port (on --admin-host); none by default.", valueName: "port"))
        var adminPort: Int?

        @Option(help: ArgumentHelp("The admin listener's host (default 127.0.0.1).", valueName: "host"))
        var adminHost: String?

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

        @Option(
            help: ArgumentHelp(
                "Seconds per interval of /intervals (default: a sixth of rollout.interval, 0.1 to 10).",
                valueName: "seconds"))
        var metricsInterval: Double?

        func validate() throws {
            guard RouterAdminOptions.isWeight(weight) else {
                throw ValidationError("--weight must be 0 to 100, to hundredths, got \(weight).")
            }
            if let metricsInterval, !(0.1...3600).contains(metricsInterval) {
                throw ValidationError("--metrics-interval must be 0.1 to 3600 seconds, got \(metricsInterval).")
            }
            if file == nil, baseline == nil || canary == nil {
                throw ValidationError("give a spec with rollout.proxy, or --baseline URL and --canary URL.")
            }
            if let baseline, RouterUpstream(url: baseline) == nil {
                throw ValidationError("--baseline must be http://host:port or https://host:port, got '\(baseline)'.")
            }
            if let canary, RouterUpstream(url: canary) == nil {
                throw ValidationError("--canary must be http://host:port or https://host:port, got '\(canary)'.")
            }
            if let listen, Self.hostPort(listen) == nil {
                throw ValidationError("--listen must be HOST:PORT, got '\(listen)'.")
            }
            if stickyHeader != nil, stickyCookie != nil {
                throw ValidationError("give --sticky-header or --sticky-cookie, not both.")
            }
            if let release, release.split(separator: "@").count != 2 {
                throw ValidationError("--release must be service@version, got '\(release)'.")
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
            var spec: ReleaseSpec?
            if let file { spec = try SpecInput.load(file: file, policy: nil).0 }
            let proxy = spec?.rollout?.proxy
            if spec != nil, proxy == nil, baseline == nil || canary == nil {
                throw LedgerInput.usage(
                    "\(file ?? "the spec") has no rollout.proxy (listen, baseline, canary): add one, or give --baseline and --canary"
                )
            }
            guard let baselineURL = baseline ?? proxy?.baseline, let baseline = RouterUpstream(url: baselineURL) else {
                throw LedgerInput.usage(
                    "the baseline must be http://host:port or https://host:port, got '\(baseline ?? proxy?.baseline ?? "")'"
                )
            }
            guard let canaryURL = canary ?? proxy?.canary, let canary = RouterUpstream(url: canaryURL) else {
                throw LedgerInput.usage(
                    "the canary must be http://host:port or https://host:port, got '\(canary ?? proxy?.canary ?? "")'")
            }
            var config = RouterConfiguration(baseline: baseline, canary: canary)
            guard let (host, port) = Self.hostPort(listen ?? proxy?.listen ?? "127.0.0.1:8000") else {
                throw LedgerInput.usage("rollout.proxy.listen must be HOST:PORT")
            }
            config.listenHost = host
            config.listenPort = port
            config.weight = weight
            config.group = group ?? spec?.rollout?.featureFlag ?? spec?.service.name ?? "greenlight"
            if let sticky = spec?.rollout?.stickyKey {
                if let header = sticky.header { config.stickiness = .header(header) }
                if let cookie = sticky.cookie { config.stickiness = .cookie(cookie) }
            }
            if let stickyHeader { config.stickiness = .header(stickyHeader) }
            if let stickyCookie { config.stickiness = .cookie(stickyCookie) }
            var adminHost = self.adminHost ?? "127.0.0.1"
            config.adminPort = adminPort
            if adminPort == nil, let admin = proxy?.adminListen, let (h, p) = Self.hostPort(admin) {
                adminHost = self.adminHost ?? h
                config.adminPort = p
            } else if adminPort == nil, proxy != nil {
                config.adminPort = port == 0 ? 0 : port + 1
            }
            config.adminHost = adminHost
            config.adminToken = ProcessInfo.processInfo.environment[adminTokenEnv] ?? proxy?.adminToken
            config.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
            config.responseHeaderTimeout = .milliseconds(Int64(responseTimeout * 1000))
            config.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
            config.threads = threads
            // The judge compares the intervals that end inside each analysis window: several per window.
            let seconds = metricsInterval ?? min(10, max(0.1, (spec?.rollout?.interval?.seconds ?? 60) / 6))
            config.metricsInterval = .milliseconds(Int64(seconds * 1000))
            if let upstreamCA {
                guard FileManager.default.isReadableFile(atPath: upstreamCA) else {
                    throw LedgerInput.usage("--upstream-ca \(upstreamCA): no such readable file")
                }
                config.upstreamTrust = .customCA(path: upstreamCA)
            }

            // The ledger, when one is named or lies beside the spec: rollout events and flags.
            let location = ledger.location(besideSpec: file)
            let named =
                ledger.ledger != nil
                || ProcessInfo.processInfo.environment["GREENLIGHT_LEDGER"].map { !$0.isEmpty } == true
            var open: OpenLedger?
            if named || FileManager.default.fileExists(atPath: location) {
                open = try await ledger.open(besideSpec: file)
            } else if flagsPort != nil {
                throw LedgerInput.usage("--flags-port serves the ledger's flags: there is no ledger at \(location)")
            }
            let releaseName =
                release ?? spec.map { ReleaseLedger.name(service: $0.service.name, version: $0.service.version) }
            let events = AsyncStream<RolloutEvent>.makeStream()
            if let open, let releaseName {
                let log = RolloutEventLog(store: open.ledger.store, release: releaseName)
                config.onWeightChange = { from, to, action, by in
                    events.continuation.yield(
                        RolloutEvent(action: action == "drain" ? .drain : .weight, from: from, to: to, by: by))
                }
                // One writer, in order; a failure is said, and the router keeps serving.
                Task {
                    for await event in events.stream {
                        do {
                            try await log.record(event)
                        } catch {
                            Terminal.error("greenlight: cannot record the rollout event in \(open.location): \(error)")
                        }
                    }
                }
            }

            let router: CanaryRouter
            do {
                router = try await CanaryRouter.start(config)
            } catch {
                throw LedgerInput.usage("\(error)")
            }
            var flags: RunningOFREPServer?
            if let open, let flagsPort {
                do {
                    flags = try await OFREPService(store: FlagStore(ledger: open.ledger.store)).start(
                        host: adminHost, port: flagsPort)
                } catch {
                    await router.stop()
                    throw LedgerInput.usage("--flags-port: \(error)")
                }
            }
            var line =
                "router on \(host):\(router.port): baseline \(config.baseline), canary \(config.canary), weight \(Format.number(weight)), group \(config.group)"
            if let admin = router.adminPort { line += "; admin on \(adminHost):\(admin)" }
            if let flags { line += "; OFREP on \(flags.baseURL)" }
            if let open, let releaseName { line += "; rollout events of \(releaseName) go to \(open.location)" }
            Terminal.error(line + "; Ctrl-C stops it")
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Interrupts.onFirstSignal { _ in done.resume() }
            }
            await flags?.stop()
            await router.stop()
            events.continuation.finish()
            await open?.close()
        }
    }
}

/// `--admin URL` (repeatable) and the token, shared by the commands that drive running routers.
struct RouterAdminOptions: ParsableArguments {
    /// 0 to 100 percent, to hundredths.
    static func isWeight(_ value: Double) -> Bool { RouterWeight.percent(value) != nil }

    @Option(
        name: .customLong("admin"),
        help: ArgumentHelp(
            "A router's admin URL, such as http://127.0.0.1:8081 (repeat for each router).", valueName: "url"))
    var admins: [String] = []

    @Option(help: ArgumentHelp("The environment variable holding the admin bearer token.", valueName: "name"))
    var adminTokenEnv = "GREENLIGHT_ROUTER_TOKEN"

    func validate() throws {
        guard !admins.isEmpty else { throw ValidationError("Name each router with --admin URL.") }
        for admin in admins
        where URL(string: admin)?.host == nil || !(admin.hasPrefix("http://") || admin.hasPrefix("https://")) {
            throw ValidationError("--admin must be an http:// URL, got '\(admin)'.")
        }
    }

    /// Sends `method path body` to every router, prints each answer, and fails (exit 1) when any did.
    func send(_ method: String, _ path: String, body: String? = nil) async throws {
        let token = ProcessInfo.processInfo.environment[adminTokenEnv]
        var failed = 0
        for admin in admins {
            let base = admin.hasSuffix("/") ? String(admin.dropLast()) : admin
            var request = URLRequest(url: URL(string: base + path)!, timeoutInterval: 10)
            request.httpMethod = method
            if let body {
                request.httpBody = Data(body.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            if let token, !token.isEmpty { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            do {
                let (data, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if status == 200 {
                    Terminal.out("\(admin): \(text)")
                } else {
                    failed += 1
                    Terminal.error("greenlight: \(admin): HTTP \(status) \(text)")
                }
            } catch {
                failed += 1
                Terminal.error("greenlight: \(admin): \(error.localizedDescription)")
            }
        }
        if failed > 0 {
            Terminal.error("greenlight: \(failed) of \(admins.count) routers did not take it")
            throw ExitCode(ExitStatus.notReady)
        }
    }
}

extension Greenlight.RouterCommand {
    struct Weight: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the canary's weight on every router named (they bucket alike, so they agree).",
            discussion: "Exit codes: 0 every router took it, 1 one did not, 2 invalid input.")

        @Argument(help: "The canary's share, 0 to 100, to hundredths (such as 0.5).")
        var weight: Double

        @OptionGroup var admin: RouterAdminOptions

        func validate() throws {
            guard RouterAdminOptions.isWeight(weight) else {
                throw ValidationError("the weight must be 0 to 100, to hundredths, got \(weight).")
            }
        }

        func run() async throws {
            try await admin.send("POST", "/weight", body: "{\"weight\": \(Format.number(weight))}")
        }
    }

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Weight 0 on every router named: no new canary request, in-flight ones finish.")

        @OptionGroup var admin: RouterAdminOptions

        func run() async throws { try await admin.send("POST", "/drain") }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print each router's weight and per-arm counts.")

        @OptionGroup var admin: RouterAdminOptions

        func run() async throws { try await admin.send("GET", "/status") }
    }
}
