import GreenlightCore
import Testing

@testable import GreenlightCanary

@Suite("The canary module")
struct CanaryModuleTests {
    @Test("it splits with the shared sticky bucket")
    func sharedBucket() {
        #expect(StickyBucket.bucket(group: "Feature.flexibleRollout.10", key: "174") == 10)
    }
}
