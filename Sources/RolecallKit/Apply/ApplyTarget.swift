import Foundation

/// Something that carries out changes: the record-only target today, a SCIM server later.
/// A target applies one change at a time and returns the resource as it now holds it; a thrown error
/// stops the run after what was already applied (and saved).
public protocol ApplyTarget: Sendable {
    /// Carries out `change`; returns the resource as the target now holds it (nil after a delete).
    func apply(_ change: Change) async throws -> AppliedResource?
    /// How often the state is saved during a run (see `BatchPolicy`).
    var batching: BatchPolicy { get }
    /// Whether a failed change stops the run (false) or is recorded as failed while the rest goes on
    /// (true: a remote target whose changes are independent; the failed ones are planned again next run).
    var continuesAfterFailure: Bool { get }
    /// Told the whole plan and the state it starts from before the first change (a target that
    /// works ahead or pushes derived values, such as effective roles, needs both).
    func prepare(_ plan: Plan, state: State)
}

extension ApplyTarget {
    public var batching: BatchPolicy { .standard }
    public var continuesAfterFailure: Bool { false }
    public func prepare(_ plan: Plan, state: State) {}
}

/// A resource as a target holds it after a change: the attributes it keeps, and the target's own
/// identity for it (an id, a version or ETag) so that the state can record and later address it.
public struct AppliedResource: Sendable, Equatable {
    public var attributes: Attributes
    public var remoteID: String?
    public var version: String?

    public init(attributes: Attributes, remoteID: String? = nil, version: String? = nil) {
        self.attributes = attributes
        self.remoteID = remoteID
        self.version = version
    }

    /// The attribute names under which the state records `remoteID` and `version`. They are state-only
    /// (`State.stateOnlyAttributes`): never a cause for a change, carried over by updates, and absent
    /// (so the state file is byte for byte what it was) when a target reports neither.
    public static let remoteIDAttribute = "remote_id"
    public static let versionAttribute = "remote_version"

    /// The attributes the state records for this resource.
    public var recorded: Attributes {
        var attributes = attributes
        if let remoteID { attributes[Self.remoteIDAttribute] = .string(remoteID) }
        if let version { attributes[Self.versionAttribute] = .string(version) }
        return attributes
    }
}

/// When a run saves what it applied: after `maxChanges` changes or `maxInterval` seconds, whichever
/// comes first (and always at the end), so a crash loses at most what was in flight.
public struct BatchPolicy: Sendable, Equatable {
    public var maxChanges: Int
    public var maxInterval: TimeInterval

    public init(maxChanges: Int, maxInterval: TimeInterval) {
        self.maxChanges = max(1, maxChanges)
        self.maxInterval = maxInterval
    }

    /// Each second or 500 changes.
    public static let standard = BatchPolicy(maxChanges: 500, maxInterval: 1)
    /// One save at the end of the run.
    public static let wholeRun = BatchPolicy(maxChanges: .max, maxInterval: .infinity)
}

/// The built-in target: the state is the system of record, so applying a change is recording it.
///
/// It saves once, at the end of the run (`BatchPolicy.wholeRun`): nothing happens outside the state, so a
/// crash loses nothing that exists anywhere else, a killed apply leaves the old or the new state (never a
/// part), and a 100k-member apply writes its 26 MB state once rather than hundreds of times.
public struct RecordOnlyTarget: ApplyTarget {
    public init() {}

    public func apply(_ change: Change) async throws -> AppliedResource? {
        change.after.map { AppliedResource(attributes: $0) }
    }

    public var batching: BatchPolicy { .wholeRun }
}

/// The name `RecordOnlyTarget` had before targets became asynchronous.
public typealias StateFileTarget = RecordOnlyTarget
