import Foundation

/// When an API key is due for rotation: `rotate_every` (recorded with the key, `90d`) has passed since
/// it was created or last rotated (`created_at`, `rotated_at`, which the state records).
public enum KeyRotation {
    /// The instant the key was created or last rotated, as recorded; nil when neither is.
    public static func lastRotated(_ recorded: Attributes) -> String? {
        if case let .string(at)? = recorded["rotated_at"] { return at }
        if case let .string(at)? = recorded["created_at"] { return at }
        return nil
    }

    /// The period in seconds, from `rotate_every: "90d"`.
    public static func period(_ attributes: Attributes) -> TimeInterval? {
        guard case let .string(text)? = attributes["rotate_every"], text.hasSuffix("d"), let days = Int(text.dropLast()), days > 0 else { return nil }
        return TimeInterval(days) * 86_400
    }

    /// The instant the next rotation is due; nil when the key need not be rotated or has no record of
    /// its creation.
    public static func due(_ recorded: Attributes, period: TimeInterval?) -> Date? {
        guard let period, let last = lastRotated(recorded), let at = Timestamp.parse(last) else { return nil }
        return at.addingTimeInterval(period)
    }
}

extension Planner {
    /// A recorded API key whose rotation is due at `now` (under `wanted`'s period): an update that
    /// records `rotated_at`, with the manifests' attributes. nil when no rotation is due.
    static func rotation(_ entry: DesiredState.Entry, _ before: Attributes, now: Date) -> Change? {
        guard entry.id.kind == .apiKey, let due = KeyRotation.due(before, period: KeyRotation.period(entry.attributes)),
              due <= now, let since = KeyRotation.lastRotated(before) else { return nil }
        var after = entry.attributes
        for key in State.stateOnlyAttributes { after[key] = before[key] }
        after["rotated_at"] = .string(Timestamp.format(now))
        return Change(action: .update, id: entry.id, before: before, after: after, reason: .rotationDue(since: since),
                      location: entry.location)
    }
}
