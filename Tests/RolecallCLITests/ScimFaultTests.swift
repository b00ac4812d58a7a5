import Foundation
import Testing

/// rolecall through a proxy that injects faults, and killed mid-apply: nothing lost, nothing doubled.
@Suite("SCIM target under faults", .serialized)
struct ScimFaultTests {
    /// Starts Tests/Support/scim-fault-proxy.py in front of `upstream`; returns its URL and the process.
    static func proxy(_ upstream: String, rate: Double, seed: Int) throws -> (url: String, process: Child) {
        let process = try Binary.start(["python3", Binary.packageRoot.appendingPathComponent("Tests/Support/scim-fault-proxy.py").path,
                                        upstream, "--rate", String(rate), "--seed", String(seed), "--slow", "0.2"],
                                       executable: "/usr/bin/env", stderr: .discard)
        let port = process.readLine()
        // The proxy forwards to the upstream's host; the path stays in the URL rolecall is given.
        let path = URL(string: upstream)!.path
        return ("http://127.0.0.1:\(port)\(path)", process)
    }

    /// Every member exactly once, active, in the right role group; the plan is then empty.
    static func expectConverged(_ dir: URL, url: String, count: Int, domain: String) throws {
        let reader = ScimReader(base: url, token: ScimServers.token ?? "")
        let all = try reader.all("Users")
        let names = all.compactMap { ($0["userName"] as? String)?.lowercased() }
        #expect(names.count == count, "users on the server: \(names.count)")
        #expect(Set(names).count == names.count, "duplicate users")
        #expect(Set(names) == Set((0..<count).map { "user\($0)@\(domain)" }))
        let groups = try reader.groups()
        let ids = try reader.users()
        let members = groups["role:member"] ?? [], admins = groups["role:admin"] ?? []
        #expect(members.count + admins.count == count)
        #expect(admins == Set((0..<count).filter { $0 % 100 == 0 }.compactMap { ids["user\($0)@\(domain)"]?.id }))
        let plan = try Binary.scim(["plan", ".", "--state", "s.json"], in: dir, url: url)
        #expect(plan.stdout.hasSuffix("No changes.\n"), "\(plan.stdout.suffix(300))")
    }

    @Test func twentyPercentFaultsLoseNothing() throws {
        guard let upstream = ScimServers.scim2Tenant() else { return ScimServers.skipNote(#function) }
        let (url, proxy) = try Self.proxy(upstream, rate: 0.2, seed: Int.random(in: 1...1_000_000))
        defer { proxy.stop() }
        let dir = try ScimWorkspace.make(files: ["org.yaml": ScimWorkspace.bigOrg(300, domain: "faults.example")])
        // One request per user (no /Bulk), so that 300 creates and their groups meet about 60 faults.
        let file = dir.appendingPathComponent("org.yaml")
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "    roles_as: groups\n", with: "    roles_as: groups\n    bulk: false\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let applied = try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve"], in: dir, url: url)
        #expect(applied.status == 0, "\(applied.stderr.prefix(500))")
        try Self.expectConverged(dir, url: upstream, count: 300, domain: "faults.example")
    }

    @Test func killedAtRandomPointsThenRerunConverges() throws {
        guard let url = ScimServers.scim2Tenant() else { return ScimServers.skipNote(#function) }
        let dir = try ScimWorkspace.make(files: ["org.yaml": ScimWorkspace.bigOrg(2000, domain: "kill.example")])
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4 {
            let process = try Binary.start(["apply", ".", "--state", "s.json", "--auto-approve", "--allow-removals", "2000"] + now, in: dir,
                                           environment: ["TEST_SCIM_URL": url, "TEST_SCIM_TOKEN": ScimServers.token ?? ""],
                                           stdout: .discard, stderr: .discard)
            Thread.sleep(forTimeInterval: Double.random(in: 0.3...2.5, using: &generator))
            process.send(SIGKILL)
            process.wait()   // the state lock is an flock: the kernel drops it with the process
        }
        let last = try Binary.scim(["apply", ".", "--state", "s.json", "--auto-approve", "--allow-removals", "2000"], in: dir, url: url)
        #expect(last.status == 0, "\(last.stderr.prefix(500))")
        try Self.expectConverged(dir, url: url, count: 2000, domain: "kill.example")
    }
}
