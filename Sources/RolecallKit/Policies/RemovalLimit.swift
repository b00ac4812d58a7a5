import Foundation

/// A limit on how many members one plan may remove from an org: a count or a share of its members.
public enum RemovalLimit: Sendable, Hashable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    /// The limit of an org that sets none (Peribolos's default: a quarter of the members); it always
    /// allows one removal (one member leaving a small org is not a mass removal).
    public static let `default` = RemovalLimit.percent(25)

    /// `5` or `10%`.
    public init?(_ text: String) {
        if text.hasSuffix("%"), let p = Int(text.dropLast()), (0...100).contains(p) {
            self = .percent(p)
        } else if let n = Int(text), n >= 0 {
            self = .count(n)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case let .count(n): return String(n)
        case let .percent(p): return "\(p)%"
        }
    }

    /// How many removals are allowed out of `members`.
    func allowed(of members: Int) -> Int {
        switch self {
        case let .count(n): return n
        case let .percent(p): return members * p / 100
        }
    }
}

/// The mass-removal guard: a plan removes at most the org's `max_removals` members (the settings'
/// value, else 25%), unless `--max-removals` sets another limit or `--allow-removals N` acknowledges
/// N removals. Expiry revocations do not count. An org gone from the manifests is held to the limit
/// its recorded settings name, so deleting its manifests does not lift it.
public struct RemovalLimitRule: PlanPolicy {
    public init() {}

    public func check(_ context: PolicyContext) -> [Diagnostic] {
        let gone = Self.removedMembers(context)
        guard gone > 0 else { return [] }
        let (limit, source) = Self.limit(context)
        let allowed = source == Self.byDefault ? max(1, limit.allowed(of: context.members)) : limit.allowed(of: context.members)
        guard gone > allowed, gone > (context.options.allowRemovals ?? -1) else { return [] }
        let count = context.members
        let share = count > 0 ? " (\(gone * 100 / count)% of \(count))" : ""
        return [.error(.removalLimit, "plan removes \(plural(gone, "member")) from org '\(context.org)'\(share), more than max_removals \(limit)\(source) allows",
                       at: nil, notes: [DiagnosticNote("if this is intended, re-run with --allow-removals \(gone)")])]
    }

    /// Members the plan removes for any reason but an expiry.
    static func removedMembers(_ context: PolicyContext) -> Int {
        context.changes.count { $0.id.kind == .member && $0.action == .delete && !$0.reason.isExpiry }
    }

    /// The limit in effect, and where it comes from when that is not the manifests or the command line.
    static func limit(_ context: PolicyContext) -> (RemovalLimit, String) {
        if let limit = context.options.maxRemovals { return (limit, "") }
        if case let .string(text)? = context.settings?["max_removals"], let limit = RemovalLimit(text) {
            return (limit, context.orgIsRemoved ? " (recorded in the state)" : "")
        }
        return (.default, byDefault)
    }

    private static let byDefault = " (the default)"

}
