import Dispatch
import Synchronization

/// Runs `work` for every index in `0..<count` on the cores Dispatch gives (`concurrentPerform`) and
/// returns the results in index order. Used for independent work (one manifest file, one part of the
/// desired state or of the diff each); `work` must not touch shared mutable state. `width` 1 runs
/// everything on the calling thread.
///
/// Dispatch rather than threads of our own: measured (2026-12-01, release build, no-op plan of a
/// 100k-member org, 15 alternating runs) against the pthread helpers this replaced (commit f18e013),
/// Dispatch takes 0.98x their median wall time and 0.99x their CPU time; the hand-written helpers do
/// not save the 10% they would have to. (Running everything on one thread took 1.28x.)
/// Nesting: Dispatch runs a `concurrentPerform` inside another one with the outer one's share of the
/// cores, so `concurrently` does not use it (see there).
func parallelMap<T: Sendable>(_ count: Int, width: Int, _ work: (Int) -> T) -> [T] {
    guard count > 1, width > 1 else { return (0..<count).map(work) }
    let slots = Mutex<[T?]>(Array(repeating: nil, count: count))
    withoutActuallyEscaping(work) { work in
        let shared = UncheckedSendable(work)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let result = shared.value(i)
            slots.withLock { $0[i] = result }
        }
    }
    return slots.withLock { $0.compactMap { $0 } }
}

/// Runs two independent pieces of work at the same time and returns both results: `b` on a thread of
/// its own (a serial queue's), `a` on the calling thread, so that a `parallelMap` inside `a` still gets
/// every core. Both were once iterations of one `concurrentPerform`; a `parallelMap` inside it was then
/// nested and, on two cores, ran its items one after another: the manifest files were read one by one
/// beside the state, and the parts of the desired state one by one beside the checks. Measured
/// (2026-12-01, release build, no-op plan of a 100k-member org, 15 alternating runs): 0.86x the median
/// wall time, together with a 25 ms fix to the plan's org context (README "Performance").
func concurrently<A: Sendable, B: Sendable>(_ a: () -> A, _ b: () -> B) -> (A, B) {
    let second = Mutex<B?>(nil)
    let done = DispatchGroup()
    let first = withoutActuallyEscaping(b) { b in
        let work = UncheckedSendable(b)
        DispatchQueue(label: "rolecall.concurrently").async(group: done) {
            let value = work.value()
            second.withLock { $0 = value }
        }
        let value = a()
        done.wait()
        return value
    }
    guard let b = second.withLock({ $0 }) else { preconditionFailure("a piece of work did not finish") }
    return (first, b)
}

/// Closures handed to `concurrentPerform` or to a queue, which want `@Sendable` ones. Invariant: they
/// are called only while their owner waits (inside `concurrentPerform`, which returns once every
/// iteration has finished, or on `concurrently`'s group), so they never outlive what they capture;
/// and each caller's work reads shared values and writes only its own results (the callers' contract
/// above). Tested by ParallelTests.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
