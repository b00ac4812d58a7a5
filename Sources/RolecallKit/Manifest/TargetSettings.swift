import Foundation

/// Where an org's changes are carried out (`settings.target`): absent, the state is the system of
/// record (`RecordOnlyTarget`); `type: scim`, a SCIM 2.0 server (`ScimTarget`).
public struct TargetSettings: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable { case scim }
    /// How effective roles reach the server: groups `role:<role>` / `role:<app>:<role>`, or `User.roles`.
    public enum RolesAs: String, Sendable, Hashable, CaseIterable { case groups, roles }
    /// What removing a member does: `PATCH active=false`, or `DELETE`.
    public enum OnRemove: String, Sendable, Hashable, CaseIterable { case deactivate, delete }
    /// How a member leaves a group: `path: members[value eq "id"]` (filter), `value: [{value: id}]`
    /// (value), or whichever the server accepts (auto: filter first, value after a refusal).
    public enum MemberRemoval: String, Sendable, Hashable, CaseIterable { case auto, filter, value }

    public var kind: Kind = .scim
    /// The base URL (`https://scim.example.com/v2`) as written, or nil when `urlEnv` names it.
    public var url: String?
    /// The environment variable holding the base URL.
    public var urlEnv: String?
    /// The environment variable holding the bearer token: the token itself is never in a manifest.
    public var tokenEnv: String?
    public var rolesAs: RolesAs = .groups
    public var onRemove: OnRemove = .deactivate
    public var memberRemoval: MemberRemoval = .auto
    /// Requests in flight.
    public var parallelism: Int = 4
    /// Whether member creates go through `/Bulk` when the server offers it.
    public var bulk = true
    public var location: SourceLocation?

    public init(url: String? = nil, urlEnv: String? = nil, tokenEnv: String? = nil) {
        self.url = url
        self.urlEnv = urlEnv
        self.tokenEnv = tokenEnv
    }

    /// The base URL, from the manifest or the environment; nil when neither gives one.
    public func baseURL(environment: [String: String]) -> String? {
        if let url { return url }
        if let urlEnv, let value = environment[urlEnv], !value.isEmpty { return value }
        return nil
    }

    static let keys = ["type", "url", "url_env", "token_env", "roles_as", "on_remove", "parallelism", "member_removal", "bulk"]
}

extension DocumentDecoder {
    /// `settings.target`, checked: a known type, exactly one of `url` and `url_env`, an environment
    /// variable name for the token, and known values for the choices.
    func targetSettings(_ node: YAMLNode) -> TargetSettings? {
        guard let f = Fields(node, what: "target", in: document, sink: sink) else { return nil }
        f.finish(allowed: TargetSettings.keys)
        var target = TargetSettings()
        target.location = f.location
        guard let type = f.string("type", required: true) else { return nil }
        guard let kind = TargetSettings.Kind(rawValue: type.value) else {
            sink.error(.invalidTarget, "unknown target type '\(type.value)'" + Suggest.hint(for: type.value, among: ["scim"]), at: type.location,
                       notes: [DiagnosticNote("target types are: scim (absent: record-only)")])
            return nil
        }
        target.kind = kind
        let url = f.string("url"), urlEnv = f.string("url_env")
        switch (url, urlEnv) {
        case (nil, nil):
            sink.error(.missingKey, "target needs 'url' or 'url_env'", at: f.location)
        case let (url?, _?):
            sink.error(.invalidTarget, "target takes one of 'url' and 'url_env', not both", at: url.location)
        case let (url?, nil):
            if let parsed = URL(string: url.value), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil {
                target.url = url.value.hasSuffix("/") ? String(url.value.dropLast()) : url.value
            } else {
                sink.error(.invalidTarget, "'url' must be an http or https URL, found '\(clipped(url.value, to: 100))'", at: url.location)
            }
        case let (nil, name?):
            target.urlEnv = environmentName(name)
        }
        if let token = f.string("token_env", required: true) { target.tokenEnv = environmentName(token) }
        target.rolesAs = choice(f, "roles_as", default: .groups)
        target.onRemove = choice(f, "on_remove", default: .deactivate)
        target.memberRemoval = choice(f, "member_removal", default: .auto)
        if let bulk = f.bool("bulk") { target.bulk = bulk }
        if let parallelism = f.int("parallelism") {
            if (1...64).contains(parallelism.value) {
                target.parallelism = parallelism.value
            } else {
                sink.error(.invalidTarget, "'parallelism' must be from 1 to 64, found \(parallelism.value)", at: parallelism.location)
            }
        }
        return target
    }

    /// An environment variable's name: letters, digits and `_`, not starting with a digit.
    private func environmentName(_ name: Located<String>) -> String? {
        let valid = !name.value.isEmpty && name.value.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F }
            && !(name.value.utf8.first.map { $0 >= 0x30 && $0 <= 0x39 } ?? true)
        guard valid else {
            // The value is not echoed: a token pasted here by mistake must not reach an error message.
            sink.error(.invalidTarget, "this must name an environment variable (letters, digits and _, not starting with a digit); "
                       + "a secret itself never goes in a manifest", at: name.location)
            return nil
        }
        return name.value
    }

    private func choice<T: RawRepresentable & CaseIterable>(_ f: Fields, _ key: String, default value: T) -> T where T.RawValue == String {
        guard let written = f.string(key) else { return value }
        if let parsed = T(rawValue: written.value) { return parsed }
        let names = T.allCases.map(\.rawValue)
        sink.error(.invalidTarget, "'\(key)' must be one of \(names.joined(separator: ", ")), found '\(clipped(written.value, to: 100))'"
                   + Suggest.hint(for: written.value, among: names), at: written.location)
        return value
    }
}
