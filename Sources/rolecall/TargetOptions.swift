import ArgumentParser
import Foundation
import RolecallKit

/// `--refresh`: whether plan and apply read each org's target (a SCIM server) first.
struct TargetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read each org's target (SCIM server) before planning; --refresh=false plans from the state alone.",
                                            valueName: "bool"))
    var refresh = true
}
