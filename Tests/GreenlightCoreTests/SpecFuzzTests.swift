import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore

/// Random damage to a spec: truncations, dropped, doubled and swapped lines, stray bytes, re-indentation.
enum Mutator {
    static let junk: [[UInt8]] = [
        [0x09], [0x3A], [0x2D, 0x20], [0x5B], [0x7B], [0x22], [0x27], [0x26, 0x61], [0x2A, 0x61], [0x21, 0x21],
        [0xFF], [0x00], [0xC3], [0x0A], [0x20, 0x20, 0x20], Array("${".utf8), Array("${X".utf8), Array("}}".utf8),
        Array("<<: ".utf8), Array("? ".utf8), Array("|".utf8), Array(">-".utf8), Array("%YAML 1.1".utf8),
        Array("---\n".utf8), Array("...".utf8), Array("~".utf8), Array("-1".utf8), Array("1e999".utf8),
        Array("9999999999999999999999".utf8), Array("\u{FEFF}".utf8), Array("#".utf8), Array("@".utf8),
    ]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let rounds = Int.random(in: 1...4, using: &rng)
        for _ in 0..<rounds {
            guard !bytes.isEmpty else { break }
            switch Int.random(in: 0..<7, using: &rng) {
            case 0:  // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            case 1:  // insert junk
                let at = Int.random(in: 0...bytes.count, using: &rng)
                bytes.insert(contentsOf: junk.randomElement(using: &rng)!, at: at)
            case 2:  // delete a span
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                let length = min(bytes.count - at, Int.random(in: 1...40, using: &rng))
                bytes.removeSubrange(at..<(at + length))
            case 3, 4, 5:  // line-level edits
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                guard lines.count > 1 else { break }
                let i = Int.random(in: 0..<lines.count, using: &rng)
                let j = Int.random(in: 0..<lines.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: lines.remove(at: i)
                case 1: lines.insert(lines[i], at: j)
                case 2: lines.swapAt(i, j)
                default:
                    let pad = Int.random(in: 0...5, using: &rng)
                    lines[i] = Array(repeating: 0x20, count: pad) + lines[i].drop { $0 == 0x20 }
                }
                bytes = Array(lines.joined(separator: [0x0A]))
            default:  // overwrite one byte
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[at] = UInt8.random(in: 0...255, using: &rng)
            }
        }
        return bytes
    }
}

@Suite("Spec mutations")
struct SpecFuzzTests {
    @Test("1,000 random mutations of the example each end in a spec or located diagnostics", .timeLimit(.minutes(2)))
    func mutations() throws {
        let example = try [UInt8](Data(contentsOf: SpecFixtures.exampleURL))
        let loader = SpecLoader(environment: [:])
        var accepted = 0
        var rejected = 0
        for seed in UInt64(1)...1000 {
            var rng = SplitMix64(seed: seed)
            let mutated = Mutator.mutate(example, &rng)
            do {
                _ = try loader.load(
                    data: Data(mutated), file: "mutant.yaml",
                    directory: SpecFixtures.exampleURL.deletingLastPathComponent().path)
                accepted += 1
            } catch {
                rejected += 1
                #expect(!error.diagnostics.isEmpty, "seed \(seed): rejected without a diagnostic")
                for d in error.diagnostics {
                    #expect(
                        d.location.file == "mutant.yaml" && d.location.line >= 1 && d.location.column >= 1,
                        "seed \(seed): \(d)")
                    #expect(!d.message.isEmpty, "seed \(seed): empty message")
                    #expect(
                        !d.message.contains("Swift.") && !d.message.contains("Optional("),
                        "seed \(seed): internal text leaked: \(d)")
                }
            }
        }
        // The mutations must really exercise both paths.
        #expect(rejected > 500)
        #expect(accepted > 0)
    }
}
