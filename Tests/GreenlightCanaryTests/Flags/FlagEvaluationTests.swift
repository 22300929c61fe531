import Foundation
import GreenlightCore
import GreenlightJSON
import Testing

@testable import GreenlightCanary

@Suite("Flag evaluation")
struct FlagEvaluationTests {
    static let checkout = FeatureFlag(
        key: "new-checkout", variants: ["on": .bool(true), "off": .bool(false)], defaultVariant: "off",
        rollout: .init(percentage: 25, variant: "on"),
        rules: [
            .init(attribute: "plan", operator: .in, values: ["pro", "team"], variant: "on"),
            .init(attribute: "email", operator: .endsWith, values: ["@blocked.example"], variant: "off"),
        ])

    func context(_ key: String?, _ attributes: [String: JSONValue] = [:]) -> EvaluationContext {
        var attributes = attributes
        if let key { attributes["targetingKey"] = .string(key) }
        return EvaluationContext(targetingKey: key, attributes: attributes)
    }

    func reason(_ evaluation: FlagEvaluation) -> String? {
        if case .success(_, _, _, let reason, _) = evaluation { return reason.rawValue }
        return nil
    }

    @Test("a flag without rules or rollout answers its default, STATIC")
    func staticFlag() {
        let flag = FeatureFlag(
            key: "theme", variants: ["blue": .string("blue"), "green": .string("green")], defaultVariant: "blue")
        let answer = FlagEvaluator.evaluate(flag, context: context(nil))
        #expect(
            answer.json
                == .object([
                    ("key", .string("theme")), ("value", .string("blue")), ("reason", .string("STATIC")),
                    ("variant", .string("blue")),
                ]))
    }

    @Test("rules go first, in order, and match by text")
    func targeting() {
        let pro = FlagEvaluator.evaluate(Self.checkout, context: context("u1", ["plan": .string("pro")]))
        #expect(reason(pro) == "TARGETING_MATCH")
        #expect(pro.json["variant"] == .string("on"))
        let blocked = FlagEvaluator.evaluate(
            Self.checkout, context: context("u1", ["email": .string("a@blocked.example")]))
        #expect(blocked.json["variant"] == .string("off"))
        #expect(reason(blocked) == "TARGETING_MATCH")
        // Numbers and booleans compare as JSON writes them.
        let numeric = FeatureFlag(
            key: "n", variants: ["a": .int(1), "b": .int(2)], defaultVariant: "a",
            rules: [
                .init(attribute: "age", operator: .equals, values: ["42"], variant: "b"),
                .init(attribute: "beta", operator: .equals, values: ["true"], variant: "b"),
            ])
        #expect(FlagEvaluator.evaluate(numeric, context: context(nil, ["age": .int(42)])).json["value"] == .int(2))
        #expect(FlagEvaluator.evaluate(numeric, context: context(nil, ["beta": .bool(true)])).json["value"] == .int(2))
        #expect(reason(FlagEvaluator.evaluate(numeric, context: context(nil, ["age": .int(41)]))) == "STATIC")
        let prefix = FeatureFlag(
            key: "p", variants: ["a": .string("x"), "b": .string("y")], defaultVariant: "a",
            rules: [.init(attribute: "region", operator: .startsWith, values: ["eu-"], variant: "b")])
        #expect(
            FlagEvaluator.evaluate(prefix, context: context(nil, ["region": .string("eu-west-1")])).json["variant"]
                == .string("b"))
    }

    @Test("the rollout splits by StickyBucket with the flag's key as group, SPLIT on both sides")
    func split() {
        var inside = 0
        for index in 0..<2000 {
            let key = "user-\(index)"
            let answer = FlagEvaluator.evaluate(Self.checkout, context: context(key))
            #expect(reason(answer) == "SPLIT")
            let expected = StickyBucket.bucket(group: "new-checkout", key: key) <= 25
            #expect(answer.json["variant"] == .string(expected ? "on" : "off"))
            if expected { inside += 1 }
        }
        #expect((400...600).contains(inside))
    }

    @Test("a split without a targeting key is TARGETING_KEY_MISSING")
    func missingKey() {
        let answer = FlagEvaluator.evaluate(Self.checkout, context: context(nil, ["plan": .string("free")]))
        guard case .failure(_, let code, _) = answer else {
            Issue.record("expected a failure, got \(answer.json.serialized())")
            return
        }
        #expect(code == .targetingKeyMissing)
        #expect(code.status == 400)
        // A rule that matches needs no key.
        #expect(
            reason(FlagEvaluator.evaluate(Self.checkout, context: context(nil, ["plan": .string("team")])))
                == "TARGETING_MATCH")
    }

    @Test("a killed flag answers its kill variant, DISABLED, whatever the context")
    func killed() {
        var flag = Self.checkout
        flag.killed = true
        for given in [context("u1", ["plan": .string("pro")]), context(nil)] {
            let answer = FlagEvaluator.evaluate(flag, context: given)
            #expect(reason(answer) == "DISABLED")
            #expect(answer.json["value"] == .bool(false))
            #expect(answer.json["variant"] == .string("off"))
        }
        let boolean = FeatureFlag(key: "b", variants: ["yes": .bool(true), "no": .bool(false)], defaultVariant: "yes")
        #expect(boolean.killVariant == "no")
        let colour = FeatureFlag(
            key: "c", variants: ["red": .string("red"), "blue": .string("blue")], defaultVariant: "blue")
        #expect(colour.killVariant == "blue")
    }

    @Test("an unknown flag is FLAG_NOT_FOUND, 404")
    func notFound() {
        let answer = FlagEvaluator.evaluate("nope", in: FlagSnapshot(), context: context("u"))
        #expect(answer.json["errorCode"] == .string("FLAG_NOT_FOUND"))
        if case .failure(_, let code, _) = answer { #expect(code.status == 404) }
    }

    @Test("request bodies: missing context is empty, a bad context is INVALID_CONTEXT, not JSON is PARSE_ERROR")
    func requests() throws {
        #expect(try EvaluationContext(request: .object([])).targetingKey == nil)
        #expect(
            try EvaluationContext(request: .object([("context", .object([("targetingKey", .string("k"))]))]))
                .targetingKey == "k"
        )
        #expect(throws: FlagEvaluation.ErrorCode.invalidContext) {
            try EvaluationContext(request: .object([("context", .array([]))]))
        }
        #expect(throws: FlagEvaluation.ErrorCode.invalidContext) {
            try EvaluationContext(request: .object([("context", .object([("targetingKey", .int(3))]))]))
        }
        #expect(throws: FlagEvaluation.ErrorCode.parseError) { try EvaluationContext(request: .array([])) }
    }

    @Test(
        "validation names what is wrong",
        arguments: [
            (FeatureFlag(key: "bad key", variants: ["a": .bool(true)], defaultVariant: "a"), "flag key"),
            (FeatureFlag(key: "k", variants: [:], defaultVariant: "a"), "no variants"),
            (
                FeatureFlag(key: "k", variants: ["a": .bool(true), "b": .string("x")], defaultVariant: "a"),
                "mixes variant types"
            ),
            (FeatureFlag(key: "k", variants: ["a": .array([])], defaultVariant: "a"), "a boolean, a string"),
            (FeatureFlag(key: "k", variants: ["a": .bool(true)], defaultVariant: "b"), "default variant 'b'"),
            (
                FeatureFlag(
                    key: "k", variants: ["a": .bool(true)], defaultVariant: "a",
                    rollout: .init(percentage: 101, variant: "a")),
                "0 to 100"
            ),
            (
                FeatureFlag(
                    key: "k", variants: ["a": .bool(true)], defaultVariant: "a",
                    rollout: .init(percentage: 5, variant: "z")),
                "rollout variant"
            ),
            (
                FeatureFlag(
                    key: "k", variants: ["a": .bool(true)], defaultVariant: "a",
                    rules: [.init(attribute: "p", operator: .equals, values: ["x", "y"], variant: "a")]),
                "equals takes one value"
            ),
            (
                FeatureFlag(
                    key: "k", variants: ["a": .bool(true)], defaultVariant: "a",
                    rules: [.init(attribute: "p", operator: .in, values: ["x"], variant: "q")]), "variant 'q'"
            ),
        ])
    func validation(flag: FeatureFlag, message: String) {
        #expect(throws: FlagError.self) { try flag.validate() }
        do {
            try flag.validate()
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("a flag's JSON reads back as the same flag; unknown members are refused")
    func json() throws {
        let text = Self.checkout.json.serialized()
        let back = try FeatureFlag(json: try JSONValue(parsing: Data(text.utf8)))
        #expect(back == Self.checkout)
        #expect(throws: FlagError.self) {
            try FeatureFlag(
                json: .object([
                    ("key", .string("k")), ("variants", .object([("a", .bool(true))])),
                    ("defaultVariant", .string("a")), ("colour", .string("red")),
                ]))
        }
        #expect(throws: FlagError.self) {
            try FeatureFlag(
                json: .object([
                    ("key", .string("k")), ("type", .string("string")), ("variants", .object([("a", .bool(true))])),
                    ("defaultVariant", .string("a")),
                ]))
        }
    }
}
