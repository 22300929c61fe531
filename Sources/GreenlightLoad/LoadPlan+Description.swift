import Foundation
import GreenlightCore

extension LoadPlan {
    /// What will run: "150 req/s (open model) for 5 s over 64 connections on 2 threads".
    public var shape: String {
        let load =
            model == .open
            ? "\(Format.rate(requestedPeak)) (open model)"
            : "\(Format.count(Int(requestedPeak), "virtual user")) (closed model)"
        let sliced = slice.count > 1 ? ", slice \(slice.index)/\(slice.count)" : ""
        return
            "\(load) for \(Format.duration(profile.totalSeconds)) over \(Format.count(connections, "connection")) on \(Format.count(threads, "thread"))\(sliced)"
    }
}

extension LoadProgress {
    /// The live progress line: "[   3 s / 5 s]     150 req/s · p99 1.2 ms · 450 responses · …".
    public var line: String {
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        return
            "[\(pad(Format.number(elapsed.rounded(.down)), 4)) s / \(Format.number(total)) s] \(pad(Format.rate(currentRate), 11)) · p99 \(Format.fixed(lastSecondP99, 1)) ms · \(responses) responses · errors \(errors) · dropped \(dropped) · \(connectionsOpen) open"
    }
}
