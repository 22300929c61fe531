import Foundation

/// What each risk class requires of a release, and the other limits the gate enforces.
/// The defaults are ``standardYAML``; a team overrides them with `--policy FILE`.
public struct RiskPolicy: Sendable {
    public var classes: [RiskClassPolicy]
    public var impactScale: ImpactScale
    public var minimumLoadMultiplier: Double
    public var minimumLoadDuration: SpecDuration
    public var rollbackRehearsalMaxAge: SpecDuration
    public var waiverMaxDays: Int
    /// Where the policy came from: "built-in" or a file path.
    public var origin: String

    /// The class a score falls in: the first whose `max_score` it does not exceed.
    public func riskClass(forScore score: Int) -> RiskClassPolicy {
        classes.first { score <= $0.maxScore } ?? classes[classes.count - 1]
    }

    public static let standard: RiskPolicy = {
        do {
            return try RiskPolicy.load(data: Data(standardYAML.utf8), file: "built-in policy", base: nil)
        } catch {
            preconditionFailure("the built-in risk policy does not validate:\n\(error)")
        }
    }()

    /// Reads a policy file; sections it leaves out keep their values from `base` (the built-in policy).
    public static func load(file path: String, base: RiskPolicy = .standard) throws(SpecError) -> RiskPolicy {
        try load(data: YAMLDocument.contents(of: path, kind: "policy file"), file: path, base: base)
    }

    /// Reads a policy from text; `file` names it in diagnostics and in the report's `policy`.
    public static func parse(_ text: String, file: String) throws(SpecError) -> RiskPolicy {
        try load(data: Data(text.utf8), file: file, base: .standard)
    }

    static func load(data: Data, file: String, base: RiskPolicy?) throws(SpecError) -> RiskPolicy {
        var document = YAMLDocument(file: file, environment: ProcessInfo.processInfo.environment)
        document.expected =
            "a policy file gives classes, impact, load or checklist (greenlight risk --show-policy prints the built-in one)"
        let (root, found) = try document.readChecked(data, against: PolicyFile.schema)
        var diagnostics = found
        let parsed = PolicyFile(reading: ObjectReader(root, PolicyFile.schema))
        diagnostics += parsed.rules(root)
        if base == nil, parsed.classes == nil || parsed.impact == nil || parsed.load == nil || parsed.checklist == nil {
            diagnostics.append(Diagnostic(root.location, "", "the built-in policy must give every section"))
        }
        if !diagnostics.isEmpty { throw SpecError(diagnostics) }
        return RiskPolicy(
            classes: parsed.classes ?? base!.classes,
            impactScale: parsed.impact ?? base!.impactScale,
            minimumLoadMultiplier: parsed.load?.minMultiplier ?? base!.minimumLoadMultiplier,
            minimumLoadDuration: parsed.load?.minDuration ?? base!.minimumLoadDuration,
            rollbackRehearsalMaxAge: parsed.checklist?.rollbackRehearsalMaxAge ?? base!.rollbackRehearsalMaxAge,
            waiverMaxDays: parsed.checklist?.waiverMaxDays ?? base!.waiverMaxDays,
            origin: base == nil ? "built-in" : file)
    }

    /// The built-in policy, as a commented policy file (what `greenlight risk --show-policy` prints).
    public static let standardYAML = """
        # greenlight risk policy.
        # score = likelihood (1-5) x impact (1-5). A release falls in the first class whose max_score
        # its score does not exceed, and its rollout, rollback and signoff sections must meet that
        # class's requirements. A policy file may override any section; a section it leaves out
        # keeps these values. `classes`, when given, replaces the whole list.
        classes:
          - name: low
            max_score: 4
            canary_required: false        # a rollout section is optional
            first_step_max_percent: 5     # the largest first canary step allowed
            min_steps: 2                  # the fewest canary steps
            min_bake: 5m                  # the shortest bake time per step
            feature_flag: false           # a feature flag as kill switch
            automated_rollback: false     # rollback.automated must be true
            manual_approval: false        # rollout.manual_approval must be true
            signoff: [engineering]        # roles signoff.required must include
          - name: medium
            max_score: 9
            canary_required: true
            first_step_max_percent: 5
            min_steps: 3
            min_bake: 10m
            feature_flag: false
            automated_rollback: true
            manual_approval: false
            signoff: [engineering, sre]
          - name: high
            max_score: 16
            canary_required: true
            first_step_max_percent: 1
            min_steps: 4
            min_bake: 10m
            feature_flag: true
            automated_rollback: true
            manual_approval: false
            signoff: [engineering, product, sre]
          - name: critical
            max_score: 25
            canary_required: true
            first_step_max_percent: 1
            min_steps: 5
            min_bake: 30m
            feature_flag: true
            automated_rollback: true
            manual_approval: true
            signoff: [engineering, product, sre]

        # When risk.impact is not given it is derived: each fact below scores 1-5 (a value at or below
        # the first threshold scores 1, above the last scores 5), blast_radius scores its level
        # (component 1, feature 2, service 3, product 4, platform 5), and impact is the highest score.
        impact:
          users_affected_percent: [1, 10, 25, 50]
          recovery_minutes: [5, 15, 60, 240]
          revenue_per_minute: [10, 100, 1000, 10000]

        load:
          min_multiplier: 3               # test at 3x expected peak or more
          min_duration: 5m                # the shortest run that counts as sustained

        checklist:
          rollback_rehearsal_max_age: 90d # an older rehearsal is a warning
          waiver_max_days: 90             # a waiver may not run longer than this from today

        """
}

/// What one risk class requires.
public struct RiskClassPolicy: SpecObject, Codable, Hashable {
    public var name: String
    public var maxScore: Int
    public var canaryRequired: Bool
    public var firstStepMaxPercent: Double
    public var minSteps: Int
    public var minBake: SpecDuration
    public var featureFlag: Bool
    public var automatedRollback: Bool
    public var manualApproval: Bool
    public var signoff: [String]

    package static let schema = ObjectSchema(
        "a risk class", doc: "The controls a risk class requires.",
        fields: [
            Field("name", .string(.identifier), required: true, "the class's name, such as high"),
            Field("max_score", .integer(min: 1, max: 25), required: true, "the highest score in this class"),
            Field("canary_required", .boolean, required: true, "whether a canary rollout is required"),
            Field(
                "first_step_max_percent", .number(min: 0, max: 100, exclusiveMinimum: true), required: true,
                "the largest first canary step, in percent"),
            Field("min_steps", .integer(min: 1, max: 100), required: true, "the fewest canary steps"),
            Field("min_bake", .string(.duration), required: true, "the shortest bake time per step"),
            Field("feature_flag", .boolean, required: true, "whether a feature-flag kill switch is required"),
            Field("automated_rollback", .boolean, required: true, "whether rollback must be automated"),
            Field("manual_approval", .boolean, required: true, "whether a person must approve each step"),
            Field(
                "signoff", .list(.string(.identifier), unique: .value), required: true, "the roles that must sign off"),
        ])

    package init(reading r: ObjectReader) {
        name = r.string("name") ?? ""
        maxScore = r.int("max_score") ?? 25
        canaryRequired = r.bool("canary_required") ?? true
        firstStepMaxPercent = r.double("first_step_max_percent") ?? 1
        minSteps = r.int("min_steps") ?? 1
        minBake = r.duration("min_bake") ?? SpecDuration(seconds: 0)
        featureFlag = r.bool("feature_flag") ?? false
        automatedRollback = r.bool("automated_rollback") ?? false
        manualApproval = r.bool("manual_approval") ?? false
        signoff = r.strings("signoff")
    }

    enum CodingKeys: String, CodingKey {
        case name, maxScore, canaryRequired, firstStepMaxPercent, minSteps, minBake, featureFlag, automatedRollback,
            manualApproval, signoff
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        maxScore = try c.decode(Int.self, forKey: .maxScore)
        canaryRequired = try c.decode(Bool.self, forKey: .canaryRequired)
        firstStepMaxPercent = try c.decode(Double.self, forKey: .firstStepMaxPercent)
        minSteps = try c.decode(Int.self, forKey: .minSteps)
        let bake = try c.decode(String.self, forKey: .minBake)
        minBake = SpecDuration(bake) ?? SpecDuration(seconds: 0)
        featureFlag = try c.decode(Bool.self, forKey: .featureFlag)
        automatedRollback = try c.decode(Bool.self, forKey: .automatedRollback)
        manualApproval = try c.decode(Bool.self, forKey: .manualApproval)
        signoff = try c.decode([String].self, forKey: .signoff)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(maxScore, forKey: .maxScore)
        try c.encode(canaryRequired, forKey: .canaryRequired)
        try c.encode(firstStepMaxPercent, forKey: .firstStepMaxPercent)
        try c.encode(minSteps, forKey: .minSteps)
        try c.encode(minBake.description, forKey: .minBake)
        try c.encode(featureFlag, forKey: .featureFlag)
        try c.encode(automatedRollback, forKey: .automatedRollback)
        try c.encode(manualApproval, forKey: .manualApproval)
        try c.encode(signoff, forKey: .signoff)
    }
}

/// Thresholds that turn the facts of a failure into an impact score of 1-5.
public struct ImpactScale: SpecObject {
    public var usersAffectedPercent: [Double]
    public var recoveryMinutes: [Double]
    public var revenuePerMinute: [Double]

    static let thresholds = SchemaType.list(.number(min: 0))

    package static let schema = ObjectSchema(
        "impact", doc: "Four ascending thresholds per fact: at or below the first scores 1, above the last scores 5.",
        fields: [
            Field("users_affected_percent", thresholds, required: true, "thresholds for the share of users affected"),
            Field("recovery_minutes", thresholds, required: true, "thresholds for minutes to recover"),
            Field("revenue_per_minute", thresholds, required: true, "thresholds for revenue lost per minute"),
        ])

    package init(reading r: ObjectReader) {
        usersAffectedPercent = r.numbers("users_affected_percent")
        recoveryMinutes = r.numbers("recovery_minutes")
        revenuePerMinute = r.numbers("revenue_per_minute")
    }

    /// 1 when `value` is at or below the first threshold, 5 above the last.
    public static func score(_ value: Double, _ thresholds: [Double]) -> Int {
        for (i, limit) in thresholds.prefix(4).enumerated() where value <= limit { return i + 1 }
        return 5
    }
}

/// A policy file as written: every section optional.
struct PolicyFile: SpecObject {
    struct LoadPolicy: SpecObject {
        var minMultiplier: Double?
        var minDuration: SpecDuration?
        static let schema = ObjectSchema(
            "load", doc: "Load-test minimums.",
            fields: [
                Field("min_multiplier", .number(min: 1), "the smallest multiple of expected peak a load test may use"),
                Field("min_duration", .string(.duration), "the shortest load test that counts as sustained"),
            ])
        init(reading r: ObjectReader) {
            minMultiplier = r.double("min_multiplier")
            minDuration = r.duration("min_duration")
        }
    }

    struct ChecklistPolicy: SpecObject {
        var rollbackRehearsalMaxAge: SpecDuration?
        var waiverMaxDays: Int?
        static let schema = ObjectSchema(
            "checklist", doc: "Checklist limits.",
            fields: [
                Field("rollback_rehearsal_max_age", .string(.duration), "how old a rollback rehearsal may be"),
                Field("waiver_max_days", .integer(min: 1, max: 3650), "how far ahead a waiver may expire"),
            ])
        init(reading r: ObjectReader) {
            rollbackRehearsalMaxAge = r.duration("rollback_rehearsal_max_age")
            waiverMaxDays = r.int("waiver_max_days")
        }
    }

    var classes: [RiskClassPolicy]?
    var impact: ImpactScale?
    var load: LoadPolicy?
    var checklist: ChecklistPolicy?

    static let schema = ObjectSchema(
        "a risk policy", doc: "A greenlight risk policy: what each risk class requires.",
        fields: [
            Field(
                "classes", .list(RiskClassPolicy.schemaType, minItems: 1, unique: .field("name")),
                "risk classes in ascending order of max_score; the last must reach 25"),
            Field("impact", ImpactScale.schemaType, "how impact is derived"),
            Field("load", LoadPolicy.schemaType, "load-test minimums"),
            Field("checklist", ChecklistPolicy.schemaType, "checklist limits"),
        ])

    init(reading r: ObjectReader) {
        classes = r.has("classes") ? r.list("classes") : nil
        impact = r.object("impact")
        load = r.object("load")
        checklist = r.object("checklist")
    }

    func rules(_ root: SpecValue) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if let classes, let values = root["classes"]?.elements, classes.count == values.count {
            for i in classes.indices.dropFirst() where classes[i].maxScore <= classes[i - 1].maxScore {
                out.append(
                    Diagnostic(
                        values[i]["max_score"]?.location ?? values[i].location, "classes[\(i)].max_score",
                        "classes must rise in max_score: \(classes[i].maxScore) comes after \(classes[i - 1].maxScore)")
                )
            }
            if let last = classes.last, last.maxScore < 25 {
                out.append(
                    Diagnostic(
                        values[values.count - 1].location, "classes[\(classes.count - 1)].max_score",
                        "the last class must reach the highest score, 25, got \(last.maxScore)"))
            }
        }
        for key in ["users_affected_percent", "recovery_minutes", "revenue_per_minute"] {
            guard let list = root.at("impact", key)?.elements else { continue }
            let numbers = list.compactMap { $0.scalar.flatMap(SchemaValidator.parseNumber) }
            if list.count != 4 {
                out.append(
                    Diagnostic(
                        root.at("impact", key)!.location, "impact.\(key)",
                        "needs exactly 4 thresholds, got \(list.count)"))
            } else if numbers.count == 4, zip(numbers, numbers.dropFirst()).contains(where: { $0 >= $1 }) {
                out.append(Diagnostic(root.at("impact", key)!.location, "impact.\(key)", "thresholds must rise"))
            }
        }
        return out
    }
}
