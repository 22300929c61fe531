import ArgumentParser
import Foundation
import GreenlightCore
import GreenlightLedger
import GreenlightServer
import GreenlightWebhooks

extension Greenlight {
    struct ServeCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Run the team server: the ledger's API and dashboard, OFREP for the flags, /metrics, /healthz.",
            discussion: """
                Serves the release ledger (a SQLite file or a postgres:// URL) to the team: the REST API of \
                docs/openapi.yaml under /api/v1 (releases, reports, sign-offs, the gate, rollouts, flags, \
                signers, the ledger itself, alerts from Alertmanager, the routers), the dashboard (/, signed \
                in with a personal token), flag evaluation over OFREP (/ofrep/v1), its own metrics \
                (/metrics) and /healthz. It logs one JSON line per request, with its W3C trace id, on \
                standard error.

                Every /api/v1 call needs a personal token: the admin issues one per signer with \
                `greenlight token new --signer NAME`; its roles are the signer's. The command line then uses \
                the server as its ledger:

                  greenlight serve --ledger postgres://greenlight@db/greenlight --port 8080
                  export GREENLIGHT_LEDGER=https://gl.example.com GREENLIGHT_TOKEN=glt_…
                  greenlight check release.yaml
                  greenlight signoff release.yaml --role sre --decision approve --key alice

                Sign-offs are still signed on the signer's own machine with their key; the server verifies \
                and records them. Flags, canary weights and rollout approvals need an operator role \
                (--operator-role, by default sre, engineering and ci). SIGTERM or SIGINT stops it after the \
                requests in flight are answered.

                --tls-cert and --tls-key serve HTTPS; a client that does not trust the certificate's issuer \
                names it in GREENLIGHT_CA_FILE. Without them the server speaks plain HTTP, for loopback or \
                behind a proxy that terminates TLS.

                --router URL (repeatable) names the canary routers' admin APIs: GET /api/v1/routers shows \
                them, and an operator sets the canary's weight on all of them with POST /api/v1/routers/weight \
                (0 stops the canary at once), recorded in the release's trace.

                --webhooks FILE sends the release's trace (reports, sign-offs, gate decisions, rollout steps \
                and rollbacks, from whoever recorded them) to webhooks, Slack and the ticket's GitHub issue, \
                retried with back-off and never blocking anything (docs/webhooks.md).

                Exit codes: 0 stopped by a signal, 2 the ledger cannot be opened or the port is taken.
                """
        )

        @OptionGroup var ledger: LedgerOptions

        @Option(help: ArgumentHelp("The address to listen on.", valueName: "host"))
        var host = "127.0.0.1"

        @Option(help: ArgumentHelp("The port to listen on (0: any free port, printed).", valueName: "port"))
        var port = 8080

        @Option(
            name: .customLong("operator-role"),
            help: ArgumentHelp(
                "A role that may change flags and canary weights and approve rollout steps (repeat; default: sre, engineering, ci).",
                valueName: "role"))
        var operatorRoles: [String] = []

        @Option(
            name: .customLong("router"),
            help: ArgumentHelp(
                "A canary router's admin API (repeat for several): the dashboard shows it, operators set its weight.",
                valueName: "url"))
        var routers: [String] = []

        @Option(
            help: ArgumentHelp(
                "The environment variable holding the routers' admin token.", valueName: "name"))
        var routerTokenEnv = "GREENLIGHT_ROUTER_TOKEN"

        @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key).", valueName: "file"))
        var tlsCert: String?

        @Option(help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
        var tlsKey: String?

        @Flag(help: "Write no request log lines.")
        var quiet = false

        @Option(
            help: ArgumentHelp(
                "A YAML file of webhooks that carry the release's trace (JSON signed with HMAC, Slack, GitHub comments); docs/webhooks.md.",
                valueName: "file"))
        var webhooks: String?

        @Option(
            help: ArgumentHelp(
                "Where the webhooks keep their place in the ledger across restarts (default: FILE.state beside --webhooks).",
                valueName: "file"))
        var webhookState: String?

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535.") }
            if (tlsCert == nil) != (tlsKey == nil) {
                throw ValidationError(
                    "--tls-cert and --tls-key go together: the certificate chain and its private key.")
            }
            for (option, file) in [("--tls-cert", tlsCert), ("--tls-key", tlsKey)] {
                if let file, !FileManager.default.isReadableFile(atPath: file) {
                    throw ValidationError("\(option) \(file): the file does not exist or cannot be read.")
                }
            }
            for router in routers {
                guard let url = URL(string: router), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                    url.host?.isEmpty == false
                else {
                    throw ValidationError(
                        "--router '\(router)': give the router's admin URL, such as http://127.0.0.1:9901.")
                }
            }
            for role in operatorRoles where !LedgerInput.isIdentifier(role) {
                throw ValidationError("The role '\(role)' must be ASCII letters, digits, '.', '_' or '-'.")
            }
            if LedgerInput.isURL(ledger.ledger ?? ""), ledger.ledger?.lowercased().hasPrefix("http") == true {
                throw ValidationError(
                    "--ledger: the server keeps a SQLite file or a postgres:// ledger, not another server.")
            }
        }

        func run() async throws {
            var targets: [WebhookTarget] = []
            if let webhooks {
                do {
                    targets = try WebhookConfiguration.load(file: webhooks)
                } catch {
                    throw LedgerInput.usage("--webhooks: \(error)")
                }
            }
            let open = try await ledger.open(create: true)
            var configuration = TeamServerConfiguration(
                host: host, port: port,
                operatorRoles: operatorRoles.isEmpty
                    ? TeamServerConfiguration.defaultOperatorRoles : Set(operatorRoles),
                log: quiet ? nil : TeamServerConfiguration.standardError)
            configuration.webhooks = targets
            configuration.routers = routers
            configuration.tlsCertificate = tlsCert
            configuration.tlsKey = tlsKey
            configuration.routerToken = ProcessInfo.processInfo.environment[routerTokenEnv]
            configuration.webhookState = webhooks.map { webhookState ?? $0 + ".state" }
            // The server stops gracefully on SIGINT and SIGTERM itself; then the exit code says which.
            Interrupts.onFirstSignal { _ in }
            let location = open.location
            do {
                try await TeamServer(store: open.ledger.store, configuration: configuration).run(signals: true) {
                    port in
                    Terminal.error(
                        "greenlight serve: \(tlsCert == nil ? "http" : "https")://\(host.contains(":") ? "[\(host)]" : host):\(port) on \(location); SIGTERM or Ctrl-C stops it"
                    )
                }
            } catch {
                await open.close()
                throw LedgerInput.usage("the server could not run: \(error)")
            }
            await open.close()
        }
    }
}
