//! SQLite's checkpoint around large writes: [`super::bulk_write_tx`] leaves
//! it out and puts the automatic one back; [`super::checkpoint`] does it and
//! says whether readers kept part of the log.

use diesel::connection::SimpleConnection;

use super::test_support::TempDatabase;
use super::{DatabaseTarget, DbConn, DbManager, bulk_write_tx, checkpoint, write_tx};

fn file_size(path: &str) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// About 6 MB in one transaction: more than the 1,000 pages after which
/// SQLite checkpoints on its own.
fn write_much(conn: &mut DbConn, from: i64) -> diesel::QueryResult<()> {
    conn.batch_execute(&format!(
        "WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {from} + 1499) \
         INSERT INTO t (id, v) SELECT i, randomblob(4000) FROM n;"
    ))
}

fn open(db: &TempDatabase) -> DbConn {
    let manager = DbManager::new(DatabaseTarget::Sqlite(db.url.clone())).expect("SQLite target");
    let mut conn = manager.establish().expect("SQLite connection");
    conn.batch_execute(
        "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);",
    )
    .expect("table");
    conn
}

#[test]
fn a_large_write_leaves_the_checkpoint_to_later_and_puts_it_back() {
    let db = TempDatabase::sqlite();
    let mut conn = open(&db);
    bulk_write_tx(&mut conn, |c| write_much(c, 0)).expect("bulk write");
    assert!(
        file_size(&db.url) < 1_000_000,
        "no checkpoint at the commit: the pages are still in the log ({} bytes in the file)",
        file_size(&db.url)
    );
    // The automatic checkpoint is back for the next commit.
    write_tx(&mut conn, |c| write_much(c, 10_000)).expect("plain write");
    assert!(
        file_size(&db.url) > 6_000_000,
        "the next commit checkpointed: {} bytes in the file",
        file_size(&db.url)
    );
}

#[test]
fn a_checkpoint_copies_the_log_unless_a_reader_holds_it() {
    let db = TempDatabase::sqlite();
    let mut conn = open(&db);
    let mut reader = open_reader(&db);
    bulk_write_tx(&mut conn, |c| write_much(c, 0)).expect("bulk write");
    // A reader that started before the next write keeps that write's pages.
    reader
        .batch_execute("BEGIN; SELECT count(*) FROM t;")
        .expect("read");
    bulk_write_tx(&mut conn, |c| write_much(c, 10_000)).expect("second write");
    assert!(
        !checkpoint(&mut conn).expect("checkpoint"),
        "a reader holds part of the log"
    );
    reader.batch_execute("COMMIT;").expect("end read");
    assert!(
        checkpoint(&mut conn).expect("checkpoint"),
        "all of the log copied"
    );
    assert!(
        file_size(&db.url) > 12_000_000,
        "both writes are in the file"
    );
}

fn open_reader(db: &TempDatabase) -> DbConn {
    DbManager::new(DatabaseTarget::Sqlite(db.url.clone()))
        .expect("SQLite target")
        .establish()
        .expect("SQLite connection")
}
