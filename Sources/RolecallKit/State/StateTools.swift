import Foundation

/// A resource as `rolecall state rm` and `state show` name it: `ORG/KIND/KEY`, KIND one of `settings`, `app`,
/// `role`, `member`, `team`, `team_membership`, `grant`; KEY is everything after the second `/` (a team
/// membership's key `team/e-mail` keeps its slash). Settings have no key: `acme/settings`.
public struct StateAddress: Sendable, Hashable, CustomStringConvertible {
    public var id: ResourceID

    public init(_ id: ResourceID) { self.id = id }

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, !parts[0].isEmpty, let kind = ResourceKind(rawValue: parts[1]) else { return nil }
        if kind == .settings {
            guard parts.count == 2 || parts[2].isEmpty else { return nil }
            id = ResourceID(org: parts[0], kind: kind, key: "")
        } else {
            guard parts.count == 3, !parts[2].isEmpty else { return nil }
            id = ResourceID(org: parts[0], kind: kind, key: kind == .member ? parts[2].lowercased() : parts[2])
        }
    }

    public var description: String { id.kind == .settings ? "\(id.org)/settings" : "\(id.org)/\(id.kind.rawValue)/\(id.key)" }
}

/// The logic of `rolecall state ...`: pure functions over states; the command line reads, locks and writes.
public enum StateTools {
    public enum PushRefusal: Error, Equatable, CustomStringConvertible {
        case otherLineage(pushed: String, current: String)
        case notNewer(pushed: Int, current: Int)
        case noLineage

        public var description: String {
            switch self {
            case let .otherLineage(pushed, current):
                return "refusing to push lineage \(pushed) over lineage \(current) (another state's history); --force replaces it"
            case let .notNewer(pushed, current):
                return "refusing to push serial \(pushed) over serial \(current) (not newer: it would undo later writes); --force replaces it"
            case .noLineage:
                return "the pushed state has no lineage (it was never written by rolecall)"
            }
        }
    }

    /// What `state push` writes over `current`: `pushed` itself when it descends (same lineage, higher
    /// serial) or there is no state; with `force`, `pushed`'s resources as the next version of `current`
    /// (its lineage, serial + 1), so that saved plans of either history are refused as stale.
    public static func push(_ pushed: State, over current: State?, force: Bool) -> Result<State, PushRefusal> {
        guard !pushed.lineage.isEmpty else { return .failure(.noLineage) }
        guard let current else { return .success(pushed) }
        if pushed.lineage == current.lineage, pushed.serial > current.serial { return .success(pushed) }
        if !force {
            if pushed.lineage != current.lineage { return .failure(.otherLineage(pushed: pushed.lineage, current: current.lineage)) }
            return .failure(.notNewer(pushed: pushed.serial, current: current.serial))
        }
        var replaced = pushed
        replaced.lineage = current.lineage
        replaced.serial = max(current.serial, pushed.lineage == current.lineage ? pushed.serial : 0) + 1
        return .success(replaced)
    }

    /// `state` without `address`, at the next serial; nil when the state has no such resource.
    public static func remove(_ address: StateAddress, from state: State) -> State? {
        guard state.resources[address.id] != nil else { return nil }
        var next = state
        next.resources[address.id] = nil
        next.serial = state.serial + 1
        return next
    }

    /// The resources as a table, one line each in address order: ADDRESS, then the attributes.
    public static func table(_ state: State, org: String? = nil) -> String {
        let rows = state.resources.keys.filter { org == nil || $0.org == org }.sorted().map { id in
            let attributes = (state.resources[id] ?? [:]).map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return (StateAddress(id).description, attributes)
        }
        let width = max(7, rows.map(\.0.count).max() ?? 0)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: width - s.count) }
        var out = pad("ADDRESS") + "  ATTRIBUTES\n"
        for (address, attributes) in rows { out += pad(address) + "  " + attributes + "\n" }
        out += "\(rows.count) resource\(rows.count == 1 ? "" : "s"), lineage \(state.lineage), serial \(state.serial)\n"
        return out
    }
}
