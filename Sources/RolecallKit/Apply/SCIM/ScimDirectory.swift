import Foundation

/// What rolecall knows of the server during one run: users by lower-case userName, groups by
/// displayName with their member ids, and what the server accepted. Filled by listing (once) or by
/// single look-ups, and kept up to date by every change made.
actor ScimDirectory {
    struct User: Sendable {
        var id: String
        var version: String?
        var active: Bool
        var displayName: String?
        var roles: Set<ScimRole>

        init(_ resource: ScimResource) {
            id = resource.id
            version = resource.version
            active = resource.json["active"]?.boolValue ?? true
            displayName = resource.json["displayName"]?.stringValue
            roles = Set(resource.json["roles"]?.arrayValue.compactMap(ScimRole.init(entry:)) ?? [])
        }
    }

    struct Group: Sendable {
        var id: String
        var version: String?
        var members: Set<String>

        init(_ resource: ScimResource) {
            id = resource.id
            version = resource.version
            members = Set(resource.json["members"]?.arrayValue.compactMap { $0["value"]?.stringValue } ?? [])
        }
    }

    private(set) var users: [String: User] = [:]
    private(set) var usersListed = false
    private(set) var groups: [String: Group] = [:]
    private(set) var groupsListed = false
    /// The member removal form the server accepted (nil: not learned yet).
    var removal: TargetSettings.MemberRemoval?
    /// What the server said it supports (read once, first).
    var config: ScimServerConfig?

    func setConfig(_ config: ScimServerConfig) { self.config = config }
    func setRemoval(_ removal: TargetSettings.MemberRemoval) { self.removal = removal }

    func user(_ userName: String) -> User? { users[userName.lowercased()] }
    func group(_ name: String) -> Group? { groups[name] }
    func setUser(_ userName: String, _ user: User?) { users[userName.lowercased()] = user }
    func setGroup(_ name: String, _ group: Group?) { groups[name] = group }

    /// The userName of the user with this id.
    func userName(id: String) -> String? { users.first { $0.value.id == id }?.key }

    func listedUsers(_ all: [ScimResource]) {
        for resource in all {
            guard let name = resource.json["userName"]?.stringValue else { continue }
            users[name.lowercased()] = User(resource)
        }
        usersListed = true
    }

    func listedGroups(_ all: [ScimResource]) {
        for resource in all {
            guard let name = resource.json["displayName"]?.stringValue, groups[name] == nil else { continue }
            groups[name] = Group(resource)
        }
        groupsListed = true
    }

    func updateMembers(of name: String, adding: Set<String>, removing: Set<String>) {
        groups[name]?.members.formUnion(adding)
        groups[name]?.members.subtract(removing)
    }
}
