import Foundation
import Testing

@testable import GreenlightJSON

/// Random and damaged input for `JSONValue(parsing:)`: each must give a value or an error, never a crash.
@Suite("JSONPath: JSON parsing fuzz")
struct JSONPathJSONFuzzTests {
    static let seeds: [[UInt8]] = [
        #"{"a": [1, 2.5, -0, 1e5, "x\u00e9\ud83d\ude00", true, false, null, {}, []], "b": {"c": "\n\t\"\\\/"}}"#,
        #"[[[[{"deep": [1, [2, [3]]]}]]], -12.5e-3, "é😀", 9223372036854775808]"#,
        #"{"k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "k6": 6, "k7": 7, "k8": 8, "k9": 9, "k10": 10, "k11": 11, "k12": 12, "k13": 13, "k14": 14, "k15": 15, "k16": 16, "k0": "dup"}"#,
        #"  "top-level string with \u0000 and \uFFFF"  "#,
    ].map { Array($0.utf8) }

    /// Fragments that are likely to matter to a JSON reader: structure, escapes, bad UTF-8, number edges.
    static let fragments: [[UInt8]] =
        [
            "\"", "\\", "\\u", "\\ud800", "\\udc00", "{", "}", "[", "]", ",", ":", "0", "-", ".", "e", "E", "+",
            "1e999",
            "true", "nul", "\u{FEFF}", " ", "\n", "99999999999999999999",
        ].map { Array($0.utf8) } + [
            [0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0x00], [0x1F],
        ]

    @Test("10,000 mutated documents and 10,000 random byte strings each parse or throw", .timeLimit(.minutes(2)))
    func fuzz() throws {
        var rng = JSONFuzzRandom(seed: 8259)
        var accepted = 0
        var rejected = 0
        for round in 0..<20_000 {
            let input = round < 10_000 ? Self.mutated(round: round, &rng) : Self.random(&rng)
            do {
                let value = try JSONValue(parsing: Data(input))
                accepted += 1
                // Whatever is accepted must survive a round trip through serialized().
                #expect(try JSONValue(parsing: Data(value.serialized().utf8)) == value, "round \(round): \(input)")
            } catch {
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= input.count, "round \(round): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(accepted > 1_000)
        #expect(rejected > 10_000)
    }

    private static func mutated(round: Int, _ rng: inout JSONFuzzRandom) -> [UInt8] {
        var bytes = seeds[round % seeds.count]
        for _ in 0..<Int.random(in: 0...3, using: &rng) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes.insert(contentsOf: fragments.randomElement(using: &rng)!, at: at)
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...4, using: &rng)))
            case 2: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            default: bytes = Array(bytes.prefix(at))
            }
        }
        return bytes
    }

    private static func random(_ rng: inout JSONFuzzRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...24, using: &rng) {
            if Bool.random(using: &rng) {
                bytes += fragments.randomElement(using: &rng)!
            } else {
                bytes.append(UInt8.random(in: 0...255, using: &rng))
            }
        }
        return bytes
    }
}
