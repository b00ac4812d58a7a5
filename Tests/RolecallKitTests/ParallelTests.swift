import Foundation
import Testing
@testable import RolecallKit

@Suite("parallel helpers")
struct ParallelTests {
    @Test(arguments: [1, 2, 3, 8])
    func parallelMapKeepsIndexOrder(width: Int) {
        #expect(parallelMap(0, width: width) { $0 }.isEmpty)
        #expect(parallelMap(1, width: width) { $0 * 3 } == [0])
        #expect(parallelMap(100, width: width) { $0 * 3 } == (0..<100).map { $0 * 3 })
    }

    @Test func concurrentlyReturnsBothResults() {
        let (a, b) = concurrently({ (0..<1000).reduce(0, +) }, { "done" })
        #expect(a == 499_500)
        #expect(b == "done")
    }

    @Test func helpersNestAndEveryPieceRuns() {
        // How the loader uses them: a pair inside a map inside a pair.
        let (outer, sums) = concurrently({ parallelMap(6, width: 2) { i in concurrently({ i }, { i * i }) } },
                                         { parallelMap(4, width: 3) { i in (0...i).reduce(0, +) } })
        #expect(outer.map(\.0) == Array(0..<6))
        #expect(outer.map(\.1) == (0..<6).map { $0 * $0 })
        #expect(sums == [0, 1, 3, 6])
    }

    /// The loader's shape: files read side by side (a map) while the state is read (the pair's other
    /// half). Each item waits for the other to start, so the map passes only when its items run at the
    /// same time, on a thread beside the one the other half holds.
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount > 1))
    func aMapInsideThePairStillRunsSideBySide() {
        let finished = DispatchSemaphore(value: 0)
        let (met, _) = concurrently({ () -> [Bool] in
            let started = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
            let met = parallelMap(2, width: 2) { i in
                started[i].signal()
                return started[1 - i].wait(timeout: .now() + 10) == .success
            }
            finished.signal()
            return met
        }, { finished.wait() })
        #expect(met == [true, true])
    }

    @Test func theSmallestFewAreKeptInOrder() {
        #expect(Planner.smallest(3, of: ["d", "b", "e", "a", "c"]) == ["a", "b", "c"])
        #expect(Planner.smallest(3, of: ["b"]) == ["b"])
        #expect(Planner.smallest(2, of: ["B", "a", "A"]) == ["A", "B"])
    }
}
