import Foundation
import Testing

@testable import GreenlightCore

/// The sticky percentage split shared by the router and the flags: MurmurHash3 x86_32 and the bucket rule
/// of Unleash's client specification.
@Suite("Sticky buckets")
struct StickyBucketTests {
    @Test(
        "murmur3_x86_32 gives the reference values",
        arguments: [
            ("", UInt32(0), UInt32(0)),
            ("", 1, 0x514e_28b7),
            ("hello", 0, 0x248b_fa47),
            ("hello, world", 0, 0x149b_bb7f),
            ("The quick brown fox jumps over the lazy dog", 0, 0x2e4f_f723),
            ("abc", 0, 0xb3dd_93fa),
            ("abcd", 0x9747_b28c, 0xf047_8627),
            ("Hello, world!", 0x9747_b28c, 0x2488_4cba),
            ("The quick brown fox jumps over the lazy dog", 0x9747_b28c, 0x2fa8_26cd),
        ])
    func murmur(text: String, seed: UInt32, expected: UInt32) {
        #expect(StickyBucket.murmur3_x86_32(Array(text.utf8), seed: seed) == expected)
    }

    /// One case of the Unleash client specification's test files.
    struct Case: CustomTestStringConvertible {
        var file: String
        var description: String
        var enabled: Bool
        var strategies: [[String: Any]]
        var context: [String: Any]
        var expected: Bool
        var testDescription: String { "\(file): \(description)" }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/unleash-client-specification")

    static var cases: [Case] {
        let files = [
            "03-gradual-rollout-user-id-strategy.json", "10-flexible-rollout-strategy.json",
            "12-custom-stickiness.json",
        ]
        return files.flatMap { file -> [Case] in
            guard let data = FileManager.default.contents(atPath: fixtures.appendingPathComponent(file).path),
                let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let state = root["state"] as? [String: Any], let features = state["features"] as? [[String: Any]],
                let tests = root["tests"] as? [[String: Any]]
            else { return [] }
            return tests.map { test in
                let feature = features.first { $0["name"] as? String == test["toggleName"] as? String } ?? [:]
                return Case(
                    file: file, description: test["description"] as? String ?? "",
                    enabled: feature["enabled"] as? Bool ?? false,
                    strategies: feature["strategies"] as? [[String: Any]] ?? [],
                    context: test["context"] as? [String: Any] ?? [:],
                    expected: test["expectedResult"] as? Bool ?? false)
            }
        }
    }

    @Test("the 21 cases of Unleash's client specification on gradual rollouts and stickiness")
    func unleashCases() {
        let cases = Self.cases
        #expect(cases.count == 21)
        for c in cases {
            #expect(Self.evaluate(c) == c.expected, "\(c.testDescription)")
        }
    }

    /// Unleash's evaluation of the strategies these files use, with StickyBucket as the only arithmetic.
    static func evaluate(_ c: Case) -> Bool {
        guard c.enabled else { return false }
        let properties = c.context["properties"] as? [String: String] ?? [:]
        return c.strategies.contains { strategy in
            let parameters = strategy["parameters"] as? [String: String] ?? [:]
            switch strategy["name"] as? String {
            case "default": return true
            case "gradualRolloutUserId":
                guard let user = c.context["userId"] as? String, let percentage = Int(parameters["percentage"] ?? "")
                else { return false }
                return StickyBucket.includes(group: parameters["groupId"] ?? "", key: user, percentage: percentage)
            case "flexibleRollout":
                guard let rollout = Int(parameters["rollout"] ?? "") else { return false }
                let stickiness = parameters["stickiness"] ?? "default"
                let key: String?
                switch stickiness {
                case "default":
                    key = c.context["userId"] as? String ?? c.context["sessionId"] as? String
                    // Without either, Unleash draws a random key: only 0 % and 100 % are certain.
                    if key == nil { return rollout == 100 }
                case "userId", "sessionId": key = c.context[stickiness] as? String
                default: key = properties[stickiness]
                }
                guard let key else { return false }
                return StickyBucket.includes(group: parameters["groupId"] ?? "", key: key, percentage: rollout)
            default: return false
            }
        }
    }

    @Test("sticky and monotonic: a key never changes side at a fixed weight, and raising 5 to 25 only adds keys")
    func monotonic() {
        let keys = (0..<20_000).map { "user-\($0)" }
        let at5 = Set(keys.filter { StickyBucket.includes(group: "checkout", key: $0, percentage: 5) })
        let again = Set(keys.filter { StickyBucket.includes(group: "checkout", key: $0, percentage: 5) })
        let at25 = Set(keys.filter { StickyBucket.includes(group: "checkout", key: $0, percentage: 25) })
        #expect(at5 == again)
        #expect(at5.isSubset(of: at25))
        #expect(abs(Double(at5.count) / 20_000 - 0.05) <= 0.01, "\(at5.count) of 20,000 at 5 %")
        #expect(abs(Double(at25.count) / 20_000 - 0.25) <= 0.01, "\(at25.count) of 20,000 at 25 %")
        #expect(keys.allSatisfy { (1...100).contains(StickyBucket.bucket(group: "checkout", key: $0)) })
        #expect(!keys.contains { StickyBucket.includes(group: "checkout", key: $0, percentage: 0) })
        #expect(keys.allSatisfy { StickyBucket.includes(group: "checkout", key: $0, percentage: 100) })
    }

    @Test("fractions of a percent: the SDKs' rule at every whole percent, only adds keys, and splits as asked")
    func fractions() {
        let keys = (0..<20_000).map { "user-\($0)" }
        for whole in [0, 1, 5, 25, 50, 99, 100] {
            #expect(
                keys.allSatisfy {
                    StickyBucket.includes(group: "checkout", key: $0, fraction: Double(whole))
                        == StickyBucket.includes(group: "checkout", key: $0, percentage: whole)
                }, "at \(whole) %")
        }
        #expect(keys.allSatisfy { (1...10_000).contains(StickyBucket.position(group: "checkout", key: $0)) })
        var previous = Set<String>()
        for weight in [0.01, 0.1, 0.5, 1, 1.5, 2.25, 5] {
            let included = Set(keys.filter { StickyBucket.includes(group: "checkout", key: $0, fraction: weight) })
            #expect(previous.isSubset(of: included), "raising to \(weight) % dropped keys")
            previous = included
        }
        let half = keys.filter { StickyBucket.includes(group: "checkout", key: $0, fraction: 0.5) }.count
        // 0.5 % of 20,000 is 100; a binomial's 4 standard deviations is about 40.
        #expect((60...140).contains(half), "\(half) of 20,000 keys at 0.5 %")
    }
}
