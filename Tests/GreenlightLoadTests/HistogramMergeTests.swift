import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightLoad

@Suite("Histograms and merging slices")
struct HistogramMergeTests {
    func samples(_ n: Int, seed: UInt64) -> [UInt64] {
        var rng = SplitMix64(seed: seed)
        // Mostly fast, a long tail: 50 µs … 30 s.
        return (0..<n).map { _ in
            let r = Double(rng.next() % 1_000_000) / 1_000_000
            return UInt64(50 + pow(r, 8) * 30_000_000)
        }
    }

    @Test("slices merged equal one histogram over all their samples, bucket for bucket")
    func mergeExact() throws {
        let all = samples(200_000, seed: 7)
        var whole = LatencyHistogram()
        for v in all { whole.record(microseconds: v) }
        var parts = [LatencyHistogram](repeating: LatencyHistogram(), count: 4)
        for (i, v) in all.enumerated() { parts[i % 4].record(microseconds: v) }
        var merged = LatencyHistogram()
        for p in parts { merged.add(p) }
        #expect(merged == whole)
        for p in [50.0, 90, 99, 99.9, 100] {
            #expect(merged.milliseconds(atPercentile: p) == whole.milliseconds(atPercentile: p))
        }
        // Through JSON and back: still the same histogram.
        let data = try JSONEncoder().encode(merged)
        let decoded = try JSONDecoder().decode(LatencyHistogram.self, from: data)
        #expect(decoded == whole)
        #expect(data.count < 200_000)
    }

    func result(slice: Int, of count: Int, samples: [UInt64], errors: UInt64) -> LoadResult {
        var latency = LatencyHistogram()
        var second = TimelineSecond(second: 0)
        for v in samples {
            latency.record(microseconds: v)
            second.latency.record(microseconds: v)
        }
        var counters = LoadCounters()
        counters.sent = UInt64(samples.count)
        counters.responses = UInt64(samples.count)
        counters.errors["5xx"] = errors
        second.counters = counters
        return LoadResult(
            target: "http://127.0.0.1:8080/", model: .open, rate: 1000, virtualUsers: nil, connections: 10,
            threads: 2, profile: Profile(level: 1000, sustain: 1), slices: [.init(index: slice, count: count)],
            startedAt: Date(timeIntervalSince1970: 1_000_000 + Double(slice)), durationSeconds: 1,
            connectionsOpen: 10, counters: counters, latency: latency, timeline: [second], resources: nil,
            thresholds: Thresholds.evaluate([try! Threshold(parsing: "p99 < 100ms")], on: LoadResult.empty))
    }

    @Test("load merge of serialized slices equals a single run over the same samples")
    func mergeResults() throws {
        let all = samples(30_000, seed: 11)
        let a = result(slice: 1, of: 3, samples: Array(all[0..<10_000]), errors: 1)
        let b = result(slice: 2, of: 3, samples: Array(all[10_000..<20_000]), errors: 2)
        let c = result(slice: 3, of: 3, samples: Array(all[20_000...]), errors: 3)
        let whole = result(slice: 1, of: 1, samples: all, errors: 6)
        let decoded = try [a, b, c].enumerated().map { i, r in
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return ("slice-\(i).json", try decoder.decode(LoadResult.self, from: r.encoded()))
        }
        let merged = try LoadResult.merge(decoded)
        #expect(merged.latency == whole.latency)
        #expect(merged.counters == whole.counters)
        #expect(merged.timeline.count == 1)
        #expect(merged.timeline[0].latency == whole.timeline[0].latency)
        #expect(merged.summary.p99Ms == whole.summary.p99Ms)
        #expect(merged.summary.errorRate == whole.summary.errorRate)
        #expect(merged.slices.map(\.index) == [1, 2, 3])
        #expect(merged.connections == 30)
        #expect(merged.startedAt == a.startedAt)
        // The thresholds the slices carried are judged again on the whole.
        #expect(merged.thresholds.map(\.threshold) == ["p99 < 100ms"])
        #expect(merged.thresholds[0].passed == (whole.summary.p99Ms < 100))
    }

    @Test("merging refuses a slice twice, another test, or mixed splits")
    func mergeRefusals() {
        let a = result(slice: 1, of: 2, samples: [100], errors: 0)
        var other = result(slice: 2, of: 2, samples: [100], errors: 0)
        other.target = "http://127.0.0.1:9999/"
        #expect(throws: LoadResult.MergeError.self) { try LoadResult.merge([("a", a), ("a again", a)]) }
        #expect(throws: LoadResult.MergeError.self) { try LoadResult.merge([("a", a), ("other", other)]) }
        let third = result(slice: 2, of: 3, samples: [100], errors: 0)
        #expect(throws: LoadResult.MergeError.self) { try LoadResult.merge([("a", a), ("third", third)]) }
        // Missing slices merge, and say so.
        let partial = try? LoadResult.merge([("a", a)])
        #expect(partial?.notes.first?.contains("only 1 of 2 slices") == true)
    }

    @Test("stopped early: written only when set, read back, kept by merge with each slice's name, failed by check")
    func stoppedEarly() throws {
        var a = result(slice: 1, of: 2, samples: [100, 200], errors: 0)
        a.stoppedEarly = "interrupted by SIGINT"
        let b = result(slice: 2, of: 2, samples: [300], errors: 0)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let readA = try decoder.decode(LoadResult.self, from: a.encoded())
        let readB = try decoder.decode(LoadResult.self, from: b.encoded())
        #expect(readA.stoppedEarly == "interrupted by SIGINT")
        #expect(readB.stoppedEarly == nil)
        #expect(!String(decoding: b.encoded(), as: UTF8.self).contains("stopped_early"))
        let merged = try LoadResult.merge([("a.json", readA), ("b.json", readB)])
        #expect(merged.stoppedEarly == "a.json: interrupted by SIGINT")
        #expect(try LoadResult.merge([("a.json", readA)]).stoppedEarly == "interrupted by SIGINT")
        #expect(try LoadResult.merge([("b.json", readB)]).stoppedEarly == nil)
        let check = readA.gateCheck(requiredRate: nil, requiredSeconds: nil)
        #expect(check.status == .fail)
        #expect(check.summary.contains("stopped early (interrupted by SIGINT)"), "\(check.summary)")
    }

    @Test("a result file that is not one is refused with the file and the field")
    func readErrors() throws {
        let dir = try TemporaryFolder("gl-merge")
        defer { dir.remove() }
        let bad = dir.appending("bad.json").path
        try Data(#"{"format":"greenlight-report"}"#.utf8).write(to: URL(fileURLWithPath: bad))
        #expect(throws: LoadResult.MergeError.self) { try LoadResult.read(bad) }
        do {
            _ = try LoadResult.read(bad)
        } catch {
            #expect(error.description.contains("bad.json"))
            #expect(error.description.contains("not a greenlight load result"))
        }
        #expect(throws: LoadResult.MergeError.self) { try LoadResult.read(dir.appending("none").path) }
    }

    @Test("a result of an unknown model is refused with the model and the field, and known models round-trip")
    func unknownModel() throws {
        let dir = try TemporaryFolder("gl-model")
        defer { dir.remove() }
        var closed = result(slice: 1, of: 1, samples: [100], errors: 0)
        closed.model = .closed
        let good = dir.appending("closed.json")
        let encoded = closed.encoded()
        try encoded.write(to: good)
        #expect(String(decoding: encoded, as: UTF8.self).contains(#""model":"closed""#))
        #expect(try LoadResult.read(good.path).model == .closed)

        let text = String(decoding: encoded, as: UTF8.self).replacingOccurrences(
            of: #""model":"closed""#, with: #""model":"bursty""#)
        let bad = dir.appending("bursty.json")
        try Data(text.utf8).write(to: bad)
        do {
            _ = try LoadResult.read(bad.path)
            Issue.record("a result of model 'bursty' was read")
        } catch {
            #expect(error.description.contains("bursty.json"))
            #expect(error.description.contains("model is 'bursty'"))
        }
    }

    @Test("slices of different tests of one URL are refused; a file that is not one object says so")
    func otherTestsAndShapes() throws {
        var other = result(slice: 2, of: 2, samples: [100], errors: 0)
        other.rate = 2000
        #expect {
            try LoadResult.merge([("a", result(slice: 1, of: 2, samples: [100], errors: 0)), ("b", other)])
        } throws: { error in
            (error as? LoadResult.MergeError)?.description.contains("b and a ran different tests") == true
        }
        let dir = try TemporaryFolder("gl-shape")
        defer { dir.remove() }
        let file = dir.appending("array.json")
        try Data("[1, 2, 3]".utf8).write(to: file)
        #expect {
            try LoadResult.read(file.path)
        } throws: { error in
            (error as? LoadResult.MergeError)?.description
                == "\(file.path): not a greenlight load result: the file must hold one JSON object"
        }
    }

    @Test("slices judged by different thresholds are refused in either order, naming both files")
    func otherThresholds() {
        var strict = result(slice: 1, of: 2, samples: [100], errors: 0)
        strict.thresholds = [ThresholdOutcome(threshold: "p99 < 1ms", measured: nil, shown: "", passed: true)]
        var lenient = result(slice: 2, of: 2, samples: [100], errors: 0)
        lenient.thresholds = [ThresholdOutcome(threshold: "p99 < 6s", measured: nil, shown: "", passed: true)]
        for parts in [[("t1.json", strict), ("t6.json", lenient)], [("t6.json", lenient), ("t1.json", strict)]] {
            #expect {
                try LoadResult.merge(parts)
            } throws: { error in
                let text = (error as? LoadResult.MergeError)?.description ?? ""
                return text.contains("t1.json") && text.contains("t6.json") && text.contains("p99 < 1ms")
                    && text.contains("p99 < 6s")
            }
        }
        // The same thresholds, listed in another order, are one test.
        strict.thresholds.append(lenient.thresholds[0])
        lenient.thresholds.insert(
            ThresholdOutcome(threshold: "p99 < 1ms", measured: nil, shown: "", passed: true), at: 0)
        lenient.thresholds.reverse()
        #expect(throws: Never.self) { try LoadResult.merge([("a", strict), ("b", lenient)]) }
    }

    @Test("a started_at that is not a date says so, not that a number does not fit")
    func badStartedAt() throws {
        let dir = try TemporaryFolder("gl-started")
        defer { dir.remove() }
        let text = String(decoding: result(slice: 1, of: 1, samples: [100], errors: 0).encoded(), as: UTF8.self)
        let edited = text.replacingOccurrences(
            of: #""started_at":"[^"]*""#, with: #""started_at":"yesterday""#, options: .regularExpression)
        #expect(edited != text)
        let file = dir.appending("r.json")
        try Data(edited.utf8).write(to: file)
        #expect {
            try LoadResult.read(file.path)
        } throws: { error in
            let text = (error as? LoadResult.MergeError)?.description ?? ""
            return text.contains("r.json") && text.contains("started_at") && text.contains("'yesterday' is not a date")
                && !text.contains("number")
        }
    }

    @Test(
        "numbers in a result file are untrusted: counts no run can reach are refused, never summed into a trap",
        arguments: [
            (#""sent":1"#, #""sent":4611686018427387904"#, "more than a load test can count"),
            (#""5xx":0"#, #""5xx":9223372036854775807"#, "errors is more than a load test can count"),
            (#""5xx":0"#, #""bogus":1"#, "'bogus' is not an error class"),
            (#""connections":10"#, #""connections":9223372036854775807"#, "out of range"),
            (#""index":1"#, #""index":7"#, "slice 7/1 is not i/n"),
            (#"[100,1]"#, #"[100,4611686018427387904]"#, "more than a load test can count"),
        ])
    func hostileNumbers(original: String, replacement: String, message: String) throws {
        let dir = try TemporaryFolder("gl-hostile")
        defer { dir.remove() }
        let text = String(decoding: result(slice: 1, of: 1, samples: [100], errors: 0).encoded(), as: UTF8.self)
        #expect(text.contains(original), "\(text)")
        let file = dir.appending("hostile.json")
        try Data(text.replacingOccurrences(of: original, with: replacement).utf8).write(to: file)
        do {
            _ = try LoadResult.merge([("a", try LoadResult.read(file.path)), ("b", try LoadResult.read(file.path))])
            Issue.record("a hostile result was merged")
        } catch {
            #expect(error.description.contains("hostile.json"), "\(error)")
            #expect(error.description.contains(message), "\(error)")
        }
    }
}

extension LoadResult {
    static var empty: LoadResult {
        LoadResult(
            target: "", model: .open, rate: nil, virtualUsers: nil, connections: 0, threads: 0,
            profile: Profile(segments: []), slices: [], startedAt: Date(), durationSeconds: 0, connectionsOpen: 0,
            counters: LoadCounters(), latency: LatencyHistogram(), timeline: [], resources: nil)
    }
}
