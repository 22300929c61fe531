import Foundation

extension LoadPlan {
    /// What will run: "150 req/s (open model) for 5 s over 64 connections on 2 threads".
    public var shape: String {
        let load =
            model == .open
            ? "\(Self.whole(requestedPeak)) req/s (open model)"
            : "\(Int(requestedPeak)) virtual users (closed model)"
        let sliced = slice.count > 1 ? ", slice \(slice.index)/\(slice.count)" : ""
        return
            "\(load) for \(Self.whole(profile.totalSeconds)) s over \(connections) connections on \(threads) thread\(threads == 1 ? "" : "s")\(sliced)"
    }

    /// A whole number without decimals, anything else with one.
    static func whole(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }
}

extension LoadProgress {
    /// The live progress line: "[   3 s / 5 s]     150 req/s · p99 1.2 ms · 450 responses · …".
    public var line: String {
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        return
            "[\(pad(LoadPlan.whole(elapsed.rounded(.down)), 4)) s / \(LoadPlan.whole(total)) s] \(pad(LoadPlan.whole(currentRate), 7)) req/s · p99 \(String(format: "%.1f", lastSecondP99)) ms · \(responses) responses · errors \(errors) · dropped \(dropped) · \(connectionsOpen) open"
    }
}
