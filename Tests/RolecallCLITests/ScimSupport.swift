import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RolecallKit

/// The test SCIM servers `scripts/scim-servers.sh start` runs (`.ci/run` always does): nil when the
/// variables are unset, and the tests that need them then say so and skip.
enum ScimServers {
    static var env: [String: String] { ProcessInfo.processInfo.environment }
    static var token: String? { env["ROLECALL_TEST_SCIM_TOKEN"] }

    /// A fresh, empty scim2-server store (`--dynamic-tenants`).
    static func scim2Tenant() -> String? {
        guard let base = env["ROLECALL_TEST_SCIM_URL"], token != nil else { return nil }
        return "\(base)/t\(UUID().uuidString.prefix(8).lowercased())/v2"
    }

    /// The django-scim2 server (one sqlite store: emptied first, so each test starts from nothing).
    static func djangoEmptied() throws -> String? {
        guard let token, let url = env["ROLECALL_TEST_DJANGO_SCIM_URL"] else { return nil }
        try ScimReader(base: url, token: token).wipe()
        return url
    }

    static func skipNote(_ test: String) {
        print("SKIPPED \(test): ROLECALL_TEST_SCIM_URL is unset (run `eval \"$(bash scripts/scim-servers.sh start)\"`)")
    }
}

/// Reads a SCIM server directly (URLSession, not rolecall's client) to compare with what rolecall did.
struct ScimReader {
    var base: String
    var token: String

    func get(_ path: String) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: base + path)!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, _ in
            box.data = data
            done.signal()
        }.resume()
        done.wait()
        return (try JSONSerialization.jsonObject(with: box.data ?? Data())) as? [String: Any] ?? [:]
    }

    func send(_ method: String, _ path: String, _ body: String) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.httpBody = Data(body.utf8)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/scim+json", forHTTPHeaderField: "Content-Type")
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, _, _ in done.signal() }.resume()
        done.wait()
    }

    final class Box: @unchecked Sendable {
        // Invariant: written by the one callback before the semaphore is signalled, read after.
        var data: Data?
    }

    /// Every resource at the endpoint, paged.
    func all(_ endpoint: String) throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        while true {
            let page = try get("/\(endpoint)?startIndex=\(all.count + 1)&count=1000")
            let resources = page["Resources"] as? [[String: Any]] ?? []
            all += resources
            if resources.isEmpty || all.count >= (page["totalResults"] as? Int ?? 0) { return all }
        }
    }

    /// userName (lower case) -> (id, active).
    func users() throws -> [String: (id: String, active: Bool)] {
        var users: [String: (id: String, active: Bool)] = [:]
        for user in try all("Users") {
            guard let name = user["userName"] as? String, let id = user["id"] as? String else { continue }
            users[name.lowercased()] = (id, user["active"] as? Bool ?? true)
        }
        return users
    }

    /// displayName -> member ids.
    func groups() throws -> [String: Set<String>] {
        var groups: [String: Set<String>] = [:]
        for group in try all("Groups") {
            guard let name = group["displayName"] as? String else { continue }
            let members = (group["members"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
            groups[name, default: []].formUnion(members)
        }
        return groups
    }

    func id(of userName: String) throws -> String? { try users()[userName.lowercased()]?.id }

    /// Deletes every user and group: the django server has one store, emptied before each test there.
    func wipe() throws {
        for endpoint in ["Groups", "Users"] {
            for resource in try all(endpoint) {
                if let id = resource["id"] as? String { send("DELETE", "/\(endpoint)/\(id)", "") }
            }
        }
    }
}

/// A manifests folder in a temporary directory, with a SCIM target for every org.
enum ScimWorkspace {
    static func make(example: String? = nil, files: [String: String] = [:], rolesAs: String = "groups") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-scim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if let example {
            let source = Binary.packageRoot.appendingPathComponent("examples/\(example)")
            for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".yaml") {
                try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
            }
        }
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        try addTarget(to: dir, rolesAs: rolesAs)
        return dir
    }

    /// Adds `settings.target` (URL and token from TEST_SCIM_URL / TEST_SCIM_TOKEN) under each `settings:` line.
    static func addTarget(to dir: URL, rolesAs: String) throws {
        let block = "  target:\n    type: scim\n    url_env: TEST_SCIM_URL\n    token_env: TEST_SCIM_TOKEN\n    roles_as: \(rolesAs)\n"
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".yaml") {
            let file = dir.appendingPathComponent(name)
            let text = try String(contentsOf: file, encoding: .utf8)
            guard text.contains("\nsettings:\n") else { continue }
            try text.replacingOccurrences(of: "\nsettings:\n", with: "\nsettings:\n" + block)
                .write(to: file, atomically: true, encoding: .utf8)
        }
    }

    /// An org of `count` members, all with the org role `member` (custom catalog), addresses under `domain`.
    static func bigOrg(_ count: Int, domain: String, org: String = "big") -> String {
        var text = "org: \(org)\nsettings:\n  catalog: custom\nroles:\n  - name: member\n    scope: org\n    permissions: [read]\n"
            + "  - name: admin\n    scope: org\n    permissions: [read, write]\nmembers:\n"
        for i in 0..<count {
            text += "  - {email: user\(i)@\(domain), name: User \(i), role: \(i % 100 == 0 ? "admin" : "member")}\n"
        }
        return text
    }
}

extension Binary {
    /// Runs rolecall against a SCIM server.
    static func scim(_ arguments: [String], in dir: URL, url: String, extra: [String: String] = [:]) throws -> Run {
        try run(arguments + now, in: dir, environment: ["TEST_SCIM_URL": url, "TEST_SCIM_TOKEN": ScimServers.token ?? ""].merging(extra) { $1 })
    }
}
