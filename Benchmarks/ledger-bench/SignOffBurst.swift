// The release workflow under load, through ReleaseLedger:
//
//   ledger-bench signoffs LOCATION KEYFILE COUNT RELEASE ROLE
//       records COUNT signed approvals (0: until killed) of RELEASE's latest report as ROLE, with the
//       private key in KEYFILE, through ReleaseLedger.record(signOff:); prints `signing` after the first
//       (the tests' child process)
//   ledger-bench gate FOLDER [COUNT] [RUNS]
//       fills a SQLite ledger with COUNT records (default 100,000) across many releases, with an admin
//       key, signers, and for the measured release a report and its required sign-offs, properly
//       signed; times ReleaseLedger.gate RUNS times (target: a median under 200 ms)
import Foundation
import GreenlightCore
import GreenlightJSON
import GreenlightLedger

func signOffs(_ arguments: [String]) async throws {
    guard arguments.count == 5, let count = Int(arguments[2]), count >= 0 else {
        fail("usage: ledger-bench signoffs LOCATION KEYFILE COUNT RELEASE ROLE")
    }
    let (location, keyFile, release, role) = (arguments[0], arguments[1], arguments[3], arguments[4])
    let store = try await LedgerLocation(location).open()
    let ledger = ReleaseLedger(store: store)
    let key = try SigningKey.read(path: keyFile)
    guard let digest = try await ledger.latestReport(release: release)?.entry.digest else {
        fail("no report is recorded for \(release) in \(location)")
    }
    var index = 0
    while count == 0 || index < count {
        let signOff = SignOff(
            signer: key.name, role: role, decision: .approve, comment: "sign-off \(index) by \(key.name)",
            release: release, reportDigest: digest)
        try await ledger.record(signOff: try signOff.signed(by: key))
        if index == 0 {
            // Unbuffered: the test that kills this process waits for the line.
            FileHandle.standardOutput.write(Data("signing\n".utf8))
        }
        index += 1
    }
    await store.close()
}

/// A GO report of `service` `version` in risk class medium (engineering and sre must sign), with a few
/// checks of realistic size: built from its JSON, as `greenlight check` writes it.
func benchReport(service: String, version: String) throws -> Report {
    let detail = String(repeating: "latency p50 1.08 ms · p99 2.11 ms · errors 0 · ", count: 4)
    let checks = (1...6).map { index in
        """
        {"category":"checklist","details":["\(detail)"],"duration_seconds":1.5,
         "evidence":[{"kind":"check","reference":"check-\(index)"}],"id":"checklist.item-\(index)",
         "measurements":[{"name":"p99","unit":"ms","value":2.113}],"required":true,"status":"pass",
         "summary":"item \(index) holds","title":"Item \(index)"}
        """
    }
    let json = """
        {"format":"greenlight-report","format_version":1,
         "generator":{"name":"greenlight","version":"0.1.0"},"generated_at":"2031-10-12T08:00:00Z",
         "release":{"service":"\(service)","version":"\(version)","owner":"payments","author":"alice"},
         "spec":{"file":"release.yaml","sha256":"\(String(repeating: "c3", count: 32))"},"policy":"built-in",
         "verdict":{"decision":"GO","reasons":[],"counts":{"pass":6}},
         "risk":{"likelihood":2,"impact":3,"impact_derived":false,"factors":[],"score":6,"risk_class":"medium",
                 "requires":{"name":"medium","max_score":9,"canary_required":true,"first_step_max_percent":5,
                             "min_steps":3,"min_bake":"10m","feature_flag":false,"automated_rollback":true,
                             "manual_approval":false,"signoff":["engineering","sre"]}},
         "checks":[\(checks.joined(separator: ","))]}
        """
    var report = try Report.decode(Data(json.utf8))
    report.digest = report.computeDigest()
    return report
}

typealias Entry = (kind: LedgerRecord.Kind, release: String?, payload: JSONValue, signature: LedgerSignature?)

func gate(folder: String, count: Int, runs: Int) async throws {
    let path = "\(folder)/gate-\(count).sqlite"
    let store = try SQLiteLedgerStore(path: path)
    let ledger = ReleaseLedger(store: store)
    let fill = ContinuousClock.now

    // The ledger-wide records, properly signed: the admin key and 24 signers.
    let admin = SigningKey.generate(name: "admin")
    try await ledger.initialize(admin: admin)
    var keys: [(key: SigningKey, role: String)] = []
    for index in 0..<24 {
        let role = ["engineering", "sre", "product"][index % 3]
        let key = SigningKey.generate(name: "signer-\(index)")
        try await ledger.addSigner(
            SignerRegistration.register(name: key.name, roles: [role], key: key.publicKey, admin: admin))
        keys.append((key, role))
    }

    // A template release recorded through the ledger's rules, whose records the other releases copy:
    // a release record, a report, and a signed approval by every signer of its roles.
    let template = try benchReport(service: "template", version: "1.0.0")
    try await ledger.record(report: template, specRoles: [], forbidAuthorApproval: true)
    for (key, role) in keys where role != "product" {
        try await ledger.record(
            signOff: SignOff(
                signer: key.name, role: role, decision: .approve, comment: "reviewed", release: "template@1.0.0",
                reportDigest: template.digest!
            ).signed(by: key))
    }
    let copies = try await ledger.history(release: "template@1.0.0")
    let measured = "checkout@2.14.0"
    // Each other release: its records copied (release, report, 16 sign-offs); the signatures cover the
    // template's release name, so a gate of a copy would ignore them, which costs it the same.
    let perRelease = copies.count
    let reserved = try await store.head().count + 3 + 16
    let releases = max(0, (count - reserved) / perRelease)
    var batch: [Entry] = []
    for index in 0..<releases {
        let name = "service-\(index % 500)@1.\(index / 500).0"
        for record in copies { batch.append((record.kind, name, record.payload, record.signature)) }
        if batch.count >= 10_000 {
            try await store.appendAll(batch)
            batch.removeAll(keepingCapacity: true)
        }
        // The measured release sits in the middle of the ledger.
        if index == releases / 2 {
            if !batch.isEmpty { try await store.appendAll(batch) }
            batch.removeAll(keepingCapacity: true)
            let older = try benchReport(service: "checkout", version: "2.14.0")
            try await ledger.record(report: older, specRoles: ["product"], forbidAuthorApproval: true)
            var report = older
            report.generatedAt = "2031-10-12T09:00:00Z"
            report.digest = report.computeDigest()
            // Approvals of the older report, stale now that a newer one is recorded.
            for (key, role) in keys.prefix(6) {
                try await ledger.record(
                    signOff: SignOff(
                        signer: key.name, role: role, decision: .approve, comment: "reviewed", release: measured,
                        reportDigest: older.digest!
                    ).signed(by: key))
            }
            try await ledger.record(report: report, specRoles: ["product"], forbidAuthorApproval: true)
            for (key, role) in keys.prefix(9) {
                try await ledger.record(
                    signOff: SignOff(
                        signer: key.name, role: role, decision: .approve, comment: "reviewed", release: measured,
                        reportDigest: report.digest!
                    ).signed(by: key))
            }
        }
    }
    // Unrelated records up to COUNT.
    var filler = try await store.head().count + batch.count
    while filler < count {
        batch.append((.rolloutEvent, "service-\(filler % 500)@9.0.0", .object([("step", .int(filler))]), nil))
        filler += 1
    }
    if !batch.isEmpty { try await store.appendAll(batch) }
    let head = try await store.head()
    print(
        "filled \(head.count) records (\(releases + 2) releases) in \(String(format: "%.1f", seconds(ContinuousClock.now - fill))) s"
    )

    var times: [Double] = []
    for run in 0..<runs {
        let start = ContinuousClock.now
        let decision = try await ledger.gate(release: measured)
        let elapsed = seconds(ContinuousClock.now - start)
        guard decision.isOpen, decision.ignored.count == 6 else {
            fail("gate said missing \(decision.missing), ignored \(decision.ignored)")
        }
        times.append(elapsed)
        print("run \(run + 1): gate of \(measured) in \(String(format: "%.1f", elapsed * 1000)) ms (open)")
    }
    let result = median(times)
    print(
        "gate_median_ms=\(String(format: "%.1f", result * 1000)) records=\(head.count) target=200ms \(result < 0.2 ? "PASS" : "FAIL")"
    )
}

/// Signed approvals per second through ReleaseLedger.record(signOff:) from one process, each checked
/// against the ledger's rules (the latest report, the signer registry, the signature verified) and
/// appended in its own durable transaction: COUNT per run, RUNS runs, each in a fresh ledger with 8
/// signers. The sign-offs are signed before the clock starts, as signers sign on their own machines.
func signOffRate(folder: String, count: Int, runs: Int) async throws {
    var rates: [Double] = []
    for run in 0..<runs {
        let store = try SQLiteLedgerStore(path: "\(folder)/signoff-rate-\(run).sqlite")
        let ledger = ReleaseLedger(store: store)
        let admin = SigningKey.generate(name: "admin")
        try await ledger.initialize(admin: admin)
        var keys: [SigningKey] = []
        for index in 0..<8 {
            let key = SigningKey.generate(name: "signer-\(index)")
            try await ledger.addSigner(
                SignerRegistration.register(name: key.name, roles: ["sre"], key: key.publicKey, admin: admin))
            keys.append(key)
        }
        let report = try benchReport(service: "checkout", version: "2.14.0")
        try await ledger.record(report: report, specRoles: [], forbidAuthorApproval: true)
        // Signed first, as each signer signs on their own machine; the ledger's work is what is timed.
        let signed = try (0..<count).map { index in
            let key = keys[index % keys.count]
            return try SignOff(
                signer: key.name, role: "sre", decision: .approve, comment: "sign-off \(index)",
                release: "checkout@2.14.0", reportDigest: report.digest!
            ).signed(by: key)
        }
        let start = ContinuousClock.now
        for signOff in signed { try await ledger.record(signOff: signOff) }
        let rate = Double(count) / seconds(ContinuousClock.now - start)
        rates.append(rate)
        print("run \(run + 1): \(count) signed sign-offs through ReleaseLedger at \(Int(rate))/s")
    }
    let result = median(rates)
    print("signoffs_median_per_s=\(Int(result)) target=2000 \(result >= 2000 ? "PASS" : "FAIL")")
}
