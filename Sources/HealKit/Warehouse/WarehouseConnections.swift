import Foundation
import Synchronization

/// The warehouses one run talks to, one per target: the load, the health check, `sql` steps and the ledger lookups
/// share a connection and an environment, and the run closes them when it ends.
public final class WarehouseConnections: Sendable {
    let home: HealHome
    let environment: [String: String]
    private let opened = Mutex<[String: any Warehouse]>([:])

    public init(home: HealHome, environment: [String: String]) {
        self.home = home
        self.environment = environment
    }

    /// The run's warehouse for a rendered target (`sqlite:PATH`, `postgres://…`).
    public func open(_ target: String) throws -> any Warehouse {
        if let warehouse = opened.withLock({ $0[target] }) { return warehouse }
        let warehouse = try WarehouseTarget.open(target, home: home, environment: environment, keepingConnection: true)
        return opened.withLock { opened in
            if let earlier = opened[target] { return earlier }
            opened[target] = warehouse
            return warehouse
        }
    }

    /// Closes every connection the run opened; a later use opens it again.
    public func close() async {
        let all = opened.withLock { opened in
            defer { opened = [:] }
            return Array(opened.values)
        }
        for warehouse in all { await warehouse.close() }
    }
}
