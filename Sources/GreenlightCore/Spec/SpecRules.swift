import Foundation
import GreenlightCore
import GreenlightJSON

/// Rules that span fields (a waiver must name a known item; a load test needs an expected peak),
/// checked after the schema, with locations taken from the source tree.
struct SpecRules {
    let spec: ReleaseSpec
    let root: SpecValue
    let policy: RiskPolicy
    private(set) var diagnostics: [Diagnostic] = []

    init(spec: ReleaseSpec, root: SpecValue, policy: RiskPolicy) {
        self.spec = spec
        self.root = root
        self.policy = policy
    }

    mutating func add(_ value: SpecValue?, _ path: String, _ message: String) {
        let location = value?.location ?? root.location
        diagnostics.append(Diagnostic(location, path, message))
    }

    mutating func check() {
        checkChecklist()
        checkParity()
        checkLoad()
        checkDependencies()
        checkObservability()
        checkRisk()
        checkRollout()
        checkSmoke()
    }

    /// A typed value for a message: as written, unless it came from the environment.
    static func shown(_ value: SpecValue?, _ typed: CustomStringConvertible) -> String {
        value?.isSecret == true ? value!.shownForError : typed.description
    }

    private mutating func checkChecklist() {
        let builtin = BuiltinItem.allCases.map(\.rawValue)
        let customIDs = spec.checklist.custom.map(\.id).filter { !$0.isEmpty }
        for (i, element) in (root.at("checklist", "custom")?.elements ?? []).enumerated() {
            if let id = element["id"], let text = id.scalar, !id.unresolved, builtin.contains(text) {
                add(
                    id, "checklist.custom[\(i)].id",
                    "\(id.shownForError) is a non-negotiable item that greenlight always checks; give your item another id"
                )
            }
        }
        for (i, element) in (root.at("checklist", "waivers")?.elements ?? []).enumerated() {
            guard let item = element["item"], let text = item.scalar, !text.isEmpty, !item.unresolved else { continue }
            let known = builtin + customIDs
            // The checks of the monitoring-hooks item may be waived one by one.
            let checks = ObservabilitySpec.CheckID.allCases.map(\.rawValue)
            if !known.contains(text), !checks.contains(text) {
                let hint = Suggest.closest(to: text, among: known + checks).map { "; did you mean '\($0)'?" } ?? ""
                add(
                    item, "checklist.waivers[\(i)].item",
                    "no checklist item has the id \(item.shownForError)\(hint) (items: \(known.joined(separator: ", ")))"
                )
            }
        }
    }

    private mutating func checkParity() {
        guard let compare = root.at("parity", "compare")?.elements else { return }
        let names = spec.environments.map(\.name)
        for (i, element) in compare.enumerated() {
            guard let text = element.scalar, !element.unresolved, !names.contains(text) else { continue }
            let hint = Suggest.closest(to: text, among: names).map { "; did you mean '\($0)'?" } ?? ""
            let known =
                names.isEmpty ? "no environments are declared" : "environments: \(names.joined(separator: ", "))"
            add(element, "parity.compare[\(i)]", "no environment is named \(element.shownForError)\(hint) (\(known))")
        }
        if compare.count > 2 {
            add(
                root.at("parity", "compare"), "parity.compare",
                "compares exactly two environments, got \(compare.count)")
        }
    }

    private mutating func checkLoad() {
        guard let loadValue = root["load"], loadValue.entries != nil, let load = spec.load else { return }
        if spec.traffic == nil {
            add(loadValue, "load", "a load test needs traffic.expected_peak_rps, the peak it multiplies")
        }
        if load.model == .open, let peak = spec.traffic?.expectedPeakRPS,
            !(peak * load.multiplier <= LoadSpec.maximumRate)
        {
            let peakValue = root.at("traffic", "expected_peak_rps")
            let secret = peakValue?.isSecret == true || loadValue["multiplier"]?.isSecret == true
            let product = peak * load.multiplier
            let asked = secret ? "more" : product < 1e16 ? Format.number(product) : "\(product)"
            add(
                loadValue["multiplier"] ?? peakValue, "load.multiplier",
                "traffic.expected_peak_rps × load.multiplier asks for \(asked) requests per second; the load engine runs at most \(Format.number(LoadSpec.maximumRate)): lower one of them"
            )
        }
        let waived = spec.checklist.waiver(for: BuiltinItem.loadTesting.rawValue) != nil
        if let multiplier = loadValue["multiplier"], let value = multiplier.scalar.flatMap(SchemaValidator.parseNumber),
            value > 0, value < policy.minimumLoadMultiplier, !waived
        {
            let minimum = Format.number(policy.minimumLoadMultiplier)
            add(
                multiplier, "load.multiplier",
                "must be at least \(minimum) (test at \(minimum)x expected peak or more), got \(multiplier.isSecret ? multiplier.shownForError : Format.number(value))"
            )
        }
        if let duration = load.duration, duration < policy.minimumLoadDuration, !waived {
            add(
                loadValue["duration"], "load.duration",
                "must be at least \(policy.minimumLoadDuration) to count as sustained, got \(Self.shown(loadValue["duration"], duration))"
            )
        }
        if load.model == .closed, load.virtualUsers == nil {
            add(loadValue, "load.vus", "the closed model needs vus, the number of virtual users")
        }
        let scenarios = spec.smoke?.scenarios.map(\.name) ?? []
        for (i, element) in (loadValue["mix"]?.elements ?? []).enumerated() {
            guard let scenario = element["scenario"], let name = scenario.scalar, !scenario.unresolved,
                !scenarios.contains(name)
            else {
                continue
            }
            let hint = Suggest.closest(to: name, among: scenarios).map { "; did you mean '\($0)'?" } ?? ""
            let known =
                scenarios.isEmpty
                ? "the spec has no smoke scenarios" : "scenarios: \(scenarios.joined(separator: ", "))"
            add(
                scenario, "load.mix[\(i)].scenario",
                "no smoke scenario is named \(scenario.shownForError)\(hint) (\(known))")
        }
    }

    private mutating func checkDependencies() {
        for (i, element) in (root["dependencies"]?.elements ?? []).enumerated() {
            guard let kindText = element["kind"]?.scalar, let kind = DependencySpec.Kind(rawValue: kindText) else {
                continue
            }
            for field in kind.requiredFields where element[field] == nil || element[field]!.isNull {
                add(element, "dependencies[\(i)].\(field)", "a \(kind.rawValue) dependency needs \(field)")
            }
            for entry in element.entries ?? []
            where !kind.applicableFields.contains(entry.key) && DependencySpec.schema.field(entry.key) != nil {
                diagnostics.append(
                    Diagnostic(
                        entry.keyLocation, "dependencies[\(i)].\(entry.key)",
                        "does not apply to a \(kind.rawValue) dependency (its fields: \(kind.applicableFields.joined(separator: ", ")))"
                    ))
            }
        }
    }

    private mutating func checkObservability() {
        if let within = root.at("observability", "health", "within"),
            let duration = within.scalar.flatMap(SpecDuration.init),
            duration > HealthSpec.slaLimit
        {
            add(
                within, "observability.health.within",
                "must be at most \(HealthSpec.slaLimit) (the readiness SLA: health known within \(HealthSpec.slaLimit)), got \(Self.shown(within, duration))"
            )
        }
        if let within = root.at("observability", "logs", "diagnosis", "within"),
            let duration = within.scalar.flatMap(SpecDuration.init),
            duration > LogsSpec.Diagnosis.limit
        {
            add(
                within, "observability.logs.diagnosis.within",
                "must be at most \(LogsSpec.Diagnosis.limit) (root cause within 5 minutes), got \(Self.shown(within, duration))"
            )
        }
    }

    private mutating func checkRisk() {
        guard let riskValue = root["risk"], riskValue.entries != nil else { return }
        let factors = ["blast_radius", "recovery_minutes", "users_affected_percent", "revenue_per_minute"]
        if riskValue["impact"] == nil, !factors.contains(where: { riskValue[$0] != nil }) {
            add(
                riskValue, "risk.impact",
                "give impact (1-5), or the facts to derive it from: blast_radius, recovery_minutes, users_affected_percent, revenue_per_minute"
            )
        }
    }

    private mutating func checkRollout() {
        guard let rollout = spec.rollout, let rolloutValue = root["rollout"] else { return }
        if let stepsValue = rolloutValue["steps"]?.elements {
            for i in stepsValue.indices.dropFirst() {
                guard let previous = stepsValue[i - 1].scalar.flatMap(SchemaValidator.parseNumber),
                    let current = stepsValue[i].scalar.flatMap(SchemaValidator.parseNumber), current <= previous
                else { continue }
                add(
                    stepsValue[i], "rollout.steps[\(i)]",
                    "steps must rise: \(Format.number(current))% comes after \(Format.number(previous))%"
                )
            }
        }
        if rollout.router == .command, rollout.command == nil {
            add(rolloutValue, "rollout.command", "router: command needs the command that sets the canary weight")
        }
        if let analysis = rollout.analysis, analysis.marginal >= analysis.pass {
            let at =
                rolloutValue.at("analysis", "marginal") ?? rolloutValue.at("analysis", "pass")
                ?? rolloutValue["analysis"]
            add(
                at, "rollout.analysis.marginal",
                "must be below pass (\(analysis.pass)), got \(analysis.marginal)\(rolloutValue.at("analysis", "marginal") == nil ? " (the default)" : "")"
            )
        }
    }
}

extension SpecRules {
    /// Smoke steps: JSONPath expressions and regular expressions must compile, and a `{{name}}`
    /// must be captured by an earlier step (or given in smoke.variables) before a request uses it.
    mutating func checkSmoke() {
        guard let scenarios = root.at("smoke", "scenarios")?.elements else { return }
        let globals = Set((root.at("smoke", "variables")?.entries ?? []).map(\.key))
        for (s, scenario) in scenarios.enumerated() {
            var known = globals
            for (i, step) in (scenario["steps"]?.elements ?? []).enumerated() {
                let path = "smoke.scenarios[\(s)].steps[\(i)]"
                for (value, at) in Self.scalars(in: step["request"], path: path + ".request") {
                    for name in Template.names(in: value.templated().scalar ?? "") where !known.contains(name) {
                        let hint =
                            Suggest.closest(to: name, among: Array(known)).map { "; did you mean '\($0)'?" } ?? ""
                        let defined =
                            known.isEmpty
                            ? "nothing is captured before this step"
                            : "known here: \(known.sorted().joined(separator: ", "))"
                        add(value, at, "uses {{\(name)}} before any step captures it\(hint) (\(defined))")
                    }
                }
                let captures = step["capture"]?.entries ?? []
                // The step's own captures are taken before its assertions run.
                let ownCaptures = known.union(captures.map(\.key))
                for (value, at) in Self.scalars(in: step["expect"], path: path + ".expect") {
                    for name in Template.names(in: value.templated().scalar ?? "") where !ownCaptures.contains(name) {
                        add(value, at, "uses {{\(name)}}, which no step captures before this check")
                    }
                }
                for capture in captures {
                    let at = "\(path).capture.\(capture.key)"
                    if let expression = capture.value["jsonpath"] {
                        checkJSONPath(expression.scalar ?? "", expression, at + ".jsonpath")
                    }
                    if let regex = capture.value["regex"] { checkRegex(regex, at + ".regex") }
                }
                known.formUnion(captures.map(\.key))
                for entry in step.at("expect", "jsonpath")?.entries ?? [] {
                    // A key's quoting is not kept, so its error points at the key itself.
                    let keyValue = SpecValue(
                        kind: .scalar(entry.key), location: entry.keyLocation, quoted: false, source: "",
                        environmentVariables: [])
                    checkJSONPath(entry.key, keyValue, "\(path).expect.jsonpath[\"\(entry.key)\"]")
                    if let matches = entry.value["matches"] {
                        checkRegex(matches, "\(path).expect.jsonpath[\"\(entry.key)\"].matches")
                    }
                }
            }
        }
    }

    private mutating func checkJSONPath(_ text: String, _ value: SpecValue, _ path: String) {
        do throws(JSONPathError) {
            _ = try JSONPath(parsing: text)
        } catch {
            var location = value.location
            if !value.quoted, !value.source.isEmpty, !text.contains("\n") { location.column += error.offset }
            diagnostics.append(Diagnostic(location, path, "invalid JSONPath '\(text)': \(error.message)"))
        }
    }

    private mutating func checkRegex(_ value: SpecValue, _ path: String) {
        guard let pattern = value.scalar, !value.unresolved else { return }
        do {
            _ = try NSRegularExpression(pattern: pattern)
        } catch {
            add(value, path, "is not a valid regular expression: '\(pattern)'")
        }
    }

    /// Every scalar beneath a value, with its field path.
    static func scalars(in value: SpecValue?, path: String) -> [(SpecValue, String)] {
        guard let value else { return [] }
        switch value.kind {
        case .scalar: return [(value, path)]
        case .null: return []
        case .sequence(let items): return items.enumerated().flatMap { scalars(in: $1, path: "\(path)[\($0)]") }
        case .mapping(let entries):
            return entries.flatMap { scalars(in: $0.value, path: FieldPath(path).key($0.key).description) }
        }
    }
}
