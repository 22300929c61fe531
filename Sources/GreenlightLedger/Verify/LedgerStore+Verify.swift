import Foundation

extension LedgerStore {
    /// Walks the whole chain in order, in batches of `batchSize`: recomputes each record's hash, checks
    /// its link to the record before and that sequence numbers follow on, and has `signatures` judge each
    /// record. Returns the head, or the first record edited, deleted, reordered or forged.
    ///
    /// Signature work a verifier defers (``SignatureCheck/deferred(_:)``) runs at the end of each batch
    /// on all cores.
    ///
    /// The chain alone cannot tell that records were removed from the *end* (or that the whole chain
    /// after some record was rewritten and re-hashed): compare the head with a copy kept elsewhere for
    /// that. Throws only when the store cannot be read.
    public func verify(
        signatures: some SignatureVerifier = UncheckedSignatures(), batchSize: Int = 4096
    ) async throws -> LedgerVerification {
        var verifier = signatures
        var previous: LedgerRecord?
        var next = 1
        var pending: [PendingSignature] = []
        while true {
            let batch: [LedgerRecord]
            do {
                batch = try await records(from: next, limit: batchSize)
            } catch let error as LedgerError where error.code == .unreadableRecord {
                // The rows before the unreadable one may hide an earlier break: check them first.
                let sequence = error.sequence ?? next
                var readable: [LedgerRecord] = []
                var from = next
                while from < sequence, let record = try? await records(from: from, limit: 1).first,
                    record.sequence < sequence
                {
                    readable.append(record)
                    from = record.sequence + 1
                }
                let found =
                    try await check(
                        readable, previous: &previous, next: &next, verifier: &verifier, pending: &pending)
                    ?? (sequence > next
                        ? missing(from: next, before: sequence, kind: nil)
                        : LedgerBreak(.edited, sequence: sequence, kind: nil, detail: error.message))
                return .broken(await Self.settle(pending, before: found.sequence) ?? found)
            }
            if batch.isEmpty { break }
            if let found = try await check(
                batch, previous: &previous, next: &next, verifier: &verifier, pending: &pending)
            {
                return .broken(await Self.settle(pending, before: found.sequence) ?? found)
            }
            if let forged = await Self.settle(pending, before: .max) { return .broken(forged) }
            pending.removeAll(keepingCapacity: true)
        }
        return .intact(previous.map { LedgerHead(count: $0.sequence, hash: $0.hash) } ?? .empty)
    }

    private func check(
        _ batch: [LedgerRecord], previous: inout LedgerRecord?, next: inout Int,
        verifier: inout some SignatureVerifier, pending: inout [PendingSignature]
    ) async throws -> LedgerBreak? {
        let intact = await Self.hashesMatch(batch)
        for (record, intact) in zip(batch, intact) {
            if record.sequence != next {
                return missing(from: next, before: record.sequence, kind: record.kind)
            }
            if !intact {
                return try await misplacement(of: record)
                    ?? LedgerBreak(
                        .edited, sequence: record.sequence, kind: record.kind,
                        detail: "its content no longer matches its hash")
            }
            let expected = previous?.hash ?? LedgerRecord.genesisHash
            if record.previousHash != expected {
                if let previous {
                    return LedgerBreak(
                        .edited, sequence: previous.sequence, kind: previous.kind,
                        detail:
                            "it was changed and re-hashed: record \(record.sequence) links to \(record.previousHash), not to its hash \(previous.hash)"
                    )
                }
                return LedgerBreak(
                    .edited, sequence: record.sequence, kind: record.kind,
                    detail: "the first record does not start the chain (its previous hash is not 64 zeros)")
            }
            switch verifier.check(record) {
            case .accepted: break
            case .rejected(let why):
                return LedgerBreak(.forged, sequence: record.sequence, kind: record.kind, detail: why)
            case .deferred(let work):
                pending.append(PendingSignature(sequence: record.sequence, kind: record.kind, work: work))
            }
            previous = record
            next += 1
        }
        return nil
    }

    private func missing(from first: Int, before present: Int, kind: LedgerRecord.Kind?) -> LedgerBreak {
        let range = present - first == 1 ? "record \(first) is" : "records \(first)–\(present - 1) are"
        return LedgerBreak(
            .deleted, sequence: first, kind: nil,
            detail: "\(range) missing before record \(present)\(kind.map { " (\($0.rawValue))" } ?? "")")
    }

    /// When `record` matches its hash at another sequence number, where it was written: at the number
    /// one before the record that links to its hash, or next to where it stands.
    private func misplacement(of record: LedgerRecord) async throws -> LedgerBreak? {
        var candidates = [record.sequence + 1, record.sequence - 1]
        var from = record.sequence + 1
        search: while true {
            let batch = (try? await records(from: from, limit: 4096)) ?? []
            if batch.isEmpty { break }
            for later in batch where later.previousHash == record.hash {
                candidates.insert(later.sequence - 1, at: 0)
                break search
            }
            from = batch[batch.count - 1].sequence + 1
        }
        for place in candidates where place >= 1 && place != record.sequence {
            var moved = record
            moved.sequence = place
            if moved.computeHash() == record.hash {
                return LedgerBreak(
                    .reordered, sequence: record.sequence, kind: record.kind,
                    detail: "it holds the record written as number \(place)")
            }
        }
        return nil
    }
}

/// A signature check a verifier deferred, to run beside others.
struct PendingSignature: Sendable {
    var sequence: Int
    var kind: LedgerRecord.Kind
    var work: @Sendable () -> SignatureCheck
}

extension LedgerStore {
    /// Whether each record's content matches its hash, computed on all cores.
    static func hashesMatch(_ batch: [LedgerRecord]) async -> [Bool] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, batch.count / 256))
        if workers == 1 { return batch.map { $0.computeHash() == $0.hash } }
        let chunk = (batch.count + workers - 1) / workers
        return await withTaskGroup(of: (Int, [Bool]).self) { group in
            for start in stride(from: 0, to: batch.count, by: chunk) {
                let slice = batch[start..<min(start + chunk, batch.count)]
                group.addTask { (start, slice.map { $0.computeHash() == $0.hash }) }
            }
            var results = [Bool](repeating: false, count: batch.count)
            for await (start, matches) in group {
                results.replaceSubrange(start..<(start + matches.count), with: matches)
            }
            return results
        }
    }

    /// Runs the deferred checks of records before `limit` on all cores; the first refused, by sequence.
    static func settle(_ pending: [PendingSignature], before limit: Int) async -> LedgerBreak? {
        let due = pending.filter { $0.sequence < limit }
        if due.isEmpty { return nil }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, due.count / 64))
        let chunk = (due.count + workers - 1) / workers
        return await withTaskGroup(of: LedgerBreak?.self) { group in
            for start in stride(from: 0, to: due.count, by: chunk) {
                let slice = due[start..<min(start + chunk, due.count)]
                group.addTask {
                    for item in slice {
                        switch item.work() {
                        case .accepted: continue
                        case .rejected(let why):
                            return LedgerBreak(.forged, sequence: item.sequence, kind: item.kind, detail: why)
                        case .deferred:
                            return LedgerBreak(
                                .forged, sequence: item.sequence, kind: item.kind,
                                detail: "the signature verifier deferred its judgement twice")
                        }
                    }
                    return nil
                }
            }
            var first: LedgerBreak?
            for await found in group {
                if let found, found.sequence < first?.sequence ?? .max { first = found }
            }
            return first
        }
    }
}
