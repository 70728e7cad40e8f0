//! Groups (Gruppen) and areas (Bereiche/Standorte): two tables of the same
//! shape, each with its membership table. Areas carry a role per member.

use diesel::dsl::count_star;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{area_assignments, areas, group_memberships, user_groups, users};
use crate::domain::AreaRole;
use crate::models::user::User;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    Group,
    Area,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Group => "group",
            UnitKind::Area => "area",
        }
    }
}

#[derive(Clone, Debug, Queryable)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub created_at: PrimitiveDateTime,
}

/// Every group and area by name: the menus of the user list, kept in memory
/// (see `web::AppState::units`).
#[derive(Clone, Debug, Default)]
pub struct UnitCatalog {
    pub groups: Vec<Unit>,
    pub areas: Vec<Unit>,
}

impl UnitCatalog {
    pub fn load(conn: &mut DbConn) -> QueryResult<Self> {
        Ok(Self {
            groups: group::all(conn)?,
            areas: area::all(conn)?,
        })
    }
}

/// A member of a unit with the role held there (areas only).
pub struct Member {
    pub user: User,
    pub role: Option<AreaRole>,
}

/// Queries that read the same on both unit tables.
macro_rules! unit_table_queries {
    ($table:ident, $members:ident, $fk:ident) => {
        pub fn list(conn: &mut DbConn) -> QueryResult<Vec<(Unit, i64)>> {
            let units: Vec<Unit> = $table::table
                .select((
                    $table::id,
                    $table::name,
                    $table::name_key,
                    $table::created_at,
                ))
                .order($table::name_key.asc())
                .load(conn)?;
            // Deleting a user removes his memberships, so every row counts.
            let counts: Vec<(i64, i64)> = $members::table
                .group_by($members::$fk)
                .select(($members::$fk, count_star()))
                .load(conn)?;
            Ok(units
                .into_iter()
                .map(|unit| {
                    let n = counts
                        .iter()
                        .find(|(id, _)| *id == unit.id)
                        .map_or(0, |(_, n)| *n);
                    (unit, n)
                })
                .collect())
        }

        /// All units by name, without member counts (for menus).
        pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Unit>> {
            $table::table
                .select((
                    $table::id,
                    $table::name,
                    $table::name_key,
                    $table::created_at,
                ))
                .order($table::name_key.asc())
                .load(conn)
        }

        pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Unit>> {
            $table::table
                .find(id)
                .select((
                    $table::id,
                    $table::name,
                    $table::name_key,
                    $table::created_at,
                ))
                .first(conn)
                .optional()
        }

        pub fn find_by_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<Unit>> {
            $table::table
                .filter($table::name_key.eq(key))
                .select((
                    $table::id,
                    $table::name,
                    $table::name_key,
                    $table::created_at,
                ))
                .first(conn)
                .optional()
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
                .returning((
                    $table::id,
                    $table::name,
                    $table::name_key,
                    $table::created_at,
                ))
                .get_result(conn)
        }

        pub fn rename(conn: &mut DbConn, id: i64, name: &str, key: &str) -> QueryResult<usize> {
            diesel::update($table::table.find(id))
                .set(($table::name.eq(name), $table::name_key.eq(key)))
                .execute(conn)
        }

        pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
            diesel::delete($table::table.find(id)).execute(conn)
        }

        /// Members who are live users.
        pub fn live_member_count(conn: &mut DbConn, id: i64) -> QueryResult<i64> {
            $members::table
                .inner_join(users::table)
                .filter($members::$fk.eq(id))
                .filter(users::deleted_at.is_null())
                .select(count_star())
                .first(conn)
        }

        pub fn remove_member(conn: &mut DbConn, id: i64, user_id: i64) -> QueryResult<usize> {
            diesel::delete(
                $members::table
                    .filter($members::$fk.eq(id))
                    .filter($members::user_id.eq(user_id)),
            )
            .execute(conn)
        }

        pub fn remove_all_of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
            diesel::delete($members::table.filter($members::user_id.eq(user_id))).execute(conn)
        }

        /// (user id, unit name) for the given users, for list pages.
        pub fn names_for_users(
            conn: &mut DbConn,
            user_ids: &[i64],
        ) -> QueryResult<Vec<(i64, String)>> {
            $members::table
                .inner_join($table::table)
                .filter($members::user_id.eq_any(user_ids.to_vec()))
                .order($table::name_key.asc())
                .select(($members::user_id, $table::name))
                .load(conn)
        }
    };
}

pub mod group {
    use super::*;

    unit_table_queries!(user_groups, group_memberships, group_id);

    pub fn add_member(conn: &mut DbConn, group_id: i64, user_id: i64) -> QueryResult<usize> {
        let exists: i64 = group_memberships::table
            .filter(group_memberships::group_id.eq(group_id))
            .filter(group_memberships::user_id.eq(user_id))
            .select(count_star())
            .first(conn)?;
        if exists > 0 {
            return Ok(0);
        }
        diesel::insert_into(group_memberships::table)
            .values((
                group_memberships::group_id.eq(group_id),
                group_memberships::user_id.eq(user_id),
            ))
            .execute(conn)
    }

    pub fn members(conn: &mut DbConn, group_id: i64, limit: i64) -> QueryResult<Vec<Member>> {
        let rows: Vec<User> = group_memberships::table
            .inner_join(users::table)
            .filter(group_memberships::group_id.eq(group_id))
            .filter(users::deleted_at.is_null())
            .order((users::sort_name.asc(), users::id.asc()))
            .limit(limit)
            .select(User::as_select())
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|user| Member { user, role: None })
            .collect())
    }

    pub fn ids_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<i64>> {
        group_memberships::table
            .filter(group_memberships::user_id.eq(user_id))
            .select(group_memberships::group_id)
            .load(conn)
    }
}

pub mod area {
    use super::*;

    unit_table_queries!(areas, area_assignments, area_id);

    /// Adds the user to the area or changes his role there.
    pub fn assign(
        conn: &mut DbConn,
        area_id: i64,
        user_id: i64,
        role: AreaRole,
    ) -> QueryResult<usize> {
        let changed = diesel::update(
            area_assignments::table
                .filter(area_assignments::area_id.eq(area_id))
                .filter(area_assignments::user_id.eq(user_id)),
        )
        .set(area_assignments::area_role.eq(role.as_str()))
        .execute(conn)?;
        if changed > 0 {
            return Ok(changed);
        }
        diesel::insert_into(area_assignments::table)
            .values((
                area_assignments::area_id.eq(area_id),
                area_assignments::user_id.eq(user_id),
                area_assignments::area_role.eq(role.as_str()),
            ))
            .execute(conn)
    }

    pub fn members(conn: &mut DbConn, area_id: i64, limit: i64) -> QueryResult<Vec<Member>> {
        let rows: Vec<(User, String)> = area_assignments::table
            .inner_join(users::table)
            .filter(area_assignments::area_id.eq(area_id))
            .filter(users::deleted_at.is_null())
            .order((users::sort_name.asc(), users::id.asc()))
            .limit(limit)
            .select((User::as_select(), area_assignments::area_role))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(user, role)| Member {
                user,
                role: role.parse().ok(),
            })
            .collect())
    }

    /// The user's areas with his role in each.
    pub fn roles_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<(i64, String)>> {
        area_assignments::table
            .filter(area_assignments::user_id.eq(user_id))
            .select((area_assignments::area_id, area_assignments::area_role))
            .load(conn)
    }
}
