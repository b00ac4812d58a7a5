import Dispatch
import Synchronization

/// Runs `work` for every index in `0..<count` on up to one thread per core and returns the results
/// in index order. Used for independent reads (one manifest file each, the state file beside them);
/// `work` must not touch shared mutable state.
func parallelMap<T: Sendable>(_ count: Int, _ work: (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(work) }
    let slots = Mutex<[T?]>(Array(repeating: nil, count: count))
    withoutActuallyEscaping(work) { work in
        let sendable = UncheckedSendable(work)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let result = sendable.value(i)
            slots.withLock { $0[i] = result }
        }
    }
    return slots.withLock { $0.compactMap { $0 } }
}

/// Runs two independent pieces of work at the same time and returns both results.
func concurrently<A: Sendable, B: Sendable>(_ a: () -> A, _ b: () -> B) -> (A, B) {
    let results = Mutex<(A?, B?)>((nil, nil))
    withoutActuallyEscaping(a) { a in
        withoutActuallyEscaping(b) { b in
            let work = UncheckedSendable((a, b))
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                if i == 0 {
                    let value = work.value.0()
                    results.withLock { $0.0 = value }
                } else {
                    let value = work.value.1()
                    results.withLock { $0.1 = value }
                }
            }
        }
    }
    let (first, second) = results.withLock { $0 }
    guard let first, let second else { preconditionFailure("concurrentPerform skipped an iteration") }
    return (first, second)
}

/// A closure that is only called while its owner waits (concurrentPerform returns when every
/// iteration has run), so it never outlives what it captures.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
