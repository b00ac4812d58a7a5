import Crypto
import Foundation

/// The JSON form of a plan: what `plan --format json` prints, what `--out` saves, what `apply` and
/// `show` read back. Documented in `schema/plan.schema.json`; `format_version` changes only when an
/// existing field changes meaning.
public struct PlanDocument: Codable, Sendable {
    public static let formatVersion = 1

    public var format_version: Int
    public var rolecall_version: String
    public var lineage: String
    public var serial: Int
    public var manifest_digest: String
    public var evaluated_at: String
    public var next_expiry: String?
    public var only_expired: Bool
    public var summary: Plan.Summary
    public var changes: [ChangeDocument]
    public var notices: [NoticeDocument]
    /// Per person and scope: effective role before -> after, and why.
    public var access_changes: [AccessChange]?
    /// The seal of a saved plan (`plan --out`): `sha256:HEX`, or `hmac-sha256:HEX` with `ROLECALL_PLAN_KEY`,
    /// over everything else in the document (see `seal`). Absent from printed plans.
    public var digest: String?
    /// Each policy rule's verdict per org (absent when no org sets a policy).
    public var policies: [PolicyResult]?
    /// Per org: its time zone and own e-mail domains (how expiries are read, who is external).
    public var orgs: [String: OrgContext]?

    public struct Location: Codable, Sendable, Hashable {
        public var file: String
        public var line: Int
        public var column: Int
    }

    public struct ChangeDocument: Codable, Sendable {
        public var action: Change.Action
        public var org: String
        public var kind: ResourceKind
        public var key: String
        public var before: Attributes?
        public var after: Attributes?
        /// `added`, `changed`, `removed`, `expired`, `invitation_cancelled`, `invitation_resent`, `invitation_accepted`.
        public var reason_code: String
        /// For people: `expired on 2026-07-15 (member jane@acme.com)`.
        public var reason: String
        /// For `expired`: the expiry as written; for `invitation_resent`: when the invitation was first sent.
        public var expired_on: String?
        public var expired_via: String?
        public var location: Location?
        /// A grant removal shown as one replacement with a grant added (a role change, see
        /// `Replacement`): on the addition, the key of the removed grant; on the removal, the key of the added one.
        public var replaces: String?
        public var replaced_by: String?
    }

    public struct NoticeDocument: Codable, Sendable {
        public var kind: Notice.Kind
        public var org: String
        public var resource_kind: ResourceKind
        public var key: String
        public var message: String
        public var location: Location?
    }

    public init(_ plan: Plan) {
        format_version = Self.formatVersion
        rolecall_version = RolecallVersion.current
        lineage = plan.lineage
        serial = plan.serial
        manifest_digest = plan.manifestDigest
        evaluated_at = Timestamp.format(plan.evaluatedAt)
        next_expiry = plan.nextExpiry.map(Timestamp.format)
        only_expired = plan.onlyExpired
        summary = plan.summary
        changes = plan.changes.map { c in
            var code = "added"
            var on: String?
            var via: String?
            switch c.reason {
            case .added: code = "added"
            case .changed: code = "changed"
            case .removedFromManifests: code = "removed"
            case .invitationCancelled: code = "invitation_cancelled"
            case let .invitationResent(since):
                code = "invitation_resent"
                on = since
            case .invitationAccepted: code = "invitation_accepted"
            case let .rotationDue(since):
                code = "rotation_due"
                on = since
            case let .expired(date, by):
                code = "expired"
                on = date
                via = by
            }
            return ChangeDocument(action: c.action, org: c.id.org, kind: c.id.kind, key: c.id.key, before: c.before,
                                  after: c.after, reason_code: code, reason: c.reason.description, expired_on: on,
                                  expired_via: via, location: c.location.map(Location.init))
        }
        for pair in plan.replacements {
            changes[pair.removal].replaced_by = changes[pair.addition].key
            changes[pair.addition].replaces = changes[pair.removal].key
        }
        orgs = plan.context.isEmpty ? nil : plan.context
        access_changes = plan.accessChanges
        policies = plan.policies.isEmpty ? nil : plan.policies
        notices = plan.notices.map {
            NoticeDocument(kind: $0.kind, org: $0.id.org, resource_kind: $0.id.kind, key: $0.id.key, message: $0.message,
                           location: $0.location.map(Location.init))
        }
    }

    /// The plan back from its document; nil with a reason when the document is not one rolecall wrote.
    public func plan() -> Result<Plan, PlanFileError> {
        guard format_version == Self.formatVersion else { return .failure(.unsupported(format_version)) }
        guard let evaluated = Timestamp.parse(evaluated_at) else { return .failure(.invalid("evaluated_at is not a timestamp")) }
        var list: [Change] = []
        for c in changes {
            let reason: Change.Reason
            switch c.reason_code {
            case "added": reason = .added
            case "changed": reason = .changed
            case "removed": reason = .removedFromManifests
            case "invitation_cancelled": reason = .invitationCancelled
            case "invitation_resent": reason = .invitationResent(since: c.expired_on ?? "")
            case "invitation_accepted": reason = .invitationAccepted
            case "rotation_due": reason = .rotationDue(since: c.expired_on ?? "")
            case "expired": reason = .expired(on: c.expired_on ?? "", via: c.expired_via)
            default: return .failure(.invalid("unknown reason_code '\(c.reason_code)'"))
            }
            list.append(Change(action: c.action, id: ResourceID(org: c.org, kind: c.kind, key: c.key), before: c.before,
                               after: c.after, reason: reason, location: c.location.map(\.sourceLocation)))
        }
        let noticeList = notices.map {
            Notice(kind: $0.kind, id: ResourceID(org: $0.org, kind: $0.resource_kind, key: $0.key), message: $0.message,
                   location: $0.location.map(\.sourceLocation))
        }
        var plan = Plan(changes: list, notices: noticeList, evaluatedAt: evaluated,
                        nextExpiry: next_expiry.flatMap(Timestamp.parse), lineage: lineage, serial: serial,
                        manifestDigest: manifest_digest, onlyExpired: only_expired)
        plan.accessChanges = access_changes ?? []
        plan.policies = policies ?? []
        plan.context = orgs ?? [:]
        return .success(plan)
    }

    public var json: String { JSONValue.from(self).pretty }

    /// Reads a plan file without checking its seal (for `show`).
    public static func read(_ data: Data) -> Result<Plan, PlanFileError> {
        decode(data).flatMap { $0.plan() }
    }

    /// Reads a plan file for `apply`: its seal must match its content, made with `key` (an HMAC) when
    /// one is given, a plain SHA-256 when not.
    public static func readSealed(_ data: Data, key: String?) -> Result<Plan, PlanFileError> {
        decode(data).flatMap { document in
            if let problem = document.sealProblem(key: key) { return .failure(problem) }
            return document.plan()
        }
    }

    private static func decode(_ data: Data) -> Result<PlanDocument, PlanFileError> {
        do {
            return .success(try JSONDecoder().decode(PlanDocument.self, from: data))
        } catch {
            return .failure(.invalid("it is not a rolecall plan file"))
        }
    }

    // MARK: - Seal

    /// The document with its seal: a SHA-256 of the canonical JSON of everything else in it (changes,
    /// their before and after, lineage, serial, instants, notices, access changes), or an HMAC-SHA256
    /// with `key` (the `ROLECALL_PLAN_KEY` secret; it is never written anywhere).
    public func sealed(key: String?) -> PlanDocument {
        var document = self
        document.digest = seal(key: key)
        return document
    }

    /// The seal this document's content calls for.
    func seal(key: String?) -> String {
        var unsealed = self
        unsealed.digest = nil
        let content = Data(JSONValue.from(unsealed).compact.utf8)
        if let key {
            let code = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: Data(key.utf8)))
            return Self.hmacPrefix + Data(code).hexString
        }
        return Self.sha256Prefix + SHA256.hash(data: content).hexString
    }

    static let sha256Prefix = "sha256:"
    static let hmacPrefix = "hmac-sha256:"

    /// Why the recorded seal does not vouch for this content; nil when it does.
    func sealProblem(key: String?) -> PlanFileError? {
        guard let digest else { return .unsealed }
        if digest.hasPrefix(Self.hmacPrefix), key == nil { return .signedNeedsKey }
        if digest.hasPrefix(Self.sha256Prefix), key != nil { return .unsignedWithKey }
        guard digest.hasPrefix(Self.hmacPrefix) || digest.hasPrefix(Self.sha256Prefix) else { return .unsealed }
        let expected = Array(seal(key: key).utf8)
        let recorded = Array(digest.utf8)
        // Compared in constant time: the HMAC is a secret-dependent value.
        var difference = UInt8(expected.count == recorded.count ? 0 : 1)
        for (a, b) in zip(expected, recorded) { difference |= a ^ b }
        return difference == 0 ? nil : .tampered(signed: key != nil)
    }
}

extension PlanDocument.Location {
    init(_ l: SourceLocation) {
        self.init(file: l.file, line: l.line, column: l.column)
    }

    var sourceLocation: SourceLocation { SourceLocation(file: file, line: line, column: column) }
}

public enum PlanFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupported(Int)
    case invalid(String)
    /// No digest: not saved by `plan --out` (or it was removed).
    case unsealed
    /// The content does not match the digest: edited after it was saved (or signed with another key).
    case tampered(signed: Bool)
    /// Signed with ROLECALL_PLAN_KEY, but no key is set now.
    case signedNeedsKey
    /// ROLECALL_PLAN_KEY is set, but the plan carries a plain SHA-256, not an HMAC.
    case unsignedWithKey

    public var description: String {
        switch self {
        case let .unsupported(v): return "plan file has format_version \(v); this rolecall reads \(PlanDocument.formatVersion)"
        case let .invalid(why): return "not a valid plan file: \(why)"
        case .unsealed:
            return "the plan file has no digest: only a plan saved by `rolecall plan --out` can be applied; re-run plan"
        case let .tampered(signed):
            return signed
                ? "the plan file does not match its HMAC: it was changed after it was saved, or signed with another ROLECALL_PLAN_KEY; nothing applied"
                : "the plan file does not match its digest: it was changed after it was saved; nothing applied"
        case .signedNeedsKey:
            return "the plan file is signed (HMAC-SHA256) but ROLECALL_PLAN_KEY is not set: set the key it was signed with"
        case .unsignedWithKey:
            return "ROLECALL_PLAN_KEY is set but the plan file is not signed with it (plain SHA-256 digest): re-run plan with the key"
        }
    }
}
