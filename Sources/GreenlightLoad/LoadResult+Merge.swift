import Foundation
import GreenlightCore

extension LoadResult {
    public struct MergeError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Merges slices of one load test (`--shard i/n`) exactly: counters are summed, histograms merged
    /// bucket by bucket (never percentiles averaged), timelines aligned by second since each slice's
    /// start, and the thresholds the slices carried evaluated again on the whole.
    public static func merge(_ parts: [(name: String, result: LoadResult)]) throws(MergeError) -> LoadResult {
        guard var merged = parts.first?.result else { throw MergeError(description: "nothing to merge") }
        let first = parts[0]
        var seen = Set<Int>()
        var counts = Set<Int>()
        for (name, part) in parts {
            guard part.target == first.result.target, part.model == first.result.model else {
                throw MergeError(
                    description:
                        "\(name) is \(Self.article(part.model)) test of \(part.target), \(first.name) \(Self.article(first.result.model)) test of \(first.result.target): only slices of one test merge"
                )
            }
            // Slices of one test ask for the same total load over the same stretches of time.
            guard part.rate == first.result.rate, part.virtualUsers == first.result.virtualUsers,
                part.profile.segments.map(\.seconds) == first.result.profile.segments.map(\.seconds)
            else {
                throw MergeError(
                    description:
                        "\(name) and \(first.name) ran different tests of \(part.target) (another rate, number of users or duration): only slices of one test merge"
                )
            }
            // The thresholds decide the verdict: slices judged by different ones are different tests, and
            // keeping the first file's would make the verdict depend on the order of the arguments.
            let theirs = Set(part.thresholds.map(\.threshold))
            let ours = Set(first.result.thresholds.map(\.threshold))
            guard theirs == ours else {
                func list(_ set: Set<String>) -> String { set.isEmpty ? "none" : set.sorted().joined(separator: ", ") }
                throw MergeError(
                    description:
                        "\(name) and \(first.name) ran different tests of \(part.target): \(name) has the thresholds \(list(theirs)), \(first.name) \(list(ours)); only slices of one test merge"
                )
            }
            for slice in part.slices {
                counts.insert(slice.count)
                guard seen.insert(slice.index).inserted else {
                    throw MergeError(
                        description: "\(name) holds slice \(slice.index)/\(slice.count) again: each slice merges once")
                }
            }
        }
        guard counts.count == 1 else {
            throw MergeError(description: "the slices come from different splits (\(counts.sorted()))")
        }
        var timeline: [Int: TimelineSecond] = [:]
        for second in merged.timeline { timeline[second.second] = second }
        var notes = parts.count > 1 ? merged.notes.map { "\(first.name): \($0)" } : merged.notes
        var resources = [merged.resources].compactMap { $0 }
        for (name, part) in parts.dropFirst() {
            merged.slices += part.slices
            merged.connections += part.connections
            merged.connectionsOpen += part.connectionsOpen
            merged.threads = max(merged.threads, part.threads)
            merged.startedAt = min(merged.startedAt, part.startedAt)
            merged.durationSeconds = max(merged.durationSeconds, part.durationSeconds)
            merged.counters.add(part.counters)
            merged.latency.add(part.latency)
            for second in part.timeline {
                timeline[second.second, default: TimelineSecond(second: second.second)].add(second)
            }
            notes += part.notes.map { "\(name): \($0)" }
            if let r = part.resources { resources.append(r) }
        }
        merged.slices.sort { $0.index < $1.index }
        merged.timeline = timeline.keys.sorted().map { timeline[$0]! }
        merged.notes = notes
        let stops = parts.compactMap { part in
            part.result.stoppedEarly.map { parts.count > 1 ? "\(part.name): \($0)" : $0 }
        }
        merged.stoppedEarly = stops.isEmpty ? nil : stops.joined(separator: "; ")
        merged.resources = ResourceReport.merge(resources)
        if let total = counts.first, merged.slices.count < total {
            merged.notes.insert(
                "only \(merged.slices.count) of \(total) slices merged: the load is \(merged.slices.count)/\(total) of the planned",
                at: 0)
        }
        let thresholds = merged.thresholds.compactMap { try? Threshold(parsing: $0.threshold) }
        merged.thresholds = Thresholds.evaluate(thresholds, on: merged)
        return merged
    }

    /// "an open", "a closed": the model with its article.
    static func article(_ model: LoadSpec.Model) -> String {
        "\(model)".first.map { "aeiou".contains($0) } == true ? "an \(model)" : "a \(model)"
    }

    /// Reads a result file, with a message naming the file when it is not one.
    public static func read(_ path: String) throws(MergeError) -> LoadResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MergeError(description: "cannot read \(path)")
        }
        return try decode(data, name: path)
    }

    /// Reads a result from the bytes of a file; `name` is the file the message names.
    public static func decode(_ data: Data, name path: String) throws(MergeError) -> LoadResult {
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(LoadResult.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
            {
                // Valid JSON that Foundation calls invalid: a number that does not fit the type of its field.
                throw MergeError(
                    description:
                        "\(path): not a greenlight load result: a number does not fit its field (negative, fractional or too large where a whole number belongs)"
                )
            }
            throw MergeError(description: "\(path): \(Self.describe(error))")
        } catch {
            throw MergeError(description: "\(path): \(error)")
        }
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .dataCorrupted(let c):
            return c.codingPath.isEmpty
                ? "not JSON: \(c.underlyingError.map { "\($0)" } ?? c.debugDescription)"
                : "\(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c): return "\(path(c.codingPath + [key])) is missing"
        case .typeMismatch(let type, let c):
            let field = path(c.codingPath)
            return field.isEmpty
                ? "not a greenlight load result: the file must hold one JSON object"
                : "\(field) is not \(Self.kind(of: type))"
        case .valueNotFound(let type, let c): return "\(path(c.codingPath)) should be a \(type)"
        @unknown default: return "\(error)"
        }
    }

    /// A JSON kind for a Swift type, for messages: "a number", "an object".
    static func kind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is UInt64.Type, is Int8.Type: return "a whole number (0 or more where it counts)"
        case is Double.Type: return "a number"
        case is [Any].Type: return "an array"
        default: return "\(type)".hasPrefix("Dictionary") ? "an object" : "a \(type)"
        }
    }
}
