// Times the ledger: durable appends per second from one process (each append its own transaction:
// SQLite with synchronous = FULL, or PostgreSQL with synchronous_commit = on), and `verify` of a large
// SQLite ledger. Benchmarks/ledger-bench.sh drives it.
//
// Usage: ledger-bench appends FOLDER [COUNT] [RUNS]       appends COUNT records to a fresh ledger, RUNS times
//        ledger-bench verify FOLDER [COUNT] [RUNS] [--signed]
//                                                       fills a ledger with COUNT records (every one signed
//                                                       with Ed25519 with --signed), verifies it RUNS times
//        ledger-bench appends postgres://… [COUNT] [RUNS] the same, to the PostgreSQL ledger at that URL
//        ledger-bench burst PATH|URL [COUNT]            appends COUNT records, or until killed (the tests'
//                                                       child process); a file path or a postgres:// URL
//        ledger-bench signoffs|gate|signoff-rate …      the release workflow: see SignOffBurst.swift
import Crypto
import Foundation
import GreenlightJSON
import GreenlightLedger

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ledger-bench: \(message)\n".utf8))
    exit(2)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// A sign-off as the ledger will hold them: about 300 bytes of payload.
func signoff(_ index: Int) -> JSONValue {
    .object([
        ("signer", .string("alice")), ("role", .string("sre")), ("decision", .string("approve")),
        ("comment", .string("dashboards and alerts reviewed; canary plan agreed (\(index))")),
        ("report_digest", .string("sha256:" + String(repeating: "ab", count: 32))),
        ("time", .string("2026-11-30T15:44:03.123Z")),
    ])
}

func burst(location: String, count: Int) async throws {
    let store = try await LedgerLocation(location).open()
    var index = 0
    while count == 0 || index < count {
        _ = try await store.append(kind: .signoff, release: "shop@1.4.0", payload: signoff(index))
        if index == 0 {
            // Unbuffered: the test that kills this process waits for the line.
            FileHandle.standardOutput.write(Data("appending\n".utf8))
        }
        index += 1
    }
    await store.close()
}

func appends(folder: String, count: Int, runs: Int) async throws {
    var rates: [Double] = []
    let postgres = folder.hasPrefix("postgres://") || folder.hasPrefix("postgresql://")
    for run in 0..<runs {
        // PostgreSQL: the runs append to one ledger (a fresh database is the caller's to make).
        let store = try await LedgerLocation(postgres ? folder : "\(folder)/appends-\(run).sqlite").open()
        let start = ContinuousClock.now
        for index in 0..<count {
            _ = try await store.append(kind: .signoff, release: "shop@1.4.0", payload: signoff(index))
        }
        let rate = Double(count) / seconds(ContinuousClock.now - start)
        rates.append(rate)
        await store.close()
        print("run \(run + 1): \(count) durable appends at \(Int(rate))/s")
    }
    let result = median(rates)
    if postgres {
        // The 2,000/s target is the SQLite file's; PostgreSQL's number depends on the server and the network.
        print("appends_median_per_s=\(Int(result)) store=postgres")
    } else {
        print("appends_median_per_s=\(Int(result)) target=2000 \(result >= 2000 ? "PASS" : "FAIL")")
    }
}

func verify(folder: String, count: Int, runs: Int, signed: Bool) async throws {
    let key = Curve25519.Signing.PrivateKey()
    let store = try SQLiteLedgerStore(path: "\(folder)/verify-\(count)\(signed ? "-signed" : "").sqlite")
    let fill = ContinuousClock.now
    var batch: [(kind: LedgerRecord.Kind, release: String?, payload: JSONValue, signature: LedgerSignature?)] = []
    for index in 0..<count {
        let payload = signoff(index)
        let content = LedgerRecord.signedContent(kind: .signoff, release: "shop@1.4.0", payload: payload)
        let signature = signed ? LedgerSignature(keyID: "alice", bytes: try key.signature(for: content)) : nil
        batch.append((.signoff, "shop@1.4.0", payload, signature))
        if batch.count == 10_000 {
            try await store.appendAll(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }
    if !batch.isEmpty { try await store.appendAll(batch) }
    print(
        "filled \(count) records\(signed ? ", each signed" : "") in \(String(format: "%.1f", seconds(ContinuousClock.now - fill))) s"
    )

    let rawKey = key.publicKey.rawRepresentation
    var times: [Double] = []
    for run in 0..<runs {
        let verifier = ClosureSignatureVerifier { record in
            guard let signature = record.signature else { return .accepted }
            guard signature.keyID == "alice" else { return .rejected("unknown key") }
            return .deferred {
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawKey)
                return key?.isValidSignature(signature.bytes, for: record.signedContent) == true
                    ? .accepted : .rejected("bad signature")
            }
        }
        let start = ContinuousClock.now
        let outcome = try await store.verify(signatures: verifier)
        let elapsed = seconds(ContinuousClock.now - start)
        guard case .intact(let head) = outcome, head.count == count else { fail("verify said \(outcome)") }
        times.append(elapsed)
        print("run \(run + 1): verified \(head.count) records in \(String(format: "%.2f", elapsed)) s")
    }
    let result = median(times)
    print(
        "verify_median_s=\(String(format: "%.2f", result)) records=\(count) signed=\(signed) target=5 \(result < 5 ? "PASS" : "FAIL")"
    )
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first, arguments.count >= 2 else {
    fail("usage: ledger-bench appends|verify FOLDER [COUNT] [RUNS] [--signed], or ledger-bench burst PATH")
}
let count = arguments.count > 2 ? Int(arguments[2]) ?? 0 : 0
let runs = arguments.count > 3 ? max(1, Int(arguments[3]) ?? 5) : 5
do {
    switch mode {
    case "burst": try await burst(location: arguments[1], count: count)
    case "signoffs": try await signOffs(Array(arguments.dropFirst()))
    case "gate": try await gate(folder: arguments[1], count: count > 0 ? count : 100_000, runs: runs)
    case "signoff-rate": try await signOffRate(folder: arguments[1], count: count > 0 ? count : 2000, runs: runs)
    case "appends": try await appends(folder: arguments[1], count: count > 0 ? count : 5000, runs: runs)
    case "verify":
        try await verify(
            folder: arguments[1], count: count > 0 ? count : 100_000, runs: runs, signed: arguments.contains("--signed")
        )
    default: fail("unknown mode '\(mode)'")
    }
} catch {
    fail("\(error)")
}
