/// The four readiness items no release may drop.
public enum BuiltinItem: String, CaseIterable, Sendable, Codable {
    case environmentParity = "environment-parity"
    case loadTesting = "load-testing"
    case monitoringHooks = "monitoring-hooks"
    case rollbackPlan = "rollback-plan"

    public var title: String {
        switch self {
        case .environmentParity: return "Environment parity"
        case .loadTesting: return "Load testing"
        case .monitoringHooks: return "Monitoring hooks"
        case .rollbackPlan: return "Rollback plan"
        }
    }

    /// Why the item matters, as the readiness lesson puts it.
    public var why: String {
        switch self {
        case .environmentParity: return "staging that differs from production makes test results misleading"
        case .loadTesting: return "the system must sustain realistic traffic at 3x expected peak, not just spikes"
        case .monitoringHooks: return "failures must be detected and diagnosed: metrics, logs, traces, alerts"
        case .rollbackPlan: return "a documented, rehearsed rollback keeps the time to recover short"
        }
    }

    /// The spec section whose runner decides the item.
    public var section: String {
        switch self {
        case .environmentParity: return "parity"
        case .loadTesting: return "load"
        case .monitoringHooks: return "observability"
        case .rollbackPlan: return "rollback"
        }
    }

    public var checkID: String { "checklist.\(rawValue)" }
}
