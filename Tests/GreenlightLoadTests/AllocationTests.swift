import CAllocationCounter
import Foundation
import GreenlightCore
import GreenlightTestSupport
import NIOCore
import NIOPosix
import Testing

@testable import GreenlightLoad

/// The load engine's allocations over closed-model runs of different lengths against a loopback
/// server, counted in the manner of SwiftNIO's allocation-counting tests: they may grow with the
/// seconds of a run, never with its requests.
///
/// How it counts: the test binary links `CAllocationCounter`, which takes the place of malloc, calloc,
/// realloc and the aligned allocators for the whole process but counts only on threads that opt in.
/// The engine runs on an event loop group made here, whose one thread opts in. The loopback server
/// runs on its own group, the test's task on the cooperative pool, other tests on their own threads:
/// none of them is counted, so the server's allocations per request need no subtracting. What is
/// counted is everything the engine's event loop does: the request path, and its work per
/// connection (opening, closing) and per second (per-second counters and histograms, the 100 ms sweep
/// and user adjustment, handing over finished seconds every 500 ms).
///
/// The floor: an unoptimized (debug) build allocates on every read and write inside SwiftNIO itself
/// (unspecialized generic code in its read and write loops), which says nothing about the engine. So
/// the same runs are made with a bare NIO client on the same kind of loop (write the request, read the
/// fixed-size answer, write again, nothing else), and its growth per request is the floor. In an
/// optimized build that floor is zero.
///
/// The bound: from a short run to a long one (about ten times the requests), the engine's count may
/// grow by the floor's per-request growth times its extra requests, plus `perSecond` allocations per
/// extra second of run time, plus `slack`: nothing per request beyond the floor. The long run must
/// add at least twice that allowance in requests, so that one allocation per request breaks the bound.
@Suite("Allocations on the load engine's request path", .serialized)
struct AllocationTests {
    /// Allocations allowed per second of run time on one event loop (timers, per-second counters).
    static let perSecond = 500
    /// Allowed difference between two runs whatever their length (a histogram's buckets grown once,
    /// the end of a run landing in one second more or less, the noise of the floor's estimate).
    static let slack = 300
    /// One connection: every request then takes the same way through the event loop (one wake-up, one
    /// read, one write), so the floor is exact (9 allocations per request in a debug build, measured),
    /// where with many connections the number of requests that share a loop iteration, and with it
    /// the allocations inside NIO, varies from run to run.
    static let connections = 1
    static let shortSeconds = 0.3
    static let longSeconds = 3.0

    struct Run {
        var requests: Int64
        var allocations: Int64
    }

    /// Runs the engine, closed model, for `seconds` on `group` (whose thread counts).
    func engine(_ server: LoopbackHTTPServer, seconds: Double, on group: MultiThreadedEventLoopGroup) async throws
        -> Run
    {
        let plan = try LoadPlanner.adHoc(
            url: server.url, method: "GET", headers: [], body: Data(), rate: nil, connections: Self.connections,
            duration: seconds, rampUp: 0, rampDown: 0, threads: 1, timeout: 10, slice: .init(index: 1, count: 1))
        let before = gl_allocation_counter_allocations()
        let result = try await LoadEngine(plan: plan).run(on: group)
        let allocations = gl_allocation_counter_allocations() - before
        #expect(result.summary.errors == 0)
        return Run(requests: Int64(result.summary.requests), allocations: allocations)
    }

    /// Runs the bare client the same way: the floor.
    func bare(_ server: LoopbackHTTPServer, seconds: Double, on group: MultiThreadedEventLoopGroup) async throws -> Run
    {
        let plan = try LoadPlanner.adHoc(
            url: server.url, method: "GET", headers: [], body: Data(), rate: nil, connections: 1, duration: 1,
            rampUp: 0, rampDown: 0, threads: 1, timeout: 10, slice: .init(index: 1, count: 1))
        guard case .fixed(_, let request, _) = plan.actions[0] else { throw LoadError("not a fixed request") }
        // The engine always has timers pending on its loop (its end, the sweep, the per-second tick), and
        // in a debug build an event loop with a scheduled task allocates more per wake-up than an idle
        // one (3 allocations per request, measured): the floor is taken on a loop in the same state.
        let loop = group.next()
        let timer = try await loop.submit { loop.scheduleTask(in: .seconds(3600)) {} }.get()
        defer { timer.cancel() }
        let before = gl_allocation_counter_allocations()
        let until = NIODeadline.now() + .nanoseconds(Int64(seconds * 1e9))
        var done: [EventLoopFuture<Int>] = []
        for _ in 0..<Self.connections {
            let promise = group.next().makePromise(of: Int.self)
            _ = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            BareClient(request: request, until: until, done: promise))
                    }
                }
                .connect(host: "127.0.0.1", port: server.port).get()
            done.append(promise.futureResult)
        }
        var requests = 0
        for future in done { requests += try await future.get() }
        let allocations = gl_allocation_counter_allocations() - before
        return Run(requests: Int64(requests), allocations: allocations)
    }

    @Test(
        "a closed-model run of ten times the requests allocates no more per request than bare NIO, only per second",
        .enabled(if: gl_allocation_counter_available(), "allocations are counted on Linux with glibc"))
    func noAllocationPerRequest() async throws {
        let server = try await LoopbackHTTPServer(.ok)
        defer { Task { await server.shutdown() } }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { Task { try? await group.shutdownGracefully() } }
        try await group.next().submit { gl_allocation_counter_count_this_thread(true) }.get()

        // First runs pay for what is set up once per process (type metadata, caches).
        _ = try await bare(server, seconds: 0.2, on: group)
        _ = try await engine(server, seconds: 0.2, on: group)
        let bareShort = try await bare(server, seconds: Self.shortSeconds, on: group)
        let bareLong = try await bare(server, seconds: Self.longSeconds, on: group)
        let short = try await engine(server, seconds: Self.shortSeconds, on: group)
        let long = try await engine(server, seconds: Self.longSeconds, on: group)

        let floor =
            Double(bareLong.allocations - bareShort.allocations)
            / Double(max(1, bareLong.requests - bareShort.requests))
        let extraRequests = long.requests - short.requests
        let allowance = Int64(Double(Self.perSecond) * (Self.longSeconds - Self.shortSeconds)) + Int64(Self.slack)
        let bound = Int64((floor * Double(extraRequests)).rounded(.up)) + allowance
        let extraAllocations = long.allocations - short.allocations
        let report = """
            engine: \(short.requests) requests \(short.allocations) allocations, \(long.requests) requests \
            \(long.allocations) allocations; bare NIO: \(bareShort.requests) requests \(bareShort.allocations) \
            allocations, \(bareLong.requests) requests \(bareLong.allocations) allocations \
            (floor \(String(format: "%.3f", floor)) per request)
            """
        print("allocation test: \(report)")
        // Enough requests that one allocation each would show.
        try #require(extraRequests >= 2 * allowance, "too few requests to tell: \(report)")
        #expect(extraAllocations <= bound, "allocations grew by \(extraAllocations) (bound \(bound)): \(report)")
    }
}

/// The floor of the allocation test: writes a request, reads the test server's fixed-size answer,
/// writes again until `until`, then reports how many answers it read and closes.
/// `@unchecked Sendable`: confined to its channel's event loop.
final class BareClient: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    /// The size of the loopback server's answer in `.ok` mode.
    static let answerBytes = LoopbackHTTPServer.okAnswer.utf8.count

    let request: ByteBuffer
    let until: NIODeadline
    let done: EventLoopPromise<Int>
    var received = 0
    var answers = 0

    init(request: ByteBuffer, until: NIODeadline, done: EventLoopPromise<Int>) {
        self.request = request
        self.until = until
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
        guard received >= Self.answerBytes else { return }
        received -= Self.answerBytes
        answers += 1
        if NIODeadline.now() < until {
            context.writeAndFlush(NIOAny(request), promise: nil)
        } else {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(answers)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
