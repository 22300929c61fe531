import Testing

@testable import GreenlightLoad

@Suite("Profile: the open model's arrival schedule")
struct ProfileTests {
    @Test("a constant rate schedules arrival k at k / rate, exactly")
    func constant() throws {
        let p = Profile(level: 1000, sustain: 10)
        #expect(p.totalArrivals == 10_000)
        for k in [0.0, 1, 999, 5000, 9999] {
            let t = try #require(p.time(ofArrival: k))
            #expect(abs(t - k / 1000) < 1e-12)
        }
        #expect(p.time(ofArrival: 10_000) == nil)
    }

    @Test("ramps integrate linearly: arrivals(by:) and time(ofArrival:) invert each other")
    func ramps() throws {
        let p = Profile(level: 600, rampUp: 10, sustain: 30, rampDown: 5)
        // 600/2 × 10 + 600 × 30 + 600/2 × 5
        #expect(abs(p.totalArrivals - 22_500) < 1e-6)
        #expect(abs(p.arrivals(by: 10) - 3000) < 1e-9)
        #expect(abs(p.level(at: 5) - 300) < 1e-9)
        #expect(abs(p.level(at: 42.5) - 300) < 1e-9)
        var k = 0.0
        while k < 22_499 {
            let t = try #require(p.time(ofArrival: k))
            #expect(abs(p.arrivals(by: t) - k) < 1e-6, "arrival \(k) at \(t)")
            k += 37.3
        }
        // Arrival times never go backwards.
        var last = -1.0
        for i in stride(from: 0.0, to: 22_500, by: 1) {
            let t = try #require(p.time(ofArrival: i))
            #expect(t >= last)
            last = t
        }
    }

    @Test("a smooth weighted order follows the weights without bunching")
    func order() {
        let plan = LoadPlan(
            target: try! LoadTarget(url: "http://127.0.0.1:1/"), model: .open,
            profile: Profile(level: 1, sustain: 1), requestedPeak: 1, connections: 1, threads: 1,
            actions: [], weights: [3, 1])
        #expect(plan.order == [0, 0, 1, 0])
        let three = LoadPlan(
            target: try! LoadTarget(url: "http://127.0.0.1:1/"), model: .open,
            profile: Profile(level: 1, sustain: 1), requestedPeak: 1, connections: 1, threads: 1,
            actions: [], weights: [60, 30, 10])
        let order = three.order
        #expect(order.count == 10)
        #expect(order.filter { $0 == 0 }.count == 6)
        #expect(order.filter { $0 == 2 }.count == 1)
    }
}
