package import Foundation
import GreenlightCanary
import GreenlightCore
import GreenlightJSON
import GreenlightLedger
import GreenlightObserve
package import OpenAPIRuntime
import Synchronization

/// The operations of docs/openapi.yaml over the ledger. Reads go through the ``LedgerIndex``; writes
/// through `ReleaseLedger` and `FlagStore`, which hold the rules, after the caller's role is checked.
struct TeamAPI: APIProtocol {
    let index: LedgerIndex
    let flags: FlagStore
    /// Roles that may change flags and canary weights and approve rollout steps.
    let operatorRoles: Set<String>
    let alerts: AlertInbox
    let routers: RouterClient
    /// The signatures of sign-offs being recorded right now.
    let inFlight = InFlightSignatures()

    var ledger: ReleaseLedger { index.ledger }

    // MARK: - Server

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        do {
            let head = try await ledger.store.head()
            return .ok(.init(body: .json(.init(status: .ok, records: head.count, head: head.hash))))
        } catch {
            // Open to anyone: the reason (which may name the database's host and user) is not shown.
            return .serviceUnavailable(
                .init(body: .json(.init(status: .unavailable, records: 0, detail: "the ledger does not answer"))))
        }
    }

    // MARK: - Releases

    func listReleases(_ input: Operations.ListReleases.Input) async throws -> Operations.ListReleases.Output {
        let summaries = try await index.cached("releases \(CalendarDate(Date()))") { state in
            var list: [(Int, Components.Schemas.ReleaseSummary)] = []
            for release in state.releases.values {
                list.append((release.lastSequence, try await summary(release)))
            }
            return list.sorted { $0.0 > $1.0 }.map(\.1)
        }
        return .ok(.init(body: .json(.init(releases: summaries))))
    }

    func getRelease(_ input: Operations.GetRelease.Input) async throws -> Operations.GetRelease.Output {
        let name = try Self.release(input.path.release)
        let detail = try await index.cached("release \(name) \(CalendarDate(Date()))") {
            state -> Components.Schemas.ReleaseDetail in
            guard let release = state.releases[name] else { throw Self.unknown(name) }
            let decision = try await gate(name)
            var checks: [Components.Schemas.Check] = []
            var risk: Components.Schemas.ReleaseDetail.RiskPayload?
            if let (record, _) = decision.report, let report = try? ledger.report(in: record) {
                checks = report.checks.map {
                    .init(
                        id: $0.id, title: $0.title, status: $0.status.rawValue, summary: $0.summary,
                        required: $0.required,
                        waiver: $0.waiver.map { "waived by \($0.approver) until \($0.expires): \($0.reason)" })
                }
                let riskJSON = try JSONValue(parsing: Report.encoder(pretty: false).encode(report.risk))
                risk = .init(additionalProperties: try Self.container(riskJSON))
            }
            return .init(
                summary: try await summary(release), checks: checks, risk: risk,
                requiredRoles: decision.requiredRoles, approvals: decision.approvals.map(Self.approval),
                missing: decision.missing, ignored: decision.ignored)
        }
        return .ok(.init(body: .json(detail)))
    }

    func getLatestReport(_ input: Operations.GetLatestReport.Input) async throws -> Operations.GetLatestReport.Output {
        let name = try Self.release(input.path.release)
        guard let (record, _) = try await ledger.latestReport(release: name) else {
            throw APIProblem.notFound("no readiness report is recorded for \(name)")
        }
        let report = try ledger.report(in: record)
        let json = try JSONValue(parsing: Report.encoder(pretty: false).encode(report))
        return .ok(.init(body: .json(.init(additionalProperties: try Self.container(json)))))
    }

    func getGate(_ input: Operations.GetGate.Input) async throws -> Operations.GetGate.Output {
        let name = try Self.release(input.path.release)
        return .ok(.init(body: .json(Self.gateBody(try await gate(name), record: nil))))
    }

    func decideGate(_ input: Operations.DecideGate.Input) async throws -> Operations.DecideGate.Output {
        let name = try Self.release(input.path.release)
        let caller = try Caller.required()
        let decision = try await ledger.gate(release: name)
        let record = try await ledger.record(gate: decision, by: caller.signer)
        return .ok(.init(body: .json(Self.gateBody(decision, record: record.sequence))))
    }

    // MARK: - Sign-offs

    func listSignOffs(_ input: Operations.ListSignOffs.Input) async throws -> Operations.ListSignOffs.Output {
        let name = try Self.release(input.path.release)
        let state = try await index.current()
        let list: [Components.Schemas.SignOffRecord] = (state.releases[name]?.signOffs ?? []).compactMap { record in
            guard let data = record.payload.serialized().data(using: .utf8), let signOff = try? SignOff.decode(data)
            else { return nil }
            return .init(
                record: record.sequence, recordedAt: LedgerTime.string(record.time), signOff: Self.signOffBody(signOff),
                keyId: record.signature?.keyID ?? "")
        }
        return .ok(.init(body: .json(.init(signoffs: list))))
    }

    func createSignOff(_ input: Operations.CreateSignOff.Input) async throws -> Operations.CreateSignOff.Output {
        let name = try Self.release(input.path.release)
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("the body must be JSON") }
        let signed = try Self.signedSignOff(body)
        guard signed.signOff.release == name else {
            throw APIProblem.badRequest(
                "the sign-off is for \(signed.signOff.release), but was sent to \(name)'s sign-offs")
        }
        let record = try await recordSignOff(signed)
        return .created(.init(body: .json(try Self.recordBody(record))))
    }

    /// The checks of the API on top of the ledger's: the sign-off is the caller's own, and not one
    /// already recorded (a replay).
    func recordSignOff(_ signed: SignedSignOff) async throws -> LedgerRecord {
        let caller = try Caller.required()
        guard signed.signOff.signer == caller.signer else {
            throw APIProblem.forbidden(
                "the token is \(caller.signer)'s, and the sign-off is \(signed.signOff.signer)'s: each signer sends their own"
            )
        }
        guard let bytes = Data(base64Encoded: signed.signature) else {
            throw APIProblem.badRequest("the signature is not base64")
        }
        let state = try await index.current()
        if let earlier = state.releases[signed.signOff.release]?.signOffs.first(where: { $0.signature?.bytes == bytes })
        {
            throw APIProblem.conflict(
                "this signed sign-off is already recorded (record \(earlier.sequence)); a replay is not recorded twice")
        }
        // The same bytes sent twice at once: the second is refused, not recorded twice.
        guard inFlight.claim(bytes) else {
            throw APIProblem.conflict(
                "this signed sign-off is being recorded by another request; a replay is not recorded twice")
        }
        defer { inFlight.release(bytes) }
        do {
            return try await ledger.record(signOff: signed)
        } catch let refusal as SignOffRefusal {
            let text = refusal.description
            if text.contains("stale") || text.contains("not a report of") || text.contains("no readiness report")
                || text.contains("nothing to approve")
            {
                throw APIProblem.conflict(text)
            }
            if text.contains("not a registered signer") || text.contains("registered for") {
                throw APIProblem.forbidden(text)
            }
            throw APIProblem.unprocessable(text)
        }
    }

    // MARK: - Rollouts

    func getRollout(_ input: Operations.GetRollout.Input) async throws -> Operations.GetRollout.Output {
        let name = try Self.release(input.path.release)
        let state = try await index.current()
        let release = state.releases[name]
        let events: [Components.Schemas.RolloutEvent] = (release?.rollout ?? []).map { item in
            var score: Double?
            if case .double(let value)? = item.event.evidence?["score"] { score = value }
            if case .int(let value)? = item.event.evidence?["score"] { score = Double(value) }
            return .init(
                record: item.record.sequence, time: LedgerTime.string(item.record.time),
                action: item.event.action.rawValue, from: item.event.from, to: item.event.to, by: item.event.by,
                reason: item.event.reason, score: score)
        }
        let rolloutState = Components.Schemas.Rollout.StatePayload(rawValue: release?.rolloutState ?? "none") ?? .none
        return .ok(
            .init(body: .json(.init(release: name, weight: release?.weight ?? 0, state: rolloutState, events: events))))
    }

    func approveRolloutStep(_ input: Operations.ApproveRolloutStep.Input) async throws
        -> Operations.ApproveRolloutStep.Output
    {
        let name = try Self.release(input.path.release)
        let caller = try Caller.required()
        try caller.require(anyOf: operatorRoles, to: "approve a rollout step")
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("the body must be JSON") }
        try Self.checkReason(body.reason)
        let log = RolloutEventLog(store: ledger.store, release: name)
        let weight = try await log.events().last?.to ?? 0
        let verdict = body.decision == .reject ? "rejected" : "approved"
        let record = try await log.record(
            RolloutEvent(
                action: .approval, from: weight, to: weight, by: caller.signer,
                reason: verdict + (body.reason.map { $0.isEmpty ? "" : ": \($0)" } ?? "")))
        return .created(.init(body: .json(try Self.recordBody(record))))
    }

    // MARK: - Flags

    func listFlags(_ input: Operations.ListFlags.Input) async throws -> Operations.ListFlags.Output {
        let snapshot = try await flags.refresh()
        let list = try snapshot.entries.values.sorted { $0.flag.key < $1.flag.key }.map(Self.flagBody)
        return .ok(.init(body: .json(.init(flags: list))))
    }

    func getFlag(_ input: Operations.GetFlag.Input) async throws -> Operations.GetFlag.Output {
        guard let entry = try await flags.refresh().entries[input.path.key] else {
            throw APIProblem.notFound("there is no flag \(input.path.key)")
        }
        return .ok(.init(body: .json(try Self.flagBody(entry))))
    }

    func killFlag(_ input: Operations.KillFlag.Input) async throws -> Operations.KillFlag.Output {
        let caller = try Caller.required()
        try caller.require(anyOf: operatorRoles, to: "kill a flag")
        let key = input.path.key
        guard try await flags.refresh().entries[key] != nil else {
            throw APIProblem.notFound("there is no flag \(key)")
        }
        var reason: String?
        if case .json(let body)? = input.body { reason = body.reason }
        try Self.checkReason(reason)
        _ = try await flags.kill(key, by: caller.signer, reason: reason)
        guard let entry = try await flags.refresh().entries[key] else {
            throw APIProblem.notFound("there is no flag \(key)")
        }
        return .ok(.init(body: .json(try Self.flagBody(entry))))
    }

    func reviveFlag(_ input: Operations.ReviveFlag.Input) async throws -> Operations.ReviveFlag.Output {
        let caller = try Caller.required()
        try caller.require(anyOf: operatorRoles, to: "revive a flag")
        let key = input.path.key
        guard let current = try await flags.refresh().entries[key] else {
            throw APIProblem.notFound("there is no flag \(key)")
        }
        var reason: String?
        if case .json(let body)? = input.body { reason = body.reason }
        try Self.checkReason(reason)
        if current.flag.killed {
            do {
                try await flags.set(current.flag, by: caller.signer, reason: reason, revive: true)
            } catch let error as FlagError {
                throw APIProblem.unprocessable(error.description)
            }
        }
        guard let entry = try await flags.refresh().entries[key] else {
            throw APIProblem.notFound("there is no flag \(key)")
        }
        return .ok(.init(body: .json(try Self.flagBody(entry))))
    }

    // MARK: - Routers

    func listRouters(_ input: Operations.ListRouters.Input) async throws -> Operations.ListRouters.Output {
        .ok(.init(body: .json(.init(routers: await routers.statuses()))))
    }

    func setRouterWeight(_ input: Operations.SetRouterWeight.Input) async throws -> Operations.SetRouterWeight.Output {
        let caller = try Caller.required()
        try caller.require(anyOf: operatorRoles, to: "set the canary's weight")
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("the body must be JSON") }
        let name = try Self.release(body.release)
        try Self.checkReason(body.reason)
        guard let weight = RouterWeight.percent(body.weight) else {
            throw APIProblem.badRequest("weight must be 0 to 100 %, to hundredths, not \(body.weight)")
        }
        guard let traffic = routers.traffic, !routers.admins.isEmpty else {
            throw APIProblem.conflict("this server was given no routers: greenlight serve --router http://ROUTER-ADMIN")
        }
        do {
            try await traffic.setWeight(weight)
        } catch {
            throw APIProblem(.badGateway, "\(error)")
        }
        let log = RolloutEventLog(store: ledger.store, release: name)
        let from = try await log.events().last?.to ?? 0
        try await log.record(
            RolloutEvent(
                action: weight == 0 ? .drain : .weight, from: from, to: weight, by: caller.signer,
                reason: body.reason.flatMap { $0.isEmpty ? nil : $0 } ?? "set through greenlight serve"))
        return .ok(.init(body: .json(.init(routers: await routers.statuses()))))
    }

    // MARK: - Alerts

    func listAlerts(_ input: Operations.ListAlerts.Input) async throws -> Operations.ListAlerts.Output {
        .ok(.init(body: .json(.init(alerts: alerts.all))))
    }

    func receiveAlerts(_ input: Operations.ReceiveAlerts.Input) async throws -> Operations.ReceiveAlerts.Output {
        guard case .json(let payload) = input.body else { throw APIProblem.badRequest("the body must be JSON") }
        let notification: WebhookNotification
        do {
            notification = try WebhookNotification(parsing: try JSONEncoder().encode(payload))
        } catch {
            throw APIProblem.badRequest("not an Alertmanager webhook payload (version 4): \(error)")
        }
        return .ok(.init(body: .json(.init(received: alerts.receive(notification)))))
    }

    // MARK: - Signers

    func listSigners(_ input: Operations.ListSigners.Input) async throws -> Operations.ListSigners.Output {
        let access = try await index.access()
        let list = access.signatures.signers.values.sorted { $0.name < $1.name }.map {
            Components.Schemas.Signer(name: $0.name, roles: $0.roles, keyId: $0.keyID, registeredAt: $0.registeredAt)
        }
        return .ok(.init(body: .json(.init(signers: list))))
    }

    // MARK: - Ledger

    func getLedgerHead(_ input: Operations.GetLedgerHead.Input) async throws -> Operations.GetLedgerHead.Output {
        let head = try await ledger.store.head()
        return .ok(.init(body: .json(.init(count: head.count, hash: head.hash))))
    }

    func listLedgerRecords(_ input: Operations.ListLedgerRecords.Input) async throws
        -> Operations.ListLedgerRecords.Output
    {
        let query = input.query
        let limit = query.limit ?? 256
        let after = query.after ?? 0
        guard (1...1024).contains(limit) else { throw APIProblem.badRequest("limit must be 1 to 1,024, not \(limit)") }
        guard (0...9_007_199_254_740_991).contains(after) else {
            throw APIProblem.badRequest("after must be 0 to 2^53 - 1, not \(after)")
        }
        let kind = try query.kind.map { try Self.kind($0) }
        let store = ledger.store
        let records: [LedgerRecord]
        if let release = query.release {
            records = try await store.records(
                release: try Self.release(release), kind: kind, after: after, limit: limit)
        } else if query.scope == .ledger {
            records = try await store.records(release: nil, kind: kind, after: after, limit: limit)
        } else if let kind {
            // One kind across every release: read the chain page by page until the page is full.
            var found: [LedgerRecord] = []
            var next = after + 1
            while found.count < limit {
                let page = try await store.records(from: next, limit: 1024)
                guard let last = page.last else { break }
                found += page.filter { $0.kind == kind }.prefix(limit - found.count)
                next = last.sequence + 1
            }
            records = found
        } else {
            records = try await store.records(from: after + 1, limit: limit)
        }
        return .ok(.init(body: .json(.init(records: try records.map(Self.recordBody)))))
    }

    func getLatestLedgerRecord(_ input: Operations.GetLatestLedgerRecord.Input) async throws
        -> Operations.GetLatestLedgerRecord.Output
    {
        let release = try Self.release(input.query.release)
        guard let record = try await ledger.store.latest(release: release, kind: try Self.kind(input.query.kind)) else {
            throw APIProblem.notFound("\(release) has no \(input.query.kind.rawValue) record")
        }
        return .ok(.init(body: .json(try Self.recordBody(record))))
    }

    func appendLedgerRecord(_ input: Operations.AppendLedgerRecord.Input) async throws
        -> Operations.AppendLedgerRecord.Output
    {
        guard case .json(let body) = input.body else { throw APIProblem.badRequest("the body must be JSON") }
        let record = try await RecordAdmission(api: self).admit(body)
        return .created(.init(body: .json(try Self.recordBody(record))))
    }

    func verifyLedger(_ input: Operations.VerifyLedger.Input) async throws -> Operations.VerifyLedger.Output {
        let head = try await ledger.store.head()
        switch try await ledger.store.verify(signatures: LedgerSignatures()) {
        case .intact(let verified):
            return .ok(.init(body: .json(.init(intact: true, records: verified.count, head: verified.hash))))
        case .broken(let problem):
            return .ok(
                .init(body: .json(.init(intact: false, records: head.count, head: head.hash, problems: ["\(problem)"])))
            )
        }
    }
}
