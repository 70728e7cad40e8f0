//! Groups (Gruppen) and areas (Bereiche/Standorte): two tables of the same
//! shape, each with its membership table. Areas carry a role per member.

use diesel::dsl::count_star;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{area_assignments, areas, group_memberships, user_groups, users};
use crate::domain::units::{Member, Unit, UnitCatalog, UnitKind, UnitWithCount};
use crate::domain::{AreaRole, UnitId, UserId};
use crate::models::user::SummaryRow;

pub fn catalog(conn: &mut DbConn) -> QueryResult<UnitCatalog> {
    Ok(UnitCatalog {
        groups: group::all(conn)?,
        areas: area::all(conn)?,
    })
}

/// Queries that read the same on both unit tables.
macro_rules! unit_table_queries {
    ($table:ident, $members:ident, $fk:ident) => {
        fn columns() -> ($table::id, $table::name, $table::created_at) {
            ($table::id, $table::name, $table::created_at)
        }

        fn unit((id, name, created_at): (UnitId, String, PrimitiveDateTime)) -> Unit {
            Unit {
                id,
                name,
                created_at,
            }
        }

        pub fn list(conn: &mut DbConn) -> QueryResult<Vec<UnitWithCount>> {
            let units = all(conn)?;
            // Deleting a user removes his memberships, so every row counts.
            let counts: Vec<(UnitId, i64)> = $members::table
                .group_by($members::$fk)
                .select(($members::$fk, count_star()))
                .load(conn)?;
            Ok(units
                .into_iter()
                .map(|unit| {
                    let members = counts
                        .iter()
                        .find(|(id, _)| *id == unit.id)
                        .map_or(0, |(_, n)| *n);
                    UnitWithCount { unit, members }
                })
                .collect())
        }

        /// All units by name, without member counts (for menus).
        pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Unit>> {
            Ok($table::table
                .select(columns())
                .order($table::name_key.asc())
                .load(conn)?
                .into_iter()
                .map(unit)
                .collect())
        }

        pub fn find(conn: &mut DbConn, id: UnitId) -> QueryResult<Option<Unit>> {
            Ok($table::table
                .find(id)
                .select(columns())
                .first(conn)
                .optional()?
                .map(unit))
        }

        /// The unit, locked against memberships added or removed until the
        /// transaction ends (PostgreSQL: `FOR UPDATE`, which waits for a
        /// membership being added and makes one added later wait and fail;
        /// SQLite's write transaction holds the whole database).
        pub fn lock(conn: &mut DbConn, id: UnitId) -> QueryResult<Option<Unit>> {
            let q = $table::table.find(id).select(columns());
            Ok(match conn {
                DbConn::Postgres(c) => q.for_update().first(c).optional()?,
                DbConn::Sqlite(c) => q.first(c).optional()?,
            }
            .map(unit))
        }

        pub fn find_by_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<Unit>> {
            Ok($table::table
                .filter($table::name_key.eq(key))
                .select(columns())
                .first(conn)
                .optional()?
                .map(unit))
        }

        /// The ids of `wanted` that exist.
        pub fn existing(conn: &mut DbConn, wanted: &[UnitId]) -> QueryResult<Vec<UnitId>> {
            $table::table
                .filter($table::id.eq_any(wanted.to_vec()))
                .select($table::id)
                .load(conn)
        }

        pub fn insert(
            conn: &mut DbConn,
            name: &str,
            key: &str,
            now: PrimitiveDateTime,
        ) -> QueryResult<Unit> {
            diesel::insert_into($table::table)
                .values((
                    $table::name.eq(name),
                    $table::name_key.eq(key),
                    $table::created_at.eq(now),
                ))
                .returning(columns())
                .get_result(conn)
                .map(unit)
        }

        pub fn rename(conn: &mut DbConn, id: UnitId, name: &str, key: &str) -> QueryResult<usize> {
            diesel::update($table::table.find(id))
                .set(($table::name.eq(name), $table::name_key.eq(key)))
                .execute(conn)
        }

        pub fn delete(conn: &mut DbConn, id: UnitId) -> QueryResult<usize> {
            diesel::delete($table::table.find(id)).execute(conn)
        }

        /// Members who are live users.
        pub fn live_member_count(conn: &mut DbConn, id: UnitId) -> QueryResult<i64> {
            $members::table
                .inner_join(users::table)
                .filter($members::$fk.eq(id))
                .filter(users::deleted_at.is_null())
                .select(count_star())
                .first(conn)
        }

        pub fn remove_member(conn: &mut DbConn, id: UnitId, user: UserId) -> QueryResult<usize> {
            diesel::delete(
                $members::table
                    .filter($members::$fk.eq(id))
                    .filter($members::user_id.eq(user)),
            )
            .execute(conn)
        }

        /// Every membership of the unit (before it is deleted).
        pub fn remove_all_members(conn: &mut DbConn, id: UnitId) -> QueryResult<usize> {
            diesel::delete($members::table.filter($members::$fk.eq(id))).execute(conn)
        }

        pub fn remove_all_of_user(conn: &mut DbConn, user: UserId) -> QueryResult<usize> {
            diesel::delete($members::table.filter($members::user_id.eq(user))).execute(conn)
        }

        /// (user, unit name) for the given users, for list pages.
        pub fn names_for_users(
            conn: &mut DbConn,
            users: &[UserId],
        ) -> QueryResult<Vec<(UserId, String)>> {
            $members::table
                .inner_join($table::table)
                .filter($members::user_id.eq_any(users.to_vec()))
                .order($table::name_key.asc())
                .select(($members::user_id, $table::name))
                .load(conn)
        }
    };
}

/// Adds people to units as an update import does: many at once, and a
/// membership that exists stays as it is (an area keeps the person's role
/// there). The pairs that were added; one statement per 10,000 on
/// PostgreSQL (the membership triggers check per statement), one cached
/// statement per pair on SQLite.
macro_rules! add_many {
    ($conn:expr, $pairs:expr, $members:ident, $fk:ident $(, $extra:expr)?) => {{
        let (conn, pairs): (&mut DbConn, &[(UnitId, UserId)]) = ($conn, $pairs);
        let mut added = Vec::new();
        match conn {
            DbConn::Postgres(c) => {
                for chunk in pairs.chunks(10_000) {
                    let values: Vec<_> = chunk
                        .iter()
                        .map(|(unit, user)| {
                            ($members::$fk.eq(*unit), $members::user_id.eq(*user) $(, $extra)?)
                        })
                        .collect();
                    added.extend(
                        diesel::insert_into($members::table)
                            .values(&values)
                            .on_conflict_do_nothing()
                            .returning(($members::$fk, $members::user_id))
                            .get_results::<(UnitId, UserId)>(c)?,
                    );
                }
            }
            DbConn::Sqlite(c) => {
                for (unit, user) in pairs {
                    let n = diesel::insert_into($members::table)
                        .values(($members::$fk.eq(*unit), $members::user_id.eq(*user) $(, $extra)?))
                        .on_conflict_do_nothing()
                        .execute(c)?;
                    if n > 0 {
                        added.push((*unit, *user));
                    }
                }
            }
        }
        Ok(added)
    }};
}

/// Takes people out of one unit as an undo of an import does, many at
/// once (per 5,000), and only places as the import made them (`$plain`: an
/// area place given another role since stays). How many went.
macro_rules! remove_many {
    ($conn:expr, $id:expr, $users:expr, $members:ident, $fk:ident $(, $plain:expr)?) => {{
        let (conn, id, users): (&mut DbConn, UnitId, &[UserId]) = ($conn, $id, $users);
        let mut n = 0;
        for chunk in users.chunks(5000) {
            n += diesel::delete(
                $members::table
                    .filter($members::$fk.eq(id))
                    .filter($members::user_id.eq_any(chunk))
                    $(.filter($plain))?,
            )
            .execute(conn)?;
        }
        Ok(n)
    }};
}

pub mod group {
    use super::*;

    /// These people's memberships in the group (an undone import's).
    pub fn remove_many(conn: &mut DbConn, id: UnitId, users: &[UserId]) -> QueryResult<usize> {
        remove_many!(conn, id, users, group_memberships, group_id)
    }

    /// Adds each (group, person) pair that is not a membership yet; the
    /// pairs that were added.
    pub fn add_many(
        conn: &mut DbConn,
        pairs: &[(UnitId, UserId)],
    ) -> QueryResult<Vec<(UnitId, UserId)>> {
        add_many!(conn, pairs, group_memberships, group_id)
    }

    unit_table_queries!(user_groups, group_memberships, group_id);

    /// Adds the user to the group; nothing happens if he is in it already
    /// (also when two admins add him at the same instant).
    pub fn add_member(conn: &mut DbConn, group: UnitId, user: UserId) -> QueryResult<usize> {
        macro_rules! insert {
            () => {
                diesel::insert_into(group_memberships::table)
                    .values((
                        group_memberships::group_id.eq(group),
                        group_memberships::user_id.eq(user),
                    ))
                    .on_conflict((group_memberships::user_id, group_memberships::group_id))
                    .do_nothing()
            };
        }
        match conn {
            DbConn::Postgres(c) => insert!().execute(c),
            DbConn::Sqlite(c) => insert!().execute(c),
        }
    }

    pub fn members(conn: &mut DbConn, group: UnitId, limit: i64) -> QueryResult<Vec<Member>> {
        let rows: Vec<SummaryRow> = group_memberships::table
            .inner_join(users::table)
            .filter(group_memberships::group_id.eq(group))
            .filter(users::deleted_at.is_null())
            .order((users::sort_name.asc(), users::id.asc()))
            .limit(limit)
            .select(SummaryRow::as_select())
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|row| Member {
                user: row.into(),
                role: None,
            })
            .collect())
    }

    pub fn ids_for_user(conn: &mut DbConn, user: UserId) -> QueryResult<Vec<UnitId>> {
        group_memberships::table
            .filter(group_memberships::user_id.eq(user))
            .select(group_memberships::group_id)
            .load(conn)
    }
}

pub mod area {
    use super::*;

    /// These people's places in the area as plain members (an undone
    /// import's): one given another role meanwhile stays.
    pub fn remove_many(conn: &mut DbConn, id: UnitId, users: &[UserId]) -> QueryResult<usize> {
        remove_many!(
            conn,
            id,
            users,
            area_assignments,
            area_id,
            area_assignments::area_role.eq(AreaRole::Mitglied)
        )
    }

    /// Makes each (area, person) pair a member who is not in the area yet
    /// (one who is keeps his role); the pairs that were added.
    pub fn add_many(
        conn: &mut DbConn,
        pairs: &[(UnitId, UserId)],
    ) -> QueryResult<Vec<(UnitId, UserId)>> {
        add_many!(
            conn,
            pairs,
            area_assignments,
            area_id,
            area_assignments::area_role.eq(AreaRole::Mitglied)
        )
    }

    unit_table_queries!(areas, area_assignments, area_id);

    /// Adds the user to the area or changes his role there, in one
    /// statement (two admins at the same instant: the later role wins).
    pub fn assign(
        conn: &mut DbConn,
        area: UnitId,
        user: UserId,
        role: AreaRole,
    ) -> QueryResult<usize> {
        macro_rules! upsert {
            () => {
                diesel::insert_into(area_assignments::table)
                    .values((
                        area_assignments::area_id.eq(area),
                        area_assignments::user_id.eq(user),
                        area_assignments::area_role.eq(role),
                    ))
                    .on_conflict((area_assignments::user_id, area_assignments::area_id))
                    .do_update()
                    .set(area_assignments::area_role.eq(role))
            };
        }
        match conn {
            DbConn::Postgres(c) => upsert!().execute(c),
            DbConn::Sqlite(c) => upsert!().execute(c),
        }
    }

    pub fn members(conn: &mut DbConn, area: UnitId, limit: i64) -> QueryResult<Vec<Member>> {
        let rows: Vec<(SummaryRow, AreaRole)> = area_assignments::table
            .inner_join(users::table)
            .filter(area_assignments::area_id.eq(area))
            .filter(users::deleted_at.is_null())
            .order((users::sort_name.asc(), users::id.asc()))
            .limit(limit)
            .select((SummaryRow::as_select(), area_assignments::area_role))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(row, role)| Member {
                user: row.into(),
                role: Some(role),
            })
            .collect())
    }

    /// The user's areas with his role in each.
    pub fn roles_for_user(conn: &mut DbConn, user: UserId) -> QueryResult<Vec<(UnitId, AreaRole)>> {
        area_assignments::table
            .filter(area_assignments::user_id.eq(user))
            .select((area_assignments::area_id, area_assignments::area_role))
            .load(conn)
    }
}

/// Queries of either kind, for services that handle both alike.
pub fn find(conn: &mut DbConn, kind: UnitKind, id: UnitId) -> QueryResult<Option<Unit>> {
    match kind {
        UnitKind::Group => group::find(conn, id),
        UnitKind::Area => area::find(conn, id),
    }
}

pub fn lock(conn: &mut DbConn, kind: UnitKind, id: UnitId) -> QueryResult<Option<Unit>> {
    match kind {
        UnitKind::Group => group::lock(conn, id),
        UnitKind::Area => area::lock(conn, id),
    }
}

pub fn find_by_key(conn: &mut DbConn, kind: UnitKind, key: &str) -> QueryResult<Option<Unit>> {
    match kind {
        UnitKind::Group => group::find_by_key(conn, key),
        UnitKind::Area => area::find_by_key(conn, key),
    }
}

/// All units of a kind, without member counts.
pub fn all(conn: &mut DbConn, kind: UnitKind) -> QueryResult<Vec<Unit>> {
    match kind {
        UnitKind::Group => group::all(conn),
        UnitKind::Area => area::all(conn),
    }
}

pub fn list(conn: &mut DbConn, kind: UnitKind) -> QueryResult<Vec<UnitWithCount>> {
    match kind {
        UnitKind::Group => group::list(conn),
        UnitKind::Area => area::list(conn),
    }
}

pub fn insert(
    conn: &mut DbConn,
    kind: UnitKind,
    name: &str,
    key: &str,
    now: PrimitiveDateTime,
) -> QueryResult<Unit> {
    match kind {
        UnitKind::Group => group::insert(conn, name, key, now),
        UnitKind::Area => area::insert(conn, name, key, now),
    }
}

pub fn rename(
    conn: &mut DbConn,
    kind: UnitKind,
    id: UnitId,
    name: &str,
    key: &str,
) -> QueryResult<usize> {
    match kind {
        UnitKind::Group => group::rename(conn, id, name, key),
        UnitKind::Area => area::rename(conn, id, name, key),
    }
}

pub fn delete(conn: &mut DbConn, kind: UnitKind, id: UnitId) -> QueryResult<usize> {
    match kind {
        UnitKind::Group => group::delete(conn, id),
        UnitKind::Area => area::delete(conn, id),
    }
}

/// The admin roles among the unit's live members (people without admin
/// access are not listed).
pub fn member_admin_roles(
    conn: &mut DbConn,
    kind: UnitKind,
    id: UnitId,
) -> QueryResult<Vec<crate::domain::AdminRole>> {
    use crate::db::schema::{area_assignments as aa, group_memberships as gm};
    let roles: Vec<Option<crate::domain::AdminRole>> = match kind {
        UnitKind::Group => gm::table
            .inner_join(users::table)
            .filter(gm::group_id.eq(id))
            .filter(users::deleted_at.is_null())
            .filter(users::admin_role.is_not_null())
            .select(users::admin_role)
            .distinct()
            .load(conn)?,
        UnitKind::Area => aa::table
            .inner_join(users::table)
            .filter(aa::area_id.eq(id))
            .filter(users::deleted_at.is_null())
            .filter(users::admin_role.is_not_null())
            .select(users::admin_role)
            .distinct()
            .load(conn)?,
    };
    Ok(roles.into_iter().flatten().collect())
}

/// Which of these users belong to the unit.
pub fn members_among(
    conn: &mut DbConn,
    kind: UnitKind,
    id: UnitId,
    users: &[UserId],
) -> QueryResult<Vec<UserId>> {
    use crate::db::schema::{area_assignments as aa, group_memberships as gm};
    match kind {
        UnitKind::Group => gm::table
            .filter(gm::group_id.eq(id))
            .filter(gm::user_id.eq_any(users.to_vec()))
            .select(gm::user_id)
            .load(conn),
        UnitKind::Area => aa::table
            .filter(aa::area_id.eq(id))
            .filter(aa::user_id.eq_any(users.to_vec()))
            .select(aa::user_id)
            .load(conn),
    }
}

pub fn remove_all_members(conn: &mut DbConn, kind: UnitKind, id: UnitId) -> QueryResult<usize> {
    match kind {
        UnitKind::Group => group::remove_all_members(conn, id),
        UnitKind::Area => area::remove_all_members(conn, id),
    }
}

pub fn live_member_count(conn: &mut DbConn, kind: UnitKind, id: UnitId) -> QueryResult<i64> {
    match kind {
        UnitKind::Group => group::live_member_count(conn, id),
        UnitKind::Area => area::live_member_count(conn, id),
    }
}

pub fn members(
    conn: &mut DbConn,
    kind: UnitKind,
    id: UnitId,
    limit: i64,
) -> QueryResult<Vec<Member>> {
    match kind {
        UnitKind::Group => group::members(conn, id, limit),
        UnitKind::Area => area::members(conn, id, limit),
    }
}

pub fn remove_member(
    conn: &mut DbConn,
    kind: UnitKind,
    id: UnitId,
    user: UserId,
) -> QueryResult<usize> {
    match kind {
        UnitKind::Group => group::remove_member(conn, id, user),
        UnitKind::Area => area::remove_member(conn, id, user),
    }
}
