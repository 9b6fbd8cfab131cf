#include <sqlite3.h>

/// sqlite3_config is variadic, which Swift cannot call; effective only before SQLite initialises.
/// Memory statistics take a global mutex on every allocation (10% of a bulk load here) and heal never reads
/// them; connections need no mutex of their own because GRDB serialises every use of one.
static inline int heal_sqlite_configure(void) {
    int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}
