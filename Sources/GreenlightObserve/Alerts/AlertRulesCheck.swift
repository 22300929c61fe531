import Foundation
import GreenlightCore
import GreenlightHTTP

/// The alert rules check (``ObservabilityCheck/alertRules``): the rule files of `alerts.rules` read,
/// every alerting rule with a `severity` label, a `summary` (or `description`) annotation and a
/// `runbook_url` annotation whose page answers 2xx or whose file exists; and, when promtool is
/// installed, `promtool check rules` on the files and `promtool test rules` on `alerts.rule_tests`.
public struct AlertRulesCheck: Sendable {
    public var alerts: AlertsSpec
    /// The spec's folder: relative rule files, rule tests and runbook paths are inside it.
    public var directory: String
    /// promtool, or nil when it is not installed (its checks are then reported as skipped).
    public var promtool: Promtool?
    /// How long a runbook page may take to answer.
    public var runbookTimeout: Duration
    /// Runbook pages fetched at once.
    public var concurrency = 8

    public init(
        alerts: AlertsSpec, directory: String, promtool: Promtool? = Promtool.onPath(),
        runbookTimeout: Duration = .seconds(5)
    ) {
        self.alerts = alerts
        self.directory = directory
        self.promtool = promtool
        self.runbookTimeout = runbookTimeout
    }

    /// A problem found, at the rule it is about.
    struct Finding: Hashable, Sendable {
        enum Level: Hashable, Sendable {
            case fail, warn
        }

        var level: Level
        var location: SourceLocation
        var message: String

        var line: String { "\(location): \(message)" }
    }

    static let title = "Alert rules"

    /// Runs the check with a session of its own, trusting HTTPS runbooks as `trust` says.
    public func run(trust: TLSTrust = .system) async -> CheckResult {
        let session: HTTPSession
        do {
            session = try HTTPSession(trust: trust)
        } catch {
            return ObservabilityCheck.result(
                ObservabilityCheck.alertRules, Self.title, .error, "cannot set up HTTPS for the runbooks: \(error)")
        }
        let result = await run(session: session)
        await session.shutdown()
        return result
    }

    /// Runs the check; runbook pages are fetched through `session` (with the environment's TLS trust).
    public func run(session: HTTPSession) async -> CheckResult {
        let start = ContinuousClock.now
        var result = await evaluate(session: session)
        let elapsed = ContinuousClock.now - start
        result.durationSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return result
    }

    private func evaluate(session: HTTPSession) async -> CheckResult {
        guard !alerts.rules.isEmpty else {
            return ObservabilityCheck.result(
                ObservabilityCheck.alertRules, Self.title, .fail,
                "alerts.rules names no rule file: no alert can fire, so nothing pages")
        }
        var rules: [AlertRule] = []
        var details: [String] = []
        var broken = 0
        var evidence: [CheckResult.EvidenceRecord] = []
        for path in alerts.rules {
            do {
                rules += try RuleFiles.load(path: path, directory: directory)
            } catch {
                broken += error.diagnostics.count
                details += error.diagnostics.map(\.description)
            }
            let data = FileManager.default.contents(atPath: SpecPath.resolve(path, in: directory))
            evidence.append(.init(kind: "file", reference: path, sha256: data.map(Hashing.sha256Hex)))
        }
        let alerting = rules.filter { $0.kind == .alerting }
        var findings = Self.lint(alerting)
        findings += await runbookFindings(alerting, session: session)
        findings.sort { ($0.location, $0.message) < ($1.location, $1.message) }
        details += findings.map(\.line)

        var failures = broken + findings.filter { $0.level == .fail }.count
        var notes: [String] = []
        if let promtool {
            for outcome in await runPromtool(promtool) {
                details.append(
                    outcome.passed
                        ? "\(outcome.command): passed" : "\(outcome.command): failed (\(outcome.failure ?? ""))")
                details += outcome.lines.suffix(40).map { "  " + $0 }
                if !outcome.passed { failures += 1 }
            }
        } else {
            let skipped =
                alerts.ruleTests.isEmpty ? "promtool check rules" : "promtool check rules and promtool test rules"
            notes.append("\(skipped) skipped: promtool is not on PATH (install Prometheus' promtool)")
            details.append(
                "\(skipped) skipped: promtool is not on PATH (install Prometheus' promtool, Debian package prometheus)")
        }
        if broken == 0, alerting.isEmpty {
            failures += 1
            details.insert("no alerting rule in \(alerts.rules.joined(separator: ", ")): no alert can fire", at: 0)
        }

        let warnings = findings.filter { $0.level == .warn }.count
        let files = Format.count(alerts.rules.count, "rule file")
        let counted = "\(Format.count(alerting.count, "alert rule")) in \(files)"
        let have = alerting.count == 1 ? "has" : "have"
        var result: CheckResult
        if failures > 0 {
            let first = details.first { !$0.hasPrefix("  ") && !$0.hasSuffix(": passed") } ?? ""
            result = ObservabilityCheck.result(
                ObservabilityCheck.alertRules, Self.title, .fail,
                "\(Format.count(failures, "problem")) in \(counted); first: \(first)", details: details)
        } else if warnings > 0 || !notes.isEmpty {
            var parts = notes
            if warnings > 0 { parts.insert("\(Format.count(warnings, "runbook")) could not be checked", at: 0) }
            result = ObservabilityCheck.result(
                ObservabilityCheck.alertRules, Self.title, .warn,
                "\(counted) \(have) severity, summary and runbook; \(parts.joined(separator: "; "))", details: details)
        } else {
            result = ObservabilityCheck.result(
                ObservabilityCheck.alertRules, Self.title, .pass,
                "\(counted) \(have) severity, summary and a runbook that is there; promtool passed", details: details)
        }
        result.evidence = evidence
        return result
    }

    /// What each alerting rule lacks: a severity label, a summary or description, a runbook_url.
    static func lint(_ rules: [AlertRule]) -> [Finding] {
        var findings: [Finding] = []
        for rule in rules where rule.kind == .alerting {
            func fail(_ message: String) {
                findings.append(Finding(level: .fail, location: rule.location, message: message))
            }
            if (rule.labels["severity"] ?? "").isEmpty { fail("\(rule.title) has no severity label") }
            let summary = ["summary", "description"].contains { !(rule.annotations[$0] ?? "").isEmpty }
            if !summary { fail("\(rule.title) has no summary annotation (nor a description)") }
            if (rule.annotations["runbook_url"] ?? "").isEmpty { fail("\(rule.title) has no runbook_url annotation") }
        }
        return findings
    }

    /// Whether each rule's runbook is there: pages fetched once each, files looked up.
    func runbookFindings(_ rules: [AlertRule], session: HTTPSession) async -> [Finding] {
        var findings: [Finding] = []
        var pages: [String: [AlertRule]] = [:]
        for rule in rules {
            guard let text = rule.annotations["runbook_url"], !text.isEmpty else { continue }
            func add(_ level: Finding.Level, _ message: String) {
                findings.append(Finding(level: level, location: rule.location, message: "\(rule.title): \(message)"))
            }
            switch Runbook(text) {
            case .url(let url): pages[url, default: []].append(rule)
            case .file(let path):
                if let problem = Runbook.fileProblem(path, directory: directory) { add(.fail, problem) }
            case .unsupported(let scheme):
                add(.fail, "runbook_url \(text) is a \(scheme) URL; greenlight can check http, https and file paths")
            case .template(let prefix):
                if Runbook.scheme(of: prefix) != nil {
                    if Runbook.isWebURL(prefix) {
                        add(
                            .warn,
                            "runbook_url \(text) is a template, filled in only when the alert fires: not fetched (its fixed part \(prefix) is a URL)"
                        )
                    } else {
                        add(
                            .fail,
                            "runbook_url \(text) is a template whose fixed part \(prefix) is not an http or https URL")
                    }
                } else {
                    let fixed = prefix.isEmpty ? "it has no fixed part" : "its fixed part is \(prefix)"
                    add(
                        .warn,
                        "runbook_url \(text) is a template, filled in only when the alert fires: not checked (\(fixed))"
                    )
                }
            }
        }
        let problems = await fetchAll(Array(pages.keys), session: session)
        for (url, rules) in pages {
            guard let problem = problems[url] ?? nil else { continue }
            for rule in rules {
                findings.append(Finding(level: .fail, location: rule.location, message: "\(rule.title): \(problem)"))
            }
        }
        return findings
    }

    /// Each URL's problem (nil when it answers 2xx), a few fetched at once.
    private func fetchAll(_ urls: [String], session: HTTPSession) async -> [String: String?] {
        let timeout = runbookTimeout
        return await withTaskGroup(of: (String, String?).self) { group in
            var pending = urls.sorted()[...]
            var problems: [String: String?] = [:]
            func startNext() {
                guard let url = pending.popFirst() else { return }
                group.addTask { (url, await Runbook.fetchProblem(url, session: session, timeout: timeout)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let (url, problem) = await group.next() {
                problems[url] = problem
                startNext()
            }
            return problems
        }
    }

    /// `promtool check rules` on the rule files, then `promtool test rules` on the rule tests.
    private func runPromtool(_ promtool: Promtool) async -> [Promtool.Outcome] {
        let resolve = { (path: String) in SpecPath.resolve(path, in: directory) }
        var outcomes = [await promtool.checkRules(alerts.rules.map(resolve), shownAs: alerts.rules)]
        if !alerts.ruleTests.isEmpty {
            outcomes.append(await promtool.testRules(alerts.ruleTests.map(resolve), shownAs: alerts.ruleTests))
        }
        return outcomes
    }
}
