// Times ExpositionParser on one file: reads it once, parses it RUNS times, prints the median, the
// fastest and the slowest parse and what the file held. Benchmarks/exposition-bench.sh drives it.
//
// Usage: exposition-bench FILE [RUNS] [--content-type TYPE] [--dump]
// --dump prints every family and sample as parsed, to compare with the input by eye.
import Foundation
import GreenlightObserve

var arguments = Array(CommandLine.arguments.dropFirst())
let dump = arguments.contains("--dump")
arguments.removeAll { $0 == "--dump" }
var contentType: String?
if let flag = arguments.firstIndex(of: "--content-type"), flag + 1 < arguments.count {
    contentType = arguments[flag + 1]
    arguments.removeSubrange(flag...(flag + 1))
}
guard let path = arguments.first else {
    FileHandle.standardError.write(Data("usage: exposition-bench FILE [RUNS] [--content-type TYPE]\n".utf8))
    exit(2)
}
let runs = arguments.count > 1 ? max(1, Int(arguments[1]) ?? 11) : 11
guard let data = FileManager.default.contents(atPath: path) else {
    FileHandle.standardError.write(Data("exposition-bench: cannot read \(path)\n".utf8))
    exit(2)
}
let bytes = [UInt8](data)

var times: [Double] = []
var exposition: Exposition?
for _ in 0..<runs {
    let start = ContinuousClock.now
    do {
        exposition = try ExpositionParser.parse(bytes, contentType: contentType)
    } catch {
        print("error: \(error)")
        exit(1)
    }
    let elapsed = ContinuousClock.now - start
    times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
}
times.sort()
if dump {
    for family in exposition!.families {
        print(
            "family \(family.name) type=\(family.type.rawValue) unit=\(family.unit ?? "-") help=\(family.help.map { "\($0.debugDescription)" } ?? "-")"
        )
        for sample in family.samples {
            let exemplar =
                sample.exemplar.map {
                    " exemplar=\($0.labels.map { "\($0.name)=\($0.value)" }) \($0.value) \($0.timestamp.map { "\($0)" } ?? "-")"
                } ?? ""
            print("  \(sample.series) \(sample.value) ts=\(sample.timestamp.map { "\($0)" } ?? "-")\(exemplar)")
        }
    }
}
let samples = exposition!.families.reduce(0) { $0 + $1.samples.count }
let megabytes = Double(bytes.count) / 1_048_576
print(
    "file=\(path) bytes=\(bytes.count) format=\(exposition!.format.name.replacingOccurrences(of: " ", with: "_")) families=\(exposition!.families.count) samples=\(samples)"
)
print(
    String(
        format: "runs=%d median_ms=%.2f min_ms=%.2f max_ms=%.2f mib_per_s=%.0f", runs, times[runs / 2], times[0],
        times[runs - 1], megabytes / (times[runs / 2] / 1000)))
