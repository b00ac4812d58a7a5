import Foundation
import Synchronization

/// Runs `work` for every index in `0..<count` on up to `width` threads and returns the results in
/// index order; each thread takes the next index when it is done with one. The calling thread is
/// one of them and always takes index 0 (so the memory the largest job frees is the caller's to
/// reuse). Used for independent reads (one manifest file each); `work` must not touch shared
/// mutable state.
func parallelMap<T: Sendable>(_ count: Int, width: Int, _ work: (Int) -> T) -> [T] {
    let lanes = min(count, width)
    guard lanes > 1 else { return (0..<count).map(work) }
    let next = Atomic<Int>(1)
    let slots = Mutex<[T?]>(Array(repeating: nil, count: count))
    withoutActuallyEscaping(work) { work in
        let shared = UncheckedSendable(work)
        let drain: @Sendable () -> Void = {
            while case let i = next.add(1, ordering: .relaxed).oldValue, i < count {
                let result = shared.value(i)
                slots.withLock { $0[i] = result }
            }
        }
        // Helpers that cannot be started leave their share to the calling thread.
        let helpers = (1..<lanes).compactMap { _ in startThread(drain) }
        let first = shared.value(0)
        slots.withLock { $0[0] = first }
        drain()
        // Joined before `work` stops being valid, here.
        for helper in helpers { pthread_join(helper, nil) }
    }
    return slots.withLock { $0.compactMap { $0 } }
}

/// Runs two independent pieces of work at the same time and returns both results: `b` on a thread
/// of its own, `a` on the calling one.
///
/// Plain threads rather than Dispatch's `concurrentPerform`, here and in `parallelMap`: Dispatch runs
/// a `concurrentPerform` nested in another one on a single thread, and these helpers nest (the
/// checks beside the desired state, inside the manifest load).
func concurrently<A: Sendable, B: Sendable>(_ a: () -> A, _ b: () -> B) -> (A, B) {
    let second = Mutex<B?>(nil)
    let first = withoutActuallyEscaping(b) { b in
        let work = UncheckedSendable(b)
        let thread = startThread {
            let value = work.value()
            second.withLock { $0 = value }
        }
        let value = a()
        // Joined before `b` stops being valid, here; when no thread could be started, `b` runs now.
        if let thread {
            pthread_join(thread, nil)
        } else {
            let value = work.value()
            second.withLock { $0 = value }
        }
        return value
    }
    guard let value = second.withLock({ $0 }) else { preconditionFailure("the second piece of work did not finish") }
    return (first, value)
}

/// Starts a thread (8 MiB of stack, like the main thread's) that runs `body`; nil when none can be started.
private func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, 8 << 20)
    let context = Unmanaged.passRetained(Body(body))
    var thread = pthread_t()
    let started = pthread_create(&thread, &attributes, { raw in
        guard let raw else { return nil }
        // Released here, before the thread ends: a join means the body and all it captured are gone.
        Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
        return nil
    }, context.toOpaque())
    guard started == 0 else {
        context.release()
        return nil
    }
    return thread
}

/// A closure that is only called while its owner waits (every thread that calls it is joined before
/// its owner returns), so it never outlives what it captures.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
