//! How domain values are stored: closed vocabularies as TEXT (each column has
//! a CHECK constraint), ids as BIGINT. The domain stays free of diesel; the
//! impls live here, derived through diesel's `foreign_derive` proxies, for the
//! two concrete backends and for `DbConn`'s multi-backend.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::Sqlite;

use crate::db::Db;
use crate::domain::mail::{Delivery, MailKind};
use crate::domain::token::TokenPurpose;
use crate::domain::{
    AdminRole, AreaRole, Salutation, UnitId, UnknownValue, UserId, UserStatus, UserType,
};

fn parse_text<T: std::str::FromStr>(value: String, kind: &'static str) -> deserialize::Result<T> {
    value
        .parse()
        .map_err(|_| Box::new(UnknownValue { kind, value }) as Box<_>)
}

macro_rules! text_column {
    ($ty:ty, $proxy:ident, $kind:literal) => {
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(foreign_derive, sql_type = Text)]
        #[allow(dead_code)]
        struct $proxy($ty);

        impl FromSql<Text, Pg> for $ty {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse_text(<String as FromSql<Text, Pg>>::from_sql(bytes)?, $kind)
            }
        }

        impl FromSql<Text, Sqlite> for $ty {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse_text(<String as FromSql<Text, Sqlite>>::from_sql(bytes)?, $kind)
            }
        }

        impl FromSql<Text, Db> for $ty {
            fn from_sql(bytes: <Db as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<$ty, Text>()
            }
        }

        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl ToSql<Text, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                <str as ToSql<Text, Sqlite>>::to_sql(self.as_str(), out)
            }
        }

        impl ToSql<Text, Db> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Db>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }
    };
}

macro_rules! id_column {
    ($ty:ty, $proxy:ident) => {
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(foreign_derive, sql_type = BigInt)]
        #[allow(dead_code)]
        struct $proxy($ty);

        impl FromSql<BigInt, Pg> for $ty {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, Pg>>::from_sql(bytes).map(<$ty>::new)
            }
        }

        impl FromSql<BigInt, Sqlite> for $ty {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <i64 as FromSql<BigInt, Sqlite>>::from_sql(bytes).map(<$ty>::new)
            }
        }

        impl FromSql<BigInt, Db> for $ty {
            fn from_sql(bytes: <Db as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<$ty, BigInt>()
            }
        }

        impl ToSql<BigInt, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <i64 as ToSql<BigInt, Pg>>::to_sql(self.as_ref(), out)
            }
        }

        impl ToSql<BigInt, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                <i64 as ToSql<BigInt, Sqlite>>::to_sql(self.as_ref(), out)
            }
        }

        impl ToSql<BigInt, Db> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Db>) -> serialize::Result {
                out.set_value((BigInt, self));
                Ok(IsNull::No)
            }
        }
    };
}

text_column!(UserStatus, UserStatusColumn, "status");
text_column!(AdminRole, AdminRoleColumn, "admin role");
text_column!(UserType, UserTypeColumn, "user type");
text_column!(Salutation, SalutationColumn, "salutation");
text_column!(AreaRole, AreaRoleColumn, "area role");
text_column!(TokenPurpose, TokenPurposeColumn, "token purpose");
text_column!(MailKind, MailKindColumn, "mail kind");
text_column!(Delivery, DeliveryColumn, "delivery");
id_column!(UserId, UserIdColumn);
id_column!(UnitId, UnitIdColumn);
