import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightLoad

/// `greenlight demo`: DemoShop started twice on loopback (staging in a process of its own, so the
/// load test can watch it; production in this one), the gate run with the demo's spec and policy,
/// and the shops stopped however the run ends.
public struct DemoRun: Sendable {
    /// Staging runs v2 with a regression and production's configuration drifts: a NO-GO.
    public var broken = false
    /// The greenlight binary, which starts the staging shop as `greenlight demo shop --port 0`.
    public var executable: String
    public var progress: @Sendable (String) -> Void = { _ in }
    public var loadProgress: (@Sendable (LoadProgress) -> Void)?

    public init(executable: String) {
        self.executable = executable
    }

    /// The built-in policy, except that 4 s of load count as sustained: a demo, not a release.
    /// Parsed once: `run()` hands it to the loader and to the readiness run.
    public static let policy: RiskPolicy = {
        guard var policy = try? RiskPolicy.parse(DemoRelease.policyYAML, file: "demo policy") else {
            preconditionFailure("the demo's policy does not validate")
        }
        policy.origin = "built-in, with the demo's load.min_duration of 4s"
        return policy
    }()

    /// The demo's spec for shops on these ports, dated from `today`.
    public static func spec(
        stagingPort: Int, productionPort: Int, stagingPID: Int, today: CalendarDate, alertmanagerPort: Int = 9093,
        webhookPort: Int = 9097, alertmanagerInstalled: Bool = true
    ) -> String {
        func day(_ offset: Int) -> String {
            CalendarDate(Date(timeIntervalSince1970: Double(today.daysSinceEpoch + offset) * 86400)).description
        }
        return DemoRelease.spec(
            stagingPort: stagingPort, productionPort: productionPort, stagingPID: stagingPID,
            waiverExpires: day(30), rehearsed: day(-7), alertmanagerPort: alertmanagerPort, webhookPort: webhookPort,
            alertmanagerInstalled: alertmanagerInstalled)
    }

    /// Called with a note the user should keep (not progress): how to get the full run, say.
    public var notice: @Sendable (String) -> Void = { _ in }

    public func run() async throws(GateError) -> Report {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "greenlight-demo-\(UUID().uuidString)")
        // Registered before it exists, so that an interrupt at any moment removes it (see Leftovers).
        let leftover = Leftovers.add { try? FileManager.default.removeItem(at: folder) }
        defer {
            try? FileManager.default.removeItem(at: folder)
            Leftovers.forget(leftover)
        }
        do {
            try DemoRelease.writeSupportFiles(to: folder)
        } catch {
            throw GateError(
                "cannot write the demo's files to \(folder.path): \(error.localizedDescription)", isInput: false)
        }

        var stagingArguments = ["--log", folder.appendingPathComponent("staging.log").path]
        var productionConfig = DemoShopConfiguration()
        if broken {
            stagingArguments += ["--version", "v2", "--error-rate", "1", "--route", "/api/orders"]
            productionConfig.descriptor = ["config.max_connections": "100", "runtime.swift": "5.10"]
        }
        progress("starting DemoShop (staging and production) on loopback…")
        let staging: DemoShopProcess
        let production: RunningDemoShop
        do {
            staging = try await DemoShopProcess.start(
                executable: executable, arguments: stagingArguments,
                outputPath: folder.appendingPathComponent("staging.out").path)
        } catch {
            throw GateError("\(error)", isInput: false)
        }
        do {
            production = try await DemoShop.start(productionConfig)
        } catch {
            staging.stop()
            throw GateError("DemoShop (production) did not start: \(error)", isInput: false)
        }
        defer { staging.stop() }

        // The alert path: a real Alertmanager routing pages to greenlight's receiver, when one is installed.
        let webhookPort = DemoAlertmanager.freePort()
        var alertmanager: DemoAlertmanager?
        let configFile = folder.appendingPathComponent("alertmanager.yml")
        do {
            try Data(DemoAlertmanager.configuration(webhookPort: webhookPort).utf8).write(to: configFile)
        } catch {
            await production.stop()
            throw GateError(
                "cannot write the demo's Alertmanager configuration: \(error.localizedDescription)", isInput: false)
        }
        if let binary = DemoAlertmanager.installed() {
            progress("starting Alertmanager on loopback…")
            do {
                alertmanager = try await DemoAlertmanager.start(binary: binary, config: configFile.path, folder: folder)
            } catch {
                notice("greenlight demo: \(error); the alert pipeline is waived")
            }
        } else {
            notice(
                "greenlight demo: Alertmanager is not installed, so the alert pipeline is waived; \(DemoAlertmanager.installHint)"
            )
        }
        defer { alertmanager?.stop() }

        let specFile = folder.appendingPathComponent("release.yaml")
        let text = Self.spec(
            stagingPort: staging.port, productionPort: production.port, stagingPID: Int(staging.pid),
            today: CalendarDate(Date()), alertmanagerPort: alertmanager?.port ?? DemoAlertmanager.freePort(),
            webhookPort: webhookPort, alertmanagerInstalled: alertmanager != nil)
        let spec: ReleaseSpec
        do {
            try Data(text.utf8).write(to: specFile)
            spec = try SpecLoader(policy: Self.policy).load(file: specFile.path)
        } catch {
            await production.stop()
            throw GateError("the built-in demo spec does not validate (a bug):\n\(error)")
        }
        var run = ReadinessRun(spec: spec, policy: Self.policy, environment: "staging")
        run.progress = progress
        run.loadProgress = loadProgress
        do {
            let report = try await run.run()
            await production.stop()
            return report
        } catch {
            await production.stop()
            throw error
        }
    }
}
