extension LedgerStore {
    /// Walks the whole chain in order, in batches of `batchSize`: recomputes each record's hash, checks
    /// its link to the record before and that sequence numbers follow on, and has `signatures` judge each
    /// record. Returns the head, or the first record edited, deleted, reordered or forged.
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
                if let found = try await check(readable, previous: &previous, next: &next, verifier: &verifier) {
                    return .broken(found)
                }
                if sequence > next { return .broken(missing(from: next, before: sequence, kind: nil)) }
                return .broken(LedgerBreak(.edited, sequence: sequence, kind: nil, detail: error.message))
            }
            if batch.isEmpty { break }
            if let found = try await check(batch, previous: &previous, next: &next, verifier: &verifier) {
                return .broken(found)
            }
        }
        return .intact(previous.map { LedgerHead(count: $0.sequence, hash: $0.hash) } ?? .empty)
    }

    private func check(
        _ batch: [LedgerRecord], previous: inout LedgerRecord?, next: inout Int,
        verifier: inout some SignatureVerifier
    ) async throws -> LedgerBreak? {
        for record in batch {
            if record.sequence != next {
                return missing(from: next, before: record.sequence, kind: record.kind)
            }
            if record.computeHash() != record.hash {
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
            if case .rejected(let why) = verifier.check(record) {
                return LedgerBreak(.forged, sequence: record.sequence, kind: record.kind, detail: why)
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
