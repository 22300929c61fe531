import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightObserve

/// Random damage to an exposition: truncations, stray bytes and tokens of the format, dropped,
/// doubled and swapped lines, overwritten bytes.
enum ExpositionMutator {
    static let junk: [[UInt8]] = [
        [0x7B], [0x7D], [0x22], [0x5C], [0x3D], [0x2C], [0x23], [0x20], [0x09], [0x0A], [0x0D], [0x00], [0xFF],
        [0xC3], [0xE2, 0x82], Array(" # {".utf8), Array("# EOF\n".utf8), Array("# TYPE x histogram\n".utf8),
        Array("# TYPE x summary\n".utf8), Array("# UNIT x seconds\n".utf8), Array("# HELP ".utf8), Array("+Inf".utf8),
        Array("NaN".utf8), Array("-Inf".utf8), Array("_bucket".utf8), Array("_total".utf8), Array("_created".utf8),
        Array("le=\"".utf8), Array("quantile=\"".utf8), Array("1e999".utf8), Array("0x1p3".utf8),
        Array("99999999999999999999".utf8), Array("\\n".utf8), Array("\\\"".utf8), Array("é".utf8), Array("{}".utf8),
    ]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            guard !bytes.isEmpty else { break }
            switch Int.random(in: 0..<8, using: &rng) {
            case 0:  // truncate
                bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
            case 1, 2:  // insert a token
                bytes.insert(
                    contentsOf: junk.randomElement(using: &rng)!, at: Int.random(in: 0...bytes.count, using: &rng))
            case 3:  // delete a span
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...20, using: &rng)))
            case 4:  // line edits
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
                guard lines.count > 1 else { break }
                let i = Int.random(in: 0..<lines.count, using: &rng)
                let j = Int.random(in: 0..<lines.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: lines.remove(at: i)
                case 1: lines.insert(lines[i], at: j)
                default: lines.swapAt(i, j)
                }
                bytes = Array(lines.joined(separator: [0x0A]))
            default:  // overwrite a byte
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
        }
        return bytes
    }
}

@Suite("Exposition parser: fuzzing")
struct ExpositionFuzzTests {
    @Test(
        "100,000 mutated windows and truncations of real expositions each parse or fail at a real line and column",
        .timeLimit(.minutes(2)))
    func mutations() throws {
        let fixtures = try ExpositionFixtures.all.map { try ExpositionFixtures.bytes($0) }
        let lines = fixtures.map { $0.split(separator: 0x0A).map(Array.init) }
        var rng = SplitMix64(seed: 20_261_130)  // fixed, so that a failure can be replayed
        var parsed = 0
        var failed = 0
        for round in 0..<100_000 {
            let which = round % fixtures.count
            var input: [UInt8]
            if round % 250 == 0 {
                // A whole exposition cut short anywhere, as a scrape interrupted mid-body.
                input = Array(fixtures[which].prefix(Int.random(in: 0...fixtures[which].count, using: &rng)))
            } else {
                let start = Int.random(in: 0..<lines[which].count, using: &rng)
                let end = min(lines[which].count, start + Int.random(in: 1...8, using: &rng))
                input = Array(lines[which][start..<end].joined(separator: [0x0A])) + [0x0A]
                if which == 2, Bool.random(using: &rng) { input += Array("# EOF\n".utf8) }
                input = ExpositionMutator.mutate(input, &rng)
            }
            let format = [nil, ExpositionFormat.prometheusText, .openMetrics][Int.random(in: 0..<3, using: &rng)]
            do {
                let exposition = try ExpositionParser.parse(input, format: format)
                parsed += 1
                for family in exposition.families where !family.samples.allSatisfy({ $0.name.hasPrefix(family.name) }) {
                    Issue.record("round \(round): a sample of \(family.name) is named after another family")
                }
            } catch {
                failed += 1
                if let problem = Self.misplaced(error, in: input) {
                    Issue.record("round \(round): \(problem): \(error)")
                    return
                }
            }
        }
        // Both outcomes are common, so the mutations reach past the first line.
        #expect(parsed > 5_000)
        #expect(failed > 5_000)
    }

    /// Why the error's position is not a position in `input`, or nil when it is one.
    static func misplaced(_ error: ExpositionError, in input: [UInt8]) -> String? {
        guard !error.message.isEmpty else { return "no message" }
        guard error.line >= 1, error.column >= 1 else { return "no position" }
        var line = 1
        var start = 0
        for (offset, byte) in input.enumerated() where byte == 0x0A {
            if line == error.line { break }
            line += 1
            start = offset + 1
        }
        guard line == error.line else { return "line \(error.line) is past the end (\(line) lines)" }
        let end = input[start...].firstIndex(of: 0x0A) ?? input.count
        guard error.column <= end - start + 1 else {
            return "column \(error.column) is past the end of the line (\(end - start) bytes)"
        }
        return nil
    }
}
