import ArgumentParser
import Foundation
import GreenlightCanary
import GreenlightJSON
import GreenlightLedger

extension Greenlight {
    struct FlagCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "flag",
            abstract: "Feature flags kept in the ledger and served over OFREP; `kill` is the kill switch.",
            discussion: """
                Every `set` and `kill` is a flag-change record in the ledger (who, why, the whole flag after \
                the change); a flag's state is its latest record. `serve` answers OpenFeature SDKs over \
                OFREP and sees a kill from any process within a second. See docs/flags.md.

                  greenlight flag set new-checkout --variant on=true --variant off=false \\
                      --default off --rollout 5:on
                  greenlight flag set new-checkout --rollout 25:on --reason "errors flat at 5%"
                  greenlight flag set theme --variant blue=blue --variant green=green \\
                      --default blue --rule 'plan in pro,team -> green'
                  greenlight flag kill new-checkout --reason "5xx on /checkout"
                  greenlight flag list
                  greenlight flag serve --listen 127.0.0.1:8016

                Exit codes: 0 done, 2 invalid input or an unusable ledger.
                """,
            subcommands: [List.self, Get.self, Set.self, Kill.self, Serve.self]
        )
    }
}

extension Greenlight.FlagCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every flag and its current state.")

        @Flag(help: "Print JSON: an array of flags, each with its last change.")
        var json = false

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            try FlagSyntax.requireLedger(ledger)
            try await ledger.with { open in
                let snapshot = try await FlagStore(ledger: open.ledger.store).refresh()
                let entries = snapshot.entries.values.sorted { $0.flag.key < $1.flag.key }
                if json {
                    Terminal.out(JSONValue.array(entries.map(FlagText.json)).serialized(pretty: true))
                    return
                }
                if entries.isEmpty {
                    Terminal.out("no flags in \(open.location): greenlight flag set KEY … makes one")
                    return
                }
                Terminal.out(entries.map(FlagText.line).joined(separator: "\n"))
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one flag: variants, default, rollout, rules, kill state and last change.")

        @Argument(help: ArgumentHelp("The flag's key.", valueName: "key"))
        var key: String

        @Flag(help: "Print the flag as JSON (the form `set --from` reads), with its last change.")
        var json = false

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            try FlagSyntax.requireLedger(ledger)
            try await ledger.with { open in
                let snapshot = try await FlagStore(ledger: open.ledger.store).refresh()
                guard let entry = snapshot.entries[key] else {
                    throw LedgerInput.usage(
                        "there is no flag \(key) in \(open.location) (greenlight flag list shows the flags)")
                }
                Terminal.out(json ? FlagText.json(entry).serialized(pretty: true) : FlagText.detail(entry))
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a flag, or change one: its variants, default, rollout or rules.",
            discussion: """
                A new flag needs its variants and its default. For an existing flag, what you do not give is \
                kept: `--rollout 25:on` alone raises the rollout. Giving --variant replaces all the variants; \
                giving --rule replaces all the rules.

                Variant values are JSON when they parse as JSON (true, false, 3, 2.5, {"a":1}, "quoted"), \
                else plain text: `--variant blue=blue` is the string "blue". All variants of a flag share \
                one type: boolean, string, number or object.

                A rule is `ATTRIBUTE OPERATOR VALUE[,VALUE…] -> VARIANT`, OPERATOR one of equals, in, \
                starts_with, ends_with; it compares the context attribute's text (a number or boolean as \
                JSON writes it). Rules are tried in order, before the rollout.

                  greenlight flag set new-checkout --variant on=true --variant off=false \\
                      --default off --rollout 5:on
                  greenlight flag set new-checkout --rollout 50:on --reason "p99 steady"
                  greenlight flag set new-checkout \\
                      --rule 'email ends_with @example.com -> on' \\
                      --rule 'plan in pro,team -> on'
                  greenlight flag set limits --from limits.json
                  greenlight flag set new-checkout --revive --reason "fixed"    (undo a kill)
                """
        )

        @Argument(help: ArgumentHelp("The flag's key: letters, digits, '.', '_', '-'.", valueName: "key"))
        var key: String

        @Option(
            name: .customLong("variant"),
            help: ArgumentHelp("A variant, NAME=VALUE (repeat; replaces all the variants).", valueName: "name=value"))
        var variants: [String] = []

        @Option(name: .customLong("default"), help: ArgumentHelp("The default variant.", valueName: "name"))
        var defaultVariant: String?

        @Option(
            help: ArgumentHelp(
                "A percentage rollout, PERCENT:VARIANT (0-100), or `none` to remove it.", valueName: "percent:variant"))
        var rollout: String?

        @Option(
            name: .customLong("rule"),
            help: ArgumentHelp(
                "A targeting rule, 'ATTRIBUTE OPERATOR VALUES -> VARIANT' (repeat; replaces all the rules).",
                valueName: "rule"))
        var rules: [String] = []

        @Flag(help: "Remove every targeting rule.")
        var clearRules = false

        @Option(
            help: ArgumentHelp("Read the whole flag from a JSON file (as `get --json` prints it).", valueName: "file"))
        var from: String?

        @Flag(help: "Set a killed flag again, which undoes the kill.")
        var revive = false

        @Option(help: ArgumentHelp("Why, for the ledger.", valueName: "text"))
        var reason: String?

        @Option(help: ArgumentHelp("Who makes the change (default: $USER).", valueName: "name"))
        var by: String?

        @OptionGroup var ledger: LedgerOptions

        func validate() throws {
            guard FeatureFlag.isValidKey(key) else {
                throw ValidationError(
                    "The flag key '\(key)' must be 1-128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit."
                )
            }
            if from != nil, !variants.isEmpty || defaultVariant != nil || rollout != nil || !rules.isEmpty || clearRules
            {
                throw ValidationError(
                    "--from gives the whole flag: use it without --variant, --default, --rollout or --rule.")
            }
            if clearRules, !rules.isEmpty { throw ValidationError("Give --rule or --clear-rules, not both.") }
        }

        func run() async throws {
            let fromFile = try from.map { path -> FeatureFlag in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw LedgerInput.usage("--from: cannot read \(path)")
                }
                do {
                    return try FeatureFlag(json: try JSONValue(parsing: data), key: key)
                } catch {
                    throw LedgerInput.usage("--from \(path): \(error)")
                }
            }
            let parsedVariants = try variants.map(FlagSyntax.variant)
            let parsedRollout = try rollout.map(FlagSyntax.rollout)
            let parsedRules = try rules.map(FlagSyntax.rule)
            try await ledger.with(create: true) { open in
                let store = FlagStore(ledger: open.ledger.store)
                let existing = try await store.refresh()[key]
                var flag: FeatureFlag
                if let fromFile {
                    flag = fromFile
                } else if let existing {
                    flag = existing
                } else {
                    guard !parsedVariants.isEmpty, defaultVariant != nil else {
                        throw LedgerInput.usage(
                            "flag \(key) is new: give its variants and its default, such as --variant on=true --variant off=false --default off"
                        )
                    }
                    flag = FeatureFlag(key: key, variants: [:], defaultVariant: "")
                }
                if !parsedVariants.isEmpty {
                    var table: [String: JSONValue] = [:]
                    for (name, value) in parsedVariants {
                        guard table[name] == nil else { throw LedgerInput.usage("--variant \(name) is given twice") }
                        table[name] = value
                    }
                    flag.variants = table
                }
                if let defaultVariant { flag.defaultVariant = defaultVariant }
                if let parsedRollout { flag.rollout = parsedRollout.percentage < 0 ? nil : parsedRollout }
                if clearRules { flag.rules = [] }
                if !parsedRules.isEmpty { flag.rules = parsedRules }
                if let existing, !existing.killed, existing == flag {
                    Terminal.out("flag \(key) is unchanged")
                    return
                }
                let entry = try await store.set(flag, by: FlagSyntax.who(by), reason: reason, revive: revive)
                Terminal.out(
                    "flag \(key) \(existing == nil ? "created" : existing?.killed == true ? "revived" : "changed") (record \(entry.sequence) of \(open.location))\n\(FlagText.detail(entry))"
                )
            }
        }
    }

    struct Kill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The kill switch: serve the flag's off variant to everyone, now.",
            discussion: """
                Every serving process answers the kill variant (the variant named `off`; else, for a boolean \
                flag, the false one; else the default) with reason DISABLED within a second. `flag set KEY \
                --revive` undoes it.

                  greenlight flag kill new-checkout --reason "5xx on /checkout after 2.14.0"
                """
        )

        @Argument(help: ArgumentHelp("The flag's key.", valueName: "key"))
        var key: String

        @Option(help: ArgumentHelp("Why, for the ledger.", valueName: "text"))
        var reason: String?

        @Option(help: ArgumentHelp("Who kills it (default: $USER).", valueName: "name"))
        var by: String?

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            try FlagSyntax.requireLedger(ledger)
            try await ledger.with { open in
                let store = FlagStore(ledger: open.ledger.store)
                guard let entry = try await store.kill(key, by: FlagSyntax.who(by), reason: reason) else {
                    Terminal.out("flag \(key) was already killed")
                    return
                }
                let variant = entry.flag.killVariant
                Terminal.out(
                    "flag \(key) killed: everyone gets \(variant) = \(entry.flag.variants[variant]?.serialized() ?? "null") (record \(entry.sequence) of \(open.location))"
                )
            }
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the flags over OFREP until interrupted.",
            discussion: """
                POST /ofrep/v1/evaluate/flags/{key} evaluates one flag, POST /ofrep/v1/evaluate/flags all of \
                them (with an ETag; If-None-Match answers 304 while nothing changed). The ledger is read \
                again every 250 ms, so a kill from any process is served within a second.

                  greenlight flag serve --listen 127.0.0.1:8016
                  curl -s -X POST localhost:8016/ofrep/v1/evaluate/flags/new-checkout \\
                      -d '{"context":{"targetingKey":"user-1"}}'
                """
        )

        @Option(
            help: ArgumentHelp("The address to listen on, HOST:PORT (port 0 picks a free one).", valueName: "host:port")
        )
        var listen = "127.0.0.1:8016"

        @OptionGroup var ledger: LedgerOptions

        func validate() throws { _ = try FlagSyntax.listen(listen) }

        func run() async throws {
            let (host, port) = try FlagSyntax.listen(listen)
            try FlagSyntax.requireLedger(ledger)
            let open = try await ledger.open()
            let service = OFREPService(store: FlagStore(ledger: open.ledger.store))
            let location = open.location
            Interrupts.onFirstSignal { _ in }
            do {
                try await service.run(host: host, port: port, signals: true) { bound in
                    Terminal.error("serving flags over OFREP on http://\(host):\(bound) from \(location); Ctrl-C stops")
                }
            } catch {
                await open.close()
                throw LedgerInput.usage("cannot serve on \(listen): \(error)")
            }
            await open.close()
            if let signal = Interrupts.received { throw ExitCode(Interrupts.exitStatus(signal)) }
        }
    }
}

/// The command line's flag syntax.
enum FlagSyntax {
    /// `NAME=VALUE`: the value as JSON when it parses, else as text.
    static func variant(_ text: String) throws -> (String, JSONValue) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw LedgerInput.usage("--variant \(text): write NAME=VALUE, such as on=true or blue=blue")
        }
        let name = String(text[..<equals])
        let raw = String(text[text.index(after: equals)...])
        guard FeatureFlag.isValidKey(name) else {
            throw LedgerInput.usage("--variant \(text): the name '\(name)' must be letters, digits, '.', '_' or '-'")
        }
        if let value = try? JSONValue(parsing: Data(raw.utf8)) { return (name, value) }
        return (name, .string(raw))
    }

    /// `PERCENT:VARIANT`, or `none` (returned as percentage -1).
    static func rollout(_ text: String) throws -> FeatureFlag.Rollout {
        if text == "none" { return FeatureFlag.Rollout(percentage: -1, variant: "") }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let percent = Int(parts[0].trimmingCharacters(in: CharacterSet(charactersIn: "% "))),
            (0...100).contains(percent), !parts[1].isEmpty
        else {
            throw LedgerInput.usage(
                "--rollout \(text): write PERCENT:VARIANT with PERCENT 0 to 100, such as 5:on, or none")
        }
        return FeatureFlag.Rollout(percentage: percent, variant: parts[1])
    }

    /// `ATTRIBUTE OPERATOR VALUE[,VALUE…] -> VARIANT`.
    static func rule(_ text: String) throws -> FeatureFlag.Rule {
        let usage =
            "--rule '\(text)': write 'ATTRIBUTE OPERATOR VALUE[,VALUE…] -> VARIANT', OPERATOR one of \(FeatureFlag.Rule.Operator.allCases.map(\.rawValue).joined(separator: ", ")), such as 'plan in pro,team -> on'"
        guard let arrow = text.range(of: "->", options: .backwards) else { throw LedgerInput.usage(usage) }
        let variant = text[arrow.upperBound...].trimmingCharacters(in: .whitespaces)
        let left = text[..<arrow.lowerBound].trimmingCharacters(in: .whitespaces)
        let words = left.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        guard words.count == 3, !variant.isEmpty, let op = FeatureFlag.Rule.Operator(rawValue: words[1]) else {
            throw LedgerInput.usage(usage)
        }
        let values = words[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        guard !values.isEmpty else { throw LedgerInput.usage(usage) }
        return FeatureFlag.Rule(attribute: words[0], operator: op, values: values, variant: variant)
    }

    /// Refuses a ledger file that does not exist, saying how flags make one.
    static func requireLedger(_ options: LedgerOptions) throws {
        let location = options.location(besideSpec: nil)
        if !LedgerInput.isURL(location), !FileManager.default.fileExists(atPath: location) {
            throw LedgerInput.usage(
                "there is no ledger at \(location): greenlight flag set KEY … creates it with a first flag")
        }
    }

    static func who(_ given: String?) -> String {
        if let given, !given.isEmpty { return given }
        return ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
    }

    static func listen(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port), colon != text.startIndex
        else { throw ValidationError("--listen \(text): write HOST:PORT, such as 127.0.0.1:8016") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}

/// How flags are printed.
enum FlagText {
    static func summary(_ flag: FeatureFlag) -> String {
        var parts = ["\(flag.kind.rawValue)", "default \(flag.defaultVariant)"]
        if let rollout = flag.rollout { parts.append("\(rollout.percentage)% → \(rollout.variant)") }
        if !flag.rules.isEmpty { parts.append("\(flag.rules.count) rule\(flag.rules.count == 1 ? "" : "s")") }
        return parts.joined(separator: ", ")
    }

    static func change(_ entry: FlagEntry) -> String {
        "#\(entry.sequence) \(entry.action) by \(entry.by) at \(LedgerTime.string(entry.time))"
            + (entry.reason.map { ": \($0)" } ?? "")
    }

    static func line(_ entry: FlagEntry) -> String {
        "\(entry.flag.key)  \(entry.flag.killed ? "KILLED" : "live")  \(summary(entry.flag))  (\(change(entry)))"
    }

    static func detail(_ entry: FlagEntry) -> String {
        let flag = entry.flag
        var lines = ["flag \(flag.key): \(flag.killed ? "KILLED, serving \(flag.killVariant) to everyone" : "live")"]
        lines.append("  type     \(flag.kind.rawValue)")
        for (name, value) in flag.variants.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "  variant  \(name) = \(value.serialized())\(name == flag.defaultVariant ? "  (default)" : "")")
        }
        for (index, rule) in flag.rules.enumerated() {
            lines.append(
                "  rule \(index + 1)   \(rule.attribute) \(rule.operator.rawValue) \(rule.values.joined(separator: ",")) -> \(rule.variant)"
            )
        }
        if let rollout = flag.rollout {
            lines.append(
                "  rollout  \(rollout.percentage)% of targeting keys -> \(rollout.variant), the rest \(flag.defaultVariant)"
            )
        }
        lines.append("  changed  \(change(entry))")
        return lines.joined(separator: "\n")
    }

    static func json(_ entry: FlagEntry) -> JSONValue {
        guard case .object(var members) = entry.flag.json else { return entry.flag.json }
        var change: [(String, JSONValue)] = [
            ("sequence", .int(entry.sequence)), ("action", .string(entry.action)), ("by", .string(entry.by)),
            ("time", .string(LedgerTime.string(entry.time))),
        ]
        if let reason = entry.reason { change.append(("reason", .string(reason))) }
        members.append(("lastChange", .object(change)))
        return .object(members)
    }
}
