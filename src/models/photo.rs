//! User photos, stored as re-encoded JPEG bytes.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::user_photos as p;
use crate::domain::UserId;

#[derive(Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = p)]
pub struct UserPhoto {
    pub user_id: UserId,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub width: i32,
    pub height: i32,
    pub updated_at: PrimitiveDateTime,
}

pub fn find(conn: &mut DbConn, user: UserId) -> QueryResult<Option<UserPhoto>> {
    p::table
        .find(user)
        .select(UserPhoto::as_select())
        .first(conn)
        .optional()
}

pub fn exists(conn: &mut DbConn, user: UserId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(p::table.find(user))).get_result(conn)
}

/// Stores the photo, replacing an earlier one.
pub fn put(conn: &mut DbConn, photo: &UserPhoto) -> QueryResult<usize> {
    let replaced = diesel::update(p::table.find(photo.user_id))
        .set(photo)
        .execute(conn)?;
    if replaced > 0 {
        return Ok(replaced);
    }
    diesel::insert_into(p::table).values(photo).execute(conn)
}

pub fn delete(conn: &mut DbConn, user: UserId) -> QueryResult<usize> {
    diesel::delete(p::table.find(user)).execute(conn)
}
